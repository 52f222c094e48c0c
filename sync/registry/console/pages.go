package console

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type loginData struct {
	Token, Next, Name string
}

// safeNext keeps a post-login destination only when it is a console page.
func safeNext(s string) string {
	if !strings.HasPrefix(s, Prefix) || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") || strings.Contains(s, "/../") {
		return Prefix + "progress"
	}
	return s
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request, q *req) error {
	if _, ok := c.session(r); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	// The login form's own CSRF token (there is no session yet): a random
	// value in a SameSite=Strict cookie, repeated in the form.
	tok := cookie(r, loginCookie)
	if len(tok) != 43 {
		b := make([]byte, 32)
		rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		c.setCookie(w, r, loginCookie, tok, 3600)
	}
	return c.renderView(w, r, q, "login", loginData{Token: tok, Next: safeNext(r.URL.Query().Get("next")), Name: r.URL.Query().Get("name")})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request, q *req) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return &formError{to: Prefix + "login", key: "error.bad_form"}
	}
	next := safeNext(r.PostFormValue("next"))
	back := Prefix + "login?" + string(queryString("next", next, "name", r.PostFormValue("name")))
	tok := cookie(r, loginCookie)
	if tok == "" || r.PostFormValue("csrf") != tok {
		if tok == "" {
			return &formError{to: back, key: "login.cookies"}
		}
		return errCSRF
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errCSRF
	}
	s, err := c.Reg.Login(r.Context(), strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password"), registry.Source(r))
	var le *registry.LockedError
	switch {
	case errors.As(err, &le):
		key := "login.locked"
		if le.Source {
			key = "login.locked_source"
		}
		return &formError{to: back, key: key, arg: le.Until.In(c.Loc).Format("15:04")}
	case errors.Is(err, registry.ErrBadLogin):
		return &formError{to: back, key: "login.bad"}
	case err != nil:
		return err
	}
	c.setCookie(w, r, loginCookie, "", -1)
	c.setCookie(w, r, sessionCookie, s.Token, int(registry.SessionMax.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, q *req) error {
	if err := c.Reg.Logout(r.Context(), cookie(r, sessionCookie)); err != nil {
		return err
	}
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, Prefix+"login?done=done.logged_out", http.StatusSeeOther)
	return nil
}

// progressData is the progress page: the figures of the whole country or
// of one centre, the centres' lines, and the chart per day.
type progressData struct {
	Centre   string // "" for all
	Name     string
	Figures  registry.CentreReport
	Centres  []registry.CentreReport
	From, To pickup.Date
	Days     []registry.DayFigures
	Period   registry.DayFigures
	Chart    chart
	Flagged  []registry.FlaggedFact // the most recent, of the centre shown
}

// Remaining is what is still to collect.
func (d progressData) Remaining() int { return max(d.Figures.Expected-d.Figures.Collected, 0) }

func (c *Console) progress(w http.ResponseWriter, r *http.Request, q *req) error {
	p := c.newPage(r, q, "progress", "progress.title")
	today := pickup.DateOf(c.now().In(c.Loc))
	to, from := today, today.AddDays(-13)
	bad := false
	if s := r.URL.Query().Get("to"); s != "" {
		if t, err := pickup.ParseDate(s); err == nil {
			to, from = t, t.AddDays(-13)
		} else {
			bad = true
		}
	}
	if s := r.URL.Query().Get("from"); s != "" {
		if f, err := pickup.ParseDate(s); err == nil {
			from = f
		} else {
			bad = true
		}
	}
	if bad || to.Before(from) || from.DaysUntil(to) > 366 {
		p.Err = p.T("progress.bad_dates")
		to, from = today, today.AddDays(-13)
	}
	rep, err := c.Reg.Report(r.Context(), from, to)
	if err != nil {
		return err
	}
	d := progressData{Figures: rep.Totals, Centres: rep.Centres, From: rep.From, To: rep.To, Days: rep.Days, Period: rep.Period}
	if id := r.URL.Query().Get("centre"); id != "" {
		found := false
		for _, ce := range rep.Centres {
			if ce.ID == id {
				d.Centre, d.Name, d.Figures, d.Days, found = id, ce.Name, ce, ce.Days, true
				d.Period = registry.DayFigures{}
				for _, day := range ce.Days {
					d.Period.Handovers += day.Handovers
					d.Period.DoubleHandovers += day.DoubleHandovers
				}
			}
		}
		if !found {
			return errNotFound
		}
	}
	for _, ff := range rep.Flagged {
		if d.Centre == "" || ff.CentreID == d.Centre {
			d.Flagged = append(d.Flagged, ff)
		}
	}
	d.Chart = dayChart(d.Days, p)
	p.Data = d
	return c.render(w, p)
}
