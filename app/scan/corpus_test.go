package scan

import (
	"context"
	"fmt"
	"image"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup/app/scan/internal/corpus"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

// The test corpus: 26 samples of each of the 13 classes, 338 images, half
// bare codes and half signed payloads, at the registry's level.
const (
	corpusSeed     = 1
	corpusPerClass = 26
)

// minDecodeRate is the share of the corpus Decode must read: measured
// 95.6% (323/338), set a little under.
const minDecodeRate = 0.945

var testCorpus = sync.OnceValues(func() ([]corpus.Sample, error) {
	return corpus.Generate(corpus.Options{Seed: corpusSeed, PerClass: corpusPerClass, Level: qrprint.Level})
})

// otherCorpus is a corpus drawn with another seed and size, from
// PICKUP_SCAN_SEED and PICKUP_SCAN_PER_CLASS, to check that the pipeline
// was not tuned to the test corpus; nil when they are not set.
func otherCorpus(t *testing.T) (ss []corpus.Sample, seed uint64, perClass int) {
	seedEnv, nEnv := os.Getenv("PICKUP_SCAN_SEED"), os.Getenv("PICKUP_SCAN_PER_CLASS")
	if seedEnv == "" && nEnv == "" {
		return nil, 0, 0
	}
	seed, perClass = 2, corpusPerClass
	var err error
	if seedEnv != "" {
		if seed, err = strconv.ParseUint(seedEnv, 10, 64); err != nil {
			t.Fatalf("PICKUP_SCAN_SEED: %v", err)
		}
	}
	if nEnv != "" {
		if perClass, err = strconv.Atoi(nEnv); err != nil {
			t.Fatalf("PICKUP_SCAN_PER_CLASS: %v", err)
		}
	}
	ss, err = corpus.Generate(corpus.Options{Seed: seed, PerClass: perClass, Level: qrprint.Level})
	if err != nil {
		t.Fatal(err)
	}
	return ss, seed, perClass
}

// result is one decode of a corpus sample.
type result struct {
	s    corpus.Sample
	text string
	err  error
	d    time.Duration
}

// decodeAll decodes every sample with decode, on all cores.
func decodeAll(ss []corpus.Sample, decode func(context.Context, corpus.Sample) (string, error)) []result {
	out := make([]result, len(ss))
	corpus.Parallel(len(ss), func(i int) {
		start := time.Now()
		text, err := decode(context.Background(), ss[i])
		out[i] = result{ss[i], text, err, time.Since(start)}
	})
	return out
}

// tally counts the results that read their sample's text, per class and
// in all.
func tally(rs []result) (ok map[string]int, total int) {
	ok = map[string]int{}
	for _, r := range rs {
		if r.err == nil && r.text == r.s.Text {
			ok[r.s.Class]++
			total++
		}
	}
	return ok, total
}

// classCounts writes ok per class in report order, each class by its first
// four letters: " clea=40 down=38 …".
func classCounts(ok map[string]int) string {
	var b strings.Builder
	for _, c := range corpus.Classes {
		fmt.Fprintf(&b, " %s=%d", c[:4], ok[c])
	}
	return b.String()
}

// TestCorpus decodes the whole corpus: it fails on any misread and when
// the decode rate falls below minDecodeRate, and logs the rate per class.
// With PICKUP_SCAN_SEED or PICKUP_SCAN_PER_CLASS set it decodes that corpus
// instead and only checks for misreads.
func TestCorpus(t *testing.T) {
	t.Parallel()
	ss, err := testCorpus()
	if err != nil {
		t.Fatal(err)
	}
	perClass, floor := corpusPerClass, minDecodeRate
	if other, seed, n := otherCorpus(t); other != nil {
		ss, perClass, floor = other, n, 0
		t.Logf("corpus with seed %d, %d per class", seed, n)
	}
	res := decodeAll(ss, func(ctx context.Context, s corpus.Sample) (string, error) { return Decode(ctx, s.Image) })
	for _, r := range res {
		switch {
		case r.err == nil && r.text != r.s.Text:
			t.Errorf("%s: MISREAD: Decode = %q, want %q", r.s.Name(), r.text, r.s.Text)
		case r.err != nil:
			t.Logf("%s: %v", r.s.Name(), r.err)
		}
	}
	ok, total := tally(res)
	var b strings.Builder
	for _, c := range corpus.Classes {
		fmt.Fprintf(&b, "\n  %-12s %3d/%d  %5.1f%%", c, ok[c], perClass, 100*float64(ok[c])/float64(perClass))
	}
	rate := float64(total) / float64(len(ss))
	t.Logf("decoded %d/%d = %.1f%%, per class:%s", total, len(ss), 100*rate, b.String())
	if rate < floor {
		t.Errorf("decode rate %.1f%%, want at least %.1f%%", 100*rate, 100*floor)
	}
}

// frames returns the corpus samples that are 1280×720 camera frames.
func frames(b *testing.B) []corpus.Sample {
	ss, err := testCorpus()
	if err != nil {
		b.Fatal(err)
	}
	var fs []corpus.Sample
	for _, s := range ss {
		if s.Frame() {
			fs = append(fs, s)
		}
	}
	return fs
}

// benchDecode decodes the samples with decode one per iteration, in turn,
// and reports the median and 95th percentile.
func benchDecode(b *testing.B, ss []corpus.Sample, decode func(context.Context, image.Image) (string, error)) {
	var ds []time.Duration
	ctx := context.Background()
	i := 0
	for b.Loop() {
		start := time.Now()
		decode(ctx, ss[i%len(ss)].Image)
		ds = append(ds, time.Since(start))
		i++
	}
	reportPercentiles(b, ds)
}

// reportPercentiles adds the median and 95th percentile of ds as metrics.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(ds[len(ds)/2]), "ms/median")
	b.ReportMetric(ms(ds[len(ds)*95/100]), "ms/p95")
}

// BenchmarkDecode1280x720 decodes the corpus's camera frames one per
// iteration, in turn, and reports the median and 95th percentile.
func BenchmarkDecode1280x720(b *testing.B) {
	benchDecode(b, frames(b), Decode)
}

// BenchmarkScanner1280x720 is BenchmarkDecode1280x720 with the camera's
// per-frame budget.
func BenchmarkScanner1280x720(b *testing.B) {
	var sc Scanner
	benchDecode(b, frames(b), sc.Decode)
}

// BenchmarkEmptyFrame is a cluttered 1280×720 frame with no code: what a
// camera frame costs most of the time at a counter.
func BenchmarkEmptyFrame(b *testing.B) {
	img := corpus.Background(corpusSeed)
	ctx := context.Background()
	b.Run("Decode", func(b *testing.B) {
		for b.Loop() {
			Decode(ctx, img)
		}
	})
	b.Run("Scanner", func(b *testing.B) {
		var sc Scanner
		for b.Loop() {
			sc.Decode(ctx, img)
		}
	})
}

// BenchmarkCorpus decodes the corpus's images one per iteration, in turn
// (-benchtime 338x is one pass over the whole corpus), and reports the
// median and 95th percentile per image.
func BenchmarkCorpus(b *testing.B) {
	ss, err := testCorpus()
	if err != nil {
		b.Fatal(err)
	}
	benchDecode(b, ss, Decode)
}
