package counter

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// walk calls fn for o and everything under it (containers and widgets'
// renderers), as the canvas holds them.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, fn)
		}
	}
}

// managerTab selects the manager tab titled title (in English) and returns
// its content.
func (f *fixture) managerTab(title string) fyne.CanvasObject {
	f.t.Helper()
	for i, it := range f.ui.manager.tabs.Items {
		if it.Text == title {
			f.ui.manager.tabs.SelectIndex(i)
			return it.Content
		}
	}
	f.t.Fatalf("no manager tab %q", title)
	return nil
}

func entries(o fyne.CanvasObject) []*formEntry {
	var out []*formEntry
	walk(o, func(c fyne.CanvasObject) {
		if e, ok := c.(*formEntry); ok {
			out = append(out, e)
		}
	})
	return out
}

func buttonIn(t testing.TB, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var b *widget.Button
	walk(o, func(c fyne.CanvasObject) {
		if x, ok := c.(*widget.Button); ok && x.Text == text && b == nil {
			b = x
		}
	})
	if b == nil {
		t.Fatalf("no button %q", text)
	}
	return b
}

func labelsIn(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// fieldOf returns the field under o with that placeholder.
func fieldOf(t testing.TB, o fyne.CanvasObject, placeholder string) *formEntry {
	t.Helper()
	for _, e := range entries(o) {
		if e.PlaceHolder == placeholder {
			return e
		}
	}
	t.Fatalf("no field %q", placeholder)
	return nil
}

func (f *fixture) typeInto(e *formEntry, text string) {
	f.win.Canvas().Focus(e)
	e.SetText("")
	test.Type(e, text)
}

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
	test.Tap(buttonIn(t, row, "Receive"))
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
	count, loss := buttonIn(t, tab, "Record count"), buttonIn(t, tab, "Record loss")

	test.Tap(count)
	if got := labelsIn(tab); !strings.Contains(got, "Choose the item and size first") {
		t.Errorf("count with no item says:\n%s", got)
	}
	pick.SetSelected("Gloves L")
	if got := labelsIn(tab); !strings.Contains(got, "On hand: "+itoaT(f.stock("gloves-L"))) {
		t.Errorf("the tab does not show the stock on hand of gloves L:\n%s", got)
	}
	f.typeInto(qty, "1 234")
	f.typeInto(reason, "weekly count")
	test.Tap(count)
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
		test.Tap(loss)
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
	test.Tap(loss)
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
