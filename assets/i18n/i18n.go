// Package i18n renders Pickup's user-facing text in French, Dutch, German
// or English from the catalogues embedded in assets/translation, and turns
// verdicts into the words a volunteer reads. Unlike Fyne's lang package it
// can switch language at any moment, as the counter's one-tap switch needs.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup/assets"
)

// Languages are the languages Pickup speaks, in the order the counter offers them.
var Languages = []string{"fr", "nl", "de", "en"}

// Default is the language used when none is chosen or known.
const Default = "en"

// Catalog is the text of one language.
type Catalog struct {
	Lang string
	msgs map[string]string
	base map[string]string // English, for keys missing in Lang
}

// Set is a set of catalogues, one a language, read from files on first
// use: the counter's and the registry's words (embedded, below) and the
// registry console's own.
type Set struct {
	load func() (map[string]map[string]string, error)
}

// NewSet returns the catalogues matching glob in fsys (see ReadCatalogs).
func NewSet(fsys fs.FS, glob string) *Set {
	return &Set{load: sync.OnceValues(func() (map[string]map[string]string, error) {
		return ReadCatalogs(fsys, glob)
	})}
}

// embedded are the catalogues of assets/translation.
var embedded = NewSet(assets.Translations, "translation/*.json")

// ReadCatalogs reads the catalogues matching glob in fsys, each a JSON
// object of keys and texts, by language (the file's name without .json);
// on an error it returns those read before it.
func ReadCatalogs(fsys fs.FS, glob string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	names, err := fs.Glob(fsys, glob)
	if err != nil {
		return out, err
	}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return out, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return out, fmt.Errorf("translation %s: %w", n, err)
		}
		out[strings.TrimSuffix(path.Base(n), ".json")] = m
	}
	return out, nil
}

// Keys returns the keys of a language's catalogue, sorted (for tests that
// compare languages).
func (s *Set) Keys(lang string) []string {
	cs, _ := s.load()
	out := make([]string, 0, len(cs[lang]))
	for k := range cs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Err reports a problem loading the catalogues.
func (s *Set) Err() error {
	_, err := s.load()
	return err
}

// For returns the catalogue of lang ("fr", "fr_BE.UTF-8", "nl-BE" …), or
// English when the language is not one Pickup speaks.
func (s *Set) For(lang string) *Catalog {
	cs, _ := s.load()
	l := Normalize(lang)
	return &Catalog{Lang: l, msgs: cs[l], base: cs[Default]}
}

// Keys returns the keys of a language's embedded catalogue, sorted.
func Keys(lang string) []string { return embedded.Keys(lang) }

// Err reports a problem loading the embedded catalogues.
func Err() error { return embedded.Err() }

// For returns the embedded catalogue of lang (see Set.For).
func For(lang string) *Catalog { return embedded.For(lang) }

// Normalize maps a locale name to one of Languages, or Default.
func Normalize(lang string) string {
	l := strings.ToLower(lang)
	if i := strings.IndexAny(l, "_-.@"); i >= 0 {
		l = l[:i]
	}
	for _, k := range Languages {
		if k == l {
			return k
		}
	}
	return Default
}

// FromEnv is the language the environment asks for: PICKUP_LANG, then the
// locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); Default when none names
// one. getenv reads a variable (os.Getenv when nil).
func FromEnv(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, v := range []string{"PICKUP_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" && s != "C" && s != "POSIX" {
			return Normalize(strings.Split(s, ":")[0])
		}
	}
	return Default
}

// Choose decides the user's language: the one forced for this run (a
// flag), else the one remembered (the counter's last choice), else the
// environment's (see FromEnv).
func Choose(forced, remembered, env string) string {
	for _, l := range []string{forced, remembered, env} {
		if l != "" {
			return Normalize(l)
		}
	}
	return Default
}

// T returns the text for key with {name} placeholders filled from kv, given
// as name, value pairs. A key missing in the language falls back to English,
// then to the key itself.
func (c *Catalog) T(key string, kv ...string) string {
	s, ok := c.msgs[key]
	if !ok {
		s, ok = c.base[key]
		if !ok {
			slog.Warn("missing translation", "key", key, "lang", c.Lang)
			s = key
		}
	}
	if len(kv) == 0 {
		return s
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Has reports whether the language has its own text for key.
func (c *Catalog) Has(key string) bool { _, ok := c.msgs[key]; return ok }

// Date formats a calendar day in the language: "7 décembre 2020".
func (c *Catalog) Date(y int, m time.Month, d int) string {
	return c.T("date.format", "d", fmt.Sprint(d), "month", c.T(fmt.Sprintf("month.%d", int(m))), "y", fmt.Sprint(y))
}

// DateTime formats a moment in loc: "7 décembre 2020 à 14:05".
func (c *Catalog) DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return c.T("never")
	}
	t = t.In(loc)
	return c.T("datetime.format", "date", c.Date(t.Year(), t.Month(), t.Day()), "time", t.Format("15:04"))
}
