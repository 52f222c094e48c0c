package registry

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// noonOf is noon of the local day n days from today.
func noonOf(n int) time.Time {
	d := pickup.DateOf(time.Now()).AddDays(n)
	return d.Time(time.Local).Add(12 * time.Hour)
}

func TestReportPerDay(t *testing.T) {
	f, codes := requestFixture(t, 3)
	a, ea := f.terminal("namur")
	b, eb := f.terminal("namur")
	g, _ := f.terminal("gent")
	c0, c1, c2 := codes["namur"][0], codes["namur"][1], codes["namur"][2]
	undone := handover(t, a, c2, noonOf(0))
	push := func(c *protocol.Client, evs ...pickup.Event) {
		t.Helper()
		if _, err := c.Push(f.ctx, &protocol.PushRequest{Events: evs}); err != nil {
			t.Fatal(err)
		}
	}
	push(a, handover(t, a, c0, noonOf(-2)), handover(t, a, c1, noonOf(-1)), undone,
		pickup.Event{ID: newID(t), Type: pickup.EventUndo, TerminalID: a.Creds.TerminalID, CentreID: "namur", At: noonOf(0).Add(time.Minute), Undoes: undone.ID})
	push(b, handover(t, b, c0, noonOf(-1).Add(time.Hour))) // offline at the same time: a double handover
	push(g, handover(t, g, codes["gent"][0], noonOf(-1)))

	today := pickup.DateOf(time.Now())
	rep, err := f.reg.Report(f.ctx, today.AddDays(-3), today)
	if err != nil {
		t.Fatal(err)
	}
	type fig struct{ handovers, collected, doubles, undone int }
	figs := func(ds []DayFigures) []fig {
		var out []fig
		for _, d := range ds {
			out = append(out, fig{d.Handovers, d.Collected, d.DoubleHandovers, d.Undone})
		}
		return out
	}
	wantAll := []fig{{0, 0, 0, 0}, {1, 1, 0, 0}, {3, 2, 1, 0}, {0, 0, 0, 1}}
	if got := figs(rep.Days); !slices.Equal(got, wantAll) || rep.Days[0].Day != today.AddDays(-3) || rep.Days[3].Day != today {
		t.Errorf("days = %+v, want %+v from %s", rep.Days, wantAll, today.AddDays(-3))
	}
	var namur CentreReport
	for _, c := range rep.Centres {
		if c.ID == "namur" {
			namur = c
		}
	}
	if got, want := figs(namur.Days), []fig{{0, 0, 0, 0}, {1, 1, 0, 0}, {2, 1, 1, 0}, {0, 0, 0, 1}}; !slices.Equal(got, want) {
		t.Errorf("namur's days = %v, want %v", got, want)
	}
	if p := rep.Period; p.Handovers != 4 || p.Collected != 3 || p.DoubleHandovers != 1 || p.Undone != 1 {
		t.Errorf("period = %+v", p)
	}
	if len(rep.Doubles) != 1 {
		t.Fatalf("doubles = %+v, want one code", rep.Doubles)
	}
	d := rep.Doubles[0]
	if d.Code != c0 || d.CentreID != "namur" || d.Name == "" || len(d.Handovers) != 2 ||
		d.Handovers[0].TerminalID != ea.TerminalID || d.Handovers[1].TerminalID != eb.TerminalID ||
		d.Handovers[0].GloveSize != "M" || !d.Handovers[0].At.Equal(noonOf(-2)) {
		t.Errorf("double handover = %+v", d)
	}
	// The CSV: a row per day and centre plus a total, then the double
	// handover's two rows.
	var csvOut strings.Builder
	if err := rep.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"day,centre_id,handovers,collected,double_handovers,undone\n",
		today.AddDays(-1).String() + ",namur,2,1,1,0\n",
		today.AddDays(-1).String() + ",total,3,2,1,0\n",
		"\ncode,name,profession,pickup_centre_id,handover,at,centre_id,terminal_id,glove_size,event_id\n",
		c0.String() + "," + d.Name + "," + d.Profession + ",namur,2,",
	} {
		if !strings.Contains(csvOut.String(), want) {
			t.Errorf("report CSV lacks %q:\n%s", want, csvOut.String())
		}
	}
	// A period without any of the code's handovers does not list it.
	rep, err = f.reg.Report(f.ctx, today, today)
	if err != nil || len(rep.Days) != 1 || len(rep.Doubles) != 0 {
		t.Errorf("today only: %d days, %d doubles, %v", len(rep.Days), len(rep.Doubles), err)
	}
	// The default period starts at the first handover.
	rep, err = f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil || rep.From != today.AddDays(-2) || rep.To != today {
		t.Errorf("default period %s to %s, %v; want %s to %s", rep.From, rep.To, err, today.AddDays(-2), today)
	}
	if _, err := f.reg.Report(f.ctx, today, today.AddDays(-1)); !errors.Is(err, ErrRefused) {
		t.Errorf("backwards period: %v", err)
	}
}

func TestShipmentStates(t *testing.T) {
	f := newFixture(t)
	a, _ := f.terminal("namur")
	b, _ := f.terminal("namur")
	ship := func(item, size string, qty int) protocol.Shipment {
		t.Helper()
		s, err := f.reg.Ship(f.ctx, protocol.Shipment{CentreID: "namur", Item: item, Size: size, Qty: qty, Ref: "DN-1"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	received := ship("masks", "", 5000)
	twice := ship("gloves", "M", 1000)
	transit := ship("gowns", "", 200)
	gent, _ := f.reg.Ship(f.ctx, protocol.Shipment{CentreID: "gent", Item: "masks", Qty: 100})
	recv := func(c *protocol.Client, s protocol.Shipment) {
		t.Helper()
		ev := pickup.Event{ID: newID(t), Type: pickup.EventStockReceive, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID,
			At: time.Now(), Item: s.Item, Size: s.Size, Qty: s.Qty, Ref: "shipment " + s.ID}
		if _, err := c.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{ev}}); err != nil {
			t.Fatal(err)
		}
	}
	recv(a, received)
	recv(a, twice)
	recv(b, twice) // both counters received it while offline

	all, err := f.reg.Shipments(f.ctx, ShipmentFilter{CentreID: "namur"})
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]ShipmentStatus{}
	for _, s := range all {
		state[s.ID] = s
	}
	if len(all) != 3 {
		t.Errorf("%d shipments of namur, want 3", len(all))
	}
	if s := state[received.ID]; s.State != ShipmentReceived || s.Received != 5000 || len(s.Receptions) != 1 {
		t.Errorf("received shipment: %+v", s)
	}
	if s := state[twice.ID]; s.State != ShipmentDiscrepancy || s.Received != 2000 || len(s.Discrepancies) != 2 {
		t.Errorf("shipment received twice: %+v", s)
	}
	if s := state[transit.ID]; s.State != ShipmentInTransit || s.Received != 0 {
		t.Errorf("shipment in transit: %+v", s)
	}
	only, err := f.reg.Shipments(f.ctx, ShipmentFilter{State: ShipmentInTransit})
	if err != nil || len(only) != 2 || (only[0].ID != gent.ID && only[1].ID != gent.ID) {
		t.Errorf("in transit everywhere: %+v, %v; want gowns of namur and masks of gent", only, err)
	}
	if _, err := f.reg.Shipments(f.ctx, ShipmentFilter{State: "lost"}); !errors.Is(err, ErrRefused) {
		t.Errorf("unknown state: %v", err)
	}
	if _, err := f.reg.Shipments(f.ctx, ShipmentFilter{CentreID: "mars"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown centre: %v", err)
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Anne Dupont", "Anne Dupont"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+32 2 524 97 97", "'+32 2 524 97 97"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"", ""},
		{"Jean-Pierre", "Jean-Pierre"},
	} {
		if got := SpreadsheetSafe(tc.in); got != tc.want {
			t.Errorf("SpreadsheetSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
