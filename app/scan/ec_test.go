package scan

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/app/scan/internal/corpus"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

// TestECLevels measures what the error-correction level buys: the corpus
// rendered at M, Q and H (same prints, same physical size, so the higher
// levels have smaller modules), decoded with and without erasures, and a
// larger sample of the occluded class. It backs the choice documented in
// package qrprint. Skipped unless PICKUP_SCAN_EC is set:
//
//	PICKUP_SCAN_EC=1 go test ./app/scan -run TestECLevels -v -timeout 30m
func TestECLevels(t *testing.T) {
	if os.Getenv("PICKUP_SCAN_EC") == "" {
		t.Skip("set PICKUP_SCAN_EC=1 to measure error-correction levels")
	}
	const occludedSamples = 100
	var report strings.Builder
	fmt.Fprintf(&report, "\n%-5s %-10s %9s %9s   %s", "level", "erasures", "corpus", "occluded", "per class")
	for _, level := range []qrprint.ECLevel{qrprint.ECMedium, qrprint.ECQuartile, qrprint.ECHigh} {
		ss, err := corpus.Generate(corpus.Options{Seed: corpusSeed, PerClass: corpusPerClass, Level: level})
		if err != nil {
			t.Fatal(err)
		}
		occ, err := corpus.Generate(corpus.Options{Seed: corpusSeed + 1, PerClass: occludedSamples, Level: level, Classes: []string{"occluded"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, erasures := range []bool{true, false} {
			useErasures = erasures
			decode := func(ctx context.Context, s corpus.Sample) (string, error) { return Decode(ctx, s.Image) }
			rs := decodeAll(ss, decode)
			for _, r := range rs {
				if r.err == nil && r.text != r.s.Text {
					t.Errorf("level %v: MISREAD %s", level, r.s.Name())
				}
			}
			ok, total := tally(rs)
			_, occOK := tally(decodeAll(occ, decode))
			fmt.Fprintf(&report, "\n%-5v %-10v %8.1f%% %8.1f%%  %s", level, erasures,
				100*float64(total)/float64(len(ss)), 100*float64(occOK)/float64(len(occ)), classCounts(ok))
		}
	}
	useErasures = true
	t.Log(report.String())
}
