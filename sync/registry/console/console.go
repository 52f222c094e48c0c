// Package console is the registry's web console for the administration's
// operators, served by `pickup-registry serve` under /console/: progress
// nationally and per centre with a chart per day, double handovers with
// both sides and review notes, shipments, terminals (with revoke),
// campaigns and phases, request files uploaded with a preview of every
// problem and applied only when a second operator approves them, and the
// letters per centre.
//
// Pages are rendered on the server from embedded html/template files (one
// layout) and work without JavaScript; the Content-Security-Policy allows
// none. Operators sign in with the accounts `pickup-registry operator add`
// creates (argon2id hashes, lockout per account and per address, in
// sync/registry); the session cookie is HttpOnly, SameSite=Strict, and
// Secure with a __Host- name under TLS; every POST carries the session's
// CSRF token. Texts are in French, Dutch, German and English, chosen by
// Accept-Language or the switch on every page.
package console

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup/sync/registry"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

// CSP is the Content-Security-Policy of every console answer: no script
// at all, styles and images from the console only, forms posting only to
// it, never framed.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

//go:embed templates static
var files embed.FS

// Console serves the web console. Set its fields before the first request.
type Console struct {
	Reg *registry.Registry
	Log *slog.Logger
	// Now is the clock (time.Now by default): a seam for tests.
	Now func() time.Time
	// Loc is the time zone pages show times in: the registry's local
	// time, as the report's days.
	Loc *time.Location
	// Letters writes the letters of one centre's expected pickups as one
	// PDF for the letters page (registry.RenderLetters by default; nil
	// leaves the page without downloads).
	Letters func(ctx context.Context, w io.Writer, centreID string) error

	mux   *http.ServeMux
	views map[string]*template.Template
}

// New returns the console of reg.
func New(reg *registry.Registry, log *slog.Logger) *Console {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Console{Reg: reg, Log: log, Now: time.Now, Loc: time.Local}
	c.Letters = func(ctx context.Context, w io.Writer, centreID string) error {
		opt := registry.LetterOptions{CentreID: centreID}
		ls, err := reg.Letters(ctx, opt)
		if err != nil {
			return err
		}
		if len(ls) == 0 {
			return fmt.Errorf("%w: no pickup is expected at centre %s: no letter to print", registry.ErrNotFound, centreID)
		}
		return registry.RenderLetters(w, ls, opt)
	}
	c.views = mustViews()
	c.routes()
	return c
}

func mustViews() map[string]*template.Template {
	views := map[string]*template.Template{}
	names, err := fs.Glob(files, "templates/views/*.html")
	if err != nil || len(names) == 0 {
		panic(fmt.Sprintf("console: no templates: %v", err))
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/views/"), ".html")
		views[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", n))
	}
	return views
}

func (c *Console) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Console) routes() {
	m := http.NewServeMux()
	c.mux = m
	m.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"progress", http.StatusSeeOther)
	})
	m.Handle("GET /console/static/", http.StripPrefix("/console/", http.FileServerFS(files)))
	m.HandleFunc("GET /console/login", c.public(c.loginPage))
	m.HandleFunc("POST /console/login", c.public(c.login))
	m.HandleFunc("POST /console/logout", c.post(c.logout))
	m.HandleFunc("GET /console/progress", c.get(c.progress))
	m.HandleFunc("GET /console/doubles", c.get(c.doubles))
	m.HandleFunc("GET /console/doubles/{id}", c.get(c.double))
	m.HandleFunc("POST /console/doubles/{id}/note", c.post(c.addNote))
	m.HandleFunc("GET /console/shipments", c.get(c.shipments))
	m.HandleFunc("GET /console/terminals", c.get(c.terminals))
	m.HandleFunc("GET /console/terminals/{id}/revoke", c.get(c.confirmRevoke))
	m.HandleFunc("POST /console/terminals/{id}/revoke", c.post(c.revoke))
	m.HandleFunc("GET /console/campaigns", c.get(c.campaigns))
	m.HandleFunc("GET /console/imports", c.get(c.imports))
	m.HandleFunc("POST /console/imports", c.post(c.upload))
	m.HandleFunc("GET /console/imports/{id}", c.get(c.importPage))
	m.HandleFunc("POST /console/imports/{id}/approve", c.post(c.approve))
	m.HandleFunc("POST /console/imports/{id}/reject", c.post(c.reject))
	m.HandleFunc("GET /console/schedule", c.get(c.schedule))
	m.HandleFunc("GET /console/schedule.pdf", c.get(c.schedulePDF))
	m.HandleFunc("GET /console/letters", c.get(c.letters))
	m.HandleFunc("GET /console/letters/{centre}", c.get(c.letterFile))
	m.HandleFunc("/console/", c.public(func(w http.ResponseWriter, r *http.Request, q *req) error {
		return errNotFound
	}))
}

// ServeHTTP answers every request under Prefix.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.mux.ServeHTTP(w, r)
}

// req is what a handler knows of the request it serves.
type req struct {
	lang    string
	session registry.Session // zero on public pages
}

type handler func(w http.ResponseWriter, r *http.Request, q *req) error

// Errors handlers return for the console's own answers.
var (
	errNotFound = errors.New("not found")
	errCSRF     = errors.New("csrf token missing or wrong")
)

// formError is a refused form: the browser is sent back to the page to
// with the translated text of key shown (and arg for its {time}); a
// registry message msg, when key is "", is shown on an error page that
// links back to it (no text travels in an address, so nobody can link to
// the console with words of their own in it).
type formError struct {
	to, key, arg, msg string
}

func (e *formError) Error() string { return e.key + e.msg }

// public serves a page that needs no session.
func (c *Console) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := &req{lang: c.language(w, r)}
		c.finish(w, r, q, h(w, r, q))
	}
}

// signedIn serves h for a signed-in operator; a request without a
// session is answered by out instead.
func (c *Console) signedIn(h handler, out func(w http.ResponseWriter, r *http.Request, q *req)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := &req{lang: c.language(w, r)}
		s, ok := c.session(r)
		if !ok {
			out(w, r, q)
			return
		}
		q.session = s
		c.finish(w, r, q, h(w, r, q))
	}
}

// get serves a page for a signed-in operator; others go to the login page.
func (c *Console) get(h handler) http.HandlerFunc {
	return c.signedIn(h, func(w http.ResponseWriter, r *http.Request, q *req) {
		next := r.URL.Path
		if r.URL.RawQuery != "" {
			next += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(next), http.StatusSeeOther)
	})
}

// post serves a form of a signed-in operator: refused without a session,
// from another site, or without the session's CSRF token.
func (c *Console) post(h handler) http.HandlerFunc {
	return c.signedIn(func(w http.ResponseWriter, r *http.Request, q *req) error {
		err := c.checkPost(w, r, q.session.CSRF)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll() // an upload's temporary files
		}
		if err != nil {
			return err
		}
		return h(w, r, q)
	}, func(w http.ResponseWriter, r *http.Request, q *req) {
		// A stale form after the session ended: sign in again.
		c.finish(w, r, q, &formError{to: Prefix + "login", key: "login.expired"})
	})
}

// maxForm bounds a form body but for a request file upload.
const maxForm = 64 << 10

// checkPost parses a POST form and checks where it comes from and its
// CSRF token.
func (c *Console) checkPost(w http.ResponseWriter, r *http.Request, want string) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errCSRF
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !sameOrigin(o, r) {
		return errCSRF
	}
	limit := int64(maxForm)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		limit = registry.MaxImportFile + 1<<20
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &formError{to: r.URL.Path, key: "error.too_large"}
		}
		return &formError{to: r.URL.Path, key: "error.bad_form"}
	}
	got := r.PostFormValue("csrf")
	if got == "" || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return u.Scheme == scheme && strings.EqualFold(u.Host, r.Host)
}

// finish turns a handler's error into the answer.
func (c *Console) finish(w http.ResponseWriter, r *http.Request, q *req, err error) {
	if err == nil {
		return
	}
	var fe *formError
	switch {
	case errors.As(err, &fe):
		if fe.key == "" {
			p := c.newPage(r, q, "error", "error.title")
			p.Data = errorData{Text: fe.msg, Back: fe.to}
			c.renderStatus(w, p, http.StatusUnprocessableEntity)
			return
		}
		v := url.Values{"err": {fe.key}}
		if fe.arg != "" {
			v.Set("at", fe.arg)
		}
		to := fe.to
		if strings.Contains(to, "?") {
			to += "&"
		} else {
			to += "?"
		}
		http.Redirect(w, r, to+v.Encode(), http.StatusSeeOther)
	case errors.Is(err, errCSRF):
		c.Log.Warn("console form refused: CSRF token", "path", r.URL.Path, "source", registry.Source(r))
		c.errorPage(w, r, q, http.StatusForbidden, "error.csrf")
	case errors.Is(err, errNotFound), errors.Is(err, registry.ErrNotFound):
		c.errorPage(w, r, q, http.StatusNotFound, "error.not_found")
	case errors.Is(err, context.Canceled):
	default:
		c.Log.Error("console page failed", "path", r.URL.Path, "err", err)
		c.errorPage(w, r, q, http.StatusInternalServerError, "error.internal")
	}
}

// errorData is what the error page shows, and where it links back to.
type errorData struct {
	Text, Back string
}

func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, q *req, status int, key string) {
	p := c.newPage(r, q, "error", "error.title")
	p.Data = errorData{Text: p.T(key), Back: Prefix + "progress"}
	c.renderStatus(w, p, status)
}

// Cookie names: under TLS the __Host- prefix binds them to this host and
// path / with Secure set (browsers refuse them otherwise).
func cookieName(r *http.Request, base string) string {
	if r.TLS != nil {
		return "__Host-" + base
	}
	return base
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, base, value string, maxAge int) {
	ck := &http.Cookie{Name: cookieName(r, base), Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
	if r.TLS != nil {
		ck.Path = "/"
	}
	http.SetCookie(w, ck)
}

func cookie(r *http.Request, base string) string {
	ck, err := r.Cookie(cookieName(r, base))
	if err != nil {
		return ""
	}
	return ck.Value
}

const (
	sessionCookie = "pickup_session"
	loginCookie   = "pickup_login"
	langCookie    = "pickup_lang"
)

func (c *Console) session(r *http.Request) (registry.Session, bool) {
	tok := cookie(r, sessionCookie)
	if tok == "" {
		return registry.Session{}, false
	}
	s, err := c.Reg.Session(r.Context(), tok)
	if err != nil {
		if !errors.Is(err, registry.ErrNotFound) {
			c.Log.Error("console session", "err", err)
		}
		return registry.Session{}, false
	}
	return s, true
}
