package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// A registry, two terminals of one centre and one of another: enrolment,
// initial pull, handovers online, then with the registry stopped (sync
// fails, facts stay, the counter keeps working), the registry restarted on
// the same folder, reconnection; everything converges and the registry's
// report equals what the terminals handed over.
func TestConvergence(t *testing.T) {
	t.Parallel()
	reg, terms := setUp(t, demo{centres: 2, requests: 400, gloves: 100_000}, "namur/A", "namur/B", "gent/C")
	a, b, c := terms[0], terms[1], terms[2]
	rep := reg.report(t)
	for _, tm := range terms {
		st := tm.status(t)
		cr := rep.centre(tm.centre)
		if st.Expected+st.Cancelled != cr.Expected+cr.Cancelled || st.Expected != cr.Expected {
			t.Errorf("terminal %s after the initial pull: %d expected + %d cancelled, registry has %d + %d",
				tm.name, st.Expected, st.Cancelled, cr.Expected, cr.Cancelled)
		}
		if st.LastSync == nil || st.PendingUpload != 0 {
			t.Errorf("terminal %s after the initial pull: last_sync %v, pending_upload %d", tm.name, st.LastSync, st.PendingUpload)
		}
	}

	namur, gent := reg.openCodes(t, "namur"), reg.openCodes(t, "gent")
	if len(namur) < 20 || len(gent) < 10 {
		t.Fatalf("demo made too few open codes: namur %d, gent %d", len(namur), len(gent))
	}
	var done []handed
	next := map[string]int{}
	hand := func(tm *terminal, n int) []handed {
		t.Helper()
		codes := namur
		if tm.centre == "gent" {
			codes = gent
		}
		var hs []handed
		for range n {
			h := tm.handover(t, codes[next[tm.centre]].Code)
			next[tm.centre]++
			hs = append(hs, h)
		}
		done = append(done, hs...)
		return hs
	}

	// Online: hand over, then sync.
	onlineA := hand(a, 3)
	hand(b, 3)
	hand(c, 2)
	for _, tm := range terms {
		tm.mustSync(t)
	}
	b.mustSync(t) // B pulls what A pushed after B's round
	v := b.lookup(t, onlineA[0].Code)
	if !v.collectedOnce(pickup.VerdictAlreadyCollected, a.id) {
		t.Errorf("B looks up a code A handed over online: %s, collected %+v; want already_collected by %s", v.Verdict, v.Collected, a.id)
	}
	// A terminal holds only its centre's pickups: another centre's code is
	// recognised from its signed QR payload (keys and directory pulled).
	if v := c.lookupRaw(t, reg.signedPayload(t, namur[len(namur)-1].Code)); v.Verdict != string(pickup.VerdictWrongCentre) ||
		v.RightCentre == nil || v.RightCentre.ID != "namur" || v.RightCentre.Address == "" {
		t.Errorf("C (gent) scans a namur QR: %s, right centre %+v; want wrong_centre naming namur with its address", v.Verdict, v.RightCentre)
	}

	// Offline: the registry stops; the counters keep handing over, sync
	// fails and keeps the facts.
	reg.stop(t)
	offline := map[*terminal][]handed{a: hand(a, 4), b: hand(b, 2), c: hand(c, 3)}
	for _, tm := range terms {
		if res := tm.sync(t); res.code == 0 {
			t.Errorf("terminal %s: sync with the registry stopped exits 0", tm.name)
		}
		if st := tm.status(t); st.PendingUpload != len(offline[tm]) {
			t.Errorf("terminal %s offline: pending_upload %d, want the %d handovers made offline", tm.name, st.PendingUpload, len(offline[tm]))
		}
	}
	hand(a, 1) // still working after a failed sync

	// Back online on the same folder: reconnection, then two rounds each.
	reg.start(t)
	for round := range 2 {
		for _, tm := range terms {
			if res := tm.sync(t); res.code != 0 {
				t.Errorf("round %d: terminal %s: %s", round+1, tm.name, res)
			}
		}
	}

	rep = reg.report(t)
	byCentre := map[string][]handed{}
	for _, h := range done {
		byCentre[h.Terminal.centre] = append(byCentre[h.Terminal.centre], h)
	}
	for centre, hs := range byCentre {
		cr := rep.centre(centre)
		if cr.Collected != len(codesOf(hs)) || cr.Handovers != len(hs) || cr.DoubleHandovers != 0 {
			t.Errorf("report of %s: collected %d, handovers %d, double %d; the terminals handed over %d distinct codes in %d handovers",
				centre, cr.Collected, cr.Handovers, cr.DoubleHandovers, len(codesOf(hs)), len(hs))
		}
		if got, want := handedOverItems(cr), itemsOf(hs); !maps.Equal(got, want) {
			t.Errorf("report of %s: items handed over %v, the terminals recorded %v", centre, got, want)
		}
		if got := cr.item("gloves", "M").Received; got != 100_000*countIn(terms, centre) {
			t.Errorf("report of %s: %d gloves M received, the terminals recorded %d", centre, got, 100_000*countIn(terms, centre))
		}
	}
	if rep.Totals.Collected != len(codesOf(done)) {
		t.Errorf("report totals: collected %d, want %d", rep.Totals.Collected, len(codesOf(done)))
	}
	for _, tm := range terms {
		st := tm.status(t)
		if st.PendingUpload != 0 || st.Conflicts != 0 {
			t.Errorf("terminal %s converged: pending_upload %d, conflicts %d; want 0, 0", tm.name, st.PendingUpload, st.Conflicts)
		}
		if want := len(codesOf(byCentre[tm.centre])); st.Collected != want {
			t.Errorf("terminal %s: collected %d, the centre's terminals handed over %d codes", tm.name, st.Collected, want)
		}
	}
	// A code A handed over offline, looked up at B after both synced.
	v = b.lookup(t, offline[a][0].Code)
	if !v.collectedOnce(pickup.VerdictAlreadyCollected, a.id) {
		t.Errorf("B looks up a code A handed over offline: %s, collected %+v; want already_collected by %s", v.Verdict, v.Collected, a.id)
	}
	// And the other way round, B's offline handover at A.
	v = a.lookup(t, offline[b][0].Code)
	if !v.collectedOnce(pickup.VerdictAlreadyCollected, b.id) {
		t.Errorf("A looks up a code B handed over offline: %s, collected %+v; want already_collected by %s", v.Verdict, v.Collected, b.id)
	}
	for _, tm := range terms {
		tm.must(t, "verify-log")
	}
}

func countIn(terms []*terminal, centre string) int {
	n := 0
	for _, tm := range terms {
		if tm.centre == centre {
			n++
		}
	}
	return n
}

// syncJSON mirrors `pickup sync --json`.
type syncJSON struct {
	OK     bool `json:"ok"`
	Report struct {
		Pushed    int      `json:"pushed"`
		Accepted  int      `json:"accepted"`
		Duplicate int      `json:"duplicate"`
		Conflicts int      `json:"conflicts"`
		Pulled    int      `json:"pulled_pickups"`
		Reset     bool     `json:"reset"`
		Cursor    int64    `json:"cursor"`
		ClockSkew int64    `json:"clock_skew_ms"`
		Repaired  []string `json:"repaired_buckets"`
	} `json:"report"`
	PendingUpload int `json:"pending_upload"`
}

// conflictsJSON mirrors `pickup conflicts --json`.
type conflictsJSON struct {
	Conflicts []struct {
		Code       string `json:"code"`
		EventID    string `json:"event_id"`
		TerminalID string `json:"terminal_id"`
		CentreID   string `json:"centre_id"`
	} `json:"conflicts"`
}

// handoversJSON mirrors `pickup handovers --json`.
type handoversJSON struct {
	Handovers []struct {
		EventID    string `json:"event_id"`
		Code       string `json:"code"`
		TerminalID string `json:"terminal_id"`
		Undone     bool   `json:"undone"`
	} `json:"handovers"`
}

// The same code handed over at two terminals of one centre while the
// registry is down: after both sync, the registry holds both handovers as
// one double handover, both terminals list it, and counts and stock show
// two parcels.
func TestDoubleHandoverOffline(t *testing.T) {
	t.Parallel()
	reg, ab := setUp(t, demo{centres: 2, requests: 120, gloves: 1000}, "namur/A", "namur/B")
	a, b := ab[0], ab[1]
	codes := reg.openCodes(t, "namur")
	x, y := codes[0].Code, codes[1].Code

	reg.crash(t) // this time
	hs := []handed{a.handover(t, x), b.handover(t, x), a.handover(t, y)}
	reg.start(t)
	for round := range 2 {
		for _, tm := range ab {
			if res := tm.sync(t); res.code != 0 {
				t.Errorf("round %d: terminal %s: %s", round+1, tm.name, res)
			}
		}
	}

	cr := reg.report(t).centre("namur")
	if cr.DoubleHandovers != 1 || cr.Collected != 2 || cr.Handovers != 3 {
		t.Errorf("report of namur: double %d, collected %d, handovers %d; want 1, 2 (x once), 3", cr.DoubleHandovers, cr.Collected, cr.Handovers)
	}
	if got, want := handedOverItems(cr), itemsOf(hs); !maps.Equal(got, want) {
		t.Errorf("report of namur: items handed over %v, want two parcels of x and one of y: %v", got, want)
	}
	for _, tm := range ab {
		var cs conflictsJSON
		decodeJSON(t, tm.must(t, "--json", "conflicts"), &cs)
		events := map[string]string{}
		for _, c := range cs.Conflicts {
			if pc, _ := pickup.ParseCode(c.Code); pc == x {
				events[c.EventID] = c.TerminalID
			} else {
				t.Errorf("terminal %s lists a conflict on another code %s", tm.name, pickup.Code(c.Code).Masked())
			}
		}
		if want := map[string]string{hs[0].EventID: a.id, hs[1].EventID: b.id}; !maps.Equal(events, want) {
			t.Errorf("terminal %s: conflicts on x list %v (event → terminal), want both handovers %v", tm.name, events, want)
		}
		st := tm.status(t)
		if st.Conflicts != 1 || st.PendingUpload != 0 || st.Collected != 2 || st.HandedOverToday != 3 {
			t.Errorf("terminal %s: conflicts %d, pending %d, collected %d, handed over today %d; want 1, 0, 2, 3",
				tm.name, st.Conflicts, st.PendingUpload, st.Collected, st.HandedOverToday)
		}
		var hl handoversJSON
		decodeJSON(t, tm.must(t, "--json", "handovers"), &hl)
		parcelsOfX := 0
		for _, h := range hl.Handovers {
			if pc, _ := pickup.ParseCode(h.Code); pc == x && !h.Undone {
				parcelsOfX++
			}
		}
		if parcelsOfX != 2 {
			t.Errorf("terminal %s lists %d handovers of x, want 2", tm.name, parcelsOfX)
		}
	}
	// One centre stock: both counters' receptions, less the three parcels,
	// the same at both once synced.
	want := 2000 - itemsOf(hs)["gloves/M"]
	if got := a.status(t).Stock["gloves-M"]; got != want {
		t.Errorf("A's gloves M after sync: %d, want %d (both receptions, all three parcels)", got, want)
	}
	if got := b.status(t).Stock["gloves-M"]; got != want {
		t.Errorf("B's gloves M after sync: %d, want %d (both receptions, all three parcels)", got, want)
	}
}

// A fault-injecting proxy between two terminals and the registry: many
// rounds of handovers, stock receptions and syncs with connections dropped,
// reset in the middle of answers, delayed, requests sent twice and answers
// cut short. Failures are expected; once the faults stop, everything
// converges and each handover is counted exactly once.
func TestFaultyLink(t *testing.T) {
	t.Parallel()
	rounds := 40
	if testing.Short() {
		rounds = 12
	}
	const seed = 20201009
	reg := startDemo(t, 2, 600)
	proxy, err := NewProxy(reg.addr, seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	a := enrol(t, reg, proxy.URL(), "namur", "A")
	c := enrol(t, reg, proxy.URL(), "gent", "C")
	terms := []*terminal{a, c}
	received := map[*terminal]int{}
	for _, tm := range terms {
		tm.receive(t, "gloves", "M", 1_000_000)
		received[tm] = 1_000_000
		tm.mustSync(t)
	}
	codes := map[*terminal][]pickup.Pickup{a: reg.openCodes(t, "namur"), c: reg.openCodes(t, "gent")}
	for _, tm := range terms {
		if len(codes[tm]) < 2*rounds {
			t.Fatalf("too few open codes at %s: %d", tm.centre, len(codes[tm]))
		}
	}

	// About one request in four fails: most syncs break somewhere, some
	// get through, so that every stage of a round gets cut.
	proxy.SetWeights(map[Fault]int{FaultNone: 24, FaultDrop: 2, FaultReset: 3, FaultTruncate: 2, FaultDelay: 3, FaultDuplicate: 2})
	proxy.SetFaults(true)
	made := map[*terminal][]handed{}
	failed, duplicates := 0, 0
	for round := range rounds {
		done := make(chan result, len(terms))
		for _, tm := range terms {
			for range 1 + round%2 {
				made[tm] = append(made[tm], tm.handover(t, codes[tm][len(made[tm])].Code))
			}
			if round%5 == 0 {
				tm.receive(t, "gloves", "M", 100+round)
				received[tm] += 100 + round
			}
			go func() { done <- tm.cli(t, "--json", "sync") }() // both terminals at once
		}
		for range terms {
			res := <-done
			if res.code != 0 {
				failed++
			}
			var out syncJSON
			if json.Unmarshal([]byte(res.stdout), &out) == nil {
				duplicates += out.Report.Duplicate
			}
		}
	}
	stats, upstream := proxy.Stats()
	t.Logf("%d rounds, %d failed syncs, %d facts answered duplicate; faults %v; %d requests reached the registry",
		rounds, failed, duplicates, stats, upstream)
	if failed == 0 {
		t.Error("no sync failed through the faulty proxy: the faults did nothing")
	}
	if duplicates == 0 {
		t.Error("no push was answered duplicate: no answer was lost after the registry stored the facts")
	}
	for _, f := range Faults {
		if stats[f] == 0 {
			t.Errorf("fault %s never injected", f)
		}
	}

	proxy.SetFaults(false)
	for _, tm := range terms {
		ok := false
		for attempt := 0; attempt < 5 && !ok; attempt++ {
			ok = tm.sync(t).code == 0
		}
		if !ok {
			t.Fatalf("terminal %s: no sync succeeds once the faults stop", tm.name)
		}
	}
	for _, tm := range terms { // the other terminal's last pushes, pulled
		tm.mustSync(t)
	}
	rep := reg.report(t)
	for _, tm := range terms {
		cr := rep.centre(tm.centre)
		n := len(made[tm])
		if cr.Collected != n || cr.Handovers != n || cr.DoubleHandovers != 0 {
			t.Errorf("report of %s: collected %d, handovers %d, double %d; terminal %s handed over %d codes once each",
				tm.centre, cr.Collected, cr.Handovers, cr.DoubleHandovers, tm.name, n)
		}
		if got := cr.item("gloves", "M").Received; got != received[tm] {
			t.Errorf("report of %s: %d gloves M received, terminal %s recorded %d", tm.centre, got, tm.name, received[tm])
		}
		if got, want := handedOverItems(cr), itemsOf(made[tm]); !maps.Equal(got, want) {
			t.Errorf("report of %s: items handed over %v, terminal %s recorded %v", tm.centre, got, tm.name, want)
		}
		st := tm.status(t)
		if st.PendingUpload != 0 || st.Conflicts != 0 || st.Collected != n {
			t.Errorf("terminal %s: pending %d, conflicts %d, collected %d; want 0, 0, %d", tm.name, st.PendingUpload, st.Conflicts, st.Collected, n)
		}
		tm.must(t, "verify-log")
	}
}

// `pickup sync` killed with SIGKILL at random moments while it pushes
// thousands of facts and pulls tens of thousands of rows, again and again,
// then run normally: it converges, nothing is lost or doubled, the log
// chain holds and both databases pass integrity_check.
func TestSyncKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test skipped in -short mode")
	}
	t.Parallel()
	const seed = 4
	rng := rand.New(rand.NewPCG(seed, 0))
	kills, pending, big := 20, 2000, "30000"
	reg, tms := setUp(t, demo{centres: 1, requests: 4000, gloves: 10_000_000}, "namur/T")
	tm := tms[0]
	open := reg.openCodes(t, "namur")
	if len(open) < pending+20*kills {
		t.Fatalf("only %d open codes", len(open))
	}
	made := handoverInProcess(t, tm, open[:pending])
	open = open[pending:]
	reg.must(t, "demo", "--centres", "1", "--requests", big) // a big pull waiting

	hit, early := 0, 0
	for i := range kills {
		c := spawn(t, nil, nil, bin.pickup, "--data", tm.dir, "sync")
		time.Sleep(time.Duration(rng.Int64N(int64(1500 * time.Millisecond))))
		if c.kill(); c.killed() {
			hit++
			continue
		}
		// It finished first: give the next one work again.
		early++
		made = append(made, handoverInProcess(t, tm, open[:20])...)
		open = open[20:]
		if i%3 == 0 {
			reg.must(t, "demo", "--centres", "1", "--requests", "3000")
		}
	}
	t.Logf("%d kills landed during a sync, %d syncs finished first", hit, early)
	if hit == 0 {
		t.Error("no kill landed during a sync")
	}

	ok := false
	for attempt := 0; attempt < 5 && !ok; attempt++ {
		ok = tm.sync(t).code == 0
	}
	if !ok {
		t.Fatal("no sync succeeds after the kills")
	}
	tm.mustSync(t)
	st := tm.status(t)
	cr := reg.report(t).centre("namur")
	if st.PendingUpload != 0 || st.Conflicts != 0 || st.Collected != len(made) {
		t.Errorf("terminal: pending %d, conflicts %d, collected %d; want 0, 0, %d", st.PendingUpload, st.Conflicts, st.Collected, len(made))
	}
	if cr.Collected != len(made) || cr.Handovers != len(made) || cr.DoubleHandovers != 0 {
		t.Errorf("report: collected %d, handovers %d, double %d; the terminal handed over %d codes once each",
			cr.Collected, cr.Handovers, cr.DoubleHandovers, len(made))
	}
	if got := cr.item("gloves", "M").Received; got != 10_000_000 {
		t.Errorf("report: %d gloves M received, want 10000000 (once)", got)
	}
	if st.Expected != cr.Expected || st.Cancelled != cr.Cancelled {
		t.Errorf("terminal holds %d expected + %d cancelled, registry %d + %d", st.Expected, st.Cancelled, cr.Expected, cr.Cancelled)
	}
	tm.must(t, "verify-log")
	integrityCheck(t, tm.db())
	integrityCheck(t, reg.db())
}

// gunzipLines splits a bundle file's content, decompressed, into lines.
func gunzipLines(t testing.TB, raw []byte) [][]byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(b, []byte("\n"))
}

// writeGzip writes lines as a gzip file.
func writeGzip(t testing.TB, path string, lines [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, l := range lines {
		zw.Write(l)
	}
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tampered writes three altered copies of a bundle and returns their
// paths: one byte of the file flipped; one body line changed (the
// trailer's hash no longer matches); one body line changed and the
// trailer's hash recomputed (the signatures no longer match).
func tampered(t testing.TB, path string, change func(line []byte) []byte) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(raw)
	flipped[len(flipped)/2] ^= 0x20
	out := []string{path + ".flipped", path + ".edited", path + ".rehashed"}
	if err := os.WriteFile(out[0], flipped, 0o600); err != nil {
		t.Fatal(err)
	}
	lines := gunzipLines(t, raw)
	changed := false
	for i := 1; i < len(lines)-1 && !changed; i++ {
		if c := change(lines[i]); !bytes.Equal(c, lines[i]) {
			lines[i], changed = c, true
		}
	}
	if !changed {
		t.Fatalf("tamper %s: nothing to change", filepath.Base(path))
	}
	writeGzip(t, out[1], lines)
	// Recompute the trailer's hash over the changed lines, as a forger
	// without the keys would.
	var trailer map[string]map[string]any
	last := len(lines) - 1
	for last > 0 && len(bytes.TrimSpace(lines[last])) == 0 {
		last--
	}
	if err := json.Unmarshal(lines[last], &trailer); err != nil || trailer["trailer"] == nil {
		t.Fatalf("tamper %s: last line is not a trailer: %v", filepath.Base(path), err)
	}
	h := sha256.New()
	for _, l := range lines[:last] {
		h.Write(l)
	}
	trailer["trailer"]["sha256"] = hex.EncodeToString(h.Sum(nil))
	tl, _ := json.Marshal(trailer)
	lines[last] = append(tl, '\n')
	writeGzip(t, out[2], lines)
	return out
}

// contentDigest hashes every row of every table of a SQLite file (read
// only): equal digests mean nothing was written.
func contentDigest(t testing.TB, path string) string {
	t.Helper()
	db := sqliteRO(t, path)
	var tables []string
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatalf("digest %s: %v", filepath.Base(path), err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, tab := range tables {
		fmt.Fprintf(h, "table %s\n", tab)
		rows, err := db.Query(`SELECT * FROM "` + tab + `"`)
		if err != nil {
			t.Fatalf("digest %s: %v", tab, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\n", vals)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// bundleImportJSON mirrors `pickup-registry bundle import --json`.
type bundleImportJSON struct {
	Events    int  `json:"events"`
	Accepted  int  `json:"accepted"`
	Duplicate int  `json:"duplicate"`
	Conflict  int  `json:"conflict"`
	Again     bool `json:"again"`
}

// A centre without a link syncs by USB stick: the terminal's facts bundle
// goes into the registry (twice: idempotent), the registry's pull bundle
// into the terminal (twice), and both converge. Bundles altered in any way,
// or meant for another centre, are refused with a clear message and
// change nothing.
func TestUSBBundles(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 2, requests: 200, gloves: 100_000}, "namur/A")
	a := tms[0]
	reg.stop(t) // no link from here on; the registry's CLI works on its folder
	// Parcels with gloves: the tampering below changes a glove size.
	codes := withGloves(t, reg.openCodes(t, "namur"))
	dir := t.TempDir()
	facts, pull := filepath.Join(dir, "facts.bundle"), filepath.Join(dir, "pull.bundle")
	regDB, termDB := reg.db(), a.db()

	hs := []handed{a.handover(t, codes[0]), a.handover(t, codes[1]), a.handover(t, codes[2])}
	var exp struct {
		Facts int `json:"facts"`
	}
	decodeJSON(t, a.must(t, "--json", "bundle", "export", facts), &exp)
	if exp.Facts != len(hs) {
		t.Fatalf("bundle export wrote %d facts, want %d", exp.Facts, len(hs))
	}

	// Tampered facts bundles: refused by the registry, nothing stored.
	before := contentDigest(t, regDB)
	for _, bad := range tampered(t, facts, func(l []byte) []byte {
		return bytes.Replace(l, []byte(`"glove_size":"M"`), []byte(`"glove_size":"L"`), 1)
	}) {
		res := reg.cli(t, "bundle", "import", bad)
		t.Logf("registry, %s: %s", filepath.Base(bad), strings.TrimSpace(res.stderr))
		if res.code != 1 || !strings.Contains(res.stderr, "refused") {
			t.Errorf("registry imports %s: %s; want exit 1 and a refusal", filepath.Base(bad), res)
		}
	}
	if contentDigest(t, regDB) != before {
		t.Error("a refused facts bundle changed the registry's database")
	}
	// A pull bundle is not for the registry.
	reg.must(t, "bundle", "export", "--centre", "namur", pull)
	if res := reg.cli(t, "bundle", "import", pull); res.code != 1 || !strings.Contains(res.stderr, "pickup bundle import") {
		t.Errorf("registry imports a pull bundle: %s; want exit 1 saying where it goes", res)
	}

	// The genuine facts bundle, twice.
	var in1, in2 bundleImportJSON
	decodeJSON(t, reg.cli(t, "bundle", "import", "--json", facts), &in1)
	decodeJSON(t, reg.cli(t, "bundle", "import", "--json", facts), &in2)
	if in1.Events != 3 || in1.Accepted != 3 || in1.Again {
		t.Errorf("first import: %+v; want 3 events accepted", in1)
	}
	if in2.Events != 3 || in2.Duplicate != 3 || in2.Accepted != 0 || !in2.Again {
		t.Errorf("second import: %+v; want 3 duplicates, again", in2)
	}
	cr := reg.report(t).centre("namur")
	if cr.Collected != 3 || cr.Handovers != 3 || cr.DoubleHandovers != 0 {
		t.Errorf("report after the facts bundle: collected %d, handovers %d, double %d; want 3, 3, 0", cr.Collected, cr.Handovers, cr.DoubleHandovers)
	}

	// The registry's answer comes back by stick: a pull bundle, twice.
	reg.must(t, "bundle", "export", "--centre", "namur", pull)
	var p1, p2 struct {
		Pages   int `json:"pages"`
		Skipped int `json:"skipped"`
	}
	// Tampered pull bundles and another centre's: refused, nothing applied.
	before = contentDigest(t, termDB)
	other := filepath.Join(dir, "gent.bundle")
	reg.must(t, "bundle", "export", "--centre", "gent", other)
	for _, bad := range append(tampered(t, pull, func(l []byte) []byte {
		return bytes.Replace(l, []byte(`"status":"expected"`), []byte(`"status":"cancelled"`), 1)
	}), other, facts) {
		res := a.cli(t, "bundle", "import", bad)
		t.Logf("terminal, %s: %s", filepath.Base(bad), strings.TrimSpace(res.stderr))
		want := "refused, nothing applied"
		switch bad {
		case other:
			want = "meant for centre gent"
		case facts:
			want = "goes to the registry"
		}
		if res.code == 0 || !strings.Contains(res.stderr, want) {
			t.Errorf("terminal imports %s: %s; want a refusal saying %q", filepath.Base(bad), res, want)
		}
	}
	if contentDigest(t, termDB) != before {
		t.Error("a refused pull bundle changed the terminal's database")
	}
	decodeJSON(t, a.must(t, "--json", "bundle", "import", pull), &p1)
	decodeJSON(t, a.must(t, "--json", "bundle", "import", pull), &p2)
	if p1.Pages == 0 || p2.Pages != 0 || p2.Skipped != p1.Pages+p1.Skipped {
		t.Errorf("pull bundle imported twice: %+v then %+v; want pages applied once, then all skipped", p1, p2)
	}
	st := a.status(t)
	if st.PendingUpload != 0 || st.Collected != 3 {
		t.Errorf("terminal after the round trip by stick: pending %d, collected %d; want 0, 3", st.PendingUpload, st.Collected)
	}

	// When the link comes back, nothing is pushed again and nothing moves.
	reg.start(t)
	var out syncJSON
	res := a.cli(t, "--json", "sync")
	decodeJSON(t, res, &out)
	if res.code != 0 || out.Report.Pushed != 0 {
		t.Errorf("first sync after bundles: exit %d, pushed %d; want 0, 0", res.code, out.Report.Pushed)
	}
	if cr := reg.report(t).centre("namur"); cr.Collected != 3 || cr.Handovers != 3 {
		t.Errorf("report after the link came back: collected %d, handovers %d; want 3, 3", cr.Collected, cr.Handovers)
	}
}

// A terminal synced only by USB stick learns from the pull bundle that its
// stock receptions arrived, not only its handovers: they leave the outbox.
// (They stayed pending for ever until 5c1c6fb and 4d4ab54; found by this
// test.)
func TestUSBStockFactsLeaveOutbox(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 1, requests: 50}, "namur/A")
	a := tms[0]
	reg.stop(t)
	dir := t.TempDir()
	facts, pull := filepath.Join(dir, "facts.bundle"), filepath.Join(dir, "pull.bundle")
	a.receive(t, "masks", "", 5000)
	a.must(t, "bundle", "export", facts)
	var in bundleImportJSON
	decodeJSON(t, reg.cli(t, "bundle", "import", "--json", facts), &in)
	if in.Accepted != 1 {
		t.Fatalf("registry import: %+v; want the reception accepted", in)
	}
	reg.must(t, "bundle", "export", "--centre", "namur", pull)
	a.must(t, "bundle", "import", pull)
	if st := a.status(t); st.PendingUpload != 0 {
		t.Errorf("after a full round trip by stick, pending_upload %d; want 0 (the registry holds the reception)", st.PendingUpload)
	}
}

// TestBundleImportStopsOnSIGTERMWhilePathHangs: `pickup bundle import` on
// a path that never answers (a named pipe without a writer, as a dead
// network share) ends when it is asked to (SIGTERM was ignored).
func TestBundleImportStopsOnSIGTERMWhilePathHangs(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 1, 10)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	fifo := filepath.Join(t.TempDir(), "stick.bundle")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes:", err)
	}
	var se strings.Builder
	c := spawn(t, nil, &se, bin.pickup, "--data", a.dir, "bundle", "import", fifo)
	time.Sleep(500 * time.Millisecond)
	if !c.stop() {
		t.Fatal("bundle import ignored SIGTERM while its path hangs")
	}
	if c.cmd.ProcessState.ExitCode() == 0 {
		t.Errorf("bundle import of a hanging path exited 0: %s", se.String())
	}
	_ = os.Remove(fifo)
}

// skewCases are terminal clocks off the registry's: far out of the
// signature window both ways (the registry refuses, the client adopts the
// offset it answered and signs again), and inside it.
var skewCases = []struct {
	name string
	skew time.Duration // terminal clock minus true time
}{
	{"3h ahead", 3 * time.Hour},
	{"2h behind", -2 * time.Hour},
	{"2min ahead", 2 * time.Minute},
	{"26h behind", -26 * time.Hour},
}

// skewedRound enrols a store with a real registry process and runs one sync
// round with a terminal clock skew off, pushing one fact.
func skewedRound(t *testing.T, reg *registryProc, s *store.Store, skew time.Duration) client.Report {
	t.Helper()
	ctx := context.Background()
	if _, err := s.ReceiveStock(ctx, "masks", "", 10, "skew"); err != nil {
		t.Fatal(err)
	}
	c, err := protocol.NewClient(reg.URL(), protocol.Credentials{}, "")
	if err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return time.Now().Add(skew) }
	y := &client.Syncer{Store: s, Client: c, Log: slog.New(slog.DiscardHandler)}
	rep, err := y.Round(ctx)
	if err != nil {
		t.Fatalf("round with the clock %s off: %v", skew, err)
	}
	if rep.Pushed != 1 || rep.Accepted != 1 || !rep.AtHead {
		t.Errorf("round with the clock %s off: pushed %d, accepted %d, at head %v; want 1, 1, true", skew, rep.Pushed, rep.Accepted, rep.AtHead)
	}
	if st := y.State(); st.ClockSkew != rep.ClockSkew || !st.Online {
		t.Errorf("state after the round: skew %s, online %v; the report says %s", st.ClockSkew, st.Online, rep.ClockSkew)
	}
	return rep
}

func newSkewFixture(t *testing.T) (*registryProc, *store.Store) {
	t.Helper()
	reg := startDemo(t, 1, 50)
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	t.Cleanup(func() { s.Close() })
	if _, err := client.Enrol(ctx, s, reg.URL(), reg.enrolCode(t, "namur")); err != nil {
		t.Fatal(err)
	}
	return reg, s
}

// A terminal whose clock is wrong still syncs, and the round reports the
// offset (registry minus terminal) and stores it; once the clock is right
// again, the stored offset is corrected by itself.
func TestClockSkew(t *testing.T) {
	t.Parallel()
	reg, s := newSkewFixture(t)
	ctx := context.Background()
	const tolerance = 30 * time.Second // loopback round trips take milliseconds
	near := func(got, want time.Duration) bool { return got > want-tolerance && got < want+tolerance }
	for _, tc := range skewCases {
		rep := skewedRound(t, reg, s, tc.skew)
		if !near(rep.ClockSkew, -tc.skew) {
			t.Errorf("%s: report clock skew %s, want about %s", tc.name, rep.ClockSkew, -tc.skew)
		}
		cfg, err := s.SyncConfig(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !near(cfg.ClockOffset, -tc.skew) {
			t.Errorf("%s: stored clock offset %s, want about %s", tc.name, cfg.ClockOffset, -tc.skew)
		}
	}
	// The clock is set right; the offset stored last (26h) is now wrong.
	y := &client.Syncer{Store: s, Log: slog.New(slog.DiscardHandler)}
	rep, err := y.Round(ctx)
	if err != nil {
		t.Fatalf("round with the clock right and an old offset stored: %v", err)
	}
	if !near(rep.ClockSkew, 0) {
		t.Errorf("clock right again: report clock skew %s, want about 0", rep.ClockSkew)
	}
	cr := reg.report(t).centre("namur")
	if got, want := cr.item("masks", "").Received, 10*len(skewCases); got != want {
		t.Errorf("report: %d masks received, want %d (every skewed round's fact, once)", got, want)
	}
}

// `pickup sync --json` prints the report's clock skew in milliseconds, as
// its key says (it printed nanoseconds until 348e0bf, found by this test).
func TestClockSkewJSONUnits(t *testing.T) {
	t.Parallel()
	reg, s := newSkewFixture(t)
	rep := skewedRound(t, reg, s, 3*time.Hour)
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var out syncJSON
	if err := json.Unmarshal(fmt.Appendf(nil, `{"report":%s}`, b), &out); err != nil {
		t.Fatal(err)
	}
	if ms := out.Report.ClockSkew; ms > -3*3600*1000+30_000 || ms < -3*3600*1000-30_000 {
		t.Errorf("clock_skew_ms = %d for a terminal 3 hours ahead; want about %d", ms, -3*3600*1000)
	}
}

// An undo travels like a handover: the code becomes free again at the
// other terminals and leaves the registry's count, whether the undo goes
// up after its handover or in the same push.
func TestUndoPropagates(t *testing.T) {
	t.Parallel()
	reg, ab := setUp(t, demo{centres: 1, requests: 80, gloves: 10_000}, "namur/A", "namur/B")
	a, b := ab[0], ab[1]
	codes := reg.openCodes(t, "namur")
	kept, later, same := codes[0].Code, codes[1].Code, codes[2].Code

	a.handover(t, kept)
	h := a.handover(t, later)
	a.mustSync(t)
	b.mustSync(t)
	if v := b.lookup(t, later); v.Verdict != string(pickup.VerdictAlreadyCollected) {
		t.Fatalf("B before the undo: %s, want already_collected", v.Verdict)
	}
	a.must(t, "undo", h.EventID)                   // undo after the handover was pushed
	a.must(t, "undo", a.handover(t, same).EventID) // handover and undo in one push
	a.mustSync(t)
	b.mustSync(t)
	for _, code := range []pickup.Code{later, same} {
		if v := b.lookup(t, code); v.Verdict != string(pickup.VerdictOK) {
			t.Errorf("B after the undo of %s: %s, want ok", code.Masked(), v.Verdict)
		}
		if v := a.lookup(t, code); v.Verdict != string(pickup.VerdictOK) {
			t.Errorf("A after its undo of %s: %s, want ok", code.Masked(), v.Verdict)
		}
	}
	cr := reg.report(t).centre("namur")
	if cr.Collected != 1 || cr.Handovers != 1 || cr.DoubleHandovers != 0 {
		t.Errorf("report: collected %d, handovers %d, double %d; want 1, 1, 0 (two handovers undone)", cr.Collected, cr.Handovers, cr.DoubleHandovers)
	}
	for _, tm := range ab {
		if st := tm.status(t); st.Collected != 1 || st.PendingUpload != 0 {
			t.Errorf("terminal %s: collected %d, pending %d; want 1, 0", tm.name, st.Collected, st.PendingUpload)
		}
	}
	// The freed code can be handed over again, at B, without a conflict.
	b.handover(t, later)
	b.mustSync(t)
	if cr := reg.report(t).centre("namur"); cr.Collected != 2 || cr.DoubleHandovers != 0 {
		t.Errorf("report after B hands over the freed code: collected %d, double %d; want 2, 0", cr.Collected, cr.DoubleHandovers)
	}
}

// Changes made at the registry reach the terminals at their next sync: a
// code moved to another centre (the old centre's terminal names the new
// one, the new centre's terminal hands it over), a cancelled code, a
// revoked code whose QR is refused too.
func TestRegistryChangesReachTerminals(t *testing.T) {
	t.Parallel()
	reg, ac := setUp(t, demo{centres: 2, requests: 150}, "namur/A", "gent/C")
	a, c := ac[0], ac[1]
	c.receive(t, "gloves", "M", 10_000)
	codes := reg.openCodes(t, "namur")
	moved, cancelled, revoked := codes[0].Code, codes[1].Code, codes[2].Code
	revokedQR := reg.signedPayload(t, revoked)
	reg.must(t, "codes", "move", "--centre", "gent", string(moved))
	reg.must(t, "codes", "cancel", string(cancelled))
	reg.must(t, "codes", "revoke", string(revoked))
	a.mustSync(t)
	c.mustSync(t)

	if v := a.lookup(t, moved); v.Verdict != string(pickup.VerdictWrongCentre) || v.RightCentre == nil || v.RightCentre.ID != "gent" {
		t.Errorf("A looks up a code moved to gent: %s, right centre %+v; want wrong_centre naming gent", v.Verdict, v.RightCentre)
	}
	c.handover(t, moved)
	for _, tc := range []struct{ what, input string }{
		{"cancelled code", string(cancelled)}, {"revoked code", string(revoked)}, {"revoked code's QR", revokedQR},
	} {
		if v := a.lookupRaw(t, tc.input); v.Verdict != string(pickup.VerdictCancelled) {
			t.Errorf("A looks up a %s: %s, want cancelled", tc.what, v.Verdict)
		}
	}
	c.mustSync(t)
	rep := reg.report(t)
	if got := rep.centre("gent").Collected; got != 1 {
		t.Errorf("report: gent collected %d, want 1 (the moved code)", got)
	}
	for _, tm := range ac {
		st := tm.status(t)
		cr := rep.centre(tm.centre)
		if st.Expected != cr.Expected || st.Cancelled != cr.Cancelled {
			t.Errorf("terminal %s: %d expected, %d cancelled; registry: %d, %d", tm.name, st.Expected, st.Cancelled, cr.Expected, cr.Cancelled)
		}
	}
}

// A terminal whose copy drifted (rows lost or changed behind the sync's
// back) is repaired by the digest check of its next sync.
func TestDriftRepair(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 1, requests: 300}, "namur/A")
	a := tms[0]
	want := a.status(t)
	codes := reg.openCodes(t, "namur")
	lost, changed := codes[0].Code, codes[1].Code

	db, err := sql.Open("sqlite", "file:"+a.db()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		code pickup.Code
	}{
		{"DELETE FROM pickups WHERE code = ?", lost},
		{"UPDATE pickups SET status = 'cancelled' WHERE code = ?", changed},
	} {
		if res, err := db.Exec(q.sql, string(q.code)); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows", q.sql, n)
		}
	}
	db.Close()
	if v := a.lookup(t, lost); v.Verdict != string(pickup.VerdictUnknownCode) {
		t.Fatalf("drift not in place: %s", v.Verdict)
	}

	var out syncJSON
	res := a.cli(t, "--json", "sync", "--check")
	decodeJSON(t, res, &out)
	if res.code != 0 || len(out.Report.Repaired) == 0 {
		t.Errorf("sync of a drifted terminal: exit %d, repaired buckets %v; want 0 and a repair", res.code, out.Report.Repaired)
	}
	for _, code := range []pickup.Code{lost, changed} {
		if v := a.lookup(t, code); v.Verdict != string(pickup.VerdictOK) {
			t.Errorf("after the repair, %s: %s, want ok", code.Masked(), v.Verdict)
		}
	}
	if got := a.status(t); got.Expected != want.Expected || got.Cancelled != want.Cancelled {
		t.Errorf("after the repair: %d expected, %d cancelled; before the drift %d, %d", got.Expected, got.Cancelled, want.Expected, want.Cancelled)
	}
	res = a.cli(t, "--json", "sync", "--check")
	out = syncJSON{}
	decodeJSON(t, res, &out)
	if res.code != 0 || len(out.Report.Repaired) != 0 {
		t.Errorf("sync after the repair: exit %d, repaired %v; want 0 and nothing to repair", res.code, out.Report.Repaired)
	}
}

// The enrolment code works once; a revoked terminal is refused, told to
// enrol again, and keeps its facts.
func TestEnrolOnceAndRevoked(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 1, 40)
	code := reg.enrolCode(t, "namur")
	a := newTerminal("A", filepath.Join(t.TempDir(), "a"), "namur")
	a.must(t, "enrol", "--registry", reg.URL(), "--code", code)
	b := newTerminal("B", filepath.Join(t.TempDir(), "b"), "namur")
	if res := b.cli(t, "enrol", "--registry", reg.URL(), "--code", code); res.code == 0 {
		t.Errorf("a second terminal enrols with a used code: %s", res)
	}
	a.mustSync(t)
	a.id = a.status(t).TerminalID
	reg.must(t, "terminal", "revoke", a.id)
	a.receive(t, "masks", "", 100)
	res := a.sync(t)
	if res.code == 0 || !strings.Contains(res.stderr, "revoked") || !strings.Contains(res.stderr, "enrol") {
		t.Errorf("sync of a revoked terminal: %s; want a refusal telling to enrol again", res)
	}
	if st := a.status(t); st.PendingUpload != 1 {
		t.Errorf("revoked terminal: pending_upload %d, want its fact kept (1)", st.PendingUpload)
	}
	if got := reg.report(t).centre("namur").item("masks", "").Received; got != 0 {
		t.Errorf("report: %d masks received from a revoked terminal, want 0", got)
	}
}

// Attacks on real processes (issue 9), named after what they attack.

// TestReenrolmentDoesNotRelabelFactsAfterRevocation: handovers a terminal
// records after it was revoked keep its revoked identity when it is
// enrolled again: the registry records them flagged, counted nowhere
// (they were relabelled with the new terminal id and counted).
func TestReenrolmentDoesNotRelabelFactsAfterRevocation(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 2, requests: 100, gloves: 10_000}, "namur/A")
	a := tms[0]
	codes := reg.openCodes(t, "namur")
	reg.must(t, "terminal", "revoke", a.id)
	h := a.handover(t, codes[0].Code) // recorded after the revocation
	if res := a.sync(t); res.code == 0 {
		t.Fatalf("a revoked terminal synced: %s", res)
	}
	oldID := a.id
	if enrolIn(t, reg, reg.URL(), a.dir, "namur", "A").id == oldID {
		t.Fatal("re-enrolment kept the revoked id")
	}
	a.sync(t)
	a.sync(t)
	db := sqliteRO(t, reg.db())
	var terminal, flag string
	if err := db.QueryRow("SELECT terminal_id, flag FROM events WHERE id = ?", h.EventID).Scan(&terminal, &flag); err != nil {
		t.Fatalf("the handover recorded after the revocation is not at the registry: %v", err)
	}
	if terminal != oldID || flag == "" {
		t.Errorf("handover after revocation stored as terminal %s, flag %q; want the revoked %s, flagged", terminal, flag, oldID)
	}
	if c := reg.report(t).centre("namur"); c.Handovers != 0 {
		t.Errorf("report counts %d handovers at namur, want 0 (the one after revocation is flagged)", c.Handovers)
	}
}

// copyDir copies the files of a flat folder.
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// A registry restored from an earlier copy of its folder (same dataset
// id) has lost the facts it acknowledged after the copy; the terminal
// notices (its cursor is beyond the registry's head: a reset page) and
// pushes its journal again, so the handover is not lost. (It was, until
// e78b9ef; found by this test.)
func TestRestoredRegistryGetsFactsBack(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 1, requests: 60, gloves: 10_000}, "namur/A")
	a := tms[0]
	reg.stop(t)
	backup := filepath.Join(t.TempDir(), "backup")
	copyDir(t, reg.dir, backup) // last night's copy
	reg.start(t)
	a.handover(t, reg.openCodes(t, "namur")[0].Code)
	a.mustSync(t)
	if got := reg.report(t).centre("namur").Collected; got != 1 {
		t.Fatalf("report before the restore: collected %d, want 1", got)
	}

	reg.stop(t)
	if err := os.RemoveAll(reg.dir); err != nil {
		t.Fatal(err)
	}
	copyDir(t, backup, reg.dir) // the registry is restored from the copy
	reg.start(t)
	var out syncJSON
	decodeJSON(t, a.cli(t, "--json", "sync"), &out)
	if !out.Report.Reset {
		t.Errorf("first sync after the restore: no reset seen")
	}
	a.sync(t)
	if got := reg.report(t).centre("namur").Collected; got != 1 {
		t.Errorf("report after the restore and two syncs: collected %d; want 1 (the terminal still holds the handover)", got)
	}
}

// A registry backed up while serving, then restored after more handovers
// were acknowledged: every terminal notices (new dataset id, even when the
// registry's head has since passed its cursor), sends back what the copy
// lacks, and the registry again counts every handover exactly once — those
// acknowledged before the backup, after it, and recorded at a counter
// while the registry was down.
func TestBackupRestoreNothingLost(t *testing.T) {
	t.Parallel()
	reg, ab := setUp(t, demo{centres: 1, requests: 60, gloves: 10_000}, "namur/A", "namur/B")
	a, b := ab[0], ab[1]
	codes := reg.openCodes(t, "namur")
	if len(codes) < 12 {
		t.Fatalf("%d open codes, want 12", len(codes))
	}
	next := 0
	hand := func(tm *terminal, n int) {
		for range n {
			tm.handover(t, codes[next].Code)
			next++
		}
	}
	hand(a, 2)
	hand(b, 2)
	a.mustSync(t)
	b.mustSync(t)

	backup := filepath.Join(t.TempDir(), "registry-backup.db")
	if out := reg.must(t, "backup", backup).stdout; !strings.Contains(out, backup) {
		t.Errorf("backup said %q", out)
	}
	fi, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}

	hand(a, 3)
	hand(b, 2)
	a.mustSync(t)
	b.mustSync(t)
	for _, tm := range ab {
		if p := tm.status(t).PendingUpload; p != 0 {
			t.Fatalf("terminal %s: %d facts pending after sync, want every one acknowledged", tm.name, p)
		}
	}
	if got := reg.report(t).centre("namur").Handovers; got != 9 {
		t.Fatalf("before the restore: %d handovers, want 9", got)
	}

	if res := reg.cli(t, "restore", backup); res.code != 1 || !strings.Contains(res.stderr, "stop it first") {
		t.Errorf("restore while serving: %s; want exit 1 saying to stop serve", res)
	}
	reg.stop(t)
	hand(a, 1) // recorded while the registry is down
	reg.must(t, "restore", backup)
	reg.start(t)
	if got := reg.report(t).centre("namur").Handovers; got != 4 {
		t.Fatalf("right after the restore: %d handovers, want the backup's 4", got)
	}

	// B first: its journal pushed again moves the head, likely past A's
	// cursor; A must notice all the same.
	for _, tm := range []*terminal{b, a} {
		var out syncJSON
		decodeJSON(t, tm.cli(t, "--json", "sync"), &out)
		if !out.Report.Reset {
			t.Errorf("terminal %s: first sync after the restore saw no reset", tm.name)
		}
	}
	for _, tm := range ab {
		tm.mustSync(t)
	}
	c := reg.report(t).centre("namur")
	if c.Handovers != 10 || c.Collected != 10 || c.DoubleHandovers != 0 {
		t.Errorf("after the restore and a round each: %d handovers, %d collected, %d double; want 10, 10, 0",
			c.Handovers, c.Collected, c.DoubleHandovers)
	}
	for _, tm := range ab {
		st := tm.status(t)
		if st.PendingUpload != 0 || st.Conflicts != 0 || st.Collected != 10 {
			t.Errorf("terminal %s after resync: pending %d, conflicts %d, collected %d; want 0, 0, 10", tm.name, st.PendingUpload, st.Conflicts, st.Collected)
		}
	}
}

// `pickup-registry demo` of more than 200,000 requests for one centre
// succeeds, all or nothing. (Until afdae0f it committed the pickups, then
// failed on its own shipment, over Ship's limit; found by this test.)
func TestDemoLargeCentre(t *testing.T) {
	if testing.Short() {
		t.Skip("200,001 requests: skipped in -short mode")
	}
	t.Parallel()
	reg := newRegistry(t)
	res := reg.cli(t, "demo", "--centres", "1", "--requests", "200001")
	if res.code != 0 {
		t.Errorf("%s", res)
	}
	if rep := reg.report(t).centre("namur"); res.code != 0 && rep.Expected+rep.Cancelled != 0 {
		t.Errorf("the failed demo left %d pickups behind", rep.Expected+rep.Cancelled)
	}
}

// Regression (fixed): the registry's reader pool deadlocked when as many
// requests as it has readers arrived together before their statements are prepared: each
// holds a read transaction (every pooled connection) and waits, under the
// statement cache's mutex, for a connection to prepare on. Every terminal
// then waits until its own time-out. (A healthy registry answers these
// pulls in well under a second; the 30-second bound only turns a hang into
// a failure.)
func TestRegistryColdConcurrentPulls(t *testing.T) {
	t.Parallel()
	const n = 16 // more than the registry's 4 readers
	reg := startDemo(t, 2, 200)
	sims := make([]*protocol.Client, n)
	for i := range sims {
		c, err := protocol.NewClient(reg.URL(), protocol.Credentials{}, "")
		if err != nil {
			t.Fatal(err)
		}
		reqID, _ := protocol.NewRequestID(nil)
		if _, err := c.Enrol(context.Background(), reg.enrolCode(t, []string{"namur", "gent"}[i%2]), reqID, "e2e", "e2e"); err != nil {
			t.Fatal(err)
		}
		sims[i] = c
	}
	// The hang depends on which reader prepares first: a few fresh
	// processes make it all but certain (each one hung about two times in
	// three here).
	for attempt := 1; attempt <= 3; attempt++ {
		reg.stop(t) // a fresh process: nothing prepared yet
		reg.start(t)
		if failed := coldPulls(sims); failed > 0 {
			t.Fatalf("fresh registry %d: %d of %d concurrent first pulls got no answer within 30 s", attempt, failed, n)
		}
	}
}

// coldPulls sends one pull per client at once and counts those without an
// answer within 30 seconds.
func coldPulls(sims []*protocol.Client) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, len(sims))
	for _, c := range sims {
		go func() {
			_, err := c.Pull(ctx, protocol.PullRequest{})
			errs <- err
		}()
	}
	failed := 0
	for range sims {
		if err := <-errs; err != nil {
			failed++
		}
	}
	return failed
}

// The counter keeps working while a long sync runs in the background (as
// the window's sync loop does): every handover made during a big pull is
// recorded at once, and the next sync pushes it.
func TestHandoversDuringSync(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 1, requests: 300, gloves: 100_000}, "namur/A")
	a := tms[0]
	codes := reg.openCodes(t, "namur")
	reg.must(t, "demo", "--centres", "1", "--requests", "40000") // a long pull waiting

	syncDone := make(chan result, 1)
	go func() { syncDone <- a.sync(t) }()
	var made []handed
	running := true
	for i := 0; i < len(codes) && (running || len(made) < 10); i++ {
		made = append(made, a.handover(t, codes[i].Code))
		select {
		case res := <-syncDone:
			running = false
			t.Logf("background sync ended (exit %d) after %d handovers", res.code, len(made))
		default:
		}
	}
	if running {
		<-syncDone
	}
	a.mustSync(t)
	cr := reg.report(t).centre("namur")
	if cr.Collected != len(made) || cr.Handovers != len(made) {
		t.Errorf("report: collected %d, handovers %d; the counter handed over %d during and after the sync", cr.Collected, cr.Handovers, len(made))
	}
	if st := a.status(t); st.PendingUpload != 0 || st.Expected != cr.Expected {
		t.Errorf("terminal: pending %d, expected %d; want 0, %d", st.PendingUpload, st.Expected, cr.Expected)
	}
}

// TestTerminalReportsPending: a counter's round tells the registry how
// many facts it still holds after its push (none once they are all
// acknowledged); the registry lists it with the terminal, and a terminal
// that has not synced yet has nothing reported.
func TestTerminalReportsPending(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 1, requests: 30, gloves: 1000}, "namur/A")
	a, b := tms[0], enrol(t, reg, reg.URL(), "namur", "B")
	reg.stop(t) // a graceful stop writes what serve noted
	var out struct {
		Terminals []struct {
			ID        string  `json:"id"`
			Pending   *int    `json:"pending"`
			PendingAt *string `json:"pending_at"`
		} `json:"terminals"`
	}
	decodeJSON(t, reg.must(t, "--json", "terminal", "list"), &out)
	seen := 0
	for _, x := range out.Terminals {
		switch x.ID {
		case a.id:
			seen++
			if x.Pending == nil || *x.Pending != 0 || x.PendingAt == nil {
				t.Errorf("terminal A after a round that pushed everything: pending %v at %v, want 0", x.Pending, x.PendingAt)
			}
		case b.id:
			seen++
			if x.Pending != nil {
				t.Errorf("terminal B never synced, pending %d", *x.Pending)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("terminal list shows %d of the two terminals: %+v", seen, out)
	}
}
