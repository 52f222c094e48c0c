package scan

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/app/scan/internal/corpus"
)

// TestStages runs each stage of the cascades alone over the corpus and
// prints what it reads per class: the data the cascades are ordered by.
// Skipped unless PICKUP_SCAN_STAGES is set:
//
//	PICKUP_SCAN_STAGES=1 go test ./app/scan -run TestStages -v -timeout 30m
func TestStages(t *testing.T) {
	if os.Getenv("PICKUP_SCAN_STAGES") == "" {
		t.Skip("set PICKUP_SCAN_STAGES=1 to measure each stage alone")
	}
	ss, err := testCorpus()
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	for _, c := range []struct {
		name   string
		stages []stage
	}{{"large", largeCascade}, {"small", smallCascade}} {
		for _, st := range c.stages {
			decode := func(ctx context.Context, s corpus.Sample) (string, error) {
				sess, err := start(s.Image)
				if err != nil {
					return "", err
				}
				if large(sess.base) != (c.name == "large") {
					return "", ErrNoCode // not this image's cascade
				}
				return sess.runAll(ctx, []stage{st})
			}
			ok, total := tally(decodeAll(ss, decode))
			fmt.Fprintf(&report, "\n%-5s %-14s %3d |%s", c.name, st.name, total, classCounts(ok))
		}
	}
	t.Log(report.String())
}
