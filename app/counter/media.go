package counter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // decode GIF images
	_ "image/jpeg" // decode photos of letters
	_ "image/png"  // decode screenshots
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/pickup-terminal/pickup/assets/i18n"
)

// errNoDecoder is returned when the build has no QR decoder wired in.
var errNoDecoder = errors.New("no QR decoder in this build")

// ErrNoCamera is what Options.Camera returns when no camera is plugged in.
var ErrNoCamera = errors.New("no camera connected")

// maxImageBytes and maxImagePixels bound an image read for a code (a
// letter scanned at 600 dpi is well under both).
const (
	maxImageBytes  = 64 << 20
	maxImagePixels = 40 << 20
)

// errImageTooLarge refuses an image too large to decode safely.
var errImageTooLarge = errors.New("image too large")

// DecodeReader reads an image and the code in it. It touches no widget.
func (u *UI) DecodeReader(ctx context.Context, r io.Reader) (string, error) {
	if u.opt.Decode == nil {
		return "", errNoDecoder
	}
	b, err := io.ReadAll(io.LimitReader(r, maxImageBytes))
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	if cfg.Width*cfg.Height > maxImagePixels {
		return "", fmt.Errorf("read image: %d×%d: %w", cfg.Width, cfg.Height, errImageTooLarge)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	text, err := u.opt.Decode(ctx, img)
	if err != nil {
		return "", fmt.Errorf("decode image: %w", err)
	}
	return text, nil
}

// OpenImageURI decodes an image dropped on the window.
func (u *UI) OpenImageURI(uri fyne.URI) {
	if !u.snap.setUp {
		return
	}
	r, err := storage.Reader(uri)
	if err != nil {
		u.imageResult("", fmt.Errorf("open image: %w", err))
		return
	}
	u.decodeAsync(r)
}

// decodeAsync decodes off the UI goroutine (a large photo takes a moment)
// and feeds the code into the counter flow through fyne.Do.
func (u *UI) decodeAsync(r io.ReadCloser) {
	u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.image.reading") })
	go func() {
		defer r.Close()
		text, err := u.DecodeReader(u.ctx, r)
		fyne.Do(func() { u.imageResult(text, err) })
	}()
}

// imageResult puts a decoded code into the same flow as a typed one.
func (u *UI) imageResult(text string, err error) {
	if err != nil {
		u.log.Info("image without a code", "err", err)
		u.setInfo(func(tr *i18n.Catalog) string {
			if errors.Is(err, errNoDecoder) {
				return tr.T("ui.image.no_decoder")
			}
			return tr.T("ui.image.none")
		})
		u.focusEntry()
		return
	}
	u.infoText = nil
	u.Submit(text)
}

func (u *UI) setInfo(f func(*i18n.Catalog) string) {
	u.infoText = f
	u.renderBody()
}

// ToggleCamera starts or stops scanning with the camera.
func (u *UI) ToggleCamera() {
	if u.camCancel != nil {
		u.camCancel()
		return
	}
	if u.opt.Camera == nil {
		u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.unavailable") })
		return
	}
	ctx, cancel := context.WithCancel(u.ctx)
	u.camCancel = cancel
	done := make(chan struct{})
	u.camDone = done
	u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.on") })
	run := u.opt.Camera
	go func() {
		defer close(done)
		err := run(ctx, func(text string) { fyne.Do(func() { u.cameraFound(text) }) })
		fyne.Do(func() { u.cameraStopped(ctx, err) })
	}()
}

// cameraFound feeds a code the camera read into the flow. The camera sees
// the same code in frame after frame: it is looked up once, until another
// code or Escape.
func (u *UI) cameraFound(text string) {
	if u.camCancel == nil {
		return
	}
	if !u.snap.setUp { // an enrolment QR code, read once (Enter enrols)
		if strings.TrimSpace(text) != strings.TrimSpace(u.setup.enrol.entry.Text) {
			u.Submit(text)
		}
		return
	}
	if text == u.model.Input() && u.model.Phase() != PhaseIdle {
		return
	}
	u.Submit(text)
}

func (u *UI) cameraStopped(ctx context.Context, err error) {
	u.camCancel = nil
	u.camDone = nil
	switch {
	case errors.Is(err, ErrNoCamera):
		u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.none") })
	case err != nil && ctx.Err() == nil:
		u.log.Warn("camera stopped", "err", err)
		u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.failed", "err", err.Error()) })
	default:
		u.setInfo(nil)
	}
	u.focusEntry()
}

// StopCamera stops the camera and waits for it to let go of the device.
func (u *UI) StopCamera() {
	cancel, done := u.camCancel, u.camDone
	if cancel == nil {
		return
	}
	cancel()
	<-done
}
