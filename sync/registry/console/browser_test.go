package console

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pickup-terminal/pickup"
)

// The browser tests drive Debian's Chromium (headless) through the
// DevTools protocol with chromedp: a real browser, real cookies, forms
// posted as an operator posts them. They skip only when Chromium is
// missing and the test does not run as root; as root (CI) scripts/deps.sh
// installs it, and its absence is a failure.

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newChromium starts a headless Chromium with a fresh profile and returns
// the context of its first tab.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Geteuid() != 0 {
			t.Skip("chromium is not installed (scripts/deps.sh installs it)")
		}
		t.Fatal("chromium is not installed although the tests run as root: scripts/deps.sh should have installed it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browser
}

// tab opens a tab in a browser context of its own (its own cookies: one
// operator each).
func tab(t *testing.T, alloc context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // open the tab without a step's timeout
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// shots saves screenshots in $CONSOLE_SCREENSHOTS (a temporary folder
// when unset).
type shots struct {
	t   *testing.T
	dir string
	n   int
}

func newShots(t *testing.T) *shots {
	dir := os.Getenv("CONSOLE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &shots{t: t, dir: dir}
}

func (s *shots) take(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		b, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		s.n++
		return os.WriteFile(filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, name)), b, 0o644)
	})
}

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s: %v (at %s)", step, err, loc)
	}
}

// into stores an action's value in dst.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

func signIn(f *fixture, name, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(f.ts.URL+"/console/login?lang=en"),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`button[type=submit].primary`)),
	)
}

func number(s string) int {
	n, err := strconv.Atoi(strings.NewReplacer(",", "", ".", "", "\u202f", "", "\u00a0", "", " ", "").Replace(strings.TrimSpace(s)))
	if err != nil {
		return -1
	}
	return n
}

// TestBrowser walks the console as two operators would, in Chromium, and
// screenshots every page.
func TestBrowser(t *testing.T) {
	f := newFixture(t)
	alloc := newChromium(t)
	shot := newShots(t)
	ann := tab(t, alloc)

	// Log in and see the figures `pickup-registry report --json` prints.
	run(t, ann, "login page", chromedp.Navigate(f.ts.URL+"/console/login?lang=en"), chromedp.WaitVisible(chromedp.ID("name")), shot.take("login"))
	var expected, collected, cancelled, doubles string
	run(t, ann, "log in", signIn(f, "ann", annPassword),
		chromedp.WaitVisible(chromedp.ID("fig-expected")),
		into(&expected, chromedp.Text(chromedp.ID("fig-expected"))),
		into(&collected, chromedp.Text(chromedp.ID("fig-collected"))),
		into(&cancelled, chromedp.Text(chromedp.ID("fig-cancelled"))),
		into(&doubles, chromedp.Text(chromedp.ID("fig-doubles"))),
		shot.take("progress"))
	rep, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil {
		t.Fatal(err)
	}
	got := [4]int{number(expected), number(collected), number(cancelled), number(doubles)}
	want := [4]int{rep.Totals.Expected, rep.Totals.Collected, rep.Totals.Cancelled, rep.Totals.DoubleHandovers}
	if got != want {
		t.Errorf("progress shows expected, collected, cancelled, doubles = %v, report says %v", got, want)
	}
	run(t, ann, "progress of a centre", chromedp.Navigate(f.ts.URL+"/console/progress?centre=namur"),
		chromedp.WaitVisible(chromedp.ID("fig-expected")), shot.take("progress-namur"))
	run(t, ann, "progress in French", chromedp.Navigate(f.ts.URL+"/console/progress?lang=fr"),
		chromedp.WaitVisible(chromedp.ID("fig-expected")), shot.take("progress-fr"))
	var reported, unreported string
	run(t, ann, "terminals in German", chromedp.Navigate(f.ts.URL+"/console/terminals?lang=de"),
		chromedp.WaitVisible(chromedp.ID("terminals")), shot.take("terminals-de"),
		into(&reported, chromedp.Text(chromedp.CSS(`tr[data-terminal="`+f.terms[0].TerminalID+`"] td.pending`))),
		into(&unreported, chromedp.Text(chromedp.CSS(`tr[data-terminal="`+f.terms[1].TerminalID+`"] td.pending`))))
	// What a terminal reported waiting in its outbox, and when; nothing
	// for one that never reported.
	if !strings.Contains(reported, strconv.Itoa(fixturePending)) || !strings.Contains(reported, "gerade eben") {
		t.Errorf("pending of the terminal that reported %d: %q", fixturePending, reported)
	}
	if !strings.Contains(unreported, "nicht gemeldet") {
		t.Errorf("pending of a terminal that never reported: %q", unreported)
	}
	run(t, ann, "shipments in Dutch", chromedp.Navigate(f.ts.URL+"/console/shipments?lang=nl"),
		chromedp.WaitVisible(chromedp.ID("received")), shot.take("shipments-nl"))
	run(t, ann, "back to English", chromedp.Navigate(f.ts.URL+"/console/progress?lang=en"), chromedp.WaitVisible(chromedp.ID("fig-expected")))

	// Open the double handover: both sides, terminals, times and sizes.
	var sides string
	run(t, ann, "double handovers", chromedp.Navigate(f.ts.URL+"/console/doubles"),
		chromedp.WaitVisible(chromedp.ID("doubles")), shot.take("doubles"),
		chromedp.Click(chromedp.CSS(`#doubles a.code`)),
		chromedp.WaitVisible(chromedp.ID("sides")),
		into(&sides, chromedp.Text(chromedp.ID("sides"))))
	for _, want := range []string{f.double.Handovers[0].TerminalID, f.double.Handovers[1].TerminalID, "M", "XL"} {
		if !strings.Contains(sides, want) {
			t.Errorf("the double handover's sides lack %q:\n%s", want, sides)
		}
	}
	var notes string
	run(t, ann, "review note", chromedp.SendKeys(chromedp.ID("note"), "Called Namur: a volunteer scanned the letter twice."),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("blockquote.note")),
		into(&notes, chromedp.Text(chromedp.ID("main"))), shot.take("double"))
	if !strings.Contains(notes, "scanned the letter twice") || !strings.Contains(notes, "Note saved") {
		t.Errorf("the note is not shown after saving:\n%s", notes)
	}

	// The other pages.
	for _, p := range []struct{ path, wait, name string }{
		{"/console/shipments", "#received", "shipments"},
		{"/console/terminals", "#terminals", "terminals"},
		{"/console/terminals/" + f.terms[1].TerminalID + "/revoke", "form button.danger", "revoke"},
		{"/console/campaigns", "section.campaign", "campaigns"},
		{"/console/letters", "#main", "letters"},
		{"/console/schedule", "#schedule", "schedule"},
	} {
		run(t, ann, p.name, chromedp.Navigate(f.ts.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)), shot.take(p.name))
	}

	// A POST without the CSRF token is refused (the token is taken out of
	// the form before it is sent).
	var refused string
	run(t, ann, "POST without CSRF", chromedp.Navigate(f.ts.URL+"/console/doubles/"+f.double.ConsoleID()),
		chromedp.WaitVisible(chromedp.ID("note")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form.card input[name=csrf]').remove()`),
		chromedp.SendKeys(chromedp.ID("note"), "forged"),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.error")),
		into(&refused, chromedp.Text(chromedp.ID("main"))), shot.take("csrf-refused"))
	if !strings.Contains(refused, "security token") {
		t.Errorf("the refusal does not explain itself:\n%s", refused)
	}
	if _, notes, _ := f.reg.DoubleHandoverByEvent(f.ctx, f.double.ConsoleID()); len(notes) != 1 {
		t.Errorf("notes after the forged POST = %d, want 1", len(notes))
	}

	// Upload a request file: a bad one shows every problem; a good one
	// waits for another operator.
	dir := t.TempDir()
	badFile := filepath.Join(dir, "requests-bad.csv")
	os.WriteFile(badFile, []byte("professional_id,name,profession,centre_id\nq1,Ann,astronaut,namur\nq2,Bea,nurse,atlantis\nq3,,nurse,namur\nq4,Dan,nurse,gent\n"), 0o644)
	goodFile := filepath.Join(dir, "requests.csv")
	os.WriteFile(goodFile, []byte("professional_id,name,profession,centre_id,lang\nw1,Wim Peeters,nurse,gent,nl\nw2,Eva Martin,pharmacist,namur,fr\n"), 0o644)
	var problems string
	run(t, ann, "upload a bad file", chromedp.Navigate(f.ts.URL+"/console/imports"),
		chromedp.WaitVisible(chromedp.ID("file")), shot.take("imports"),
		chromedp.SetValue(chromedp.ID("campaign"), pickup.DefaultCampaignID),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{badFile}),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("problems")),
		into(&problems, chromedp.Text(chromedp.ID("problems"))), shot.take("import-problems"))
	for _, want := range []string{"astronaut", "atlantis", "name"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the preview lacks %q:\n%s", want, problems)
		}
	}
	if n := strings.Count(problems, "\n"); n < 3 {
		t.Errorf("the preview lists %d lines, want the three bad rows:\n%s", n, problems)
	}
	// The problems read in the operator's language.
	var badURL, dutch string
	run(t, ann, "problems in Dutch", into(&badURL, chromedp.Location()))
	run(t, ann, "problems in Dutch", chromedp.Navigate(badURL+"?lang=nl"), chromedp.WaitVisible(chromedp.ID("problems")),
		into(&dutch, chromedp.Text(chromedp.ID("problems"))), shot.take("import-problems-nl"),
		chromedp.Navigate(f.ts.URL+"/console/imports?lang=en"), chromedp.WaitVisible(chromedp.ID("file")))
	for _, want := range []string{`beroep "astronaut" hoort niet bij campagne`, `centrum "atlantis" onbekend`, "de naam is leeg"} {
		if !strings.Contains(dutch, want) {
			t.Errorf("the preview in Dutch lacks %q:\n%s", want, dutch)
		}
	}
	var importURL, waiting string
	run(t, ann, "upload a good file", chromedp.Navigate(f.ts.URL+"/console/imports"),
		chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.SetValue(chromedp.ID("campaign"), pickup.DefaultCampaignID),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{goodFile}),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("import-status")),
		into(&importURL, chromedp.Location()),
		into(&waiting, chromedp.Text(chromedp.ID("main"))), shot.take("import-uploader"))
	if !strings.Contains(waiting, "another operator must") {
		t.Errorf("the uploader is not told a second operator must approve:\n%s", waiting)
	}
	rep, _ = f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	before := rep.Totals.Expected

	// Bob, in his own browser context, approves it.
	bob := tab(t, alloc)
	var result string
	run(t, bob, "bob approves", signIn(f, "bob", bobPassword),
		chromedp.WaitVisible(chromedp.ID("fig-expected")),
		chromedp.Navigate(importURL),
		chromedp.WaitVisible(chromedp.ID("import-status")), shot.take("import-second-operator"),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.ID("import-result")),
		into(&result, chromedp.Text(chromedp.ID("import-result"))), shot.take("import-applied"))
	if !strings.Contains(result, "2 codes issued") {
		t.Errorf("after approval: %q", result)
	}
	rep, _ = f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if rep.Totals.Expected != before+2 {
		t.Errorf("expected after approval = %d, want %d", rep.Totals.Expected, before+2)
	}

	// Revoke, confirmed.
	var revoked string
	run(t, bob, "revoke", chromedp.Navigate(f.ts.URL+"/console/terminals/"+f.terms[1].TerminalID+"/revoke"),
		chromedp.WaitVisible(chromedp.CSS("form button.danger")),
		chromedp.Click(chromedp.CSS("form button.danger")),
		chromedp.WaitVisible(chromedp.ID("terminals")),
		into(&revoked, chromedp.Text(chromedp.ID("main"))), shot.take("terminals-after-revoke"))
	if !strings.Contains(revoked, "Terminal revoked") {
		t.Errorf("after revoking: %s", revoked)
	}

	// Wrong passwords lock the account; then even the right one is refused.
	eve := tab(t, alloc)
	for i := 0; i < 5; i++ {
		run(t, eve, "wrong password", signIn(f, "ann", "not the password"), chromedp.WaitVisible(chromedp.CSS("p.error")))
	}
	var locked string
	run(t, eve, "locked", signIn(f, "ann", annPassword), chromedp.WaitVisible(chromedp.CSS("p.error")),
		into(&locked, chromedp.Text(chromedp.CSS("p.error"))), shot.take("login-locked"))
	if !strings.Contains(locked, "locked until") {
		t.Errorf("after five wrong passwords and the right one: %q", locked)
	}
	t.Logf("screenshots in %s", shot.dir)
}
