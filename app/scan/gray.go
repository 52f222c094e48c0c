package scan

import (
	"image"
	"image/color"
)

// gray is an 8-bit luminance image, 0 black to 255 white, w*h bytes.
type gray struct {
	w, h int
	pix  []byte
}

func newGray(w, h int) *gray { return &gray{w: w, h: h, pix: make([]byte, w*h)} }

// toGray extracts luminance from img. Common camera and file formats take a
// fast path; transparent pixels count as white paper.
func toGray(img image.Image) *gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	// Borrow the luminance plane when it is laid out as ours: nothing here
	// writes to a gray in place.
	switch m := img.(type) {
	case *image.Gray:
		if m.Stride == w && len(m.Pix) >= m.PixOffset(b.Min.X, b.Min.Y)+w*h {
			return &gray{w: w, h: h, pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):][:w*h]}
		}
	case *image.YCbCr:
		if m.YStride == w && len(m.Y) >= m.YOffset(b.Min.X, b.Min.Y)+w*h {
			return &gray{w: w, h: h, pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):][:w*h]}
		}
	}
	g := newGray(w, h)
	switch m := img.(type) {
	case *image.Gray:
		g.fromRows(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, copyRow)
	case *image.YCbCr:
		g.fromRows(m.Y, m.YOffset(b.Min.X, b.Min.Y), m.YStride, copyRow)
	case *image.RGBA:
		g.fromRows(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, rgbaRow(1, true))
	case *image.NRGBA:
		g.fromRows(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, rgbaRow(1, false))
	case *image.RGBA64: // big-endian 16-bit: the high bytes
		g.fromRows(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, rgbaRow(2, true))
	case *image.NRGBA64:
		g.fromRows(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, rgbaRow(2, false))
	case *image.Gray16:
		g.fromRows(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, func(out, row []byte) {
			for x := range out {
				out[x] = row[2*x] // high byte
			}
		})
	case *image.Paletted:
		var lut [256]uint8
		for i, c := range m.Palette {
			lut[i] = lumaOf(c)
		}
		g.fromRows(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, func(out, row []byte) {
			for x := range out {
				out[x] = lut[row[x]]
			}
		})
	default:
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				g.pix[i] = lumaOf(img.At(x, y))
				i++
			}
		}
	}
	return g
}

// fromRows fills g row by row: conv(out, row) converts the source row that
// starts at pix[start+y*stride] into g's row y.
func (g *gray) fromRows(pix []byte, start, stride int, conv func(out, row []byte)) {
	for y := 0; y < g.h; y++ {
		conv(g.pix[y*g.w:(y+1)*g.w], pix[start+y*stride:])
	}
}

func copyRow(out, row []byte) { copy(out, row) }

// rgbaRow converts rows of 8-bit (depth 1) or big-endian 16-bit (depth 2)
// RGBA pixels, premultiplied or not, reading the high bytes; the white
// paper shows through where a pixel is transparent.
func rgbaRow(depth int, premultiplied bool) func(out, row []byte) {
	size := 4 * depth
	return func(out, row []byte) {
		for x := range out {
			p := row[size*x : size*x+size : size*x+size]
			v := (77*uint32(p[0]) + 150*uint32(p[depth]) + 29*uint32(p[2*depth])) >> 8
			a := uint32(p[3*depth])
			if premultiplied { // add the white showing through
				out[x] = uint8(min(255, v+255-a))
			} else {
				out[x] = uint8((v*a + 255*(255-a)) / 255)
			}
		}
	}
}

// lumaOf returns a colour's luminance over white.
func lumaOf(c color.Color) uint8 {
	r, gg, b, a := c.RGBA()
	v := (19595*r + 38470*gg + 7471*b + 1<<15) >> 24 // 0..255 of premultiplied
	return uint8(min(255, v+(0xffff-a)>>8))
}

// invert returns the photographic negative.
func (g *gray) invert() *gray {
	out := newGray(g.w, g.h)
	for i, v := range g.pix {
		out.pix[i] = 255 - v
	}
	return out
}

// stretch maps the 1st to 99th percentile of g onto the full range, so a
// faint code gains the contrast binarizers expect. It returns nil when
// there is nothing to stretch.
func (g *gray) stretch() *gray {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	n := len(g.pix)
	lo, hi := 0, 255
	for acc := 0; lo < 255; lo++ {
		acc += hist[lo]
		if acc > n/100 {
			break
		}
	}
	for acc := 0; hi > 0; hi-- {
		acc += hist[hi]
		if acc > n/100 {
			break
		}
	}
	if hi-lo < 4 {
		return nil
	}
	var lut [256]uint8
	for i := range lut {
		v := (i - lo) * 255 / (hi - lo)
		lut[i] = uint8(min(255, max(0, v)))
	}
	out := newGray(g.w, g.h)
	for i, v := range g.pix {
		out.pix[i] = lut[v]
	}
	return out
}

// scale resamples g by factor f (bilinear; f > 1 enlarges).
func (g *gray) scale(f float64) *gray {
	w, h := int(float64(g.w)*f+0.5), int(float64(g.h)*f+0.5)
	if w < 1 || h < 1 {
		return nil
	}
	out := newGray(w, h)
	// Fixed point, 8 fractional bits.
	xs := make([]int, w)
	for x := range xs {
		xs[x] = int((float64(x)+0.5)/f*256 - 128)
	}
	for y := 0; y < h; y++ {
		sy := int((float64(y)+0.5)/f*256 - 128)
		y0 := min(max(sy>>8, 0), g.h-1)
		y1 := min(y0+1, g.h-1)
		fy := sy & 255
		if sy < 0 {
			fy = 0
		}
		r0, r1 := g.pix[y0*g.w:], g.pix[y1*g.w:]
		o := out.pix[y*w : (y+1)*w]
		for x := range o {
			sx := xs[x]
			x0 := min(max(sx>>8, 0), g.w-1)
			x1 := min(x0+1, g.w-1)
			fx := sx & 255
			if sx < 0 {
				fx = 0
			}
			top := int(r0[x0])*(256-fx) + int(r0[x1])*fx
			bot := int(r1[x0])*(256-fx) + int(r1[x1])*fx
			o[x] = uint8((top*(256-fy) + bot*fy + 1<<15) >> 16)
		}
	}
	return out
}

// crop returns a copy of the part of g inside r, or nil if that is empty.
func (g *gray) crop(r image.Rectangle) *gray {
	r = r.Intersect(image.Rect(0, 0, g.w, g.h))
	if r.Empty() {
		return nil
	}
	out := newGray(r.Dx(), r.Dy())
	for y := 0; y < out.h; y++ {
		copy(out.pix[y*out.w:(y+1)*out.w], g.pix[(r.Min.Y+y)*g.w+r.Min.X:])
	}
	return out
}

// boxBlur returns g averaged over (2r+1)² neighbourhoods (the window
// shrinks at the edges).
func (g *gray) boxBlur(r int) *gray {
	out := newGray(g.w, g.h)
	g.boxSums(r, func(y int, sum, n []int32) {
		o := out.pix[y*g.w : (y+1)*g.w]
		for x := range o {
			o[x] = uint8((sum[x] + n[x]/2) / n[x])
		}
	})
	return out
}

// boxSums calls row(y, sum, n) for each row y in turn, with sum[x] the sum
// of the pixels in the (2r+1)² square around (x, y), cut at the edges, and
// n[x] how many pixels that square holds. row must not keep the slices: the
// next row reuses them.
func (g *gray) boxSums(r int, row func(y int, sum, n []int32)) {
	w, h := g.w, g.h
	// Column sums over the current window of rows.
	col := make([]int32, w)
	for y := 0; y <= min(r, h-1); y++ {
		for x, v := range g.pix[y*w : (y+1)*w] {
			col[x] += int32(v)
		}
	}
	sum, n := make([]int32, w), make([]int32, w)
	for y := 0; y < h; y++ {
		if y > 0 {
			if add := y + r; add < h {
				for x, v := range g.pix[add*w : (add+1)*w] {
					col[x] += int32(v)
				}
			}
			if sub := y - r - 1; sub >= 0 {
				for x, v := range g.pix[sub*w : (sub+1)*w] {
					col[x] -= int32(v)
				}
			}
		}
		rows := int32(min(y+r, h-1) - max(y-r, 0) + 1)
		var s int32
		for x := 0; x < min(r, w); x++ {
			s += col[x]
		}
		for x := 0; x < w; x++ {
			if add := x + r; add < w {
				s += col[add]
			}
			if sub := x - r - 1; sub >= 0 {
				s -= col[sub]
			}
			sum[x] = s
			n[x] = rows * int32(min(x+r, w-1)-max(x-r, 0)+1)
		}
		row(y, sum, n)
	}
}

// sharpen returns an unsharp-masked copy: g + amount·(g − mean over
// (2r+1)²). Blur and downscaling thin a finder pattern's light ring until
// a threshold merges it with the dark; this brings it back.
func (g *gray) sharpen(r int, amount float64) *gray {
	b := g.boxBlur(r)
	out := newGray(g.w, g.h)
	k := int32(amount * 256)
	for i, v := range g.pix {
		d := int32(v) + (k*(int32(v)-int32(b.pix[i])))>>8
		out.pix[i] = uint8(min(255, max(0, d)))
	}
	return out
}
