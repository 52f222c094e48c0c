package scan

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// looseFinders finds finder pattern candidates like ZXing does (a
// 1:1:3:1:1 dark-light run pattern across, confirmed down the centre) but
// lets the two directions have different module sizes: a code tilted
// away from the camera squashes its finder patterns, which ZXing then
// rejects. Every rowStep-th row is scanned.
func looseFinders(bm *gozxing.BitMatrix, rowStep int) []*detector.FinderPattern {
	w, h := bm.GetWidth(), bm.GetHeight()
	type cand struct {
		x, y, ms float64
		n        int
	}
	var cands []cand
	add := func(x, y, ms float64) {
		for i := range cands {
			c := &cands[i]
			if math.Abs(c.x-x) < 2*math.Max(ms, c.ms) && math.Abs(c.y-y) < 2*math.Max(ms, c.ms) {
				k := float64(c.n)
				c.x = (c.x*k + x) / (k + 1)
				c.y = (c.y*k + y) / (k + 1)
				c.ms = (c.ms*k + ms) / (k + 1)
				c.n++
				return
			}
		}
		cands = append(cands, cand{x, y, ms, 1})
	}
	var row *gozxing.BitArray
	runs := make([]int, 0, 256)
	for y := rowStep / 2; y < h; y += rowStep {
		row = bm.GetRow(y, row)
		// Runs, starting with a light one (possibly empty).
		runs = runs[:0]
		dark := false
		n := 0
		for x := 0; x < w; x++ {
			if row.Get(x) != dark {
				runs = append(runs, n)
				n = 0
				dark = !dark
			}
			n++
		}
		runs = append(runs, n)
		// Dark runs are at odd indices.
		pos := 0
		for i := 0; i+5 <= len(runs); i++ {
			if i%2 == 1 && ratio11311(runs[i:i+5]) {
				start := pos
				total := runs[i] + runs[i+1] + runs[i+2] + runs[i+3] + runs[i+4]
				cx := float64(start+runs[i]+runs[i+1]) + float64(runs[i+2])/2
				if cy, vt, ok := crossVertical(bm, int(cx), y, total); ok {
					if cx2, ht, ok := crossHorizontal(bm, int(cx), int(cy), total); ok {
						if cy2, vt2, ok := crossVertical(bm, int(cx2), int(cy), ht); ok {
							add(cx2, cy2, float64(ht+vt2)/14)
							_ = vt
						}
					}
				}
			}
			pos += runs[i]
		}
	}
	out := make([]*detector.FinderPattern, 0, len(cands))
	for _, c := range cands {
		out = append(out, detector.NewFinderPattern(c.x, c.y, c.ms, c.n))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetCount() > out[j].GetCount() })
	return out
}

// ratio11311 reports whether five runs (dark, light, dark, light, dark)
// look like a finder pattern's cross-section.
func ratio11311(r []int) bool {
	total := r[0] + r[1] + r[2] + r[3] + r[4]
	if total < 7 {
		return false
	}
	u := float64(total) / 7
	v := u / 2
	return math.Abs(u-float64(r[0])) < v && math.Abs(u-float64(r[1])) < v &&
		math.Abs(3*u-float64(r[2])) < 3*v && math.Abs(u-float64(r[3])) < v && math.Abs(u-float64(r[4])) < v
}

// crossVertical checks the column through (x, y) for a finder pattern
// cross-section of its own scale, within a factor of three of the
// horizontal total, and returns its centre row and total.
func crossVertical(bm *gozxing.BitMatrix, x, y, total int) (float64, int, bool) {
	if x < 0 || x >= bm.GetWidth() || !bm.Get(x, y) {
		return 0, 0, false
	}
	return cross(func(i int) bool { return bm.Get(x, i) }, bm.GetHeight(), y, total)
}

// crossHorizontal is crossVertical along the row through (x, y).
func crossHorizontal(bm *gozxing.BitMatrix, x, y, total int) (float64, int, bool) {
	if y < 0 || y >= bm.GetHeight() || !bm.Get(x, y) {
		return 0, 0, false
	}
	return cross(func(i int) bool { return bm.Get(i, y) }, bm.GetWidth(), x, total)
}

// cross checks the line of n pixels (dark(i) for 0 ≤ i < n) through the
// dark pixel at for a finder pattern cross-section (1:1:3:1:1) whose total
// is within a factor of three of total, and returns its centre and total.
func cross(dark func(i int) bool, n, at, total int) (float64, int, bool) {
	limit := 3 * total
	var c [5]int
	// Back from at: centre dark, light, dark.
	i := at
	for i >= 0 && dark(i) && c[2] <= limit {
		c[2]++
		i--
	}
	for i >= 0 && !dark(i) && c[1] <= limit {
		c[1]++
		i--
	}
	for i >= 0 && dark(i) && c[0] <= limit {
		c[0]++
		i--
	}
	start := i + 1 + c[0] + c[1] // first pixel of the centre run
	i = at + 1
	for i < n && dark(i) && c[2] <= limit {
		c[2]++
		i++
	}
	for i < n && !dark(i) && c[3] <= limit {
		c[3]++
		i++
	}
	for i < n && dark(i) && c[4] <= limit {
		c[4]++
		i++
	}
	t := c[0] + c[1] + c[2] + c[3] + c[4]
	if t*3 < total || t > 3*total || !ratio11311(c[:]) {
		return 0, 0, false
	}
	return float64(start) + float64(c[2])/2, t, true
}
