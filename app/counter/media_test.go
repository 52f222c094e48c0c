package counter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/scan"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

// pickerHome makes a personal folder with Pictures/letters/code.png (the QR
// code of text), a text file and a hidden image, and points $HOME at it.
func pickerHome(t *testing.T, text string) string {
	home := t.TempDir()
	letters := filepath.Join(home, "Pictures", "letters")
	if err := os.MkdirAll(letters, 0o700); err != nil {
		t.Fatal(err)
	}
	png, err := qrprint.PNG(text, 400)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"code.png": png, "notes.txt": []byte("x"), ".hidden.png": png} {
		if err := os.WriteFile(filepath.Join(letters, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, "Pictures", "Photo.JPG"), []byte("not really"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	return home
}

// The image picker speaks the counter's language, lists folders and
// images only, and reads the code of the image tapped into the counter.
func TestImagePicker(t *testing.T) {
	f := newFixture(t, setup{demo: true, size: fyne.NewSize(1024, 768), opt: func(o *Options) { o.Decode = scan.Decode }})
	code := f.sample(pickup.VerdictWrongCentre)
	home := pickerHome(t, code)
	f.ui.SetLang("nl")
	f.key(fyne.KeyF7)
	p := f.ui.picker
	if p == nil || f.ui.dialog == nil {
		t.Fatal("F7 did not open the image picker")
	}
	if got, want := p.dir, filepath.Join(home, "Pictures"); got != want {
		t.Errorf("picker opens on %s, want %s", got, want)
	}
	relayout(f)
	checkFits(t, f, "picker")
	markup := f.markup()
	for _, want := range []string{"Afbeelding van een QR-code openen", "Map hoger", "Persoonlijke map", "Sluiten", "letters", "Photo.JPG"} {
		if !strings.Contains(markup, want) {
			t.Errorf("picker in Dutch lacks %q", want)
		}
	}
	for _, english := range []string{"Cancel", "Open", "Up one folder"} {
		if strings.Contains(markup, ">"+english+"<") {
			t.Errorf("picker in Dutch shows %q", english)
		}
	}
	tapPicker(t, p, "letters")
	var names []string
	for _, e := range p.entries {
		names = append(names, e.name)
	}
	if got := strings.Join(names, ","); got != "code.png" {
		t.Errorf("letters/ lists %q, want only code.png (no text file, no hidden file)", got)
	}
	tapPicker(t, p, "code.png")
	deadline := time.Now().Add(30 * time.Second)
	for f.ui.model.Verdict().Kind != pickup.VerdictWrongCentre {
		if time.Now().After(deadline) {
			t.Fatalf("verdict after picking the image = %q, want wrong_centre (info %q)", f.ui.model.Verdict().Kind, f.ui.info.Text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if f.ui.dialog != nil {
		t.Error("the picker stays open after an image was picked")
	}
	// Next time it opens where the image was.
	f.key(fyne.KeyF7)
	if got, want := f.ui.picker.dir, filepath.Join(home, "Pictures", "letters"); got != want {
		t.Errorf("picker reopens on %s, want %s", got, want)
	}
	// A folder that cannot be read says so in the counter's language.
	f.ui.picker.open(filepath.Join(home, "nowhere"))
	if got := f.ui.picker.msg.Text; got != f.ui.tr().T("ui.picker.unreadable") {
		t.Errorf("unreadable folder: %q", got)
	}
}

func pngOf(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugePNGHeader is the start of a PNG file declaring 100,000×100,000 pixels.
func hugePNGHeader() []byte {
	ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x00\x00\x00\x00")
	b := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// An image goes through the decoder into the same flow as a typed code.
func TestOpenImage(t *testing.T) {
	var code string
	f := newFixture(t, setup{demo: true, opt: func(o *Options) {
		o.Decode = func(_ context.Context, img image.Image) (string, error) {
			if img.Bounds().Dx() != 8 {
				return "", errors.New("wrong image")
			}
			return code, nil
		}
	}})
	code = f.sample(pickup.VerdictWrongCentre)
	text, err := f.ui.DecodeReader(f.ctx, bytes.NewReader(pngOf(t)))
	f.ui.imageResult(text, err)
	if got := f.ui.model.Verdict().Kind; got != pickup.VerdictWrongCentre {
		t.Errorf("verdict from image = %s, want wrong_centre", got)
	}
	// A PNG that claims 100,000×100,000 pixels is refused before decoding.
	if _, err := f.ui.DecodeReader(f.ctx, bytes.NewReader(hugePNGHeader())); !errors.Is(err, errImageTooLarge) {
		t.Errorf("huge image: err = %v, want errImageTooLarge", err)
	}
	text, err = f.ui.DecodeReader(f.ctx, strings.NewReader("not an image"))
	f.ui.imageResult(text, err)
	if !f.ui.info.Visible() || !strings.Contains(f.ui.info.Text, "No code found") {
		t.Errorf("info = %q (visible %v), want no code found", f.ui.info.Text, f.ui.info.Visible())
	}
}

// Codes the camera reads go into the flow, once per code in view.
func TestCamera(t *testing.T) {
	var code string
	start, seen := make(chan struct{}), make(chan struct{})
	f := newFixture(t, setup{demo: true, opt: func(o *Options) {
		o.Camera = func(ctx context.Context, found func(string)) error {
			// The test driver runs fyne.Do at once, on this goroutine:
			// wait until the test is done with the widgets.
			<-start
			found(code)
			found(code) // the same code on the next frame
			close(seen)
			<-ctx.Done()
			return nil
		}
	}})
	code = f.demo.Samples["ok_masks_only"]
	f.key(fyne.KeyF6)
	close(start)
	<-seen // the camera now waits to be stopped: the widgets are ours again
	if got := f.ui.buttons["camera"].Text; got != "Stop camera (F6)" {
		t.Errorf("camera button = %q while scanning", got)
	}
	f.ui.StopCamera()
	if got := f.ui.buttons["camera"].Text; got != "Camera (F6)" {
		t.Errorf("camera button = %q after stop", got)
	}
	if got := f.ui.model.Phase(); got != PhaseOK {
		t.Fatalf("phase after camera = %v, want ok", got)
	}
	if got := f.logs.count("lookup"); got != 1 {
		t.Errorf("lookups = %d, want 1", got)
	}
	// No camera at all.
	g := newFixture(t, setup{demo: true})
	g.press("camera")
	if !strings.Contains(g.ui.info.Text, "No camera can be used") {
		t.Errorf("info = %q", g.ui.info.Text)
	}
}
