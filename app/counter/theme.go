package counter

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme names of our own, used by the verdict panel and the size buttons.
const (
	colorBandIdle fyne.ThemeColorName = "pickup.band.idle"
	colorBandOK   fyne.ThemeColorName = "pickup.band.ok"
	colorBandDone fyne.ThemeColorName = "pickup.band.done"
	colorBandWarn fyne.ThemeColorName = "pickup.band.warn"
	colorBandStop fyne.ThemeColorName = "pickup.band.stop"
	// colorOnBand is the text and icon colour on every band.
	colorOnBand fyne.ThemeColorName = "pickup.onband"
	// colorAttention is for a notice under the verdict (choose a size, out of stock).
	colorAttention fyne.ThemeColorName = "pickup.attention"

	// sizeTitle is the verdict's title: at least three times the body text,
	// to be read at two metres.
	sizeTitle fyne.ThemeSizeName = "pickup.title"
	// sizeTitleLong is a title too long for one line at sizeTitle.
	sizeTitleLong fyne.ThemeSizeName = "pickup.title.long"
	// sizeBig is the verdict's main lines (name, reason, what to do next).
	sizeBig fyne.ThemeSizeName = "pickup.big"
	// sizeCode is the scan field's text.
	sizeCode fyne.ThemeSizeName = "pickup.code"
	// sizeSize is the letter on a glove size button.
	sizeSize fyne.ThemeSizeName = "pickup.size"
	// sizeStatus is the status bar's sync state and conflicts, sizeStatusLine
	// its other lines, sizeKeys the key line: read from two metres.
	sizeStatus     fyne.ThemeSizeName = "pickup.status"
	sizeStatusLine fyne.ThemeSizeName = "pickup.statusline"
	sizeKeys       fyne.ThemeSizeName = "pickup.keys"
)

// Text sizes. BodySize is the theme's standard text; the verdict title is
// TitleSize, at least three times it.
const (
	BodySize  float32 = 18
	TitleSize float32 = 3.4 * BodySize
	// TitleLongSize is a verdict title too long for one line at TitleSize
	// (Handschoenen tegoed at 1024×768): 2.6 times the body text.
	TitleLongSize float32 = 2.6 * BodySize
	BigSize       float32 = 28
	// StatusSize is the sync state's and the conflicts' text in the status
	// bar, StatusLineSize the counts and last sync, KeysSize the key line
	// (pixels at scale 1). A capital letter is about 0.7 of it: 18 px at
	// StatusSize, about 6 mm on a 15" 1024×768 screen, which the eye reads
	// at two metres (it needs some 10 minutes of arc: 5.8 mm).
	StatusSize     float32 = 28
	StatusLineSize float32 = 22
	KeysSize       float32 = 20
)

// counterTheme is the window's theme: a light one with strong colours, or
// a high-contrast one (white on black, bright bands with black text). It
// ignores the desktop's dark or light preference, so that every counter of
// a centre looks the same.
type counterTheme struct {
	highContrast bool
}

// NewTheme returns the counter's theme.
func NewTheme(highContrast bool) fyne.Theme { return &counterTheme{highContrast: highContrast} }

func rgb(v uint32) color.Color {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

var normalColors = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameBackground:          rgb(0xf6f6f6),
	theme.ColorNameForeground:          rgb(0x121212),
	theme.ColorNameButton:              rgb(0xe2e2e2),
	theme.ColorNameDisabledButton:      rgb(0xececec),
	theme.ColorNameDisabled:            rgb(0x8a8a8a),
	theme.ColorNameInputBackground:     rgb(0xffffff),
	theme.ColorNameInputBorder:         rgb(0x7a7a7a),
	theme.ColorNamePlaceHolder:         rgb(0x5f5f5f),
	theme.ColorNamePrimary:             rgb(0x0b57d0),
	theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
	theme.ColorNameForegroundOnError:   rgb(0xffffff),
	theme.ColorNameForegroundOnWarning: rgb(0xffffff),
	theme.ColorNameForegroundOnSuccess: rgb(0xffffff),
	theme.ColorNameFocus:               rgb(0x0b57d0),
	theme.ColorNameHyperlink:           rgb(0x0b57d0),
	theme.ColorNameSeparator:           rgb(0xc4c4c4),
	theme.ColorNameHeaderBackground:    rgb(0xe8e8e8),
	theme.ColorNameOverlayBackground:   rgb(0xffffff),
	theme.ColorNameMenuBackground:      rgb(0xffffff),
	theme.ColorNameError:               rgb(0xb3261e),
	theme.ColorNameSuccess:             rgb(0x1e7b34),
	theme.ColorNameWarning:             rgb(0xa35200),
	colorBandIdle:                      rgb(0x455a64),
	colorBandOK:                        rgb(0x1e7b34),
	colorBandDone:                      rgb(0x0b57d0),
	colorBandWarn:                      rgb(0xa35200),
	colorBandStop:                      rgb(0xb3261e),
	colorOnBand:                        rgb(0xffffff),
	colorAttention:                     rgb(0x9a3f00),
}

var contrastColors = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameBackground:          rgb(0x000000),
	theme.ColorNameForeground:          rgb(0xffffff),
	theme.ColorNameButton:              rgb(0x2a2a2a),
	theme.ColorNameDisabledButton:      rgb(0x141414),
	theme.ColorNameDisabled:            rgb(0xa0a0a0),
	theme.ColorNameInputBackground:     rgb(0x000000),
	theme.ColorNameInputBorder:         rgb(0xffffff),
	theme.ColorNamePlaceHolder:         rgb(0xd0d0d0),
	theme.ColorNamePrimary:             rgb(0xffd400),
	theme.ColorNameForegroundOnPrimary: rgb(0x000000),
	theme.ColorNameForegroundOnError:   rgb(0x000000),
	theme.ColorNameForegroundOnWarning: rgb(0x000000),
	theme.ColorNameForegroundOnSuccess: rgb(0x000000),
	theme.ColorNameFocus:               rgb(0xffd400),
	theme.ColorNameHyperlink:           rgb(0xffd400),
	theme.ColorNameSeparator:           rgb(0xffffff),
	theme.ColorNameHeaderBackground:    rgb(0x1a1a1a),
	theme.ColorNameOverlayBackground:   rgb(0x000000),
	theme.ColorNameMenuBackground:      rgb(0x000000),
	theme.ColorNameError:               rgb(0xff5252),
	theme.ColorNameSuccess:             rgb(0x00e676),
	theme.ColorNameWarning:             rgb(0xffd400),
	colorBandIdle:                      rgb(0xffffff),
	colorBandOK:                        rgb(0x00e676),
	colorBandDone:                      rgb(0x40c4ff),
	colorBandWarn:                      rgb(0xffd400),
	colorBandStop:                      rgb(0xff5252),
	colorOnBand:                        rgb(0x000000),
	colorAttention:                     rgb(0xffd400),
}

func (t *counterTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	pal := normalColors
	if t.highContrast {
		pal = contrastColors
	}
	if c, ok := pal[n]; ok {
		return c
	}
	if t.highContrast {
		return theme.DefaultTheme().Color(n, theme.VariantDark)
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (t *counterTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t *counterTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *counterTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return BodySize
	case theme.SizeNameCaptionText:
		return 15
	case theme.SizeNameHeadingText:
		return 28
	case theme.SizeNameSubHeadingText:
		return 22
	case theme.SizeNameInlineIcon:
		return 24
	case theme.SizeNamePadding:
		return 5
	case theme.SizeNameInnerPadding:
		return 10
	case theme.SizeNameInputBorder:
		if t.highContrast {
			return 3
		}
		return 2
	case sizeTitle:
		return TitleSize
	case sizeTitleLong:
		return TitleLongSize
	case sizeBig:
		return BigSize
	case sizeCode:
		return 34
	case sizeSize:
		return 36
	case sizeStatus:
		return StatusSize
	case sizeStatusLine:
		return StatusLineSize
	case sizeKeys:
		return KeysSize
	}
	return theme.DefaultTheme().Size(n)
}

// codeTheme enlarges the scan field's text, inside the counter's theme.
type codeTheme struct{ fyne.Theme }

func (t codeTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return t.Theme.Size(sizeCode)
	}
	return t.Theme.Size(n)
}
