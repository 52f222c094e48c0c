package scan

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // DecodeFile reads GIF,
	_ "image/jpeg" // JPEG
	_ "image/png"  // and PNG.
	"io"
	"os"
)

// Errors callers can branch on with errors.Is.
var (
	// ErrNoCode: the image holds no code this package could read and trust.
	ErrNoCode = errors.New("no readable pickup code in image")
	// ErrNotImage: the file is not a PNG, JPEG or GIF image, or is damaged.
	ErrNotImage = errors.New("not a readable image")
)

// MaxPixels bounds the images Decode accepts (about 40 megapixels, a
// large phone photo); larger ones are ErrNoCode rather than minutes of work.
const MaxPixels = 40 << 20

// Decode returns the text of the first trustworthy QR code found in img: a
// pickup code with a valid check character or a well-formed signed payload
// (see pickup.ParseScan; the signature is not verified here). It tries
// every stage of the pipeline before giving up with ErrNoCode, and returns
// ctx.Err() if ctx ends first. It is safe for concurrent use.
func Decode(ctx context.Context, img image.Image) (string, error) {
	s, err := start(img)
	if err != nil {
		return "", err
	}
	return s.runAll(ctx, cascadeFor(s.base))
}

func start(img image.Image) (*session, error) {
	if img == nil {
		return nil, ErrNoCode
	}
	b := img.Bounds()
	if b.Dx() < 21 || b.Dy() < 21 || b.Dx()*b.Dy() > MaxPixels {
		return nil, ErrNoCode
	}
	return newSession(toGray(img)), nil
}

// DecodeFile decodes the image file at path (PNG, JPEG or GIF). Errors
// wrap the file system's (os.ErrNotExist…), ErrNotImage or ErrNoCode.
func DecodeFile(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("scan: %w", err)
	}
	defer f.Close()
	text, err := decodeReader(ctx, f, MaxPixels)
	if err != nil {
		return "", fmt.Errorf("scan %s: %w", path, err)
	}
	return text, nil
}

// decodeReader decodes an image file read from r, refusing images of more
// than maxPixels before decoding them.
func decodeReader(ctx context.Context, r io.ReadSeeker, maxPixels int) (string, error) {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPixels/max(cfg.Height, 1) {
		return "", fmt.Errorf("%w: %d×%d pixels", ErrNoCode, cfg.Width, cfg.Height)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("rewind: %w", err)
	}
	img, _, err := image.Decode(r)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	return Decode(ctx, img)
}

// Scanner decodes a stream of camera frames. Each frame gets the fast
// stages, which read most codes held up to the camera, and one of the
// slower stages in turn: a frame without a code stays cheap, and every
// stage is still tried within a few frames. The zero value is ready; a
// Scanner is used from one goroutine.
type Scanner struct {
	next int
}

// Decode is Decode with the per-frame budget described above; it has the
// same signature so that it plugs into camera.Run.
func (sc *Scanner) Decode(ctx context.Context, img image.Image) (string, error) {
	s, err := start(img)
	if err != nil {
		return "", err
	}
	c := cascadeFor(s.base)
	if len(c) <= fastStages {
		return s.runAll(ctx, c)
	}
	slow := c[fastStages:]
	sc.next %= len(slow)
	stages := append(append([]stage(nil), c[:fastStages]...), slow[sc.next])
	sc.next++
	return s.runAll(ctx, stages)
}
