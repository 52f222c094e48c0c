package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// distinctFamilies are keys whose texts people must tell apart: two keys
// of a family with the same text in a language fail the test.
var distinctFamilies = []struct {
	name string
	keys *regexp.Regexp
}{
	{"verdict titles", regexp.MustCompile(`^verdict\.[a-z_]+\.title$`)},
	{"undone and cancelled", regexp.MustCompile(`^(handover\.undone|ui\.today\.undone|verdict\.cancelled\.title|ui\.mgr\.pickups\.cancelled|verdict\.cancelled\.detail|ui\.undone\.detail)$`)},
	{"sync states", regexp.MustCompile(`^(ui\.status\.(online|offline|not_connected|sync_off)|ui\.tech\.state\.[a-z_]+)$`)},
	{"manager tabs", regexp.MustCompile(`^ui\.manager\.tab\.`)},
	{"picker places", regexp.MustCompile(`^ui\.picker\.(home|pictures|downloads|desktop|up)$`)},
	{"size keys", regexp.MustCompile(`^ui\.size\.`)},
}

// TestDistinctTexts walks every catalogue for identical texts of distinct
// keys of a family (in French, an undone handover and a cancelled code were
// both "annulée").
func TestDistinctTexts(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		c := For(lang)
		for _, fam := range distinctFamilies {
			seen := map[string]string{}
			n := 0
			for _, k := range Keys(lang) {
				if !fam.keys.MatchString(k) {
					continue
				}
				n++
				text := strings.ToLower(c.T(k))
				if other, dup := seen[text]; dup {
					t.Errorf("%s: %s: %q and %q both read %q", lang, fam.name, other, k, c.T(k))
				}
				seen[text] = k
			}
			if n < 2 {
				t.Errorf("%s: %s: %d keys match, want at least 2 (a key renamed?)", lang, fam.name, n)
			}
		}
	}
}

// cancelWord is the stem of each language's word for a cancelled code or
// request, which no text about undoing a handover may use: French says
// "annulé" for a code the registry cancelled and "défaite" for a handover
// the counter undid ("défaire", the opposite of "faire la remise").
var cancelWord = map[string]string{"en": "cancel", "fr": "annul", "nl": "annul", "de": "storn"}

// undoKeys are the texts that speak of undoing a handover.
var undoKeys = regexp.MustCompile(`(^|\.)(undo|undone|undoable)([._]|$)|_undone$|^ui\.error\.(undo_expired|not_undoable)$|^ui\.keys$|^ui\.tech\.panel\.waiting$`)

// An undone handover and a cancelled code never share their word, in any
// language.
func TestUndoneIsNotCancelled(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		c, stem := For(lang), cancelWord[lang]
		if stem == "" {
			t.Fatalf("%s: no word for cancelled", lang)
		}
		if got := strings.ToLower(c.T("verdict.cancelled.title")); !strings.Contains(got, stem) {
			t.Errorf("%s: verdict.cancelled.title %q lacks %q: the stem is wrong", lang, got, stem)
		}
		var undo []string
		for _, k := range Keys(lang) {
			if undoKeys.MatchString(k) {
				undo = append(undo, k)
				if text := strings.ToLower(c.T(k)); strings.Contains(text, stem) {
					t.Errorf("%s: %s %q uses %q, the word for a cancelled code", lang, k, c.T(k), stem)
				}
			}
		}
		for _, k := range []string{"handover.undone", "ui.today.undone", "ui.undo.until", "ui.error.already_undone"} {
			if !slices.Contains(undo, k) {
				t.Errorf("%s: %s is not among the undo texts checked", lang, k)
			}
		}
	}
}

func TestHours(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, in, want string }{
		{"nl", "Tue–Sat 10:00–18:00", "di–za 10:00–18:00"},
		{"fr", "Mon–Fri 9:00–17:00, Sat 9:00–12:00", "lun–ven 9:00–17:00, sam 9:00–12:00"},
		{"de", "Mon–Fri 8:30–16:30", "Mo–Fr 8:30–16:30"},
		{"en", "Mon–Fri 8:30–16:30", "Mon–Fri 8:30–16:30"},
		{"fr", "Monday to Saturday", "Monday to Saturday"},       // whole words only
		{"nl", "lundi–vendredi 9h–17h", "lundi–vendredi 9h–17h"}, // as the registry wrote it
		{"de", "", ""},
	}
	for _, tt := range tests {
		if got := For(tt.lang).Hours(tt.in); got != tt.want {
			t.Errorf("%s: Hours(%q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}
