package i18n

import (
	"regexp"
	"slices"
	"testing"
)

// TestEveryLanguageHasEveryKey fails when a key is missing from a
// language, or a language has a key English lacks (a typo in a key).
func TestEveryLanguageHasEveryKey(t *testing.T) {
	t.Parallel()
	if err := Err(); err != nil {
		t.Fatalf("load catalogues: %v", err)
	}
	want := Keys(Default)
	if len(want) == 0 {
		t.Fatalf("Keys(%q) is empty", Default)
	}
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			got := Keys(lang)
			for _, k := range want {
				if _, found := slices.BinarySearch(got, k); !found {
					t.Errorf("%s.json: missing key %q", lang, k)
				}
			}
			for _, k := range got {
				if _, found := slices.BinarySearch(want, k); !found {
					t.Errorf("%s.json: key %q is not in %s.json", lang, k, Default)
				}
			}
		})
	}
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// TestPlaceholdersMatch fails when a translation drops or misspells a
// {placeholder} of the English text, or is empty.
func TestPlaceholdersMatch(t *testing.T) {
	t.Parallel()
	en := For(Default)
	for _, lang := range Languages {
		c := For(lang)
		for _, k := range Keys(lang) {
			text := c.T(k)
			if text == "" {
				t.Errorf("%s: %q is empty", lang, k)
				continue
			}
			got := placeholder.FindAllString(text, -1)
			want := placeholder.FindAllString(en.T(k), -1)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(slices.Compact(got), slices.Compact(want)) {
				t.Errorf("%s: %q has placeholders %v, want %v", lang, k, got, want)
			}
		}
	}
}
