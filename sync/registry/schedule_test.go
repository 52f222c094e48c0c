package registry

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// schedReq is a request of the schedule test, as the test itself keeps it.
type schedReq struct {
	code                               pickup.Code
	centre, campaign, profession, kind string
	start, end                         string
	status                             string // expected, collected, cancelled
}

// schedWorld is a registry with requests in known weeks, handovers and
// stock, and the test's own record of them.
type schedWorld struct {
	f        *fixture
	reqs     []*schedReq
	handed   []pickup.Event // handovers pushed, not undone
	today    pickup.Date
	contents map[string][]pickup.Line // parcel contents, written out by hand
	terms    map[string]*protocol.Client
}

func insertRequest(t *testing.T, reg *Registry, r *schedReq) {
	t.Helper()
	c, err := pickup.NewCode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r.code = c
	ctx := context.Background()
	err = reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO pickups (code, campaign_id, professional_id, name, profession, parcel_kind,
			centre_id, window_start, window_end, status, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'expected', ?, ?)`,
			c, r.campaign, "pro-"+string(c), "Test Person", r.profession, r.kind, r.centre, r.start, r.end, fmtTime(time.Now()), tx.next())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newSchedWorld(t *testing.T) *schedWorld {
	t.Helper()
	f := newFixture(t)
	w := &schedWorld{f: f, today: pickup.MustDate("2020-11-11"), terms: map[string]*protocol.Client{}, contents: map[string][]pickup.Line{
		"oct2020-strategic/close_contact": {{Item: "gloves", Qty: 500}, {Item: "gowns", Qty: 50}, {Item: "glasses", Qty: 1}, {Item: "masks", Qty: 500}},
		"oct2020-strategic/masks_only":    {{Item: "masks", Qty: 500}},
		// 4 masks a day for 56 days, rounded up to boxes of 50.
		"may2020-masks/surgical_masks": {{Item: "masks", Qty: 250}},
	}}
	// Today is Wednesday 11 November 2020 (week 46).
	f.reg.Now = func() time.Time { return time.Date(2020, 11, 11, 14, 0, 0, 0, time.UTC) }
	if err := f.reg.AddCentre(f.ctx, pickup.Centre{ID: "arlon", Name: "Croix-Rouge Arlon"}); err != nil {
		t.Fatal(err)
	}
	add := func(n int, centre, campaign, prof, kind, start, end string) []*schedReq {
		var out []*schedReq
		for i := 0; i < n; i++ {
			r := &schedReq{centre: centre, campaign: campaign, profession: prof, kind: kind, start: start, end: end, status: "expected"}
			insertRequest(t, f.reg, r)
			w.reqs = append(w.reqs, r)
			out = append(out, r)
		}
		return out
	}
	oct := pickup.DefaultCampaignID
	// Namur: a group of weeks 46 and 47 (some collected on its first day,
	// some cancelled), a week-48 group, a group across weeks 47 and 48, an
	// old group mostly collected (the pace and the size mix), a group whose
	// window is over, and May 2020 masks in boxes.
	a := add(30, "namur", oct, "physiotherapist", "close_contact", "2020-11-09", "2020-11-20")
	add(20, "namur", oct, "pharmacist", "masks_only", "2020-11-23", "2020-11-29")
	add(10, "namur", oct, "dietitian", "masks_only", "2020-11-19", "2020-11-24")
	e := add(30, "namur", oct, "nurse", "close_contact", "2020-11-02", "2020-11-22")
	add(5, "namur", oct, "podiatrist", "close_contact", "2020-11-02", "2020-11-10")
	add(6, "namur", "may2020-masks", "general_practitioner", "surgical_masks", "2020-11-23", "2020-12-06")
	// Gent: a two-week group spread evenly, and a group all collected.
	add(14, "gent", oct, "nurse", "close_contact", "2020-11-16", "2020-11-29")
	g := add(2, "gent", oct, "midwife", "close_contact", "2020-11-09", "2020-11-20")
	// Arlon: no handovers anywhere there, a week-49 group.
	add(8, "arlon", oct, "physiotherapist", "close_contact", "2020-11-30", "2020-12-06")

	for _, c := range []string{"namur", "gent"} {
		cl, _ := f.terminal(c)
		w.terms[c] = cl
	}
	// Namur's pace: 16 handovers on Monday 2 November, 8 on Thursday 5, 4
	// on Monday 9; sizes 7 S, 14 M, 7 L.
	sizes := []string{"S", "M", "M", "L"}
	var evs []pickup.Event
	for i, r := range e[:24] {
		day := time.Date(2020, 11, 2, 10, i, 0, 0, time.UTC)
		if i >= 16 {
			day = time.Date(2020, 11, 5, 11, i, 0, 0, time.UTC)
		}
		evs = append(evs, w.handoverEvent(t, r, sizes[i%4], day))
	}
	for i, r := range a[:4] {
		evs = append(evs, w.handoverEvent(t, r, sizes[i%4], time.Date(2020, 11, 9, 9, i, 0, 0, time.UTC)))
	}
	w.push(t, "namur", evs...)
	for _, r := range a[4:7] {
		if err := f.reg.CancelCode(f.ctx, r.code); err != nil {
			t.Fatal(err)
		}
		r.status = "cancelled"
	}
	// Gent: both midwives collected, size XL.
	w.push(t, "gent", w.handoverEvent(t, g[0], "XL", time.Date(2020, 11, 10, 9, 0, 0, 0, time.UTC)),
		w.handoverEvent(t, g[1], "XL", time.Date(2020, 11, 10, 9, 5, 0, 0, time.UTC)))
	return w
}

func (w *schedWorld) handoverEvent(t *testing.T, r *schedReq, size string, at time.Time) pickup.Event {
	t.Helper()
	var lines []pickup.Line
	for _, l := range w.contents[r.campaign+"/"+r.kind] {
		if l.Item == "gloves" {
			l.Size = size
		}
		lines = append(lines, l)
	}
	r.status = "collected"
	ev := pickup.Event{ID: newID(t), Type: pickup.EventHandover, CentreID: r.centre, At: at, Code: r.code, GloveSize: size, Items: lines}
	w.handed = append(w.handed, ev)
	return ev
}

func (w *schedWorld) push(t *testing.T, centre string, evs ...pickup.Event) {
	t.Helper()
	cl := w.terms[centre]
	for i := range evs {
		evs[i].TerminalID = cl.Creds.TerminalID
	}
	res, err := cl.Push(w.f.ctx, &protocol.PushRequest{Events: evs})
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	for _, r := range res.Results {
		if r.Result != protocol.ResultAccepted {
			t.Fatalf("push: %+v", r)
		}
	}
}

// wantCell is the test's own count for a centre's week.
type wantCell struct {
	parcels float64
	groups  map[string]bool
	items   map[string]float64 // "gloves/M", "masks/"
}

// count makes the expected schedule directly from the test's requests and
// handovers, day by day.
func (w *schedWorld) count(first pickup.Date, weeks int) map[string]*wantCell {
	// Handovers per centre and weekday, and sizes per centre and overall.
	pace := map[string]map[time.Weekday]float64{}
	paceN := map[string]int{}
	sizes := map[string]map[string]float64{}
	national := map[string]float64{}
	for _, e := range w.handed {
		if pace[e.CentreID] == nil {
			pace[e.CentreID] = map[time.Weekday]float64{}
			sizes[e.CentreID] = map[string]float64{}
		}
		pace[e.CentreID][e.At.Weekday()]++
		paceN[e.CentreID]++
		sizes[e.CentreID][e.GloveSize]++
		national[e.GloveSize]++
	}
	mix := func(centre string) map[string]float64 {
		m := sizes[centre]
		if len(m) == 0 {
			m = national
		}
		var total float64
		for _, v := range m {
			total += v
		}
		out := map[string]float64{}
		for s, v := range m {
			out[s] = v / total
		}
		return out
	}
	weight := func(centre string, d time.Time) float64 {
		if paceN[centre] < 20 {
			return 1
		}
		return pace[centre][d.Weekday()]
	}
	out := map[string]*wantCell{}
	today := w.today.Time(time.UTC)
	for _, r := range w.reqs {
		if r.status == "cancelled" {
			continue
		}
		start, _ := time.Parse(time.DateOnly, r.start)
		end, _ := time.Parse(time.DateOnly, r.end)
		var total float64
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			if !d.Before(today) {
				total += weight(r.centre, d)
			}
		}
		for k := 0; k < weeks; k++ {
			ws := first.Time(time.UTC).AddDate(0, 0, 7*k)
			we := ws.AddDate(0, 0, 6)
			if end.Before(ws) || start.After(we) {
				continue
			}
			key := fmt.Sprintf("%s/%s", pickup.DateOf(ws), r.centre)
			c := out[key]
			if c == nil {
				c = &wantCell{groups: map[string]bool{}, items: map[string]float64{}}
				out[key] = c
			}
			c.groups[r.profession] = true
			if r.status != "expected" || total == 0 {
				continue // collected, cancelled, or its window is over
			}
			var in float64
			for d := ws; !d.After(we); d = d.AddDate(0, 0, 1) {
				if !d.Before(start) && !d.After(end) && !d.Before(today) {
					in += weight(r.centre, d)
				}
			}
			share := in / total
			c.parcels += share
			for _, l := range w.contents[r.campaign+"/"+r.kind] {
				if l.Item != "gloves" {
					c.items[l.Item+"/"] += share * float64(l.Qty)
					continue
				}
				for s, f := range mix(r.centre) {
					c.items["gloves/"+s] += share * float64(l.Qty) * f
				}
			}
		}
	}
	return out
}

func TestScheduleCountsFromRequests(t *testing.T) {
	w := newSchedWorld(t)
	// Gent's counter hands over a code of namur: recorded flagged, it
	// counts nowhere (not in gent's sizes, and the request stays expected).
	var namurCode pickup.Code
	for _, r := range w.reqs {
		if r.centre == "namur" && r.status == "expected" && r.profession == "physiotherapist" {
			namurCode = r.code
			break
		}
	}
	cl := w.terms["gent"]
	res, err := cl.Push(w.f.ctx, &protocol.PushRequest{Events: []pickup.Event{{ID: newID(t), Type: pickup.EventHandover,
		TerminalID: cl.Creds.TerminalID, CentreID: "gent", At: time.Date(2020, 11, 10, 10, 0, 0, 0, time.UTC), Code: namurCode,
		GloveSize: "S", Items: []pickup.Line{{Item: "gloves", Size: "S", Qty: 500}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.f.count("SELECT count(*) FROM events WHERE flag <> ''"); n != 1 {
		t.Fatalf("the other centre's handover is not flagged (%d flagged; push %+v)", n, res.Results)
	}
	sch, err := w.f.reg.Schedule(w.f.ctx, ScheduleOptions{From: pickup.MustDate("2020-11-18"), Weeks: 3})
	if err != nil {
		t.Fatal(err)
	}
	if sch.From != pickup.MustDate("2020-11-16") || sch.To != pickup.MustDate("2020-12-06") || len(sch.Weeks) != 3 {
		t.Fatalf("schedule from %s to %s, %d weeks; want 2020-11-16 to 2020-12-06, 3", sch.From, sch.To, len(sch.Weeks))
	}
	want := w.count(sch.From, 3)
	seen := 0
	for _, wk := range sch.Weeks {
		if wk.End != wk.Start.AddDays(6) || wk.Start.Time(time.UTC).Weekday() != time.Monday {
			t.Errorf("week %s: %s to %s is not Monday to Sunday", wk.Week, wk.Start, wk.End)
		}
		for _, cw := range wk.Centres {
			key := fmt.Sprintf("%s/%s", wk.Start, cw.CentreID)
			wc := want[key]
			if wc == nil {
				t.Errorf("%s: in the schedule, but no request of the centre is open that week", key)
				continue
			}
			seen++
			if math.Abs(cw.Parcels-wc.parcels) > 0.05 {
				t.Errorf("%s: %v parcels, want %.2f", key, cw.Parcels, wc.parcels)
			}
			groups := map[string]bool{}
			var sum float64
			for _, g := range cw.Groups {
				groups[g.Profession] = true
				sum += g.Parcels
			}
			if fmt.Sprint(groups) != fmt.Sprint(wc.groups) {
				t.Errorf("%s: groups %v, want %v", key, groups, wc.groups)
			}
			if math.Abs(sum-cw.Parcels) > 0.2 {
				t.Errorf("%s: groups add up to %v parcels, the centre to %v", key, sum, cw.Parcels)
			}
			got := map[string]int{}
			for _, it := range cw.Items {
				got[it.Item+"/"+it.Size] = it.Qty
			}
			wantItems := map[string]int{}
			for k, v := range wc.items {
				if n := int(math.Ceil(v - 1e-6)); n > 0 {
					wantItems[k] = n
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(wantItems) {
				t.Errorf("%s: items\n got %v\nwant %v", key, got, wantItems)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("the schedule has %d centre-weeks, the requests %d", seen, len(want))
	}
	// The bases: namur has its pace and its sizes, gent its sizes but too
	// few handovers for a pace, arlon neither.
	bases := map[string]string{}
	for _, wk := range sch.Weeks {
		for _, cw := range wk.Centres {
			bases[cw.CentreID] = cw.Pace + "/" + cw.Sizes
		}
	}
	if wantB := map[string]string{"namur": "pace/centre", "gent": "even/centre", "arlon": "even/national"}; fmt.Sprint(bases) != fmt.Sprint(wantB) {
		t.Errorf("bases %v, want %v", bases, wantB)
	}
	// Figures by hand: namur's pace is 20 handovers on Mondays and 8 on
	// Thursdays. Week 47 holds 28/36 of the 23 physiotherapists left (30 -
	// 4 collected - 3 cancelled) and of the 6 nurses left (Monday 16 and
	// Thursday 19 of Thursday 12, Monday 16 and Thursday 19), and 8/28 of
	// the dietitians (Thursday 19 of Thursday 19 and Monday 23).
	w47 := sch.Weeks[0].Centres
	for _, cw := range w47 {
		if cw.CentreID == "namur" {
			if want := (23+6)*28.0/36 + 10*8.0/28; math.Abs(cw.Parcels-want) > 0.05 {
				t.Errorf("namur week 47: %v parcels, want %.2f", cw.Parcels, want)
			}
		}
		if cw.CentreID == "gent" {
			if cw.Parcels != 7 {
				t.Errorf("gent week 47: %v parcels, want 7 (14 over two weeks, evenly)", cw.Parcels)
			}
		}
	}
}

func TestScheduleOneCentreAndBadInput(t *testing.T) {
	w := newSchedWorld(t)
	sch, err := w.f.reg.Schedule(w.f.ctx, ScheduleOptions{From: pickup.MustDate("2020-12-14"), Weeks: 2, CentreID: "gent"})
	if err != nil {
		t.Fatal(err)
	}
	for _, wk := range sch.Weeks {
		if len(wk.Centres) != 1 || wk.Centres[0].CentreID != "gent" || wk.Centres[0].Parcels != 0 || len(wk.Centres[0].Groups) != 0 {
			t.Errorf("week %s: %+v, want gent alone with nothing open", wk.Week, wk.Centres)
		}
	}
	if _, err := w.f.reg.Schedule(w.f.ctx, ScheduleOptions{CentreID: "nowhere"}); err == nil {
		t.Error("schedule of an unknown centre: no error")
	}
	if _, err := w.f.reg.Schedule(w.f.ctx, ScheduleOptions{Weeks: MaxScheduleWeeks + 1}); err == nil {
		t.Error("schedule of too many weeks: no error")
	}
}

func TestParseWeek(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2020-W47", "2020-11-16"}, {"2020-11-19", "2020-11-16"}, {"2020-11-16", "2020-11-16"}, {"2020-11-22", "2020-11-16"},
		{"2020-W53", "2020-12-28"}, {"2021-W01", "2021-01-04"}, {"2021-W53", ""}, {"2020-W00", ""}, {"next week", ""},
	} {
		got, err := ParseWeek(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseWeek(%q) = %s, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("ParseWeek(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
		if ISOWeek(got) != ISOWeek(pickup.MustDate(tc.want)) {
			t.Errorf("ISOWeek(%s) = %s", got, ISOWeek(got))
		}
	}
}

func TestShipmentPlanSubtractsStockAndRoundsToBoxes(t *testing.T) {
	w := newSchedWorld(t)
	ctx := w.f.ctx
	reg := w.f.reg
	// Namur's counter counts its stock on 10 November, after the
	// handovers above; one more handover and a received shipment follow.
	stockEv := func(typ pickup.EventType, item, size string, qty int, at time.Time, ref string) pickup.Event {
		return pickup.Event{ID: newID(t), Type: typ, CentreID: "namur", At: at, Item: item, Size: size, Qty: qty, Ref: ref, Reason: "count"}
	}
	countAt := time.Date(2020, 11, 10, 17, 0, 0, 0, time.UTC)
	counted := map[string]int{"masks/": 10000, "gowns/": 300, "glasses/": 10, "gloves/S": 1000, "gloves/M": 2000}
	var evs []pickup.Event
	for k, q := range counted {
		item, size, _ := strings.Cut(k, "/")
		evs = append(evs, stockEv(pickup.EventStockCount, item, size, q, countAt, ""))
	}
	// 100 gloves L received before any count of L: the handovers of L
	// since (3,500) use them up.
	evs = append(evs, stockEv(pickup.EventStockReceive, "gloves", "L", 100, countAt.Add(-time.Hour), ""))
	masks, err := reg.Ship(ctx, protocol.Shipment{CentreID: "namur", Item: "masks", Qty: 2000, Ref: "truck 1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Ship(ctx, protocol.Shipment{CentreID: "namur", Item: "gowns", Qty: 500}); err != nil {
		t.Fatal(err)
	}
	evs = append(evs, stockEv(pickup.EventStockReceive, "masks", "", 2000, countAt.Add(15*time.Hour), "shipment "+masks.ID))
	// Losses count by the same rule: one after the count comes off, one
	// before it was absorbed.
	evs = append(evs, stockEv(pickup.EventStockLoss, "masks", "", 100, countAt.Add(15*time.Hour+time.Minute), ""),
		stockEv(pickup.EventStockLoss, "glasses", "", 5, countAt.Add(-time.Minute), ""))
	var late *schedReq
	for _, r := range w.reqs {
		if r.centre == "namur" && r.profession == "physiotherapist" && r.status == "expected" {
			late = r
			break
		}
	}
	evs = append(evs, w.handoverEvent(t, late, "M", countAt.Add(16*time.Hour)))
	w.push(t, "namur", evs...)

	stock, err := reg.StockPositions(ctx, "namur")
	if err != nil {
		t.Fatal(err)
	}
	onHand := map[string]int{"masks/": 10000 + 2000 - 100 - 500, "gowns/": 300 - 50, "glasses/": 10 - 1, "gloves/S": 1000, "gloves/M": 2000 - 500}
	inTransit := map[string]int{"gowns/": 500}
	got := map[string]int{}
	gotT := map[string]int{}
	if len(stock) != 1 || stock[0].CentreID != "namur" {
		t.Fatalf("StockPositions(namur) = %+v", stock)
	}
	for _, p := range stock[0].Stock {
		if p.OnHand != 0 {
			got[p.Item+"/"+p.Size] = p.OnHand
		}
		if p.InTransit != 0 {
			gotT[p.Item+"/"+p.Size] = p.InTransit
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(onHand) || fmt.Sprint(gotT) != fmt.Sprint(inTransit) {
		t.Fatalf("namur's stock: on hand %v, in transit %v; want %v, %v", got, gotT, onHand, inTransit)
	}

	// The plan, weeks 47 to 49: it runs from this week (46) on.
	plan, err := reg.ShipmentPlan(ctx, ScheduleOptions{From: pickup.MustDate("2020-11-16"), Weeks: 3})
	if err != nil {
		t.Fatal(err)
	}
	need := w.count(pickup.MustDate("2020-11-09"), 4)
	mayOpen := func(week pickup.Date, centre string) bool {
		for _, r := range w.reqs {
			if r.campaign == "may2020-masks" && r.centre == centre && r.status == "expected" &&
				r.start <= week.AddDays(6).String() && r.end >= week.String() {
				return true
			}
		}
		return false
	}
	avail := map[string]map[string]int{"namur": {}}
	for k, v := range onHand {
		avail["namur"][k] += v
	}
	for k, v := range inTransit {
		avail["namur"][k] += v
	}
	wantShip := map[string]int{} // week/centre/item/size
	for k := 0; k < 4; k++ {
		week := pickup.MustDate("2020-11-09").AddDays(7 * k)
		for _, centre := range []string{"arlon", "gent", "namur"} {
			c := need[week.String()+"/"+centre]
			if c == nil {
				continue
			}
			if avail[centre] == nil {
				avail[centre] = map[string]int{}
			}
			for item, v := range c.items {
				n := int(math.Ceil(v - 1e-6))
				if n <= 0 {
					continue
				}
				short := n - avail[centre][item]
				ship := 0
				if short > 0 {
					ship = short
					if item == "masks/" && mayOpen(week, centre) {
						ship = (short + 49) / 50 * 50
					}
				}
				avail[centre][item] += ship - n
				wantShip[week.String()+"/"+centre+"/"+item] = ship
			}
		}
	}
	if len(plan.Weeks) != 3 || plan.Weeks[0].Week != "2020-W47" {
		t.Fatalf("plan weeks: %d, first %v; want 3 from 2020-W47", len(plan.Weeks), plan.Weeks)
	}
	checked, boxed := 0, 0
	for _, wk := range plan.Weeks {
		for _, c := range wk.Centres {
			for _, l := range c.Lines {
				key := wk.Start.String() + "/" + c.CentreID + "/" + l.Item + "/" + l.Size
				want, ok := wantShip[key]
				if !ok {
					t.Errorf("%s: in the plan, not needed", key)
				}
				if l.Ship != want {
					t.Errorf("%s: ship %d (need %d, available %d, box %d), want %d", key, l.Ship, l.Need, l.Available, l.Box, want)
				}
				if l.Box > 0 {
					boxed++
					if l.Ship%l.Box != 0 {
						t.Errorf("%s: ship %d is not whole boxes of %d", key, l.Ship, l.Box)
					}
				}
				checked++
			}
		}
	}
	if checked == 0 || boxed == 0 {
		t.Fatalf("plan checked %d lines, %d in boxes", checked, boxed)
	}

	// ship --plan 2020-W48: everything through week 48, in one step; the
	// next plan has nothing more to ship through that week.
	ships, _, err := reg.PlanShipments(ctx, pickup.MustDate("2020-11-25"), "")
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]int{}
	for k, v := range wantShip {
		if k < "2020-11-30" {
			_, rest, _ := strings.Cut(k, "/") // week/centre/item/size
			if v > 0 {
				total[rest] += v
			}
		}
	}
	gotShips := map[string]int{}
	for _, s := range ships {
		gotShips[s.CentreID+"/"+s.Item+"/"+s.Size] += s.Qty
		if s.Ref != "plan 2020-W48" {
			t.Errorf("shipment ref %q, want \"plan 2020-W48\"", s.Ref)
		}
	}
	if fmt.Sprint(gotShips) != fmt.Sprint(total) {
		t.Fatalf("ship --plan 2020-W48:\n got %v\nwant %v", gotShips, total)
	}
	recorded, err := reg.ShipPlan(ctx, ships)
	if err != nil || len(recorded) != len(ships) {
		t.Fatalf("ShipPlan = %d, %v", len(recorded), err)
	}
	again, _, err := reg.PlanShipments(ctx, pickup.MustDate("2020-11-25"), "")
	if err != nil || len(again) != 0 {
		t.Errorf("second ship --plan 2020-W48: %+v, %v; want nothing more", again, err)
	}
	if _, _, err := reg.PlanShipments(ctx, pickup.MustDate("2020-11-02"), ""); err == nil {
		t.Error("ship --plan of a past week: no error")
	}
}

// A terminal's pull ends with its centre's coming weeks, and only its own.
func TestPullCarriesComingWeeks(t *testing.T) {
	w := newSchedWorld(t)
	// Pull on Monday 16 November: weeks 47 to 50.
	w.f.reg.Now = func() time.Time { return time.Date(2020, 11, 16, 8, 0, 0, 0, time.UTC) }
	pages := pullAll(t, w.terms["gent"], "", 0, 5)
	if len(pages) < 2 {
		t.Fatalf("%d pages, want several", len(pages))
	}
	for _, p := range pages[:len(pages)-1] {
		if p.Weeks != nil {
			t.Errorf("a page with more to come carries the weeks")
		}
	}
	weeks := pages[len(pages)-1].Weeks
	if len(weeks) != ComingWeeks || weeks[0].Week != "2020-W47" {
		t.Fatalf("last page: %d weeks from %v, want %d from 2020-W47", len(weeks), weeks, ComingWeeks)
	}
	// Gent's 14 nurses over weeks 47 and 48, evenly; its midwives collected.
	if weeks[0].Parcels != 7 || weeks[1].Parcels != 7 || weeks[2].Parcels != 0 {
		t.Errorf("gent's parcels %v, %v, %v; want 7, 7, 0", weeks[0].Parcels, weeks[1].Parcels, weeks[2].Parcels)
	}
	profs := map[string]bool{}
	for _, g := range weeks[0].Groups {
		profs[g.Profession] = true
	}
	if !profs["nurse"] || !profs["midwife"] || profs["physiotherapist"] {
		t.Errorf("gent's groups in week 47: %v, want nurse and midwife only (physiotherapists are namur's)", profs)
	}
	if err := pickup.ValidateWeekPlans(weeks); err != nil {
		t.Error(err)
	}
}
