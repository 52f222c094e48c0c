package camera_test

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/png"
	"reflect"
	"testing"

	"github.com/pickup-terminal/pickup/app/camera"
	"github.com/pickup-terminal/pickup/app/scan"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

// yuyvFrame renders text as the registry prints it, places it on a grey
// 640×480 frame at (x, y) and packs the frame as a webcam's YUYV buffer.
func yuyvFrame(t *testing.T, text string, x, y int) []byte {
	t.Helper()
	frame := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range frame.Pix {
		frame.Pix[i] = 128
	}
	if text != "" {
		b, err := qrprint.PNG(text, 200)
		if err != nil {
			t.Fatal(err)
		}
		code, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		draw.Draw(frame, code.Bounds().Add(image.Pt(x, y)), code, image.Point{}, draw.Src)
	}
	buf := make([]byte, 0, 640*480*2)
	for i := 0; i < len(frame.Pix); i += 2 {
		buf = append(buf, frame.Pix[i], 128, frame.Pix[i+1], 128)
	}
	return buf
}

// TestRunWithDecoder replays recorded YUYV frames through the real decoder.
func TestRunWithDecoder(t *testing.T) {
	t.Parallel()
	const a, b = "7KQ4M2XD9PZCH3W7", "0000000000000000"
	recorded := []struct {
		text string
		x, y int
	}{
		{"", 0, 0}, {a, 100, 100}, {a, 110, 104}, {"", 0, 0}, {b, 300, 200}, {b, 302, 201},
	}
	var frames []image.Image
	for _, r := range recorded {
		img, err := camera.YUYV(yuyvFrame(t, r.text, r.x, r.y), 640, 480)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, img)
	}
	var got []string
	err := camera.Run(context.Background(), camera.NewFrames(frames...), scan.Decode, func(s string) { got = append(got, s) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{a, b}; !reflect.DeepEqual(got, want) {
		t.Errorf("found %q, want %q", got, want)
	}
}
