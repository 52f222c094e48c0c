package registry

import (
	"reflect"
	"strings"
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
	f, codes := requestFixture(t, 2)
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

// A counter's review of a double handover of its centre joins the case's
// review notes (as the console shows them) and is relayed to the centre's
// other counters with its note; a review of another centre's code, or of
// an unknown one, is flagged and notes nothing; a note over the bound is
// refused with the whole push.
func TestConflictReviewFromCounter(t *testing.T) {
	f, codes := requestFixture(t, 2)
	a, _ := f.terminal("namur")
	b, _ := f.terminal("namur")
	code := codes["namur"][0]
	now := time.Now().UTC()
	for _, c := range []*protocol.Client{a, b} {
		if _, err := c.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{handover(t, c, code, now)}}); err != nil {
			t.Fatal(err)
		}
	}
	review := func(c *protocol.Client, code pickup.Code, note string) pickup.Event {
		return pickup.Event{ID: newID(t), Type: pickup.EventConflictReview, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID,
			At: now.Add(time.Minute), Code: code, Note: note}
	}
	ok := review(a, code, "Same nurse twice: parcel asked back.")
	foreign := review(a, codes["gent"][0], "not ours")
	unknown := review(a, pickup.Code("000000000000001"+string(pickup.CheckChar("000000000000001"))), "no such code")
	res, err := a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{ok, foreign, unknown}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		result protocol.Result
		flag   string
	}{{protocol.ResultAccepted, ""}, {protocol.ResultFlagged, protocol.FlagWrongCentre}, {protocol.ResultFlagged, protocol.FlagUnknownCode}}
	for i, w := range want {
		if r := res.Results[i]; r.Result != w.result || r.Flag != w.flag {
			t.Errorf("result %d = %s %q, want %s %q", i, r.Result, r.Flag, w.result, w.flag)
		}
	}
	notes, err := f.reg.ReviewNotes(f.ctx, code)
	if err != nil || len(notes) != 1 || notes[0].Note != ok.Note || !strings.HasPrefix(notes[0].Operator, "counter ") {
		t.Fatalf("review notes = %+v, %v", notes, err)
	}
	if notes, _ := f.reg.ReviewNotes(f.ctx, codes["gent"][0]); len(notes) != 0 {
		t.Errorf("another centre's code got notes: %+v", notes)
	}
	// Pushed again: once.
	if _, err := a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{ok}}); err != nil {
		t.Fatal(err)
	}
	if notes, _ := f.reg.ReviewNotes(f.ctx, code); len(notes) != 1 {
		t.Errorf("a review pushed twice gave %d notes", len(notes))
	}
	// b pulls it as a fact, with its note.
	found := false
	for _, p := range pullAll(t, b, "", 0, 0) {
		for _, fa := range p.Facts {
			found = found || fa.ID == ok.ID && fa.Note == ok.Note && fa.Reason == "" && fa.Code == code
		}
	}
	if !found {
		t.Error("the other counter's pull does not relay the review with its note")
	}
	long := review(a, code, strings.Repeat("x", pickup.MaxNoteLen+1))
	if _, err := a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{long}}); err == nil {
		t.Error("a note over the bound was taken")
	}
}
