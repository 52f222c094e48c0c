package corpus

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// rgb is a colour with channels in 0..255.
type rgb [3]float32

func grey(v float64) rgb { return rgb{float32(v), float32(v), float32(v)} }

// canvas is a floating-point RGB image, the generator's working surface.
type canvas struct {
	w, h int
	p    [3][]float32
}

func newCanvas(w, h int, c rgb) *canvas {
	cv := &canvas{w: w, h: h}
	for k := range cv.p {
		cv.p[k] = make([]float32, w*h)
		for i := range cv.p[k] {
			cv.p[k][i] = c[k]
		}
	}
	return cv
}

func (c *canvas) blend(i int, col rgb, a float32) {
	for k := 0; k < 3; k++ {
		c.p[k][i] = c.p[k][i]*(1-a) + col[k]*a
	}
}

// hom is a projective transform, x = (a u + b v + c)/(g u + h v + 1), as
// a row-major 3×3 matrix.
type hom [9]float64

func (m hom) apply(u, v float64) (float64, float64) {
	z := m[6]*u + m[7]*v + m[8]
	return (m[0]*u + m[1]*v + m[2]) / z, (m[3]*u + m[4]*v + m[5]) / z
}

func (m hom) inverse() hom {
	a, b, c, d, e, f, g, h, i := m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
	A := e*i - f*h
	B := -(d*i - f*g)
	C := d*h - e*g
	det := a*A + b*B + c*C
	return hom{
		A / det, -(b*i - c*h) / det, (b*f - c*e) / det,
		B / det, (a*i - c*g) / det, -(a*f - c*d) / det,
		C / det, -(a*h - b*g) / det, (a*e - b*d) / det,
	}
}

// squareToQuad maps the square [0,t]² onto the quad q (corners in the order
// (0,0), (t,0), (t,t), (0,t)).
func squareToQuad(t float64, q [4][2]float64) hom {
	x0, y0, x1, y1, x2, y2, x3, y3 := q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]
	dx1, dx2, dx3 := x1-x2, x3-x2, x0-x1+x2-x3
	dy1, dy2, dy3 := y1-y2, y3-y2, y0-y1+y2-y3
	var m hom
	if dx3 == 0 && dy3 == 0 {
		m = hom{x1 - x0, x2 - x1, x0, y1 - y0, y2 - y1, y0, 0, 0, 1}
	} else {
		den := dx1*dy2 - dx2*dy1
		g := (dx3*dy2 - dx2*dy3) / den
		h := (dx1*dy3 - dx3*dy1) / den
		m = hom{x1 - x0 + g*x1, x3 - x0 + h*x3, x0, y1 - y0 + g*y1, y3 - y0 + h*y3, y0, g, h, 1}
	}
	// Scale the unit square up to t.
	for _, k := range []int{0, 1, 3, 4, 6, 7} {
		m[k] /= t
	}
	return m
}

// pose places a plane (in module units) in the image: rotated in plane by
// rot, tilted by tilt radians about an in-plane axis at angle axis, seen
// from distance dist (in pixels) by a pinhole camera with the same focal
// length, so that size is the symbol's width in pixels at the centre.
type pose struct {
	cx, cy    float64
	size      float64 // pixels across the full symbol (t modules)
	rot       float64
	tilt      float64
	axis      float64
	distRatio float64 // camera distance / size; 0 means orthographic
}

// homography returns the module-to-image transform for a symbol of t
// modules (quiet zone included).
func (p pose) homography(t float64) hom {
	var q [4][2]float64
	corners := [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}
	sr, cr := math.Sincos(p.rot)
	ax, ay := math.Cos(p.axis), math.Sin(p.axis)
	st, ct := math.Sincos(p.tilt)
	for i, c := range corners {
		x := c[0] * p.size / 2
		y := c[1] * p.size / 2
		x, y = x*cr-y*sr, x*sr+y*cr
		// Rodrigues rotation of (x, y, 0) about (ax, ay, 0).
		dot := x*ax + y*ay
		X := x*ct + dot*ax*(1-ct)
		Y := y*ct + dot*ay*(1-ct)
		Z := (ax*y - ay*x) * st
		if p.distRatio > 0 {
			d := p.distRatio * p.size
			X, Y = X*d/(d+Z), Y*d/(d+Z)
		}
		q[i] = [2]float64{p.cx + X, p.cy + Y}
	}
	return squareToQuad(t, q)
}

// fillQuad paints the quad q (module coordinates mapped by m) with col,
// anti-aliased by 4×4 supersampling.
func (c *canvas) fillQuad(m hom, q [4][2]float64, col rgb) {
	var pts [4][2]float64
	for i, p := range q {
		pts[i][0], pts[i][1] = m.apply(p[0], p[1])
	}
	c.fillPoly(pts[:], col)
}

// fillPoly paints a convex polygon given in image coordinates, with 4×4
// supersampling on its edges.
func (c *canvas) fillPoly(pts [][2]float64, col rgb) {
	x0, y0, x1, y1 := bbox(pts, c.w, c.h)
	// Edge i is inside where a x + b y + k >= 0.
	type edge struct{ a, b, k, slack float64 }
	var area float64
	for i := range pts {
		p, q := pts[i], pts[(i+1)%len(pts)]
		area += p[0]*q[1] - q[0]*p[1]
	}
	if area == 0 {
		return
	}
	edges := make([]edge, len(pts))
	for i := range pts {
		p, q := pts[i], pts[(i+1)%len(pts)]
		a, b := -(q[1] - p[1]), q[0]-p[0]
		if area < 0 {
			a, b = -a, -b
		}
		edges[i] = edge{a, b, -(a*p[0] + b*p[1]), (math.Abs(a) + math.Abs(b)) / 2}
	}
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			cx, cy := float64(x)+0.5, float64(y)+0.5
			full, out := true, false
			for _, e := range edges {
				v := e.a*cx + e.b*cy + e.k
				if v < -e.slack {
					out = true
					break
				}
				if v < e.slack {
					full = false
				}
			}
			if out {
				continue
			}
			if full {
				c.blend(y*c.w+x, col, 1)
				continue
			}
			n := 0
			for j := 0; j < 4; j++ {
				sy := float64(y) + (float64(j)+0.5)/4
			sample:
				for i := 0; i < 4; i++ {
					sx := float64(x) + (float64(i)+0.5)/4
					for _, e := range edges {
						if e.a*sx+e.b*sy+e.k < 0 {
							continue sample
						}
					}
					n++
				}
			}
			if n > 0 {
				c.blend(y*c.w+x, col, float32(n)/16)
			}
		}
	}
}

func bbox(pts [][2]float64, w, h int) (x0, y0, x1, y1 int) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	x0, y0 = max(0, int(math.Floor(minX))), max(0, int(math.Floor(minY)))
	x1, y1 = min(w, int(math.Ceil(maxX))+1), min(h, int(math.Ceil(maxY))+1)
	return
}

// fillEllipse paints an axis-aligned ellipse.
func (c *canvas) fillEllipse(cx, cy, rx, ry float64, col rgb) {
	var pts [][2]float64
	for i := 0; i < 32; i++ {
		s, co := math.Sincos(2 * math.Pi * float64(i) / 32)
		pts = append(pts, [2]float64{cx + rx*co, cy + ry*s})
	}
	c.fillPoly(pts, col)
}

// drawSymbol paints a QR symbol given as one pixel per module (dark where
// the paletted index is non-zero), t modules across, through m: each pixel
// is the average of 4×4 samples, as a camera sensor integrates light.
func (c *canvas) drawSymbol(sym *image.Paletted, m hom, dark, light rgb) {
	t := float64(sym.Bounds().Dx())
	var corners [4][2]float64
	for i, p := range [4][2]float64{{0, 0}, {t, 0}, {t, t}, {0, t}} {
		corners[i][0], corners[i][1] = m.apply(p[0], p[1])
	}
	x0, y0, x1, y1 := bbox(corners[:], c.w, c.h)
	inv := m.inverse()
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			in, dk := 0, 0
			for j := 0; j < 4; j++ {
				for i := 0; i < 4; i++ {
					u, v := inv.apply(float64(x)+(float64(i)+0.5)/4, float64(y)+(float64(j)+0.5)/4)
					if u < 0 || v < 0 || u >= t || v >= t {
						continue
					}
					in++
					if sym.Pix[int(v)*sym.Stride+int(u)] != 0 {
						dk++
					}
				}
			}
			if in == 0 {
				continue
			}
			i := y*c.w + x
			a := float32(in) / 16
			fd := float32(dk) / float32(in)
			for k := 0; k < 3; k++ {
				v := light[k]*(1-fd) + dark[k]*fd
				c.p[k][i] = c.p[k][i]*(1-a) + v*a
			}
		}
	}
}

// blur applies a separable Gaussian blur of the given sigma in pixels.
func (c *canvas) blur(sigma float64) {
	if sigma <= 0.05 {
		return
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	var sum float32
	for i := range k {
		d := float64(i - r)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	mono := true
	for i := range c.p[0] {
		if c.p[0][i] != c.p[1][i] || c.p[0][i] != c.p[2][i] {
			mono = false
			break
		}
	}
	tmp := make([]float32, c.w*c.h)
	for ch := 0; ch < 3; ch++ {
		if mono && ch > 0 {
			copy(c.p[ch], c.p[0])
			continue
		}
		blur1(c.p[ch], tmp, c.w, c.h, 1, c.w, k)
		blur1(tmp, c.p[ch], c.h, c.w, c.w, 1, k)
	}
}

// blur1 convolves src with k along one axis into dst (same layout): each
// of lines lines holds n samples step apart, lines start stride apart.
func blur1(src, dst []float32, n, lines, step, stride int, k []float32) {
	r := len(k) / 2
	for l := 0; l < lines; l++ {
		base := l * stride
		for x := 0; x < n; x++ {
			var s float32
			if x >= r && x+r < n {
				j := base + (x-r)*step
				for _, kv := range k {
					s += src[j] * kv
					j += step
				}
			} else {
				for i, kv := range k {
					xx := min(max(x+i-r, 0), n-1)
					s += src[base+xx*step] * kv
				}
			}
			dst[base+x*step] = s
		}
	}
}

// noise adds Gaussian noise of the given sigma (the same on all channels,
// as luminance noise dominates) and a fraction of salt-and-pepper pixels.
func (c *canvas) noise(rng *rand.Rand, sigma, saltPepper float64) {
	for i := 0; i < c.w*c.h; i++ {
		var d float32
		if sigma > 0 {
			d = float32(rng.NormFloat64() * sigma)
		}
		sp := saltPepper > 0 && rng.Float64() < saltPepper
		v := float32(0)
		if sp && rng.IntN(2) == 1 {
			v = 255
		}
		for k := 0; k < 3; k++ {
			if sp {
				c.p[k][i] = v
			} else {
				c.p[k][i] += d
			}
		}
	}
}

// illuminate multiplies every pixel by f(x, y).
func (c *canvas) illuminate(f func(x, y float64) float64) {
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			g := float32(f(float64(x), float64(y)))
			i := y*c.w + x
			for k := 0; k < 3; k++ {
				c.p[k][i] *= g
			}
		}
	}
}

func clamp8(v float32) uint8 {
	v += 0.5
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v)
}

func (c *canvas) gray() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, c.w, c.h))
	for i := range img.Pix {
		img.Pix[i] = clamp8(0.299*c.p[0][i] + 0.587*c.p[1][i] + 0.114*c.p[2][i])
	}
	return img
}

func (c *canvas) rgba() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	for i := 0; i < c.w*c.h; i++ {
		img.Pix[4*i] = clamp8(c.p[0][i])
		img.Pix[4*i+1] = clamp8(c.p[1][i])
		img.Pix[4*i+2] = clamp8(c.p[2][i])
		img.Pix[4*i+3] = 0xff
	}
	return img
}

// ycbcr converts to 4:2:2 YCbCr, what a webcam's YUYV stream carries.
func (c *canvas) ycbcr() *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, c.w, c.h), image.YCbCrSubsampleRatio422)
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			i := y*c.w + x
			yy, cb, cr := color.RGBToYCbCr(clamp8(c.p[0][i]), clamp8(c.p[1][i]), clamp8(c.p[2][i]))
			img.Y[img.YOffset(x, y)] = yy
			if x%2 == 0 {
				ci := img.COffset(x, y)
				img.Cb[ci], img.Cr[ci] = cb, cr
			}
		}
	}
	return img
}

// jpegBytes encodes img at quality q and decodes it again.
func jpegBytes(img image.Image, q int) ([]byte, image.Image, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, nil, fmt.Errorf("encode jpeg: %w", err)
	}
	dec, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, nil, fmt.Errorf("decode jpeg: %w", err)
	}
	return buf.Bytes(), dec, nil
}
