package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// benchRows is the size of the large benchmarks: 1,000,000 expected pickups.
const benchRows = 1_000_000

var (
	bigOnce sync.Once
	bigDir  string
	bigErr  error
)

// writeBigCSV writes a pickup list of n rows, one in ten for other centres.
func writeBigCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "code,name,profession,parcel_kind,centre_id,window_start,window_end")
	for i := range n {
		centre := "here"
		if i%10 == 9 {
			centre = "there"
		}
		kind := "close_contact"
		if i%3 == 0 {
			kind = "masks_only"
		}
		fmt.Fprintf(w, "%s,Firstname Lastname %d,physiotherapist,%s,%s,2020-11-09,2021-01-08\n", benchCode(i), i, kind, centre)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func benchCode(i int) pickup.Code {
	payload := fmt.Sprintf("%015d", i)
	return pickup.Code(payload + string(pickup.CheckChar(payload)))
}

// openBig opens the big store, closed when the run of b ends.
func openBig(b *testing.B) *Store {
	b.Helper()
	return openIn(b, bigStore(b))
}

// openBigStocked opens the big store at testNow, in UTC, with qty gloves
// received in every size.
func openBigStocked(b *testing.B, qty int) (*Store, context.Context) {
	b.Helper()
	s, ctx := openBig(b), context.Background()
	s.Now = func() time.Time { return testNow }
	s.Loc = time.UTC
	for _, sz := range []string{"S", "M", "L", "XL"} {
		if _, err := s.ReceiveStock(ctx, "gloves", sz, qty, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	return s, ctx
}

// bigStore returns a store folder holding benchRows pickups, made once per
// benchmark process.
func bigStore(b *testing.B) string {
	b.Helper()
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "pickup-bench-")
		if bigErr != nil {
			return
		}
		csv := filepath.Join(bigDir, "list.csv")
		if bigErr = writeBigCSV(csv, benchRows); bigErr != nil {
			return
		}
		ctx := context.Background()
		s, err := Open(ctx, bigDir)
		if err != nil {
			bigErr = err
			return
		}
		defer s.Close()
		if _, bigErr = s.Init(ctx, InitOptions{CentreID: "here", CentreName: "Here"}); bigErr != nil {
			return
		}
		f, _ := os.Open(csv)
		defer f.Close()
		_, bigErr = s.ImportPickups(ctx, f)
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigDir
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	p := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Microseconds()) }
	b.ReportMetric(p(0.50), "p50-µs")
	b.ReportMetric(p(0.99), "p99-µs")
}

// BenchmarkImport1M imports a 1,000,000-row list into an empty terminal and
// reports the database size per million rows.
func BenchmarkImport1M(b *testing.B) {
	dir := b.TempDir()
	csv := filepath.Join(dir, "list.csv")
	if err := writeBigCSV(csv, benchRows); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		sdir := filepath.Join(dir, fmt.Sprint(i))
		s, err := Open(ctx, sdir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Init(ctx, InitOptions{CentreID: "here", CentreName: "Here"}); err != nil {
			b.Fatal(err)
		}
		f, _ := os.Open(csv)
		b.StartTimer()
		res, err := s.ImportPickups(ctx, f)
		b.StopTimer()
		f.Close()
		if err != nil || res.Rows != benchRows {
			b.Fatalf("import: %+v, %v", res, err)
		}
		s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		s.Close()
		st, _ := os.Stat(filepath.Join(sdir, FileName))
		b.ReportMetric(float64(st.Size())/(1<<20), "MB/1M-rows")
		b.StartTimer()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkLookup1M looks up random codes among 1,000,000 pickups.
func BenchmarkLookup1M(b *testing.B) {
	s := openBig(b)
	ctx := context.Background()
	s.Now = func() time.Time { return testNow }
	rng := rand.New(rand.NewPCG(3, 4))
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		code := benchCode(rng.IntN(benchRows)).String()
		t0 := time.Now()
		v, err := s.Lookup(ctx, code)
		durs = append(durs, time.Since(t0))
		if err != nil || v.Kind == pickup.VerdictUnknownCode {
			b.Fatalf("Lookup: %v %v", v.Kind, err)
		}
	}
	reportPercentiles(b, durs)
}

// BenchmarkHandover1M records handovers (synchronous=FULL) in a store of
// 1,000,000 pickups; the p99 is the commit the volunteer waits for.
func BenchmarkHandover1M(b *testing.B) {
	s, ctx := openBigStocked(b, MaxStockQty)
	var next int
	s.db.QueryRow("SELECT count(*) FROM redemptions").Scan(&next)
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		// Skip codes of other centres (every tenth) and those already handed over.
		for next%10 == 9 {
			next++
		}
		code := benchCode(next)
		next++
		t0 := time.Now()
		res, err := s.Handover(ctx, HandoverRequest{Input: string(code), GloveSize: "M", Volunteer: "bench"})
		durs = append(durs, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if res.EventID == "" && res.Verdict.Kind != pickup.VerdictAlreadyCollected {
			b.Fatalf("handover refused: %s", res.Verdict.Kind)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handovers/s")
	reportPercentiles(b, durs)
}

// BenchmarkStatus1M reads the counts the status bar shows, on 1,000,000
// pickups.
func BenchmarkStatus1M(b *testing.B) {
	s := openBig(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		st, err := s.Status(ctx)
		if err != nil || st.Expected == 0 {
			b.Fatalf("Status: %+v, %v", st.Expected, err)
		}
	}
}

// BenchmarkForecast1M computes the shortage forecast of a centre holding
// 900,000 of 1,000,000 pickups, with handovers recorded: the Today panel
// refreshes it.
func BenchmarkForecast1M(b *testing.B) {
	s, ctx := openBigStocked(b, 100_000)
	for i := range 200 {
		if i%10 == 9 {
			continue
		}
		if _, err := s.Handover(ctx, HandoverRequest{Input: string(benchCode(i)), GloveSize: []string{"S", "M", "L", "XL"}[i%4]}); err != nil {
			b.Fatal(err)
		}
	}
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		fc, err := s.Forecast(ctx)
		durs = append(durs, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if m := forecastLine(fc, "masks", ""); m.Need < 400_000_000 {
			b.Fatalf("masks need %d: the 900,000 parcels were not counted", m.Need)
		}
	}
	reportPercentiles(b, durs)
}

func forecastLine(fc pickup.Forecast, item, size string) pickup.ItemForecast {
	for _, l := range fc.Lines {
		if l.Item == item && l.Size == size {
			return l
		}
	}
	return pickup.ItemForecast{}
}
