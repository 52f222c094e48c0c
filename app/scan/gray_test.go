package scan

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

// TestToGray checks each fast path against the generic conversion.
func TestToGray(t *testing.T) {
	t.Parallel()
	r := image.Rect(3, 5, 40, 31)
	src := image.NewNRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			src.SetNRGBA(x, y, color.NRGBA{uint8(x * 7), uint8(y * 11), uint8(x * y), uint8(255 - x*3)})
		}
	}
	opaque := image.NewRGBA(r)
	draw.Draw(opaque, r, image.White, image.Point{}, draw.Src)
	draw.Draw(opaque, r, src, r.Min, draw.Over)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	gray := image.NewGray(r)
	draw.Draw(gray, r, opaque, r.Min, draw.Src)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ycc.Y[ycc.YOffset(x, y)] = gray.GrayAt(x, y).Y
		}
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	imgs := map[string]image.Image{"nrgba": src, "rgba": opaque, "gray": gray, "ycbcr": ycc}
	for name, dst := range map[string]draw.Image{
		"rgba64": image.NewRGBA64(r), "nrgba64": image.NewNRGBA64(r), "gray16": image.NewGray16(r), "cmyk": image.NewCMYK(r),
	} {
		draw.Draw(dst, r, src, r.Min, draw.Src)
		imgs[name] = dst
	}
	imgs["sub-image"] = opaque.SubImage(image.Rect(10, 10, 30, 30))
	for name, img := range imgs {
		g := toGray(img)
		b := img.Bounds()
		if g.w != b.Dx() || g.h != b.Dy() {
			t.Errorf("%s: %d×%d, want %v", name, g.w, g.h, b.Size())
			continue
		}
		for y := 0; y < g.h; y++ {
			for x := 0; x < g.w; x++ {
				want := int(lumaOf(img.At(b.Min.X+x, b.Min.Y+y)))
				if got := int(g.pix[y*g.w+x]); got < want-2 || got > want+2 {
					t.Fatalf("%s: pixel %d,%d = %d, want %d±2", name, x, y, got, want)
				}
			}
		}
	}
}
