// Package qrprint renders a pickup code, bare or signed, as the QR image the
// registry prints on letters and sends to phones.
//
// # Error-correction level: Q
//
// Codes are printed at level Q (about 25% of codewords recoverable). The
// choice comes from the scan package's corpus (app/scan, TestECLevels):
// 338 images over 13 kinds of damage, plus 100 more with 10% of the symbol
// covered by glare, a finger or ink, rendered at M, Q and H at the same
// physical size (a higher level packs more modules into the same square,
// so each module is smaller), decoded by the terminal's decoder with and
// without its erasure decoding:
//
//	level  symbol (bare / signed)   corpus  10% occluded  occluded, no erasures
//	M      21 / 53 modules          94.4%   72%           59%
//	Q      21 / 61–65 modules       95.6%   99%           70%
//	H      25 / 69–73 modules       91.7%   100%          100%
//
// At M a tenth of the symbol under a thumb or a glare spot loses more than
// a code in four. H survives every occlusion, but its smaller modules cost
// more than that on blurred (20 of 26 against 25 at Q), small (cluttered:
// 23 against 26) and combined (13 against 18) captures, the common case at
// a counter. Q reads as well as M everywhere else and survives occlusion;
// for a bare code it is free (version 1, 21 modules, as at M). The "no
// erasures" column is what a decoder without erasure decoding (a phone's
// own scanner, ZXing, zbar) gets, and is better at Q than at M too.
//
// # Quiet zone: 4 modules
//
// Every image carries the standard's 4-module white margin (QuietZone).
// Finder-pattern detection needs light around the pattern; letters put text
// and logos next to the code and phone apps put it against frames and
// buttons, and a narrower margin lets those touch the pattern. (The corpus
// draws letter text close to the margin; narrower margins were not
// measured.)
package qrprint

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/skip2/go-qrcode"
)

// ECLevel is a QR error-correction level.
type ECLevel int

// The four QR error-correction levels, by the share of codewords they can
// restore.
const (
	ECLow      ECLevel = iota // L, about 7%
	ECMedium                  // M, about 15%
	ECQuartile                // Q, about 25%
	ECHigh                    // H, about 30%
)

// String returns the level's letter: L, M, Q or H.
func (l ECLevel) String() string {
	switch l {
	case ECLow:
		return "L"
	case ECMedium:
		return "M"
	case ECQuartile:
		return "Q"
	case ECHigh:
		return "H"
	}
	return fmt.Sprintf("ECLevel(%d)", int(l))
}

// recovery maps a level to go-qrcode's names, which are shifted by one:
// its "High" is Q and its "Highest" is H.
func (l ECLevel) recovery() (qrcode.RecoveryLevel, error) {
	switch l {
	case ECLow:
		return qrcode.Low, nil
	case ECMedium:
		return qrcode.Medium, nil
	case ECQuartile:
		return qrcode.High, nil
	case ECHigh:
		return qrcode.Highest, nil
	}
	return 0, fmt.Errorf("unknown error-correction level %d", int(l))
}

// Level is the error-correction level the registry prints with; see the
// package documentation for why.
const Level = ECQuartile

// QuietZone is the white margin around the symbol, in modules, that every
// image carries (the QR standard's minimum). Letters and phone screens put
// the code next to text and frames; a narrower margin lets those touch the
// finder patterns.
const QuietZone = 4

// ErrTooSmall is returned when the requested image cannot give every module
// at least one pixel.
var ErrTooSmall = errors.New("image too small for the code")

// PNG renders text at the registry's Level as a px×px black-on-white PNG
// with a QuietZone margin. Modules are whole pixels; what does not divide
// evenly goes into the margin. It fails for empty or over-long text and for a
// px too small to give each module a pixel (ErrTooSmall).
func PNG(text string, px int) ([]byte, error) {
	img, err := Image(text, px, Level)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode qr png: %w", err)
	}
	return buf.Bytes(), nil
}

// Modules returns the number of modules across the symbol for text at
// level, quiet zone included: the least px PNG accepts.
func Modules(text string, level ECLevel) (int, error) {
	bits, err := symbol(text, level)
	if err != nil {
		return 0, err
	}
	return len(bits) + 2*QuietZone, nil
}

// Image renders text at level as a px×px two-colour image, as PNG does.
// Tests and measurements use it to compare levels.
func Image(text string, px int, level ECLevel) (*image.Paletted, error) {
	bits, err := symbol(text, level)
	if err != nil {
		return nil, err
	}
	total := len(bits) + 2*QuietZone
	if px < total {
		return nil, fmt.Errorf("render qr: %d px for %d modules: %w", px, total, ErrTooSmall)
	}
	scale := px / total
	off := (px - len(bits)*scale) / 2
	img := image.NewPaletted(image.Rect(0, 0, px, px), color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}})
	for y, row := range bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				i := img.PixOffset(off+x*scale, off+y*scale+dy)
				for dx := 0; dx < scale; dx++ {
					img.Pix[i+dx] = 1
				}
			}
		}
	}
	return img, nil
}

// Symbol returns text's modules at level without any margin,
// bits[y][x] true for dark: for drawing the code as vectors (the
// registry's PDF letters) rather than pixels.
func Symbol(text string, level ECLevel) ([][]bool, error) { return symbol(text, level) }

// symbol encodes text and returns its modules without any margin,
// bits[y][x] true for dark.
func symbol(text string, level ECLevel) ([][]bool, error) {
	if text == "" {
		return nil, errors.New("render qr: empty text")
	}
	rl, err := level.recovery()
	if err != nil {
		return nil, fmt.Errorf("render qr: %w", err)
	}
	q, err := qrcode.New(text, rl)
	if err != nil {
		return nil, fmt.Errorf("render qr: %w", err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}
