package counter

import (
	"context"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/testclock"
	"github.com/pickup-terminal/pickup/store"
)

// start is a fixed "now" for every test: a weekday morning in Brussels.
var start = time.Date(2020, time.November, 20, 10, 30, 0, 0, time.UTC)

type fixture struct {
	t     testing.TB
	ctx   context.Context
	dir   string
	st    *store.Store
	clock *testclock.Clock // shared by the store and the model
	win   fyne.Window
	ui    *UI
	demo  store.DemoResult
	logs  *logCount
}

// logCount counts log records by message.
type logCount struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *logCount) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCount) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[r.Message]++
	return nil
}
func (l *logCount) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCount) WithGroup(string) slog.Handler      { return l }
func (l *logCount) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[msg]
}

type setup struct {
	dir  string // an existing data folder (default: a new temporary one)
	demo bool
	opt  func(*Options)
	size fyne.Size
}

// newFixture opens a real store in a temporary folder (with the demo's
// data unless told otherwise) and the counter on Fyne's test driver.
func newFixture(t testing.TB, s setup) *fixture {
	t.Helper()
	test.NewTempApp(t)
	f := &fixture{t: t, ctx: context.Background(), dir: s.dir, clock: testclock.New(start),
		logs: &logCount{n: map[string]int{}}}
	if f.dir == "" {
		f.dir = t.TempDir()
	}
	st, err := store.Open(f.ctx, f.dir)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	st.Now, st.Loc = f.clock.Now, time.UTC
	f.st = st
	if s.demo {
		if f.demo, err = st.Demo(f.ctx, 200); err != nil {
			t.Fatalf("Demo: %v", err)
		}
	}
	opt := Options{Store: st, DataDir: f.dir, DataFlag: "--data " + f.dir, Lang: "en",
		Log: slog.New(f.logs), Loc: time.UTC}
	if s.opt != nil {
		s.opt(&opt)
	}
	f.win = test.NewWindow(nil)
	t.Cleanup(f.win.Close)
	size := s.size
	if size.IsZero() {
		size = fyne.NewSize(1280, 800)
	}
	f.win.Resize(size)
	f.ui = New(f.ctx, f.win, opt)
	f.ui.model.Now = f.clock.Now
	f.ui.now = f.clock.Now // a test types at scanner speed unless the clock moves
	f.ui.Refresh(f.ctx)    // what Run does first
	return f
}

// otherProcess opens the counter's store a second time, as the command
// line does beside the window, on the test's clock; it is closed when the
// test ends.
func (f *fixture) otherProcess() *store.Store {
	f.t.Helper()
	other, err := store.Open(f.ctx, f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { other.Close() })
	other.Now = f.clock.Now
	return other
}

func (f *fixture) sample(k pickup.VerdictKind) string {
	f.t.Helper()
	c, ok := f.demo.Samples[k]
	if !ok {
		f.t.Fatalf("demo has no sample for %s", k)
	}
	return c
}

// scan types text into whatever has the focus, as a USB scanner does, then Enter.
func (f *fixture) scan(text string) {
	f.t.Helper()
	f.typeText(text)
	f.key(fyne.KeyReturn)
}

func (f *fixture) focused() fyne.Focusable {
	f.t.Helper()
	foc := f.win.Canvas().Focused()
	if foc == nil {
		f.t.Fatal("nothing has the focus; the scan field should")
	}
	return foc
}

func (f *fixture) typeText(text string) {
	f.t.Helper()
	test.Type(f.focused(), text)
}

func (f *fixture) key(name fyne.KeyName) {
	f.t.Helper()
	f.focused().TypedKey(&fyne.KeyEvent{Name: name})
}

// canvasKey types a key with nothing focused, as when a dialog is open.
func (f *fixture) canvasKey(name fyne.KeyName) {
	f.t.Helper()
	f.win.Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: name})
}

func (f *fixture) shortcut(s fyne.Shortcut) {
	f.t.Helper()
	f.focused().(fyne.Shortcutable).TypedShortcut(s)
}

func (f *fixture) status() store.Status {
	f.t.Helper()
	st, err := f.st.Status(f.ctx)
	if err != nil {
		f.t.Fatalf("Status: %v", err)
	}
	return st
}

func (f *fixture) stock(key string) int {
	f.t.Helper()
	return f.status().StockMap()[key]
}

func (f *fixture) handovers() []store.Handed {
	f.t.Helper()
	hs, err := f.st.Handovers(f.ctx, time.Time{}, 0)
	if err != nil {
		f.t.Fatalf("Handovers: %v", err)
	}
	return hs
}

func (f *fixture) title() string { return richText(f.ui.title) }

// richText returns the text of a RichText.
func richText(rt *widget.RichText) string { return rt.String() }

// capture writes the window to dir/name.png when PICKUP_TEST_SHOTS is set,
// to look at the layout without a display.
func (f *fixture) capture(name string) {
	dir := os.Getenv("PICKUP_TEST_SHOTS")
	if dir == "" {
		return
	}
	// The test canvas lays out again only on resize.
	size := f.win.Canvas().Size()
	f.win.Resize(size.AddWidthHeight(1, 1))
	f.win.Resize(size)
	img := f.win.Canvas().Capture()
	out, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		f.t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, img); err != nil {
		f.t.Fatal(err)
	}
}

// walk calls fn for o and everything under it (containers and widgets'
// renderers), as the canvas holds them.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	for _, c := range children(o) {
		walk(c, fn)
	}
}

// children are the objects o holds on the canvas: a container's, or a
// widget's renderer's.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch x := o.(type) {
	case *fyne.Container:
		return x.Objects
	case fyne.Widget:
		return test.WidgetRenderer(x).Objects()
	}
	return nil
}

// managerTab selects the manager tab titled title (in English) and returns
// its content.
func (f *fixture) managerTab(title string) fyne.CanvasObject {
	f.t.Helper()
	for i, it := range f.ui.manager.tabs.Items {
		if it.Text == title {
			f.ui.manager.tabs.SelectIndex(i)
			return it.Content
		}
	}
	f.t.Fatalf("no manager tab %q", title)
	return nil
}

func entries(o fyne.CanvasObject) []*formEntry {
	var out []*formEntry
	walk(o, func(c fyne.CanvasObject) {
		if e, ok := c.(*formEntry); ok {
			out = append(out, e)
		}
	})
	return out
}

func buttonIn(t testing.TB, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var b *widget.Button
	walk(o, func(c fyne.CanvasObject) {
		if x, ok := c.(*widget.Button); ok && x.Text == text && b == nil {
			b = x
		}
	})
	if b == nil {
		t.Fatalf("no button %q", text)
	}
	return b
}

// tapButton taps the first button under o that says text.
func tapButton(t testing.TB, o fyne.CanvasObject, text string) { test.Tap(buttonIn(t, o, text)) }

func labelsIn(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// fieldOf returns the field under o with that placeholder.
func fieldOf(t testing.TB, o fyne.CanvasObject, placeholder string) *formEntry {
	t.Helper()
	for _, e := range entries(o) {
		if e.PlaceHolder == placeholder {
			return e
		}
	}
	t.Fatalf("no field %q", placeholder)
	return nil
}

func (f *fixture) typeInto(e *formEntry, text string) {
	f.win.Canvas().Focus(e)
	e.SetText("")
	test.Type(e, text)
}

// markup is the window as Fyne's test driver renders it, to look for text.
func (f *fixture) markup() string { return test.RenderToMarkup(f.win.Canvas()) }

// press taps the counter's button called name (a key of UI.buttons).
func (f *fixture) press(name string) { test.Tap(f.ui.buttons[name]) }

// tapPicker taps the image picker's button labelled text (the last one).
func tapPicker(t testing.TB, p *filePicker, text string) {
	t.Helper()
	var found *widget.Button
	walk(p.obj, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q in the picker (folder %s: %s)", text, p.dir, p.msg.Text)
	}
	test.Tap(found)
}
