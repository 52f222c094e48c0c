package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// A counter's review of a double handover of its centre joins the case's
// review notes (as the console shows them) and is relayed to the centre's
// other counters with its note; a review of another centre's code, or of
// an unknown one, is flagged and notes nothing; a note over the bound is
// refused with the whole push.
func TestConflictReviewFromCounter(t *testing.T) {
	f := newFixture(t)
	codes := f.requests(2)
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
