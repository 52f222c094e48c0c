package e2e

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/memstat"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// Benchmarks of issue 3 (and BenchmarkNational, the national load of
// issue 12, below), on one machine over loopback. They build large
// fixtures (a registry of 1,000,000 pickups takes minutes); run them with
//
//	go test ./sync/e2e -run '^$' -bench . -benchtime 1x -timeout 60m
//
// PICKUP_E2E_ROWS changes the size of the big centre (default 1000000).
// PICKUP_E2E_INPROC=1 runs the initial pull, the delta and the push in this
// process (registry server and terminal), so that -cpuprofile sees both
// sides; select one with pprof -focus=BenchmarkDelta10k and so on.

// bigRows is the number of pickups of the big centre.
func bigRows() int {
	if n, err := strconv.Atoi(os.Getenv("PICKUP_E2E_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// demoChunk is the largest demo run for one centre that succeeds.
const demoChunk = 200_000

// bigFixture is a registry holding one centre of bigRows pickups, serving
// for the whole benchmark process, and (once made) a terminal of that
// centre after its initial pull.
var bigFixture struct {
	once     sync.Once
	reg      *registryProc
	terminal *terminal
	err      string
}

// nationalPull is the registry of BenchmarkInitialPullNational: Namur's
// bigRows pickups among as many of another centre, made once per process.
var nationalPull struct {
	once sync.Once
	reg  *registryProc
	err  string
}

// bigRegistry returns the big registry, serving; made once per process.
func bigRegistry(b *testing.B) *registryProc {
	b.Helper()
	f := &bigFixture
	f.once.Do(func() { f.reg, f.err = demoFixture(b, "big", 1, bigRows()) })
	if f.err != "" {
		b.Fatal(f.err)
	}
	return f.reg
}

// demoFixture makes a registry of rows demo pickups spread over the first
// centres of the demo, and starts it. The registry's folder is
// PICKUP_E2E_BIG/name when that is set (kept between runs: the fixture
// takes minutes; the benchmarks add terminals and, BenchmarkDelta10k,
// pickups), else a temporary folder removed at exit. It returns the
// failure as text (it runs inside a sync.Once).
func demoFixture(b *testing.B, name string, centres, rows int) (*registryProc, string) {
	dir := ""
	if keep := os.Getenv("PICKUP_E2E_BIG"); keep != "" {
		dir = filepath.Join(keep, fmt.Sprintf("%s-%d-%d", name, centres, rows))
	} else {
		tmp, err := os.MkdirTemp("", "pickup-e2e-"+name+"-")
		if err != nil {
			return nil, err.Error()
		}
		atExit(func() { os.RemoveAll(tmp) })
		dir = tmp
	}
	reg := registryIn(b, filepath.Join(dir, "registry"))
	atExit(reg.kill)
	made := filepath.Join(dir, "made")
	if _, err := os.Stat(made); err != nil {
		os.RemoveAll(reg.dir) // a fixture interrupted half-way is made again
		start := time.Now()
		if failed := demoRows(b, reg, centres, rows); failed != "" {
			return nil, failed
		}
		if err := os.WriteFile(made, nil, 0o600); err != nil {
			return nil, err.Error()
		}
		b.Logf("fixture: registry of %d pickups over %d centre(s) made in %s", rows, centres, time.Since(start).Round(time.Second))
	}
	reg.start(b)
	return reg, ""
}

// demoRows fills a registry with rows demo pickups over its first
// centres, in runs of demo: the fastest route the registry offers, one
// transaction per run, codes drawn and signed as for real requests. Runs
// of at most 200,000, which also worked before afdae0f
// (TestDemoLargeCentre). It returns the failure as text.
func demoRows(b *testing.B, reg *registryProc, centres, rows int) string {
	b.Helper()
	for left := rows; left > 0; left -= demoChunk {
		if res := reg.cli(b, "demo", "--centres", strconv.Itoa(centres), "--requests", strconv.Itoa(min(left, demoChunk))); res.code != 0 {
			return res.String()
		}
	}
	return ""
}

// bigTerminal returns a terminal of the big centre after its initial pull,
// pulling (untimed) if no benchmark made one yet.
func bigTerminal(b *testing.B) *terminal {
	b.Helper()
	reg := bigRegistry(b)
	if bigFixture.terminal != nil {
		return bigFixture.terminal
	}
	dir, err := os.MkdirTemp("", "pickup-e2e-bigterm-")
	if err != nil {
		b.Fatal(err)
	}
	atExit(func() { os.RemoveAll(dir) })
	tm := enrolIn(b, reg, reg.URL(), filepath.Join(dir, "t"), "namur", "big")
	tm.mustSync(b)
	bigFixture.terminal = tm
	return tm
}

// childSync runs `pickup sync --json` as a child process and returns its
// wall time, its maximum resident set and its report.
func childSync(b *testing.B, tm *terminal) (time.Duration, int64, syncJSON) {
	b.Helper()
	var out strings.Builder
	start := time.Now()
	c := spawn(b, &out, nil, bin.pickup, "--data", tm.dir, "--json", "sync")
	<-c.exited
	took := time.Since(start)
	if c.err != nil {
		b.Fatalf("pickup sync: %v", c.err)
	}
	var rep syncJSON
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		b.Fatalf("pickup sync --json: %v", err)
	}
	return took, c.maxRSS(), rep
}

// phases records when the first request of each path started, to split a
// sync round into push, pull and drift check.
type phases struct {
	base  http.RoundTripper
	mu    sync.Mutex
	first map[string]time.Time
	count map[string]int
}

func (p *phases) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	if _, ok := p.first[r.URL.Path]; !ok {
		p.first[r.URL.Path] = time.Now()
	}
	p.count[r.URL.Path]++
	p.mu.Unlock()
	return p.base.RoundTrip(r)
}

// roundTimes is a sync round split at its first pull and first digest.
type roundTimes struct {
	total, push, pull, drift time.Duration
	requests                 map[string]int
}

// inproc serves the big registry's folder from this process when
// PICKUP_E2E_INPROC is set, so that -cpuprofile sees the registry's side.
var inproc struct {
	once sync.Once
	url  string
	err  error
}

// serverURL returns the address the timed terminal rounds talk to: the
// registry process, or with PICKUP_E2E_INPROC a server in this process on
// the same folder (true).
func serverURL(b *testing.B, reg *registryProc) (string, bool) {
	b.Helper()
	if os.Getenv("PICKUP_E2E_INPROC") == "" {
		return reg.URL(), false
	}
	inproc.once.Do(func() {
		var stop func()
		if inproc.url, stop, inproc.err = serveInProcess(reg); inproc.err == nil {
			atExit(stop)
		}
	})
	if inproc.err != nil {
		b.Fatal(inproc.err)
	}
	return inproc.url, true
}

// serveInProcess serves the registry's folder from this process (an
// httptest server on 127.0.0.1), so that -cpuprofile sees the registry's
// side; stop ends it.
func serveInProcess(reg *registryProc) (url string, stop func(), err error) {
	r, err := registry.Open(context.Background(), reg.dir, registry.Options{})
	if err != nil {
		return "", nil, err
	}
	srv := httptest.NewServer(registry.NewServer(r, nil).Handler())
	return srv.URL, func() { srv.Close(); r.Close() }, nil
}

// timedRound runs one sync round in this process on the terminal's folder,
// with the registry at url (the terminal's own setting when empty).
func timedRound(b *testing.B, dir, url string) (roundTimes, client.Report) {
	b.Helper()
	ctx := context.Background()
	s := openStore(b, dir)
	defer s.Close()
	cfg, err := s.SyncConfig(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if url == "" {
		url = cfg.RegistryURL
	}
	c, err := protocol.NewClient(url, protocol.Credentials{TerminalID: cfg.TerminalID, CentreID: cfg.CentreID, Secret: cfg.Secret}, cfg.Pin)
	if err != nil {
		b.Fatal(err)
	}
	c.SetClockOffset(cfg.ClockOffset)
	ph := &phases{base: c.HTTP.Transport, first: map[string]time.Time{}, count: map[string]int{}}
	c.HTTP.Transport = ph
	y := &client.Syncer{Store: s, Client: c, Log: slog.New(slog.DiscardHandler)}
	start := time.Now()
	rep, err := y.Round(ctx)
	end := time.Now()
	if err != nil {
		b.Fatalf("sync round: %v", err)
	}
	at := func(path string, dflt time.Time) time.Time {
		if t, ok := ph.first[path]; ok {
			return t
		}
		return dflt
	}
	pull := at(protocol.PathPull, end)
	digest := at(protocol.PathDigest, end)
	return roundTimes{total: end.Sub(start), push: pull.Sub(start), pull: digest.Sub(pull), drift: end.Sub(digest), requests: ph.count}, rep
}

// ingestRow is a pickup-sized row of the plain-ingest baseline: the fields
// a pull page carries for a pickup.
type ingestRow struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Profession  string `json:"profession"`
	ParcelKind  string `json:"parcel_kind"`
	CentreID    string `json:"centre_id"`
	CampaignID  string `json:"campaign_id"`
	WindowStart string `json:"window_start"`
	WindowEnd   string `json:"window_end"`
	Status      string `json:"status"`
	Seq         int64  `json:"seq"`
}

// plainIngest is the baseline: a server streams n rows as gzip NDJSON over
// loopback HTTP, generated as it goes (random codes, demo-like names); the
// client decodes each line and inserts it into a modernc SQLite table
// shaped like the terminal's pickups (same pragmas: WAL, synchronous FULL),
// 10,000 rows per transaction. It returns the wall time of the transfer
// and the ingest, from the request to the last commit.
func plainIngest(b *testing.B, n int, dir string) time.Duration {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		bw := bufio.NewWriterSize(zw, 64<<10)
		enc := json.NewEncoder(bw)
		rng := rand.New(rand.NewPCG(1, 2))
		src := rand.NewChaCha8([32]byte{1})
		names := []string{"Anne Peeters", "Luc Janssens", "Marie Dubois", "Jan Van den Broeck", "Sophie Lambert", "Koen Mertens"}
		for i := range n {
			code, err := pickup.NewCode(src)
			if err != nil {
				return
			}
			kind := "close_contact"
			if rng.IntN(4) == 0 {
				kind = "masks_only"
			}
			enc.Encode(ingestRow{Code: string(code), Name: names[rng.IntN(len(names))], Profession: "physiotherapist", ParcelKind: kind,
				CentreID: "namur", CampaignID: pickup.DefaultCampaignID, WindowStart: "2026-11-10", WindowEnd: "2027-01-10",
				Status: "expected", Seq: int64(i + 1)})
		}
		bw.Flush()
		zw.Close()
	}))
	defer srv.Close()

	path := filepath.Join(dir, "ingest.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE pickups (
		id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, profession TEXT NOT NULL,
		parcel_kind TEXT NOT NULL, centre_id TEXT NOT NULL, campaign_id TEXT NOT NULL DEFAULT '',
		window_start TEXT NOT NULL, window_end TEXT NOT NULL, status TEXT NOT NULL, registry_seq INTEGER NOT NULL DEFAULT 0) STRICT;
		CREATE INDEX pickups_centre ON pickups (centre_id, status)`); err != nil {
		b.Fatal(err)
	}

	start := time.Now()
	resp, err := http.Get(srv.URL) // the transport decompresses gzip
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var tx *sql.Tx
	var ins *sql.Stmt
	rows := 0
	commit := func() {
		if tx == nil {
			return
		}
		ins.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		tx = nil
	}
	for sc.Scan() {
		var r ingestRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			b.Fatal(err)
		}
		if tx == nil {
			if tx, err = db.Begin(); err != nil {
				b.Fatal(err)
			}
			if ins, err = tx.Prepare(`INSERT INTO pickups(code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status, registry_seq)
				VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := ins.Exec(r.Code, r.Name, r.Profession, r.ParcelKind, r.CentreID, r.CampaignID, r.WindowStart, r.WindowEnd, r.Status, r.Seq); err != nil {
			b.Fatal(err)
		}
		if rows++; rows%10_000 == 0 {
			commit()
		}
	}
	commit()
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	if rows != n {
		b.Fatalf("baseline ingested %d rows, want %d", rows, n)
	}
	return took
}

// BenchmarkInitialPull pulls the big centre into an empty terminal
// (`pickup sync` as a child process: wall time and maximum RSS) and, in the
// same run, the plain-ingest baseline of as many rows. Targets: within
// 1.5× the baseline; terminal RSS under 100 MB.
func BenchmarkInitialPull(b *testing.B) {
	initialPull(b, bigRegistry(b), true)
}

// BenchmarkInitialPullNational is BenchmarkInitialPull with the national
// code locator (issue 10): the registry holds, besides Namur's, as many
// codes of another centre (demo over two centres, 2×PICKUP_E2E_ROWS
// requests, interleaved as requests arrive), so that every pull page also
// carries the locator of the other centre's codes of its range. Target:
// the pull within 1.5× the plain ingest of Namur's pickups alone; it
// reports the locator's rows and its size on the terminal.
func BenchmarkInitialPullNational(b *testing.B) {
	f := &nationalPull
	f.once.Do(func() { f.reg, f.err = demoFixture(b, "national", 2, 2*bigRows()) })
	if f.err != "" {
		b.Fatal(f.err)
	}
	initialPull(b, f.reg, false)
}

// initialPull is the body of the initial-pull benchmarks: a fresh terminal
// of Namur pulls from reg, timed against the plain ingest of as many rows
// as Namur holds. With keep, the first terminal becomes the big terminal
// of the later benchmarks.
func initialPull(b *testing.B, reg *registryProc, keep bool) {
	url, inproc := serverURL(b, reg)
	regDB := sqliteRO(b, reg.db())
	var own, others int
	if err := regDB.QueryRow(`SELECT count(*) FILTER (WHERE centre_id = 'namur'), count(*) FILTER (WHERE centre_id <> 'namur' AND status <> 'cancelled') FROM pickups`).Scan(&own, &others); err != nil {
		b.Fatal(err)
	}
	regDB.Close()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		dir := b.TempDir()
		base := plainIngest(b, own, dir)
		tmDir := filepath.Join(dir, "terminal")
		keep := keep && i == 0 && bigFixture.terminal == nil // the later benchmarks' big terminal
		if keep {
			d, err := os.MkdirTemp("", "pickup-e2e-bigterm-")
			if err != nil {
				b.Fatal(err)
			}
			atExit(func() { os.RemoveAll(d) })
			tmDir = filepath.Join(d, "t")
		}
		tm := enrolIn(b, reg, url, tmDir, "namur", "pull")
		b.StartTimer()
		var took time.Duration
		var rss int64
		var pulled int
		if inproc {
			var rt roundTimes
			var rep client.Report
			rt, rep = timedRound(b, tm.dir, url)
			took, pulled = rt.total, rep.Pulled
			rss = memstat.PeakSelf() // the whole test process: registry and baseline included
			b.ReportMetric(rt.pull.Seconds(), "pull-phase-s")
			b.ReportMetric(rt.drift.Seconds(), "drift-check-s")
		} else {
			var rep syncJSON
			took, rss, rep = childSync(b, tm)
			pulled = rep.Report.Pulled
			if !rep.OK || rep.Report.Pulled < own {
				b.Fatalf("initial pull: ok %v, %d pickups pulled, want %d", rep.OK, rep.Report.Pulled, own)
			}
		}
		b.StopTimer()
		if keep {
			bigFixture.terminal = tm
		}
		located := locatorRows(b, tm)
		if located != others {
			b.Fatalf("the terminal locates %d codes of other centres, want %d", located, others)
		}
		b.ReportMetric(base.Seconds(), "baseline-s")
		b.ReportMetric(took.Seconds(), "pull-s")
		b.ReportMetric(took.Seconds()/base.Seconds(), "pull/baseline")
		b.ReportMetric(float64(rss)/(1<<20), "terminal-RSS-MB")
		b.ReportMetric(float64(located), "located-codes")
		b.Logf("initial pull of %d pickups and %d located codes of other centres: %s (baseline %s, ratio %.2f, target ≤ 1.5); terminal max RSS %.1f MB (target < 100); load average %s",
			pulled, located, took.Round(time.Millisecond), base.Round(time.Millisecond), took.Seconds()/base.Seconds(), float64(rss)/(1<<20), loadAverage())
		b.StartTimer()
	}
}

// locatorRows counts the codes of other centres a terminal can locate.
func locatorRows(b *testing.B, tm *terminal) int {
	b.Helper()
	db := sqliteRO(b, tm.db())
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM locator").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkDelta10k: 10,000 new pickups at the registry, pulled by a
// terminal that holds the big centre (one round in this process). Target:
// under 1 s.
func BenchmarkDelta10k(b *testing.B) {
	reg := bigRegistry(b)
	tm := bigTerminal(b)
	url, _ := serverURL(b, reg)
	timedRounds(b, tm, url, func() {
		reg.must(b, "demo", "--centres", "1", "--requests", "10000")
	}, func(rt roundTimes, rep client.Report) {
		if rep.Pulled < 10_000 {
			b.Fatalf("delta round pulled %d pickups, want 10000", rep.Pulled)
		}
		b.ReportMetric(rt.pull.Seconds(), "pull-phase-s")
		b.Logf("delta of %d pickups on a %d-pickup terminal: round %s (pull %s in %d pages, drift check %s); target < 1 s",
			rep.Pulled, bigRows(), rt.total.Round(time.Millisecond), rt.pull.Round(time.Millisecond), rep.Pages, rt.drift.Round(time.Millisecond))
	})
}

// timedRounds runs b.N timed sync rounds of tm in this process, with the
// registry at url, each after prepare (untimed); it reports each round's
// time and drift check, and done checks and reports the rest.
func timedRounds(b *testing.B, tm *terminal, url string, prepare func(), done func(roundTimes, client.Report)) {
	b.Helper()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		prepare()
		b.StartTimer()
		rt, rep := timedRound(b, tm.dir, url)
		b.StopTimer()
		done(rt, rep)
		b.ReportMetric(rt.total.Seconds(), "round-s")
		b.ReportMetric(rt.drift.Seconds(), "drift-check-s")
		b.StartTimer()
	}
}

// openTerminalCodes lists up to n codes the terminal would hand over now:
// its centre's, expected, window open, not handed over (read-only SQL on
// its database).
func openTerminalCodes(b *testing.B, tm *terminal, n int) []pickup.Pickup {
	b.Helper()
	db := sqliteRO(b, tm.db())
	today := pickup.DateOf(time.Now())
	rows, err := db.Query(`SELECT code FROM pickups WHERE centre_id = ? AND status = 'expected'
		AND window_start <= ? AND window_end > ? AND code NOT IN (SELECT code FROM redemptions) LIMIT ?`,
		tm.centre, today.String(), today.AddDays(1).String(), n)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []pickup.Pickup
	for rows.Next() {
		var c string
		rows.Scan(&c)
		out = append(out, pickup.Pickup{Code: pickup.Code(c)})
	}
	if len(out) < n {
		b.Fatalf("only %d open codes left on the terminal", len(out))
	}
	return out
}

// BenchmarkPush10k: 10,000 handovers recorded at a terminal of the big
// centre, then one sync round (in this process): the push phase, and the
// round with the pull of the answers and the drift check. Target: push
// under 2 s.
func BenchmarkPush10k(b *testing.B) {
	tm := bigTerminal(b)
	url, _ := serverURL(b, bigRegistry(b))
	timedRounds(b, tm, url, func() {
		tm.receive(b, "gloves", "M", 10_000_000)
		handoverInProcess(b, tm, openTerminalCodes(b, tm, 10_000))
	}, func(rt roundTimes, rep client.Report) {
		if rep.Accepted < 10_000 {
			b.Fatalf("push round: %d facts accepted, want 10000", rep.Accepted)
		}
		b.ReportMetric(rt.push.Seconds(), "push-phase-s")
		b.Logf("push of %d facts in %d requests: %s; whole round %s (pull %s, drift check %s); target push < 2 s",
			rep.Pushed, rt.requests[protocol.PathPush], rt.push.Round(time.Millisecond), rt.total.Round(time.Millisecond),
			rt.pull.Round(time.Millisecond), rt.drift.Round(time.Millisecond))
	})
}

// latencies collects request latencies by kind.
type latencies struct {
	mu sync.Mutex
	by map[string][]time.Duration
}

func (l *latencies) add(kind string, d time.Duration) {
	l.mu.Lock()
	l.by[kind] = append(l.by[kind], d)
	l.mu.Unlock()
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// simClient is an enrolled terminal reduced to its protocol client and
// its place in the pull; it times every request it sends.
type simClient struct {
	c       *protocol.Client
	creds   protocol.Credentials
	centre  string
	dataset string
	cursor  int64
}

// timed runs f and records its latency under kind, unless ctx is done by
// then (a request cut by the end of a run is no figure).
func timed(ctx context.Context, lat *latencies, kind string, f func() error) error {
	start := time.Now()
	err := f()
	if ctx.Err() == nil {
		lat.add(kind, time.Since(start))
	}
	return err
}

// pullToHead pulls from the client's cursor to the registry's head;
// page (if any) sees every page.
func (s *simClient) pullToHead(ctx context.Context, lat *latencies, page func(*protocol.PullResponse)) error {
	for {
		var p *protocol.PullResponse
		if err := timed(ctx, lat, "pull", func() (err error) {
			p, err = s.c.Pull(ctx, protocol.PullRequest{DatasetID: s.dataset, After: s.cursor})
			return err
		}); err != nil {
			return fmt.Errorf("pull: %w", err)
		}
		if page != nil {
			page(p)
		}
		s.cursor, s.dataset = p.Cursor, p.DatasetID
		if !p.More {
			return nil
		}
	}
}

// handover is a handover of code at this terminal, now, of the parcel
// (its items, glove size and volunteer).
func (s *simClient) handover(code pickup.Code, parcel pickup.Event) pickup.Event {
	id, _ := protocol.NewRequestID(nil)
	e := parcel
	e.ID, e.Type, e.TerminalID, e.CentreID, e.At, e.Code = id, pickup.EventHandover, s.creds.TerminalID, s.centre, time.Now().UTC(), code
	return e
}

func (s *simClient) push(ctx context.Context, lat *latencies, evs []pickup.Event) error {
	if err := timed(ctx, lat, "push", func() error {
		_, err := s.c.Push(ctx, &protocol.PushRequest{Events: evs})
		return err
	}); err != nil {
		return fmt.Errorf("push: %w", err)
	}
	return nil
}

func (s *simClient) digest(ctx context.Context, lat *latencies) error {
	return timed(ctx, lat, "digest", func() error {
		_, err := s.c.Digest(ctx)
		return err
	})
}

// simTerminal is a terminal of BenchmarkRegistry200Terminals.
type simTerminal struct {
	simClient
	index int // among its centre's terminals
}

// sync runs what a terminal's first round sends: pull from the start to
// the head, push a batch of handovers of its centre's codes, pull again,
// digest.
func (st *simTerminal) sync(ctx context.Context, lat *latencies, handovers int) error {
	st.dataset, st.cursor = "", 0
	var codes []pickup.Code
	expected := func(page *protocol.PullResponse) {
		for _, p := range page.Pickups {
			if p.Status == pickup.StatusExpected {
				codes = append(codes, p.Code)
			}
		}
	}
	if err := st.pullToHead(ctx, lat, expected); err != nil {
		return err
	}
	var evs []pickup.Event
	for k := st.index * handovers; k < min((st.index+1)*handovers, len(codes)); k++ {
		evs = append(evs, st.handover(codes[k], pickup.Event{Items: []pickup.Line{{Item: "masks", Qty: 500}}}))
	}
	if len(evs) > 0 {
		if err := st.push(ctx, lat, evs); err != nil {
			return err
		}
	}
	if err := st.pullToHead(ctx, lat, expected); err != nil {
		return err
	}
	return st.digest(ctx, lat)
}

// BenchmarkRegistry200Terminals: 200 terminals of 20 centres (2,000
// pickups each) run a first sync at the same moment against one registry
// process: full pull, a push of 10 handovers, a pull, the digest. The
// terminals are goroutines of this process, on the same two cores; one
// round before the burst warms the registry up. It
// reports the latency percentiles per request. PICKUP_E2E_INPROC=1 serves
// from this process, for -cpuprofile.
func BenchmarkRegistry200Terminals(b *testing.B) {
	const terminals, centres, perCentre, handovers = 200, 20, 2000, 10
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		reg := newRegistry(b)
		reg.must(b, "demo", "--centres", strconv.Itoa(centres), "--requests", strconv.Itoa(centres*perCentre))
		url, rss := reg.URL(), func() int64 { return killForRSS(reg) }
		if os.Getenv("PICKUP_E2E_INPROC") != "" {
			u, stop, err := serveInProcess(reg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(stop)
			url, rss = u, memstat.PeakSelf
		} else {
			reg.start(b)
		}
		sims := enrolMany(b, reg, url, terminals)
		// A registry that has served before: one terminal's round first (a
		// cold registry deadlocks under a burst, TestBugRegistryColdConcurrentPulls).
		warm, cancel := context.WithTimeout(ctx, time.Minute)
		err := sims[0].sync(warm, &latencies{by: map[string][]time.Duration{}}, handovers)
		cancel()
		if err != nil {
			b.Fatalf("warm-up round: %v", err)
		}
		lat := &latencies{by: map[string][]time.Duration{}}
		var wg sync.WaitGroup
		errs := make(chan error, terminals)
		gate := make(chan struct{})
		for _, st := range sims {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				if err := st.sync(ctx, lat, handovers); err != nil {
					errs <- fmt.Errorf("terminal %s: %w", st.creds.TerminalID, err)
				}
			}()
		}
		b.StartTimer()
		start := time.Now()
		close(gate)
		wg.Wait()
		wall := time.Since(start)
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Error(err)
		}
		all := logPhase(b, fmt.Sprintf("%d terminals at once", terminals), lat)
		b.ReportMetric(percentile(all, 0.50).Seconds()*1000, "p50-ms")
		b.ReportMetric(percentile(all, 0.99).Seconds()*1000, "p99-ms")
		b.ReportMetric(float64(len(all))/wall.Seconds(), "req/s")
		b.Logf("%d requests in %s (%.0f/s); p90 %s; registry max RSS %.0f MB; load average %s",
			len(all), wall.Round(time.Millisecond), float64(len(all))/wall.Seconds(),
			percentile(all, 0.9).Round(time.Millisecond), float64(rss())/(1<<20), loadAverage())
		reg.kill()
		b.StartTimer()
	}
}

// enrolMany enrols n terminals spread over the registry's centres (codes
// made through the registry's Go API on its folder, enrolment over HTTP).
func enrolMany(b *testing.B, reg *registryProc, url string, n int) []*simTerminal {
	b.Helper()
	ctx := context.Background()
	r := reg.open(b)
	defer r.Close()
	cs, err := r.Centres(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sims := make([]*simTerminal, n)
	for i := range sims {
		centre := cs[i%len(cs)].ID
		en, err := r.NewEnrolment(ctx, centre, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		c, err := protocol.NewClient(url, protocol.Credentials{}, "")
		if err != nil {
			b.Fatal(err)
		}
		reqID, _ := protocol.NewRequestID(nil)
		resp, err := c.Enrol(ctx, en.Code.String(), reqID, "bench", "bench")
		if err != nil {
			b.Fatal(err)
		}
		sims[i] = &simTerminal{simClient: simClient{c: c, creds: resp.Credentials(), centre: centre}, index: i / len(cs)}
	}
	return sims
}

// killForRSS kills the registry's serve process and returns its peak
// resident set, in bytes (0 when it does not serve).
func killForRSS(reg *registryProc) int64 {
	c := reg.serve
	if c == nil {
		return 0
	}
	reg.kill()
	return c.maxRSS()
}

// BenchmarkNational is the national load of issue 12 against one
// `pickup-registry serve` process on 127.0.0.1: 1,000,000 pickups over 150
// centres, 1,000 enrolled terminals (goroutines of this process, on the
// same two cores), each syncing every 30 seconds in steady state — push
// its outbox (one handover), pull the delta to the head, fetch the drift
// digest — and, half-way, 200 of them starting a round at the same
// instant. It reports the latency per request (p50, p99, max; steady and
// burst apart) and the serve process's peak RSS (its rusage). Targets: p99 ≤
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
		rss := killForRSS(reg)
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
	if _, err := os.Stat(reg.db()); err != nil {
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
	simClient
	codes []pickup.Code
}

// nationalTerminals makes the clients of a run: every terminal's cursor at
// the head, as after its last round, and its share of its centre's
// expected codes.
func nationalTerminals(b *testing.B, reg *registryProc, sims []nationalSim) []*nationalTerminal {
	b.Helper()
	ctx := context.Background()
	db := sqliteRO(b, reg.db())
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
		nt := &nationalTerminal{simClient: simClient{c: c, creds: s.Creds, centre: s.Centre, dataset: ds, cursor: head}}
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
	if len(nt.codes) > 0 {
		e := nt.handover(nt.codes[0], pickup.Event{GloveSize: "M", Volunteer: "Vol",
			Items: []pickup.Line{{Item: "gloves", Size: "M", Qty: 500}, {Item: "masks", Qty: 500}}})
		nt.codes = nt.codes[1:]
		if err := nt.push(ctx, lat, []pickup.Event{e}); err != nil {
			return err
		}
	}
	if err := nt.pullToHead(ctx, lat, nil); err != nil {
		return err
	}
	return nt.digest(ctx, lat)
}
