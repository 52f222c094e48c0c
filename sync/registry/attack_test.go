package registry

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Attacks by one enrolled terminal on the others (issue 9), over HTTP on
// 127.0.0.1. Each test is named after what it attacks.

// TestH5OneTerminalFillingNonceMemoryBlocksOnlyItself: a terminal that
// signs more requests than the nonce memory holds is refused alone; the
// other terminals go on (the memory was one list shared by all).
func TestH5OneTerminalFillingNonceMemoryBlocksOnlyItself(t *testing.T) {
	f, _ := requestFixture(t, 2)
	flood, _ := f.terminal("namur")
	honest, _ := f.terminal("gent")
	f.srv.nonces.MaxSize = 20
	busy := 0
	for range 30 {
		if _, err := flood.Digest(f.ctx); errors.Is(err, protocol.ErrUnavailable) {
			busy++
		} else if err != nil {
			t.Fatalf("flooding digest: %v", err)
		}
	}
	if busy == 0 {
		t.Error("a terminal over its nonce memory was never refused")
	}
	if _, err := honest.Digest(f.ctx); err != nil {
		t.Errorf("another terminal while one floods: %v, want served", err)
	}
}

// TestH5OneTerminalFloodingIsRateLimitedAlone: over its request rate a
// terminal is answered busy; another terminal is served at once.
func TestH5OneTerminalFloodingIsRateLimitedAlone(t *testing.T) {
	l := DefaultLimits
	l.Rate, l.Burst = 0.01, 10
	f := limitedFixture(t, l)
	flood, _ := f.terminal("namur")
	honest, _ := f.terminal("gent")
	busy := 0
	for range 20 {
		if _, err := flood.Digest(f.ctx); errors.Is(err, protocol.ErrUnavailable) {
			busy++
		}
	}
	if busy < 10 {
		t.Errorf("20 requests at a burst of 10: %d refused, want 10", busy)
	}
	if _, err := honest.Digest(f.ctx); err != nil {
		t.Errorf("another terminal while one floods: %v, want served", err)
	}
}

func TestNonceMemoryPerTerminal(t *testing.T) {
	c := protocol.NonceCache{MaxSize: 2}
	now := testNow
	exp := now.Add(protocol.NonceMemory)
	for _, n := range []string{"a0000000000000000", "b0000000000000000"} {
		if ok, err := c.Add("t1", n, now, exp); !ok || err != nil {
			t.Fatalf("Add(t1, %s) = %v, %v", n, ok, err)
		}
	}
	if _, err := c.Add("t1", "c0000000000000000", now, exp); !errors.Is(err, protocol.ErrNonceCacheFull) {
		t.Errorf("third nonce of t1: %v, want full", err)
	}
	if ok, err := c.Add("t2", "c0000000000000000", now, exp); !ok || err != nil {
		t.Errorf("t2 while t1 is full: %v, %v; want accepted", ok, err)
	}
	if ok, err := c.Add("t1", "c0000000000000000", exp.Add(2e9), exp.Add(protocol.NonceMemory)); !ok || err != nil {
		t.Errorf("t1 once its nonces expired: %v, %v; want accepted", ok, err)
	}
}

var testNow = time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)

func undo(t *testing.T, c *protocol.Client, h pickup.Event, at time.Time) pickup.Event {
	return pickup.Event{ID: newID(t), Type: pickup.EventUndo, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID, At: at, Undoes: h.ID}
}

func (f *fixture) status(code pickup.Code) pickup.Status {
	f.t.Helper()
	p, err := f.reg.Pickup(f.ctx, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Status
}

// TestH2UndoFromAnotherTerminalFlagged: a terminal cannot undo another
// terminal's handover (that gave a second parcel): the undo is recorded,
// flagged, and the code stays collected.
func TestH2UndoFromAnotherTerminalFlagged(t *testing.T) {
	f, codes, a, b := namurCounters(t, 2)
	h := handover(t, a, codes["namur"][0], time.Now())
	push(t, a, h)
	r := push(t, b, undo(t, b, h, time.Now()))
	if r[0].Result != protocol.ResultFlagged || r[0].Flag != protocol.FlagUndoNotRecorder {
		t.Errorf("undo by another terminal: %+v, want flagged %s", r[0], protocol.FlagUndoNotRecorder)
	}
	if s := f.status(codes["namur"][0]); s != pickup.StatusCollected {
		t.Errorf("status after another terminal's undo = %s, want collected", s)
	}
	if rep, _ := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{}); rep.Totals.Flagged != 1 || len(rep.Flagged) != 1 || rep.Flagged[0].Flag != protocol.FlagUndoNotRecorder {
		t.Errorf("report: %d flagged %+v, want the undo", rep.Totals.Flagged, rep.Flagged)
	}
}

// TestH2UndoOutsideTheWindowFlagged: an undo far in the future, an hour
// after the handover by the terminal's clock, or twenty minutes after the
// handover reached the registry by the registry's clock, undoes nothing.
func TestH2UndoOutsideTheWindowFlagged(t *testing.T) {
	f := newFixture(t)
	clock := f.clock(time.Now())
	codes := f.requests(5)
	a, _ := f.terminal("namur")
	now := clock.Now()
	tests := []struct {
		name    string
		undoAt  time.Time
		advance time.Duration // the registry's clock, between handover and undo
		want    string
	}{
		{"at=2027-06-01", time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), 0, protocol.FlagTimeOutOfRange},
		{"an hour later on the terminal", now.Add(time.Hour), 0, protocol.FlagUndoTooLate},
		{"before the handover", now.Add(-time.Hour), 0, protocol.FlagUndoTooLate},
		{"20 minutes later on the registry", now.Add(time.Minute), 20 * time.Minute, protocol.FlagUndoTooLate},
	}
	for i, tc := range tests {
		h := handover(t, a, codes["namur"][i], clock.Now())
		push(t, a, h)
		clock.Add(tc.advance)
		r := push(t, a, undo(t, a, h, tc.undoAt))
		if r[0].Result != protocol.ResultFlagged || r[0].Flag != tc.want {
			t.Errorf("%s: %+v, want flagged %s", tc.name, r[0], tc.want)
		}
		if s := f.status(codes["namur"][i]); s != pickup.StatusCollected {
			t.Errorf("%s: status = %s, want collected", tc.name, s)
		}
	}
	// Within the window, from the recorder: undone.
	h := handover(t, a, codes["namur"][4], clock.Now())
	push(t, a, h)
	if r := push(t, a, undo(t, a, h, clock.Now().Add(time.Minute))); r[0].Result != protocol.ResultAccepted {
		t.Errorf("a genuine undo: %+v, want accepted", r[0])
	}
	if s := f.status(codes["namur"][4]); s != pickup.StatusExpected {
		t.Errorf("after a genuine undo: status %s, want expected", s)
	}
}

// TestH3FactsNotMatchingTheCodeFlagged: with one centre's credentials, a
// handover of another centre's code, of a cancelled, revoked or unknown
// code, on the signature of an unknown key, or at 9999-12-31, is recorded
// flagged; it changes no status, reaches no other centre and shows in the
// report.
func TestH3FactsNotMatchingTheCodeFlagged(t *testing.T) {
	f, codes := requestFixture(t, 6)
	a, _ := f.terminal("namur")
	g, ge := f.terminal("gent")
	gentCursor := headCursor(t, g)
	if err := f.reg.CancelCode(f.ctx, codes["namur"][1]); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.RevokeCode(f.ctx, codes["namur"][2]); err != nil {
		t.Fatal(err)
	}
	unknown, _ := pickup.NewCode(nil)
	payload, err := f.reg.SignedPayload(f.ctx, codes["namur"][3])
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(payload, ".", ".x", 1) // names another key id
	onSig := func(code pickup.Code, signed string) pickup.Event {
		e := handover(t, a, code, time.Now())
		e.OnSignature, e.Signed = true, signed
		return e
	}
	future := handover(t, a, codes["namur"][4], time.Date(9999, 12, 31, 12, 0, 0, 0, time.UTC))
	tests := []struct {
		name string
		ev   pickup.Event
		want string
	}{
		{"another centre's code", handover(t, a, codes["gent"][0], time.Now()), protocol.FlagWrongCentre},
		{"cancelled", handover(t, a, codes["namur"][1], time.Now()), protocol.FlagCancelled},
		{"revoked", handover(t, a, codes["namur"][2], time.Now()), protocol.FlagRevoked},
		{"unknown", handover(t, a, unknown, time.Now()), protocol.FlagUnknownCode},
		{"unknown key", onSig(codes["namur"][3], forged), protocol.FlagBadSignature},
		{"at 9999-12-31", future, protocol.FlagTimeOutOfRange},
	}
	for _, tc := range tests {
		r := push(t, a, tc.ev)
		if r[0].Result != protocol.ResultFlagged || r[0].Flag != tc.want {
			t.Errorf("%s: %+v, want flagged %s", tc.name, r[0], tc.want)
		}
	}
	if s := f.status(codes["gent"][0]); s != pickup.StatusExpected {
		t.Errorf("gent's code after namur's flagged handover: %s, want expected", s)
	}
	for _, p := range pullAll(t, g, ge.DatasetID, gentCursor, 0) {
		if len(p.Redemptions) > 0 {
			t.Errorf("gent pulled a flagged redemption: %+v", p.Redemptions)
		}
	}
	// Gent's own holder still gets the parcel, with no conflict.
	if r := push(t, g, handover(t, g, codes["gent"][0], time.Now())); r[0].Result != protocol.ResultAccepted {
		t.Errorf("the genuine handover at gent: %+v, want accepted", r[0])
	}
	rep, _ := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	var namur CentreReport
	for _, c := range rep.Centres {
		if c.ID == "namur" {
			namur = c
		}
	}
	if namur.Flagged != len(tests) || namur.Handovers != 0 || len(rep.Flagged) != len(tests) {
		t.Errorf("report: namur flagged %d, handovers %d, listed %d; want %d, 0, %d", namur.Flagged, namur.Handovers, len(rep.Flagged), len(tests), len(tests))
	}
	// A genuine signed handover stands.
	if r := push(t, a, onSig(codes["namur"][3], payload)); r[0].Result != protocol.ResultAccepted {
		t.Errorf("a genuine on_signature handover: %+v, want accepted", r[0])
	}
}

// TestH3HandoverOutsideThePickupWindowFlagged: a stolen terminal hands
// codes over today whose pickup window ended ten days ago or opens in a
// week: each is recorded flagged outside_window, the code stays expected,
// no other counter pulls it as collected and the report counts it as
// flagged, not as a collection. A handover a day past the window (a
// counter's clock or time zone) still stands, and the holder of the code
// whose window opens later still gets the parcel then, with no conflict.
func TestH3HandoverOutsideThePickupWindowFlagged(t *testing.T) {
	f := newFixture(t)
	today := pickup.DateOf(time.Now().UTC())
	// pilotCampaign(id, day): nurses pick up from day-3 to day+30,
	// dietitians from day+7 to day+30.
	imp := func(campaign string, day pickup.Date, profession string) pickup.Code {
		t.Helper()
		if _, err := f.reg.ImportCampaign(f.ctx, strings.NewReader(pilotCampaign(campaign, day))); err != nil {
			t.Fatal(err)
		}
		res, err := f.reg.ImportRequests(f.ctx, campaign, strings.NewReader("professional_id,name,profession,centre_id\n"+campaign+"-1,Ann,"+profession+",namur\n"))
		if err != nil || res.Imported != 1 {
			t.Fatalf("ImportRequests(%s) = %+v, %v", campaign, res, err)
		}
		for _, c := range f.codes()["namur"] {
			if p, _ := f.reg.Pickup(f.ctx, c); p.CampaignID == campaign {
				return c
			}
		}
		t.Fatalf("no code of %s", campaign)
		return ""
	}
	ended := imp("ended", today.AddDays(-40), "nurse")         // until today-10
	coming := imp("coming", today, "dietitian")                // from today+7
	yesterday := imp("yesterday", today.AddDays(-31), "nurse") // until today-1
	stolen, _ := f.terminal("namur")
	other, oe := f.terminal("namur")
	otherCursor := headCursor(t, other)

	for _, tc := range []struct {
		name string
		code pickup.Code
		want protocol.Result
		flag string
	}{
		{"window ended ten days ago", ended, protocol.ResultFlagged, protocol.FlagOutsideWindow},
		{"window opens in a week", coming, protocol.ResultFlagged, protocol.FlagOutsideWindow},
		{"a day after the window", yesterday, protocol.ResultAccepted, ""},
	} {
		r := push(t, stolen, handover(t, stolen, tc.code, time.Now()))
		if r[0].Result != tc.want || r[0].Flag != tc.flag {
			t.Errorf("%s: %+v, want %s %q", tc.name, r[0], tc.want, tc.flag)
		}
	}
	for _, c := range []pickup.Code{ended, coming} {
		if s := f.status(c); s != pickup.StatusExpected {
			t.Errorf("%s after a handover outside its window: %s, want expected", c.Masked(), s)
		}
	}
	for _, p := range pullAll(t, other, oe.DatasetID, otherCursor, 0) {
		for _, rd := range p.Redemptions {
			if rd.Code == ended || rd.Code == coming {
				t.Errorf("another counter pulled a flagged handover as a redemption: %+v", rd)
			}
		}
	}
	rep, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Collected != 1 || rep.Totals.Flagged != 2 || len(rep.Flagged) != 2 {
		t.Errorf("report: %d collected, %d flagged %+v; want 1 collected (the day's slack), 2 flagged", rep.Totals.Collected, rep.Totals.Flagged, rep.Flagged)
	}
	for _, fl := range rep.Flagged {
		if fl.Flag != protocol.FlagOutsideWindow {
			t.Errorf("report lists %+v, want flag %s", fl, protocol.FlagOutsideWindow)
		}
	}
	// Its holder comes in the window: the genuine handover stands, no
	// conflict with the flagged one.
	f.reg.Now = func() time.Time { return time.Now().AddDate(0, 0, 8) }
	f.srv.Now = f.reg.Now
	if r := push(t, other, handover(t, other, coming, f.reg.Now())); r[0].Result != protocol.ResultAccepted {
		t.Errorf("the genuine handover in the window: %+v, want accepted", r[0])
	}
}

// TestH4DoubleHandoversStoredLinearly: 2,000 handovers of one code add
// at most 2 MB to the database and each answer names at most MaxEarlier
// earlier handovers (it was 119 MB and a 73.5 MB answer for 1,000).
func TestH4DoubleHandoversStoredLinearly(t *testing.T) {
	f, codes := requestFixture(t, 1)
	a, _ := f.terminal("namur")
	size := func() int64 {
		var pages, pageSize int64
		f.reg.r.QueryRow("PRAGMA page_count").Scan(&pages)
		f.reg.r.QueryRow("PRAGMA page_size").Scan(&pageSize)
		return pages * pageSize
	}
	f.reg.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	before := size()
	var answer int
	for batch := 0; batch < 2; batch++ {
		var evs []pickup.Event
		for range 1000 {
			evs = append(evs, handover(t, a, codes["namur"][0], time.Now()))
		}
		for _, r := range push(t, a, evs...) {
			if len(r.Earlier) > protocol.MaxEarlier {
				t.Fatalf("a conflict names %d earlier handovers, want at most %d", len(r.Earlier), protocol.MaxEarlier)
			}
			answer += len(r.Earlier)
		}
	}
	f.reg.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	added := size() - before
	t.Logf("2,000 handovers of one code added %d bytes", added)
	if added > 2<<20 {
		t.Errorf("2,000 handovers of one code added %d bytes, want at most 2 MB", added)
	}
	if rep, _ := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{}); rep.Totals.DoubleHandovers != 1999 {
		t.Errorf("report: %d double handovers, want 1999", rep.Totals.DoubleHandovers)
	}
}

// TestMediumQuantityBoundsRefused: a quantity of 2^62 (three of which made
// the report overflow for good) is refused before anything is stored, as
// are over-long fields.
func TestMediumQuantityBoundsRefused(t *testing.T) {
	f, codes := requestFixture(t, 1)
	a, _ := f.terminal("namur")
	big := pickup.Event{ID: newID(t), Type: pickup.EventStockReceive, TerminalID: a.Creds.TerminalID, CentreID: "namur",
		At: time.Now(), Item: "gloves", Size: "M", Qty: 1 << 62}
	long := handover(t, a, codes["namur"][0], time.Now())
	long.GloveSize = strings.Repeat("X", 10_000)
	longSigned := handover(t, a, codes["namur"][0], time.Now())
	longSigned.Signed = strings.Repeat("P", 100_000)
	for name, e := range map[string]pickup.Event{"qty 2^62": big, "glove size 10,000 bytes": long, "signed 100,000 bytes": longSigned} {
		if _, err := a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{e}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := f.count("SELECT count(*) FROM events"); n != 0 {
		t.Errorf("%d events stored, want none", n)
	}
	if _, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{}); err != nil {
		t.Errorf("report: %v", err)
	}
}

// TestStolenTerminalCannotFillTheDisk: one terminal's pushes are bounded
// in facts per second (flagged facts take disk too); another terminal
// pushes meanwhile.
func TestStolenTerminalCannotFillTheDisk(t *testing.T) {
	l := DefaultLimits
	l.EventRate, l.EventBurst = 0.001, 3000
	f := limitedFixture(t, l)
	codes := f.requests(1)
	thief, _ := f.terminal("namur")
	honest, _ := f.terminal("gent")
	refused := 0
	for range 5 {
		var evs []pickup.Event
		for range 1000 {
			evs = append(evs, handover(t, thief, codes["gent"][0], time.Now()))
		}
		if _, err := thief.Push(f.ctx, &protocol.PushRequest{Events: evs}); errors.Is(err, protocol.ErrUnavailable) {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("5 pushes of 1,000 facts at a budget of 3,000: %d refused, want 2", refused)
	}
	if n := f.count("SELECT count(*) FROM events"); n != 3000 {
		t.Errorf("%d facts stored, want 3,000", n)
	}
	if r := push(t, honest, handover(t, honest, codes["gent"][0], time.Now())); r[0].Result != protocol.ResultAccepted {
		t.Errorf("the honest terminal: %+v", r[0])
	}
}

// TestCSVLineLengthBounded: a request file with a 2 MB line is refused at
// that line without holding the line (a 1 GB line took 5 GB), and nothing
// is imported.
func TestCSVLineLengthBounded(t *testing.T) {
	f := newFixture(t)
	csv := "professional_id,name,profession,centre_id\nnamur-1,Anne,nurse,namur\nnamur-2," + strings.Repeat("A", 2<<20) + ",nurse,namur\n"
	res, err := f.reg.ImportRequests(f.ctx, pickup.DefaultCampaignID, strings.NewReader(csv))
	if err == nil || !strings.Contains(err.Error(), "line 3: line longer than") {
		t.Errorf("import of a 2 MB line: %+v, %v; want a refusal at line 3", res, err)
	}
	if n := f.count("SELECT count(*) FROM pickups"); n != 0 {
		t.Errorf("%d pickups imported, want none", n)
	}
}
