package scan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
)

type pt struct{ x, y float64 }

func (p pt) sub(q pt) pt        { return pt{p.x - q.x, p.y - q.y} }
func (p pt) add(q pt) pt        { return pt{p.x + q.x, p.y + q.y} }
func (p pt) mul(k float64) pt   { return pt{p.x * k, p.y * k} }
func (p pt) dot(q pt) float64   { return p.x*q.x + p.y*q.y }
func (p pt) norm() float64      { return math.Hypot(p.x, p.y) }
func (p pt) cross(q pt) float64 { return p.x*q.y - p.y*q.x }

// homography maps module coordinates (u, v) to image coordinates:
// x = (h0 u + h1 v + h2)/(h6 u + h7 v + 1), y = (h3 u + h4 v + h5)/(…).
type homography [8]float64

func (h *homography) apply(u, v float64) pt {
	z := h[6]*u + h[7]*v + 1
	return pt{(h[0]*u + h[1]*v + h[2]) / z, (h[3]*u + h[4]*v + h[5]) / z}
}

// corr is one correspondence: a point in module coordinates and where it
// was seen in the image, with a weight.
type corr struct {
	m, img pt
	w      float64
}

// fitHomography solves for the homography that best maps the module
// points onto the image points in the least-squares sense (the linear DLT
// error, on normalised coordinates). ok is false for a degenerate set.
func fitHomography(cs []corr) (homography, bool) {
	if len(cs) < 4 {
		return homography{}, false
	}
	// Normalise both sides: centroid at 0, mean distance about 1.
	var mc, ic pt
	var sw float64
	for _, c := range cs {
		mc = mc.add(c.m.mul(c.w))
		ic = ic.add(c.img.mul(c.w))
		sw += c.w
	}
	mc, ic = mc.mul(1/sw), ic.mul(1/sw)
	var ms, is float64
	for _, c := range cs {
		ms += c.m.sub(mc).norm() * c.w
		is += c.img.sub(ic).norm() * c.w
	}
	ms, is = ms/sw, is/sw
	if ms == 0 || is == 0 {
		return homography{}, false
	}
	var a [8][9]float64 // normal equations, augmented
	for _, c := range cs {
		u, v := (c.m.x-mc.x)/ms, (c.m.y-mc.y)/ms
		x, y := (c.img.x-ic.x)/is, (c.img.y-ic.y)/is
		rows := [2][9]float64{
			{u, v, 1, 0, 0, 0, -u * x, -v * x, x},
			{0, 0, 0, u, v, 1, -u * y, -v * y, y},
		}
		for _, r := range rows {
			for i := 0; i < 8; i++ {
				if r[i] == 0 {
					continue
				}
				for j := 0; j < 9; j++ {
					a[i][j] += c.w * r[i] * r[j]
				}
			}
		}
	}
	var n [8]float64
	if !solve8(&a, &n) {
		return homography{}, false
	}
	// Undo the normalisation: H = Ti⁻¹ · Hn · Tm.
	hn := [3][3]float64{{n[0], n[1], n[2]}, {n[3], n[4], n[5]}, {n[6], n[7], 1}}
	tm := [3][3]float64{{1 / ms, 0, -mc.x / ms}, {0, 1 / ms, -mc.y / ms}, {0, 0, 1}}
	ti := [3][3]float64{{is, 0, ic.x}, {0, is, ic.y}, {0, 0, 1}}
	r := mat3mul(ti, mat3mul(hn, tm))
	if r[2][2] == 0 {
		return homography{}, false
	}
	k := 1 / r[2][2]
	return homography{r[0][0] * k, r[0][1] * k, r[0][2] * k, r[1][0] * k, r[1][1] * k, r[1][2] * k, r[2][0] * k, r[2][1] * k}, true
}

func mat3mul(a, b [3][3]float64) [3][3]float64 {
	var r [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				r[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return r
}

// solve8 solves the augmented 8×9 system by Gaussian elimination with
// partial pivoting.
func solve8(a *[8][9]float64, x *[8]float64) bool {
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return false
		}
		a[c], a[p] = a[p], a[c]
		for r := c + 1; r < 8; r++ {
			f := a[r][c] / a[c][c]
			if f == 0 {
				continue
			}
			for k := c; k < 9; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	for c := 7; c >= 0; c-- {
		s := a[c][8]
		for k := c + 1; k < 8; k++ {
			s -= a[c][k] * x[k]
		}
		x[c] = s / a[c][c]
	}
	return true
}

// rms returns the root mean square distance, in pixels, between where h
// puts the module points and where they were seen.
func (h *homography) rms(cs []corr) float64 {
	var s float64
	for _, c := range cs {
		d := h.apply(c.m.x, c.m.y).sub(c.img)
		s += d.dot(d)
	}
	return math.Sqrt(s / float64(len(cs)))
}

// sample reads an n×n module grid through h from the binarized image; it
// fails when too much of the grid falls outside the image.
func (h *homography) sample(bm *gozxing.BitMatrix, n int) (*gozxing.BitMatrix, bool) {
	w, ht := bm.GetWidth(), bm.GetHeight()
	bits, err := gozxing.NewSquareBitMatrix(n)
	if err != nil {
		return nil, false
	}
	outside := 0
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			p := h.apply(float64(i)+0.5, float64(j)+0.5)
			x, y := int(math.Floor(p.x)), int(math.Floor(p.y))
			if x < 0 || y < 0 || x >= w || y >= ht || math.IsNaN(p.x) || math.IsNaN(p.y) {
				outside++
				continue
			}
			if bm.Get(x, y) {
				bits.Set(i, j)
			}
		}
	}
	if outside > n*n/50 {
		return nil, false
	}
	return bits, true
}

// at returns g's bilinear interpolation at (x, y), pixel centres lying at
// half-integers; ok is false outside the image.
func (g *gray) at(x, y float64) (float64, bool) {
	x -= 0.5
	y -= 0.5
	if x < -0.5 || y < -0.5 || x > float64(g.w)-0.5 || y > float64(g.h)-0.5 || math.IsNaN(x) || math.IsNaN(y) {
		return 0, false
	}
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	x1, y1 := min(x0+1, g.w-1), min(y0+1, g.h-1)
	x0, y0 = max(x0, 0), max(y0, 0)
	p := g.pix
	top := float64(p[y0*g.w+x0])*(1-fx) + float64(p[y0*g.w+x1])*fx
	bot := float64(p[y1*g.w+x0])*(1-fx) + float64(p[y1*g.w+x1])*fx
	return top*(1-fy) + bot*fy, true
}

// sampleModules reads the luminance of each module of an n×n grid through
// h: the mean of five points around the module's centre. It fails when too
// much of the grid falls outside the image.
func sampleModules(g *gray, h grid, n int) ([]float64, bool) {
	v := make([]float64, n*n)
	outside := 0
	offs := [5]pt{{0.5, 0.5}, {0.3, 0.3}, {0.7, 0.3}, {0.3, 0.7}, {0.7, 0.7}}
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			var s float64
			k := 0
			for _, o := range offs {
				p := h.apply(float64(i)+o.x, float64(j)+o.y)
				if l, ok := g.at(p.x, p.y); ok {
					s += l
					k++
				}
			}
			if k == 0 {
				outside++
				v[j*n+i] = 255
				continue
			}
			v[j*n+i] = s / float64(k)
		}
	}
	return v, outside <= n*n/50
}

// localThreshold turns module luminances into bits, each module compared
// with the mean of the (2r+1)² modules around it (fewer at the edges); it
// also returns those thresholds.
func localThreshold(v []float64, n, r int) (*gozxing.BitMatrix, []float64) {
	// Integral image with a zero row and column.
	ii := make([]float64, (n+1)*(n+1))
	for y := 0; y < n; y++ {
		var s float64
		for x := 0; x < n; x++ {
			s += v[y*n+x]
			ii[(y+1)*(n+1)+x+1] = ii[y*(n+1)+x+1] + s
		}
	}
	bits, _ := gozxing.NewSquareBitMatrix(n)
	thr := make([]float64, n*n)
	for j := 0; j < n; j++ {
		y0, y1 := max(j-r, 0), min(j+r+1, n)
		for i := 0; i < n; i++ {
			x0, x1 := max(i-r, 0), min(i+r+1, n)
			s := ii[y1*(n+1)+x1] - ii[y0*(n+1)+x1] - ii[y1*(n+1)+x0] + ii[y0*(n+1)+x0]
			t := s / float64((y1-y0)*(x1-x0))
			thr[j*n+i] = t
			if v[j*n+i] < t {
				bits.Set(i, j)
			}
		}
	}
	return bits, thr
}

// sharpenModules subtracts alpha times the mean of each module's four
// neighbours' difference from it: blur spreads a module into its
// neighbours, and this undoes the first order of that.
func sharpenModules(v []float64, n int, alpha float64) []float64 {
	out := make([]float64, len(v))
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			c := v[j*n+i]
			var s float64
			k := 0
			for _, d := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				x, y := i+d[0], j+d[1]
				if x < 0 || y < 0 || x >= n || y >= n {
					continue
				}
				s += v[y*n+x]
				k++
			}
			out[j*n+i] = c + alpha*(c-s/float64(k))
		}
	}
	return out
}
