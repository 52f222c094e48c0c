//go:build linux

package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"sort"

	"github.com/blackjack/webcam"
)

// V4L2 pixel formats, as fourcc codes.
const (
	fmtYUYV  = webcam.PixelFormat('Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24)
	fmtMJPEG = webcam.PixelFormat('M' | 'J'<<8 | 'P'<<16 | 'G'<<24)
)

// V4L2 is a Video4Linux2 capture device streaming YUYV or MJPEG frames.
type V4L2 struct {
	cam    *webcam.Webcam
	format webcam.PixelFormat
	w, h   int
}

// Open opens a V4L2 device (such as /dev/video0) and starts streaming at
// the size nearest w×h the device offers. It prefers YUYV, which needs no
// decoding, and falls back to MJPEG.
func Open(device string, w, h int) (*V4L2, error) {
	cam, err := webcam.Open(device)
	if err != nil {
		return nil, fmt.Errorf("open camera %s: %w", device, err)
	}
	formats := cam.GetSupportedFormats()
	var format webcam.PixelFormat
	switch {
	case formats[fmtYUYV] != "":
		format = fmtYUYV
	case formats[fmtMJPEG] != "":
		format = fmtMJPEG
	default:
		cam.Close()
		return nil, fmt.Errorf("open camera %s: %w: offers neither YUYV nor MJPEG", device, ErrUnsupported)
	}
	got, gw, gh, err := cam.SetImageFormat(format, uint32(w), uint32(h))
	if err != nil {
		cam.Close()
		return nil, fmt.Errorf("open camera %s: set format: %w", device, err)
	}
	if got != fmtYUYV && got != fmtMJPEG {
		cam.Close()
		return nil, fmt.Errorf("open camera %s: %w: device switched to format %#x", device, ErrUnsupported, uint32(got))
	}
	if err := cam.SetBufferCount(4); err != nil {
		cam.Close()
		return nil, fmt.Errorf("open camera %s: buffers: %w", device, err)
	}
	if err := cam.StartStreaming(); err != nil {
		cam.Close()
		return nil, fmt.Errorf("open camera %s: start: %w", device, err)
	}
	return &V4L2{cam: cam, format: got, w: int(gw), h: int(gh)}, nil
}

// Size returns the frame size the device delivers.
func (v *V4L2) Size() (w, h int) { return v.w, v.h }

// waitSeconds bounds each wait for a frame, so that Next notices a
// cancelled context at least this often.
const waitSeconds = 1

// Next waits for the next frame and converts it. Frames that arrive empty
// or broken (an MJPEG frame cut short) are skipped.
func (v *V4L2) Next(ctx context.Context) (image.Image, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := v.cam.WaitForFrame(waitSeconds)
		var timeout *webcam.Timeout
		if errors.As(err, &timeout) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("camera wait: %w", err)
		}
		buf, idx, err := v.cam.GetFrame()
		if err != nil {
			return nil, fmt.Errorf("camera read: %w", err)
		}
		if len(buf) == 0 {
			continue
		}
		img, err := v.convert(buf) // copies out of the driver's buffer
		if rerr := v.cam.ReleaseFrame(idx); rerr != nil {
			return nil, fmt.Errorf("camera release: %w", rerr)
		}
		if errors.Is(err, ErrBadFrame) {
			continue
		}
		return img, err
	}
}

func (v *V4L2) convert(buf []byte) (image.Image, error) {
	if v.format == fmtYUYV {
		return YUYV(buf, v.w, v.h)
	}
	return MJPEG(buf)
}

// Close stops streaming and closes the device.
func (v *V4L2) Close() error {
	if err := v.cam.Close(); err != nil {
		return fmt.Errorf("close camera: %w", err)
	}
	return nil
}

// Devices lists, in order, the video device nodes (such as /dev/video0)
// that this process can open as streaming capture devices; metadata nodes
// and devices it may not open are left out.
func Devices() []string {
	paths, _ := filepath.Glob("/dev/video*")
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		cam, err := webcam.Open(p)
		if err != nil {
			continue
		}
		cam.Close()
		out = append(out, p)
	}
	return out
}
