// Package corpus generates the deterministic corpus of distorted QR images
// that the scan package's tests, benchmarks and comparisons run on: pickup
// codes as the registry prints them (package qrprint), bare and signed,
// filmed or scanned the ways a counter sees them.
//
// Every sample draws its payload, geometry and distortions from its own
// PCG stream seeded by (Seed, class, index), so the same sample comes out the
// same whatever else is generated, and rendering the same sample at another
// error-correction level changes only the symbol: sizes are physical. A
// sample's nominal module size holds at the reference level Q; at level M
// the same print has bigger modules, at H smaller ones.
package corpus

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

// Classes are the distortion classes of issue 5, in report order.
var Classes = []string{
	"clean",       // axis-aligned, whole-pixel modules of 2–8 px
	"downscaled",  // modules of 1–3 px at any sub-pixel phase
	"rotated",     // any angle
	"blurred",     // Gaussian blur of 0.3–0.7 module
	"noisy",       // Gaussian noise σ 20–45 plus 2% salt and pepper
	"lowcontrast", // 10–30 grey levels between dark and light
	"gradient",    // shadow across the code: light falls to 15–40%
	"perspective", // tilted 25–55° towards the camera, 1280×720 frame
	"jpeg",        // JPEG quality 30
	"cluttered",   // small code on a letter in a 1280×720 cluttered photo
	"inverted",    // light modules on dark (phone dark mode)
	"occluded",    // 10% of the symbol covered by glare, a finger or ink
	"combined",    // tilt, shadow, low contrast, blur, noise, JPEG in one frame
}

// Frame is the camera frame size of the camera classes.
const FrameW, FrameH = 1280, 720

// refLevel is the level at which a sample's nominal module size holds.
const refLevel = qrprint.ECQuartile

// Options selects what Generate makes.
type Options struct {
	Seed     uint64
	PerClass int
	Level    qrprint.ECLevel // symbol level; the zero value is L, so set it
	Classes  []string        // nil: all Classes
}

// Sample is one corpus image and the text its code carries.
type Sample struct {
	Class string
	Index int
	Text  string
	Image image.Image
	// JPEG holds the file for samples that went through JPEG (the jpeg and
	// combined classes), so comparisons read exactly the same bytes.
	JPEG []byte
	// Modules is the symbol's size in modules, quiet zone included, and
	// Corners where its outer corners (top-left, top-right, bottom-right,
	// bottom-left) lie in the image: the truth a detector is judged by.
	Modules int
	Corners [4][2]float64
}

// Name is a file-name-safe identifier such as "rotated-007".
func (s Sample) Name() string { return fmt.Sprintf("%s-%03d", s.Class, s.Index) }

// Frame reports whether the sample is a full 1280×720 camera frame.
func (s Sample) Frame() bool {
	b := s.Image.Bounds()
	return b.Dx() == FrameW && b.Dy() == FrameH
}

// Generate renders the corpus, on all cores. It is deterministic for given
// options.
func Generate(opt Options) ([]Sample, error) {
	classes := opt.Classes
	if classes == nil {
		classes = Classes
	}
	type job struct {
		class string
		i     int
	}
	var jobs []job
	for _, class := range classes {
		if !slices.Contains(Classes, class) {
			return nil, fmt.Errorf("corpus: unknown class %q", class)
		}
		for i := 0; i < opt.PerClass; i++ {
			jobs = append(jobs, job{class, i})
		}
	}
	out := make([]Sample, len(jobs))
	errs := make([]error, len(jobs))
	Parallel(len(jobs), func(k int) {
		out[k], errs[k] = One(opt.Seed, opt.Level, jobs[k].class, jobs[k].i)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Parallel calls fn(i) for every i from 0 to n-1, on all cores, and returns
// when all calls have returned.
func Parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// One renders sample i of class.
func One(seed uint64, level qrprint.ECLevel, class string, i int) (Sample, error) {
	ci := -1
	for k, c := range Classes {
		if c == class {
			ci = k
		}
	}
	if ci < 0 {
		return Sample{}, fmt.Errorf("corpus: unknown class %q", class)
	}
	rng := rand.New(rand.NewPCG(seed, uint64(ci)<<32|uint64(i)))
	text, err := payload(rng, i)
	if err != nil {
		return Sample{}, err
	}
	g := &gen{rng: rng, text: text}
	n, err := qrprint.Modules(text, level)
	if err != nil {
		return Sample{}, fmt.Errorf("corpus: %w", err)
	}
	g.t = float64(n)
	if g.sym, err = qrprint.Image(text, n, level); err != nil {
		return Sample{}, fmt.Errorf("corpus: %w", err)
	}
	ref, err := qrprint.Modules(text, refLevel)
	if err != nil {
		return Sample{}, fmt.Errorf("corpus: %w", err)
	}
	g.ref = float64(ref)
	s := Sample{Class: class, Index: i, Text: text}
	s.JPEG, s.Image, err = renderers[class](g)
	if err != nil {
		return Sample{}, fmt.Errorf("corpus %s: %w", s.Name(), err)
	}
	s.Modules = n
	for k, p := range [4][2]float64{{0, 0}, {g.t, 0}, {g.t, g.t}, {0, g.t}} {
		s.Corners[k][0], s.Corners[k][1] = g.m.apply(p[0], p[1])
	}
	return s, nil
}

// renderers draw each class; the JPEG classes also return the file.
var renderers = map[string]func(*gen) ([]byte, image.Image, error){
	"clean":       still((*gen).clean),
	"downscaled":  still((*gen).downscaled),
	"rotated":     still((*gen).rotated),
	"blurred":     still((*gen).blurred),
	"noisy":       still((*gen).noisy),
	"lowcontrast": still((*gen).lowContrast),
	"gradient":    still((*gen).gradient),
	"perspective": still((*gen).perspective),
	"jpeg":        (*gen).jpeg,
	"cluttered":   still((*gen).cluttered),
	"inverted":    still((*gen).inverted),
	"occluded":    still((*gen).occluded),
	"combined":    (*gen).combined,
}

// still adapts a renderer of a class that makes no JPEG file.
func still(f func(*gen) image.Image) func(*gen) ([]byte, image.Image, error) {
	return func(g *gen) ([]byte, image.Image, error) { return nil, f(g), nil }
}

// testKey is the corpus's registry key, derived from a fixed string.
var testKey = func() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("pickup scan corpus test key"))
	return ed25519.NewKeyFromSeed(seed[:])
}()

// TestPublicKey is the public half of the key signed payloads are made with.
func TestPublicKey() ed25519.PublicKey { return testKey.Public().(ed25519.PublicKey) }

type rngReader struct{ r *rand.Rand }

func (r rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}

var (
	centres   = []string{"BXL-Nord", "LIEGE-02", "gent_centrum", "Namur", "ANTWERPEN-Zuid-3"}
	campaigns = []string{"winter-2026", "rentree-scolaire-2026", "BB-kit"}
	kinds     = []string{"family", "single", "baby", "hygiene-XL"}
)

// payload returns a bare code for even samples and a signed payload for odd
// ones, as the registry issues both.
func payload(rng *rand.Rand, i int) (string, error) {
	code, err := pickup.NewCode(rngReader{rng})
	if err != nil {
		return "", fmt.Errorf("corpus payload: %w", err)
	}
	if i%2 == 0 {
		return string(code), nil
	}
	start := pickup.MustDate("2026-01-05").AddDays(rng.IntN(300))
	sc := pickup.SignedCode{
		KeyID:      pickup.KeyID(TestPublicKey()),
		Code:       code,
		CentreID:   centres[rng.IntN(len(centres))],
		CampaignID: campaigns[rng.IntN(len(campaigns))],
		ParcelKind: kinds[rng.IntN(len(kinds))],
		Window:     pickup.Window{Start: start, End: start.AddDays(7 + rng.IntN(90))},
	}
	text, err := pickup.Sign(testKey, sc)
	if err != nil {
		return "", fmt.Errorf("corpus payload: %w", err)
	}
	return text, nil
}

// gen renders one sample.
type gen struct {
	rng  *rand.Rand
	text string
	sym  *image.Paletted // one pixel per module, quiet zone included
	t    float64         // modules across sym
	ref  float64         // modules across the same text at refLevel
	m    hom             // where the symbol was drawn
}

func (g *gen) uni(a, b float64) float64 { return a + (b-a)*g.rng.Float64() }

func deg(d float64) float64 { return d * math.Pi / 180 }

// tight renders the symbol alone on a canvas of its colour, the way a
// screenshot or a scanned file shows it: module is the nominal module size
// in pixels, rot the in-plane rotation.
func (g *gen) tight(module, rot float64, dark, light rgb) (*canvas, hom) {
	size := module * g.ref
	ext := size * (math.Abs(math.Cos(rot)) + math.Abs(math.Sin(rot)))
	margin := g.uni(2, 30)
	side := int(math.Ceil(ext + 2*margin))
	c := newCanvas(side, side, light)
	p := pose{cx: float64(side)/2 + g.uni(-0.5, 0.5), cy: float64(side)/2 + g.uni(-0.5, 0.5), size: size, rot: rot}
	m := p.homography(g.t)
	c.drawSymbol(g.sym, m, dark, light)
	g.m = m
	return c, m
}

var (
	black = grey(0)
	white = grey(255)
)

// ink and paper are a printed letter's or a lit screen's usual colours.
func (g *gen) ink() rgb   { return grey(g.uni(15, 50)) }
func (g *gen) paper() rgb { return grey(g.uni(200, 245)) }

func (g *gen) clean() image.Image {
	module := float64(2 + g.rng.IntN(7))
	side := int(module*g.ref) + 2*g.rng.IntN(20)
	c := newCanvas(side, side, white)
	p := pose{cx: float64(side) / 2, cy: float64(side) / 2, size: module * g.ref}
	g.m = p.homography(g.t)
	c.drawSymbol(g.sym, g.m, black, white)
	return c.gray()
}

func (g *gen) downscaled() image.Image {
	c, _ := g.tight(g.uni(1, 3), 0, black, white)
	return c.gray()
}

func (g *gen) rotated() image.Image {
	c, _ := g.tight(g.uni(2.5, 6), g.uni(0, 2*math.Pi), g.ink(), g.paper())
	c.blur(0.4)
	c.noise(g.rng, 3, 0)
	return c.gray()
}

func (g *gen) blurred() image.Image {
	module := g.uni(3, 7)
	c, _ := g.tight(module, deg(g.uni(-10, 10)), g.ink(), g.paper())
	c.blur(module * g.uni(0.3, 0.7))
	c.noise(g.rng, 2, 0)
	return c.gray()
}

func (g *gen) noisy() image.Image {
	c, _ := g.tight(g.uni(2.5, 6), deg(g.uni(-10, 10)), g.ink(), g.paper())
	c.blur(0.4)
	c.noise(g.rng, g.uni(20, 45), 0.02)
	return c.gray()
}

func (g *gen) lowContrast() image.Image {
	d := g.uni(90, 160)
	c, _ := g.tight(g.uni(3, 6), deg(g.uni(-10, 10)), grey(d), grey(d+g.uni(10, 30)))
	c.blur(0.5)
	c.noise(g.rng, 1.5, 0)
	return c.gray()
}

func (g *gen) inverted() image.Image {
	// A dark-mode screen: light modules, dark quiet zone and surround.
	c, _ := g.tight(g.uni(2.5, 6), deg(g.uni(-10, 10)), grey(g.uni(205, 240)), grey(g.uni(10, 45)))
	c.blur(0.5)
	c.noise(g.rng, 4, 0)
	return c.gray()
}

func (g *gen) occluded() image.Image {
	c, m := g.tight(g.uni(3, 6), deg(g.uni(-10, 10)), g.ink(), g.paper())
	g.occlude(c, m, 0.10)
	c.blur(0.5)
	c.noise(g.rng, 3, 0)
	return c.gray()
}

// occlude covers frac of the symbol (quiet zone excluded) with a rectangle
// of glare, skin or ink that avoids the three finder patterns: a covered
// finder pattern is a different failure, which no error correction helps.
func (g *gen) occlude(c *canvas, m hom, frac float64) {
	q := float64(qrprint.QuietZone)
	n := g.t - 2*q
	area := frac * n * n
	var cols = []rgb{grey(g.uni(235, 255)), {190, 150, 125}, grey(g.uni(20, 60))}
	col := cols[g.rng.IntN(len(cols))]
	for try := 0; try < 1000; try++ {
		aspect := math.Exp(g.uni(math.Log(0.4), math.Log(2.5)))
		w := math.Sqrt(area * aspect)
		h := area / w
		if w > n || h > n {
			continue
		}
		x := g.uni(0, n-w)
		y := g.uni(0, n-h)
		finder := func(fx, fy float64) bool { // 8×8 finder plus separator
			return x < fx+8 && x+w > fx && y < fy+8 && y+h > fy
		}
		if finder(0, 0) || finder(n-8, 0) || finder(0, n-8) {
			continue
		}
		c.fillQuad(m, [4][2]float64{{q + x, q + y}, {q + x + w, q + y}, {q + x + w, q + y + h}, {q + x, q + y + h}}, col)
		return
	}
}

func (g *gen) jpeg() ([]byte, image.Image, error) {
	c, _ := g.tight(g.uni(2, 5), deg(g.uni(-8, 8)), g.ink(), rgb{float32(g.uni(225, 250)), float32(g.uni(215, 240)), float32(g.uni(195, 225))})
	c.blur(0.5)
	c.noise(g.rng, 2, 0)
	return jpegBytes(c.rgba(), 30)
}

// desk fills a frame with a smooth background.
func (g *gen) desk() *canvas {
	top := rgb{float32(g.uni(60, 200)), float32(g.uni(60, 200)), float32(g.uni(60, 200))}
	bot := rgb{float32(g.uni(40, 180)), float32(g.uni(40, 180)), float32(g.uni(40, 180))}
	c := newCanvas(FrameW, FrameH, top)
	for y := 0; y < FrameH; y++ {
		f := float32(y) / FrameH
		for x := 0; x < FrameW; x++ {
			i := y*FrameW + x
			for k := 0; k < 3; k++ {
				c.p[k][i] = top[k]*(1-f) + bot[k]*f
			}
		}
	}
	return c
}

// clutter scatters shapes, lines, a patterned cloth and blocks of text.
func (g *gen) clutter(c *canvas) {
	col := func() rgb {
		return rgb{float32(g.uni(0, 255)), float32(g.uni(0, 255)), float32(g.uni(0, 255))}
	}
	for i := 0; i < 40; i++ {
		w, h := g.uni(10, 300), g.uni(10, 300)
		p := pose{cx: g.uni(0, FrameW), cy: g.uni(0, FrameH), size: w, rot: g.uni(0, math.Pi)}
		m := p.homography(w)
		c.fillQuad(m, [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}, col())
	}
	for i := 0; i < 12; i++ {
		r := g.uni(5, 80)
		c.fillEllipse(g.uni(0, FrameW), g.uni(0, FrameH), r, r*g.uni(0.5, 1.5), col())
	}
	for i := 0; i < 20; i++ {
		x, y := g.uni(0, FrameW), g.uni(0, FrameH)
		a := g.uni(0, math.Pi)
		l, w := g.uni(30, 600), g.uni(1, 4)
		dx, dy := math.Cos(a), math.Sin(a)
		nx, ny := -dy*w/2, dx*w/2
		c.fillPoly([][2]float64{{x + nx, y + ny}, {x + l*dx + nx, y + l*dy + ny}, {x + l*dx - nx, y + l*dy - ny}, {x - nx, y - ny}}, col())
	}
	// A checked cloth.
	cx, cy, sq := g.uni(0, FrameW), g.uni(0, FrameH), g.uni(6, 20)
	a, b := col(), col()
	for j := 0; j < 12; j++ {
		for i := 0; i < 12; i++ {
			if (i+j)%2 == 0 {
				c.fillPoly([][2]float64{{cx + float64(i)*sq, cy + float64(j)*sq}, {cx + float64(i+1)*sq, cy + float64(j)*sq},
					{cx + float64(i+1)*sq, cy + float64(j+1)*sq}, {cx + float64(i)*sq, cy + float64(j+1)*sq}}, a)
			} else {
				c.fillPoly([][2]float64{{cx + float64(i)*sq, cy + float64(j)*sq}, {cx + float64(i+1)*sq, cy + float64(j)*sq},
					{cx + float64(i+1)*sq, cy + float64(j+1)*sq}, {cx + float64(i)*sq, cy + float64(j+1)*sq}}, b)
			}
		}
	}
	// Blocks of text: rows of dark word-shaped bars on a light patch.
	for k := 0; k < 4; k++ {
		x0, y0 := g.uni(0, FrameW-200), g.uni(0, FrameH-100)
		lh := g.uni(5, 12)
		c.fillPoly([][2]float64{{x0 - 8, y0 - 8}, {x0 + 260, y0 - 8}, {x0 + 260, y0 + 8*lh*1.6 + 8}, {x0 - 8, y0 + 8*lh*1.6 + 8}}, grey(g.uni(200, 250)))
		g.words(c, x0, y0, 250, 8, lh, grey(g.uni(0, 80)))
	}
}

// words draws rows of word-like bars in image coordinates.
func (g *gen) words(c *canvas, x0, y0, width float64, rows int, lh float64, ink rgb) {
	for r := 0; r < rows; r++ {
		y := y0 + float64(r)*lh*1.6
		for x := x0; x < x0+width; {
			w := g.uni(2, 8) * lh * 0.5
			if x+w > x0+width {
				break
			}
			c.fillPoly([][2]float64{{x, y}, {x + w, y}, {x + w, y + lh}, {x, y + lh}}, ink)
			x += w + lh*0.5
		}
	}
}

// letter lays a sheet of paper with lines of text around the code in the
// code's plane, then the code.
func (g *gen) letter(c *canvas, m hom, dark, light rgb) {
	t := g.t
	c.fillQuad(m, [4][2]float64{{-t * 0.6, -t * 0.5}, {t * 2.2, -t * 0.5}, {t * 2.2, t * 1.8}, {-t * 0.6, t * 1.8}}, light)
	// Text to the right of and below the code, drawn as quads in the plane.
	lh := t * 0.05
	for r := 0; r < 14; r++ {
		y := t*0.1 + float64(r)*lh*1.7
		x0 := t * 1.05
		if y > t*0.95 {
			x0 = -t * 0.4
		}
		for x := x0; x < t*2.05; {
			w := g.uni(2, 7) * lh
			if x+w > t*2.05 {
				break
			}
			c.fillQuad(m, [4][2]float64{{x, y}, {x + w, y}, {x + w, y + lh}, {x, y + lh}}, dark)
			x += w + lh
		}
	}
	c.drawSymbol(g.sym, m, dark, light)
	g.m = m
}

// framePose places the code in a 1280×720 frame so that its centre keeps
// the whole symbol in view.
func (g *gen) framePose(module, tilt, distRatio float64) pose {
	size := module * g.ref
	half := size * 0.75
	return pose{
		cx:        g.uni(half, FrameW-half),
		cy:        g.uni(min(half, FrameH/2), max(FrameH-half, FrameH/2)),
		size:      size,
		rot:       g.uni(0, 2*math.Pi),
		tilt:      tilt,
		axis:      g.uni(0, 2*math.Pi),
		distRatio: distRatio,
	}
}

func (g *gen) gradient() image.Image {
	c := g.desk()
	p := g.framePose(g.uni(3, 6), deg(g.uni(0, 15)), 3)
	m := p.homography(g.t)
	g.letter(c, m, g.ink(), g.paper())
	// A shadow edge across the code: light falls from 1 to lo over a band.
	lo := g.uni(0.15, 0.4)
	a := g.uni(0, 2*math.Pi)
	dx, dy := math.Cos(a), math.Sin(a)
	width := p.size * g.uni(0.2, 1)
	c.illuminate(func(x, y float64) float64 {
		d := ((x-p.cx)*dx + (y-p.cy)*dy) / width
		f := 0.5 + d
		f = math.Min(1, math.Max(0, f))
		return lo + (1-lo)*f
	})
	c.blur(0.5)
	c.noise(g.rng, 3, 0)
	return c.rgba()
}

func (g *gen) perspective() image.Image {
	c := g.desk()
	p := g.framePose(g.uni(3, 6), deg(g.uni(25, 55)), g.uni(1.5, 3))
	m := p.homography(g.t)
	g.letter(c, m, g.ink(), g.paper())
	c.blur(0.5)
	c.noise(g.rng, 3, 0)
	return c.ycbcr()
}

func (g *gen) cluttered() image.Image {
	c := g.desk()
	g.clutter(c)
	p := g.framePose(g.uni(2, 3.5), deg(g.uni(0, 15)), 3)
	p.rot = deg(g.uni(-20, 20))
	m := p.homography(g.t)
	g.letter(c, m, g.ink(), g.paper())
	c.blur(0.5)
	c.noise(g.rng, 3, 0)
	return c.ycbcr()
}

func (g *gen) combined() ([]byte, image.Image, error) {
	c := g.desk()
	g.clutter(c)
	p := g.framePose(g.uni(2.5, 4.5), deg(g.uni(15, 40)), g.uni(2, 3))
	m := p.homography(g.t)
	d := g.uni(50, 100)
	dark, light := grey(d), grey(d+g.uni(50, 100))
	if g.rng.IntN(5) == 0 { // a phone in dark mode
		dark, light = light, dark
	}
	g.letter(c, m, dark, light)
	lo := g.uni(0.45, 0.8)
	a := g.uni(0, 2*math.Pi)
	dx, dy := math.Cos(a), math.Sin(a)
	c.illuminate(func(x, y float64) float64 {
		f := 0.5 + ((x-p.cx)*dx+(y-p.cy)*dy)/(2*p.size)
		return lo + (1-lo)*math.Min(1, math.Max(0, f))
	})
	c.blur(g.uni(0.6, 1.0))
	c.noise(g.rng, g.uni(6, 12), 0)
	return jpegBytes(c.rgba(), 50)
}

// Background renders a cluttered 1280×720 frame with no code in it.
func Background(seed uint64) image.Image {
	g := &gen{rng: rand.New(rand.NewPCG(seed, 1<<40))}
	c := g.desk()
	g.clutter(c)
	c.blur(0.5)
	c.noise(g.rng, 3, 0)
	return c.ycbcr()
}

// Blank returns a white square image of side n.
func Blank(n int) image.Image {
	return newCanvas(n, n, white).gray()
}
