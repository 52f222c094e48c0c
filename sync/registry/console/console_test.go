package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// browser is an HTTP client with cookies, following no redirect.
type browser struct {
	t    *testing.T
	f    *fixture
	c    *http.Client
	lang string
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: f.t, f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signedIn is a browser signed in as name, with its session's CSRF token.
func (f *fixture) signedIn(name, password string) (*browser, string) {
	f.t.Helper()
	b := f.browser()
	return b, b.login(name, password)
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.f.ts.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.f.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	return m[1]
}

// login signs in and returns the session's CSRF token.
func (b *browser) login(name, password string) string {
	b.t.Helper()
	page := b.get("/console/login")
	a := b.post("/console/login", url.Values{"csrf": {csrfOf(b.t, page.body)}, "name": {name}, "password": {password}, "next": {"/console/progress"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/console/progress" {
		b.t.Fatalf("login %s = %d %s, want 303 to progress", name, a.status, a.header.Get("Location"))
	}
	p := b.get("/console/progress")
	if p.status != http.StatusOK {
		b.t.Fatalf("progress after login = %d", p.status)
	}
	return csrfOf(b.t, p.body)
}

func TestLoginSessionCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	a := b.get("/console/progress")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/console/login?next=") {
		t.Fatalf("progress signed out = %d %s, want a redirect to login", a.status, a.header.Get("Location"))
	}
	page := b.get("/console/login")
	form := url.Values{"csrf": {csrfOf(t, page.body)}, "name": {"ann"}, "password": {annPassword}}
	// Without the login form's cookie-bound token: refused.
	if a := b.post("/console/login", url.Values{"csrf": {"forged"}, "name": {"ann"}, "password": {annPassword}}); a.status != http.StatusForbidden {
		t.Errorf("login with a forged token = %d, want 403", a.status)
	}
	a = b.post("/console/login", form)
	if a.status != http.StatusSeeOther {
		t.Fatalf("login = %d: %s", a.status, a.body)
	}
	var session *http.Cookie
	for _, line := range a.header.Values("Set-Cookie") {
		if strings.HasPrefix(line, sessionCookie+"=") {
			session, _ = http.ParseSetCookie(line)
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Value == "" {
		t.Fatalf("session cookie = %+v, want HttpOnly SameSite=Strict", session)
	}
	if a := b.get("/console/progress"); a.status != http.StatusOK || !strings.Contains(a.body, "ann") {
		t.Errorf("progress signed in = %d", a.status)
	}
	csrf := csrfOf(t, b.get("/console/progress").body)
	if a := b.post("/console/logout", url.Values{"csrf": {csrf}}); a.status != http.StatusSeeOther {
		t.Errorf("logout = %d", a.status)
	}
	if a := b.get("/console/progress"); a.status != http.StatusSeeOther {
		t.Errorf("progress after logout = %d, want a redirect to login", a.status)
	}
	// The cookie's token no longer opens a session either.
	if _, err := f.reg.Session(f.ctx, session.Value); err == nil {
		t.Error("the session survived the logout")
	}
}

// TestProgressMatchesReport: the figures the page shows are those of
// pickup-registry report --json (registry.Report), nationally and for a
// centre.
func TestProgressMatchesReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, _ := f.signedIn("ann", annPassword)
	rep, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(path string, want registry.CentreReport) {
		t.Helper()
		body := b.get(path).body
		figures := map[string]int{"expected": want.Expected, "collected": want.Collected, "cancelled": want.Cancelled,
			"doubles": want.DoubleHandovers, "remaining": want.Expected - want.Collected}
		for id, n := range figures {
			if got := figure(body, id); got != n {
				t.Errorf("%s: %s = %d, want %d (report)", path, id, got, n)
			}
		}
	}
	check("/console/progress?lang=en", rep.Totals)
	if rep.Totals.DoubleHandovers != 1 || rep.Totals.Collected == 0 || rep.Totals.Flagged != 1 {
		t.Fatalf("fixture report = %+v", rep.Totals)
	}
	for _, c := range rep.Centres {
		check("/console/progress?lang=en&centre="+c.ID, c)
	}
	body := b.get("/console/progress").body
	if !strings.Contains(body, `id="flagged"`) || !strings.Contains(body, f.terms[2].TerminalID) {
		t.Error("the refused fact is not listed")
	}
	if n := strings.Count(body, "<rect "); n < 14 {
		t.Errorf("chart has %d bars, want one per day of 14", n)
	}
	if !strings.Contains(body, `fill="#c0141c"`) {
		t.Error("the chart does not show the double handover")
	}
	if a := b.get("/console/progress?centre=nowhere"); a.status != http.StatusNotFound {
		t.Errorf("unknown centre = %d, want 404", a.status)
	}
	if a := b.get("/console/progress?from=2026-13-01"); a.status != http.StatusOK || !strings.Contains(a.body, "could not be used") {
		t.Errorf("bad dates = %d, want the page with an explanation", a.status)
	}
}

var figureRE = regexp.MustCompile(`id="fig-([a-z]+)">([0-9.,\x{202f}\x{a0} ]+)<`)

func figure(body, id string) int {
	for _, m := range figureRE.FindAllStringSubmatch(body, -1) {
		if m[1] == id {
			var n int
			fmt.Sscan(strings.NewReplacer(",", "", ".", "", "\u202f", "", "\u00a0", "", " ", "").Replace(m[2]), &n)
			return n
		}
	}
	return -1
}

func TestCSRFRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, csrf := f.signedIn("ann", annPassword)
	path := "/console/doubles/" + f.double.ConsoleID() + "/note"
	tests := []struct {
		name   string
		form   url.Values
		header map[string]string
	}{
		{"no token", url.Values{"note": {"x"}}, nil},
		{"wrong token", url.Values{"note": {"x"}, "csrf": {"AAAA" + csrf[4:]}}, nil},
		{"another site", url.Values{"note": {"x"}, "csrf": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"another origin", url.Values{"note": {"x"}, "csrf": {csrf}}, map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(http.MethodPost, f.ts.URL+path, strings.NewReader(tc.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		if a := b.do(req); a.status != http.StatusForbidden || !strings.Contains(a.body, "security token") {
			t.Errorf("%s: note = %d, want 403 with an explanation", tc.name, a.status)
		}
	}
	for _, p := range []string{"/console/terminals/" + f.terms[0].TerminalID + "/revoke", "/console/logout"} {
		if a := b.post(p, url.Values{"confirm": {f.terms[0].TerminalID}}); a.status != http.StatusForbidden {
			t.Errorf("POST %s without token = %d, want 403", p, a.status)
		}
	}
	if _, notes, _ := f.reg.DoubleHandoverByEvent(f.ctx, f.double.ConsoleID()); len(notes) != 0 {
		t.Errorf("a refused form stored %d note(s)", len(notes))
	}
	if ts, _ := f.reg.Terminals(f.ctx); ts[0].RevokedAt != nil || ts[1].RevokedAt != nil {
		t.Error("a refused form revoked a terminal")
	}
	if a := b.post(path, url.Values{"note": {"Called both counters."}, "csrf": {csrf}}); a.status != http.StatusSeeOther {
		t.Fatalf("note with the token = %d", a.status)
	}
	if _, notes, _ := f.reg.DoubleHandoverByEvent(f.ctx, f.double.ConsoleID()); len(notes) != 1 || notes[0].Operator != "ann" {
		t.Errorf("notes = %+v, want ann's", notes)
	}
	if body := b.get("/console/doubles/" + f.double.ConsoleID()).body; !strings.Contains(body, "Called both counters.") {
		t.Error("the note is not shown")
	}
}

func TestLockout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	b.lang = "fr"
	for i := 0; i < registry.AccountLockFailures; i++ {
		page := b.get("/console/login")
		a := b.post("/console/login", url.Values{"csrf": {csrfOf(t, page.body)}, "name": {"ann"}, "password": {"wrong password " + fmt.Sprint(i)}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "/console/login?") {
			t.Fatalf("wrong password %d = %d %s", i, a.status, a.header.Get("Location"))
		}
	}
	page := b.get("/console/login")
	a := b.post("/console/login", url.Values{"csrf": {csrfOf(t, page.body)}, "name": {"ann"}, "password": {annPassword}})
	if !strings.Contains(a.header.Get("Location"), "/console/login?") {
		t.Fatalf("right password while locked = %d %s, want back to the login page", a.status, a.header.Get("Location"))
	}
	shown := b.get(a.header.Get("Location")).body
	if !strings.Contains(shown, "bloqué jusqu") {
		t.Errorf("the lockout is not explained in French:\n%s", shown)
	}
	// Another operator from another computer still signs in.
	f.browser().login("bob", bobPassword)
}

func TestImportNeedsSecondOperator(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann, bob := f.browser(), f.browser()
	annCSRF, bobCSRF := ann.login("ann", annPassword), bob.login("bob", bobPassword)
	file := "professional_id,name,profession,centre_id\nnew-1,Nora Test,nurse,namur\nnew-2,Olaf Test,dentist,gent\n"
	a := ann.upload(annCSRF, pickup.DefaultCampaignID, "two.csv", file)
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/console/imports/imp-") {
		t.Fatalf("upload = %d %s", a.status, a.header.Get("Location"))
	}
	path := a.header.Get("Location")
	page := ann.get(path).body
	if strings.Contains(page, "/approve") || !strings.Contains(page, "another operator must") {
		t.Error("the uploader is offered the approval")
	}
	if a := ann.post(path+"/approve", url.Values{"csrf": {annCSRF}}); a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "same_operator") {
		t.Errorf("approval by the uploader = %d %s", a.status, a.header.Get("Location"))
	}
	rep, _ := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	before := rep.Totals.Expected
	if !strings.Contains(bob.get(path).body, path+"/approve") {
		t.Fatal("the second operator is not offered the approval")
	}
	if a := bob.post(path+"/approve", url.Values{"csrf": {bobCSRF}}); a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "done.applied") {
		t.Fatalf("approval by bob = %d %s", a.status, a.header.Get("Location"))
	}
	rep, _ = f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if rep.Totals.Expected != before+2 {
		t.Errorf("expected after approval = %d, want %d", rep.Totals.Expected, before+2)
	}
	if body := bob.get(path).body; !strings.Contains(body, "Imported: 2 codes issued") {
		t.Error("the page does not say what was imported")
	}

	// Three bad rows: all three shown with their lines, no approval offered.
	bad := "professional_id,name,profession,centre_id\nb1,Ann,astronaut,namur\nb2,Bea,nurse,atlantis\nb3,,nurse,namur\nb4,Dan,nurse,gent\n"
	a = ann.upload(annCSRF, pickup.DefaultCampaignID, "bad.csv", bad)
	page = bob.get(a.header.Get("Location")).body
	for _, want := range []string{">2</th>", ">3</th>", ">4</th>", "astronaut", "atlantis", "3 problem(s)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if strings.Contains(page, "/approve") {
		t.Error("a file with problems is offered for approval")
	}
	// The warnings (the 2020 campaign's pickup window is over) read in the
	// operator's language too, not in English.
	nl := bob.get(a.header.Get("Location") + "?lang=nl").body
	if !strings.Contains(nl, "de afhaalperiode van fase") || strings.Contains(nl, "its codes are over") {
		t.Error("the preview in Dutch does not give its warnings in Dutch")
	}
}

func (b *browser) upload(csrf, campaign, name, content string) answer {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", csrf)
	w.WriteField("campaign", campaign)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.f.ts.URL+"/console/imports", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

func TestRevokeNeedsConfirmation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, csrf := f.signedIn("ann", annPassword)
	id := f.terms[1].TerminalID
	page := b.get("/console/terminals/" + id + "/revoke")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Yes, revoke "+id) {
		t.Fatalf("confirmation page = %d", page.status)
	}
	if a := b.post("/console/terminals/"+id+"/revoke", url.Values{"csrf": {csrf}}); !strings.Contains(a.header.Get("Location"), "error.confirm") {
		t.Errorf("unconfirmed revoke = %d %s", a.status, a.header.Get("Location"))
	}
	if a := b.post("/console/terminals/"+id+"/revoke", url.Values{"csrf": {csrf}, "confirm": {id}}); a.status != http.StatusSeeOther {
		t.Fatalf("revoke = %d", a.status)
	}
	ts, _ := f.reg.Terminals(f.ctx)
	for _, tm := range ts {
		if (tm.RevokedAt != nil) != (tm.ID == id) {
			t.Errorf("terminal %s revoked = %v", tm.ID, tm.RevokedAt != nil)
		}
	}
}

// TestEveryPageRenders renders every page in every language: 200, the
// security headers, no untranslated key, and labels for every field.
func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, csrf := f.signedIn("ann", annPassword)
	a := b.upload(csrf, pickup.DefaultCampaignID, "one.csv", "professional_id,name,profession,centre_id\nz1,Zoe,nurse,namur\n")
	pages := []string{"/console/progress", "/console/progress?centre=namur", "/console/doubles", "/console/doubles/" + f.double.ConsoleID(),
		"/console/shipments", "/console/terminals", "/console/terminals/" + f.terms[0].TerminalID + "/revoke", "/console/campaigns",
		"/console/imports", a.header.Get("Location"), "/console/letters", "/console/schedule", "/console/schedule?week=2020-W47",
		"/console/login", "/console/nowhere"}
	key := regexp.MustCompile(`\b(nav|progress|col|doubles|double|shipments|terminals|revoke|campaigns|imports|import|status|phase|via|error|login|done|chart|letters|schedule)\.[a-z_]+\b`)
	for _, lang := range Languages {
		for _, p := range pages {
			if p == "/console/login" {
				continue // a signed-in operator is sent on
			}
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			a := b.get(p + sep + "lang=" + lang)
			want := http.StatusOK
			if p == "/console/nowhere" {
				want = http.StatusNotFound
			}
			if a.status != want {
				t.Errorf("%s %s = %d, want %d", lang, p, a.status, want)
				continue
			}
			if a.header.Get("Content-Security-Policy") != CSP || a.header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: security headers = %v", p, a.header)
			}
			if !strings.Contains(a.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not in %s", lang, p, lang)
			}
			if m := key.FindString(stripAttrs(a.body)); m != "" {
				t.Errorf("%s %s: untranslated key %q", lang, p, m)
			}
			if strings.Contains(a.body, "<script") || strings.Contains(a.body, " style=") || strings.Contains(a.body, " onclick") {
				t.Errorf("%s %s: script or inline style (the CSP forbids them)", lang, p)
			}
			checkLabels(t, lang+" "+p, a.body)
		}
	}
	// The login page, signed out.
	for _, lang := range Languages {
		a := f.browser().get("/console/login?lang=" + lang)
		if a.status != http.StatusOK || key.FindString(stripAttrs(a.body)) != "" {
			t.Errorf("login %s = %d", lang, a.status)
		}
		checkLabels(t, "login "+lang, a.body)
	}
}

var (
	attrRE  = regexp.MustCompile(`(href|src|action|id|class|name|for|value|aria-labelledby)="[^"]*"`)
	inputRE = regexp.MustCompile(`<(input|select|textarea)[^>]*>`)
	idRE    = regexp.MustCompile(`id="([^"]+)"`)
)

func stripAttrs(s string) string { return attrRE.ReplaceAllString(s, "") }

// checkLabels fails when a visible form field has no <label for=…>.
func checkLabels(t *testing.T, where, body string) {
	t.Helper()
	for _, in := range inputRE.FindAllString(body, -1) {
		if strings.Contains(in, `type="hidden"`) {
			continue
		}
		m := idRE.FindStringSubmatch(in)
		if m == nil || !strings.Contains(body, `for="`+m[1]+`"`) {
			t.Errorf("%s: field without a label: %s", where, in)
		}
	}
}

// TestTranslations: every language has every key, and every key the
// templates and handlers use exists.
func TestTranslations(t *testing.T) {
	t.Parallel()
	if err := texts.Err(); err != nil {
		t.Fatal(err)
	}
	enKeys := texts.Keys("en")
	en := map[string]bool{}
	for _, k := range enKeys {
		en[k] = true
	}
	for _, l := range Languages {
		got := texts.Keys(l)
		if !slices.Equal(got, enKeys) {
			t.Errorf("%s has %d keys, English %d; they differ: %v", l, len(got), len(enKeys), symmetricDiff(got, enKeys))
		}
		for _, k := range got {
			if texts.For(l).T(k) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
		}
	}
	used := regexp.MustCompile(`(?:\.T|translate\([a-z.]+,|key:|Key:|"done=|to_review) ?"([a-z_]+\.[a-z_.]+)"`)
	var sources []string
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if strings.HasSuffix(p, ".html") {
			b, _ := files.ReadFile(p)
			sources = append(sources, string(b))
		}
		return nil
	})
	for _, src := range sources {
		for _, m := range used.FindAllStringSubmatch(src, -1) {
			if !en[m[1]] {
				t.Errorf("template uses %q, not in the catalogue", m[1])
			}
		}
	}
	// The keys made with printf.
	for prefix, names := range map[string][]string{
		"nav":    {"progress", "schedule", "doubles", "shipments", "terminals", "campaigns", "imports", "letters"},
		"status": {registry.ImportPending, registry.ImportApplying, registry.ImportApplied, registry.ImportRejected, registry.ImportFailed},
		"phase":  {string(registry.PhaseUpcoming), string(registry.PhaseRequestsOpen), string(registry.PhasePickupOpen), string(registry.PhaseOver)},
		"flag": {protocol.FlagUnknownCode, protocol.FlagWrongCentre, protocol.FlagCancelled, protocol.FlagRevoked, protocol.FlagBadSignature,
			protocol.FlagTimeOutOfRange, protocol.FlagUndoNotRecorder, protocol.FlagUndoTooLate, protocol.FlagRevokedTerminal},
		"fact": {string(pickup.EventHandover), string(pickup.EventUndo), string(pickup.EventStockReceive), string(pickup.EventStockCount)},
	} {
		for _, n := range names {
			if !en[prefix+"."+n] {
				t.Errorf("no %s.%s", prefix, n)
			}
		}
	}
	if !slices.Contains(Languages, defaultLang) {
		t.Fatal("no default language")
	}
}

// symmetricDiff lists the keys in one of a and b but not the other.
func symmetricDiff(a, b []string) []string {
	var out []string
	for _, k := range a {
		if !slices.Contains(b, k) {
			out = append(out, k)
		}
	}
	for _, k := range b {
		if !slices.Contains(a, k) {
			out = append(out, k)
		}
	}
	return out
}

// stringCases are {input, want} pairs of the console's text functions:
// the language an Accept-Language header chooses, and where a login's
// next may go (the console only).
var stringCases = []struct {
	name  string
	fn    func(string) string
	cases [][2]string
}{
	{"acceptLanguage", acceptLanguage, [][2]string{
		{"", "en"},
		{"fr-BE,fr;q=0.9,en;q=0.8", "fr"},
		{"nl-BE", "nl"},
		{"es-ES, de;q=0.5, en;q=0.4", "de"},
		{"en;q=0.1, fr;q=0.9", "fr"},
		{"ja", "en"},
		{"fr;q=0", "en"},
	}},
	{"safeNext", safeNext, [][2]string{
		{"/console/doubles", "/console/doubles"},
		{"https://evil.example/", "/console/progress"},
		{"//evil.example", "/console/progress"},
		{"/console/../v1/pull", "/console/progress"},
		{"/console/x\r\nSet-Cookie: a=b", "/console/progress"},
	}},
}

func TestAcceptLanguageAndSafeNext(t *testing.T) {
	t.Parallel()
	for _, f := range stringCases {
		for _, tc := range f.cases {
			if got := f.fn(tc[0]); got != tc[1] {
				t.Errorf("%s(%q) = %q, want %q", f.name, tc[0], got, tc[1])
			}
		}
	}
}

func TestLettersDownload(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, _ := f.signedIn("ann", annPassword)
	page := b.get("/console/letters")
	if !strings.Contains(page.body, `href="/console/letters/namur.pdf"`) {
		t.Fatalf("no download link for namur:\n%s", page.body)
	}
	a := b.get("/console/letters/namur.pdf")
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(a.body, "%PDF-") {
		t.Fatalf("letters of namur = %d %s %.20q", a.status, a.header.Get("Content-Type"), a.body)
	}
	if !strings.Contains(a.header.Get("Content-Disposition"), `filename="letters-namur.pdf"`) {
		t.Errorf("Content-Disposition = %q", a.header.Get("Content-Disposition"))
	}
	if a := b.get("/console/letters/nowhere.pdf"); a.status != http.StatusNotFound {
		t.Errorf("letters of an unknown centre = %d, want 404", a.status)
	}
	signedOut := f.browser().get("/console/letters/namur.pdf")
	if signedOut.status != http.StatusSeeOther || strings.HasPrefix(signedOut.body, "%PDF") {
		t.Errorf("letters signed out = %d, want a redirect to login", signedOut.status)
	}
}

// TestSecureCookiesUnderTLS: under TLS the session cookie is Secure and
// bound to the host by the __Host- prefix, and HSTS is sent.
func TestSecureCookiesUnderTLS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ts := httptest.NewTLSServer(f.console)
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(ts.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header under TLS")
	}
	form := url.Values{"csrf": {csrfOf(t, string(body))}, "name": {"bob"}, "password": {bobPassword}}
	resp, err = c.PostForm(ts.URL+"/console/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-"+sessionCookie {
			session = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure || !session.HttpOnly || session.Path != "/" ||
		session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login under TLS = %d, session cookie %+v: want __Host-, Secure, HttpOnly, SameSite=Strict, Path=/", resp.StatusCode, session)
	}
}

// TestNoTextFromTheAddress: nobody can send an operator a console link
// that shows words of their own.
func TestNoTextFromTheAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	for _, q := range []string{"msg=Call+0800+123+for+support", "err=login.locked&at=Call+0800+123", "err=Call+0800+123", "done=Call+0800+123"} {
		a := b.get("/console/login?" + q)
		if a.status != http.StatusOK || strings.Contains(a.body, "0800") {
			t.Errorf("login?%s = %d, shows the address's text", q, a.status)
		}
	}
	if a := b.get("/console/login?err=login.locked&at=07:45"); !strings.Contains(a.body, "locked until 07:45") {
		t.Error("the lockout's time is not shown")
	}
}

// A shipment a counter received short shows as a discrepancy with the
// counter's reason.
func TestShipmentsShowShortReceptionAndReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, _ := f.signedIn("ann", annPassword)
	body := b.get("/console/shipments").body
	if !strings.Contains(body, "one box crushed") || !regexp.MustCompile(`units received, \d+ sent — one box crushed`).MatchString(body) {
		t.Errorf("the shipments page does not show the short reception with its reason")
	}
}

// A manager's review made at a counter (a conflict_review fact) shows on
// the double handover's page with the operators' notes, signed by the
// counter.
func TestCounterReviewOnDoublePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	note := "Reviewed at the counter: the same nurse came twice; parcel asked back."
	f.push(f.terms[1], []pickup.Event{{ID: newID(), Type: pickup.EventConflictReview, TerminalID: f.terms[1].TerminalID,
		CentreID: f.terms[1].Centre.ID, At: time.Now().UTC(), Code: f.double.Code, Note: note}})
	b, _ := f.signedIn("ann", annPassword)
	body := b.get("/console/doubles/" + f.double.ConsoleID()).body
	if !strings.Contains(body, note) || !strings.Contains(body, "counter counter-namur") {
		t.Errorf("the double handover page lacks the counter's review:\n%s", body)
	}
}

// The schedule page shows, for the week asked, each centre's parcels,
// groups and needs as the registry's schedule computes them, links to the
// weeks around, and sends the published PDF.
func TestSchedulePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, _ := f.signedIn("ann", annPassword)
	monday := registry.Monday(pickup.DateOf(f.console.now().In(f.console.Loc)))
	sch, err := f.reg.Schedule(f.ctx, registry.ScheduleOptions{From: monday, Weeks: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := b.get("/console/schedule?lang=en")
	if a.status != http.StatusOK {
		t.Fatalf("schedule page: %d", a.status)
	}
	body := a.body
	if len(sch.Weeks[0].Centres) == 0 {
		t.Fatal("the fixture has nothing open this week")
	}
	for _, c := range sch.Weeks[0].Centres {
		row := body[strings.Index(body, "("+c.CentreID+")"):]
		row = row[:strings.Index(row, "</tr>")]
		if want := `<td class="num">` + registry.FormatParcels(c.Parcels) + "</td>"; !strings.Contains(row, want) {
			t.Errorf("%s: row does not show %s parcels:\n%s", c.CentreID, registry.FormatParcels(c.Parcels), row)
		}
		for _, it := range c.Items {
			p := &page{Lang: "en"}
			want := p.ItemName(sch.ItemNames, it.Item)
			if it.Size != "" {
				want += " " + it.Size
			}
			want += ": " + p.N(it.Qty)
			if !strings.Contains(row, want) {
				t.Errorf("%s: row does not show %q", c.CentreID, want)
			}
		}
		for _, g := range c.Groups {
			if !strings.Contains(row, g.Names.In("en")) {
				t.Errorf("%s: row does not show group %q", c.CentreID, g.Names.In("en"))
			}
		}
	}
	for _, want := range []string{"week=" + registry.ISOWeek(monday.AddDays(-7)), "week=" + registry.ISOWeek(monday.AddDays(7)), "/console/schedule.pdf?"} {
		if !strings.Contains(body, want) {
			t.Errorf("schedule page has no link with %q", want)
		}
	}
	pdf := b.get("/console/schedule.pdf?week=" + registry.ISOWeek(monday) + "&lang=fr")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Errorf("schedule PDF: %d %s %.8q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
	}
	for _, bad := range []string{"2020-W99", "next", "2020-13-40"} {
		if a := b.get("/console/schedule?week=" + bad); a.status != http.StatusNotFound {
			t.Errorf("schedule?week=%s: %d, want 404", bad, a.status)
		}
	}
	// Signed out: the login page, not the schedule.
	if a := f.browser().get("/console/schedule"); strings.Contains(a.body, `id="schedule"`) {
		t.Error("the schedule is shown without signing in")
	}
}

// On a registry with nothing in it yet, each list page has the one row
// that says so, across the table, instead of an empty table.
func TestEmptyTablesSaySo(t *testing.T) {
	t.Parallel()
	reg := registrytest.Open(t)
	ctx := context.Background()
	if err := reg.AddOperator(ctx, "ann", annPassword); err != nil {
		t.Fatal(err)
	}
	srv := registry.NewServer(reg, nil)
	con := New(reg, nil)
	srv.Console = con
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	f := &fixture{t: t, ctx: ctx, reg: reg, console: con, ts: ts}
	b, _ := f.signedIn("ann", annPassword)
	for _, tc := range []struct {
		path string
		want []string // the empty rows, as rendered
	}{
		{"/console/progress", []string{`<td colspan="8">No centre yet.</td>`}},
		{"/console/doubles", []string{`<td colspan="6">No double handover. Good.</td>`}},
		{"/console/shipments", []string{`<td colspan="6">Nothing in transit.</td>`, `<td colspan="7">No shipment received yet.</td>`}},
		{"/console/terminals", []string{`<td colspan="10">No terminal enrolled yet.</td>`}},
		{"/console/imports", []string{`<td colspan="6">No file uploaded yet.</td>`}},
		{"/console/schedule", []string{`<td colspan="5">No pickup window is open this week.</td>`}},
	} {
		a := b.get(tc.path + "?lang=en")
		if a.status != http.StatusOK {
			t.Errorf("%s = %d", tc.path, a.status)
			continue
		}
		for _, w := range tc.want {
			if got := strings.Count(a.body, w); got != 1 {
				t.Errorf("%s: %q %d times, want once", tc.path, w, got)
			}
		}
		if got, want := strings.Count(a.body, "</tbody>"), strings.Count(a.body, "<tbody>"); got != want {
			t.Errorf("%s: %d <tbody> closed of %d", tc.path, got, want)
		}
	}
}
