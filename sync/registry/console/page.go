package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// Languages are the console's languages, in the order the switch shows
// them: Pickup's.
var Languages = i18n.Languages

const defaultLang = i18n.Default

// texts are the console's own words (static/translation/LANG.json); dates
// and month names come from the embedded catalogues, as on the counter.
var texts = i18n.NewSet(files, "static/translation/*.json")

// translate returns key's text in lang with {name} placeholders filled
// from kv (name, value pairs); English, then the key, when missing.
func translate(lang, key string, kv ...any) string {
	pairs := make([]string, len(kv))
	for i, v := range kv {
		pairs[i] = fmt.Sprint(v)
	}
	return texts.For(lang).T(key, pairs...)
}

// known reports whether key is one of the console's texts (a flash or
// error key taken from the address is shown only then).
func known(key string) bool { return texts.For(defaultLang).Has(key) }

// language picks the page's language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language, then English.
func (c *Console) language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(Languages, l) {
		c.setCookie(w, r, langCookie, l, 365*24*3600)
		return l
	}
	if l := cookie(r, langCookie); slices.Contains(Languages, l) {
		return l
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage returns the first of Languages the header asks for, by
// quality, or English.
func acceptLanguage(h string) string {
	best, bestQ := defaultLang, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if slices.Contains(Languages, base) && q > bestQ && q > 0 {
			best, bestQ = base, q
		}
	}
	return best
}

// page is what the layout and a view render.
type page struct {
	Lang     string
	View     string
	TitleKey string
	Operator string
	CSRF     string
	Langs    []langLink
	Flash    string // a done.* key
	Err      string // an error text, already translated
	Path     string
	Data     any
	loc      *time.Location
	now      time.Time
}

// clockRE is the only shape of the {time} a refusal's address carries.
var clockRE = regexp.MustCompile(`^[0-2][0-9]:[0-5][0-9]$`)

type langLink struct {
	Code, Name, URL string
	Current         bool
}

var langNames = map[string]string{"fr": "Français", "nl": "Nederlands", "de": "Deutsch", "en": "English"}

func (c *Console) newPage(r *http.Request, q *req, view, titleKey string) *page {
	p := &page{Lang: q.lang, View: view, TitleKey: titleKey, Operator: q.session.Operator, CSRF: q.session.CSRF,
		Path: r.URL.Path, loc: c.Loc, now: c.now()}
	for _, l := range Languages {
		v := url.Values{}
		for _, k := range []string{"centre", "from", "to", "next", "name"} { // what a page's address means
			if x := r.URL.Query().Get(k); x != "" {
				v.Set(k, x)
			}
		}
		v.Set("lang", l)
		p.Langs = append(p.Langs, langLink{Code: l, Name: langNames[l], URL: r.URL.Path + "?" + v.Encode(), Current: l == q.lang})
	}
	if k := r.URL.Query().Get("done"); strings.HasPrefix(k, "done.") && known(k) {
		p.Flash = k
	}
	if k := r.URL.Query().Get("err"); strings.HasPrefix(k, "error.") || strings.HasPrefix(k, "login.") {
		if known(k) {
			at := r.URL.Query().Get("at")
			if !clockRE.MatchString(at) {
				at = "–"
			}
			p.Err = p.T(k, "time", at)
		}
	}
	return p
}

// T translates key with {name} placeholders from kv.
func (p *page) T(key string, kv ...any) string { return translate(p.Lang, key, kv...) }

// Zone names the time zone times are shown in (e.g. CET, UTC).
func (p *page) Zone() string { z, _ := p.now.In(p.loc).Zone(); return z }

// Title is the page's title.
func (p *page) Title() string { return p.T(p.TitleKey) }

// N formats a count with the language's thousands separator.
func (p *page) N(n int) string { return i18n.For(p.Lang).Number(n) }

// Pct is part of whole as a whole percentage ("–" for an empty whole).
func (p *page) Pct(part, whole int) string {
	if whole <= 0 {
		return "–"
	}
	return strconv.Itoa(part*100/whole) + " %"
}

// Time formats a moment in the console's time zone, to the minute.
func (p *page) Time(t time.Time) string {
	if t.IsZero() {
		return p.T("never")
	}
	return t.In(p.loc).Format("2006-01-02 15:04")
}

// TimeP formats an optional moment.
func (p *page) TimeP(t *time.Time) string {
	if t == nil {
		return p.T("never")
	}
	return p.Time(*t)
}

// Ago says how long ago t was, roughly.
func (p *page) Ago(t *time.Time) string {
	if t == nil {
		return p.T("never")
	}
	d := p.now.Sub(*t)
	switch {
	case d < 2*time.Minute:
		return p.T("ago.now")
	case d < 2*time.Hour:
		return p.T("ago.minutes", "n", int(d.Minutes()))
	case d < 48*time.Hour:
		return p.T("ago.hours", "n", int(d.Hours()))
	}
	return p.T("ago.days", "n", int(d.Hours()/24))
}

// Stale tells whether t is over a day ago (or never).
func (p *page) Stale(t *time.Time) bool { return t == nil || p.now.Sub(*t) > 24*time.Hour }

// Date formats a calendar day.
func (p *page) Date(d pickup.Date) string {
	if d.IsZero() {
		return "–"
	}
	return d.String()
}

// Name picks a campaign's or item's name in the page's language.
func (p *page) Name(n pickup.Names) string {
	if s := n[p.Lang]; s != "" {
		return s
	}
	if s := n["en"]; s != "" {
		return s
	}
	for _, s := range n {
		return s
	}
	return ""
}

var funcs = template.FuncMap{
	"query": queryString,
	"list":  func(s ...string) []string { return s },
	"inc":   func(i int) int { return i + 1 },
	// sub is what is left (never below zero).
	"sub": func(a, b int) int { return max(a-b, 0) },
	// tableEnd is what the "table-end" template takes (see layout.html).
	"tableEnd": func(cols int, rows any, none string) tableEnd { return tableEnd{cols, rows, none} },
}

// tableEnd is a table's column count, its rows (any value a template can
// range over) and the text of its row when there are none.
type tableEnd struct {
	Cols int
	Rows any
	None string
}

// queryString encodes name, value pairs as a query, leaving out empty
// values. It is a template.URL: url.Values escapes every value already,
// and html/template would otherwise escape the '=' and '&' too, which
// breaks the links.
func queryString(kv ...string) template.URL {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return template.URL(v.Encode())
}

// renderView renders the view of that name, titled by its "VIEW.title" text,
// with data.
func (c *Console) renderView(w http.ResponseWriter, r *http.Request, q *req, view string, data any) error {
	p := c.newPage(r, q, view, view+".title")
	p.Data = data
	return c.render(w, p)
}

func (c *Console) render(w http.ResponseWriter, p *page) error {
	return c.renderStatus(w, p, http.StatusOK)
}

func (c *Console) renderStatus(w http.ResponseWriter, p *page, status int) error {
	t := c.views[p.View]
	if t == nil {
		return fmt.Errorf("no view %q", p.View)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", p.View, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// Code prints a pickup code in its four groups.
func (p *page) Code(s string) string { return pickup.Code(s).String() }

// Item names a stock item: its translation when the console has one, else
// its id (campaigns may bring items of their own).
func (p *page) Item(id string) string { return p.orID("item.", id) }

// Fact names a fact's type, Flag why the registry refused one (the id
// when the console has no words for it).
func (p *page) Fact(id string) string { return p.orID("fact.", id) }

// Flag says why the registry refused a fact.
func (p *page) Flag(id string) string { return p.orID("flag.", id) }

func (p *page) orID(prefix, id string) string {
	if c := texts.For(p.Lang); c.Has(prefix + id) {
		return c.T(prefix + id)
	}
	return id
}
