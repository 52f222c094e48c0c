package registry

import (
	"fmt"
	"strings"
)

// Import problems are kept as a code and its parameters (Problem.Code,
// Problem.Args) besides the English message, so that the console shows
// them in the operator's language and the command line in the
// environment's (Problem.Text). A problem without a code (a JSON or CSV
// parser's own words) is shown as its message.

// problemText is one problem's wording in the four languages; {name}
// stands for the parameter of that name.
type problemText struct{ en, fr, nl, de string }

var problemTexts = map[string]problemText{
	"line": {"line {line}", "ligne {line}", "regel {line}", "Zeile {line}"},
	"request.professional_id": {
		"professional_id empty, longer than 64 or not printable",
		"professional_id vide, de plus de 64 caractères ou non imprimable",
		"professional_id leeg, langer dan 64 tekens of niet afdrukbaar",
		"professional_id leer, länger als 64 Zeichen oder nicht druckbar"},
	"request.twice": {
		"professional {id} appears twice in the file (first on line {first}): one parcel per professional in campaign {campaign}",
		"le professionnel {id} apparaît deux fois dans le fichier (d'abord ligne {first}) : un colis par professionnel dans la campagne {campaign}",
		"zorgverlener {id} staat twee keer in het bestand (eerst op regel {first}): één pakket per zorgverlener in campagne {campaign}",
		"Fachkraft {id} steht zweimal in der Datei (zuerst in Zeile {first}): ein Paket pro Fachkraft in Kampagne {campaign}"},
	"request.name_empty": {
		"name is empty",
		"le nom est vide",
		"de naam is leeg",
		"der Name ist leer"},
	"request.name_long": {
		"name longer than {max} bytes",
		"nom de plus de {max} octets",
		"naam langer dan {max} bytes",
		"Name länger als {max} Bytes"},
	"request.name_bad": {
		"name is not UTF-8 or has control characters",
		"le nom n'est pas en UTF-8 ou contient des caractères de contrôle",
		"de naam is geen UTF-8 of bevat stuurtekens",
		"der Name ist kein UTF-8 oder enthält Steuerzeichen"},
	"request.profession_unknown": {
		"profession {profession} is not in campaign {campaign}",
		"la profession {profession} ne fait pas partie de la campagne {campaign}",
		"beroep {profession} hoort niet bij campagne {campaign}",
		"Beruf {profession} gehört nicht zur Kampagne {campaign}"},
	"request.profession_phase": {
		"profession {profession} belongs to phase {phase} of campaign {campaign}, not {asked}",
		"la profession {profession} relève de la phase {phase} de la campagne {campaign}, pas de {asked}",
		"beroep {profession} hoort bij fase {phase} van campagne {campaign}, niet bij {asked}",
		"Beruf {profession} gehört zur Phase {phase} der Kampagne {campaign}, nicht zu {asked}"},
	"request.phase_missing": {
		"profession {profession}: campaign {campaign} has no phase {phase}",
		"profession {profession} : la campagne {campaign} n'a pas de phase {phase}",
		"beroep {profession}: campagne {campaign} heeft geen fase {phase}",
		"Beruf {profession}: Kampagne {campaign} hat keine Phase {phase}"},
	"request.centre_unknown": {
		"centre {centre} unknown (add it first with centre add or centre import)",
		"centre {centre} inconnu (ajoutez-le d'abord avec centre add ou centre import)",
		"centrum {centre} onbekend (voeg het eerst toe met centre add of centre import)",
		"Zentrum {centre} unbekannt (zuerst mit centre add oder centre import hinzufügen)"},
	"request.lang": {
		"language {lang}: want fr, nl, de or en",
		"langue {lang} : fr, nl, de ou en attendu",
		"taal {lang}: fr, nl, de of en verwacht",
		"Sprache {lang}: fr, nl, de oder en erwartet"},
	"request.csv": { // the CSV reader's own words follow
		"{error}",
		"CSV illisible : {error}",
		"onleesbare CSV: {error}",
		"unlesbares CSV: {error}"},
	"request.empty": {
		"no requests in the file (only a header)",
		"aucune demande dans le fichier (seulement l'en-tête)",
		"geen aanvragen in het bestand (alleen een kopregel)",
		"keine Anträge in der Datei (nur eine Kopfzeile)"},
	"request.already": {
		"professional {id} already has a parcel in campaign {campaign} (one per professional)",
		"le professionnel {id} a déjà un colis dans la campagne {campaign} (un par professionnel)",
		"zorgverlener {id} heeft al een pakket in campagne {campaign} (één per zorgverlener)",
		"Fachkraft {id} hat bereits ein Paket in Kampagne {campaign} (eines pro Fachkraft)"},
}

// problemOf makes a problem of a code, its parameters given as name,
// value pairs, with its English message.
func problemOf(line int, path, code string, kv ...string) Problem {
	p := Problem{Line: line, Path: path, Code: code}
	if len(kv) > 0 {
		p.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			p.Args[kv[i]] = kv[i+1]
		}
	}
	p.Message = p.Text("en")
	return p
}

// Text is the problem's description in lang (fr, nl, de or en; English
// for another), without its line or path.
func (p Problem) Text(lang string) string {
	t, ok := problemTexts[p.Code]
	if !ok {
		return p.Message
	}
	return fillArgs(t.in(lang), p.Args)
}

// In is the problem as String gives it, in lang.
func (p Problem) In(lang string) string {
	var b strings.Builder
	if p.Line > 0 {
		b.WriteString(fillArgs(problemTexts["line"].in(lang), map[string]string{"line": fmt.Sprint(p.Line)}) + ": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Text(lang))
	return b.String()
}

func (t problemText) in(lang string) string {
	switch lang {
	case "fr":
		return t.fr
	case "nl":
		return t.nl
	case "de":
		return t.de
	}
	return t.en
}

func fillArgs(s string, args map[string]string) string {
	for k, v := range args {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}
