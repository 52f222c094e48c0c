package counter

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
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
	test.Tap(f.ui.buttons["manager"])
	if !f.ui.showManager || f.ui.ManagerOpen() || f.ui.manager.pin.Visible() {
		t.Fatal("with no PIN set, the manager screen is not shown closed")
	}
	if got := f.ui.manager.gateHelp.Text; !strings.Contains(got, "pickup config manager-pin") {
		t.Errorf("with no PIN set the screen says %q, not who sets one", got)
	}
	if markup := test.RenderToMarkup(f.win.Canvas()); strings.Contains(markup, tr.T("ui.today.stock")) {
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
	if markup := test.RenderToMarkup(f.win.Canvas()); strings.Contains(markup, tr.T("ui.today.stock")) {
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
	if markup := test.RenderToMarkup(f.win.Canvas()); !strings.Contains(markup, tr.T("ui.today.stock")) {
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
