package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// BenchmarkNational is the national load of issue 12 against one
// `pickup-registry serve` process on 127.0.0.1: 1,000,000 pickups over 150
// centres, 1,000 enrolled terminals (goroutines of this process, on the
// same two cores), each syncing every 30 seconds in steady state — push
// its outbox (one handover), pull the delta to the head, fetch the drift
// digest — and, half-way, 200 of them starting a round at the same
// instant. It reports the latency per request (p50, p99, max; steady and
// burst apart) and the serve process's peak RSS (VmHWM). Targets: p99 ≤
// 250 ms, RSS ≤ 200 MB.
//
//	go test ./sync/e2e -run '^$' -bench '^BenchmarkNational$' -benchtime 1x -timeout 60m
//
// PICKUP_E2E_NATIONAL=DIR keeps the registry and the terminals'
// credentials in DIR between runs (the fixture takes minutes);
// PICKUP_E2E_NATIONAL_ROWS, _TERMINALS and _SECONDS (default 1000000,
// 1000, 75) change its size and the length of the run.
func BenchmarkNational(b *testing.B) {
	rows := envInt("PICKUP_E2E_NATIONAL_ROWS", 1_000_000)
	terminals := envInt("PICKUP_E2E_NATIONAL_TERMINALS", 1000)
	seconds := envInt("PICKUP_E2E_NATIONAL_SECONDS", 75)
	const centres, burst, interval = 150, 200, 30 * time.Second
	reg, sims := nationalFixture(b, rows, centres, terminals)
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		reg.start(b)
		nats := nationalTerminals(b, reg, sims)
		steady := &latencies{by: map[string][]time.Duration{}}
		burstLat := &latencies{by: map[string][]time.Duration{}}
		run, cancel := context.WithTimeout(ctx, time.Duration(seconds)*time.Second)
		start := time.Now()
		burstAt := start.Add(time.Duration(seconds) * time.Second / 2)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		fail := func(err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		b.StartTimer()
		for i, nt := range nats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Terminals sync every interval, each at its own phase; the
				// burst's terminals also start a round at burstAt.
				rng := rand.New(rand.NewPCG(uint64(i), 99))
				next := start.Add(time.Duration(rng.Int64N(int64(interval))))
				inBurst := i < burst
				for {
					at, lat := next, steady
					if inBurst && burstAt.Before(next) {
						at, lat, inBurst = burstAt, burstLat, false
					} else {
						next = next.Add(interval)
					}
					select {
					case <-run.Done():
						return
					case <-time.After(time.Until(at)):
					}
					if err := nt.round(run, lat); err != nil && run.Err() == nil {
						fail(fmt.Errorf("terminal %s: %w", nt.creds.TerminalID, err))
					}
				}
			}()
		}
		wg.Wait()
		cancel()
		wall := time.Since(start)
		b.StopTimer()
		rss := peakRSS(reg)
		reg.kill()
		for _, err := range errs[:min(len(errs), 10)] {
			b.Error(err)
		}
		if len(errs) > 10 {
			b.Errorf("… %d failed rounds in all", len(errs))
		}
		all := logPhase(b, "steady", steady)
		burstAll := logPhase(b, "burst", burstLat)
		every := append(append([]time.Duration(nil), all...), burstAll...)
		b.ReportMetric(percentile(every, 0.50).Seconds()*1000, "p50-ms")
		b.ReportMetric(percentile(every, 0.99).Seconds()*1000, "p99-ms")
		b.ReportMetric(percentile(every, 1).Seconds()*1000, "max-ms")
		b.ReportMetric(percentile(burstAll, 0.99).Seconds()*1000, "burst-p99-ms")
		b.ReportMetric(float64(rss)/(1<<20), "registry-RSS-MB")
		b.Logf("national load: %d pickups, %d centres, %d terminals every %s, %d at once half-way; %d requests in %s: p50 %s, p99 %s, max %s; registry peak RSS %.0f MB (targets: p99 ≤ 250 ms, RSS ≤ 200 MB); load average %s",
			rows, centres, terminals, interval, burst, len(every), wall.Round(time.Second),
			percentile(every, 0.5).Round(time.Millisecond), percentile(every, 0.99).Round(time.Millisecond),
			percentile(every, 1).Round(time.Millisecond), float64(rss)/(1<<20), loadAverage())
		b.StartTimer()
	}
}

// logPhase logs one phase's latencies by kind and returns them all.
func logPhase(b *testing.B, phase string, lat *latencies) []time.Duration {
	b.Helper()
	var all []time.Duration
	kinds := make([]string, 0, len(lat.by))
	for k, ds := range lat.by {
		all = append(all, ds...)
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	b.Logf("%s: %d requests: p50 %s, p99 %s, max %s", phase, len(all),
		percentile(all, 0.5).Round(time.Millisecond), percentile(all, 0.99).Round(time.Millisecond), percentile(all, 1).Round(time.Millisecond))
	for _, k := range kinds {
		ds := lat.by[k]
		b.Logf("  %-6s %5d requests: p50 %s, p99 %s, max %s", k, len(ds),
			percentile(ds, 0.5).Round(time.Millisecond), percentile(ds, 0.99).Round(time.Millisecond), percentile(ds, 1).Round(time.Millisecond))
	}
	return all
}

func envInt(name string, dflt int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return dflt
}

// loadAverage is the machine's load average, for the figures' context.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// nationalSim is what a simulated terminal keeps between runs.
type nationalSim struct {
	Creds  protocol.Credentials `json:"creds"`
	Centre string               `json:"centre"`
}

// nationalFixture returns the registry folder (not serving) and its
// enrolled terminals, made once and kept in PICKUP_E2E_NATIONAL when set.
func nationalFixture(b *testing.B, rows, centres, terminals int) (*registryProc, []nationalSim) {
	b.Helper()
	dir := os.Getenv("PICKUP_E2E_NATIONAL")
	if dir == "" {
		dir = b.TempDir()
	}
	reg := registryIn(b, filepath.Join(dir, "registry"))
	b.Cleanup(reg.kill)
	simsFile := filepath.Join(dir, fmt.Sprintf("terminals-%d.json", terminals))
	var sims []nationalSim
	if data, err := os.ReadFile(simsFile); err == nil && json.Unmarshal(data, &sims) == nil && len(sims) == terminals {
		return reg, sims
	}
	start := time.Now()
	if _, err := os.Stat(filepath.Join(reg.dir, registry.FileName)); err != nil {
		if failed := demoRows(b, reg, centres, rows); failed != "" {
			b.Fatal(failed)
		}
	}
	reg.start(b)
	for _, st := range enrolMany(b, reg, reg.URL(), terminals) {
		sims = append(sims, nationalSim{Creds: st.creds, Centre: st.centre})
	}
	reg.kill()
	data, err := json.Marshal(sims)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(simsFile, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("fixture: %d pickups over %d centres, %d terminals enrolled, in %s", rows, centres, terminals, time.Since(start).Round(time.Second))
	return reg, sims
}

// nationalTerminal is a terminal in steady state: its cursor at the head
// of the registry when the run starts, and codes of its centre to hand
// over (each terminal its own).
type nationalTerminal struct {
	c       *protocol.Client
	creds   protocol.Credentials
	centre  string
	dataset string
	cursor  int64
	codes   []pickup.Code
}

// nationalTerminals makes the clients of a run: every terminal's cursor at
// the head, as after its last round, and its share of its centre's
// expected codes.
func nationalTerminals(b *testing.B, reg *registryProc, sims []nationalSim) []*nationalTerminal {
	b.Helper()
	ctx := context.Background()
	db := sqliteRO(b, filepath.Join(reg.dir, registry.FileName))
	defer db.Close()
	var ds string
	var head int64
	if err := db.QueryRow("SELECT (SELECT value FROM meta WHERE key = 'dataset_id'), head FROM seq").Scan(&ds, &head); err != nil {
		b.Fatal(err)
	}
	byCentre := map[string][]*nationalTerminal{}
	var out []*nationalTerminal
	for _, s := range sims {
		c, err := protocol.NewClient(reg.URL(), s.Creds, "")
		if err != nil {
			b.Fatal(err)
		}
		nt := &nationalTerminal{c: c, creds: s.Creds, centre: s.Centre, dataset: ds, cursor: head}
		byCentre[s.Centre] = append(byCentre[s.Centre], nt)
		out = append(out, nt)
	}
	today := pickup.DateOf(time.Now()).String()
	for centre, nts := range byCentre {
		rows, err := db.QueryContext(ctx, `SELECT code FROM pickups WHERE centre_id = ? AND status = 'expected' AND window_start <= ? AND window_end > ? LIMIT ?`,
			centre, today, today, 40*len(nts))
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for rows.Next() {
			var code pickup.Code
			rows.Scan(&code)
			nts[i%len(nts)].codes = append(nts[i%len(nts)].codes, code)
			i++
		}
		rows.Close()
	}
	return out
}

// round is one steady-state sync round: push one handover, pull to the
// head, fetch the digest. Every request's latency goes to lat.
func (nt *nationalTerminal) round(ctx context.Context, lat *latencies) error {
	timed := func(kind string, f func() error) error {
		start := time.Now()
		err := f()
		if ctx.Err() == nil {
			lat.add(kind, time.Since(start))
		}
		return err
	}
	if len(nt.codes) > 0 {
		id, _ := protocol.NewRequestID(nil)
		e := pickup.Event{ID: id, Type: pickup.EventHandover, TerminalID: nt.creds.TerminalID, CentreID: nt.centre,
			At: time.Now().UTC(), Code: nt.codes[0], GloveSize: "M", Volunteer: "Vol",
			Items: []pickup.Line{{Item: "gloves", Size: "M", Qty: 500}, {Item: "masks", Qty: 500}}}
		nt.codes = nt.codes[1:]
		if err := timed("push", func() error {
			_, err := nt.c.Push(ctx, &protocol.PushRequest{Events: []pickup.Event{e}})
			return err
		}); err != nil {
			return fmt.Errorf("push: %w", err)
		}
	}
	for {
		var page *protocol.PullResponse
		if err := timed("pull", func() (err error) {
			page, err = nt.c.Pull(ctx, protocol.PullRequest{DatasetID: nt.dataset, After: nt.cursor})
			return err
		}); err != nil {
			return fmt.Errorf("pull: %w", err)
		}
		nt.cursor, nt.dataset = page.Cursor, page.DatasetID
		if !page.More {
			break
		}
	}
	return timed("digest", func() error {
		_, err := nt.c.Digest(ctx)
		return err
	})
}
