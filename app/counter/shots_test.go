package counter

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// The screens `make screenshots` renders with the test driver (into
// $PICKUP_TEST_SHOTS, named SIZE-LANG-NAME.png), each in the four
// languages at every size of shotSizes. To add a screen, add one line to
// shotScreens: its name, the counter it starts from (shotDemo, shotFirstRun,
// shotEnrolled, shotTrouble, or a func of your own) and what to do on it,
// calling shot(name) for each picture (the language is set before).

// shotSizes are the window sizes of the shots: the usual one and the
// smallest screen the counter supports.
var shotSizes = []fyne.Size{{Width: 1280, Height: 800}, {Width: 1024, Height: 768}}

// shotEnv is what the screens of one run share: the registry, started once.
type shotEnv struct {
	t   *testing.T
	reg *registrytest.Demo
}

func (e *shotEnv) registry() *registrytest.Demo {
	if e.reg == nil {
		e.reg = newTestRegistry(e.t)
	}
	return e.reg
}

// shotScreen is one screen (or a short sequence of them) of the shots.
type shotScreen struct {
	name  string
	start func(e *shotEnv, size fyne.Size) *fixture
	show  func(f *fixture, shot func(name string))
}

// shotDemo is a counter with the demo's data and no registry.
func shotDemo(e *shotEnv, size fyne.Size) *fixture {
	return newFixture(e.t, setup{demo: true, size: size})
}

// shotFirstRun is a terminal not set up, with a syncer (the enrolment box).
func shotFirstRun(e *shotEnv, size fyne.Size) *fixture {
	f, _ := newSyncFixture(e.t, setup{size: size})
	return f
}

// shotEnrolPreview is the first-run screen once the enrolment text of the
// registry's first centre was scanned: the centre it would enrol into.
func shotEnrolPreview(e *shotEnv, size fyne.Size) *fixture {
	f := shotFirstRun(e, size)
	f.scan(e.registry().EnrolmentText(f.t, e.registry().Centres[0].ID))
	f.ui.setup.enrol.wait()
	return f
}

// shotEnrolled is a counter enrolled at the registry's first centre and
// synced once.
func shotEnrolled(e *shotEnv, size fyne.Size) *fixture {
	f, syncer := newSyncFixture(e.t, setup{size: size})
	f.enrolAt(e.registry(), e.registry().Centres[0].ID)
	if _, err := syncer.Round(f.ctx); err != nil {
		e.t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	return f
}

// shotTrouble is the demo counter offline (the registry unreachable since
// the last sync an hour ago) with a double handover: what the status bar
// must make impossible to miss.
func shotTrouble(e *shotEnv, size fyne.Size) *fixture {
	f := newFixture(e.t, setup{demo: true, size: size, opt: func(o *Options) {
		o.Sync = fakeSync{err: client.Failure{Kind: client.FailureUnreachable, Detail: client.UnreachablePort}}
	}})
	if err := f.st.SetSetting(f.ctx, KeyRegistryURL, "https://registry.example"); err != nil {
		e.t.Fatal(err)
	}
	f.addConflict()
	f.ui.Refresh(f.ctx)
	return f
}

// addConflict records the demo's already-collected code as handed over at
// another counter too, as two counters out of touch would.
func (f *fixture) addConflict() {
	f.t.Helper()
	c, err := pickup.ParseCode(f.sample(pickup.VerdictAlreadyCollected))
	if err != nil {
		f.t.Fatal(err)
	}
	_, err = f.st.ApplyPage(f.ctx, &store.Page{CentreID: f.status().Identity.Centre.ID, Cursor: 1, Redemptions: []store.Redemption{{Code: c,
		Collection: pickup.Collection{EventID: "00000000-0000-4000-8000-000000000001", TerminalID: "t-x", CentreID: "bru-centre",
			At: start.Add(-90 * time.Minute), GloveSize: "S"}}}})
	if err != nil {
		f.t.Fatal(err)
	}
}

// scanKind scans the demo's sample code of a verdict.
func scanKind(k pickup.VerdictKind) func(f *fixture, shot func(string)) {
	return func(f *fixture, shot func(string)) {
		f.scan(f.sample(k))
		shot(string(k))
	}
}

var shotScreens = []shotScreen{
	{"idle", shotDemo, func(f *fixture, shot func(string)) { shot("idle") }},
	{"handover", shotDemo, func(f *fixture, shot func(string)) {
		f.scan(f.sample(pickup.VerdictOK))
		shot("ok")
		f.typeText("2")
		shot("ok-size-m")
		f.key(fyne.KeyReturn)
		shot("handed")
		f.shortcut(&fyne.ShortcutUndo{})
		shot("undone")
	}},
	{"masks-only", shotDemo, func(f *fixture, shot func(string)) {
		f.scan(f.demo.Samples["ok_masks_only"])
		shot("ok-masks-only")
	}},
	{"owed", shotDemo, func(f *fixture, shot func(string)) {
		f.glovesOut()
		code := f.sample(pickup.VerdictOK)
		f.scan(code)
		shot("owed-all-out")
		f.key(fyne.KeyReturn)
		shot("owed-handed-rest")
		f.clock.Add(time.Hour)
		if _, err := f.st.ReceiveStock(f.ctx, "gloves", "L", 2000, "delivery"); err != nil {
			f.t.Fatal(err)
		}
		f.scan(code)
		shot("owed-next-scan")
		f.typeText("3")
		shot("owed-size-l")
		f.key(fyne.KeyReturn)
		shot("owed-handed")
	}},
	{"forecast", shotDemo, func(f *fixture, shot func(string)) {
		// Gloves M below today's share of the pickups still expected,
		// with a shipment on the way (forecast.go).
		f.shipments()
		m := f.forecastLine("gloves", "M")
		f.countTo(200, "gloves", "M", max(m.NeedToday-1, 0))
		shot("forecast-counter-warn")
		f.scan(f.sample(pickup.VerdictOK))
		shot("forecast-counter-warn-verdict")
		f.key(fyne.KeyEscape)
		f.openManager()
		shot("forecast-today")
	}},
	{"already", shotDemo, scanKind(pickup.VerdictAlreadyCollected)},
	{"wrong", shotDemo, scanKind(pickup.VerdictWrongCentre)},
	{"notyet", shotDemo, scanKind(pickup.VerdictNotYetOpen)},
	{"closed", shotDemo, scanKind(pickup.VerdictWindowClosed)},
	{"cancelled", shotDemo, scanKind(pickup.VerdictCancelled)},
	{"unknown", shotDemo, scanKind(pickup.VerdictUnknownCode)},
	{"typo", shotDemo, scanKind(pickup.VerdictInvalidCode)},
	{"contrast", shotDemo, func(f *fixture, shot func(string)) {
		f.key(fyne.KeyF8)
		f.scan(f.sample(pickup.VerdictOK))
		shot("ok-contrast")
	}},
	{"trouble", shotTrouble, func(f *fixture, shot func(string)) {
		shot("offline-conflicts")
		f.key(fyne.KeyF8)
		shot("offline-conflicts-contrast")
		f.key(fyne.KeyF8)
		f.key(fyne.KeyF9)
		shot("conflicts-list")
	}},
	{"manager", shotDemo, func(f *fixture, shot func(string)) {
		tr := f.ui.tr()
		f.shipments()
		f.key(fyne.KeyF5)
		shot("manager-no-pin")
		f.key(fyne.KeyEscape)
		f.openManager()
		f.key(fyne.KeyEscape)
		f.key(fyne.KeyF5)
		for range store.PINFreeTries {
			f.scan("0000")
		}
		shot("manager-pin-wait")
		f.clock.Add(store.PINMaxDelay)
		f.openManager()
		for i, mt := range f.ui.managerTabs() { // every tab, whoever added it
			f.managerTab(tr.T(mt.title))
			shot("manager-" + strconv.Itoa(i+1) + "-" + strings.TrimPrefix(mt.title, "ui.manager.tab."))
		}
		// A short line without a reason; a loss recorded.
		receive := f.managerTab(tr.T("ui.manager.tab.receive"))
		f.typeInto(fieldOf(f.t, receive, ""), "900")
		f.key(fyne.KeyReturn)
		shot("manager-receive-why")
		count := f.managerTab(tr.T("ui.manager.tab.count"))
		walk(count, func(c fyne.CanvasObject) {
			if s, ok := c.(*widget.Select); ok {
				s.SetSelectedIndex(1)
			}
		})
		f.typeInto(fieldOf(f.t, count, tr.T("ui.stock.count.qty")), "40")
		f.typeInto(fieldOf(f.t, count, tr.T("ui.stock.count.reason")), "carton mouillé / nat / nass / wet")
		f.clock.Add(time.Minute)
		test.Tap(buttonIn(f.t, count, tr.T("ui.stock.loss.button")))
		shot("manager-count-done")
		f.managerTab(tr.T("ui.manager.tab.moves"))
		shot("manager-moves-after")
	}},
	{"pickups", shotDemo, func(f *fixture, shot func(string)) {
		tr := f.ui.tr()
		f.handOver(f.sample(pickup.VerdictKind("ok_masks_only")))
		f.foreignHandover(f.sample(pickup.VerdictKind("ok_masks_only")), f.clock.Now().Add(-time.Minute), "")
		f.openManager()
		tab := f.managerTab(tr.T("ui.manager.tab.pickups"))
		shot("manager-pickups")
		search := fieldOf(f.t, tab, tr.T("ui.mgr.pickups.search.hint"))
		f.typeInto(search, "peet")
		search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		test.Tap(buttonIn(f.t, tab, tr.T("ui.mgr.handovers.prev")))
		shot("manager-pickups-search-yesterday")
	}},
	{"conflicts", func(e *shotEnv, size fyne.Size) *fixture { return newTwoCounters(e.t, size).f }, func(f *fixture, shot func(string)) {
		tr := f.ui.tr()
		f.openManager()
		tab := f.managerTab(tr.T("ui.manager.tab.conflicts"))
		shot("manager-conflicts")
		test.Tap(buttonIn(f.t, tab, tr.T("ui.mgr.conflicts.mark")))
		shot("manager-conflicts-empty-note")
		f.typeInto(fieldOf(f.t, tab, tr.T("ui.mgr.conflicts.note.hint")), "Same nurse came twice; parcel asked back.")
		test.Tap(buttonIn(f.t, tab, tr.T("ui.mgr.conflicts.mark")))
		shot("manager-conflicts-reviewed")
	}},
	{"report", shotDemo, func(f *fixture, shot func(string)) {
		f.openManager()
		f.ui.ShowReport()
		shot("manager-report-form")
		p := f.ui.reportPanel
		p.folder.SetText(f.t.TempDir())
		p.format.SetSelected("pdf")
		test.Tap(p.write)
		shot("manager-report-written")
	}},
	{"picker", shotDemo, func(f *fixture, shot func(string)) {
		pickerHome(f.t.(*testing.T), f.sample(pickup.VerdictOK))
		f.key(fyne.KeyF7)
		shot("image-picker")
		test.Tap(pickerButton(f.t, f.ui.picker, "letters"))
		shot("image-picker-letters")
	}},
	{"firstrun", shotFirstRun, func(f *fixture, shot func(string)) { shot("first-run") }},
	{"enrol", shotEnrolPreview, func(f *fixture, shot func(string)) { shot("enrol-preview") }},
	{"syncpanel", shotEnrolled, func(f *fixture, shot func(string)) {
		shot("online")
		f.ui.ShowSyncPanel()
		shot("syncpanel")
	}},
}

// TestShots renders every screen of shotScreens in the four languages at
// both window sizes into $PICKUP_TEST_SHOTS, to look at without a display
// (`make screenshots` runs it; the real window's shots are
// scripts/screenshots.sh). PICKUP_TEST_SHOTS_ONLY=NAME renders one screen.
func TestShots(t *testing.T) {
	dir := os.Getenv("PICKUP_TEST_SHOTS")
	if dir == "" {
		t.Skip("set PICKUP_TEST_SHOTS=DIR to write PNGs")
	}
	only := os.Getenv("PICKUP_TEST_SHOTS_ONLY")
	env := &shotEnv{t: t}
	for _, sc := range shotScreens {
		if only != "" && only != sc.name {
			continue
		}
		for _, size := range shotSizes {
			for _, lang := range i18n.Languages {
				f := sc.start(env, size)
				f.ui.SetLang(lang)
				prefix := strconv.Itoa(int(size.Width)) + "x" + strconv.Itoa(int(size.Height)) + "-" + lang + "-"
				sc.show(f, func(name string) { f.capture(prefix + name) })
			}
		}
	}
}
