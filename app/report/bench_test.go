package report

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

const (
	benchPickups   = 1_000_000
	benchHandovers = 5_000
)

// benchDay is the day of the benchmark's handovers.
var benchDay = time.Date(2020, 11, 20, 0, 0, 0, 0, time.UTC)

func benchCode(i int) pickup.Code {
	payload := fmt.Sprintf("%015d", i)
	return pickup.Code(payload + string(pickup.CheckChar(payload)))
}

// bigStore makes, once per process, a store of 1,000,000 pickups (one in
// ten for another centre, a third masks only, professions in turn) with
// 5,000 handovers over one day from 08:00, glove sizes in turn, and a
// reception per glove size.
func bigStore(b *testing.B) string {
	b.Helper()
	dir, err := makeBigStore()
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

var makeBigStore = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pickup-report-bench-")
	if err != nil {
		return "", err
	}
	profs := []string{"physiotherapist", "nurse", "general_practitioner", "dentist", "midwife", "pharmacist"}
	csv := filepath.Join(dir, "list.csv")
	f, err := os.Create(csv)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "code,name,profession,parcel_kind,centre_id,window_start,window_end")
	for i := range benchPickups {
		centre, kind := "here", "close_contact"
		if i%10 == 9 {
			centre = "there"
		}
		if i%3 == 0 {
			kind = "masks_only"
		}
		fmt.Fprintf(w, "%s,Firstname Lastname %d,%s,%s,%s,2020-11-09,2021-01-08\n", benchCode(i), i, profs[i%len(profs)], kind, centre)
	}
	w.Flush()
	f.Close()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "store"))
	if err != nil {
		return "", err
	}
	defer s.Close()
	s.Loc = time.UTC
	now := benchDay.Add(7 * time.Hour)
	s.Now = func() time.Time { return now }
	if _, err := s.Init(ctx, store.InitOptions{CentreID: "here", CentreName: "Here"}); err != nil {
		return "", err
	}
	in, _ := os.Open(csv)
	defer in.Close()
	if _, err := s.ImportPickups(ctx, in); err != nil {
		return "", err
	}
	sizes := []string{"S", "M", "L", "XL"}
	for _, sz := range sizes {
		if _, err := s.ReceiveStock(ctx, "gloves", sz, store.MaxStockQty, "bench"); err != nil {
			return "", err
		}
	}
	// 5,000 handovers from 08:00, one every 6 s (to 16:20).
	n := 0
	for i := 0; n < benchHandovers; i++ {
		if i%10 == 9 {
			continue
		}
		now = benchDay.Add(8*time.Hour + time.Duration(n)*6*time.Second)
		res, err := s.Handover(ctx, store.HandoverRequest{Input: string(benchCode(i)), GloveSize: sizes[n%len(sizes)]})
		if err != nil {
			return "", err
		}
		if res.EventID == "" {
			return "", fmt.Errorf("handover %d refused: %s", i, res.Verdict.Kind)
		}
		n++
	}
	return filepath.Join(dir, "store"), nil
})

// BenchmarkReport1M: the report of a day with 5,000 handovers on a store
// of 1,000,000 pickups — the store's query alone, then each format
// (query and file).
func BenchmarkReport1M(b *testing.B) {
	dir := bigStore(b)
	ctx := context.Background()
	s, err := store.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Loc = time.UTC
	s.Now = func() time.Time { return benchDay.Add(17 * time.Hour) }
	day := pickup.DateOf(benchDay)
	camp, _ := s.Campaign(ctx, "")
	b.Run("query", func(b *testing.B) {
		for range b.N {
			rep, err := s.Report(ctx, day, day)
			if err != nil || rep.Handovers != benchHandovers {
				b.Fatalf("report: %d handovers, %v", rep.Handovers, err)
			}
		}
	})
	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			var size int64
			for range b.N {
				rep, err := s.Report(ctx, day, day)
				if err != nil || rep.Handovers != benchHandovers {
					b.Fatalf("report: %d handovers, %v", rep.Handovers, err)
				}
				cw := &countWriter{}
				if err := Write(cw, format, rep, Options{Lang: "fr", Loc: time.UTC, Campaign: camp}); err != nil {
					b.Fatal(err)
				}
				size = cw.n
			}
			b.ReportMetric(float64(size), "bytes")
		})
	}
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
