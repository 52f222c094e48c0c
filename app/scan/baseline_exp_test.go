package scan

import (
	"sort"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pickup-terminal/pickup/app/scan/internal/corpus"
	"github.com/pickup-terminal/pickup/sync/registry/qrprint"
)

func TestBaselineExp(t *testing.T) {
	ss, err := corpus.Generate(corpus.Options{Seed: 1, PerClass: 26, Level: qrprint.Level})
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]int{}
	var ms []float64
	total := 0
	for _, s := range ss {
		start := time.Now()
		bmp, _ := gozxing.NewBinaryBitmapFromImage(s.Image)
		res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
		if s.Frame() {
			ms = append(ms, float64(time.Since(start).Microseconds())/1000)
		}
		if err == nil && res.GetText() == s.Text {
			ok[s.Class]++
			total++
		} else if err == nil {
			t.Errorf("misread %s", s.Name())
		}
	}
	for _, c := range corpus.Classes {
		t.Logf("%-12s %2d/26", c, ok[c])
	}
	sort.Float64s(ms)
	t.Logf("total %d/%d = %.1f%%; frames median %.1f ms", total, len(ss), 100*float64(total)/float64(len(ss)), ms[len(ms)/2])
}
