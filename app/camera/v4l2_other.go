//go:build !linux

package camera

import (
	"context"
	"fmt"
	"image"
)

// V4L2 stands for the Linux capture device on systems without one.
type V4L2 struct{}

// Open returns ErrUnsupported: only Linux capture is implemented.
func Open(device string, w, h int) (*V4L2, error) {
	return nil, fmt.Errorf("open camera %s: %w", device, ErrUnsupported)
}

// Size returns zero.
func (v *V4L2) Size() (w, h int) { return 0, 0 }

// Next returns ErrUnsupported.
func (v *V4L2) Next(ctx context.Context) (image.Image, error) { return nil, ErrUnsupported }

// Close does nothing.
func (v *V4L2) Close() error { return nil }

// Devices returns nil: there is no capture support on this system.
func Devices() []string { return nil }
