package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// fact makes a fact of terminal t-2 of this fixture's centre, at testNow
// plus min minutes.
func fact(n int, typ pickup.EventType, min int) pickup.Event {
	return pickup.Event{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", n), Type: typ, TerminalID: "t-2", CentreID: "here",
		At: testNow.Add(time.Duration(min) * time.Minute)}
}

func receiveFact(n, min int, item, size string, qty int, ref string) pickup.Event {
	e := fact(n, pickup.EventStockReceive, min)
	e.Item, e.Size, e.Qty, e.Ref = item, size, qty, ref
	return e
}

func countFact(n, min int, item, size string, qty int) pickup.Event {
	e := fact(n, pickup.EventStockCount, min)
	e.Item, e.Size, e.Qty, e.Reason = item, size, qty, "count"
	return e
}

func handoverFact(n, min int, code pickup.Code, size string) pickup.Event {
	e := fact(n, pickup.EventHandover, min)
	e.Code, e.GloveSize = code, size
	e.Items = []pickup.Line{{Item: "masks", Qty: 2}, {Item: "gloves", Size: size, Qty: 1}}
	return e
}

// stockAfter is the stock of a new counter that received evs from source,
// one at a time in that order (each arrival applies alone).
func stockAfter(t testing.TB, source string, evs ...pickup.Event) map[string]int {
	t.Helper()
	f := newFixture(t)
	for _, e := range evs {
		f.ingest(t, source, e)
	}
	return f.stock(t)
}

// shuffled returns evs in a random order.
func shuffled(evs []pickup.Event) []pickup.Event {
	out := append([]pickup.Event(nil), evs...)
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func (f *fixture) ingest(t testing.TB, source string, evs ...pickup.Event) IngestOutcome {
	t.Helper()
	out, err := f.s.IngestFacts(context.Background(), source, evs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Another counter's facts count toward this counter's stock and codes,
// once each by event id; another centre's facts, and facts posing as this
// counter's, are refused and change nothing.
func TestForeignFactsMakeOneCentre(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "M", 5)
	code := f.codes["ok"]
	facts := []pickup.Event{
		receiveFact(1, 1, "gloves", "M", 10, "delivery"),
		receiveFact(2, 1, "masks", "", 100, ""),
		handoverFact(3, 2, code, "M"),
	}
	out := f.ingest(t, SourcePeer, facts...)
	if out.New != 3 || out.Refused != 0 {
		t.Fatalf("ingest = %+v, want 3 new", out)
	}
	if again := f.ingest(t, SourceRegistry, facts...); again.New != 0 || again.Known != 3 {
		t.Errorf("ingest again = %+v, want 3 known", again)
	}
	st := f.stock(t)
	if st["gloves-M"] != 14 || st["masks"] != 98 {
		t.Errorf("stock gloves-M %d masks %d, want 14 and 98", st["gloves-M"], st["masks"])
	}
	j, err := f.s.Lookup(ctx, string(code))
	if err != nil {
		t.Fatal(err)
	}
	if j.Kind != pickup.VerdictAlreadyCollected || len(j.Collected) != 1 || j.Collected[0].TerminalID != "t-2" {
		t.Errorf("lookup after a handover at t-2 = %s %+v, want already_collected at t-2", j.Kind, j.Collected)
	}
	res, err := f.s.Handover(ctx, HandoverRequest{Input: string(code), GloveSize: "M"})
	if err != nil || res.EventID != "" || res.Verdict.Kind != pickup.VerdictAlreadyCollected {
		t.Errorf("handover of a code collected at t-2 = %+v, %v; want refused", res.Verdict.Kind, err)
	}
	// Its undo frees the code and puts the stock back.
	undo := fact(4, pickup.EventUndo, 3)
	undo.Code, undo.Undoes = code, facts[2].ID
	f.ingest(t, SourcePeer, undo)
	if st := f.stock(t); st["gloves-M"] != 15 || st["masks"] != 100 {
		t.Errorf("after its undo gloves-M %d masks %d, want 15 and 100", st["gloves-M"], st["masks"])
	}
	if j, _ := f.s.Lookup(ctx, string(code)); j.Kind != pickup.VerdictOK {
		t.Errorf("lookup after the undo = %s, want ok", j.Kind)
	}

	bad := []pickup.Event{receiveFact(5, 1, "masks", "", 1000, ""), receiveFact(6, 1, "masks", "", 1000, ""), receiveFact(7, 1, "masks", "", 0, "")}
	bad[0].CentreID = "there"
	bad[1].TerminalID = "t-1"
	if out := f.ingest(t, SourcePeer, bad...); out.New != 0 || out.Refused != 3 {
		t.Errorf("hostile facts = %+v, want 3 refused", out)
	}
	if st := f.stock(t); st["masks"] != 100 {
		t.Errorf("masks = %d after refused facts, want 100", st["masks"])
	}
	// What came from a peer waits for the registry; what came from the
	// registry does not.
	up, err := f.s.ForeignOutbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(up) != 1 || up[0].ID != undo.ID {
		t.Errorf("foreign outbox = %d facts, want the undo alone (the others came again from the registry)", len(up))
	}
	// The feed carries this counter's facts then the others'.
	evs, cur, more, err := f.s.Feed(ctx, FeedCursor{}, 2)
	if err != nil || len(evs) != 2 || !more || evs[0].TerminalID != "t-1" || evs[1].TerminalID != "t-2" {
		t.Fatalf("feed page 1 = %d facts, more %v, %v", len(evs), more, err)
	}
	var all []pickup.Event
	for all = evs; more; {
		evs, cur, more, err = f.s.Feed(ctx, cur, 2)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, evs...)
	}
	if len(all) != 5 {
		t.Errorf("feed = %d facts, want 5 (1 own, 4 foreign)", len(all))
	}
}

// The count rule: a count sets the level as of its time; facts after it,
// from any counter, apply on top; facts at or before it are absorbed. The
// stock is the same whatever order the facts arrive in.
func TestCountCombinesWithFactsRecordedElsewhere(t *testing.T) {
	t.Parallel()
	code := func(n int) pickup.Code { return codeFor(t, 100+n) }
	cases := []struct {
		name  string
		facts []pickup.Event
		want  int
	}{
		{"no count: the sum", []pickup.Event{receiveFact(1, 0, "gloves", "L", 50, ""), handoverFact(2, 5, code(2), "L")}, 49},
		{"handover during the count is absorbed", []pickup.Event{receiveFact(1, 0, "gloves", "L", 50, ""),
			handoverFact(2, 5, code(2), "L"), countFact(3, 10, "gloves", "L", 40)}, 40},
		{"handover after the count applies on top", []pickup.Event{receiveFact(1, 0, "gloves", "L", 50, ""),
			countFact(3, 10, "gloves", "L", 40), handoverFact(2, 11, code(2), "L"), handoverFact(4, 12, code(4), "L")}, 38},
		{"the latest count wins", []pickup.Event{countFact(1, 10, "gloves", "L", 40), countFact(2, 20, "gloves", "L", 30),
			receiveFact(3, 15, "gloves", "L", 5, ""), receiveFact(4, 25, "gloves", "L", 5, "")}, 35},
		{"a count at the same time absorbs", []pickup.Event{receiveFact(1, 10, "gloves", "L", 5, ""), countFact(2, 10, "gloves", "L", 7)}, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for try := range 4 {
				if got := stockAfter(t, SourcePeer, shuffled(c.facts)...)["gloves-L"]; got != c.want {
					t.Errorf("try %d: gloves-L = %d, want %d", try, got, c.want)
				}
			}
		})
	}
}

// A count at this counter absorbs a handover another counter recorded
// before it, which arrives afterwards.
func TestLocalCountAbsorbsEarlierForeignHandover(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "S", 20)
	f.now = testNow.Add(10 * time.Minute)
	if _, err := f.s.CountStock(ctx, "gloves", "S", 12, "afternoon count"); err != nil {
		t.Fatal(err)
	}
	f.ingest(t, SourceRegistry, handoverFact(1, 5, f.codes["ok2"], "S"), handoverFact(2, 11, f.codes["ok"], "S"))
	if got := f.stock(t)["gloves-S"]; got != 11 {
		t.Errorf("gloves-S = %d, want 11 (12 counted, the 5-minute handover absorbed, the 11-minute one on top)", got)
	}
}

// A shipment is received once per centre: a counter told of another's
// reception refuses to receive it again and names who did and when; when
// two counters received it before hearing of each other, the earlier
// reception counts and the other moves nothing, at every counter alike.
func TestShipmentReceivedOncePerCentre(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	page := func(ids ...string) *Page {
		p := &Page{DatasetID: "ds", CentreID: "here", Cursor: 1}
		for _, id := range ids {
			p.Shipments = append(p.Shipments, SentShipment{ID: id, Item: "gloves", Size: "XL", Qty: 100, SentAt: testNow, Seq: 1})
		}
		return p
	}
	t.Run("told", func(t *testing.T) {
		f := newFixture(t)
		if _, err := f.s.ApplyPage(ctx, page("sh-1")); err != nil {
			t.Fatal(err)
		}
		f.ingest(t, SourceRegistry, receiveFact(1, 1, "gloves", "XL", 100, "shipment sh-1"))
		_, err := f.s.ReceiveShipment(ctx, "sh-1")
		if CodeOf(err) != CodeAlreadyReceived || !strings.Contains(err.Error(), "t-2") || !strings.Contains(err.Error(), "10:01") {
			t.Errorf("second reception: %v; want already_received naming t-2 and the time", err)
		}
		if got := f.stock(t)["gloves-XL"]; got != 100 {
			t.Errorf("gloves-XL = %d, want 100", got)
		}
		shs, _ := f.s.Shipments(ctx)
		if len(shs) != 1 || !shs[0].Received {
			t.Errorf("shipments = %+v, want sh-1 received", shs)
		}
	})
	t.Run("fact before the shipment", func(t *testing.T) {
		f := newFixture(t)
		f.ingest(t, SourcePeer, receiveFact(1, 1, "gloves", "XL", 100, "shipment sh-1"))
		if _, err := f.s.ApplyPage(ctx, page("sh-1")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReceiveShipment(ctx, "sh-1"); CodeOf(err) != CodeAlreadyReceived {
			t.Errorf("reception after the peer's: %v, want already_received", err)
		}
	})
	for _, earlierHere := range []bool{true, false} {
		t.Run(fmt.Sprintf("both received, earlier here %v", earlierHere), func(t *testing.T) {
			f := newFixture(t)
			if _, err := f.s.ApplyPage(ctx, page("sh-1")); err != nil {
				t.Fatal(err)
			}
			min := -1
			if earlierHere {
				min = 1
			}
			if _, err := f.s.ReceiveShipment(ctx, "sh-1"); err != nil {
				t.Fatal(err)
			}
			f.ingest(t, SourcePeer, receiveFact(1, min, "gloves", "XL", 100, "shipment sh-1"))
			if got := f.stock(t)["gloves-XL"]; got != 100 {
				t.Errorf("gloves-XL = %d, want 100: the shipment counts once", got)
			}
			if n := f.count(t, "SELECT count(*) FROM stock_moves WHERE ref = 'shipment sh-1' AND delta <> 0"); n != 1 {
				t.Errorf("%d receptions of sh-1 count, want 1", n)
			}
			var by string
			f.s.db.QueryRow("SELECT received_by FROM shipments WHERE id = 'sh-1'").Scan(&by)
			if foreign := by == receiveFact(1, 0, "", "", 0, "").ID; foreign == earlierHere {
				t.Errorf("received_by %s: want the earlier reception", by)
			}
		})
	}
}

// A review of a double handover is a fact of this counter (journal,
// outbox) and shows with the case; another counter's review, brought by
// a peer, shows too, once; a code that is not double, or a bad note, is
// refused and records nothing.
func TestReviewConflict(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "M", 1000)
	f.receive(t, "masks", "", 5000)
	code := f.codes["ok"]
	f.handover(t, HandoverRequest{Input: string(code), GloveSize: "M"})
	f.ingest(t, SourcePeer, handoverFact(1, 3, code, "L"))
	before := f.count(t, "SELECT count(*) FROM outbox")

	for _, tc := range []struct{ code, note string }{
		{string(code), "   "},
		{string(code), "bidi \u202e"},
		{string(code), strings.Repeat("x", pickup.MaxNoteLen+1)},
		{string(f.codes["ok2"]), "not a double"},
		{"nonsense", "a note"},
	} {
		if _, err := f.s.ReviewConflict(ctx, tc.code, tc.note); err == nil {
			t.Errorf("review of %q with note %q was taken", tc.code, tc.note)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM outbox"); n != before {
		t.Fatalf("refused reviews queued %d facts", n-before)
	}

	f.now = testNow.Add(10 * time.Minute)
	r, err := f.s.ReviewConflict(ctx, strings.ToLower(code.String()), " Two sisters, same initials: both entitled.\r\nOK. ")
	if err != nil {
		t.Fatal(err)
	}
	if r.Note != "Two sisters, same initials: both entitled.\nOK." || !r.Local || r.Counter != "counter" {
		t.Errorf("review = %+v", r)
	}
	if n := f.count(t, "SELECT count(*) FROM outbox WHERE event_id = ? AND json_extract(body, '$.type') = 'conflict_review' AND json_extract(body, '$.note') = ?", r.EventID, r.Note); n != 1 {
		t.Errorf("the review is not in the outbox as a conflict_review fact")
	}
	if v, err := f.s.VerifyLog(ctx); err != nil || !v.OK {
		t.Errorf("verify-log after a review = %+v, %v", v, err)
	}

	// Desk 2's review of the same case, brought by a peer (twice).
	other := fact(2, pickup.EventConflictReview, 20)
	other.Code, other.Note = code, "Seen at desk 2 too."
	if out := f.ingest(t, SourcePeer, other, other); out.New != 1 || out.Known != 1 {
		t.Errorf("ingest review = %+v, want 1 new, 1 known", out)
	}
	cases, err := f.s.ConflictCases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 {
		t.Fatalf("cases = %+v, want one", cases)
	}
	c := cases[0]
	if c.Code != code.String() || c.Name != "Person 0" || len(c.Sides) != 2 || !c.Reviewed() || len(c.Reviews) != 2 {
		t.Fatalf("case = %+v", c)
	}
	if c.Sides[0].GloveSize != "M" || c.Sides[0].Counter != "counter" || c.Sides[1].GloveSize != "L" || c.Sides[1].TerminalID != "t-2" {
		t.Errorf("sides = %+v, want ours in M then t-2's in L", c.Sides)
	}
	if c.Reviews[0].EventID != r.EventID || c.Reviews[1].Note != "Seen at desk 2 too." || c.Reviews[1].Local {
		t.Errorf("reviews = %+v, want ours then desk 2's", c.Reviews)
	}
	// The feed gives peers this counter's review.
	evs, _, _, err := f.s.Feed(ctx, FeedCursor{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		found = found || e.ID == r.EventID && e.Note == r.Note
	}
	if !found {
		t.Error("the review is not in the counter's feed")
	}
}
