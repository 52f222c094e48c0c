package registry

import (
	"reflect"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// A handover that left the gloves owed, then their owed handover at the
// centre's other counter: one handover and one owed handover, no double;
// the owed handover comes first through the other counter's push and is
// still taken; a second owed handover of the code is a double (a
// conflict naming the first); the pull relays the owed lines; the report
// counts them.
func TestOwedHandover(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	codes := f.requests(2)
	a, _ := f.terminal("namur")
	b, _ := f.terminal("namur")
	g, _ := f.terminal("gent")
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	code := codes["namur"][0]
	owing := handover(t, a, code, at)
	owing.GloveSize, owing.Items, owing.Owed = "", []pickup.Line{{Item: "masks", Qty: 500}}, []pickup.Line{{Item: "gloves", Qty: 500}}
	owed := func(c *protocol.Client, min int, size string) pickup.Event {
		return pickup.Event{ID: newID(t), Type: pickup.EventOwedHandover, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID,
			At: at.Add(time.Duration(min) * time.Minute), Code: code, GloveSize: size, Items: []pickup.Line{{Item: "gloves", Size: size, Qty: 500}}}
	}
	// B pushes its owed handover before A's handover arrived.
	first := owed(b, 10, "L")
	r, err := b.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{first}})
	if err != nil || r.Results[0].Result != protocol.ResultAccepted {
		t.Fatalf("push owed handover: %+v, %v", r, err)
	}
	r, err = a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{owing}})
	if err != nil || r.Results[0].Result != protocol.ResultAccepted {
		t.Fatalf("push owing handover: %+v, %v", r, err)
	}
	if p, _ := f.reg.Pickup(f.ctx, code); p.Status != pickup.StatusCollected {
		t.Errorf("status %s, want collected", p.Status)
	}
	rep, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if tt := rep.Totals; tt.Handovers != 1 || tt.DoubleHandovers != 0 || tt.Owed != 1 || tt.OwedHandovers != 1 || tt.StillOwed != 0 || tt.DoubleOwedHandovers != 0 {
		t.Errorf("report totals %+v; want 1 handover, 1 owed, 1 owed handover, no double", tt)
	}
	handed := map[string]int{}
	for _, c := range rep.Centres {
		for _, it := range c.Items {
			if c.ID == "namur" {
				handed[it.Item+it.Size] = it.HandedOver
			}
		}
	}
	if handed["glovesL"] != 500 || handed["masks"] != 500 {
		t.Errorf("handed over per item %v; want the owed gloves L and the masks", handed)
	}
	// A pulls: B's owed handover and its own handover's owed lines come back.
	// The pull relays B's owed handover, and A's handover with what it owes.
	relayed := false
	for _, p := range pullAll(t, a, "", 0, 0) {
		for _, fct := range p.Facts {
			relayed = relayed || fct.ID == first.ID && fct.Type == pickup.EventOwedHandover && fct.GloveSize == "L"
		}
	}
	if !relayed {
		t.Error("the owed handover is not relayed to the centre's other counter")
	}
	var gotOwed []pickup.Line
	for _, p := range pullAll(t, b, "", 0, 0) {
		for _, fct := range p.Facts {
			if fct.ID == owing.ID {
				gotOwed = fct.Owed
			}
		}
	}
	if !reflect.DeepEqual(gotOwed, owing.Owed) {
		t.Errorf("relayed handover owes %v, want %v", gotOwed, owing.Owed)
	}
	// A hands the gloves over too: a double.
	second := owed(a, 20, "M")
	r, err = a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{second}})
	if err != nil || r.Results[0].Result != protocol.ResultConflict || len(r.Results[0].Earlier) != 1 || r.Results[0].Earlier[0].EventID != first.ID {
		t.Fatalf("second owed handover: %+v, %v; want a conflict naming the first", r, err)
	}
	// Another centre's terminal cannot hand over this centre's owed items.
	other := owed(g, 30, "S")
	if r, err := g.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{other}}); err != nil || r.Results[0].Flag != protocol.FlagWrongCentre {
		t.Errorf("owed handover from another centre: %+v, %v; want flagged wrong_centre", r, err)
	}
	// A parcel of gloves only, all owed: the handover gives nothing now.
	only := handover(t, a, codes["namur"][1], at)
	only.GloveSize, only.Items, only.Owed = "", nil, []pickup.Line{{Item: "gloves", Qty: 500}}
	if r, err := a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{only}}); err != nil || r.Results[0].Result != protocol.ResultAccepted {
		t.Fatalf("push all-owed handover: %+v, %v", r, err)
	}
	rep, _ = f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	for _, c := range rep.Centres {
		for _, it := range c.Items {
			if c.ID == "namur" && it.Item+it.Size != "glovesL" && it.Item+it.Size != "glovesM" && it.Item != "masks" && it.HandedOver != 0 {
				t.Errorf("handed over %s %s: %d; the all-owed handover gave nothing", it.Item, it.Size, it.HandedOver)
			}
			if c.ID == "namur" && it.Item == "masks" && it.HandedOver != 500 {
				t.Errorf("masks handed over %d, want 500 (the all-owed handover gave none)", it.HandedOver)
			}
		}
	}
	if tt := rep.Totals; tt.StillOwed != 1 {
		t.Errorf("still owed %d, want the all-owed code", tt.StillOwed)
	}
	if tt := rep.Totals; tt.Handovers != 2 || tt.DoubleHandovers != 0 || tt.OwedHandovers != 1 || tt.DoubleOwedHandovers != 1 {
		t.Errorf("report totals after the double %+v; want 2 handovers, 1 owed handover, 1 double owed handover", tt)
	}
}
