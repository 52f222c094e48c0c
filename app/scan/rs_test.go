package scan

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing/common/reedsolomon"
)

// rsEncode appends ecc EC codewords to data with ZXing's encoder, the
// reference our decoder must agree with.
func rsEncode(t *testing.T, data []byte, ecc int) []byte {
	t.Helper()
	buf := make([]int, len(data)+ecc)
	for i, b := range data {
		buf[i] = int(b)
	}
	if err := reedsolomon.NewReedSolomonEncoder(reedsolomon.GenericGF_QR_CODE_FIELD_256).Encode(buf, ecc); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(buf))
	for i, v := range buf {
		out[i] = byte(v)
	}
	return out
}

// rsCases: Reed-Solomon blocks with errors and erasures, and whether they correct.
var rsCases = []struct {
	name           string
	data, ecc      int
	errors, erased int
	margin         int
	want           bool
}{
	{"clean", 13, 13, 0, 0, 0, true},
	{"errors only, at capacity", 13, 13, 6, 0, 0, true},
	{"errors only, over capacity", 13, 13, 7, 0, 0, false},
	{"erasures only, at capacity", 13, 13, 0, 13, 0, true},
	{"erasures with margin", 13, 13, 0, 10, 3, true},
	{"erasures beyond margin", 13, 13, 0, 11, 3, false},
	{"mixed", 16, 28, 5, 15, 3, true},
	{"mixed beyond margin", 16, 28, 6, 15, 3, false},
	{"long block", 120, 30, 7, 13, 3, true},
}

func TestRSCorrect(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tt := range rsCases {
		for trial := 0; trial < 20; trial++ {
			data := make([]byte, tt.data)
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			good := rsEncode(t, data, tt.ecc)
			cw := append([]byte(nil), good...)
			perm := rng.Perm(len(cw))
			var erased []int
			for _, p := range perm[:tt.erased] {
				cw[p] = byte(rng.Uint32())
				erased = append(erased, p)
			}
			for _, p := range perm[tt.erased : tt.erased+tt.errors] {
				cw[p] ^= byte(1 + rng.IntN(255))
			}
			got := rsCorrect(cw, tt.ecc, erased, tt.margin)
			if got != tt.want {
				t.Errorf("%s (trial %d): rsCorrect = %v, want %v", tt.name, trial, got, tt.want)
				continue
			}
			if got && !bytes.Equal(cw, good) {
				t.Errorf("%s (trial %d): corrected to the wrong codeword", tt.name, trial)
			}
		}
	}
}
