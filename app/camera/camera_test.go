package camera

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// frame is a tiny image standing for a frame carrying text ("" for none).
type frame struct {
	image.Image
	text string
}

func shows(text string) image.Image { return frame{image.NewGray(image.Rect(0, 0, 2, 2)), text} }

// fakeDecode reads the text a frame stands for.
func fakeDecode(_ context.Context, img image.Image) (string, error) {
	if f, ok := img.(frame); ok && f.text != "" {
		return f.text, nil
	}
	return "", errors.New("no code")
}

func TestRunDeduplicates(t *testing.T) {
	t.Parallel()
	none := func(n int) []string {
		s := make([]string, n)
		return s
	}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name   string
		frames []string
		want   []string
	}{
		{"nothing", none(5), nil},
		{"held still", []string{"A", "A", "A", "A"}, []string{"A"}},
		{"two codes", []string{"A", "A", "B", "B"}, []string{"A", "B"}},
		{"back and forth", []string{"A", "B", "A"}, []string{"A", "B", "A"}},
		{"flicker forgiven", cat([]string{"A"}, none(ForgetAfter-1), []string{"A"}), []string{"A"}},
		{"shown again later", cat([]string{"A"}, none(ForgetAfter), []string{"A"}), []string{"A", "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var imgs []image.Image
			for _, s := range tt.frames {
				imgs = append(imgs, shows(s))
			}
			var got []string
			err := Run(context.Background(), NewFrames(imgs...), fakeDecode, func(s string) { got = append(got, s) })
			if err != nil {
				t.Fatalf("Run = %v, want nil at end of frames", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunStopsOnContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	src := &Frames{Images: []image.Image{shows("A"), shows("B")}, Loop: true}
	n := 0
	err := Run(ctx, src, fakeDecode, func(string) {
		if n++; n == 5 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if n != 5 {
		t.Errorf("found %d codes, want 5 (stop right after cancel)", n)
	}
}

type failing struct{ err error }

func (f failing) Next(context.Context) (image.Image, error) { return nil, f.err }
func (f failing) Close() error                              { return nil }

func TestRunSourceError(t *testing.T) {
	t.Parallel()
	boom := errors.New("usb unplugged")
	err := Run(context.Background(), failing{boom}, fakeDecode, func(string) {})
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want it to wrap %v", err, boom)
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := image.NewGray(image.Rect(0, 0, 4, 3))
	var pngBuf, jpgBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpgBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, "a.png"), filepath.Join(dir, "b.jpg"), filepath.Join(dir, "c.png")}
	for i, b := range [][]byte{pngBuf.Bytes(), jpgBuf.Bytes(), []byte("not an image")} {
		if err := os.WriteFile(paths[i], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src := NewFiles(append(paths, filepath.Join(dir, "missing.png"))...)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		got, err := src.Next(ctx)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if got.Bounds().Dx() != 4 || got.Bounds().Dy() != 3 {
			t.Errorf("frame %d is %v, want 4×3", i, got.Bounds())
		}
	}
	if _, err := src.Next(ctx); err == nil {
		t.Error("corrupt file: got no error")
	}
	if _, err := src.Next(ctx); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want os.ErrNotExist", err)
	}
	if _, err := src.Next(ctx); err != io.EOF {
		t.Errorf("after the last file: got %v, want io.EOF", err)
	}
}

// yuyvOf packs an image of grey levels into YUYV with given chroma.
func yuyvOf(lum [][]uint8, u, v uint8) []byte {
	var b []byte
	for _, row := range lum {
		for x := 0; x < len(row); x += 2 {
			b = append(b, row[x], u, row[x+1], v)
		}
	}
	return b
}

func TestYUYV(t *testing.T) {
	t.Parallel()
	lum := [][]uint8{{0, 50, 100, 150}, {200, 250, 16, 235}}
	img, err := YUYV(yuyvOf(lum, 90, 240), 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	for y, row := range lum {
		for x, want := range row {
			got := img.YCbCrAt(x, y)
			if got != (color.YCbCr{Y: want, Cb: 90, Cr: 240}) {
				t.Errorf("pixel %d,%d = %v, want Y=%d Cb=90 Cr=240", x, y, got, want)
			}
		}
	}
	bad := []struct {
		name string
		buf  []byte
		w, h int
	}{
		{"short buffer", make([]byte, 10), 4, 2},
		{"odd width", make([]byte, 64), 3, 2},
		{"zero size", nil, 0, 0},
	}
	for _, tt := range bad {
		if _, err := YUYV(tt.buf, tt.w, tt.h); !errors.Is(err, ErrBadFrame) {
			t.Errorf("%s: YUYV = %v, want ErrBadFrame", tt.name, err)
		}
	}
}

// stripDHT removes the Huffman table segments from a JPEG stream, as many
// webcams send MJPEG frames.
func stripDHT(t *testing.T, b []byte) []byte {
	out := append([]byte(nil), b[:2]...)
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xff {
			t.Fatal("lost marker sync")
		}
		m := b[i+1]
		n := 2 + (int(b[i+2])<<8 | int(b[i+3]))
		if m == 0xda {
			return append(out, b[i:]...)
		}
		if m != 0xc4 {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	t.Fatal("no start of scan")
	return nil
}

func TestMJPEG(t *testing.T) {
	t.Parallel()
	src := image.NewGray(image.Rect(0, 0, 32, 16))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	whole := buf.Bytes()
	bare := stripDHT(t, whole)
	if hasDHT(bare) || !hasDHT(whole) {
		t.Fatal("test setup: DHT stripping did not work")
	}
	if _, err := jpeg.Decode(bytes.NewReader(bare)); err == nil {
		t.Fatal("test setup: Go decodes a JPEG without tables; the fix is untested")
	}
	for name, b := range map[string][]byte{"with tables": whole, "without tables": bare} {
		img, err := MJPEG(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if img.Bounds() != src.Bounds() {
			t.Errorf("%s: bounds %v, want %v", name, img.Bounds(), src.Bounds())
		}
	}
	if _, err := MJPEG([]byte("garbage")); !errors.Is(err, ErrBadFrame) {
		t.Errorf("garbage: got %v, want ErrBadFrame", err)
	}
	if _, err := MJPEG(whole[:len(whole)/2]); !errors.Is(err, ErrBadFrame) {
		t.Errorf("truncated: got %v, want ErrBadFrame", err)
	}
}

func TestOpenMissingDevice(t *testing.T) {
	t.Parallel()
	_, err := Open("/dev/video-does-not-exist", 1280, 720)
	if err == nil {
		t.Fatal("Open of a missing device succeeded")
	}
	if runtime.GOOS != "linux" && !errors.Is(err, ErrUnsupported) {
		t.Errorf("Open = %v, want ErrUnsupported on %s", err, runtime.GOOS)
	}
}

func TestDevices(t *testing.T) {
	t.Parallel()
	// No camera on the build machines: this only checks Devices runs and
	// lists device nodes.
	for _, d := range Devices() {
		if filepath.Dir(d) != "/dev" {
			t.Errorf("Devices lists %q, not a /dev node", d)
		}
	}
}
