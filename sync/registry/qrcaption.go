package registry

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

var (
	captionOnce sync.Once
	captionFont *opentype.Font
	captionErr  error
)

// QRWithCode renders payload's QR code px wide with the code in text
// under it (7KQ4-M2XD-9PZC-H3W8), as codes --qr-dir writes it: a phone
// screen or a print-out of the image alone still lets the volunteer type
// the code when the QR cannot be read.
func QRWithCode(payload string, code pickup.Code, px int) ([]byte, error) {
	qr, err := qrprint.Image(payload, px, qrprint.Level)
	if err != nil {
		return nil, err
	}
	captionOnce.Do(func() { captionFont, captionErr = opentype.Parse(gomonobold.TTF) })
	if captionErr != nil {
		return nil, fmt.Errorf("caption font: %w", captionErr)
	}
	text := code.String()
	// The text fills most of the width: 19 characters of a monospace
	// font whose advance is 0.6 em.
	size := float64(px) * 0.85 / (float64(len(text)) * 0.6)
	face, err := opentype.NewFace(captionFont, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("caption font: %w", err)
	}
	defer face.Close()
	strip := int(size*1.4) + px/40
	img := image.NewGray(image.Rect(0, 0, px, px+strip))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{Y: 0xff}), image.Point{}, draw.Src)
	draw.Draw(img, qr.Bounds(), qr, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{Y: 0}), Face: face}
	w := d.MeasureString(text)
	d.Dot = fixed.Point26_6{X: (fixed.I(px) - w) / 2, Y: fixed.I(px + int(size))}
	d.DrawString(text)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode qr png: %w", err)
	}
	return buf.Bytes(), nil
}
