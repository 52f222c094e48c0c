package counter

import (
	"image"
	"image/color"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
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
		// with a shipment on the way (manager_stock.go).
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
		tapButton(f.t, count, tr.T("ui.stock.loss.button"))
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
		tapButton(f.t, tab, tr.T("ui.mgr.handovers.prev"))
		shot("manager-pickups-search-yesterday")
	}},
	{"conflicts", func(e *shotEnv, size fyne.Size) *fixture { return newTwoCounters(e.t, size).f }, func(f *fixture, shot func(string)) {
		tr := f.ui.tr()
		f.openManager()
		tab := f.managerTab(tr.T("ui.manager.tab.conflicts"))
		shot("manager-conflicts")
		tapButton(f.t, tab, tr.T("ui.mgr.conflicts.mark"))
		shot("manager-conflicts-empty-note")
		f.typeInto(fieldOf(f.t, tab, tr.T("ui.mgr.conflicts.note.hint")), "Same nurse came twice; parcel asked back.")
		tapButton(f.t, tab, tr.T("ui.mgr.conflicts.mark"))
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
		tapPicker(f.t, f.ui.picker, "letters")
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

// placed is an object of the window with its place on the canvas.
type placed struct {
	obj fyne.CanvasObject
	pos fyne.Position
	// view is the part of the canvas it can be seen in: the canvas, or
	// the viewport of the scroll it is in.
	view fyne.Size
	at   fyne.Position // view's top-left corner
}

// walkPlaced calls fn for every visible object of the window's content,
// with its place on the canvas (containers and widgets' renderers, as the
// canvas holds them; a scroll's content is offset by its scroll).
func walkPlaced(c fyne.Canvas, fn func(p placed)) {
	var rec func(o fyne.CanvasObject, parent fyne.Position, at fyne.Position, view fyne.Size)
	rec = func(o fyne.CanvasObject, parent, at fyne.Position, view fyne.Size) {
		if o == nil || !o.Visible() {
			return
		}
		pos := parent.Add(o.Position())
		fn(placed{obj: o, pos: pos, view: view, at: at})
		if s, ok := o.(*container.Scroll); ok {
			at, view = pos, s.Size()
		}
		for _, ch := range children(o) {
			rec(ch, pos, at, view)
		}
	}
	rec(c.Content(), fyne.Position{}, fyne.Position{}, c.Size())
	for _, o := range c.Overlays().List() {
		rec(o, fyne.Position{}, fyne.Position{}, c.Size())
	}
}

// checkFits fails for any button of the window (or of a dialog over it)
// that is not wholly inside the canvas and, inside a scroll, inside its
// view; and for any label or rich text cut short with an ellipsis.
func checkFits(t testing.TB, f *fixture, name string) {
	t.Helper()
	c := f.win.Canvas()
	size := c.Size()
	buttons := 0
	defer func() {
		if buttons == 0 {
			t.Errorf("%s at %v: no button seen", name, size)
		}
	}()
	walkPlaced(c, func(p placed) {
		switch o := p.obj.(type) {
		case *widget.Button:
			buttons++
			s := o.Size()
			end := p.pos.Add(fyne.NewPos(s.Width, s.Height))
			if p.pos.X < -0.5 || p.pos.Y < -0.5 || end.X > size.Width+0.5 || end.Y > size.Height+0.5 {
				t.Errorf("%s at %v: button %q at %v size %v is off the canvas", name, size, o.Text, p.pos, s)
				return
			}
			vend := p.at.Add(fyne.NewPos(p.view.Width, p.view.Height))
			if p.pos.Y < p.at.Y-0.5 || end.Y > vend.Y+0.5 {
				t.Errorf("%s at %v: button %q at %v size %v is scrolled out of view (%v..%v)", name, size, o.Text, p.pos, s, p.at, vend)
			}
			if o.MinSize().Width > s.Width+0.5 {
				t.Errorf("%s at %v: button %q is %v wide, its words need %v", name, size, o.Text, s.Width, o.MinSize().Width)
			}
		case *widget.Label:
			if o.Truncation != fyne.TextTruncateOff && o.MinSize().Width > o.Size().Width+0.5 {
				t.Errorf("%s at %v: label %q is cut short", name, size, o.Text)
			}
		}
	})
}

// Every screen of the shots fits at 1024×768 in the four languages (Dutch
// pushed the glove sizes of the owed verdict out of view) and at 1280×800
// in English: no button off the window or
// out of view, no text cut short.
func TestScreensFit(t *testing.T) {
	if testing.Short() {
		t.Skip("renders every screen")
	}
	env := &shotEnv{t: t}
	runs := []struct {
		size fyne.Size
		lang string
	}{
		{fyne.NewSize(1024, 768), "fr"},
		{fyne.NewSize(1024, 768), "nl"},
		{fyne.NewSize(1024, 768), "de"},
		{fyne.NewSize(1024, 768), "en"},
		{fyne.NewSize(1280, 800), "en"},
	}
	only := os.Getenv("PICKUP_TEST_SHOTS_ONLY")
	for _, sc := range shotScreens {
		if only != "" && only != sc.name {
			continue
		}
		for _, r := range runs {
			f := sc.start(env, r.size)
			f.ui.SetLang(r.lang)
			sc.show(f, func(name string) {
				relayout(f)
				checkFits(t, f, r.lang+" "+name)
			})
		}
	}
}

// relayout lays the window out again (the test canvas does so only on
// resize), as capture does.
func relayout(f *fixture) {
	size := f.win.Canvas().Size()
	f.win.Resize(size.AddWidthHeight(1, 1))
	f.win.Resize(size)
}

// inkHeight is the height in pixels of the first letter drawn in r of img
// on background bg: the rows with ink in the first run of columns with ink.
func inkHeight(img image.Image, r image.Rectangle, bg color.Color) int {
	ink := func(x, y int) bool {
		a, b := img.At(x, y), bg
		r1, g1, b1, _ := a.RGBA()
		r2, g2, b2, _ := b.RGBA()
		d := absDiff(r1, r2) + absDiff(g1, g2) + absDiff(b1, b2)
		return d > 3*0x6000
	}
	x0, x1 := -1, r.Max.X // the first run of columns with ink
	for x := r.Min.X; x < r.Max.X; x++ {
		col := false
		for y := r.Min.Y; y < r.Max.Y && !col; y++ {
			col = ink(x, y)
		}
		if col && x0 < 0 {
			x0 = x
		} else if !col && x0 >= 0 {
			x1 = x
			break
		}
	}
	if x0 < 0 {
		return 0
	}
	h := 0 // the first run of rows with ink in them (the first line)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := false
		for x := x0; x < x1 && !row; x++ {
			row = ink(x, y)
		}
		if row {
			h++
		} else if h > 0 {
			break
		}
	}
	return h
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// rectOf is o's place on the canvas (in pixels: the test canvas's scale is 1).
func rectOf(c fyne.Canvas, o fyne.CanvasObject) image.Rectangle {
	var r image.Rectangle
	walkPlaced(c, func(p placed) {
		if p.obj == o {
			s := o.Size()
			r = image.Rect(int(p.pos.X), int(p.pos.Y), int(p.pos.X+s.Width), int(p.pos.Y+s.Height))
		}
	})
	return r
}

// textObject is the canvas text showing text (a button's words).
func textObject(c fyne.Canvas, text string) fyne.CanvasObject {
	var out fyne.CanvasObject
	walkPlaced(c, func(p placed) {
		if t, ok := p.obj.(*canvas.Text); ok && t.Text == text && out == nil {
			out = t
		}
	})
	return out
}

// From two metres: offline and conflicts on coloured bands in large type,
// in both themes and at both window sizes, and the other lines of the
// status bar and the key line larger than the 15 px they were. The test
// measures the capital letters drawn (the first letter of each line).
func TestStatusBarReadable(t *testing.T) {
	env := &shotEnv{t: t}
	for _, size := range shotSizes {
		for _, contrast := range []bool{false, true} {
			f := shotTrouble(env, size)
			f.ui.SetLang("fr")
			if contrast {
				f.key(fyne.KeyF8)
			}
			relayout(f)
			pill := f.ui.statePill
			if !strings.HasPrefix(pill.label.Text, "Hors ligne") {
				t.Fatalf("state = %q, want Hors ligne…", pill.label.Text)
			}
			th := NewTheme(contrast)
			if got, want := pill.bg.FillColor, th.Color(colorBandWarn, 0); got != want {
				t.Errorf("offline band = %v, want %v (contrast %v)", got, want, contrast)
			}
			conf := f.ui.buttons["conflicts"]
			if conf.Importance != widget.DangerImportance || conf.Icon == nil || conf.Text != "Conflits : 1" {
				t.Errorf("conflicts button: importance %v, icon %v, %q", conf.Importance, conf.Icon, conf.Text)
			}
			img := f.win.Canvas().Capture()
			bg := th.Color("background", 0)
			figures := []struct {
				what string
				obj  fyne.CanvasObject
				bg   color.Color
				min  int
			}{
				{"offline", pill.label, pill.bg.FillColor, 17},
				{"conflicts", textObject(f.win.Canvas(), conf.Text), th.Color("error", 0), 17},
				{"pending", f.ui.pending, bg, 14},
				{"keys", f.ui.help, bg, 13},
			}
			for _, fig := range figures {
				r := rectOf(f.win.Canvas(), fig.obj)
				if r.Empty() {
					t.Errorf("%s: not on the canvas", fig.what)
					continue
				}
				h := inkHeight(img, r, fig.bg)
				t.Logf("%v contrast=%v: %s capital letter %d px high", size, contrast, fig.what, h)
				if h < fig.min {
					t.Errorf("%v contrast=%v: %s letters %d px high, want ≥ %d", size, contrast, fig.what, h, fig.min)
				}
			}
			checkFits(t, f, "trouble")
		}
	}
	// No conflict: the button says so in the counts' size, without colour.
	f := shotDemo(env, SmallestSize)
	relayout(f)
	conf := f.ui.buttons["conflicts"]
	h := inkHeight(f.win.Canvas().Capture(), rectOf(f.win.Canvas(), textObject(f.win.Canvas(), conf.Text)), NewTheme(false).Color("background", 0))
	if conf.Importance != widget.LowImportance || h == 0 || h >= 19 {
		t.Errorf("no conflicts: importance %v, letters %d px high, want low and under 19", conf.Importance, h)
	}
}
