package store

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// The gloves are out in every size: the rest of the parcel goes now, the
// gloves are recorded owed; the next scan says so, and they are handed
// over then, once, counted in stock.
func TestOwedGlovesHandedOverLater(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "masks", "", 2000)
	f.receive(t, "gloves", "M", 499) // less than one parcel
	code := f.codes["ok"].String()
	j, err := f.s.Lookup(ctx, code)
	gloves := []pickup.Line{{Item: "gloves", Qty: 500}}
	if err != nil || !j.OK() || !reflect.DeepEqual(j.Owed, gloves) {
		t.Fatalf("Lookup = %+v, %v; want ok owing 500 gloves", j.Verdict, err)
	}
	// Without Owe, refused for its size as before, nothing recorded.
	if _, err := f.s.Handover(ctx, HandoverRequest{Input: code}); !errors.Is(err, ErrSizeRequired) {
		t.Fatalf("Handover without Owe: %v, want ErrSizeRequired", err)
	}
	before := f.stock(t)
	res, err := f.s.Handover(ctx, HandoverRequest{Input: code, Owe: true})
	if err != nil || res.EventID == "" || !reflect.DeepEqual(res.Owed, gloves) {
		t.Fatalf("Handover owing = %+v, %v", res, err)
	}
	after := f.stock(t)
	for key, delta := range map[string]int{"masks": -500, "gowns": -50, "glasses": -1, "gloves-M": 0, "gloves-L": 0} {
		if got := after[key] - before[key]; got != delta {
			t.Errorf("stock %s moved %d, want %d", key, got, delta)
		}
	}
	var body string
	if err := f.s.db.QueryRow("SELECT body FROM outbox WHERE event_id = ?", res.EventID).Scan(&body); err != nil {
		t.Fatal(err)
	}
	var ev pickup.Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil || !reflect.DeepEqual(ev.Owed, gloves) || ev.GloveSize != "" {
		t.Errorf("pushed handover %s: owed %v size %q, want the gloves owed, no size", body, ev.Owed, ev.GloveSize)
	}
	st, _ := f.s.Status(ctx)
	if st.Owed != 1 || st.Collected != 2 {
		t.Errorf("status owed %d collected %d; want 1 2", st.Owed, st.Collected)
	}
	// The next scan: owed, not already collected.
	j, err = f.s.Lookup(ctx, code)
	if err != nil || j.Kind != pickup.VerdictOwed || !reflect.DeepEqual(j.Owed, gloves) || len(j.Collected) != 1 {
		t.Fatalf("Lookup after = %+v, %v; want owed", j.Verdict, err)
	}
	// A plain handover is still refused: it was collected.
	if r, err := f.s.Handover(ctx, HandoverRequest{Input: code, GloveSize: "M", Owe: true}); err != nil || r.EventID != "" {
		t.Errorf("second Handover = %+v, %v; want refused", r, err)
	}
	// Still no size in stock: the owed handover is refused for its size.
	if _, err := f.s.DeliverOwed(ctx, HandoverRequest{Input: code, GloveSize: "M"}); !errors.Is(err, ErrOutOfStock) {
		t.Errorf("DeliverOwed with M short: %v, want ErrOutOfStock", err)
	}
	f.receive(t, "gloves", "L", 1000)
	d, err := f.s.DeliverOwed(ctx, HandoverRequest{Input: code, GloveSize: "l", Volunteer: "Bert"})
	if err != nil || d.EventID == "" || !reflect.DeepEqual(d.Items, []pickup.Line{{Item: "gloves", Size: "L", Qty: 500}}) {
		t.Fatalf("DeliverOwed = %+v, %v", d, err)
	}
	if got := f.stock(t)["gloves-L"]; got != 500 {
		t.Errorf("gloves-L after the owed handover: %d, want 500", got)
	}
	if n := f.count(t, "SELECT count(*) FROM outbox WHERE event_id = ? AND json_extract(body, '$.type') = 'owed_handover'", d.EventID); n != 1 {
		t.Errorf("outbox holds %d owed handovers", n)
	}
	j, _ = f.s.Lookup(ctx, code)
	if j.Kind != pickup.VerdictAlreadyCollected {
		t.Errorf("Lookup after the owed handover: %s, want already_collected", j.Kind)
	}
	again, err := f.s.DeliverOwed(ctx, HandoverRequest{Input: code, GloveSize: "L"})
	if err != nil || again.EventID != "" || again.Verdict.Kind != pickup.VerdictAlreadyCollected {
		t.Errorf("second DeliverOwed = %+v, %v; want refused, already collected", again, err)
	}
	// A code that owes nothing is refused by DeliverOwed.
	if r, err := f.s.DeliverOwed(ctx, HandoverRequest{Input: f.codes["ok2"].String(), GloveSize: "L"}); err != nil || r.EventID != "" || !r.Verdict.OK() {
		t.Errorf("DeliverOwed of an ok code = %+v, %v; want its ok verdict, nothing recorded", r, err)
	}
	st, _ = f.s.Status(ctx)
	figs, err := f.s.Owed(ctx, testNow.Add(-time.Hour), time.Time{})
	want := OwedFigures{Recorded: 1, Delivered: 1, Items: []OwedItem{{Item: "gloves", Recorded: 500, Delivered: 500}}}
	if err != nil || !reflect.DeepEqual(figs, want) || st.Owed != 0 || st.Conflicts != 0 {
		t.Errorf("Owed = %+v, %v; status owed %d conflicts %d; want %+v, 0, 0", figs, err, st.Owed, st.Conflicts, want)
	}
	if figs, _ := f.s.Owed(ctx, testNow.Add(time.Hour), time.Time{}); figs.Recorded != 0 || figs.Delivered != 0 {
		t.Errorf("Owed after the day = %+v, want nothing in the period", figs)
	}
}

// An undone handover owes nothing.
func TestUndoneHandoverOwesNothing(t *testing.T) {
	f, ctx := setup(t)
	code := f.codes["ok"].String()
	res, err := f.s.Handover(ctx, HandoverRequest{Input: code, Owe: true})
	if err != nil || len(res.Owed) != 1 {
		t.Fatalf("Handover owing = %+v, %v", res, err)
	}
	if _, err := f.s.Undo(ctx, res.EventID); err != nil {
		t.Fatal(err)
	}
	j, _ := f.s.Lookup(ctx, code)
	st, _ := f.s.Status(ctx)
	if !j.OK() || st.Owed != 0 {
		t.Errorf("after undo: verdict %s, owed %d; want ok, 0", j.Kind, st.Owed)
	}
}

// Owed gloves recorded at another counter show here; handed over here
// they count once; the same owed gloves handed over at the other counter
// too is a double, shown with the conflicts.
func TestOwedAtAnotherCounter(t *testing.T) {
	f, ctx := setup(t)
	code := f.codes["ok"]
	h := handoverFact(1, 1, code, "")
	h.Items, h.Owed = []pickup.Line{{Item: "masks", Qty: 500}}, []pickup.Line{{Item: "gloves", Qty: 500}}
	if out := f.ingest(t, SourcePeer, h); out.New != 1 {
		t.Fatalf("ingest = %+v", out)
	}
	f.now = testNow.Add(time.Hour)
	j, err := f.s.Lookup(ctx, code.String())
	if err != nil || j.Kind != pickup.VerdictOwed || j.Collected[0].TerminalID != "t-2" {
		t.Fatalf("Lookup = %+v, %v; want owed, handed over at t-2", j.Verdict, err)
	}
	f.receive(t, "gloves", "S", 1000)
	if _, err := f.s.DeliverOwed(ctx, HandoverRequest{Input: code.String(), GloveSize: "S"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.s.Status(ctx); st.Owed != 0 || st.Conflicts != 0 {
		t.Errorf("after the owed handover: owed %d conflicts %d, want 0 0", st.Owed, st.Conflicts)
	}
	// t-2 handed them over as well, offline.
	d := fact(2, pickup.EventOwedHandover, 30)
	d.Code, d.GloveSize, d.Items = code, "S", []pickup.Line{{Item: "gloves", Size: "S", Qty: 500}}
	out := f.ingest(t, SourceBundle, d, d)
	if out.New != 1 || out.Conflicts != 2 {
		t.Errorf("ingest the second owed handover = %+v, want 1 new, 2 conflict rows", out)
	}
	st, _ := f.s.Status(ctx)
	figs, _ := f.s.Owed(ctx, time.Time{}, time.Time{})
	if st.Conflicts != 1 || figs.Doubles != 1 || figs.Delivered != 2 || st.StockMap()["gloves-S"] != 0 {
		t.Errorf("after the double: conflicts %d, owed %+v, gloves-S %d; want 1 conflict, 1 double, 2 delivered, 0 left",
			st.Conflicts, figs, st.StockMap()["gloves-S"])
	}
	cs, err := f.s.Conflicts(ctx)
	if err != nil || len(cs) != 2 || cs[0].Detail != DetailDoubleOwed {
		t.Errorf("Conflicts = %+v, %v; want the two owed handovers", cs, err)
	}
}
