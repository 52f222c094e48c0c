package scan

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/skip2/go-qrcode"

	"github.com/pickup-terminal/pickup/internal/qrprint"
)

const testCode = "7KQ4M2XD9PZCH3W7"

// printed returns text as the registry prints it, px wide.
func printed(t testing.TB, text string, px int) image.Image {
	t.Helper()
	b, err := qrprint.PNG(text, px)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// foreign renders a QR code of arbitrary text, as other apps print them.
func foreign(t testing.TB, text string) image.Image {
	t.Helper()
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	return q.Image(200)
}

func encode(t testing.TB, img image.Image, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	blank := image.NewGray(image.Rect(0, 0, 300, 200))
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.Gray{Y: 230}), image.Point{}, draw.Src)
	// A bare code whose check character is wrong: a misprint or a forgery
	// must not come out as a code.
	badCheck := testCode[:15] + "8"
	files := map[string][]byte{
		"code.png":      encode(t, printed(t, testCode, 240), "png"),
		"code.jpg":      encode(t, printed(t, testCode, 240), "jpeg"),
		"code.gif":      encode(t, printed(t, testCode, 240), "gif"),
		"blank.png":     encode(t, blank, "png"),
		"url.png":       encode(t, foreign(t, "https://www.redcross.be/"), "png"),
		"badcheck.png":  encode(t, foreign(t, badCheck), "png"),
		"text.png":      []byte("this is not an image"),
		"truncated.png": truncated(encode(t, printed(t, testCode, 240), "png")),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file    string
		want    string
		wantErr error
	}{
		{"code.png", testCode, nil},
		{"code.jpg", testCode, nil},
		{"code.gif", testCode, nil},
		{"blank.png", "", ErrNoCode},
		{"url.png", "", ErrNoCode},
		{"badcheck.png", "", ErrNoCode},
		{"text.png", "", ErrNotImage},
		{"truncated.png", "", ErrNotImage},
		{"missing.png", "", os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeFile(context.Background(), filepath.Join(dir, tt.file))
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Errorf("DecodeFile(%s) = %q, %v; want %q", tt.file, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || got != "" {
				t.Errorf("DecodeFile(%s) = %q, %v; want error %v", tt.file, got, err, tt.wantErr)
			}
		})
	}
}

func truncated(b []byte) []byte { return b[:len(b)/2] }

func TestDecodeDegenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		img  image.Image
	}{
		{"nil", nil},
		{"empty", image.NewGray(image.Rectangle{})},
		{"tiny", image.NewGray(image.Rect(0, 0, 5, 5))},
		{"one row", image.NewGray(image.Rect(0, 0, 500, 1))},
		{"offset bounds", image.NewGray(image.Rect(-40, -40, 40, 40))},
	}
	for _, tt := range tests {
		if got, err := Decode(context.Background(), tt.img); !errors.Is(err, ErrNoCode) {
			t.Errorf("%s: Decode = %q, %v; want ErrNoCode", tt.name, got, err)
		}
	}
}

// TestDecodeImageTypes feeds the same code as each image type the
// standard decoders and the camera produce, at an offset origin.
func TestDecodeImageTypes(t *testing.T) {
	t.Parallel()
	src := printed(t, testCode, 200)
	r := image.Rect(10, 20, 210, 220)
	rgba := image.NewRGBA(r)
	nrgba := image.NewNRGBA(r)
	gray := image.NewGray(r)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	gray16 := image.NewGray16(r)
	rgba64 := image.NewRGBA64(r)
	nrgba64 := image.NewNRGBA64(r)
	cmyk := image.NewCMYK(r)
	for _, dst := range []draw.Image{rgba, nrgba, gray, gray16, rgba64, nrgba64, cmyk} {
		draw.Draw(dst, r, src, image.Point{}, draw.Src)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ycc.Y[ycc.YOffset(x, y)] = gray.GrayAt(x, y).Y
		}
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	// A transparent background counts as white.
	clear := image.NewNRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if gray.GrayAt(x, y).Y < 128 {
				clear.SetNRGBA(x, y, color.NRGBA{A: 255})
			}
		}
	}
	for name, img := range map[string]image.Image{
		"paletted": src, "rgba": rgba, "nrgba": nrgba, "gray": gray, "ycbcr": ycc, "gray16": gray16,
		"rgba64": rgba64, "nrgba64": nrgba64, "cmyk": cmyk,
		"transparent": clear, "sub-image": rgba.SubImage(image.Rect(15, 25, 205, 215)),
	} {
		if got, err := Decode(context.Background(), img); err != nil || got != testCode {
			t.Errorf("%s: Decode = %q, %v; want %q", name, got, err, testCode)
		}
	}
}

func TestDecodeCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	if _, err := Decode(ctx, img); !errors.Is(err, context.Canceled) {
		t.Errorf("Decode with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestScanner checks that the camera's budgeted decoding reads a plain
// frame at once and gets to the slow stages within a cascade's length of
// frames.
func TestScanner(t *testing.T) {
	t.Parallel()
	frame := image.NewGray(image.Rect(0, 0, 1280, 720))
	for i := range frame.Pix {
		frame.Pix[i] = 120
	}
	draw.Draw(frame, image.Rect(500, 200, 740, 440), printed(t, testCode, 240), image.Point{}, draw.Src)
	var sc Scanner
	if got, err := sc.Decode(context.Background(), frame); err != nil || got != testCode {
		t.Fatalf("Scanner.Decode = %q, %v; want %q", got, err, testCode)
	}
	// An inverted code needs a slow stage: it must come within a round.
	inv := image.NewGray(frame.Bounds())
	for i, v := range frame.Pix {
		inv.Pix[i] = 255 - v
	}
	n := len(largeCascade) - fastStages
	for i := 0; i < n; i++ {
		if got, err := sc.Decode(context.Background(), inv); err == nil {
			if got != testCode {
				t.Fatalf("Scanner.Decode = %q, want %q", got, testCode)
			}
			return
		}
	}
	t.Errorf("inverted code not read in %d frames", n)
}

// FuzzDecode feeds arbitrary bytes as an image file: no input may panic,
// and anything decoded must be a trusted code.
func FuzzDecode(f *testing.F) {
	img := printed(f, testCode, 120)
	f.Add(encode(f, img, "png"))
	f.Add(encode(f, img, "jpeg"))
	f.Add(encode(f, img, "gif"))
	f.Add(encode(f, foreign(f, "https://www.redcross.be/"), "png"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		text, err := decodeReader(context.Background(), bytes.NewReader(b), 1<<20)
		if err == nil && !trusted(text) {
			t.Fatalf("decoded untrusted text %q", text)
		}
		if err != nil && text != "" {
			t.Fatalf("error %v with text %q", err, text)
		}
	})
}
