package scan

import (
	"sort"
	"sync"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// This file decodes a sampled QR symbol with erasures. Reed–Solomon
// corrects e erased and t wrong codewords as long as e + 2t does not
// exceed the EC codewords of a block: a codeword known to be unreadable
// costs half of one that is silently wrong. A finger, a glare spot or a
// blot of ink makes a patch of the symbol flat; blur and noise leave
// modules close to the threshold. Marking those codewords as erasures
// roughly doubles what a symbol survives.
//
// A decode that uses erasures must leave erasureMargin EC codewords
// unused in every block: those keep checking the result, so that the extra
// reach never turns into a misread.
const erasureMargin = 3

// useErasures switches erasure decoding; tests measure without it.
var useErasures = true

// symbolLayout is where each codeword of an n-module symbol lies.
type symbolLayout struct {
	ver      *decoder.Version
	function []bool  // n*n, true on function patterns
	cw       [][]int // module indices (y*n+x) of each raw codeword, MSB first
}

var layouts sync.Map // n → *symbolLayout

var masks sync.Map // [2]int{n, mask} → *gozxing.BitMatrix

// maskFor returns data mask m over an n×n symbol (set where it flips).
func maskFor(n int, m byte) *gozxing.BitMatrix {
	key := [2]int{n, int(m)}
	if b, ok := masks.Load(key); ok {
		return b.(*gozxing.BitMatrix)
	}
	b, _ := gozxing.NewSquareBitMatrix(n)
	decoder.DataMaskValues[m].UnmaskBitMatrix(b, n)
	masks.Store(key, b)
	return b
}

func layoutFor(n int) *symbolLayout {
	if l, ok := layouts.Load(n); ok {
		return l.(*symbolLayout)
	}
	ver, err := decoder.Version_GetVersionForNumber((n - 17) / 4)
	if err != nil || (n-17)%4 != 0 {
		return nil
	}
	f := make([]bool, n*n)
	region := func(left, top, w, h int) {
		for y := top; y < top+h; y++ {
			for x := left; x < left+w; x++ {
				f[y*n+x] = true
			}
		}
	}
	region(0, 0, 9, 9)
	region(n-8, 0, 8, 9)
	region(0, n-8, 9, 8)
	ac := ver.GetAlignmentPatternCenters()
	for xi := range ac {
		for yi := range ac {
			if (xi == 0 && (yi == 0 || yi == len(ac)-1)) || (xi == len(ac)-1 && yi == 0) {
				continue
			}
			region(ac[yi]-2, ac[xi]-2, 5, 5)
		}
	}
	region(6, 9, 1, n-17)
	region(9, 6, n-17, 1)
	if ver.GetVersionNumber() > 6 {
		region(n-11, 0, 3, 6)
		region(0, n-11, 6, 3)
	}
	l := &symbolLayout{ver: ver, function: f}
	var cur []int
	up := true
	for j := n - 1; j > 0; j -= 2 {
		if j == 6 {
			j--
		}
		for c := 0; c < n; c++ {
			i := c
			if up {
				i = n - 1 - c
			}
			for col := 0; col < 2; col++ {
				idx := i*n + j - col
				if f[idx] {
					continue
				}
				cur = append(cur, idx)
				if len(cur) == 8 {
					l.cw = append(l.cw, cur)
					cur = nil
				}
			}
		}
		up = !up
	}
	l.cw = l.cw[:ver.GetTotalCodewords()]
	layouts.Store(n, l)
	return l
}

// softDecode decodes an n×n symbol from its thresholded bits and module
// luminances v with the threshold each module was judged by, trying
// erasures for flat patches and for the least certain codewords.
func softDecode(bits *gozxing.BitMatrix, v, thr []float64, n int) (string, bool) {
	l := layoutFor(n)
	if l == nil || !useErasures {
		return "", false
	}
	p, err := decoder.NewBitMatrixParser(bits)
	if err != nil {
		return "", false
	}
	fi, err := p.ReadFormatInformation()
	if err != nil {
		return "", false
	}
	ecLevel := fi.GetErrorCorrectionLevel()
	mask := maskFor(n, fi.GetDataMask())

	raw := make([]byte, len(l.cw))
	for k, mods := range l.cw {
		var b byte
		for _, m := range mods {
			b <<= 1
			if bits.Get(m%n, m/n) != mask.Get(m%n, m/n) {
				b |= 1
			}
		}
		raw[k] = b
	}

	// Contrast: spread between dark and light modules.
	contrast := percentile(v, 0.9) - percentile(v, 0.1)
	if contrast <= 0 {
		return "", false
	}
	// Flatness: a module whose 3×3 neighbourhood barely varies sits in a
	// patch no QR data looks like.
	flat := make([]bool, n*n)
	for y := 1; y < n-1; y++ {
		for x := 1; x < n-1; x++ {
			lo, hi := 1e9, -1e9
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					w := v[(y+dy)*n+x+dx]
					lo, hi = min(lo, w), max(hi, w)
				}
			}
			flat[y*n+x] = hi-lo < 0.25*contrast
		}
	}
	// Spread flatness to the neighbours: the edge of a patch is unreliable
	// too.
	grown := make([]bool, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			for dy := -1; dy <= 1 && !grown[y*n+x]; dy++ {
				for dx := -1; dx <= 1; dx++ {
					yy, xx := y+dy, x+dx
					if yy >= 0 && xx >= 0 && yy < n && xx < n && flat[yy*n+xx] {
						grown[y*n+x] = true
						break
					}
				}
			}
		}
	}
	flatCW := make([]bool, len(l.cw))
	conf := make([]float64, len(l.cw))
	for k, mods := range l.cw {
		nf := 0
		c := 1e9
		for _, m := range mods {
			if grown[m] {
				nf++
			}
			c = min(c, abs64(v[m]-thr[m])/contrast)
		}
		flatCW[k] = nf >= 2
		conf[k] = c
	}
	if t, ok := decodeErasures(l, ecLevel, raw, func(k int) bool { return flatCW[k] }); ok {
		return t, true
	}
	// The least certain codewords, a growing share of each block's budget.
	for _, share := range [...]float64{0.5, 1} {
		if t, ok := decodeUncertain(l, ecLevel, raw, conf, share); ok {
			return t, true
		}
	}
	return "", false
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// blockLayout lists, for each RS block, the raw codeword indices of its
// data then EC codewords, and the number of data codewords.
func blockLayout(l *symbolLayout, ecLevel decoder.ErrorCorrectionLevel) ([][]int, []int, int) {
	ecb := l.ver.GetECBlocksForLevel(ecLevel)
	ecc := ecb.GetECCodewordsPerBlock()
	var dataLens []int
	for _, e := range ecb.GetECBlocks() {
		for c := 0; c < e.GetCount(); c++ {
			dataLens = append(dataLens, e.GetDataCodewords())
		}
	}
	idx := make([][]int, len(dataLens))
	maxData := dataLens[len(dataLens)-1]
	r := 0
	for i := 0; i < maxData; i++ {
		for b, d := range dataLens {
			if i < d {
				idx[b] = append(idx[b], r)
				r++
			}
		}
	}
	for i := 0; i < ecc; i++ {
		for b := range dataLens {
			idx[b] = append(idx[b], r)
			r++
		}
	}
	return idx, dataLens, ecc
}

// decodeErasures corrects each block with the codewords erase picks as
// erasures and decodes the data.
func decodeErasures(l *symbolLayout, ecLevel decoder.ErrorCorrectionLevel, raw []byte, erase func(k int) bool) (string, bool) {
	blocks, dataLens, ecc := blockLayout(l, ecLevel)
	any := false
	var data []byte
	for b, idx := range blocks {
		cw := make([]byte, len(idx))
		var er []int
		for i, k := range idx {
			cw[i] = raw[k]
			if erase(k) {
				er = append(er, i)
			}
		}
		if len(er) > 0 {
			any = true
		}
		if !rsCorrect(cw, ecc, er, erasureMargin) {
			return "", false
		}
		data = append(data, cw[:dataLens[b]]...)
	}
	if !any {
		return "", false // nothing new over the plain decode
	}
	res, err := decoder.DecodedBitStreamParser_Decode(data, l.ver, ecLevel, nil)
	if err != nil {
		return "", false
	}
	t := res.GetText()
	return t, trusted(t)
}

// decodeUncertain erases, in each block, the least certain codewords: up
// to share of what the block's EC codewords can carry beside the margin.
func decodeUncertain(l *symbolLayout, ecLevel decoder.ErrorCorrectionLevel, raw []byte, conf []float64, share float64) (string, bool) {
	blocks, _, ecc := blockLayout(l, ecLevel)
	chosen := make(map[int]bool)
	budget := int(share * float64(ecc-erasureMargin))
	for _, idx := range blocks {
		ks := append([]int(nil), idx...)
		sort.Slice(ks, func(i, j int) bool { return conf[ks[i]] < conf[ks[j]] })
		for i := 0; i < budget && i < len(ks); i++ {
			chosen[ks[i]] = true
		}
	}
	return decodeErasures(l, ecLevel, raw, func(k int) bool { return chosen[k] })
}

// percentile returns about the q-quantile of luminances v (0..255), by
// histogram.
func percentile(v []float64, q float64) float64 {
	var hist [256]int
	for _, x := range v {
		hist[min(255, max(0, int(x)))]++
	}
	want := int(q * float64(len(v)))
	acc := 0
	for i, c := range hist {
		acc += c
		if acc > want {
			return float64(i)
		}
	}
	return 255
}
