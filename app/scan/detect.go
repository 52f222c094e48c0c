package scan

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"github.com/pickup-terminal/pickup"
)

// trusted reports whether a decoded text is something a pickup terminal
// would act on: a bare code whose check character holds or a well-formed
// signed payload. Together with the QR code's own Reed–Solomon check this
// is what keeps misreads out.
func trusted(text string) bool {
	_, err := pickup.ParseScan(text)
	return err == nil
}

// decodeBits decodes a sampled module grid.
func decodeBits(bits *gozxing.BitMatrix) (string, bool) {
	res, err := decoder.NewDecoder().Decode(bits, nil)
	if err != nil {
		return "", false
	}
	t := res.GetText()
	return t, trusted(t)
}

// detectOpts says how hard detection works on one binarized image.
type detectOpts struct {
	robust  bool // fit the perspective from the finder patterns' outlines
	triples int  // other finder pattern triples to try when the best fails
	gray    bool // sample module luminance and threshold in module space
	loose   bool // find finder patterns with looseFinders instead of ZXing
}

// target is a binarized image and, for sampling in grey, the luminance it
// came from (same size), which may be nil.
type target struct {
	bm *gozxing.BitMatrix
	g  *gray
}

// fromMatrix finds and decodes a code in a binarized image.
func fromMatrix(tg target, o detectOpts) (string, bool) {
	if !o.gray {
		tg.g = nil
	}
	if o.loose {
		for _, tri := range otherTriples(looseFinders(tg.bm, 2), max(o.triples, 1), nil) {
			if t, ok := fromTriple(tg, tri[1], tri[2], tri[0], o.robust); ok {
				return t, true
			}
		}
		return "", false
	}
	finder := detector.NewFinderPatternFinder(tg.bm, nil)
	info, err := finder.Find(nil)
	var tried [][3]gozxing.ResultPoint
	if err == nil {
		tl, tr, bl := info.GetTopLeft(), info.GetTopRight(), info.GetBottomLeft()
		if t, ok := fromTriple(tg, tl, tr, bl, o.robust); ok {
			return t, true
		}
		tried = append(tried, [3]gozxing.ResultPoint{tl, tr, bl})
	}
	if o.triples == 0 {
		return "", false
	}
	for _, tri := range otherTriples(finder.GetPossibleCenters(), o.triples, tried) {
		if t, ok := fromTriple(tg, tri[1], tri[2], tri[0], o.robust); ok {
			return t, true
		}
	}
	return "", false
}

// fromTriple decodes the code whose finder patterns are tl, tr and bl: first
// the way ZXing does, then, if asked, with the fitted perspective.
func fromTriple(tg target, tl, tr, bl gozxing.ResultPoint, robust bool) (string, bool) {
	info := detector.NewFinderPatternInfo(asFinder(bl), asFinder(tl), asFinder(tr))
	if res, err := detector.NewDetector(tg.bm).ProcessFinderPatternInfo(info); err == nil {
		if t, ok := decodeBits(res.GetBits()); ok {
			return t, true
		}
		if tg.g != nil {
			if m, n, ok := zxingGrid(res); ok {
				if t, ok := decodeGray(tg.g, m, n); ok {
					return t, true
				}
			}
		}
	}
	if !robust {
		return "", false
	}
	return fitted(tg, info)
}

// grid maps module coordinates to image coordinates.
type grid interface {
	apply(u, v float64) pt
}

// ptGrid is ZXing's perspective transform as a grid.
type ptGrid struct{ t *common.PerspectiveTransform }

func (g ptGrid) apply(u, v float64) pt {
	p := []float64{u, v}
	g.t.TransformPoints(p)
	return pt{p[0], p[1]}
}

// zxingGrid rebuilds the transform ZXing sampled a detection with.
func zxingGrid(res *common.DetectorResult) (grid, int, bool) {
	ps := res.GetPoints()
	n := res.GetBits().GetWidth()
	if len(ps) < 3 {
		return nil, 0, false
	}
	var ap *detector.AlignmentPattern
	if len(ps) > 3 {
		ap, _ = ps[3].(*detector.AlignmentPattern)
	}
	return ptGrid{detector.Detector_createTransform(ps[1], ps[2], ps[0], ap, n)}, n, true
}

// decodeGray samples module luminances through m and decodes them
// thresholded in module space, plain and then sharpened against blur;
// failing that, with erasures (see softDecode).
func decodeGray(g *gray, m grid, n int) (string, bool) {
	v, ok := sampleModules(g, m, n)
	if !ok {
		return "", false
	}
	type variant struct {
		bits *gozxing.BitMatrix
		v    []float64
		thr  []float64
	}
	var vs []variant
	for _, a := range [...]float64{0, 1, 2, 4} {
		vv := v
		if a > 0 {
			vv = sharpenModules(v, n, a)
		}
		bits, thr := localThreshold(vv, n, 3)
		// ZXing's decoder unmasks (and may mirror) the bits in place.
		if t, ok := decodeBits(cloneBits(bits)); ok {
			return t, true
		}
		vs = append(vs, variant{bits, vv, thr})
	}
	// Erasures, on the plain and the moderately sharpened reading.
	for _, x := range [...]variant{vs[0], vs[2]} {
		if t, ok := softDecode(x.bits, x.v, x.thr, n); ok {
			return t, true
		}
	}
	return "", false
}

func asFinder(p gozxing.ResultPoint) *detector.FinderPattern {
	if f, ok := p.(*detector.FinderPattern); ok {
		return f
	}
	return detector.NewFinderPattern1(p.GetX(), p.GetY(), 1)
}

// otherTriples returns up to n plausible triples of finder pattern
// candidates (ordered bottom-left, top-left, top-right), best first,
// skipping those already tried.
func otherTriples(cands []*detector.FinderPattern, n int, tried [][3]gozxing.ResultPoint) [][3]gozxing.ResultPoint {
	if len(cands) < 3 {
		return nil
	}
	if len(cands) > 16 {
		cands = append([]*detector.FinderPattern(nil), cands...)
		sort.Slice(cands, func(i, j int) bool { return cands[i].GetCount() > cands[j].GetCount() })
		cands = cands[:16]
	}
	type scored struct {
		t [3]gozxing.ResultPoint
		d float64
	}
	var all []scored
	for i := 0; i < len(cands); i++ {
		for j := i + 1; j < len(cands); j++ {
			for k := j + 1; k < len(cands); k++ {
				a, b, c := cands[i], cands[j], cands[k]
				lo := math.Min(a.GetEstimatedModuleSize(), math.Min(b.GetEstimatedModuleSize(), c.GetEstimatedModuleSize()))
				hi := math.Max(a.GetEstimatedModuleSize(), math.Max(b.GetEstimatedModuleSize(), c.GetEstimatedModuleSize()))
				if hi > 2.5*lo {
					continue
				}
				bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(a, b, c)
				d1 := gozxing.ResultPoint_Distance(tl, tr)
				d2 := gozxing.ResultPoint_Distance(tl, bl)
				ms := (a.GetEstimatedModuleSize() + b.GetEstimatedModuleSize() + c.GetEstimatedModuleSize()) / 3
				if d1 < 10*ms || d2 < 10*ms || d1 > 3*d2 || d2 > 3*d1 || d1 > 200*ms {
					continue
				}
				// Angle at the top-left corner: 90° when seen square on.
				v1 := pt{tr.GetX() - tl.GetX(), tr.GetY() - tl.GetY()}
				v2 := pt{bl.GetX() - tl.GetX(), bl.GetY() - tl.GetY()}
				cos := v1.dot(v2) / (d1 * d2)
				if math.Abs(cos) > 0.7 {
					continue
				}
				dup := false
				for _, t := range tried {
					if t[0] == tl && t[1] == tr && t[2] == bl {
						dup = true
					}
				}
				if dup {
					continue
				}
				all = append(all, scored{[3]gozxing.ResultPoint{bl, tl, tr}, math.Abs(cos) + math.Abs(math.Log(d1/d2)) + (hi/lo - 1)})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].d < all[j].d })
	var out [][3]gozxing.ResultPoint
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].t)
	}
	return out
}

// fitted decodes a code from its three finder patterns by fitting a
// perspective transform to their outlines (twelve corners and three
// centres), choosing the symbol size that fits best and whose timing
// patterns read right, then refining with the alignment patterns. It reads
// codes tilted well beyond what ZXing's parallelogram model allows.
func fitted(tg target, info *detector.FinderPatternInfo) (string, bool) {
	bm := tg.bm
	fps := [3]*detector.FinderPattern{info.GetTopLeft(), info.GetTopRight(), info.GetBottomLeft()}
	var cands []fitCand
	// Strong perspective can make ZXing take the wrong pattern for the
	// top-left one: try each, the timing patterns tell.
	for r := 0; r < 3; r++ {
		cands = fitCandidates(bm, fps[r], fps[(r+1)%3], fps[(r+2)%3], cands)
	}
	sort.Slice(cands, func(i, j int) bool {
		if math.Abs(cands[i].timing-cands[j].timing) > 0.05 {
			return cands[i].timing > cands[j].timing
		}
		return cands[i].rms < cands[j].rms
	})
	for i := 0; i < len(cands) && i < 3; i++ {
		c := cands[i]
		if c.timing < minTiming {
			break
		}
		if bits, ok := c.h.sample(bm, c.n); ok {
			if t, ok := decodeBits(bits); ok {
				return t, true
			}
		}
		if tg.g != nil {
			if t, ok := decodeGray(tg.g, &c.h, c.n); ok {
				return t, true
			}
		}
		if c.n == 21 {
			continue
		}
		h := c.h
		cs := c.cs
		for round := 0; round < 2; round++ {
			found := alignmentCorrs(bm, &h, c.n)
			if len(found) == 0 {
				break
			}
			h2, ok := fitHomography(append(cs, found...))
			if !ok {
				break
			}
			h = h2
			if bits, ok := h.sample(bm, c.n); ok {
				if t, ok := decodeBits(bits); ok {
					return t, true
				}
			}
			if tg.g != nil {
				if t, ok := decodeGray(tg.g, &h, c.n); ok {
					return t, true
				}
			}
		}
	}
	return "", false
}

// fitCand is one hypothesis: a symbol size and the transform fitted for it.
type fitCand struct {
	n      int
	h      homography
	cs     []corr
	timing float64
	rms    float64
}

// fitCandidates appends the hypotheses for tl, tr and bl taken as the
// top-left, top-right and bottom-left patterns, one per symbol size.
func fitCandidates(bm *gozxing.BitMatrix, tl, tr, bl *detector.FinderPattern, out []fitCand) []fitCand {
	ctl, ctr, cbl := pt{tl.GetX(), tl.GetY()}, pt{tr.GetX(), tr.GetY()}, pt{bl.GetX(), bl.GetY()}
	ex, ey := ctr.sub(ctl), cbl.sub(ctl)
	if ex.norm() == 0 || ey.norm() == 0 || math.Abs(ex.cross(ey)) < 1e-6*ex.norm()*ey.norm() {
		return out
	}
	ex, ey = ex.mul(1/ex.norm()), ey.mul(1/ey.norm())
	var qs [3][4]pt
	var oks [3]bool
	centres := [3]pt{ctl, ctr, cbl}
	sizes := [3]float64{tl.GetEstimatedModuleSize(), tr.GetEstimatedModuleSize(), bl.GetEstimatedModuleSize()}
	for i := range centres {
		qs[i], oks[i] = finderQuad(bm, centres[i], ex, ey, sizes[i])
	}
	if !oks[0] && !oks[1] && !oks[2] {
		return out
	}
	for n := 21; n <= 177; n += 4 {
		cs := finderCorrs(n, centres, qs, oks)
		h, ok := fitHomography(cs)
		if !ok {
			continue
		}
		// A module should cover at least about a pixel.
		if h.apply(float64(n), 0).sub(h.apply(0, 0)).norm() < 0.8*float64(n) {
			continue
		}
		out = append(out, fitCand{n, h, cs, timingScore(bm, &h, n), h.rms(cs)})
	}
	return out
}

// finderCorrs lists the known points of the three finder patterns of an
// n-module symbol: centres, and outline corners where they were found.
func finderCorrs(n int, centres [3]pt, qs [3][4]pt, oks [3]bool) []corr {
	f := float64(n)
	origins := [3]pt{{0, 0}, {f - 7, 0}, {0, f - 7}}
	cs := make([]corr, 0, 15)
	for i, o := range origins {
		cs = append(cs, corr{o.add(pt{3.5, 3.5}), centres[i], 1})
		if !oks[i] {
			continue
		}
		for k, d := range [4]pt{{0, 0}, {7, 0}, {7, 7}, {0, 7}} {
			cs = append(cs, corr{o.add(d), qs[i][k], 1})
		}
	}
	return cs
}

// timingScore is the share of timing pattern modules (row and column 6)
// that read as they must, alternating dark and light.
func timingScore(bm *gozxing.BitMatrix, h *homography, n int) float64 {
	good, all := 0, 0
	w, ht := bm.GetWidth(), bm.GetHeight()
	for i := 8; i < n-8; i++ {
		want := i%2 == 0
		for _, p := range [2]pt{h.apply(float64(i)+0.5, 6.5), h.apply(6.5, float64(i)+0.5)} {
			x, y := int(math.Floor(p.x)), int(math.Floor(p.y))
			all++
			if x >= 0 && y >= 0 && x < w && y < ht && bm.Get(x, y) == want {
				good++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(good) / float64(all)
}

// alignmentCorrs looks for each alignment pattern of an n-module symbol
// near where h puts it, by matching the 5×5 pattern through h's local
// geometry, and returns those found.
func alignmentCorrs(bm *gozxing.BitMatrix, h *homography, n int) []corr {
	ver, err := decoder.Version_GetVersionForNumber((n - 17) / 4)
	if err != nil {
		return nil
	}
	centres := ver.GetAlignmentPatternCenters()
	var out []corr
	w, ht := bm.GetWidth(), bm.GetHeight()
	for _, cy := range centres {
		for _, cx := range centres {
			// Skip the three that would overlap finder patterns.
			if (cx < 9 && cy < 9) || (cx > n-10 && cy < 9) || (cx < 9 && cy > n-10) {
				continue
			}
			u, v := float64(cx)+0.5, float64(cy)+0.5
			best, bestScore := pt{}, -1
			// Search ±2 modules in quarter-module steps.
			for dj := -8; dj <= 8; dj++ {
				for di := -8; di <= 8; di++ {
					du, dv := float64(di)/4, float64(dj)/4
					score := 0
					for mj := -2; mj <= 2; mj++ {
						for mi := -2; mi <= 2; mi++ {
							p := h.apply(u+du+float64(mi), v+dv+float64(mj))
							x, y := int(math.Floor(p.x)), int(math.Floor(p.y))
							if x < 0 || y < 0 || x >= w || y >= ht {
								continue
							}
							ring := max(abs(mi), abs(mj))
							if bm.Get(x, y) == (ring != 1) {
								score++
							}
						}
					}
					if score > bestScore || (score == bestScore && di*di+dj*dj < 0) {
						bestScore, best = score, pt{du, dv}
					}
				}
			}
			if bestScore >= 23 {
				out = append(out, corr{pt{u, v}, h.apply(u+best.x, v+best.y), 2})
			}
		}
	}
	return out
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// finderQuad traces the outer edge of the finder pattern centred at c by
// casting rays, fits a line to each side and returns the four outer
// corners in module order: top-left, top-right, bottom-right, bottom-left
// of the pattern, where ex and ey point along the code's rows and columns.
func finderQuad(bm *gozxing.BitMatrix, c, ex, ey pt, ms float64) ([4]pt, bool) {
	var q [4]pt
	if ms <= 0 {
		return q, false
	}
	w, ht := bm.GetWidth(), bm.GetHeight()
	get := func(p pt) (bool, bool) {
		x, y := int(math.Floor(p.x)), int(math.Floor(p.y))
		if x < 0 || y < 0 || x >= w || y >= ht {
			return false, false
		}
		return bm.Get(x, y), true
	}
	// Dual basis to express points in (ex, ey) coordinates.
	det := ex.cross(ey)
	coords := func(p pt) (float64, float64) {
		d := p.sub(c)
		return d.cross(ey) / det, ex.cross(d) / det
	}
	step := 0.5
	minRun := max(1, int(math.Round(0.35*ms/step)))
	maxT := 7.5 * ms
	var sides [4][]pt // top, right, bottom, left
	const rays = 96
	for r := 0; r < rays; r++ {
		s, co := math.Sincos(2 * math.Pi * (float64(r) + 0.5) / rays)
		dir := pt{co, s}
		state := 0 // 0 core dark, 1 light ring, 2 dark ring
		run := 0
		var runStart float64
		var edge pt
		found := false
		for t := 0.0; t < maxT; t += step {
			p := c.add(dir.mul(t))
			dark, in := get(p)
			if !in {
				break
			}
			want := state == 1 // the colour that moves us on
			if state == 0 && t == 0 && !dark {
				break
			}
			if dark == want {
				if run == 0 {
					runStart = t
				}
				run++
				if run >= minRun {
					if state == 2 {
						edge = c.add(dir.mul(runStart - step/2))
						found = true
						break
					}
					state++
					run = 0
				}
			} else {
				run = 0
			}
		}
		if !found {
			continue
		}
		a, b := coords(edge)
		aa, ab := math.Abs(a), math.Abs(b)
		if math.Abs(aa-ab) < 0.2*math.Max(aa, ab) {
			continue // near a corner: side unclear
		}
		switch {
		case aa > ab && a > 0:
			sides[1] = append(sides[1], edge)
		case aa > ab:
			sides[3] = append(sides[3], edge)
		case b > 0:
			sides[2] = append(sides[2], edge)
		default:
			sides[0] = append(sides[0], edge)
		}
	}
	var lines [4]line
	for i, pts := range sides {
		l, ok := fitLine(pts, ms)
		if !ok {
			return q, false
		}
		lines[i] = l
	}
	var ok bool
	if q[0], ok = lines[0].meet(lines[3]); !ok {
		return q, false
	}
	if q[1], ok = lines[0].meet(lines[1]); !ok {
		return q, false
	}
	if q[2], ok = lines[2].meet(lines[1]); !ok {
		return q, false
	}
	if q[3], ok = lines[2].meet(lines[3]); !ok {
		return q, false
	}
	// Sanity: the outline should be about 7 modules across.
	for i := 0; i < 4; i++ {
		d := q[i].sub(q[(i+1)%4]).norm()
		if d < 3*ms || d > 14*ms {
			return q, false
		}
	}
	return q, true
}

type line struct{ p, d pt } // a point and a unit direction

func (l line) meet(m line) (pt, bool) {
	den := l.d.cross(m.d)
	if math.Abs(den) < 1e-6 {
		return pt{}, false
	}
	t := m.p.sub(l.p).cross(m.d) / den
	return l.p.add(l.d.mul(t)), true
}

// fitLine fits a line through pts by total least squares, dropping points
// far from a first fit.
func fitLine(pts []pt, ms float64) (line, bool) {
	for pass := 0; pass < 2; pass++ {
		if len(pts) < 3 {
			return line{}, false
		}
		var c pt
		for _, p := range pts {
			c = c.add(p)
		}
		c = c.mul(1 / float64(len(pts)))
		var sxx, sxy, syy float64
		for _, p := range pts {
			d := p.sub(c)
			sxx += d.x * d.x
			sxy += d.x * d.y
			syy += d.y * d.y
		}
		th := 0.5 * math.Atan2(2*sxy, sxx-syy)
		l := line{c, pt{math.Cos(th), math.Sin(th)}}
		if pass == 1 {
			return l, true
		}
		n := pt{-l.d.y, l.d.x}
		kept := pts[:0:0]
		for _, p := range pts {
			if math.Abs(p.sub(c).dot(n)) < 0.5*ms {
				kept = append(kept, p)
			}
		}
		pts = kept
	}
	return line{}, false
}

// minTiming is the least timingScore a fitted hypothesis needs to be
// sampled at all: random modules read 0.5, codes in the corpus 0.8 and up.
var minTiming = 0.75
