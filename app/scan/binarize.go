package scan

import (
	"github.com/makiuchi-d/gozxing"
)

// A binarizer turns luminance into dark (set) and light modules.
type binarizer func(g *gray) *gozxing.BitMatrix

// packer builds a BitMatrix a row at a time.
type packer struct {
	m   *gozxing.BitMatrix
	row *gozxing.BitArray
}

func newPacker(w, h int) *packer {
	m, _ := gozxing.NewBitMatrix(max(w, 1), max(h, 1))
	return &packer{m: m, row: gozxing.NewBitArray(max(w, 1))}
}

// put sets row y dark wherever pix[x] <= thr[x].
func (p *packer) put(y int, pix []byte, thr []int32) {
	words := p.row.GetBitArray()
	thr = thr[:len(pix)]
	for w := 0; w*32 < len(pix); w++ {
		px := pix[w*32 : min(w*32+32, len(pix))]
		th := thr[w*32 : w*32+len(px)]
		var word uint32
		for i, v := range px {
			// Branch-free v <= th[i]: the sign bit of v − th − 1.
			word |= uint32(int32(v)-th[i]-1) >> 31 << uint(i)
		}
		words[w] = word
	}
	p.m.SetRow(y, p.row)
}

// hybrid is ZXing's HybridBinarizer with a tunable minimum dynamic range:
// each 8×8 block is thresholded at the mean of the 5×5 blocks around it;
// a block flatter than minRange is taken for background (or for the inside
// of a large dark area, judged from its neighbours) rather than split into
// noise. ZXing uses 24, which loses codes printed with less contrast.
func hybrid(minRange int) binarizer {
	return func(g *gray) *gozxing.BitMatrix { return hybridMatrix(g, minRange) }
}

const blockPow = 3
const blockSize = 1 << blockPow

func hybridMatrix(g *gray, minRange int) *gozxing.BitMatrix {
	w, h := g.w, g.h
	if w < 5*blockSize || h < 5*blockSize {
		return otsuMatrix(g)
	}
	sw := (w + blockSize - 1) >> blockPow
	sh := (h + blockSize - 1) >> blockPow
	bp := make([]int32, sw*sh)
	maxY, maxX := h-blockSize, w-blockSize
	for by := 0; by < sh; by++ {
		yo := min(by<<blockPow, maxY)
		for bx := 0; bx < sw; bx++ {
			xo := min(bx<<blockPow, maxX)
			sum, lo, hi := 0, 255, 0
			for yy := 0; yy < blockSize; yy++ {
				row := g.pix[(yo+yy)*w+xo : (yo+yy)*w+xo+blockSize : (yo+yy)*w+xo+blockSize]
				for _, p := range row {
					v := int(p)
					sum += v
					lo = min(lo, v)
					hi = max(hi, v)
				}
			}
			avg := int32(sum >> (2 * blockPow))
			if hi-lo <= minRange {
				avg = int32(lo / 2)
				if by > 0 && bx > 0 {
					nb := (bp[(by-1)*sw+bx] + 2*bp[by*sw+bx-1] + bp[(by-1)*sw+bx-1]) / 4
					if int32(lo) < nb {
						avg = nb
					}
				}
			}
			bp[by*sw+bx] = avg
		}
	}
	// Threshold of each block: the mean of the 5×5 blocks around it.
	tb := make([]int32, sw*sh)
	for by := 0; by < sh; by++ {
		top := min(max(by, 2), sh-3)
		for bx := 0; bx < sw; bx++ {
			left := min(max(bx, 2), sw-3)
			var sum int32
			for z := -2; z <= 2; z++ {
				r := bp[(top+z)*sw+left-2 : (top+z)*sw+left+3 : (top+z)*sw+left+3]
				sum += r[0] + r[1] + r[2] + r[3] + r[4]
			}
			tb[by*sw+bx] = sum / 25
		}
	}
	p := newPacker(w, h)
	words := p.row.GetBitArray()
	for y := 0; y < h; y++ {
		by := min(y>>blockPow, sh-1)
		trow := tb[by*sw : (by+1)*sw]
		pix := g.pix[y*w : (y+1)*w]
		clear(words)
		for bx, t := range trow {
			x0 := bx << blockPow
			px := pix[x0:min(x0+blockSize, w)]
			var b uint32
			for i, v := range px {
				b |= uint32(int32(v)-t-1) >> 31 << uint(i)
			}
			words[x0>>5] |= b << uint(x0&31)
		}
		p.m.SetRow(y, p.row)
	}
	return p.m
}

// otsuMatrix thresholds the whole image at Otsu's threshold: right for a
// faint but evenly lit code, wrong for a shadowed one.
func otsuMatrix(g *gray) *gozxing.BitMatrix {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	total := len(g.pix)
	sumAll := 0
	for i, c := range hist {
		sumAll += i * c
	}
	best, t := -1.0, 127
	wB, sumB := 0, 0
	for i := 0; i < 256; i++ {
		wB += hist[i]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += i * hist[i]
		mB := float64(sumB) / float64(wB)
		mF := float64(sumAll-sumB) / float64(wF)
		between := float64(wB) * float64(wF) * (mB - mF) * (mB - mF)
		if between > best {
			best, t = between, i
		}
	}
	p := newPacker(g.w, g.h)
	thr := make([]int32, g.w)
	for x := range thr {
		thr[x] = int32(t)
	}
	for y := 0; y < g.h; y++ {
		p.put(y, g.pix[y*g.w:(y+1)*g.w], thr)
	}
	return p.m
}

func otsu() binarizer { return otsuMatrix }

// meanThreshold compares each pixel with the mean of the (2r+1)² square
// around it, less bias: no minimum contrast at all, so it finds the faintest
// code, and a flat area becomes noise (bias keeps most of it light).
func meanThreshold(r, bias int) binarizer {
	return func(g *gray) *gozxing.BitMatrix {
		p := newPacker(g.w, g.h)
		thr := make([]int32, g.w)
		g.boxSums(r, func(y int, sum, n []int32) {
			for x := range thr {
				thr[x] = sum[x]/n[x] - int32(bias)
			}
			p.put(y, g.pix[y*g.w:(y+1)*g.w], thr)
		})
		return p.m
	}
}
