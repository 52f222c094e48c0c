package qrprint_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/scan"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

// signed is a signed payload as the registry prints it.
var signed = func() string {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	s, err := pickup.Sign(priv, pickup.SignedCode{
		KeyID:      pickup.KeyID(priv.Public().(ed25519.PublicKey)),
		Code:       "0000000000000000",
		CentreID:   "ANTWERPEN-Zuid-3",
		CampaignID: "rentree-scolaire-2026",
		ParcelKind: "hygiene-XL",
		Window:     pickup.Window{Start: pickup.MustDate("2026-08-24"), End: pickup.MustDate("2026-09-30")},
	})
	if err != nil {
		panic(err)
	}
	return s
}()

// roundTripCases: texts printed at a size in pixels.
var roundTripCases = []struct {
	name string
	text string
	px   int
}{
	{"bare code", "7KQ4M2XD9PZCH3W7", 256},
	{"bare code, 1 px modules", "7KQ4M2XD9PZCH3W7", 29},
	{"signed payload", signed, 512},
	{"signed payload, 2 px modules", signed, 2 * 73},
}

// TestRoundTrip prints bare and signed codes and reads them back with the
// terminal's decoder.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range roundTripCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := qrprint.PNG(tt.text, tt.px)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("png.Decode: %v", err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, tt.px, tt.px) {
				t.Errorf("image is %v, want %d×%d", got, tt.px, tt.px)
			}
			got, err := scan.Decode(context.Background(), img)
			if err != nil || got != tt.text {
				t.Errorf("Decode = %q, %v; want %q", got, err, tt.text)
			}
		})
	}
}

// TestLevelsAndQuietZone checks the symbol sizes each level gives and that
// the margin is QuietZone modules of white.
func TestLevelsAndQuietZone(t *testing.T) {
	t.Parallel()
	bare, sig := "7KQ4M2XD9PZCH3W7", signed
	tests := []struct {
		text  string
		level qrprint.ECLevel
		want  int // modules across, quiet zone included
	}{
		{bare, qrprint.ECMedium, 21 + 2*qrprint.QuietZone},
		{bare, qrprint.ECQuartile, 21 + 2*qrprint.QuietZone},
		{bare, qrprint.ECHigh, 25 + 2*qrprint.QuietZone},
		{sig, qrprint.ECMedium, 53 + 2*qrprint.QuietZone},
		{sig, qrprint.ECQuartile, 65 + 2*qrprint.QuietZone},
		{sig, qrprint.ECHigh, 73 + 2*qrprint.QuietZone},
	}
	for _, tt := range tests {
		got, err := qrprint.Modules(tt.text, tt.level)
		if err != nil || got != tt.want {
			t.Errorf("Modules(%.20q…, %v) = %d, %v; want %d", tt.text, tt.level, got, err, tt.want)
		}
		img, err := qrprint.Image(tt.text, got*3, tt.level)
		if err != nil {
			t.Fatal(err)
		}
		// The margin is white; the first module inside it is dark (the
		// finder pattern's corner).
		q := 3 * qrprint.QuietZone
		for i := 0; i < q; i++ {
			if img.Pix[i*img.Stride+i] != 0 || img.Pix[i] != 0 {
				t.Errorf("%v: margin not white at %d", tt.level, i)
			}
		}
		if img.Pix[q*img.Stride+q] != 1 {
			t.Errorf("%v: no finder pattern corner at the quiet zone's edge", tt.level)
		}
	}
}

// errorCases: what Image refuses (want) or must not panic on.
var errorCases = []struct {
	name string
	text string
	px   int
	want error
}{
	{"empty", "", 100, nil},
	{"too small", "7KQ4M2XD9PZCH3W7", 28, qrprint.ErrTooSmall},
	{"too long", strings.Repeat("x", 3000), 4000, nil},
}

func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range errorCases {
		_, err := qrprint.PNG(tt.text, tt.px)
		if err == nil {
			t.Errorf("%s: PNG succeeded", tt.name)
			continue
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: PNG = %v, want %v", tt.name, err, tt.want)
		}
	}
}
