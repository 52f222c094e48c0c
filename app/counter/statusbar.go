package counter

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The status bar is read from two metres: the sync state and the
// conflicts in StatusSize on a coloured band when something is wrong
// (orange for offline, red for a terminal the registry no longer takes and
// for conflicts; yellow and red in high contrast, with black text), the
// counts and the last sync in StatusLineSize, the key line in KeysSize.

// Level is how much the sync state needs someone's attention.
type Level int

// The levels of the sync state.
const (
	LevelOK   Level = iota // online, or nothing to sync with: plain text
	LevelWarn              // offline, busy, clock off: an orange (yellow) band
	LevelStop              // revoked, unknown, refused, certificate changed: a red band
)

// statusPill is the sync state: an icon and words on a band coloured by
// its level; tapping it opens the sync panel.
type statusPill struct {
	widget.BaseWidget
	bg    *canvas.Rectangle
	icon  *widget.Icon
	label *widget.Label
	over  *container.ThemeOverride
	onTap func()
	level Level
}

func newStatusPill(onTap func()) *statusPill {
	p := &statusPill{bg: canvas.NewRectangle(color.Transparent), icon: widget.NewIcon(nil),
		label: widget.NewLabel(""), onTap: onTap}
	p.bg.CornerRadius = 6
	p.label.Wrapping = fyne.TextWrapWord
	p.label.TextStyle.Bold = true
	iconBox := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(StatusSize*1.2), p.icon))
	p.over = container.NewThemeOverride(container.NewBorder(nil, nil, iconBox, nil, p.label), statusTheme{Theme: NewTheme(false)})
	p.ExtendBaseWidget(p)
	return p
}

func (p *statusPill) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(p.bg, container.NewPadded(p.over)))
}

// Tapped opens the sync panel.
func (p *statusPill) Tapped(*fyne.PointEvent) {
	if p.onTap != nil {
		p.onTap()
	}
}

// Cursor shows the pill can be tapped.
func (p *statusPill) Cursor() desktop.Cursor { return desktop.PointerCursor }

// set shows text at level, in the counter's theme th.
func (p *statusPill) set(th fyne.Theme, level Level, text string, icon fyne.Resource) {
	p.level = level
	band := fyne.ThemeColorName("")
	switch level {
	case LevelWarn:
		band = colorBandWarn
	case LevelStop:
		band = colorBandStop
	}
	if band == "" {
		p.bg.FillColor = color.Transparent
		p.icon.SetResource(icon)
	} else {
		p.bg.FillColor = th.Color(band, theme.VariantLight)
		p.icon.SetResource(theme.NewColoredResource(theme.WarningIcon(), colorOnBand))
		if level == LevelStop {
			p.icon.SetResource(theme.NewColoredResource(theme.ErrorIcon(), colorOnBand))
		}
	}
	p.over.Theme = statusTheme{Theme: th, onBand: band != ""}
	p.label.SetText(text)
	p.bg.Refresh()
	p.over.Refresh()
}

// statusTheme sets the status bar's large text (and, on a band, its
// colour) inside the counter's theme, with less padding than the theme's
// inside a widget: the status bar keeps the verdict room at 1024×768.
type statusTheme struct {
	fyne.Theme
	onBand bool
	text   fyne.ThemeSizeName // the text size ("" = sizeStatus)
}

func (t statusTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		if t.text != "" {
			return t.Theme.Size(t.text)
		}
		return t.Theme.Size(sizeStatus)
	case theme.SizeNameInlineIcon:
		return StatusSize * 1.1
	case theme.SizeNameInnerPadding:
		return 5
	}
	return t.Theme.Size(n)
}

func (t statusTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.onBand && n == theme.ColorNameForeground {
		return t.Theme.Color(colorOnBand, v)
	}
	return t.Theme.Color(n, v)
}

// newStatusBar lays out the status bar: the sync state (its words wrap on
// a narrow screen) and the conflicts, then the last sync (with the version
// and peers when there is something to say) and the counts, then the key
// line.
func (u *UI) newStatusBar() fyne.CanvasObject {
	u.statePill = newStatusPill(u.ShowSyncPanel)
	u.online = u.statePill.label
	u.conflictsTheme = container.NewThemeOverride(u.buttons["conflicts"], statusTheme{Theme: NewTheme(u.highContrast)})
	u.lastSync.Wrapping = fyne.TextWrapWord
	u.help.Wrapping = fyne.TextWrapWord
	// Stock running out (manager_stock.go) says so beside the conflicts.
	top := container.NewBorder(nil, nil, nil, container.NewHBox(u.stockWarn, u.conflictsTheme), u.statePill)
	counts := container.NewBorder(nil, nil, nil, container.NewHBox(u.pending, u.summary), u.lastSync)
	th := NewTheme(u.highContrast)
	u.statusLines = []*container.ThemeOverride{
		container.NewThemeOverride(counts, statusTheme{Theme: th, text: sizeStatusLine}),
		container.NewThemeOverride(u.help, statusTheme{Theme: th, text: sizeKeys}),
	}
	return container.NewVBox(widget.NewSeparator(), top, u.statusLines[0], u.statusLines[1])
}

// themeStatus puts the counter's theme (normal or high contrast) under the
// status bar's overrides.
func (u *UI) themeStatus() {
	th := NewTheme(u.highContrast)
	// No conflict (or only reviewed ones) is said in the counts' size,
	// without red: large type is kept for what needs someone.
	text := fyne.ThemeSizeName(sizeStatus)
	if st := u.snap.status; st.Conflicts <= st.ConflictsReviewed {
		text = sizeStatusLine
	}
	u.conflictsTheme.Theme = statusTheme{Theme: th, text: text}
	for _, o := range u.statusLines {
		o.Theme = statusTheme{Theme: th, text: o.Theme.(statusTheme).text}
		o.Refresh()
	}
	u.conflictsTheme.Refresh()
}

// headerTheme is the top bar's centre and counter name: the body text, with
// little padding, so that two lines stand as high as the buttons beside.
type headerTheme struct{ fyne.Theme }

func (t headerTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameInnerPadding {
		return 2
	}
	return t.Theme.Size(n)
}
