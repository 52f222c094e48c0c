package registry

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/assets/i18n"
)

// TestProblemTextsComplete: every problem code is worded in the four
// languages, each wording with the same parameters as the English.
func TestProblemTextsComplete(t *testing.T) {
	t.Parallel()
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	en := i18n.For(i18n.Default)
	n := 0
	for _, key := range i18n.Keys(i18n.Default) {
		code, ok := strings.CutPrefix(key, "problem.")
		if !ok {
			continue
		}
		n++
		want := param.FindAllString(en.T(key), -1)
		slices.Sort(want)
		for _, lang := range []string{"fr", "nl", "de"} {
			c := i18n.For(lang)
			s := c.T(key)
			got := param.FindAllString(s, -1)
			slices.Sort(got)
			if !c.Has(key) || s == "" || !slices.Equal(got, want) {
				t.Errorf("%s in %s: %q has parameters %v, English %v", code, lang, s, got, want)
			}
			if code != "request.csv" && !strings.HasPrefix(code, "noun.") && s == en.T(key) {
				t.Errorf("%s in %s is the English text", code, lang)
			}
		}
	}
	if n < 40 {
		t.Errorf("%d problem texts in the catalogues", n)
	}
}

// TestRequestProblemsTranslated: the problems of a bad request file carry
// codes and parameters and read in each language, with nothing left to
// fill; the English message is unchanged in shape.
func TestRequestProblemsTranslated(t *testing.T) {
	f := newFixture(t)
	csv := "professional_id,name,profession,centre_id,lang\n" +
		"p1,Anne Peeters,nurse,nowhere,fr\n" + // unknown centre
		"p2,,nurse,namur,fr\n" + // no name
		"p3,Luc,astronaut,namur,xx\n" + // unknown profession, bad language
		"p1,Anne Peeters,nurse,namur,fr\n" // twice
	res, err := f.reg.ImportRequests(f.ctx, "oct2020-strategic", strings.NewReader(csv))
	if err == nil {
		t.Fatal("a file with bad rows was imported")
	}
	codes := map[string]bool{}
	for _, p := range res.Problems {
		codes[p.Code] = true
		if p.Message != p.Text("en") {
			t.Errorf("message %q, English text %q", p.Message, p.Text("en"))
		}
		for _, lang := range []string{"fr", "nl", "de"} {
			s := p.In(lang)
			if strings.ContainsAny(s, "{}") || s == p.String() {
				t.Errorf("problem %s in %s: %q (English %q)", p.Code, lang, s, p.String())
			}
		}
	}
	for _, c := range []string{"request.centre_unknown", "request.name_empty", "request.profession_unknown", "request.lang", "request.twice"} {
		if !codes[c] {
			t.Errorf("no problem %s among %+v", c, res.Problems)
		}
	}
	var twice Problem
	for _, p := range res.Problems {
		if p.Code == "request.twice" {
			twice = p
		}
	}
	if got := twice.In("fr"); !strings.HasPrefix(got, "ligne 5 : ") && !strings.HasPrefix(got, "ligne 5: ") || !strings.Contains(got, "apparaît deux fois") || !strings.Contains(got, "ligne 2") {
		t.Errorf("in French: %q", got)
	}
}

// TestImportWarningsTranslated: a phase's warning (here the 2020 pickup
// window, over) keeps its English text and reads in each language.
func TestImportWarningsTranslated(t *testing.T) {
	f := newFixture(t)
	res, err := f.reg.ImportRequests(f.ctx, "oct2020-strategic", strings.NewReader("professional_id,name,profession,centre_id\nw1,Anne Peeters,nurse,namur\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || len(res.WarningDetails) != 1 || !strings.Contains(res.Warnings[0], "ended on") {
		t.Fatalf("warnings %q, details %+v; want the phase that is over", res.Warnings, res.WarningDetails)
	}
	if got := res.WarningsIn("en"); !slices.Equal(got, res.Warnings) {
		t.Errorf("English warnings %q, want %q", got, res.Warnings)
	}
	for lang, want := range map[string]string{"fr": "période de retrait", "nl": "afhaalperiode", "de": "Abholzeitraum"} {
		if got := res.WarningsIn(lang); len(got) != 1 || !strings.Contains(got[0], want) || strings.ContainsAny(got[0], "{}") {
			t.Errorf("warnings in %s: %q, want %q", lang, got, want)
		}
	}
	// A result kept before warnings had codes shows them as they are.
	old := ImportResult{Warnings: []string{"as it was"}}
	if got := old.WarningsIn("nl"); !slices.Equal(got, old.Warnings) {
		t.Errorf("a result without details: %q", got)
	}
}
