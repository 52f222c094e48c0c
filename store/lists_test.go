package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// importNamed adds pickups of centre "here" with the given names, numbered
// from 100.
func (f *fixture) importNamed(t testing.TB, names ...string) []pickup.Code {
	t.Helper()
	var b strings.Builder
	b.WriteString("code,name,profession,parcel_kind,centre_id,window_start,window_end\n")
	var codes []pickup.Code
	for i, n := range names {
		c := codeFor(t, 100+i)
		codes = append(codes, c)
		fmt.Fprintf(&b, "%s,%s,nurse,masks_only,here,2020-11-09,2021-01-08\n", c, n)
	}
	if _, err := f.s.ImportPickups(context.Background(), strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	return codes
}

func expectedNames(l ExpectedList) string {
	var names []string
	for _, p := range l.Pickups {
		names = append(names, p.Name)
	}
	return strings.Join(names, "|")
}

// searchCases: searches of the expected list, the names they find and the total.
var searchCases = []struct {
	search string
	want   string
	total  int
}{
	// Still to come: not cancelled, not collected (by the registry or
	// here), not another centre's; in name order.
	{"", "Emile Dupont|Jan [x]*|Person 1|Person 2|Person 3|Person 7|Zoë Müller|Émilie Dupré", 8},
	{"emil", "Emile Dupont|Émilie Dupré", 2},
	{"ÉMI", "Emile Dupont|Émilie Dupré", 2},
	{"dupre", "Émilie Dupré", 1},
	{"dupre emilie", "Émilie Dupré", 1},
	{"muller", "Zoë Müller", 1},
	{"zoe", "Zoë Müller", 1},
	{"[x]*", "Jan [x]*", 1},
	{"*", "Jan [x]*", 1},
	{"person 0", "", 0}, // handed over here
	{"nobody", "", 0},
	{"%", "", 0},
	{"_", "", 0},
}

func TestExpectedSearch(t *testing.T) {
	f, ctx := setup(t)
	codes := f.importNamed(t, "Émilie Dupré", "Zoë Müller", "Emile Dupont", "Jan [x]*")
	f.receive(t, "gloves", "M", 1000)
	f.receive(t, "masks", "", 5000)
	f.handover(t, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "M"})
	for _, tc := range searchCases {
		got, err := f.s.Expected(ctx, tc.search, 0)
		if err != nil {
			t.Fatalf("Expected(%q): %v", tc.search, err)
		}
		if names := expectedNames(got); names != tc.want || got.Total != tc.total || got.ByCode {
			t.Errorf("Expected(%q) = %q total %d by code %v, want %q total %d", tc.search, names, got.Total, got.ByCode, tc.want, tc.total)
		}
	}
	// A code, typed any way lookup forgives, finds its pickup whatever its
	// state; another centre's code finds nothing.
	for _, tc := range []struct {
		search    string
		want      string
		collected bool
	}{
		{strings.ToLower(codes[1].String()), "Zoë Müller", false},
		{" " + string(f.codes["ok"]) + " ", "Person 0", true},
		{f.codes["collected"].String(), "Person 6", true},
		{f.codes["there"].String(), "", false},
	} {
		got, err := f.s.Expected(ctx, tc.search, 0)
		if err != nil {
			t.Fatal(err)
		}
		collected := len(got.Pickups) == 1 && got.Pickups[0].Collected
		if names := expectedNames(got); names != tc.want || !got.ByCode || collected != tc.collected {
			t.Errorf("Expected(%q) = %q by code %v collected %v, want %q collected %v", tc.search, names, got.ByCode, collected, tc.want, tc.collected)
		}
	}
	// The page is bounded; the total is not.
	if got, _ := f.s.Expected(ctx, "", 3); len(got.Pickups) != 3 || got.Total != 8 {
		t.Errorf("Expected limit 3 = %d rows, total %d; want 3 of 8", len(got.Pickups), got.Total)
	}
	if _, err := f.s.Expected(ctx, strings.Repeat("a", MaxSearchLen+1), 0); err == nil {
		t.Error("a search over the bound was taken")
	}
}

func TestHandoversOnDay(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "M", 1000)
	f.receive(t, "gloves", "L", 1000)
	f.receive(t, "masks", "", 5000)
	// Yesterday: one handover here at 23:59:59.999. Today: one here, and
	// another counter's of the same code (a double), and one undone.
	f.now = time.Date(2020, 11, 19, 23, 59, 59, 999e6, time.UTC)
	f.handover(t, HandoverRequest{Input: string(f.codes["ok2"]), GloveSize: "L"})
	f.now = testNow
	res := f.handover(t, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "M"})
	f.ingest(t, SourcePeer, handoverFact(1, 5, f.codes["ok"], "L"))
	if err := f.s.NotePeer(ctx, PeerSeen{TerminalID: "t-2", Name: "Desk 2"}); err != nil {
		t.Fatal(err)
	}
	f.now = testNow.Add(time.Minute)
	masks := f.handover(t, HandoverRequest{Input: string(f.codes["masks"])})
	f.now = testNow.Add(2 * time.Minute)
	if _, err := f.s.Undo(ctx, masks.EventID); err != nil {
		t.Fatal(err)
	}

	type row struct {
		counter, size string
		double, undo  bool
	}
	rows := func(d HandoverDay) []row {
		var out []row
		for _, h := range d.Handovers {
			out = append(out, row{h.Counter, h.GloveSize, h.Double, h.Undone})
		}
		return out
	}
	today, err := f.s.HandoversOn(ctx, f.s.Today(), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []row{{"Desk 2", "L", true, false}, {"counter", "", false, true}, {"counter", "M", true, false}}
	if got := rows(today); fmt.Sprint(got) != fmt.Sprint(want) || today.Total != 3 || today.Doubles != 2 {
		t.Errorf("today = %v total %d doubles %d, want %v total 3 doubles 2", got, today.Total, today.Doubles, want)
	}
	if today.Handovers[2].EventID != res.EventID || today.Handovers[2].Name != "Person 0" {
		t.Errorf("today's last row = %+v, want the handover of Person 0", today.Handovers[2])
	}
	yesterday, err := f.s.HandoversOn(ctx, f.s.Today().AddDays(-1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(yesterday); fmt.Sprint(got) != fmt.Sprint([]row{{"counter", "L", false, false}}) || yesterday.Total != 1 {
		t.Errorf("yesterday = %v total %d, want the one handover at 23:59", got, yesterday.Total)
	}
	if d, _ := f.s.HandoversOn(ctx, f.s.Today().AddDays(-2), 0); len(d.Handovers) != 0 || d.Total != 0 {
		t.Errorf("two days ago = %+v, want none", d)
	}
	if d, _ := f.s.HandoversOn(ctx, f.s.Today(), 1); len(d.Handovers) != 1 || d.Total != 3 {
		t.Errorf("today limit 1 = %d rows total %d, want 1 of 3", len(d.Handovers), d.Total)
	}
}

// BenchmarkExpected1M lists and searches the pickups still expected among
// 1,000,000 (900,000 of this centre), with 20,000 handovers over ten days.
func BenchmarkExpected1M(b *testing.B) {
	s := openBigLists(b)
	ctx := context.Background()
	for _, bc := range []struct{ name, search string }{
		{"all", ""},
		{"name-many", "lastname 12"},   // 1,1x, 12x…: thousands of matches
		{"name-rare", "lastname 9999"}, // ten matches: the whole list is read
		{"name-none", "nobody"},
		{"code", benchCode(123456).String()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var d []time.Duration
			for b.Loop() {
				t0 := time.Now()
				l, err := s.Expected(ctx, bc.search, 0)
				d = append(d, time.Since(t0))
				if err != nil || bc.search != "nobody" && l.Total == 0 {
					b.Fatalf("Expected(%q) = %d, %v", bc.search, l.Total, err)
				}
			}
			reportPercentiles(b, d)
		})
	}
}

// BenchmarkHandoversOn1M lists one day's handovers (2,000 of 20,000) on the
// 1M store.
func BenchmarkHandoversOn1M(b *testing.B) {
	s := openBigLists(b)
	ctx := context.Background()
	var d []time.Duration
	for b.Loop() {
		t0 := time.Now()
		day, err := s.HandoversOn(ctx, pickup.MustDate("2020-11-15"), 0)
		d = append(d, time.Since(t0))
		if err != nil || day.Total != 2000 || len(day.Handovers) != DefaultListLimit {
			b.Fatalf("HandoversOn = %d (%d rows), %v", day.Total, len(day.Handovers), err)
		}
	}
	reportPercentiles(b, d)
}

// openBigLists opens the 1M store with 20,000 handovers, 2,000 a day from
// 2020-11-10 (added once).
func openBigLists(b *testing.B) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, bigStore(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	s.Loc = time.UTC
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for i := range 20_000 {
			at := time.Date(2020, 11, 10+i/2000, 8, 0, 0, 0, time.UTC).Add(time.Duration(i%2000) * 10 * time.Second)
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO redemptions(event_id, code, terminal_id, centre_id, at, glove_size, local)
				VALUES(?, ?, 't-2', 'here', ?, 'M', 0)`, fmt.Sprintf("bench-%06d", i), string(benchCode(i*10)), fmtTime(at)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
