// Package counter is the counter window for volunteers: the scan field, the
// verdict in large type with colour, icon and words, the glove size
// buttons, undo, the status bar, the manager's "Today" panel and the
// first-run screen. It holds no business rule: every decision is a call to
// the store (package store), and the view-model (Model) only sequences
// them. Everything here builds and tests without cgo on Fyne's test driver;
// package main only opens the real window around it.
package counter

import (
	"context"
	"image"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Setting keys the window keeps in the store, besides store.KeyLang.
const (
	KeyHighContrast = "ui_high_contrast"
	KeyRegistryURL  = store.KeyRegistryURL
)

// SyncState is what the sync engine tells the status bar. It is optional
// (nil until sync runs) and must be safe to call from any goroutine.
type SyncState interface {
	Online() bool
	// LastFailure explains why the last round failed (zero while it works).
	LastFailure() client.Failure
}

// Options configures the counter window.
type Options struct {
	Store *store.Store
	// DataDir is the data folder, shown on the first-run screen; DataFlag
	// is how a command names it ("--data DIR", or "" for the default).
	DataDir  string
	DataFlag string
	// Lang forces the language for this run ("" = the remembered one, or
	// the environment's).
	Lang string
	// Env is the language the environment asks for, when none is remembered.
	EnvLang string
	Sync    SyncState
	// Decode reads a code from an image (a screenshot, a scanned letter).
	Decode func(ctx context.Context, img image.Image) (string, error)
	// Camera scans with a camera until ctx is cancelled, calling found for
	// every code it reads (from its own goroutine). Nil when this computer
	// has no camera support.
	Camera func(ctx context.Context, found func(text string)) error
	Log    *slog.Logger
	Loc    *time.Location
}

// UI is the counter window's content and its state.
type UI struct {
	opt   Options
	ctx   context.Context
	win   fyne.Window
	model *Model
	log   *slog.Logger

	entry         *scanEntry
	entryTheme    *container.ThemeOverride
	buttons       map[string]*widget.Button
	sizeButtons   map[string]*sizeButton
	sizesBox      *fyne.Container
	pendingDigits string
	pendingAt     time.Time
	now           func() time.Time // the clock that tells a scanner from a person

	header, info, help                 *widget.Label
	band                               *canvas.Rectangle
	bandIcon                           *widget.Icon
	title, code, lines, minor, notice  *widget.RichText
	next                               *widget.RichText
	actions                            *fyne.Container
	online, lastSync, pending, summary *widget.Label
	statePill                          *statusPill
	conflictsTheme                     *container.ThemeOverride
	statusLines                        []*container.ThemeOverride
	headerTheme                        *container.ThemeOverride
	stockWarn                          *widget.Label // stock running out soon (manager_stock.go)

	counterView fyne.CanvasObject
	verdictView *fyne.Container
	statusBar   fyne.CanvasObject
	today       *todayPanel
	manager     *managerScreen
	setup       *setupPanel
	syncPanel   *syncPanel

	snap         snapshot
	showManager  bool
	highContrast bool
	camCancel    context.CancelFunc
	camDone      chan struct{}
	infoText     func(*i18n.Catalog) string
	dialog       dialog.Dialog
	reportPanel  *reportPanel // the Report button's form, made when first opened
	picker       *filePicker  // the image picker, while open
	pickerDir    string       // the folder an image was last picked in
	kick         chan struct{}
}

// New builds the counter in w, reads the remembered language and theme
// and the store's state, and puts the focus in the scan field.
func New(ctx context.Context, w fyne.Window, opt Options) *UI {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Loc == nil {
		opt.Loc = time.Local
	}
	u := &UI{opt: opt, ctx: ctx, win: w, log: opt.Log, buttons: map[string]*widget.Button{},
		sizeButtons: map[string]*sizeButton{}, kick: make(chan struct{}, 1), now: time.Now}
	remembered, _ := opt.Store.Lang(ctx)
	u.model = NewModel(opt.Store, i18n.Choose(opt.Lang, remembered, opt.EnvLang))
	u.model.Log, u.model.Loc = opt.Log, opt.Loc
	if hc, _ := opt.Store.Setting(ctx, KeyHighContrast); hc == "1" {
		u.highContrast = true
	}
	fyne.CurrentApp().Settings().SetTheme(NewTheme(u.highContrast))
	u.build()
	w.SetContent(u.root())
	u.attach()
	u.apply(u.readIdentity(ctx))
	u.focusEntry()
	return u
}

// Model returns the view-model.
func (u *UI) Model() *Model { return u.model }

func (u *UI) tr() *i18n.Catalog { return u.model.Catalog() }

func (u *UI) button(name string, icon fyne.Resource, imp widget.Importance, tap func()) *widget.Button {
	b := widget.NewButtonWithIcon("", icon, func() {
		tap()
		u.focusEntry()
	})
	b.Importance = imp
	u.buttons[name] = b
	return b
}

func (u *UI) build() {
	u.entry = newScanEntry()
	u.entry.onKey = u.typedKey
	u.entry.onRune = u.typedRune
	u.entry.onShortcut = u.typedShortcut
	u.entryTheme = container.NewThemeOverride(u.entry, codeTheme{NewTheme(u.highContrast)})

	u.header = widget.NewLabel("")
	u.header.TextStyle.Bold = true
	u.header.Wrapping = fyne.TextWrapWord // the whole name, on two lines on a narrow screen
	u.headerTheme = container.NewThemeOverride(u.header, headerTheme{NewTheme(u.highContrast)})
	u.info = widget.NewLabel("")
	u.info.Wrapping = fyne.TextWrapWord
	u.info.Hide()
	u.help = widget.NewLabel("")
	u.help.Wrapping = fyne.TextWrapWord

	for _, l := range i18n.Languages {
		u.button("lang."+l, nil, widget.MediumImportance, func() { u.SetLang(l) })
	}
	u.button("contrast", theme.ColorPaletteIcon(), widget.MediumImportance, u.ToggleContrast)
	u.button("manager", theme.AccountIcon(), widget.MediumImportance, u.ToggleManager)
	u.button("image", theme.FileImageIcon(), widget.MediumImportance, u.OpenImageDialog)
	u.button("camera", theme.MediaVideoIcon(), widget.MediumImportance, u.ToggleCamera)
	u.button("confirm", theme.ConfirmIcon(), widget.HighImportance, func() { u.model.Confirm(u.ctx); u.afterAction() })
	u.button("undo", theme.ContentUndoIcon(), widget.WarningImportance, func() { u.model.Undo(u.ctx); u.afterAction() })
	u.button("clear", theme.CancelIcon(), widget.MediumImportance, u.Escape)
	u.button("conflicts", theme.WarningIcon(), widget.LowImportance, u.ShowConflicts)
	u.button("sync", theme.ViewRefreshIcon(), widget.MediumImportance, u.ShowSyncPanel)

	u.band = canvas.NewRectangle(nil)
	u.band.CornerRadius = 8
	u.bandIcon = widget.NewIcon(nil)
	u.title = newWrapped()
	u.code = widget.NewRichText()
	u.lines = newWrapped()
	u.minor = newWrapped()
	u.notice = newWrapped()
	u.next = newWrapped()
	u.sizesBox = container.NewGridWithColumns(4)
	u.actions = container.NewHBox(u.buttons["confirm"], u.buttons["undo"], u.buttons["clear"])

	u.lastSync = widget.NewLabel("")
	u.pending = widget.NewLabel("")
	u.summary = widget.NewLabel("")
	u.stockWarn = widget.NewLabel("")
	u.stockWarn.Importance = widget.DangerImportance
	u.stockWarn.TextStyle.Bold = true
	u.stockWarn.Hide()
	u.today = newTodayPanel()
	u.manager = newManagerScreen(u)
	u.setup = newSetupPanel(func() { u.StartDemo() }, newEnrolBox(u))
	u.syncPanel = newSyncPanel(u)
}

func (u *UI) root() fyne.CanvasObject {
	langs := container.NewHBox()
	for _, l := range i18n.Languages {
		langs.Add(u.buttons["lang."+l])
	}
	top := container.NewBorder(nil, nil, nil,
		container.NewHBox(langs, widget.NewSeparator(), u.buttons["contrast"], u.buttons["manager"], u.buttons["sync"]), u.headerTheme)
	scanRow := container.NewBorder(nil, nil, nil,
		container.NewHBox(u.buttons["image"], u.buttons["camera"]), u.entryTheme)

	bandContent := container.NewBorder(nil, nil,
		container.NewCenter(container.NewGridWrap(fyne.NewSize(TitleSize*1.1, TitleSize*1.1), u.bandIcon)),
		container.NewCenter(u.code),
		container.NewVBox(layout.NewSpacer(), u.title, layout.NewSpacer()))
	bandBox := container.NewStack(u.band, container.NewPadded(bandContent))
	body := container.NewVBox(u.lines, u.minor, u.sizesBox, u.notice, u.next)
	// The actions stay in view whatever the length of the text above.
	u.verdictView = container.NewBorder(bandBox, container.NewPadded(u.actions), nil, nil, container.NewVScroll(body))
	u.manager.obj.Hide()
	middle := container.NewStack(u.verdictView, u.manager.obj)

	u.statusBar = u.newStatusBar()
	u.counterView = container.NewBorder(container.NewVBox(scanRow, u.info), nil, nil, nil, middle)
	u.setup.obj.Hide()
	return container.NewBorder(
		container.NewVBox(top, widget.NewSeparator()),
		u.statusBar,
		nil, nil,
		container.NewStack(u.counterView, u.setup.obj))
}

// attach wires the window: keys typed while nothing has the focus go to
// the scan field (a scanner never loses a character), and files dropped on
// the window are decoded as images.
func (u *UI) attach() {
	c := u.win.Canvas()
	c.SetOnTypedRune(func(r rune) {
		if !u.snap.setUp { // a scanned enrolment text goes to its field
			u.setup.enrol.focus()
			u.setup.enrol.entry.TypedRune(r)
			return
		}
		u.closeDialog() // a scan while a list is open goes to the counter
		u.focusEntry()  // the scan field, or the manager PIN's
		if f := u.win.Canvas().Focused(); f != nil {
			f.TypedRune(r)
		}
	})
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if u.handleKey(k) || !u.snap.setUp {
			return
		}
		u.focusEntry()
		u.entry.TypedKey(k)
	})
	u.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		if len(uris) > 0 {
			u.OpenImageURI(uris[0])
		}
	})
}

// Entry returns the scan field.
func (u *UI) Entry() fyne.Focusable { return u.entry }

func (u *UI) focusEntry() {
	if u.snap.setUp && u.showManager && u.manager.gateOpen() {
		u.win.Canvas().Focus(u.manager.pin)
	} else if u.snap.setUp {
		u.win.Canvas().Focus(u.entry)
	} else if !u.setup.enrol.busy {
		u.setup.enrol.focus()
	}
}

// typedKey handles the keys of the counter; see the help line.
func (u *UI) typedKey(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		text := u.entry.Text // empty after digits that chose a size: Enter confirms
		u.pendingDigits = ""
		u.entry.SetText("")
		u.closeManager()
		u.model.Enter(u.ctx, text)
		u.afterAction()
		return true
	case fyne.KeyTab:
		return true
	}
	return u.handleKey(k)
}

// handleKey handles the keys that work everywhere, even with no focus.
func (u *UI) handleKey(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyEscape:
		u.Escape()
	case fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4:
		u.SetLang(i18n.Languages[slices.Index([]fyne.KeyName{fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4}, k.Name)])
	case fyne.KeyF5:
		u.ToggleManager()
	case fyne.KeyF6:
		u.ToggleCamera()
	case fyne.KeyF7:
		u.OpenImageDialog()
	case fyne.KeyF8:
		u.ToggleContrast()
	case fyne.KeyF9:
		u.ShowConflicts()
	default:
		return false
	}
	u.focusEntry()
	return true
}

// scannerGap separates a scanner from a person: a USB scanner types the
// characters of a code within a few milliseconds of each other, a person
// needs far longer between two keys.
const scannerGap = 80 * time.Millisecond

// typedRune takes the number keys as glove sizes while an ok parcel with
// gloves waits and the field is empty. A scanned code may begin with a
// digit too: digits followed within scannerGap by more characters were a
// scanner's, and go back in front of them as the start of the new code.
func (u *UI) typedRune(r rune) bool {
	now := u.now()
	if u.pendingDigits != "" && now.Sub(u.pendingAt) > scannerGap {
		u.pendingDigits = "" // a person's key: the size stays chosen
	}
	if u.model.Sized() && u.entry.Text == "" && r >= '1' && r <= '9' {
		u.pendingDigits += string(r)
		u.pendingAt = now
		u.model.ChooseKey(int(r - '0'))
		u.renderVerdict()
		return true
	}
	if u.pendingDigits != "" {
		text := u.pendingDigits + string(r)
		u.pendingDigits = ""
		u.model.Unchoose()
		u.entry.SetText(text)
		u.entry.CursorColumn = len([]rune(text))
		u.entry.Refresh()
		u.renderVerdict()
		return true
	}
	return false
}

// typedShortcut takes Ctrl+Z as "undo the handover" when the field is empty.
func (u *UI) typedShortcut(s fyne.Shortcut) bool {
	if _, ok := s.(*fyne.ShortcutUndo); ok && u.entry.Text == "" && u.model.Phase() == PhaseHanded {
		u.model.Undo(u.ctx)
		u.afterAction()
		return true
	}
	return false
}

// Submit looks up a code from the camera or an image, as if typed.
func (u *UI) Submit(text string) {
	if !u.snap.setUp {
		if protocol.LooksLikeEnrolmentURI(text) { // an enrolment QR code
			u.setup.enrol.entry.SetText(text)
			u.setup.enrol.submit(text)
		}
		return
	}
	u.closeDialog()
	u.pendingDigits = ""
	u.entry.SetText("")
	u.closeManager()
	u.model.Lookup(u.ctx, text)
	u.afterAction()
}

// afterAction renders the result of an action and asks the status bar to
// refresh at once.
func (u *UI) afterAction() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
	u.renderBody()
	u.focusEntry()
}

// Escape clears the screen and returns to the scan field, from anywhere.
func (u *UI) Escape() {
	u.closeDialog()
	u.pendingDigits = ""
	u.entry.SetText("")
	u.closeManager()
	u.infoText = nil
	u.model.Clear()
	u.renderBody()
	u.focusEntry()
}

func (u *UI) closeDialog() {
	if u.dialog != nil {
		d := u.dialog
		u.dialog = nil
		d.Hide()
	}
}

// showDialog opens content as the window's one dialog, in place of any
// other, titled and with its close button (dismiss); when it closes,
// onClosed runs (when given) and the scan field takes the focus back.
func (u *UI) showDialog(title, dismiss string, content fyne.CanvasObject, onClosed func()) dialog.Dialog {
	d := dialog.NewCustom(title, dismiss, content, u.win)
	d.SetOnClosed(func() {
		u.dialog = nil
		if onClosed != nil {
			onClosed()
		}
		u.focusEntry()
	})
	u.closeDialog()
	u.dialog = d
	d.Show()
	return d
}

// dialogSize is a dialog's content size: w×h, or less on a smaller
// window, keeping margins mw and mh around it.
func (u *UI) dialogSize(w, h, mw, mh float32) fyne.Size {
	win := u.win.Canvas().Size()
	return fyne.NewSize(min(w, win.Width-mw), min(h, win.Height-mh))
}

// SetLang switches every text to lang at once and remembers it.
func (u *UI) SetLang(lang string) {
	lang = i18n.Normalize(lang)
	u.model.SetLang(lang)
	if err := u.opt.Store.SetLang(u.ctx, lang); err != nil {
		u.log.Warn("remember language", "err", err)
	}
	u.render()
}

// ToggleContrast switches the high-contrast theme and remembers it.
func (u *UI) ToggleContrast() {
	u.highContrast = !u.highContrast
	v := ""
	if u.highContrast {
		v = "1"
	}
	if err := u.opt.Store.SetSetting(u.ctx, KeyHighContrast, v); err != nil {
		u.log.Warn("remember theme", "err", err)
	}
	fyne.CurrentApp().Settings().SetTheme(NewTheme(u.highContrast))
	u.entryTheme.Theme = codeTheme{NewTheme(u.highContrast)}
	u.entryTheme.Refresh()
	u.themeStatus()
	u.headerTheme.Theme = headerTheme{NewTheme(u.highContrast)}
	u.headerTheme.Refresh()
	u.render()
}

// HighContrast reports whether the high-contrast theme is on.
func (u *UI) HighContrast() bool { return u.highContrast }

// StartDemo fills an empty terminal with the demo's data.
func (u *UI) StartDemo() {
	res, err := u.opt.Store.Demo(u.ctx, 0)
	if err != nil {
		u.log.Error("start demo", "err", err)
		u.setup.err = err
	} else {
		u.log.Info("demo started", "pickups", res.Pickups)
		u.setup.err = nil
	}
	u.Refresh(u.ctx)
	u.focusEntry()
}

// ShowConflicts opens the list of double handovers.
func (u *UI) ShowConflicts() {
	if !u.snap.setUp {
		return
	}
	tr := u.tr()
	cs, err := u.opt.Store.ConflictCases(u.ctx)
	var rows []fyne.CanvasObject
	switch {
	case err != nil:
		rows = append(rows, widget.NewLabel(tr.T("ui.conflicts.error", "err", err.Error())))
	case len(cs) == 0:
		rows = append(rows, widget.NewLabel(tr.T("ui.conflicts.none")))
	default:
		rows = append(rows, widget.NewLabel(tr.T("ui.conflicts.intro")))
		for _, cc := range cs {
			for _, c := range cc.Sides {
				where := c.CentreID
				if c.Local {
					where += " · " + tr.T("ui.conflicts.here")
				}
				l := widget.NewLabel(tr.T("ui.conflicts.row", "code", c.Code, "when", tr.DateTime(c.At, u.opt.Loc),
					"centre", where, "terminal", counterName(c.Counter, c.TerminalID)))
				l.Wrapping = fyne.TextWrapWord
				rows = append(rows, l)
				if d := conflictDetail(tr, c.Detail); d != "" {
					rows = append(rows, wrapped("    "+d))
				}
			}
			for _, r := range cc.Reviews {
				l := wrapped("    " + tr.T("ui.mgr.conflicts.review", "counter", counterName(r.Counter, r.TerminalID),
					"when", tr.DateTime(r.At, u.opt.Loc), "note", r.Note))
				l.TextStyle.Italic = true
				rows = append(rows, l)
			}
		}
	}
	content := container.NewVScroll(container.NewVBox(rows...))
	content.SetMinSize(fyne.NewSize(700, 360))
	u.showDialog(tr.T("ui.conflicts.title"), tr.T("ui.close"), content, nil)
	u.win.Canvas().Unfocus()
}

// render puts the current state and language on every widget.
func (u *UI) render() {
	tr := u.tr()
	if u.snap.setUp {
		// The campaign is named in the window's title, leaving the top bar
		// room for the centre's and the counter's names at 1024×768.
		title := u.snap.status.Centre.Name
		if c := u.snap.camp; c != nil && c.ID != "" {
			title += " · " + c.Names.In(tr.Lang)
		}
		u.win.SetTitle(tr.T("ui.window.title", "centre", title))
	} else {
		u.win.SetTitle(tr.T("ui.setup.header"))
	}
	for _, l := range i18n.Languages {
		b := u.buttons["lang."+l]
		b.SetText(strings.ToUpper(l))
		if l == tr.Lang {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
	u.buttons["contrast"].SetText(tr.T("ui.contrast"))
	u.buttons["image"].SetText(tr.T("ui.image.open"))
	u.buttons["clear"].SetText(tr.T("ui.clear"))
	u.entry.SetPlaceHolder(tr.T("ui.scan.placeholder"))
	u.help.SetText(tr.T("ui.keys"))
	u.renderStatus()
	u.renderBody()
}

// renderBody shows the first-run screen, the Today panel or the verdict:
// all that changes after a scan or a key.
func (u *UI) renderBody() {
	tr := u.tr()
	if u.camCancel != nil {
		u.buttons["camera"].SetText(tr.T("ui.camera.stop"))
	} else {
		u.buttons["camera"].SetText(tr.T("ui.camera.start"))
	}
	if u.infoText != nil {
		u.info.SetText(u.infoText(tr))
		u.info.Show()
	} else {
		u.info.Hide()
	}
	if !u.snap.setUp {
		u.statusBar.Hide()
		u.counterView.Hide()
		u.setup.render(tr, u.opt)
		u.setup.obj.Show()
		u.buttons["manager"].Hide() // nothing to manage before the counter is set up
		return
	}
	u.setup.obj.Hide()
	u.statusBar.Show()
	u.counterView.Show()
	u.buttons["manager"].Show()
	u.renderStockWarn(tr)
	u.renderManager(tr)
	u.renderVerdict()
}

var toneStyle = map[Tone]struct {
	band fyne.ThemeColorName
	icon func() fyne.Resource
}{
	ToneIdle:  {colorBandIdle, theme.SearchIcon},
	ToneOK:    {colorBandOK, theme.ConfirmIcon},
	ToneDone:  {colorBandDone, theme.ConfirmIcon},
	ToneWarn:  {colorBandWarn, theme.WarningIcon},
	ToneStop:  {colorBandStop, theme.CancelIcon},
	ToneError: {colorBandStop, theme.ErrorIcon},
}

// renderVerdict puts the model's view on the verdict panel.
func (u *UI) renderVerdict() {
	tr := u.tr()
	v := u.model.View()
	st := toneStyle[v.Tone]
	icon := st.icon()
	if v.Phase == PhaseUndone {
		icon = theme.ContentUndoIcon()
	}
	th := NewTheme(u.highContrast)
	u.band.FillColor = th.Color(st.band, theme.VariantLight)
	u.band.Refresh()
	u.bandIcon.SetResource(theme.NewColoredResource(icon, colorOnBand))
	setRich(u.title, para(u.titleSize(v.Title), colorOnBand, true, v.Title))
	code := para(theme.SizeNameText, colorOnBand, false, v.Code)
	for _, s := range code {
		s.(*widget.TextSegment).Style.Alignment = fyne.TextAlignTrailing
	}
	setRich(u.code, code)
	var lines []widget.RichTextSegment
	if v.Name != "" {
		role := ""
		if v.Role != "" {
			role = " — " + v.Role
		}
		lines = append(lines,
			&widget.TextSegment{Text: v.Name, Style: widget.RichTextStyle{Inline: true, SizeName: sizeBig,
				ColorName: theme.ColorNameForeground, TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: role, Style: widget.RichTextStyle{SizeName: sizeBig, ColorName: theme.ColorNameForeground}})
	}
	setRich(u.lines, append(lines, para(sizeBig, theme.ColorNameForeground, true, v.Lines...)...))
	setRich(u.minor, para(sizeBig, theme.ColorNameForeground, false, v.Minor...))
	setRich(u.notice, para(sizeBig, colorAttention, true, v.Notice))
	next := ""
	if v.Next != "" {
		next = "→ " + v.Next
	}
	setRich(u.next, para(sizeBig, theme.ColorNameForeground, false, next))

	if len(v.Sizes) == 0 {
		u.sizesBox.Hide()
	} else {
		u.syncSizeButtons(v.Sizes)
		for _, c := range v.Sizes {
			u.sizeButtons[c.Size].set(c, tr.T("ui.size.key", "key", strconv.Itoa(c.Key))+" · "+stockText(tr, c.Stock))
		}
		u.sizesBox.Show()
	}
	showButton(u.buttons["confirm"], v.Confirm, v.CanConfirm)
	showButton(u.buttons["undo"], v.Undo, v.CanUndo)
	if v.Phase == PhaseIdle {
		u.buttons["clear"].Hide()
	} else {
		u.buttons["clear"].Show()
	}
	// Lay the panel out again now: the text changed height, and a scroll's
	// content is not laid out again by itself when only its children grew.
	u.verdictView.Refresh()
}

// titleSize is the verdict title's size: TitleSize, or TitleLongSize for
// a title that would not stand on one line in the band (at 1024×768 a
// title on two lines pushed the glove size buttons out of view).
func (u *UI) titleSize(title string) fyne.ThemeSizeName {
	w := u.title.Size().Width - 2*theme.InnerPadding()
	if w > 0 && fyne.MeasureText(title, TitleSize, fyne.TextStyle{Bold: true}).Width > w {
		return sizeTitleLong
	}
	return sizeTitle
}

// syncSizeButtons makes one button per size offered, reusing them.
func (u *UI) syncSizeButtons(sizes []SizeChoice) {
	same := len(u.sizesBox.Objects) == len(sizes)
	for i, c := range sizes {
		if same {
			if b := u.sizeButtons[c.Size]; b == nil || u.sizesBox.Objects[i] != b.obj {
				same = false
			}
		}
	}
	if same {
		return
	}
	u.sizesBox.RemoveAll()
	clear(u.sizeButtons)
	for _, c := range sizes {
		size := c.Size
		b := newSizeButton(size, func() {
			u.pendingDigits = ""
			u.model.Choose(size)
			u.renderVerdict()
			u.focusEntry()
		})
		u.sizeButtons[size] = b
		u.sizesBox.Add(b.obj)
	}
	u.sizesBox.Layout = layout.NewGridLayoutWithColumns(max(len(sizes), 1))
}

// showButton shows b with text, enabled or not; an empty text hides it.
func showButton(b *widget.Button, text string, enabled bool) {
	if text == "" {
		b.Hide()
		return
	}
	b.SetText(text)
	setEnabled(b, enabled)
	b.Show()
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

func stockText(tr *i18n.Catalog, n int) string {
	if n <= 0 {
		return tr.T("ui.size.none")
	}
	return tr.T("ui.size.left", "n", tr.Number(n))
}
