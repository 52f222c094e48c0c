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
	"request.phase_upcoming": {
		"requests for phase {phase} open only on {date}",
		"les demandes de la phase {phase} ne s'ouvrent que le {date}",
		"aanvragen voor fase {phase} openen pas op {date}",
		"Anträge für Phase {phase} öffnen erst am {date}"},
	"request.phase_over": {
		"the pickup window of phase {phase} ended on {date}: its codes are over from the start",
		"la période de retrait de la phase {phase} s'est terminée le {date} : ses codes sont échus dès le départ",
		"de afhaalperiode van fase {phase} eindigde op {date}: de codes zijn van bij het begin verlopen",
		"der Abholzeitraum von Phase {phase} endete am {date}: ihre Codes sind von Anfang an abgelaufen"},
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
	// Campaign files.
	"noun.campaign":    {"campaign", "campagne", "campagne", "Kampagne"},
	"noun.item":        {"item", "article", "artikel", "Artikel"},
	"noun.parcel_kind": {"parcel kind", "type de colis", "pakkettype", "Paketart"},
	"noun.phase":       {"phase", "phase", "fase", "Phase"},
	"noun.profession":  {"profession", "profession", "beroep", "Beruf"},
	"campaign.name_missing": {
		`needs a name (e.g. {"en": "…", "fr": "…"})`,
		`un nom est requis (par ex. {"en": "…", "fr": "…"})`,
		`een naam is nodig (bv. {"en": "…", "fr": "…"})`,
		`ein Name ist nötig (z. B. {"en": "…", "fr": "…"})`},
	"campaign.name_lang": {
		"language {lang} unknown (want fr, nl, de or en)",
		"langue {lang} inconnue (fr, nl, de ou en attendu)",
		"taal {lang} onbekend (fr, nl, de of en verwacht)",
		"Sprache {lang} unbekannt (fr, nl, de oder en erwartet)"},
	"campaign.text_long": {
		"longer than {max} bytes",
		"plus de {max} octets",
		"langer dan {max} bytes",
		"länger als {max} Bytes"},
	"campaign.text_bad": {
		"not UTF-8 or has control characters",
		"pas en UTF-8 ou avec des caractères de contrôle",
		"geen UTF-8 of met stuurtekens",
		"kein UTF-8 oder mit Steuerzeichen"},
	"campaign.id": {
		"{kind} id {id}: want 1 to 64 of A-Z a-z 0-9 _ -",
		"identifiant de {kind} {id} : 1 à 64 caractères parmi A-Z a-z 0-9 _ - attendus",
		"id van {kind} {id}: 1 tot 64 tekens uit A-Z a-z 0-9 _ - verwacht",
		"Kennung ({kind}) {id}: 1 bis 64 Zeichen aus A-Z a-z 0-9 _ - erwartet"},
	"campaign.twice": {
		"{kind} {id} appears twice",
		"{kind} {id} apparaît deux fois",
		"{kind} {id} staat er twee keer in",
		"{kind} {id} kommt zweimal vor"},
	"campaign.none": {
		"a campaign needs at least one {kind}",
		"une campagne a besoin d'au moins un élément de type {kind}",
		"een campagne heeft minstens één {kind} nodig",
		"eine Kampagne braucht mindestens ein Element vom Typ {kind}"},
	"campaign.no_such": {
		"{kind} {id} is not among the campaign's {kinds}",
		"{kind} {id} ne figure pas parmi les {kinds} de la campagne",
		"{kind} {id} staat niet bij de {kinds} van de campagne",
		"{kind} {id} ist nicht unter den {kinds} der Kampagne"},
	"noun.items":        {"items", "articles", "artikels", "Artikeln"},
	"noun.parcel_kinds": {"parcel kinds", "types de colis", "pakkettypes", "Paketarten"},
	"noun.phases":       {"phases", "phases", "fases", "Phasen"},
	"campaign.period_days": {
		"want 0 to 3660 days",
		"de 0 à 3660 jours attendus",
		"0 tot 3660 dagen verwacht",
		"0 bis 3660 Tage erwartet"},
	"campaign.size": {
		"size {size} invalid or repeated",
		"taille {size} invalide ou répétée",
		"maat {size} ongeldig of herhaald",
		"Größe {size} ungültig oder wiederholt"},
	"campaign.box_size": {
		"want a positive number of units per box",
		"un nombre positif d'unités par boîte est attendu",
		"een positief aantal stuks per doos verwacht",
		"eine positive Stückzahl pro Schachtel erwartet"},
	"campaign.empty_parcel": {
		"parcel kind {id} holds nothing",
		"le type de colis {id} ne contient rien",
		"pakkettype {id} bevat niets",
		"Paketart {id} enthält nichts"},
	"campaign.per_day_item": {
		"a per-day item needs the campaign's period_days and the item's box_size",
		"un article par jour demande le period_days de la campagne et le box_size de l'article",
		"een artikel per dag vraagt de period_days van de campagne en de box_size van het artikel",
		"ein Artikel pro Tag braucht period_days der Kampagne und box_size des Artikels"},
	"campaign.qty": {
		"want 1 to 1,000,000 units",
		"de 1 à 1 000 000 unités attendues",
		"1 tot 1.000.000 stuks verwacht",
		"1 bis 1.000.000 Stück erwartet"},
	"campaign.date_missing": {
		"date missing (YYYY-MM-DD)",
		"date manquante (AAAA-MM-JJ)",
		"datum ontbreekt (JJJJ-MM-DD)",
		"Datum fehlt (JJJJ-MM-TT)"},
	"campaign.date": {
		"date {date}: want YYYY-MM-DD",
		"date {date} : AAAA-MM-JJ attendu",
		"datum {date}: JJJJ-MM-DD verwacht",
		"Datum {date}: JJJJ-MM-TT erwartet"},
	"campaign.pickup_order": {
		"pickup ends ({end}) before it starts ({start})",
		"le retrait se termine ({end}) avant de commencer ({start})",
		"het afhalen eindigt ({end}) voor het begint ({start})",
		"die Abholung endet ({end}) vor ihrem Beginn ({start})"},
	"campaign.requests_late": {
		"requests open ({open}) after the pickup ends ({end})",
		"les demandes s'ouvrent ({open}) après la fin du retrait ({end})",
		"de aanvragen openen ({open}) na het einde van het afhalen ({end})",
		"die Anträge öffnen ({open}) nach dem Ende der Abholung ({end})"},
	"campaign.per_day_rate": {
		"parcel kind {id} is counted per day: give the profession's per_day rate",
		"le type de colis {id} se compte par jour : indiquez le per_day de la profession",
		"pakkettype {id} wordt per dag geteld: geef de per_day van het beroep",
		"Paketart {id} wird pro Tag gezählt: per_day des Berufs angeben"},
	"campaign.rate": {
		"want a positive rate",
		"un taux positif est attendu",
		"een positief tempo verwacht",
		"eine positive Rate erwartet"},
	"campaign.builtin": {
		"{id} is a built-in example campaign and cannot be replaced: give your campaign an id of its own",
		"{id} est une campagne d'exemple intégrée et ne peut pas être remplacée : donnez à votre campagne son propre identifiant",
		"{id} is een ingebouwde voorbeeldcampagne en kan niet worden vervangen: geef uw campagne een eigen id",
		"{id} ist eine eingebaute Beispielkampagne und kann nicht ersetzt werden: geben Sie Ihrer Kampagne eine eigene Kennung"},
	"campaign.in_use": {
		"{kind} {id} is missing but {n} request(s) use it",
		"{kind} {id} manque alors que {n} demande(s) l'utilisent",
		"{kind} {id} ontbreekt terwijl {n} aanvraag/aanvragen het gebruiken",
		"{kind} {id} fehlt, wird aber von {n} Antrag/Anträgen verwendet"},
	"campaign.unknown_field": {
		"unknown field {field} (known here: {known})",
		"champ {field} inconnu (connus ici : {known})",
		"onbekend veld {field} (hier bekend: {known})",
		"unbekanntes Feld {field} (hier bekannt: {known})"},
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
	return fillArgs(t.in(lang), p.Args, lang)
}

// In is the problem as String gives it, in lang.
func (p Problem) In(lang string) string {
	var b strings.Builder
	if p.Line > 0 {
		b.WriteString(fillArgs(problemTexts["line"].in(lang), map[string]string{"line": fmt.Sprint(p.Line)}, lang) + ": ")
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

// fillArgs puts the parameters into s; a parameter "@noun.x" is the noun
// of that code, worded in lang too.
func fillArgs(s string, args map[string]string, lang string) string {
	for k, v := range args {
		if t, ok := problemTexts[strings.TrimPrefix(v, "@")]; ok && strings.HasPrefix(v, "@") {
			v = t.in(lang)
		}
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}
