package registry

import (
	"fmt"
	"strings"

	"github.com/pickup-terminal/pickup/assets/i18n"
)

// Import problems are kept as a code and its parameters (Problem.Code,
// Problem.Args) besides the English message, so that the console shows
// them in the operator's language and the command line in the
// environment's (Problem.Text). A problem without a code (a JSON or CSV
// parser's own words) is shown as its message.

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
	if p.Code == "" || !i18n.For(i18n.Default).Has(problemKey(p.Code)) {
		return p.Message
	}
	return fillArgs(problemKey(p.Code), p.Args, i18n.For(lang))
}

// problemKey is the catalogue key of a problem code (assets/translation).
func problemKey(code string) string { return "problem." + code }

// In is the problem as String gives it, in lang.
func (p Problem) In(lang string) string {
	var b strings.Builder
	if p.Line > 0 {
		b.WriteString(i18n.For(lang).T(problemKey("line"), "line", fmt.Sprint(p.Line)) + ": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Text(lang))
	return b.String()
}

// fillArgs is the text of key in c with the parameters put in; a
// parameter "@noun.x" is the noun of that code, worded in c's language too.
func fillArgs(key string, args map[string]string, c *i18n.Catalog) string {
	kv := make([]string, 0, 2*len(args))
	for k, v := range args {
		if noun, ok := strings.CutPrefix(v, "@"); ok && c.Has(problemKey(noun)) {
			v = c.T(problemKey(noun))
		}
		kv = append(kv, k, v)
	}
	return c.T(key, kv...)
}
