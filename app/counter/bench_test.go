package counter

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/memstat"
	"github.com/pickup-terminal/pickup/store"
)

// BenchmarkEnterToVerdict measures, on Fyne's test driver and a real
// store, the time from the Enter key (the code already typed by the
// scanner) to the verdict on the widgets; "rendered" adds painting the
// whole 1280×800 window in software.
func BenchmarkEnterToVerdict(b *testing.B) {
	for _, bc := range []struct {
		name   string
		kind   pickup.VerdictKind
		render bool
	}{
		{"ok_gloves", pickup.VerdictOK, false},
		{"wrong_centre", pickup.VerdictWrongCentre, false},
		{"ok_gloves/rendered", pickup.VerdictOK, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b, setup{demo: true})
			code := f.sample(bc.kind)
			f.timeEnter(b, code, func() {
				if bc.render {
					f.win.Canvas().Capture()
				}
			})
			if got := f.ui.model.Verdict().Kind; got != bc.kind {
				b.Fatalf("verdict = %s, want %s", got, bc.kind)
			}
		})
	}
}

// BenchmarkColdStart measures opening the store and building the counter
// up to ready-to-scan (focus in the field; the counts follow from Run), on
// the test driver.
func BenchmarkColdStart(b *testing.B) {
	f := newFixture(b, setup{demo: true})
	f.st.Close()
	for b.Loop() {
		test.NewTempApp(b)
		st, err := store.Open(f.ctx, f.dir)
		if err != nil {
			b.Fatal(err)
		}
		w := test.NewWindow(nil)
		w.Resize(fyne.NewSize(1280, 800))
		u := New(f.ctx, w, Options{Store: st, Lang: "en", Log: f.ui.log})
		if w.Canvas().Focused() != u.entry {
			b.Fatal("not ready to scan")
		}
		w.Close()
		st.Close()
	}
}

// BenchmarkMillionPickups fills a store with 1,000,000 pickups (or reuses
// the one in $PICKUP_BENCH_DIR), opens the counter on it and reports the
// time of a lookup and of a status refresh, the Go heap and the process's
// resident memory. It takes a minute or two the first time:
//
//	CGO_ENABLED=0 go test -run '^$' -bench MillionPickups -benchtime 20x ./app/counter/
func BenchmarkMillionPickups(b *testing.B) {
	const n = 1_000_000
	dir := os.Getenv("PICKUP_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	if err := fillMillion(b, dir, n); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	f := newFixture(b, setup{dir: dir})
	f.clock.Set(time.Now())
	code := f.sampleOfMillion(b)

	refresh := time.Now()
	f.ui.Refresh(f.ctx)
	refreshDur := time.Since(refresh)
	if f.status().Expected < n {
		b.Fatalf("expected = %d, want ≥ %d", f.status().Expected, n)
	}
	f.timeEnter(b, code, nil)
	if got := f.ui.model.Phase(); got != PhaseOK {
		b.Fatalf("phase = %v, want ok", got)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(refreshDur.Milliseconds()), "refresh-ms")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "gosys-MiB")
	if rss, peak, err := memstat.Of(0); err == nil {
		b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MiB")
	}
	if fi, err := os.Stat(filepath.Join(dir, store.FileName)); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "db-MiB")
	}
}

// fillMillion makes a demo terminal with n more pickups for its centre,
// unless dir already holds one. They arrive as pull pages, as from a
// registry.
func fillMillion(b *testing.B, dir string, n int) error {
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if have, err := st.Status(ctx); err == nil && have.Expected >= n {
		return nil
	}
	start := time.Now()
	if _, err := st.Demo(ctx, 100); err != nil {
		return err
	}
	id, err := st.Identity(ctx)
	if err != nil {
		return err
	}
	gen := millionPickups(id)
	const batch = 20_000
	for done, page := 0, int64(0); done < n; done, page = done+batch, page+1 {
		rows := make([]store.PickupRow, 0, batch)
		for i := 0; i < batch; i++ {
			rows = append(rows, store.PickupRow{Pickup: gen(), Seq: page + 1})
		}
		if _, err := st.ApplyPage(ctx, &store.Page{DatasetID: "bench", CentreID: id.Centre.ID, After: page, Cursor: page + 1, Pickups: rows}); err != nil {
			return fmt.Errorf("fill: %w", err)
		}
	}
	b.Logf("filled %d pickups in %v", n, time.Since(start).Round(time.Second))
	return nil
}

// millionPickups returns a generator of the big store's pickups, the same
// sequence every time.
func millionPickups(id store.Identity) func() pickup.Pickup {
	rng := rand.New(rand.NewPCG(1, 2))
	today := pickup.DateOf(time.Now())
	profs := []string{"physiotherapist", "pharmacist", "dietitian", "podiatrist", "nurse_2020"}
	kinds := map[string]string{"pharmacist": "masks_only", "dietitian": "masks_only"}
	i := 0
	return func() pickup.Pickup {
		var sb strings.Builder
		for range pickup.CodeLen - 1 {
			sb.WriteByte(pickup.Alphabet[byte(rng.Uint32())&31])
		}
		payload := sb.String()
		prof := profs[i%len(profs)]
		kind := kinds[prof]
		if kind == "" {
			kind = "close_contact"
		}
		p := pickup.Pickup{
			Code: pickup.Code(payload + string(pickup.CheckChar(payload))),
			Name: "Person " + strconv.Itoa(i), Profession: prof, ParcelKind: kind,
			CentreID: id.Centre.ID, CampaignID: id.CampaignID,
			Window: pickup.Window{Start: today.AddDays(-10), End: today.AddDays(30)}, Status: pickup.StatusExpected,
		}
		i++
		return p
	}
}

// sampleOfMillion returns an ok code with gloves from the big store (a
// physiotherapist's).
func (f *fixture) sampleOfMillion(b *testing.B) string {
	id, err := f.st.Identity(f.ctx)
	if err != nil {
		b.Fatal(err)
	}
	gen := millionPickups(id)
	for range 5 {
		gen()
	}
	return string(gen().Code)
}

// timeEnter times the Enter key on code, typed afresh (untimed) on a
// cleared counter each round; then (timed too, when given) runs after.
func (f *fixture) timeEnter(b *testing.B, code string, then func()) {
	for b.Loop() {
		b.StopTimer()
		f.ui.Escape()
		f.typeText(code)
		b.StartTimer()
		f.key(fyne.KeyReturn)
		if then != nil {
			then()
		}
	}
}
