package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

// peerCentre enrols n counters at namur, syncs each once (the peer key),
// lists them as each other's peers, stops the registry and starts their
// `pickup run`. It returns the counters, the centre's open codes and a
// function that stops the runs (the benchmark's clean-up also does).
func peerCentre(b *testing.B, n, requests int) ([]*terminal, []pickup.Pickup, func()) {
	b.Helper()
	var counters []string
	for i := range n {
		counters = append(counters, fmt.Sprintf("namur/%d", i+1))
	}
	reg, tms := setUp(b, demo{centres: 1, requests: requests}, counters...)
	setPeers(b, tms, nil)
	codes := reg.openCodes(b, "namur")
	reg.stop(b)
	var runs []*child
	for _, tm := range tms {
		runs = append(runs, startRun(b, tm))
	}
	return tms, codes, func() {
		for _, c := range runs {
			c.kill()
		}
	}
}

// openCounter opens a counter's store in this process, beside its
// `pickup run`; the benchmark's clean-up closes it.
func openCounter(b *testing.B, tm *terminal) *store.Store {
	b.Helper()
	s := openStore(b, tm.dir)
	b.Cleanup(func() { s.Close() })
	return s
}

func redemptionsOf(b *testing.B, db *sql.DB, code string) int {
	var n int
	if err := db.QueryRow("SELECT count(*) FROM redemptions WHERE code = ?", code).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// A handover at counter 1 until counter 2 refuses the code, over
// loopback, with the registry stopped: p50 and p99 over b.N handovers
// (the peer services fetch every second).
func BenchmarkPeerHandoverRefused(b *testing.B) {
	tms, codes, _ := peerCentre(b, 2, 2*max(b.N, 20)+20)
	ctx := context.Background()
	s1 := openCounter(b, tms[0])
	if _, err := s1.ReceiveStock(ctx, "gloves", "M", 1_000_000, "bench"); err != nil {
		b.Fatal(err)
	}
	db2 := sqliteRO(b, tms[1].db())
	var took []time.Duration
	b.ResetTimer()
	k := 0
	for i := range b.N {
		var code pickup.Code
		for {
			if k == len(codes) {
				b.Fatalf("handover %d: no open code left", i)
			}
			code = codes[k].Code
			k++
			res, err := s1.Handover(ctx, store.HandoverRequest{Input: string(code), GloveSize: "M"})
			if err != nil {
				b.Fatalf("handover %d: %v", i, err)
			}
			if res.EventID != "" {
				break
			}
		}
		start := time.Now()
		for redemptionsOf(b, db2, string(code)) == 0 {
			if time.Since(start) > 30*time.Second {
				b.Fatal("counter 2 did not hear of the handover in 30 s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2].Seconds()*1000, "p50-ms")
	b.ReportMetric(took[min(len(took)-1, len(took)*99/100)].Seconds()*1000, "p99-ms")
}

// 8 counters at one centre, registry stopped, a burst of 1,000 handovers
// spread over them: the time from the burst's start until every counter
// holds all 1,000 (the median and the slowest of b.N rounds).
func Benchmark8CountersBurst(b *testing.B) {
	const counters, burst = 8, 1000
	var recordedAll, agreedAll []time.Duration
	for range b.N {
		b.StopTimer()
		// Each round its own centre, stopped at the round's end: the
		// runs of earlier rounds would otherwise share the CPU with it.
		tms, codes, stop := peerCentre(b, counters, 2*burst+200)
		ctx := context.Background()
		stores := make([]*store.Store, counters)
		dbs := make([]*sql.DB, counters)
		for i, tm := range tms {
			stores[i] = openCounter(b, tm)
			dbs[i] = sqliteRO(b, tm.db())
			if _, err := stores[i].ReceiveStock(ctx, "gloves", "M", 1_000_000, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		errs := make(chan error, counters)
		done := make([]int, counters)
		for i := range counters {
			go func() {
				for j := i; j < len(codes); j += counters {
					res, err := stores[i].Handover(ctx, store.HandoverRequest{Input: string(codes[j].Code), GloveSize: "M"})
					if err != nil {
						errs <- err
						return
					}
					if res.EventID != "" {
						done[i]++
					}
					if done[i] == burst/counters {
						break
					}
				}
				if done[i] < burst/counters {
					errs <- fmt.Errorf("counter %d: only %d open codes", i, done[i])
					return
				}
				errs <- nil
			}()
		}
		for range counters {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		recorded := time.Since(start)
		for {
			all := true
			for _, db := range dbs {
				var n int
				if err := db.QueryRow("SELECT count(*) FROM redemptions").Scan(&n); err != nil {
					b.Fatal(err)
				}
				all = all && n == burst
			}
			if all {
				break
			}
			if time.Since(start) > 5*time.Minute {
				b.Fatal("the counters do not agree after 5 minutes")
			}
			time.Sleep(20 * time.Millisecond)
		}
		agreedAll = append(agreedAll, time.Since(start))
		recordedAll = append(recordedAll, recorded)
		b.StopTimer()
		stop()
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(recordedAll)
	slices.Sort(agreedAll)
	b.ReportMetric(recordedAll[len(recordedAll)/2].Seconds(), "burst-recorded-s")
	b.ReportMetric(agreedAll[len(agreedAll)/2].Seconds(), "all-agree-s")
	b.ReportMetric(agreedAll[len(agreedAll)-1].Seconds(), "all-agree-max-s")
}
