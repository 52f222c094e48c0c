package counter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// testPIN is the manager PIN the tests set.
const testPIN = "4711"

// openManager sets the manager PIN (once) and opens the manager screen
// with it, as a manager would: F5, the PIN, Enter.
func (f *fixture) openManager() {
	f.t.Helper()
	if has, _ := f.st.HasManagerPIN(f.ctx); !has {
		if err := f.st.SetManagerPIN(f.ctx, testPIN); err != nil {
			f.t.Fatal(err)
		}
	}
	if !f.ui.showManager {
		f.key(fyne.KeyF5)
	}
	if f.ui.ManagerOpen() {
		return
	}
	if f.win.Canvas().Focused() != f.ui.manager.pin {
		f.t.Fatal("the manager screen does not put the focus in the PIN field")
	}
	f.scan(testPIN)
	if !f.ui.ManagerOpen() {
		f.t.Fatalf("the manager PIN did not open the manager screen: %s", f.ui.manager.gateMsg.Text)
	}
}

// The manager screen opens with the right PIN only; wrong tries are
// refused in words, and from the third the next try waits; Escape leaves
// and locks it.
func TestManagerPINGate(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	tr := i18n.For("en")
	// No PIN set: the screen stays closed and says who sets one.
	f.press("manager")
	if !f.ui.showManager || f.ui.ManagerOpen() || f.ui.manager.pin.Visible() {
		t.Fatal("with no PIN set, the manager screen is not shown closed")
	}
	if got := f.ui.manager.gateHelp.Text; !strings.Contains(got, "pickup config manager-pin") {
		t.Errorf("with no PIN set the screen says %q, not who sets one", got)
	}
	if markup := f.markup(); strings.Contains(markup, tr.T("ui.today.stock")) {
		t.Error("the Today panel shows with no PIN set")
	}
	f.key(fyne.KeyEscape)
	if f.ui.showManager {
		t.Fatal("Escape did not leave the closed manager screen")
	}

	if err := f.st.SetManagerPIN(f.ctx, testPIN); err != nil {
		t.Fatal(err)
	}
	f.key(fyne.KeyF5)
	if f.win.Canvas().Focused() != f.ui.manager.pin {
		t.Fatal("the PIN field does not have the focus")
	}
	for i, pin := range []string{"0000", "1234", "9999"} {
		f.scan(pin)
		if f.ui.ManagerOpen() {
			t.Fatalf("wrong PIN %s opened the manager screen", pin)
		}
		msg := f.ui.manager.gateMsg.Text
		if !strings.HasPrefix(msg, "Wrong PIN.") || (i == 2) != strings.Contains(msg, "wait 15 seconds") {
			t.Errorf("after wrong try %d the screen says %q", i+1, msg)
		}
		if f.win.Canvas().Focused() != f.ui.manager.pin || f.ui.manager.pin.Text != "" {
			t.Errorf("after a wrong try the PIN field is not focused and empty")
		}
	}
	if markup := f.markup(); strings.Contains(markup, tr.T("ui.today.stock")) {
		t.Error("the Today panel shows behind a refused PIN")
	}
	// Even the right PIN waits its turn, and the wait is said in the counter's language.
	f.key(fyne.KeyF2)
	f.scan(testPIN)
	if f.ui.ManagerOpen() {
		t.Fatal("the right PIN opened during the wait")
	}
	if got, want := f.ui.manager.gateMsg.Text, i18n.For("nl").T("ui.manager.pin.wait", "s", "15"); got != want {
		t.Errorf("during the wait the screen says %q, want %q", got, want)
	}
	f.key(fyne.KeyF4)
	f.clock.Add(store.PINDelay)
	f.scan(testPIN)
	if !f.ui.ManagerOpen() {
		t.Fatalf("the right PIN after the wait did not open: %q", f.ui.manager.gateMsg.Text)
	}
	if markup := f.markup(); !strings.Contains(markup, tr.T("ui.today.stock")) {
		t.Error("the Today tab does not show once the screen is open")
	}
	// Escape leaves and locks: the next entry asks again.
	f.key(fyne.KeyEscape)
	if f.ui.showManager || f.ui.ManagerOpen() {
		t.Fatal("Escape did not leave the manager screen")
	}
	f.key(fyne.KeyF5)
	if f.ui.ManagerOpen() {
		t.Error("the manager screen opened again without the PIN")
	}
	// A scan goes back to the counter.
	f.key(fyne.KeyEscape)
	f.openManager()
	f.focusScan()
	f.scan(f.sample(pickup.VerdictOK))
	if f.ui.showManager || f.ui.model.Phase() != PhaseOK {
		t.Errorf("a scan on the manager screen: manager shown %v, phase %v", f.ui.showManager, f.ui.model.Phase())
	}
}

// focusScan puts the focus in the scan field, as a click on it does.
func (f *fixture) focusScan() { f.win.Canvas().Focus(f.ui.entry) }

// shipments gives the store two shipments from the registry to receive.
func (f *fixture) shipments() {
	f.t.Helper()
	id, _ := f.st.Identity(f.ctx)
	_, err := f.st.ApplyPage(f.ctx, &store.Page{DatasetID: "ds", CentreID: id.Centre.ID, Cursor: 1, Shipments: []store.SentShipment{
		{ID: "ship-7KQ4M2", Item: "gloves", Size: "M", Qty: 1000, SentAt: f.clock.Now().Add(-26 * time.Hour), Ref: "plan 2020-W47", Seq: 1},
		{ID: "ship-9XW31B", Item: "masks", Qty: 5000, SentAt: f.clock.Now().Add(-26 * time.Hour), Ref: "plan 2020-W47", Seq: 2}}})
	if err != nil {
		f.t.Fatal(err)
	}
}

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

// TestReportButtonWritesFile: the manager screen's Report button opens the
// form; Write puts the day's report into the chosen folder, says where,
// and the spreadsheet holds the store's handovers of the day.
func TestReportButtonWritesFile(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.openManager()
	var btn *widget.Button
	for _, o := range f.ui.manager.top.Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == "Report" {
			btn = b
		}
	}
	if btn == nil {
		t.Fatal("the manager screen has no Report button")
	}
	test.Tap(btn)
	p := f.ui.reportPanel
	if p == nil || f.ui.dialog == nil {
		t.Fatal("the Report button opened no form")
	}
	if want := filepath.Join(f.ui.opt.DataDir, "reports"); len(removableDrives()) == 0 && p.folder.Text != want {
		t.Errorf("the form proposes %q, want the data folder's reports/ %q", p.folder.Text, want)
	}
	// A date that is not one is refused in words, nothing written.
	dir := t.TempDir()
	p.folder.SetText(dir)
	p.from.SetText("yesterday")
	test.Tap(p.write)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || !strings.Contains(p.msg.Text, "yesterday") || !strings.Contains(p.msg.Text, "2020-11-20") {
		t.Errorf("bad date: %d files, message %q", len(entries), p.msg.Text)
	}
	p.from.SetText(f.st.Today().String())
	p.format.SetSelected("xlsx")
	test.Tap(p.write)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".xlsx") {
		t.Fatalf("the folder holds %v, want one .xlsx (message %q)", entries, p.msg.Text)
	}
	path := filepath.Join(dir, entries[0].Name())
	if !strings.Contains(p.msg.Text, path) {
		t.Errorf("the form says %q, not where it wrote (%s)", p.msg.Text, path)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows(x.GetSheetList()[0], excelize.Options{RawCellValue: true})
	want := strconv.Itoa(f.status().HandedOverToday)
	found := false
	for _, r := range rows {
		found = found || len(r) > 1 && r[0] == "Parcels handed over" && r[1] == want
	}
	if !found {
		t.Errorf("the spreadsheet does not hold today's %s handovers: %v", want, rows)
	}
	f.capture("manager-report")
}

// The conflicts list says what the registry answered in the counter's
// language (the store keeps it in words of no language).
func TestConflictNotesTranslated(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.scan(f.sample(pickup.VerdictOK))
	f.typeText("2")
	f.key(fyne.KeyReturn)
	f.scan(f.demo.Samples["ok_masks_only"])
	f.key(fyne.KeyReturn)
	evs, err := f.st.Outbox(f.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var handovers []pickup.Event
	for _, e := range evs {
		if e.Type == pickup.EventHandover {
			handovers = append(handovers, e)
		}
	}
	if len(handovers) != 2 {
		t.Fatalf("outbox holds %d handovers, want 2", len(handovers))
	}
	earlier := pickup.Collection{EventID: "00000000-0000-4000-8000-0000000000aa", TerminalID: "t-other", CentreID: handovers[0].CentreID,
		At: start.Add(-time.Hour), GloveSize: "L"}
	if _, err := f.st.ApplyPushResults(f.ctx, handovers, []store.PushAnswer{
		{ID: handovers[0].ID, Result: store.PushConflict, Earlier: []pickup.Collection{earlier}},
		{ID: handovers[1].ID, Result: store.PushFlagged, Flag: "outside_window"},
	}); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	for _, lang := range []string{"fr", "nl", "de"} {
		f.ui.SetLang(lang)
		f.key(fyne.KeyF9)
		markup := f.markup()
		tr := f.ui.tr()
		for _, want := range []string{tr.T("ui.mgr.conflicts.detail.pushed"), tr.T("ui.mgr.conflicts.detail.earlier"), tr.T("ui.mgr.conflicts.flag.outside_window")} {
			if !strings.Contains(markup, want) {
				t.Errorf("%s: the conflicts list lacks %q", lang, want)
			}
		}
		for _, english := range []string{store.ConflictPushed, store.ConflictEarlier, store.ConflictFlagged} {
			if strings.Contains(markup, english) {
				t.Errorf("%s: the conflicts list shows %q in English", lang, english)
			}
		}
		f.ui.closeDialog()
	}
}
