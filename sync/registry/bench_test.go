package registry

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Benchmarks run only with -bench. Figures measured here are in the
// closing note of issue 3.

// bulkPickups stores n pickups for centre in one transaction, without
// signed payloads (the benchmarks measure sync, not signing).
func bulkPickups(b *testing.B, reg *Registry, centre string, n int, seed uint64) []pickup.Code {
	b.Helper()
	ctx := context.Background()
	rnd := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 1, 2, 3})
	codes := make([]pickup.Code, 0, n)
	w := pickup.Window{Start: pickup.MustDate("2020-11-09"), End: pickup.MustDate("2021-01-08")}
	err := reg.write(ctx, func(tx *wtx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO pickups (code, campaign_id, professional_id, name, profession, parcel_kind,
			centre_id, window_start, window_end, status, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'expected', ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		now := fmtTime(time.Now())
		for i := 0; i < n; i++ {
			c, err := pickup.NewCode(rnd)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, c, pickup.DefaultCampaignID, fmt.Sprintf("%s-%d-%d", centre, seed, i),
				fmt.Sprintf("Professional %07d", i), "physiotherapist", "close_contact", centre,
				w.Start.String(), w.End.String(), now, tx.next()); err != nil {
				return err
			}
			codes = append(codes, c)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return codes
}

func benchRegistry(b *testing.B, centres ...string) (*Registry, *httptest.Server) {
	b.Helper()
	reg, err := Open(context.Background(), b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { reg.Close() })
	for _, c := range centres {
		if err := reg.AddCentre(context.Background(), pickup.Centre{ID: c, Name: "Centre " + c}); err != nil {
			b.Fatal(err)
		}
	}
	ts := httptest.NewServer(NewServer(reg, nil).Handler())
	b.Cleanup(ts.Close)
	return reg, ts
}

func benchTerminal(b *testing.B, reg *Registry, url, centre string) *protocol.Client {
	b.Helper()
	ctx := context.Background()
	en, err := reg.NewEnrolment(ctx, centre, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	c, _ := protocol.NewClient(url, protocol.Credentials{}, "")
	rid, _ := protocol.NewRequestID(nil)
	if _, err := c.Enrol(ctx, en.Code.String(), rid, "bench", "bench"); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkPull1M: a terminal pulls a 1,000,000-pickup centre from 0 over
// loopback HTTP (gzip JSON pages of 10,000 rows) with Client.PullAll,
// decoding and validating every page as the terminal's client does (but
// storing nothing).
//
// Setting PICKUP_BENCH_1M=DIR keeps the 1M-pickup registry in DIR between
// runs (made on the first), to skip the setup while tuning.
func BenchmarkPull1M(b *testing.B) {
	const n = 1_000_000
	var reg *Registry
	var ts *httptest.Server
	if dir := os.Getenv("PICKUP_BENCH_1M"); dir != "" {
		var err error
		if reg, err = Open(context.Background(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { reg.Close() })
		ts = httptest.NewServer(NewServer(reg, nil).Handler())
		b.Cleanup(ts.Close)
	}
	if reg == nil || reg.AddCentre(context.Background(), pickup.Centre{ID: "big", Name: "Centre big"}) == nil {
		if reg == nil {
			reg, ts = benchRegistry(b, "big")
		}
		start := time.Now()
		bulkPickups(b, reg, "big", n, 1)
		b.Logf("setup: %d pickups stored in %s", n, time.Since(start).Round(time.Millisecond))
	}
	c := benchTerminal(b, reg, ts.URL, "big")
	ctx := context.Background()
	rows := 0
	for b.Loop() {
		rows = 0
		_, err := c.PullAll(ctx, protocol.PullRequest{Limit: protocol.MaxPullLimit}, func(p *protocol.PullResponse) error {
			rows += len(p.Pickups)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if rows != n {
		b.Fatalf("pulled %d rows, want %d", rows, n)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPush10k: a terminal pushes 10,000 handovers in batches of
// protocol.DefaultPushBatch over loopback HTTP.
func BenchmarkPush10k(b *testing.B) {
	const n = 10_000
	reg, ts := benchRegistry(b, "c1")
	codes := bulkPickups(b, reg, "c1", 4*n, 2)
	c := benchTerminal(b, reg, ts.URL, "c1")
	ctx := context.Background()
	round := 0
	for b.Loop() {
		base := (round % 4) * n
		round++
		for i := 0; i < n; i += protocol.DefaultPushBatch {
			req := &protocol.PushRequest{}
			for j := i; j < i+protocol.DefaultPushBatch; j++ {
				id, _ := protocol.NewRequestID(nil)
				req.Events = append(req.Events, pickup.Event{ID: id, Type: pickup.EventHandover, TerminalID: c.Creds.TerminalID,
					CentreID: "c1", At: time.Now(), Code: codes[base+j], GloveSize: "M", Volunteer: "Vol",
					Items: []pickup.Line{{Item: "gloves", Size: "M", Qty: 500}, {Item: "gowns", Qty: 50}, {Item: "glasses", Qty: 1}, {Item: "masks", Qty: 500}}})
			}
			if _, err := c.Push(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "handovers/s")
}

// BenchmarkLoad200: 200 terminals of 20 centres (2,000 pickups each) sync
// at once over loopback: each round is a push of 5 handovers then a pull
// of the delta. Reports the p50 and p99 latency per request.
func BenchmarkLoad200(b *testing.B) {
	const terminals, centres, perCentre, rounds = 200, 20, 2000, 5
	var ids []string
	for i := 0; i < centres; i++ {
		ids = append(ids, fmt.Sprintf("c%02d", i))
	}
	reg, ts := benchRegistry(b, ids...)
	codes := map[string][]pickup.Code{}
	for i, id := range ids {
		codes[id] = bulkPickups(b, reg, id, perCentre, uint64(10+i))
	}
	type term struct {
		c      *protocol.Client
		centre string
		ds     string
		cursor int64
	}
	ctx := context.Background()
	var terms []*term
	for i := 0; i < terminals; i++ {
		centre := ids[i%centres]
		t := &term{c: benchTerminal(b, reg, ts.URL, centre), centre: centre}
		t.c.HTTP.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
		for { // initial pull, not measured
			p, err := t.c.Pull(ctx, protocol.PullRequest{DatasetID: t.ds, After: t.cursor, Limit: protocol.MaxPullLimit})
			if err != nil {
				b.Fatal(err)
			}
			t.ds, t.cursor = p.DatasetID, p.Cursor
			if !p.More {
				break
			}
		}
		terms = append(terms, t)
	}
	var mu sync.Mutex
	var lat []time.Duration
	next := 0
	for b.Loop() {
		var wg sync.WaitGroup
		for i, t := range terms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for r := 0; r < rounds; r++ {
					req := &protocol.PushRequest{}
					for k := 0; k < 5; k++ {
						mu.Lock()
						idx := (next + i*7 + k) % perCentre
						next++
						mu.Unlock()
						id, _ := protocol.NewRequestID(nil)
						req.Events = append(req.Events, pickup.Event{ID: id, Type: pickup.EventHandover, TerminalID: t.c.Creds.TerminalID,
							CentreID: t.centre, At: time.Now(), Code: codes[t.centre][idx], GloveSize: "L"})
					}
					s := time.Now()
					if _, err := t.c.Push(ctx, req); err != nil {
						b.Error(err)
						return
					}
					mine = append(mine, time.Since(s))
					for {
						s = time.Now()
						p, err := t.c.Pull(ctx, protocol.PullRequest{DatasetID: t.ds, After: t.cursor})
						if err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(s))
						t.cursor = p.Cursor
						if !p.More {
							break
						}
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		b.Fatal("no requests")
	}
	q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkDigest1M: the drift check's digest of a 1,000,000-pickup
// centre, read from the sums every write keeps ("kept"), against the full
// recomputation from every row that it replaces ("full", what Digest cost
// before), and a write of 100 changed pickups followed by the digest
// ("100-changes": the fold costs the changes). PICKUP_BENCH_1M=DIR keeps
// the registry between runs, as for BenchmarkPull1M.
func BenchmarkDigest1M(b *testing.B) {
	const n = 1_000_000
	var reg *Registry
	if dir := os.Getenv("PICKUP_BENCH_1M"); dir != "" {
		var err error
		if reg, err = Open(context.Background(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { reg.Close() })
	} else {
		reg, _ = benchRegistry(b)
	}
	ctx := context.Background()
	if reg.AddCentre(ctx, pickup.Centre{ID: "big", Name: "Centre big"}) == nil {
		start := time.Now()
		bulkPickups(b, reg, "big", n, 1)
		b.Logf("setup: %d pickups stored (and folded into the digest) in %s", n, time.Since(start).Round(time.Millisecond))
	}
	var want string
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			d := &protocol.Digest{}
			err := reg.read(ctx, func(tx *sql.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT `+sqlkit.PickupColumns+` FROM pickups WHERE centre_id = ?`, "big")
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var p pickup.Pickup
					if err := sqlkit.ScanPickup(rows, &p); err != nil {
						return err
					}
					d.Add(p)
				}
				return rows.Err()
			})
			if err != nil {
				b.Fatal(err)
			}
			want = d.Hex()
		}
	})
	b.Run("kept", func(b *testing.B) {
		for b.Loop() {
			d, err := reg.Digest(ctx, "big")
			if err != nil {
				b.Fatal(err)
			}
			if want != "" && d.Digest != want {
				b.Fatalf("kept digest %s, full recomputation %s", d.Digest, want)
			}
		}
	})
	b.Run("100-changes", func(b *testing.B) {
		round := 0
		for b.Loop() {
			round++
			err := reg.write(ctx, func(tx *wtx) error {
				_, err := tx.ExecContext(ctx, "UPDATE pickups SET name = ?, seq = ? WHERE rowid IN (SELECT rowid FROM pickups WHERE centre_id = 'big' LIMIT 100 OFFSET ?)",
					fmt.Sprintf("Renamed %d", round), tx.next(), (round*100)%n)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := reg.Digest(ctx, "big"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSchedule12Weeks1M computes a 12-week schedule of 1,000,000
// requests over 150 centres (the October 2020 campaign's professions and
// phase windows; 10% collected, 3% cancelled) with 100,000 handovers
// behind the pace and the size mix. Figure in the note of issue 14.
func BenchmarkSchedule12Weeks1M(b *testing.B) {
	const requests, centres, handovers = 1_000_000, 150, 100_000
	ctx := context.Background()
	reg, err := Open(ctx, b.TempDir(), Options{Now: func() time.Time { return time.Date(2020, 11, 11, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	camp, err := reg.Campaign(ctx, pickup.DefaultCampaignID)
	if err != nil {
		b.Fatal(err)
	}
	src := rand.NewChaCha8([32]byte{14})
	rnd := rand.New(src)
	err = reg.write(ctx, func(tx *wtx) error {
		for i := 0; i < centres; i++ {
			if _, err := reg.upsertCentre(ctx, tx, pickup.Centre{ID: fmt.Sprintf("c%03d", i), Name: fmt.Sprintf("Centre %d", i)}); err != nil {
				return err
			}
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO pickups (code, campaign_id, professional_id, name, profession, parcel_kind,
			centre_id, window_start, window_end, cancelled, status, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		ev, err := tx.PrepareContext(ctx, `INSERT INTO events (id, type, terminal_id, centre_id, at, received_at, via, code, glove_size, result, seq)
			VALUES (?, 'handover', ?, ?, ?, ?, 'push', ?, ?, 'accepted', ?)`)
		if err != nil {
			return err
		}
		defer ev.Close()
		now := fmtTime(time.Now())
		sizes := []string{"S", "M", "M", "L", "XL"}
		for i := 0; i < requests; i++ {
			code, err := pickup.NewCode(src)
			if err != nil {
				return err
			}
			prof := camp.Professions[rnd.IntN(len(camp.Professions))]
			w, _ := camp.WindowFor(prof.ID)
			centre := fmt.Sprintf("c%03d", rnd.IntN(centres))
			status, cancelled := "expected", 0
			switch r := rnd.IntN(100); {
			case r < 3:
				status, cancelled = "cancelled", 1
			case r < 13:
				status = "collected"
			}
			if _, err := st.ExecContext(ctx, code, camp.ID, fmt.Sprint("p", i), "Professional", prof.ID, prof.ParcelKind, centre,
				w.Start.String(), w.End.String(), cancelled, status, now, tx.next()); err != nil {
				return err
			}
			if status == "collected" && i%10 == 0 || i < handovers && status == "collected" {
				at := time.Date(2020, 11, 9+rnd.IntN(3), 9+rnd.IntN(8), 0, 0, 0, time.UTC)
				if _, err := ev.ExecContext(ctx, fmt.Sprintf("%036d", i), "t-"+centre, centre, fmtTime(at), now, code,
					sizes[rnd.IntN(len(sizes))], tx.next()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		sch, err := reg.Schedule(ctx, ScheduleOptions{From: pickup.MustDate("2020-11-09"), Weeks: 12})
		if err != nil {
			b.Fatal(err)
		}
		if len(sch.Weeks) != 12 || len(sch.Weeks[1].Centres) != centres {
			b.Fatalf("schedule: %d weeks, %d centres in the second", len(sch.Weeks), len(sch.Weeks[1].Centres))
		}
	}
}
