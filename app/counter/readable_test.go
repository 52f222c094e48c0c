package counter

import (
	"image"
	"image/color"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

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
		switch x := o.(type) {
		case *fyne.Container:
			for _, ch := range x.Objects {
				rec(ch, pos, at, view)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(x).Objects() {
				rec(ch, pos, at, view)
			}
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
