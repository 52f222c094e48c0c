package registry

import (
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// lt returns a letter's text in lang (English when the language has
// none) with {name} placeholders filled from kv (name, value pairs). The
// texts are the catalogue's letter.* keys (assets/translation), so they
// are checked with the counter's: every language, every placeholder.
func lt(lang, key string, kv ...string) string {
	return i18n.For(lang).T("letter."+key, kv...)
}

// letterLang is the language a letter is printed in: the request's, else
// English.
func letterLang(lang string) string {
	if l := normLang(lang); l != "" {
		return l
	}
	return i18n.Default
}
