package camera

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
)

// ErrBadFrame is returned for a frame buffer that does not hold a whole
// image in the expected format.
var ErrBadFrame = errors.New("bad camera frame")

// YUYV converts a packed YUYV 4:2:2 frame (Y0 U Y1 V per pixel pair, as
// V4L2_PIX_FMT_YUYV) of w×h pixels to an image, copying the buffer.
func YUYV(buf []byte, w, h int) (*image.YCbCr, error) {
	if w <= 0 || h <= 0 || w%2 != 0 {
		return nil, fmt.Errorf("yuyv %dx%d: %w: width must be even and positive", w, h, ErrBadFrame)
	}
	if len(buf) < w*h*2 {
		return nil, fmt.Errorf("yuyv %dx%d: %w: %d bytes, want %d", w, h, ErrBadFrame, len(buf), w*h*2)
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio422)
	for y := 0; y < h; y++ {
		row := buf[y*w*2 : (y+1)*w*2]
		yo := y * img.YStride
		co := y * img.CStride
		for x := 0; x < w/2; x++ {
			p := row[4*x : 4*x+4 : 4*x+4]
			img.Y[yo+2*x] = p[0]
			img.Cb[co+x] = p[1]
			img.Y[yo+2*x+1] = p[2]
			img.Cr[co+x] = p[3]
		}
	}
	return img, nil
}

// MJPEG decodes one motion-JPEG frame. Many webcams leave out the Huffman
// tables and rely on the standard ones (as the AVI1 convention allows);
// they are put back before decoding.
func MJPEG(buf []byte) (image.Image, error) {
	if len(buf) < 4 || buf[0] != 0xff || buf[1] != 0xd8 {
		return nil, fmt.Errorf("mjpeg: %w: no JPEG start marker", ErrBadFrame)
	}
	if !hasDHT(buf) {
		fixed := make([]byte, 0, len(buf)+len(stdDHT))
		fixed = append(fixed, buf[:2]...)
		fixed = append(fixed, stdDHT...)
		buf = append(fixed, buf[2:]...)
	}
	img, err := jpeg.Decode(bytes.NewReader(buf))
	if err != nil {
		return nil, fmt.Errorf("mjpeg: %w: %v", ErrBadFrame, err)
	}
	return img, nil
}

// hasDHT reports whether a JPEG stream defines Huffman tables before its
// scan starts.
func hasDHT(b []byte) bool {
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xff {
			return false
		}
		m := b[i+1]
		switch {
		case m == 0xc4:
			return true
		case m == 0xda: // start of scan: no tables came before
			return false
		case m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01 || m == 0xff:
			i += 2
			continue
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return false
}

// stdDHT is a DHT segment with the four standard tables of JPEG Annex K.3:
// each the table's class and id, its 16 counts of codes per length, then
// its values.
var stdDHT = func() []byte {
	tables := hexBytes(
		"0000010501010101010100000000000000000102030405060708090a0b", // luminance DC
		"0100030101010101010101010000000000000102030405060708090a0b", // chrominance DC
		"100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa", // luminance AC
		"1100020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa", // chrominance AC
	)
	n := 2 + len(tables)
	return append([]byte{0xff, 0xc4, byte(n >> 8), byte(n)}, tables...)
}()

// hexBytes decodes and joins hex strings written in this file.
func hexBytes(hexes ...string) []byte {
	var out []byte
	for _, h := range hexes {
		b, err := hex.DecodeString(h)
		if err != nil {
			panic(err)
		}
		out = append(out, b...)
	}
	return out
}
