package counter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// stockUp receives plenty of every item and size of the campaign.
func stockUp(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	camp, err := st.Campaign(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range camp.Items {
		sizes := it.Sizes
		if len(sizes) == 0 {
			sizes = []string{""}
		}
		for _, sz := range sizes {
			if _, err := st.ReceiveStock(ctx, it.ID, sz, 100_000, "test"); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// handOverAny hands over code at st, in glove size M when the parcel has
// gloves.
func handOverAny(t testing.TB, st *store.Store, code pickup.Code) store.HandoverResult {
	t.Helper()
	ctx := context.Background()
	res, err := st.Handover(ctx, store.HandoverRequest{Input: string(code), GloveSize: "M"})
	if errors.Is(err, store.ErrNotSized) {
		res, err = st.Handover(ctx, store.HandoverRequest{Input: string(code)})
	}
	if err != nil || res.EventID == "" {
		t.Fatalf("handover of %s: %v (%s)", code.Masked(), err, res.Verdict.Kind)
	}
	return res
}

// openCode returns a code of the store's list whose handover is ok now.
func openCode(t testing.TB, st *store.Store) pickup.Code {
	t.Helper()
	ctx := context.Background()
	l, err := st.Expected(ctx, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Pickups {
		if j, err := st.Lookup(ctx, string(p.Code)); err == nil && j.Verdict.OK() {
			return p.Code
		}
	}
	t.Fatalf("no code ready to hand over among %d", len(l.Pickups))
	return ""
}

// twoCounters is a window counter (f) and a second counter (b, a store
// with its syncer) enrolled at the same centre of a real registry, with
// the same code handed over at both: a double handover each knows of.
type twoCounters struct {
	reg     *registrytest.Demo
	f       *fixture
	syncA   *client.Syncer
	b       *store.Store
	syncB   *client.Syncer
	code    pickup.Code
	a1, b1  store.HandoverResult
	centre  string
	context context.Context
}

func newTwoCounters(t *testing.T, size fyne.Size) *twoCounters {
	t.Helper()
	ctx := context.Background()
	reg := newTestRegistry(t)
	centre := reg.Centres[0].ID
	f, syncA := newSyncFixture(t, setup{size: size})
	f.clock.Set(time.Now())
	f.enrolAt(reg, centre)
	b, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	u, _ := protocol.ParseEnrolmentURI(reg.EnrolmentText(t, centre))
	if _, err := client.Enrol(ctx, b, u.URL, u.Code.String()); err != nil {
		t.Fatal(err)
	}
	syncB := &client.Syncer{Store: b}
	c := &twoCounters{reg: reg, f: f, syncA: syncA, b: b, syncB: syncB, centre: centre, context: ctx}
	c.round(t, syncA, syncB)
	stockUp(t, f.st)
	stockUp(t, b)
	c.code = openCode(t, f.st)
	c.a1 = handOverAny(t, f.st, c.code)
	c.b1 = handOverAny(t, b, c.code) // b has not heard of a's yet
	c.round(t, syncA, syncB, syncA)
	f.ui.Refresh(ctx)
	return c
}

func (c *twoCounters) round(t testing.TB, syncers ...*client.Syncer) {
	t.Helper()
	for _, s := range syncers {
		if _, err := s.Round(c.context); err != nil {
			t.Fatalf("sync round: %v", err)
		}
	}
}

// The Conflicts tab shows a double handover with both sides (counters,
// times, sizes); "Mark reviewed" with no note is refused and records
// nothing; with a note, the review is recorded, reaches the registry (its
// console's review notes) at the next sync, and shows at the centre's
// other counter after its sync.
func TestConflictsTabReviewReachesRegistry(t *testing.T) {
	c := newTwoCounters(t, fyne.Size{})
	f := c.f
	f.openManager()
	tab := f.managerTab("Conflicts")
	shown := labelsIn(tab)
	idB, err := c.b.Identity(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Code " + c.code.Masked(), "Not reviewed yet", "Handover 1: ", "Handover 2: ", "at " + idB.TerminalID, "(this counter)"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the Conflicts tab lacks %q:\n%s", want, shown)
		}
	}

	if b := f.ui.buttons["conflicts"]; b.Importance != widget.DangerImportance || b.Text != "Conflicts: 1" {
		t.Errorf("status bar before the review: %q, importance %v; want the red Conflicts: 1", b.Text, b.Importance)
	}

	mark := buttonIn(t, tab, "Mark reviewed")
	test.Tap(mark)
	if shown := labelsIn(tab); !strings.Contains(shown, "Write a note first") {
		t.Errorf("an empty review says:\n%s", shown)
	}
	cases, err := f.st.ConflictCases(f.ctx)
	if err != nil || len(cases) != 1 || cases[0].Reviewed() || len(cases[0].Sides) != 2 {
		t.Fatalf("after an empty review: %+v, %v; want one case, not reviewed", cases, err)
	}

	note := "Called both counters: the same nurse came twice. Parcel asked back."
	f.typeInto(fieldOf(t, tab, "What you found out (who came, what was decided)"), note)
	test.Tap(mark)
	cases, err = f.st.ConflictCases(f.ctx)
	if err != nil || len(cases) != 1 || len(cases[0].Reviews) != 1 || cases[0].Reviews[0].Note != note {
		t.Fatalf("after the review: %+v, %v", cases, err)
	}
	if shown := labelsIn(tab); !strings.Contains(shown, "Reviewed at term-") || !strings.Contains(shown, note) || strings.Contains(shown, "Not reviewed yet") {
		t.Errorf("after the review the tab shows:\n%s", shown)
	}
	if n := f.logs.count("conflict reviewed"); n != 1 {
		t.Errorf("%d log records of the review, want 1", n)
	}

	// The status bar keeps the case, no longer as an alarm; F9 shows the
	// review.
	f.ui.Refresh(f.ctx)
	if b := f.ui.buttons["conflicts"]; b.Importance == widget.DangerImportance || b.Text != "Conflicts: 1, reviewed" {
		t.Errorf("status bar after the review: %q, importance %v", b.Text, b.Importance)
	}
	f.ui.ShowConflicts()
	if shown := labelsIn(f.win.Canvas().Overlays().Top()); !strings.Contains(shown, note) {
		t.Errorf("the conflicts dialog lacks the review:\n%s", shown)
	}
	f.ui.closeDialog()

	// The registry has it with the case, from this counter.
	c.round(t, c.syncA)
	notes, err := c.reg.Reg.ReviewNotes(f.ctx, c.code)
	if err != nil || len(notes) != 1 || notes[0].Note != note || !strings.HasPrefix(notes[0].Operator, "counter ") {
		t.Fatalf("registry review notes = %+v, %v", notes, err)
	}
	// The other counter shows it after its sync, once.
	c.round(t, c.syncB, c.syncB)
	bc, err := c.b.ConflictCases(f.ctx)
	if err != nil || len(bc) != 1 || len(bc[0].Reviews) != 1 || bc[0].Reviews[0].Note != note || bc[0].Reviews[0].Local {
		t.Fatalf("the other counter's cases = %+v, %v", bc, err)
	}
	if st, err := c.b.Status(f.ctx); err != nil || st.Conflicts != 1 || st.ConflictsReviewed != 1 {
		t.Errorf("the other counter's status: %d conflicts, %d reviewed (%v); want 1 and 1", st.Conflicts, st.ConflictsReviewed, err)
	}
}
