package counter

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/google/uuid"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

// handOver hands over code at the counter, as a volunteer does (with the
// first glove size when the parcel has gloves).
func (f *fixture) handOver(code string) store.HandoverResult {
	f.t.Helper()
	f.scan(code)
	if f.ui.model.Sized() {
		f.typeText("2")
	}
	f.key(fyne.KeyReturn)
	res := f.ui.model.Handed()
	if res.EventID == "" {
		f.t.Fatalf("handover of %s not recorded: %s", pickup.Code(code).Masked(), f.title())
	}
	return res
}

// foreignHandover records a handover of code at counter t-2 of the
// centre, as a peer would bring it.
func (f *fixture) foreignHandover(code string, at time.Time, size string) {
	f.t.Helper()
	id, err := f.st.Identity(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	c, _ := pickup.ParseCode(code)
	ev := pickup.Event{ID: uuid.NewString(), Type: pickup.EventHandover, TerminalID: "t-2", CentreID: id.Centre.ID, At: at,
		Code: c, GloveSize: size, Items: []pickup.Line{{Item: "masks", Qty: 1}}}
	if out, err := f.st.IngestFacts(f.ctx, store.SourcePeer, []pickup.Event{ev}); err != nil || out.New != 1 {
		f.t.Fatalf("ingest foreign handover: %+v, %v", out, err)
	}
	if err := f.st.NotePeer(f.ctx, store.PeerSeen{TerminalID: "t-2", Name: "desk-2"}); err != nil {
		f.t.Fatal(err)
	}
}

// The Pickups tab searches who is still to come by name and by code, and
// its date picker shows an earlier day's handovers; a double handover is
// marked.
func TestPickupsTab(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	// Yesterday afternoon: one handover here. Today: one here, and the
	// same code again at desk-2 (a double handover).
	f.clock.Add(-20 * time.Hour)
	yesterday := f.handOver(f.sample(pickup.VerdictOK))
	f.clock.Add(20 * time.Hour)
	today := f.handOver(f.sample(pickup.VerdictKind("ok_masks_only")))
	f.foreignHandover(f.sample(pickup.VerdictKind("ok_masks_only")), f.clock.Now().Add(-time.Minute), "")

	// The manager screen has the tab, with the double handover marked.
	f.openManager()
	if shown := labelsIn(f.managerTab("Pickups")); strings.Count(shown, "DOUBLE HANDOVER") != 2 {
		t.Errorf("the manager's Pickups tab shows:\n%s\nwant two double handovers marked", shown)
	}

	p := f.ui.newPickups()
	f.win.SetContent(p.obj)

	all, err := f.st.Expected(f.ctx, "", 0)
	if err != nil || len(all.Pickups) == 0 {
		t.Fatalf("Expected = %+v, %v", all, err)
	}
	if p.expected.Total != all.Total || len(p.expectedRows.Objects) != len(all.Pickups) {
		t.Errorf("tab lists %d rows of %d, want %d of %d", len(p.expectedRows.Objects), p.expected.Total, len(all.Pickups), all.Total)
	}
	for _, e := range p.expected.Pickups {
		if e.Code.String() == pickup.Code(f.sample(pickup.VerdictOK)).String() {
			t.Errorf("the code handed over yesterday is still listed as to come")
		}
	}

	// By name: a part of someone's surname, in capitals.
	who := all.Pickups[len(all.Pickups)/2]
	words := strings.Fields(who.Name)
	part := strings.ToUpper(words[len(words)-1][:3])
	f.typeInto(p.search, part)
	p.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	found := false
	for _, e := range p.expected.Pickups {
		if !strings.Contains(strings.ToUpper(e.Name), part) {
			t.Errorf("search %q lists %q", part, e.Name)
		}
		found = found || e.Code == who.Code
	}
	shown := labelsIn(p.expectedRows)
	if !found || !strings.Contains(shown, who.Name) || p.expected.Total >= all.Total {
		t.Errorf("search %q: %d of %d, found %v; shown:\n%s", part, p.expected.Total, all.Total, found, shown)
	}

	// By code, typed in lower case with spaces: the one handed over today
	// says so.
	p.search.SetText(strings.ToLower(strings.ReplaceAll(pickup.Code(f.sample(pickup.VerdictKind("ok_masks_only"))).String(), "-", " ")))
	p.find()
	if !p.expected.ByCode || len(p.expected.Pickups) != 1 || !p.expected.Pickups[0].Collected {
		t.Fatalf("search by code = %+v, want the one collected pickup", p.expected)
	}
	if shown := labelsIn(p.expectedRows); !strings.Contains(shown, "Already handed over") {
		t.Errorf("code search shows %q, want it marked handed over", shown)
	}

	// Today: both handovers of the code, marked double, the counters named.
	dayTotal := func(d string) int {
		t.Helper()
		day, err := f.st.HandoversOn(f.ctx, pickup.MustDate(d), 0)
		if err != nil {
			t.Fatal(err)
		}
		return day.Total
	}
	if p.handed.Total != dayTotal("2020-11-20") || p.handed.Doubles != 2 {
		t.Fatalf("today = %d handovers, %d double; want %d, 2 double", p.handed.Total, p.handed.Doubles, dayTotal("2020-11-20"))
	}
	shown = labelsIn(p.dayRows)
	if strings.Count(shown, "DOUBLE HANDOVER") != 2 || !strings.Contains(shown, "desk-2") || !strings.Contains(shown, "counter-1") {
		t.Errorf("today's rows:\n%s\nwant two marked double, at desk-2 and counter-1", shown)
	}
	if p.handed.Handovers[0].EventID != today.EventID || !p.handed.Handovers[1].Double {
		t.Errorf("today's older row is %s, want the handover here %s", p.handed.Handovers[1].EventID, today.EventID)
	}
	if !p.next.Disabled() {
		t.Error("the day after today can be chosen")
	}

	// The day before, with the button, then typed.
	test.Tap(p.prev)
	if p.handed.Total != dayTotal("2020-11-19") || p.handed.Handovers[0].EventID != yesterday.EventID || p.handed.Doubles != 0 {
		t.Fatalf("day before = %+v, want yesterday's handovers, the newest ours", p.handed)
	}
	if got := p.dayField.Text; got != "19/11/2020" {
		t.Errorf("date field = %q, want 19/11/2020", got)
	}
	if shown := strings.Split(labelsIn(p.dayRows), "\n"); strings.Contains(labelsIn(p.dayRows), "DOUBLE") || !strings.HasPrefix(shown[0], "14:30 · ") ||
		!strings.Contains(shown[0], "size M · counter-1 · ****-****-****-") {
		t.Errorf("yesterday's rows: %q, want ours first at 14:30 with its glove size and counter, none double", shown)
	}
	test.Tap(p.next)
	if p.handed.Total != dayTotal("2020-11-20") {
		t.Errorf("day after = %d handovers, want today's", p.handed.Total)
	}
	for _, tc := range []struct{ typed, day string }{{"19.11.2020", "2020-11-19"}, {"2020-11-10", "2020-11-10"}, {"19/11/2020", "2020-11-19"}} {
		p.dayField.SetText(tc.typed)
		p.dayField.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if p.day != pickup.MustDate(tc.day) || p.handed.Total != dayTotal(tc.day) {
			t.Errorf("typed %q: day %s, %d handovers; want %s, %d", tc.typed, p.day, p.handed.Total, tc.day, dayTotal(tc.day))
		}
	}
	p.dayField.SetText("31/02/2020")
	p.dayField.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !strings.Contains(p.daySummary.Text, "is not a date") || p.day != pickup.MustDate("2020-11-19") {
		t.Errorf("a bad date: %q, day %s; want a refusal and the day kept", p.daySummary.Text, p.day)
	}
}
