package scan

import (
	"context"
	"image"

	"github.com/makiuchi-d/gozxing"
)

// prep names a preprocessing of the frame's luminance.
type prep string

const (
	prepNone    prep = "none"
	prepStretch prep = "stretch" // contrast stretched
	prepUp2     prep = "up2"     // bilinear ×2, for modules of 1–2 px
	prepBox1    prep = "box1"    // 3×3 mean: noise down
	prepSharp   prep = "sharp"   // unsharp mask: blur undone
	prepUp2S    prep = "up2s"    // ×2 then unsharp mask: tiny modules
	prepInvert  prep = "invert"  // negative, for light-on-dark codes
)

// stage is one attempt: a preprocessing, a binarization and how hard to
// look for the code.
type stage struct {
	name string
	prep prep
	bin  string
	opts detectOpts
	roi  bool // look closer at small finder patterns (see runROI)
}

var binarizers = map[string]binarizer{
	"hybrid": hybrid(24),
	"otsu":   otsu(),
	"mean15": meanThreshold(15, 2),
}

var (
	rob   = detectOpts{gray: true, robust: true}
	full  = detectOpts{gray: true, robust: true, triples: 8}
	loose = detectOpts{gray: true, robust: true, triples: 8, loose: true}
)

// The cascades: stages in order, cheapest and likeliest first. They were
// chosen by running each candidate stage alone over the test corpus and
// keeping, greedily, those that read samples no earlier stage reads, per
// cost (TestStages shows what each stage reads alone). Large images are
// camera frames and photos; small ones are screenshots, scans and crops,
// which can afford enlarging.
var (
	largeCascade = []stage{stHybrid, stOtsu, stMean, stInvertFull, stHybridLoose, stBoxLoose,
		stStretchLoose, stSharp, stMeanLoose, stBoxOtsu, {name: "roi", roi: true}}
	smallCascade = []stage{stHybrid, stOtsu, stInvertRob, stMean, stBoxOtsu, stHybridLoose, stUp2,
		stUp2sLoose, stBoxLoose, stStretch, stUp2s, stSharp, stMeanLoose}
)

// roiCascade is what runROI tries on a crop: the small-module stages.
var roiCascade = []stage{stUp2, stUp2sLoose, stOtsu, stUp2s, stBoxOtsu}

// The stages the cascades are made of.
var (
	stHybrid       = stage{name: "hybrid", prep: prepNone, bin: "hybrid", opts: rob}
	stOtsu         = stage{name: "otsu", prep: prepNone, bin: "otsu", opts: full}
	stMean         = stage{name: "mean", prep: prepNone, bin: "mean15", opts: full}
	stInvertFull   = stage{name: "invert", prep: prepInvert, bin: "hybrid", opts: full}
	stInvertRob    = stage{name: "invert", prep: prepInvert, bin: "hybrid", opts: rob}
	stHybridLoose  = stage{name: "hybrid-loose", prep: prepNone, bin: "hybrid", opts: loose}
	stBoxLoose     = stage{name: "box-loose", prep: prepBox1, bin: "hybrid", opts: loose}
	stStretchLoose = stage{name: "stretch-loose", prep: prepStretch, bin: "hybrid", opts: loose}
	stStretch      = stage{name: "stretch", prep: prepStretch, bin: "hybrid", opts: full}
	stSharp        = stage{name: "sharp", prep: prepSharp, bin: "hybrid", opts: rob}
	stMeanLoose    = stage{name: "mean-loose", prep: prepNone, bin: "mean15", opts: loose}
	stBoxOtsu      = stage{name: "box-otsu", prep: prepBox1, bin: "otsu", opts: full}
	stUp2          = stage{name: "up2", prep: prepUp2, bin: "hybrid", opts: rob}
	stUp2s         = stage{name: "up2s", prep: prepUp2S, bin: "hybrid", opts: full}
	stUp2sLoose    = stage{name: "up2s-loose", prep: prepUp2S, bin: "hybrid", opts: loose}
)

// fastStages is how many stages of a cascade every camera frame gets.
const fastStages = 2

// large reports whether g takes the large-image cascade.
func large(g *gray) bool { return g.w*g.h > maxUpscalePixels }

func cascadeFor(g *gray) []stage {
	if large(g) {
		return largeCascade
	}
	return smallCascade
}

// session holds one frame's intermediate images so stages share them.
type session struct {
	base  *gray
	grays map[prep]*gray
	mats  map[string]*gozxing.BitMatrix
}

func newSession(g *gray) *session {
	return &session{base: g, grays: map[prep]*gray{prepNone: g}, mats: map[string]*gozxing.BitMatrix{}}
}

// maxUpscalePixels bounds the images that are enlarged, so that a ×2 pass
// stays cheap.
const maxUpscalePixels = 700 * 700

func (s *session) gray(p prep) *gray {
	if g, ok := s.grays[p]; ok {
		return g
	}
	var g *gray
	switch p {
	case prepStretch:
		g = s.base.stretch()
	case prepUp2:
		if s.base.w*s.base.h <= maxUpscalePixels {
			g = s.base.scale(2)
		}
	case prepBox1:
		g = s.base.boxBlur(1)
	case prepSharp:
		g = s.base.sharpen(1, 1.5)
	case prepUp2S:
		if u := s.gray(prepUp2); u != nil {
			g = u.sharpen(2, 1.5)
		}
	case prepInvert:
		g = s.base.invert()
	}
	s.grays[p] = g
	return g
}

func (s *session) matrix(p prep, bin string) *gozxing.BitMatrix {
	key := string(p) + "/" + bin
	if m, ok := s.mats[key]; ok {
		return m
	}
	var m *gozxing.BitMatrix
	if g := s.gray(p); g != nil {
		m = binarizers[bin](g)
	}
	s.mats[key] = m
	return m
}

// run tries one stage.
func (s *session) run(ctx context.Context, st stage) (string, bool) {
	if st.roi {
		return s.runROI(ctx)
	}
	m := s.matrix(st.prep, st.bin)
	if m == nil {
		return "", false
	}
	return fromMatrix(target{m, s.gray(st.prep)}, st.opts)
}

// runAll tries stages in order and stops at the first trustworthy result.
func (s *session) runAll(ctx context.Context, stages []stage) (string, error) {
	for _, st := range stages {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if t, ok := s.run(ctx, st); ok {
			return t, nil
		}
	}
	return "", ErrNoCode
}

// cloneBits returns a copy of m.
func cloneBits(m *gozxing.BitMatrix) *gozxing.BitMatrix {
	w, h := m.GetWidth(), m.GetHeight()
	out, _ := gozxing.NewBitMatrix(w, h)
	var row *gozxing.BitArray
	for y := 0; y < h; y++ {
		row = m.GetRow(y, row)
		out.SetRow(y, row)
	}
	return out
}

// ROI search: a code with modules of 2–3 px in a camera frame leaves at
// best one or two finder patterns a full-frame pass can see. runROI crops
// the neighbourhood of each small finder pattern candidate, big enough to
// hold the largest symbol it could belong to, and runs the small-module
// stages (which enlarge) on the crop.
const (
	maxROIs        = 3
	roiMaxModule   = 4.0 // px: larger modules were seen at full size
	roiSpanModules = 110 // crop side in modules around the candidate
	roiMinSide     = 96
	roiMaxSide     = 480
)

func (s *session) runROI(ctx context.Context) (string, bool) {
	m := s.matrix(prepNone, "hybrid")
	if m == nil {
		return "", false
	}
	var done []image.Rectangle
	for _, c := range looseFinders(m, 2) {
		if len(done) == maxROIs {
			break
		}
		ms := c.GetEstimatedModuleSize()
		if ms > roiMaxModule {
			continue
		}
		p := image.Pt(int(c.GetX()), int(c.GetY()))
		seen := false
		for _, r := range done {
			if p.In(r.Inset(r.Dx() / 6)) {
				seen = true
			}
		}
		if seen {
			continue
		}
		side := min(max(int(roiSpanModules*ms), roiMinSide), roiMaxSide)
		r := image.Rect(p.X-side/2, p.Y-side/2, p.X+side/2, p.Y+side/2).Intersect(image.Rect(0, 0, s.base.w, s.base.h))
		done = append(done, r)
		crop := s.base.crop(r)
		if crop == nil || crop.w < 21 || crop.h < 21 {
			continue
		}
		if t, err := newSession(crop).runAll(ctx, roiCascade); err == nil {
			return t, true
		}
	}
	return "", false
}
