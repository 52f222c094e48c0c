package counter

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

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
	if markup := test.RenderToMarkup(f.win.Canvas()); !strings.Contains(markup, tr.T("ui.forecast.enough")) {
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
	if markup := test.RenderToMarkup(f.win.Canvas()); !strings.Contains(markup, wantShort) {
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
