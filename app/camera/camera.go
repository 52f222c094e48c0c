// Package camera captures frames for the counter's "scan with camera" mode
// and runs them through a decoder.
//
// A Source yields frames: Open gives the counter's webcam (Linux, V4L2,
// YUYV or MJPEG; other systems get ErrUnsupported), and Frames and Files
// replay recorded frames for tests and demonstrations. Run reads frames,
// decodes each and reports every code once while it stays in view:
//
//	cam, err := camera.Open("/dev/video0", 1280, 720)
//	…
//	defer cam.Close()
//	var sc scan.Scanner // a per-frame budget for camera streams
//	err = camera.Run(ctx, cam, sc.Decode, func(text string) { … })
package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"

	// Files reads PNG, JPEG and GIF.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
)

// ErrUnsupported is returned by Open on systems without V4L2 capture.
var ErrUnsupported = errors.New("camera capture is not supported on this system")

// Source yields camera frames. Next blocks until a frame is ready or ctx
// ends; io.EOF says there will be no more frames. A Source is used from one
// goroutine at a time.
type Source interface {
	Next(ctx context.Context) (image.Image, error)
	Close() error
}

// Frames is a Source replaying images held in memory, once or in a loop.
type Frames struct {
	Images []image.Image
	Loop   bool
	i      int
}

// NewFrames returns a Source that yields imgs once, in order.
func NewFrames(imgs ...image.Image) *Frames { return &Frames{Images: imgs} }

// Next returns the next image, or io.EOF after the last one.
func (f *Frames) Next(ctx context.Context) (image.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.i >= len(f.Images) {
		if !f.Loop || len(f.Images) == 0 {
			return nil, io.EOF
		}
		f.i = 0
	}
	img := f.Images[f.i]
	f.i++
	return img, nil
}

// Close does nothing.
func (f *Frames) Close() error { return nil }

// Files is a Source replaying a recorded session: image files (PNG, JPEG,
// GIF) read one per frame, in the order given.
type Files struct {
	Paths []string
	i     int
}

// NewFiles returns a Source that reads the given files once, in order.
func NewFiles(paths ...string) *Files { return &Files{Paths: paths} }

// Next reads the next file, or returns io.EOF after the last one.
func (f *Files) Next(ctx context.Context) (image.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.i >= len(f.Paths) {
		return nil, io.EOF
	}
	p := f.Paths[f.i]
	f.i++
	r, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read frame: %w", err)
	}
	defer r.Close()
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("read frame %s: %w", p, err)
	}
	return img, nil
}

// Close does nothing.
func (f *Files) Close() error { return nil }

// ForgetAfter is how many consecutive frames without a code make Run
// forget the last code, so that showing the same code again reports it
// again. Frames in between where a code is in view but not read (motion,
// glare) are thus forgiven.
const ForgetAfter = 8

// Run reads frames from src until ctx ends or src runs out, decodes each,
// and calls found once for each code that comes into view: the same text
// on consecutive frames, or after fewer than ForgetAfter frames without a
// code, is reported once. A decode error counts as a frame without a code.
//
// Run returns nil when src reports io.EOF, ctx.Err() when ctx ends, and
// the source's error otherwise. It does not close src.
func Run(ctx context.Context, src Source, decode func(context.Context, image.Image) (string, error), found func(text string)) error {
	last := ""
	missed := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		img, err := src.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("camera: %w", err)
		}
		text, err := decode(ctx, img)
		if err != nil || text == "" {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if missed++; missed >= ForgetAfter {
				last = ""
			}
			continue
		}
		missed = 0
		if text == last {
			continue
		}
		last = text
		found(text)
	}
}
