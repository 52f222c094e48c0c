package i18n

import (
	"regexp"
	"slices"
	"testing"
	"testing/fstest"
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

// mayOmit are the placeholders a translation may leave out, with why: the
// letters' greeting names the professional in English ("Dear {name},"),
// while French, Dutch and German letters open with the formal salutation
// that names nobody ("Madame, Monsieur,").
var mayOmit = map[string][]string{"letter.greeting": {"{name}"}}

// TestPlaceholdersMatch fails when a translation drops (but for mayOmit)
// or misspells a {placeholder} of the English text, or is empty.
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
			if omit := mayOmit[k]; len(omit) > 0 && len(got) < len(want) {
				want = slices.DeleteFunc(want, func(p string) bool { return slices.Contains(omit, p) })
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(slices.Compact(got), slices.Compact(want)) {
				t.Errorf("%s: %q has placeholders %v, want %v", lang, k, got, want)
			}
		}
	}
}

func TestChooseAndFromEnv(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name                      string
		vars                      map[string]string
		forced, remembered, wantE string
		want                      string
	}{
		{"nothing", nil, "", "", "en", "en"},
		{"locale", map[string]string{"LANG": "fr_BE.UTF-8"}, "", "", "fr", "fr"},
		{"LANGUAGE list first", map[string]string{"LANGUAGE": "nl:fr", "LANG": "de_BE.UTF-8"}, "", "", "nl", "nl"},
		{"PICKUP_LANG beats the locale", map[string]string{"PICKUP_LANG": "de", "LANG": "fr_BE.UTF-8"}, "", "", "de", "de"},
		{"C locale is no language", map[string]string{"LC_ALL": "C", "LANG": "nl_BE"}, "", "", "nl", "nl"},
		{"unknown language", map[string]string{"LANG": "es_ES.UTF-8"}, "", "", "en", "en"},
		{"remembered beats the environment", map[string]string{"LANG": "fr_BE"}, "", "nl", "fr", "nl"},
		{"forced beats all", map[string]string{"LANG": "fr_BE"}, "de-BE", "nl", "fr", "de"},
	}
	for _, tt := range tests {
		e := FromEnv(env(tt.vars))
		if e != tt.wantE {
			t.Errorf("%s: FromEnv = %q, want %q", tt.name, e, tt.wantE)
		}
		if got := Choose(tt.forced, tt.remembered, e); got != tt.want {
			t.Errorf("%s: Choose = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// ReadCatalogs reads each catalogue by its language, and on a bad one
// says which and keeps those read before it.
func TestReadCatalogs(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"t/de.json": {Data: []byte(`{"hello": "Hallo"}`)},
		"t/en.json": {Data: []byte(`{"hello": "Hello"}`)},
		"t/fr.json": {Data: []byte(`{"hello": `)},
	}
	cs, err := ReadCatalogs(fsys, "t/*.json")
	if err == nil || !regexp.MustCompile(`t/fr\.json`).MatchString(err.Error()) {
		t.Errorf("ReadCatalogs with a bad fr.json: %v", err)
	}
	if cs["de"]["hello"] != "Hallo" || cs["en"]["hello"] != "Hello" || cs["fr"] != nil {
		t.Errorf("ReadCatalogs = %v", cs)
	}
	delete(fsys, "t/fr.json")
	if cs, err := ReadCatalogs(fsys, "t/*.json"); err != nil || len(cs) != 2 {
		t.Errorf("ReadCatalogs = %v, %v", cs, err)
	}
}

// A Set other than the embedded one (the registry console's) falls back to
// English key by key and for a language it lacks, fills placeholders, and
// reports a bad file.
func TestSet(t *testing.T) {
	t.Parallel()
	set := NewSet(fstest.MapFS{
		"c/en.json": {Data: []byte(`{"hello": "Hello {name}", "bye": "Bye"}`)},
		"c/fr.json": {Data: []byte(`{"hello": "Bonjour {name}"}`)},
	}, "c/*.json")
	for _, tc := range []struct {
		lang, key, want string
	}{
		{"fr", "hello", "Bonjour Anne"},
		{"fr_BE.UTF-8", "bye", "Bye"},
		{"nl", "hello", "Hello Anne"},
		{"en", "missing", "missing"},
	} {
		if got := set.For(tc.lang).T(tc.key, "name", "Anne"); got != tc.want {
			t.Errorf("For(%q).T(%q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	if err := set.Err(); err != nil || !slices.Equal(set.Keys("en"), []string{"bye", "hello"}) || set.For("fr").Has("bye") {
		t.Errorf("Err = %v, Keys(en) = %v", err, set.Keys("en"))
	}
	if For("fr").T("hello") == "Bonjour {name}" {
		t.Error("the embedded catalogues read another set's files")
	}
	bad := NewSet(fstest.MapFS{"c/en.json": {Data: []byte(`{`)}}, "c/*.json")
	if err := bad.Err(); err == nil {
		t.Error("a bad catalogue gave no error")
	}
}
