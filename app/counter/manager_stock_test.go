package counter

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// A short shipment line is received in the manager's window: without a
// reason it is refused and nothing moves; with one, the store takes what
// came and the registry, after a sync, shows the shipment received with
// the difference and its reason.
func TestReceiveShortShipmentLine(t *testing.T) {
	reg := newTestRegistry(t)
	f := newFixture(t, setup{})
	f.enrolAt(reg, reg.Centres[0].ID)
	sh, err := reg.Reg.Ship(f.ctx, protocol.Shipment{CentreID: reg.Centres[0].ID, Item: "gloves", Size: "M", Qty: 1000, Ref: "week 47"})
	if err != nil {
		t.Fatal(err)
	}
	syncer := &client.Syncer{Store: f.st}
	if _, err := syncer.Round(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	before := f.stock("gloves-M")
	f.openManager()
	tab := f.managerTab("Receive shipments")
	var row fyne.CanvasObject
	walk(tab, func(c fyne.CanvasObject) {
		if box, ok := c.(*fyne.Container); ok && row == nil && strings.Contains(labelsIn(box), "shipment "+sh.ID) && len(entries(box)) == 2 {
			row = box
		}
	})
	if row == nil {
		t.Fatalf("shipment %s not listed to receive:\n%s", sh.ID, labelsIn(tab))
	}
	qty, reason := fieldOf(t, row, ""), fieldOf(t, row, "Why it differs (e.g. one box missing)")
	if qty.Text != "1000" {
		t.Errorf("quantity field = %q, want what was sent (1000)", qty.Text)
	}
	f.typeInto(qty, "900")
	tapButton(t, row, "Receive")
	if got := labelsIn(tab); !strings.Contains(got, "900 came but 1,000 were sent: say why") {
		t.Errorf("a short line without a reason says:\n%s", got)
	}
	if got := f.stock("gloves-M"); got != before {
		t.Fatalf("a refused reception moved the stock: %d, want %d", got, before)
	}
	f.typeInto(reason, "one box of 100 missing")
	f.key(fyne.KeyReturn) // Enter in the reason field receives
	if got, want := f.stock("gloves-M"), before+900; got != want {
		t.Fatalf("gloves-M = %d after the short reception, want %d", got, want)
	}
	if got := labelsIn(tab); !strings.Contains(got, "Received with a difference: Gloves M, 900 of 1,000 sent") {
		t.Errorf("after the reception the tab says:\n%s", got)
	}
	shs, _ := f.st.Shipments(f.ctx)
	for _, s := range shs {
		if s.ID == sh.ID && !s.Received {
			t.Error("the store does not hold the shipment as received")
		}
	}
	if strings.Contains(labelsIn(tab), "shipment "+sh.ID) && len(entries(tab)) > 0 && strings.Contains(labelsIn(tab), "1,000 sent on") {
		t.Error("the received shipment is still listed to receive")
	}

	// The registry gets the quantity and the reason, and shows the difference.
	if _, err := syncer.Round(f.ctx); err != nil {
		t.Fatal(err)
	}
	got, err := reg.Reg.Shipments(f.ctx, registry.ShipmentFilter{CentreID: reg.Centres[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	var st *registry.ShipmentStatus
	for i := range got {
		if got[i].ID == sh.ID {
			st = &got[i]
		}
	}
	if st == nil {
		t.Fatalf("registry lost shipment %s", sh.ID)
	}
	if st.State != registry.ShipmentDiscrepancy || st.Received != 900 || len(st.Receptions) != 1 || st.Receptions[0].Reason != "one box of 100 missing" {
		t.Errorf("registry shipment = %s, %d received, receptions %+v; want a discrepancy of 900 with the reason", st.State, st.Received, st.Receptions)
	}
	if d := strings.Join(st.Discrepancies, "; "); !strings.Contains(d, "900 units received, 1000 sent — one box of 100 missing") {
		t.Errorf("registry discrepancies = %q", d)
	}

	// The movement history shows it.
	moves := f.managerTab("Stock movements")
	if got := labelsIn(moves); !strings.Contains(got, "received · Gloves M · +900 · shipment "+sh.ID+" one box of 100 missing") {
		t.Errorf("movement history:\n%s", got)
	}
}

// A count sets the stock, a loss takes some off, each with its reason; a
// loss without a reason, or of more than is on hand, records nothing. The
// history lists both.
func TestCountAndLoss(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.openManager()
	tab := f.managerTab("Count and losses")
	var pick *widget.Select
	walk(tab, func(c fyne.CanvasObject) {
		if s, ok := c.(*widget.Select); ok {
			pick = s
		}
	})
	if pick == nil {
		t.Fatal("count tab: no item to choose")
	}
	qty, reason := fieldOf(t, tab, "Units"), fieldOf(t, tab, "e.g. weekly count, box damaged by water")

	tapButton(t, tab, "Record count")
	if got := labelsIn(tab); !strings.Contains(got, "Choose the item and size first") {
		t.Errorf("count with no item says:\n%s", got)
	}
	pick.SetSelected("Gloves L")
	if got := labelsIn(tab); !strings.Contains(got, "On hand: "+itoaT(f.stock("gloves-L"))) {
		t.Errorf("the tab does not show the stock on hand of gloves L:\n%s", got)
	}
	f.typeInto(qty, "1 234")
	f.typeInto(reason, "weekly count")
	tapButton(t, tab, "Record count")
	if got := f.stock("gloves-L"); got != 1234 {
		t.Fatalf("gloves-L = %d after the count, want 1234", got)
	}
	if got := labelsIn(tab); !strings.Contains(got, "Count recorded: Gloves L, 1,234 on hand") {
		t.Errorf("after the count:\n%s", got)
	}

	before := f.stock("gloves-L")
	for _, bad := range []struct{ qty, reason, want string }{
		{"20", "", "Say why"},
		{"lots", "flood", "is not a number of units"},
		{"5000", "flood", "5000 lost but 1234 on hand"},
	} {
		f.typeInto(qty, bad.qty)
		f.typeInto(reason, bad.reason)
		tapButton(t, tab, "Record loss")
		if got := labelsIn(tab); !strings.Contains(got, bad.want) {
			t.Errorf("loss of %q for %q says:\n%s\nwant %q", bad.qty, bad.reason, got, bad.want)
		}
		if got := f.stock("gloves-L"); got != before {
			t.Fatalf("a refused loss moved the stock: %d, want %d", got, before)
		}
	}
	f.clock.Add(time.Minute) // a loss at the count's very time is absorbed by it (the count rule)
	f.typeInto(qty, "34")
	f.typeInto(reason, "box damaged by water")
	tapButton(t, tab, "Record loss")
	if got := f.stock("gloves-L"); got != 1200 {
		t.Fatalf("gloves-L = %d after the loss, want 1200 (%q %q)\n%s", got, qty.Text, reason.Text, labelsIn(tab))
	}
	moves, err := f.st.StockMoves(f.ctx, storeMoves())
	if err != nil || len(moves) < 2 || moves[0].Kind != "loss" || moves[0].Reason != "box damaged by water" || moves[1].Kind != "count" {
		t.Fatalf("store movements = %+v, %v", moves, err)
	}
	if f.status().PendingUpload == 0 {
		t.Error("the count and the loss are not waiting to reach the registry")
	}
	hist := f.managerTab("Stock movements")
	got := labelsIn(hist)
	for _, want := range []string{"this counter · loss · Gloves L · −34 · box damaged by water", "count · Gloves L · set to 1,234"} {
		if !strings.Contains(got, want) {
			t.Errorf("movement history lacks %q:\n%s", want, got)
		}
	}
	// Escape in a field of the manager's leaves and locks the screen.
	f.managerTab("Count and losses")
	f.win.Canvas().Focus(reason)
	f.key(fyne.KeyEscape)
	if f.ui.showManager || f.ui.ManagerOpen() || f.win.Canvas().Focused() != f.ui.entry {
		t.Errorf("Escape in the reason field: manager shown %v, focus %T", f.ui.showManager, f.win.Canvas().Focused())
	}
}

func storeMoves() store.MovesFilter { return store.MovesFilter{} }

// forecastLine reads the store's forecast of one item and size.
func (f *fixture) forecastLine(item, size string) pickup.ItemForecast {
	f.t.Helper()
	fc, err := f.st.Forecast(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, l := range fc.Lines {
		if l.Item == item && l.Size == size {
			return l
		}
	}
	f.t.Fatalf("forecast has no line %s %s", item, size)
	return pickup.ItemForecast{}
}

// countTo sets the stock of every line to what its forecast needs plus
// extra (over), then item and size to qty.
func (f *fixture) countTo(over int, item, size string, qty int) {
	f.t.Helper()
	fc, err := f.st.Forecast(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	// A count sets the level as of its time: the latest wins, so each
	// round comes a second after the last.
	f.clock.Add(time.Second)
	for _, l := range fc.Lines {
		n := l.Need + over
		if l.Item == item && l.Size == size {
			n = qty
		}
		if _, err := f.st.CountStock(f.ctx, l.Item, l.Size, n, "test count"); err != nil {
			f.t.Fatal(err)
		}
	}
	f.ui.Refresh(f.ctx)
}

// The Today panel says what runs short from the pickups still expected,
// in words ("Gloves M: 120 short on 20 November 2020"); the counter warns
// in its status area when an item runs out within store.WarnDays days or
// today's pickups need more than is on hand, and the volunteer's flow goes
// on (the focus stays in the scan field, a handover is recorded).
func TestForecastTodayAndWarning(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	tr := i18n.For("en")
	today := f.st.Today()
	date := tr.Date(today.Year, today.Month, today.Day)

	// Enough of everything: the panel says so, the counter shows nothing.
	f.countTo(1000, "", "", 0)
	if f.ui.stockWarn.Visible() {
		t.Errorf("counter warns with enough stock: %q", f.ui.stockWarn.Text)
	}
	f.openManager()
	if markup := f.markup(); !strings.Contains(markup, tr.T("ui.forecast.enough")) {
		t.Errorf("Today panel with enough stock does not say so")
	}
	f.key(fyne.KeyEscape)

	// Gloves M below today's need: short today, in both places.
	m := f.forecastLine("gloves", "M")
	if m.NeedToday < 2 {
		t.Fatalf("the demo expects too few gloves M today (%d) for this test", m.NeedToday)
	}
	left := m.NeedToday - 1
	f.countTo(1000, "gloves", "M", left)
	m = f.forecastLine("gloves", "M")
	if m.OnHand != left || m.ShortBy != m.Need-left || m.RunsOut != today {
		t.Fatalf("store forecast gloves M = %+v; want %d on hand, %d short, out today", m, left, m.Need-left)
	}
	wantWarn := "Running out: Gloves M today"
	if !f.ui.stockWarn.Visible() || !strings.Contains(f.ui.stockWarn.Text, wantWarn) {
		t.Errorf("counter warning = %q (shown %v), want it to say %q", f.ui.stockWarn.Text, f.ui.stockWarn.Visible(), wantWarn)
	}
	f.capture("forecast-warn-today")
	f.openManager()
	wantShort := "Gloves M: " + tr.Number(m.Need-left) + " short on " + date
	if markup := f.markup(); !strings.Contains(markup, wantShort) {
		t.Errorf("Today panel does not say %q", wantShort)
	}
	f.capture("forecast-today-short")
	f.key(fyne.KeyEscape)

	// Enough for today, not for the week: the warning gives the day.
	f.countTo(1000, "gloves", "M", m.NeedToday+1)
	m = f.forecastLine("gloves", "M")
	if m.DaysLeft < 1 || m.DaysLeft > store.WarnDays {
		t.Skipf("the demo's gloves M run out in %d days with a day's need on hand; the test wants 1 to %d", m.DaysLeft, store.WarnDays)
	}
	wantSoon := fmt.Sprintf("Running out: Gloves M on %02d/%02d", m.RunsOut.Day, int(m.RunsOut.Month))
	if !strings.Contains(f.ui.stockWarn.Text, wantSoon) {
		t.Errorf("counter warning = %q, want %q", f.ui.stockWarn.Text, wantSoon)
	}

	// The volunteer goes on: scan, S (M has less than a parcel's 500),
	// Enter records the handover.
	before := f.status().HandedOverToday
	sBefore, masksBefore := f.forecastLine("gloves", "S"), f.forecastLine("masks", "")
	if f.win.Canvas().Focused() != f.ui.entry {
		t.Errorf("the warning took the focus from the scan field")
	}
	f.clock.Add(time.Minute) // after the count, or the count absorbs it
	f.scan(f.sample(pickup.VerdictOK))
	f.typeText("1")
	f.key(fyne.KeyReturn)
	if got := f.ui.model.Phase(); got != PhaseHanded {
		t.Fatalf("phase after confirm with the warning shown = %v, want handed (notice %q)", got, richText(f.ui.notice))
	}
	if got := f.status().HandedOverToday; got != before+1 {
		t.Errorf("handed over today = %d, want %d", got, before+1)
	}
	f.ui.Refresh(f.ctx)
	if s := f.forecastLine("gloves", "S"); s.OnHand != sBefore.OnHand-500 {
		t.Errorf("gloves S after the handover: %d on hand, want %d", s.OnHand, sBefore.OnHand-500)
	}
	// The parcel is no longer expected: its 500 masks are not needed.
	if k := f.forecastLine("masks", ""); k.Need != masksBefore.Need-500 {
		t.Errorf("masks needed after the handover: %d, want %d", k.Need, masksBefore.Need-500)
	}
}

// The Today panel shows the centre's coming weeks as the registry last
// sent them, and says so when none came yet.
func TestTodayPanelComingWeeks(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.openManager()
	if markup := f.markup(); !strings.Contains(markup, "Not received yet") {
		t.Errorf("Today panel without coming weeks does not say they are not received yet")
	}
	weeks := []pickup.WeekPlan{{Week: "2020-W47", Start: pickup.MustDate("2020-11-16"), End: pickup.MustDate("2020-11-22"),
		Parcels: 30.5, Pace: "pace",
		Groups: []pickup.GroupPlan{{Campaign: pickup.DefaultCampaignID, Profession: "physiotherapist", Parcels: 23,
			Window: pickup.Window{Start: pickup.MustDate("2020-11-16"), End: pickup.MustDate("2020-11-20")}}},
		Items: []pickup.Line{{Item: "masks", Qty: 15262}, {Item: "gloves", Size: "M", Qty: 6917}}}}
	if err := f.st.SetComingWeeks(f.ctx, weeks); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	f.capture("today-coming-weeks")
	markup := f.markup()
	for _, want := range []string{"Coming weeks", "Week 47, 16/11 – 22/11: 30.5", "Physiotherapist", "Surgical masks 15,262", "Gloves M 6,917"} {
		if !strings.Contains(markup, want) {
			t.Errorf("Today panel does not show %q", want)
		}
	}
	// Weeks a registry could send wrong are refused whole.
	bad := append(weeks, weeks[0])
	bad[1].Items = []pickup.Line{{Item: "no such item!", Qty: 1}}
	if err := f.st.SetComingWeeks(f.ctx, bad); err == nil {
		t.Error("SetComingWeeks took an invalid item id")
	}
	if got, _ := f.st.ComingWeeks(f.ctx); len(got) != 1 {
		t.Errorf("after a refused update: %d weeks kept, want the 1 before", len(got))
	}
}

// A loss another counter of the centre sent, its reason dressed to
// disguise (a U+202E that reverses the line, an escape sequence): the
// movement history shows the words without what disguises them.
func TestMovesShowAPeersReasonUndisguised(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	id, err := f.st.Identity(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.st.IngestFacts(f.ctx, store.SourcePeer, []pickup.Event{{ID: "5d0c3b7a-2e19-4f8a-b6c4-9a1e7d3f2b05", Type: pickup.EventStockLoss,
		TerminalID: "t-peer", CentreID: id.Centre.ID, At: f.clock.Now().Add(-time.Minute), Item: "masks", Qty: 5, Reason: "box\u202e dettimS \x1b[2Jwet"}})
	if err != nil || out.New != 1 {
		t.Fatalf("ingest the peer's loss = %+v, %v", out, err)
	}
	f.openManager()
	got := labelsIn(f.managerTab("Stock movements"))
	if strings.ContainsAny(got, "\u202e\x1b") || !strings.Contains(got, "box dettimS [2Jwet") {
		t.Errorf("movement history shows the peer's reason as %q", got)
	}
}
