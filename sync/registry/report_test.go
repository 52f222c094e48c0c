package registry

import (
	"errors"
	"reflect"
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
	f, codes, a, b := namurCounters(t, 3)
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
		d.Handovers[0].TerminalID != a.Creds.TerminalID || d.Handovers[1].TerminalID != b.Creds.TerminalID ||
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
	a, b := f.counters("namur")
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
		push(t, c, ev)
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

// A handover that left the gloves owed, then their owed handover at the
// centre's other counter: one handover and one owed handover, no double;
// the owed handover comes first through the other counter's push and is
// still taken; a second owed handover of the code is a double (a
// conflict naming the first); the pull relays the owed lines; the report
// counts them.
func TestOwedHandover(t *testing.T) {
	f, codes, a, b := namurCounters(t, 2)
	g, _ := f.terminal("gent")
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	code := codes["namur"][0]
	owing := handover(t, a, code, at)
	owing.GloveSize, owing.Items, owing.Owed = "", []pickup.Line{{Item: "masks", Qty: 500}}, []pickup.Line{{Item: "gloves", Qty: 500}}
	owed := func(c *protocol.Client, min int, size string) pickup.Event {
		return pickup.Event{ID: newID(t), Type: pickup.EventOwedHandover, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID,
			At: at.Add(time.Duration(min) * time.Minute), Code: code, GloveSize: size, Items: []pickup.Line{{Item: "gloves", Size: size, Qty: 500}}}
	}
	// B pushes its owed handover before A's handover arrived.
	first := owed(b, 10, "L")
	r, err := b.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{first}})
	if err != nil || r.Results[0].Result != protocol.ResultAccepted {
		t.Fatalf("push owed handover: %+v, %v", r, err)
	}
	r, err = a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{owing}})
	if err != nil || r.Results[0].Result != protocol.ResultAccepted {
		t.Fatalf("push owing handover: %+v, %v", r, err)
	}
	if p, _ := f.reg.Pickup(f.ctx, code); p.Status != pickup.StatusCollected {
		t.Errorf("status %s, want collected", p.Status)
	}
	rep, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if tt := rep.Totals; tt.Handovers != 1 || tt.DoubleHandovers != 0 || tt.Owed != 1 || tt.OwedHandovers != 1 || tt.StillOwed != 0 || tt.DoubleOwedHandovers != 0 {
		t.Errorf("report totals %+v; want 1 handover, 1 owed, 1 owed handover, no double", tt)
	}
	handed := map[string]int{}
	for _, c := range rep.Centres {
		for _, it := range c.Items {
			if c.ID == "namur" {
				handed[it.Item+it.Size] = it.HandedOver
			}
		}
	}
	if handed["glovesL"] != 500 || handed["masks"] != 500 {
		t.Errorf("handed over per item %v; want the owed gloves L and the masks", handed)
	}
	// A pulls: B's owed handover and its own handover's owed lines come back.
	// The pull relays B's owed handover, and A's handover with what it owes.
	relayed := false
	for _, p := range pullAll(t, a, "", 0, 0) {
		for _, fct := range p.Facts {
			relayed = relayed || fct.ID == first.ID && fct.Type == pickup.EventOwedHandover && fct.GloveSize == "L"
		}
	}
	if !relayed {
		t.Error("the owed handover is not relayed to the centre's other counter")
	}
	var gotOwed []pickup.Line
	for _, p := range pullAll(t, b, "", 0, 0) {
		for _, fct := range p.Facts {
			if fct.ID == owing.ID {
				gotOwed = fct.Owed
			}
		}
	}
	if !reflect.DeepEqual(gotOwed, owing.Owed) {
		t.Errorf("relayed handover owes %v, want %v", gotOwed, owing.Owed)
	}
	// A hands the gloves over too: a double.
	second := owed(a, 20, "M")
	r, err = a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{second}})
	if err != nil || r.Results[0].Result != protocol.ResultConflict || len(r.Results[0].Earlier) != 1 || r.Results[0].Earlier[0].EventID != first.ID {
		t.Fatalf("second owed handover: %+v, %v; want a conflict naming the first", r, err)
	}
	// Another centre's terminal cannot hand over this centre's owed items.
	other := owed(g, 30, "S")
	if r, err := g.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{other}}); err != nil || r.Results[0].Flag != protocol.FlagWrongCentre {
		t.Errorf("owed handover from another centre: %+v, %v; want flagged wrong_centre", r, err)
	}
	// A parcel of gloves only, all owed: the handover gives nothing now.
	only := handover(t, a, codes["namur"][1], at)
	only.GloveSize, only.Items, only.Owed = "", nil, []pickup.Line{{Item: "gloves", Qty: 500}}
	if r, err := a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{only}}); err != nil || r.Results[0].Result != protocol.ResultAccepted {
		t.Fatalf("push all-owed handover: %+v, %v", r, err)
	}
	rep, _ = f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	for _, c := range rep.Centres {
		for _, it := range c.Items {
			if c.ID == "namur" && it.Item+it.Size != "glovesL" && it.Item+it.Size != "glovesM" && it.Item != "masks" && it.HandedOver != 0 {
				t.Errorf("handed over %s %s: %d; the all-owed handover gave nothing", it.Item, it.Size, it.HandedOver)
			}
			if c.ID == "namur" && it.Item == "masks" && it.HandedOver != 500 {
				t.Errorf("masks handed over %d, want 500 (the all-owed handover gave none)", it.HandedOver)
			}
		}
	}
	if tt := rep.Totals; tt.StillOwed != 1 {
		t.Errorf("still owed %d, want the all-owed code", tt.StillOwed)
	}
	if tt := rep.Totals; tt.Handovers != 2 || tt.DoubleHandovers != 0 || tt.OwedHandovers != 1 || tt.DoubleOwedHandovers != 1 {
		t.Errorf("report totals after the double %+v; want 2 handovers, 1 owed handover, 1 double owed handover", tt)
	}
}

// A counter's review of a double handover of its centre joins the case's
// review notes (as the console shows them) and is relayed to the centre's
// other counters with its note; a review of another centre's code, or of
// an unknown one, is flagged and notes nothing; a note over the bound is
// refused with the whole push.
func TestConflictReviewFromCounter(t *testing.T) {
	f, codes, a, b := namurCounters(t, 2)
	code := codes["namur"][0]
	now := time.Now().UTC()
	for _, c := range []*protocol.Client{a, b} {
		push(t, c, handover(t, c, code, now))
	}
	review := func(c *protocol.Client, code pickup.Code, note string) pickup.Event {
		return pickup.Event{ID: newID(t), Type: pickup.EventConflictReview, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID,
			At: now.Add(time.Minute), Code: code, Note: note}
	}
	ok := review(a, code, "Same nurse twice: parcel asked back.")
	foreign := review(a, codes["gent"][0], "not ours")
	unknown := review(a, pickup.Code("000000000000001"+string(pickup.CheckChar("000000000000001"))), "no such code")
	res := push(t, a, ok, foreign, unknown)
	want := []struct {
		result protocol.Result
		flag   string
	}{{protocol.ResultAccepted, ""}, {protocol.ResultFlagged, protocol.FlagWrongCentre}, {protocol.ResultFlagged, protocol.FlagUnknownCode}}
	for i, w := range want {
		if r := res[i]; r.Result != w.result || r.Flag != w.flag {
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
	push(t, a, ok)
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

// A loss a counter records reaches the registry's report per item, and a
// loss without a reason is refused before it is stored.
func TestReportCountsLosses(t *testing.T) {
	f := newFixture(t)
	a, ea := f.terminal("namur")
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	loss := pickup.Event{ID: newID(t), Type: pickup.EventStockLoss, TerminalID: ea.TerminalID, CentreID: "namur", At: at,
		Item: "gowns", Qty: 20, Reason: "box damaged by water"}
	r := push(t, a, loss)
	if r[0].Result != protocol.ResultAccepted {
		t.Fatalf("push loss: %+v", r)
	}
	bad := loss
	bad.ID, bad.Reason = newID(t), ""
	if _, err := a.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{bad}}); err == nil {
		t.Error("a loss without a reason was taken")
	}
	rep, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil {
		t.Fatal(err)
	}
	lost := -1
	for _, c := range rep.Centres {
		for _, it := range c.Items {
			if c.ID == "namur" && it.Item == "gowns" {
				lost = it.Lost
			}
		}
	}
	if lost != 20 {
		t.Errorf("namur gowns lost = %d, want 20", lost)
	}
}

// TestDoubleHandover: the same code handed over at two terminals while
// offline; both facts are kept, the second answered conflict, one double
// handover in the report, and both terminals see both redemptions.
func TestDoubleHandover(t *testing.T) {
	f, codes, a, b := namurCounters(t, 3)
	code := codes["namur"][0]
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	ra := push(t, a, handover(t, a, code, t0))
	if ra[0].Result != protocol.ResultAccepted {
		t.Fatalf("first handover: %+v", ra)
	}
	eb := handover(t, b, code, t0.Add(10*time.Minute))
	rb := push(t, b, eb)
	r := rb[0]
	if r.Result != protocol.ResultConflict || len(r.Earlier) != 1 || r.Earlier[0].TerminalID != a.Creds.TerminalID || !r.Earlier[0].At.Equal(t0) {
		t.Fatalf("second handover = %+v, want conflict naming terminal A at %v", r, t0)
	}
	// A repeat of the conflicting push returns the stored answer.
	rb2, _ := b.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{eb}})
	if got := rb2.Results[0]; got.Result != protocol.ResultDuplicate || got.Stored != protocol.ResultConflict || len(got.Earlier) != 1 {
		t.Errorf("repeat = %+v, want duplicate of conflict with where/when", got)
	}
	rep, err := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if err != nil {
		t.Fatal(err)
	}
	var nm CentreReport
	for _, c := range rep.Centres {
		if c.ID == "namur" {
			nm = c
		}
	}
	if nm.Collected != 1 || nm.DoubleHandovers != 1 || nm.Handovers != 2 || nm.Expected != 3 {
		t.Errorf("report for namur = %+v, want collected 1, double 1, handovers 2", nm)
	}
	var gloves int
	for _, it := range nm.Items {
		if it.Item == "gloves" && it.Size == "M" {
			gloves = it.HandedOver
		}
	}
	if gloves != 1000 {
		t.Errorf("gloves M handed over = %d, want 1000 (two parcels)", gloves)
	}
	for _, c := range []*protocol.Client{a, b} {
		n := 0
		for _, p := range pullAll(t, c, "", 0, 0) {
			for _, rd := range p.Redemptions {
				if rd.Code == code && !rd.Undone {
					n++
				}
			}
		}
		if n != 2 {
			t.Errorf("terminal %s sees %d redemptions of the code, want 2", c.Creds.TerminalID, n)
		}
	}
}
