package store

import (
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

func lossFact(n, min int, item, size string, qty int) pickup.Event {
	e := fact(n, pickup.EventStockLoss, min)
	e.Item, e.Size, e.Qty, e.Reason = item, size, qty, "damaged"
	return e
}

// A shipment line is received with the quantity that came and, when it
// differs, the reason: the stock takes what came, the journal and outbox
// carry both to the registry.
func TestReceiveShipmentLine(t *testing.T) {
	f, ctx := setup(t)
	p := &Page{DatasetID: "ds", CentreID: "here", Cursor: 1, Shipments: []SentShipment{
		{ID: "sh-1", Item: "gloves", Size: "M", Qty: 1000, SentAt: testNow, Seq: 1},
		{ID: "sh-2", Item: "masks", Qty: 500, SentAt: testNow, Seq: 2},
		{ID: "sh-3", Item: "gowns", Qty: 50, SentAt: testNow, Seq: 3}}}
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name   string
		id     string
		qty    int
		reason string
		code   Code
	}{
		{"short without a reason", "sh-1", 900, " ", CodeReasonRequired},
		{"nothing without a reason", "sh-1", 0, "", CodeReasonRequired},
		{"negative", "sh-1", -2, "x", CodeInvalid},
		{"huge", "sh-1", MaxStockQty + 1, "x", CodeInvalid},
		{"unknown shipment", "sh-9", 1, "x", CodeNotFound},
	}
	for _, r := range refusals {
		if _, err := f.s.ReceiveShipmentLine(ctx, r.id, r.qty, r.reason); CodeOf(err) != r.code {
			t.Errorf("%s: %v, want %s", r.name, err, r.code)
		}
	}
	if got := f.stock(t)["gloves-M"]; got != 0 {
		t.Fatalf("refused receptions moved the stock: gloves-M = %d", got)
	}
	lines := []struct {
		id     string
		qty    int
		reason string
		key    string
		want   int
	}{
		{"sh-1", 900, "one box of 100 missing", "gloves-M", 900},
		{"sh-2", -1, "", "masks", 500},
		{"sh-3", 0, "not on the lorry", "gowns", 0},
	}
	for _, l := range lines {
		res, err := f.s.ReceiveShipmentLine(ctx, l.id, l.qty, l.reason)
		if err != nil {
			t.Fatalf("%s: %v", l.id, err)
		}
		if got := f.stock(t)[l.key]; got != l.want || res.OnHand != l.want {
			t.Errorf("%s: %s = %d (on hand %d), want %d", l.id, l.key, got, res.OnHand, l.want)
		}
		var typ string
		var qty int
		var reason, ref string
		err = f.s.db.QueryRow(`SELECT json_extract(body, '$.type'), coalesce(json_extract(body, '$.qty'), 0), coalesce(json_extract(body, '$.reason'), ''),
			json_extract(body, '$.ref') FROM outbox WHERE event_id = ?`, res.EventID).Scan(&typ, &qty, &reason, &ref)
		if err != nil {
			t.Fatalf("%s: not in the outbox: %v", l.id, err)
		}
		wantQty := l.qty
		if wantQty < 0 {
			wantQty = 500
		}
		if typ != "stock_receive" || qty != wantQty || reason != l.reason || ref != "shipment "+l.id {
			t.Errorf("%s: outbox fact %s qty %d reason %q ref %q", l.id, typ, qty, reason, ref)
		}
	}
	shs, _ := f.s.Shipments(ctx)
	for _, sh := range shs {
		if !sh.Received {
			t.Errorf("shipment %s not marked received", sh.ID)
		}
	}
	if _, err := f.s.ReceiveShipmentLine(ctx, "sh-3", 50, ""); CodeOf(err) != CodeAlreadyReceived {
		t.Errorf("a line received as nothing received again: %v, want already_received", err)
	}
}

// The earliest reception of a shipment counts, whatever it says came, in
// whatever order the receptions arrive — even a reception of nothing.
func TestShortReceptionCountsOnceInAnyOrder(t *testing.T) {
	t.Parallel()
	nothing := receiveFact(1, 1, "gowns", "", 0, "shipment sh-1")
	nothing.Reason = "not delivered"
	later := receiveFact(2, 5, "gowns", "", 50, "shipment sh-1")
	for try := range 6 {
		evs := []pickup.Event{nothing, later}
		if try%2 == 1 {
			evs[0], evs[1] = evs[1], evs[0]
		}
		if got := stockAfter(t, SourcePeer, evs...)["gowns"]; got != 0 {
			t.Errorf("order %d: gowns = %d, want 0 (the earlier reception said nothing came)", try, got)
		}
	}
}

// A loss takes stock off by the count rule, from this counter or another,
// in any order of arrival; it needs a reason and cannot exceed the stock.
func TestStockLoss(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "masks", "", 100)
	for _, r := range []struct {
		name       string
		item, size string
		qty        int
		reason     string
		code       Code
	}{
		{"no reason", "masks", "", 5, "  ", CodeReasonRequired},
		{"zero", "masks", "", 0, "x", CodeInvalid},
		{"more than on hand", "masks", "", 101, "flood", CodeInvalid},
		{"unknown item", "helmets", "", 1, "x", CodeUnknownItem},
		{"gloves without size", "gloves", "", 1, "x", CodeSizeRequired},
	} {
		if _, err := f.s.RecordLoss(ctx, r.item, r.size, r.qty, r.reason); CodeOf(err) != r.code {
			t.Errorf("%s: %v, want %s", r.name, err, r.code)
		}
	}
	res, err := f.s.RecordLoss(ctx, "masks", "", 30, "box damaged by water")
	if err != nil || res.Delta != -30 || res.OnHand != 70 {
		t.Fatalf("loss = %+v, %v", res, err)
	}
	if n := f.count(t, "SELECT count(*) FROM outbox WHERE event_id = ? AND json_extract(body, '$.type') = 'stock_loss'", res.EventID); n != 1 {
		t.Error("the loss is not waiting for the registry")
	}

	// Another counter's losses, with counts, in any order.
	facts := []pickup.Event{receiveFact(1, 0, "gloves", "L", 50, ""), lossFact(2, 5, "gloves", "L", 10),
		countFact(3, 10, "gloves", "L", 30), lossFact(4, 15, "gloves", "L", 4)}
	for try := range 4 {
		if got := stockAfter(t, SourceBundle, shuffled(facts)...)["gloves-L"]; got != 26 {
			t.Errorf("try %d: gloves-L = %d, want 26 (30 counted, the loss before absorbed, 4 lost after)", try, got)
		}
	}
}

// The movement history lists receptions, counts and losses newest first,
// with the counter that recorded each; handovers only when asked.
func TestStockMoves(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "masks", "", 100)
	f.now = f.now.Add(time.Minute)
	if _, err := f.s.RecordLoss(ctx, "masks", "", 10, "wet"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	if _, err := f.s.CountStock(ctx, "masks", "", 85, "weekly count"); err != nil {
		t.Fatal(err)
	}
	f.ingest(t, SourcePeer, receiveFact(1, 30, "gloves", "M", 40, "note 12"))
	f.handover(t, HandoverRequest{Input: string(f.codes["masks"])})
	got, err := f.s.StockMoves(ctx, MovesFilter{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		kind, item, size, terminal string
		local                      bool
		delta                      int
		reason                     string
	}
	want := []row{
		{"reception", "gloves", "M", "t-2", false, 40, ""},
		{"count", "masks", "", "t-1", true, -5, "weekly count"},
		{"loss", "masks", "", "t-1", true, -10, "wet"},
		{"reception", "masks", "", "t-1", true, 100, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d movements, want %d: %+v", len(got), len(want), got)
	}
	for i, m := range got {
		g := row{m.Kind, m.Item, m.Size, m.TerminalID, m.Local, m.Delta, m.Reason}
		if g != want[i] {
			t.Errorf("movement %d = %+v, want %+v", i, g, want[i])
		}
	}
	if got[1].Level == nil || *got[1].Level != 85 {
		t.Errorf("the count's level = %v, want 85", got[1].Level)
	}
	all, _ := f.s.StockMoves(ctx, MovesFilter{Handovers: true, Limit: 2})
	if len(all) != 2 || all[0].Kind != "reception" || all[1].Kind != "handover" {
		t.Errorf("with handovers, limit 2: %+v", all)
	}
}
