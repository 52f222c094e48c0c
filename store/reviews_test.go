package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// A review of a double handover is a fact of this counter (journal,
// outbox) and shows with the case; another counter's review, brought by
// a peer, shows too, once; a code that is not double, or a bad note, is
// refused and records nothing.
func TestReviewConflict(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.receive(t, "gloves", "M", 1000)
	f.receive(t, "masks", "", 5000)
	code := f.codes["ok"]
	if _, err := f.s.Handover(ctx, HandoverRequest{Input: string(code), GloveSize: "M"}); err != nil {
		t.Fatal(err)
	}
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
