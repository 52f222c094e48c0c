package counter

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/assets/i18n"
)

// scanEntry is the code field. A USB scanner types into it like a keyboard;
// the window sees every key first (Enter, Escape, 1–4 for sizes, F-keys)
// and passes on what it does not handle.
type scanEntry struct {
	widget.Entry
	onKey      func(*fyne.KeyEvent) bool
	onRune     func(rune) bool
	onShortcut func(fyne.Shortcut) bool
}

func newScanEntry() *scanEntry {
	e := &scanEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey lets the window handle a key before the field does.
func (e *scanEntry) TypedKey(k *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(k) {
		return
	}
	e.Entry.TypedKey(k)
}

// TypedRune lets the window handle a character before the field does.
func (e *scanEntry) TypedRune(r rune) {
	if e.onRune != nil && e.onRune(r) {
		return
	}
	e.Entry.TypedRune(r)
}

// TypedShortcut lets the window handle Ctrl+Z (undo a handover).
func (e *scanEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// AcceptsTab keeps Tab in the field: the field keeps the focus, always.
func (e *scanEntry) AcceptsTab() bool { return true }

// sizeButton is one glove size: the size in large type, the stock left
// under it and its number key. A size with too little stock is disabled.
type sizeButton struct {
	size  string
	btn   *widget.Button
	text  *widget.RichText
	obj   fyne.CanvasObject
	state SizeChoice
}

func newSizeButton(size string, tap func()) *sizeButton {
	b := &sizeButton{size: size, btn: widget.NewButton("", tap), text: widget.NewRichText()}
	b.obj = container.NewStack(b.btn, container.NewPadded(b.text))
	return b
}

func (b *sizeButton) set(c SizeChoice, stockText string) {
	b.state = c
	fg := theme.ColorNameForeground
	switch {
	case !c.Enabled:
		b.btn.Disable()
		fg = theme.ColorNameDisabled
	case c.Chosen:
		b.btn.Enable()
		fg = theme.ColorNameForegroundOnPrimary
	default:
		b.btn.Enable()
	}
	if c.Chosen {
		b.btn.Importance = widget.HighImportance
	} else {
		b.btn.Importance = widget.MediumImportance
	}
	b.btn.Refresh()
	b.text.Segments = []widget.RichTextSegment{
		&widget.TextSegment{Text: c.Size, Style: widget.RichTextStyle{Alignment: fyne.TextAlignCenter,
			ColorName: fg, SizeName: sizeSize, TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: stockText, Style: widget.RichTextStyle{Alignment: fyne.TextAlignCenter,
			ColorName: fg, SizeName: theme.SizeNameText}},
	}
	b.text.Refresh()
}

// para makes paragraphs of one size, colour and weight.
func para(size fyne.ThemeSizeName, col fyne.ThemeColorName, bold bool, lines ...string) []widget.RichTextSegment {
	segs := make([]widget.RichTextSegment, 0, len(lines))
	for _, l := range lines {
		if l == "" {
			continue
		}
		segs = append(segs, &widget.TextSegment{Text: l, Style: widget.RichTextStyle{
			ColorName: col, SizeName: size, TextStyle: fyne.TextStyle{Bold: bold}}})
	}
	return segs
}

func setRich(rt *widget.RichText, segs []widget.RichTextSegment) {
	rt.Segments = segs
	rt.Refresh()
	if len(segs) == 0 {
		rt.Hide()
	} else {
		rt.Show()
	}
}

func newWrapped() *widget.RichText {
	rt := widget.NewRichText()
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// texts puts the counter's language on a screen's fixed words: each widget
// is registered with its translation key where it is made, and set words
// them all again (the language may have changed since).
type texts []func(tr *i18n.Catalog)

// texted registers x (a label, a button) to show key's translation.
func texted[T interface{ SetText(string) }](ts *texts, key string, x T) T {
	*ts = append(*ts, func(tr *i18n.Catalog) { x.SetText(tr.T(key)) })
	return x
}

// hinted registers e to show key's translation as its placeholder.
func hinted[T interface{ SetPlaceHolder(string) }](ts *texts, key string, e T) T {
	*ts = append(*ts, func(tr *i18n.Catalog) { e.SetPlaceHolder(tr.T(key)) })
	return e
}

// set words every registered widget in tr's language.
func (ts texts) set(tr *i18n.Catalog) {
	for _, f := range ts {
		f(tr)
	}
}
