package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup"
)

// The weekly schedule (issue 14): per week, Monday to Sunday, and per
// centre, the professional groups whose pickup window is open, the parcels
// still expected and the items they need; and the shipment plan, the same
// needs minus the centre's stock on hand and in transit.
//
// A request still expected (not collected, not cancelled) is spread over
// the days of its window from today on: by the centre's pace so far — its
// handovers per day of the week, so that a centre closed on Sundays is
// expected to hand over nothing on Sundays — or evenly over the days when
// the centre has too few handovers yet (Pace says which). Its items are the
// contents of its parcel kind in its campaign; sized items (gloves) are
// split by the sizes chosen so far at the centre, or nationally when the
// centre has none yet, or evenly over the item's sizes when nobody has
// chosen one (Sizes says which).

// Spreading bases, in CentreWeek.Pace.
const (
	SpreadPace = "pace" // the centre's handovers per day of the week so far
	SpreadEven = "even" // evenly over the window's days
)

// Size-mix bases, in CentreWeek.Sizes.
const (
	SizesCentre   = "centre"   // the sizes chosen so far at the centre
	SizesNational = "national" // the sizes chosen so far at all centres
	SizesEven     = "even"     // nobody has chosen a size yet
)

// MinPaceHandovers is how many handovers a centre needs before its pace by
// day of the week is used instead of an even spread.
const MinPaceHandovers = 20

// MaxScheduleWeeks bounds --weeks.
const MaxScheduleWeeks = 104

// DefaultScheduleWeeks is the number of weeks shown when none is asked.
const DefaultScheduleWeeks = 4

// ScheduleOptions choose the weeks and centres of a schedule.
type ScheduleOptions struct {
	From     pickup.Date // a day of the first week; zero: this week
	Weeks    int         // number of weeks; zero: DefaultScheduleWeeks
	CentreID string      // one centre; "": every centre
}

// Schedule is the weekly schedule.
type Schedule struct {
	GeneratedAt time.Time `json:"generated_at"`
	// Today is the first day expected pickups are spread over: days
	// before it are past.
	Today pickup.Date    `json:"today"`
	From  pickup.Date    `json:"from"` // the first Monday
	To    pickup.Date    `json:"to"`   // the last Sunday
	Weeks []ScheduleWeek `json:"weeks"`
	// ItemNames names the items of the schedule in the four languages.
	ItemNames map[string]pickup.Names `json:"item_names"`
}

// ScheduleWeek is one week, Monday to Sunday.
type ScheduleWeek struct {
	Week    string       `json:"week"` // ISO week, e.g. 2020-W46
	Start   pickup.Date  `json:"start"`
	End     pickup.Date  `json:"end"`
	Centres []CentreWeek `json:"centres"`
}

// CentreWeek is one centre's week.
type CentreWeek struct {
	CentreID   string `json:"centre_id"`
	CentreName string `json:"centre_name"`
	// Pace is how expected parcels were spread over their windows' days:
	// SpreadPace or SpreadEven.
	Pace string `json:"pace"`
	// Sizes is where the size mix of sized items comes from:
	// SizesCentre, SizesNational or SizesEven.
	Sizes string `json:"sizes"`
	// Parcels expected this week, to one decimal (a parcel spread over
	// several weeks counts for its share in each).
	Parcels float64     `json:"parcels"`
	Groups  []GroupWeek `json:"groups"`
	// Items the expected parcels need, in units, rounded up.
	Items []ItemNeed `json:"items"`
}

// GroupWeek is a professional group whose pickup window is open during
// the week at the centre.
type GroupWeek struct {
	Campaign   string        `json:"campaign"`
	Profession string        `json:"profession"`
	Name       string        `json:"name"` // in English; Names has all
	Names      pickup.Names  `json:"names,omitempty"`
	ParcelKind string        `json:"parcel_kind"`
	Window     pickup.Window `json:"window"`  // earliest start and latest end of the group's requests here
	Parcels    float64       `json:"parcels"` // expected this week, to one decimal
}

// ItemNeed is a quantity of an item (and size) in units.
type ItemNeed struct {
	Item string `json:"item"`
	Size string `json:"size,omitempty"`
	Qty  int    `json:"qty"`
	Box  int    `json:"box_size,omitempty"` // units per box, where the campaign ships whole boxes
}

// dayNum numbers days so that dayNum%7 == 0 on Mondays (day 0 is Monday
// 1969-12-29).
func dayNum(d pickup.Date) int64 {
	return d.Time(time.UTC).Unix()/86400 + 3
}

func dayOf(n int64) pickup.Date {
	return pickup.DateOf(time.Unix((n-3)*86400, 0).UTC())
}

// Monday returns the Monday of d's week.
func Monday(d pickup.Date) pickup.Date {
	n := dayNum(d)
	return dayOf(n - mod7(n))
}

func mod7(n int64) int64 { return ((n % 7) + 7) % 7 }

// ISOWeek names d's week, e.g. "2020-W46".
func ISOWeek(d pickup.Date) string {
	y, w := d.Time(time.UTC).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// ParseWeek reads a week as an ISO week (2020-W46) or any of its days
// (YYYY-MM-DD), and returns its Monday.
func ParseWeek(s string) (pickup.Date, error) {
	var y, w int
	if n, err := fmt.Sscanf(s, "%4d-W%2d", &y, &w); err == nil && n == 2 && len(s) == 8 {
		// 4 January is always in week 1.
		jan4 := pickup.Date{Year: y, Month: time.January, Day: 4}
		d := Monday(jan4).AddDays(7 * (w - 1))
		if w < 1 || w > 53 || ISOWeek(d) != s {
			return pickup.Date{}, fmt.Errorf("week %q does not exist", s)
		}
		return d, nil
	}
	d, err := pickup.ParseDate(s)
	if err != nil {
		return pickup.Date{}, fmt.Errorf("week %q: want YYYY-Www (e.g. 2020-W46) or a day YYYY-MM-DD", s)
	}
	return Monday(d), nil
}

// spread weighs the days of the week (Monday first) and sums weights over
// ranges of days in constant time.
type spread struct {
	w      [7]float64
	prefix [8]float64 // prefix[k] = w[0] + … + w[k-1]
}

func newSpread(w [7]float64) *spread {
	s := &spread{w: w}
	for k := 0; k < 7; k++ {
		s.prefix[k+1] = s.prefix[k] + w[k]
	}
	return s
}

var evenSpread = newSpread([7]float64{1, 1, 1, 1, 1, 1, 1})

// upTo sums the weights of days [0, n).
func (s *spread) upTo(n int64) float64 {
	weeks := n / 7
	r := n - weeks*7
	if r < 0 {
		weeks--
		r += 7
	}
	return float64(weeks)*s.prefix[7] + s.prefix[r]
}

// sum sums the weights of days a..b, both included.
func (s *spread) sum(a, b int64) float64 {
	if b < a {
		return 0
	}
	return s.upTo(b+1) - s.upTo(a)
}

// scheduleGroup is the requests of one profession at one centre with one
// window.
type scheduleGroup struct {
	centre, campaign, profession, kind string
	start, end                         int64 // day numbers
	expected                           int
}

// contentsKey identifies a parcel's resolved contents.
type contentsKey struct{ campaign, kind, profession string }

// scheduleInputs are what a schedule is computed from.
type scheduleInputs struct {
	centres   map[string]string // id → name
	order     []string
	campaigns map[string]*pickup.Campaign
	groups    []scheduleGroup
	pace      map[string]*spread // centres with enough handovers
	sizes     map[string]map[string]int
	national  map[string]int
	mixes     map[[2]string]sizeMix
}

type sizeMix struct {
	share map[string]float64
	basis string
}

// Schedule computes the weekly schedule: one SQL aggregate over the
// requests (by centre, campaign, profession, parcel kind and window) and
// two over the handovers (per centre and day of the week, per centre and
// glove size), then arithmetic per group and week.
func (reg *Registry) Schedule(ctx context.Context, opt ScheduleOptions) (*Schedule, error) {
	today := pickup.DateOf(reg.now())
	from := opt.From
	if from.IsZero() {
		from = today
	}
	weeks := opt.Weeks
	if weeks == 0 {
		weeks = DefaultScheduleWeeks
	}
	if weeks < 1 || weeks > MaxScheduleWeeks {
		return nil, fmt.Errorf("schedule: %w: --weeks %d: want 1 to %d", ErrRefused, weeks, MaxScheduleWeeks)
	}
	first := Monday(from)
	sch := &Schedule{GeneratedAt: reg.now(), Today: today, From: first, To: first.AddDays(7*weeks - 1), Weeks: []ScheduleWeek{},
		ItemNames: map[string]pickup.Names{}}
	var in *scheduleInputs
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var err error
		in, err = reg.scheduleInputs(ctx, tx, sch.From, sch.To, opt.CentreID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	if err := in.compute(sch); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return sch, nil
}

func (reg *Registry) scheduleInputs(ctx context.Context, tx *sql.Tx, from, to pickup.Date, centreID string) (*scheduleInputs, error) {
	in := &scheduleInputs{centres: map[string]string{}, pace: map[string]*spread{},
		sizes: map[string]map[string]int{}, national: map[string]int{}, mixes: map[[2]string]sizeMix{}}
	if err := eachRow(ctx, tx, "SELECT id, name FROM centres ORDER BY id", func(r *sql.Rows) error {
		var id, name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		if centreID == "" || id == centreID {
			in.centres[id] = name
			in.order = append(in.order, id)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("centres: %w", err)
	}
	if centreID != "" && len(in.order) == 0 {
		return nil, fmt.Errorf("centre %q: %w", centreID, ErrNotFound)
	}
	var err error
	if in.campaigns, err = campaignsByID(ctx, tx); err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	// Requests not cancelled whose window overlaps the weeks, counted by
	// group in one streaming pass (SQLite's GROUP BY sorts the million
	// rows first: ten times slower); collected ones keep their group open
	// but expect nothing. The group's columns come joined in one string,
	// one allocation a row.
	q := `SELECT centre_id || char(31) || campaign_id || char(31) || profession || char(31) || parcel_kind
			|| char(31) || window_start || char(31) || window_end, status = 'expected'
		FROM pickups WHERE status <> 'cancelled' AND window_end >= ? AND window_start <= ?`
	args := []any{from.String(), to.String()}
	if centreID != "" {
		q += " AND centre_id = ?"
		args = append(args, centreID)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	defer rows.Close()
	index := map[string]int{}
	var key sql.RawBytes
	var expected int
	for rows.Next() {
		if err := rows.Scan(&key, &expected); err != nil {
			return nil, fmt.Errorf("requests: %w", err)
		}
		i, ok := index[string(key)]
		if !ok {
			g, err := parseGroupKey(string(key))
			if err != nil {
				return nil, fmt.Errorf("requests: %w", err)
			}
			i = len(in.groups)
			in.groups = append(in.groups, g)
			index[string(key)] = i
		}
		in.groups[i].expected += expected
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	rows.Close()
	// The pace by day of the week (strftime's %w: 0 is Sunday) and the
	// sizes chosen, from the handovers not undone.
	weekdays := map[string]*[7]float64{}
	handovers := map[string]int{}
	paceQ, paceArgs := `SELECT centre_id, CAST(strftime('%w', at) AS INTEGER), count(*) FROM events
		WHERE type = 'handover' AND undone = 0 AND flag = ''`, []any{}
	if centreID != "" {
		paceQ, paceArgs = paceQ+" AND centre_id = ?", []any{centreID}
	}
	if err := eachRowArgs(ctx, tx, paceQ+" GROUP BY 1, 2", paceArgs, func(r *sql.Rows) error {
		var c string
		var wd, n int
		if err := r.Scan(&c, &wd, &n); err != nil {
			return err
		}
		if weekdays[c] == nil {
			weekdays[c] = &[7]float64{}
		}
		weekdays[c][(wd+6)%7] += float64(n)
		handovers[c] += n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("pace: %w", err)
	}
	for c, w := range weekdays {
		if handovers[c] >= MinPaceHandovers {
			in.pace[c] = newSpread(*w)
		}
	}
	if err := eachRow(ctx, tx, `SELECT centre_id, glove_size, count(*) FROM events
		WHERE type = 'handover' AND undone = 0 AND flag = '' AND glove_size <> '' GROUP BY 1, 2`, func(r *sql.Rows) error {
		var c, size string
		var n int
		if err := r.Scan(&c, &size, &n); err != nil {
			return err
		}
		if in.sizes[c] == nil {
			in.sizes[c] = map[string]int{}
		}
		in.sizes[c][size] += n
		in.national[size] += n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sizes: %w", err)
	}
	return in, nil
}

// parseGroupKey reads the group columns the request query joins.
func parseGroupKey(k string) (scheduleGroup, error) {
	f := strings.Split(k, "\x1f")
	if len(f) != 6 {
		return scheduleGroup{}, fmt.Errorf("group %q: want 6 fields", k)
	}
	g := scheduleGroup{centre: f[0], campaign: f[1], profession: f[2], kind: f[3]}
	ws, err := pickup.ParseDate(f[4])
	if err != nil {
		return g, fmt.Errorf("window: %w", err)
	}
	we, err := pickup.ParseDate(f[5])
	if err != nil {
		return g, fmt.Errorf("window: %w", err)
	}
	g.start, g.end = dayNum(ws), dayNum(we)
	return g, nil
}

// sizeMix returns the shares of an item's sizes at a centre and where
// they come from.
func (in *scheduleInputs) sizeMix(centre string, it pickup.Item) (map[string]float64, string) {
	share := func(counts map[string]int) map[string]float64 {
		total := 0
		for _, s := range it.Sizes {
			total += counts[s]
		}
		if total == 0 {
			return nil
		}
		out := map[string]float64{}
		for _, s := range it.Sizes {
			out[s] = float64(counts[s]) / float64(total)
		}
		return out
	}
	if m := share(in.sizes[centre]); m != nil {
		return m, SizesCentre
	}
	if m := share(in.national); m != nil {
		return m, SizesNational
	}
	out := map[string]float64{}
	for _, s := range it.Sizes {
		out[s] = 1 / float64(len(it.Sizes))
	}
	return out, SizesEven
}

// cellKey is a centre's week.
type cellKey struct {
	week   int
	centre string
}

type groupKey struct{ campaign, profession, kind string }

type cell struct {
	parcels float64
	groups  map[groupKey]*GroupWeek
	items   map[[2]string]float64
	boxes   map[string]int
	sizes   string
}

func (in *scheduleInputs) compute(sch *Schedule) error {
	first := dayNum(sch.From)
	weeks := int((dayNum(sch.To) - first + 1) / 7)
	today := dayNum(sch.Today)
	cells := map[cellKey]*cell{}
	get := func(w int, centre string) *cell {
		k := cellKey{w, centre}
		c := cells[k]
		if c == nil {
			c = &cell{groups: map[groupKey]*GroupWeek{}, items: map[[2]string]float64{}, boxes: map[string]int{}}
			cells[k] = c
		}
		return c
	}
	contents := map[contentsKey][]pickup.Line{}
	for _, g := range in.groups {
		if _, ok := in.centres[g.centre]; !ok {
			continue // a centre removed since (the foreign key forbids it)
		}
		camp := in.campaigns[g.campaign]
		ck := contentsKey{g.campaign, g.kind, g.profession}
		lines, ok := contents[ck]
		if !ok && camp != nil {
			var err error
			if lines, err = camp.Contents(g.kind, g.profession); err != nil {
				return err
			}
			contents[ck] = lines
		}
		// The days the group's expected parcels are spread over.
		a, b := max(g.start, today), g.end
		sp := in.pace[g.centre]
		if sp == nil {
			sp = evenSpread
		}
		total := sp.sum(a, b)
		if total == 0 && b >= a {
			// The centre never handed over on these days of the week.
			sp, total = evenSpread, evenSpread.sum(a, b)
		}
		for w := 0; w < weeks; w++ {
			ws, we := first+int64(7*w), first+int64(7*w+6)
			if g.end < ws || g.start > we {
				continue
			}
			c := get(w, g.centre)
			gk := groupKey{g.campaign, g.profession, g.kind}
			gw := c.groups[gk]
			if gw == nil {
				gw = &GroupWeek{Campaign: g.campaign, Profession: g.profession, ParcelKind: g.kind,
					Window: pickup.Window{Start: dayOf(g.start), End: dayOf(g.end)}}
				if camp != nil {
					if p, ok := camp.Profession(g.profession); ok {
						gw.Names, gw.Name = p.Names, p.Names.In("en")
					}
				}
				if gw.Name == "" {
					gw.Name = g.profession
				}
				c.groups[gk] = gw
			}
			gw.Window.Start = minDate(gw.Window.Start, dayOf(g.start))
			gw.Window.End = maxDate(gw.Window.End, dayOf(g.end))
			if g.expected == 0 || total == 0 {
				continue
			}
			share := sp.sum(max(a, ws), min(b, we)) / total
			if share == 0 {
				continue
			}
			parcels := float64(g.expected) * share
			gw.Parcels += parcels
			c.parcels += parcels
			for _, l := range lines {
				it, _ := camp.Item(l.Item)
				if _, ok := sch.ItemNames[l.Item]; !ok {
					sch.ItemNames[l.Item] = it.Names
				}
				if it.Box > c.boxes[l.Item] {
					c.boxes[l.Item] = it.Box
				}
				units := parcels * float64(l.Qty)
				if !it.Sized() {
					c.items[[2]string{l.Item, ""}] += units
					continue
				}
				mk := [2]string{g.centre, it.ID}
				m, ok := in.mixes[mk]
				if !ok {
					m.share, m.basis = in.sizeMix(g.centre, it)
					in.mixes[mk] = m
				}
				c.sizes = m.basis
				for s, f := range m.share {
					c.items[[2]string{l.Item, s}] += units * f
				}
			}
		}
	}
	for w := 0; w < weeks; w++ {
		start := dayOf(first + int64(7*w))
		wk := ScheduleWeek{Week: ISOWeek(start), Start: start, End: start.AddDays(6), Centres: []CentreWeek{}}
		for _, id := range in.order {
			c := cells[cellKey{w, id}]
			if c == nil {
				if len(in.order) > 1 {
					continue // nothing open at this centre this week
				}
				c = &cell{}
			}
			cw := CentreWeek{CentreID: id, CentreName: in.centres[id], Pace: SpreadEven, Sizes: c.sizes,
				Parcels: round1(c.parcels), Groups: []GroupWeek{}, Items: []ItemNeed{}}
			if in.pace[id] != nil {
				cw.Pace = SpreadPace
			}
			if cw.Sizes == "" {
				cw.Sizes, _ = sizesBasis(in, id)
			}
			for _, gw := range c.groups {
				gw.Parcels = round1(gw.Parcels)
				cw.Groups = append(cw.Groups, *gw)
			}
			sort.Slice(cw.Groups, func(i, j int) bool {
				a, b := cw.Groups[i], cw.Groups[j]
				if a.Window.Start != b.Window.Start {
					return a.Window.Start.Before(b.Window.Start)
				}
				if a.Campaign != b.Campaign {
					return a.Campaign < b.Campaign
				}
				return a.Profession < b.Profession
			})
			for k, v := range c.items {
				if ceilUnits(v) <= 0 {
					continue
				}
				cw.Items = append(cw.Items, ItemNeed{Item: k[0], Size: k[1], Qty: ceilUnits(v), Box: c.boxes[k[0]]})
			}
			sortItems(cw.Items)
			wk.Centres = append(wk.Centres, cw)
		}
		sch.Weeks = append(sch.Weeks, wk)
	}
	return nil
}

// sizesBasis says where a centre's size mix would come from.
func sizesBasis(in *scheduleInputs, centre string) (string, bool) {
	if len(in.sizes[centre]) > 0 {
		return SizesCentre, true
	}
	if len(in.national) > 0 {
		return SizesNational, true
	}
	return SizesEven, false
}

func sortItems(items []ItemNeed) {
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Item != b.Item {
			return a.Item < b.Item
		}
		return sizeRank(a.Size) < sizeRank(b.Size)
	})
}

// ceilUnits rounds a need up to whole units, forgiving float noise.
func ceilUnits(v float64) int { return int(math.Ceil(v - 1e-6)) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func minDate(a, b pickup.Date) pickup.Date {
	if b.Before(a) {
		return b
	}
	return a
}

func maxDate(a, b pickup.Date) pickup.Date {
	if b.After(a) {
		return b
	}
	return a
}

// resolveLines gives the item lines of a handover: the lines the terminal
// sent, or, for a handover sent without lines, the contents of the pickup's
// parcel kind in its campaign; a sized item without a size takes the glove
// size chosen.
func resolveLines(itemsJSON, glove string, camp *pickup.Campaign, kind, profession string) ([]pickup.Line, error) {
	var lines []pickup.Line
	if err := json.Unmarshal([]byte(itemsJSON), &lines); err != nil {
		return nil, err
	}
	if len(lines) == 0 && camp != nil {
		lines, _ = camp.Contents(kind, profession)
	}
	for i, l := range lines {
		if l.Size != "" || glove == "" {
			continue
		}
		if camp != nil {
			if it, ok := camp.Item(l.Item); ok && it.Sized() {
				lines[i].Size = glove
			}
		} else if l.Item == "gloves" {
			lines[i].Size = glove
		}
	}
	return lines, nil
}

// ComingWeeks is how many weeks of its schedule a centre's terminals get.
const ComingWeeks = 4

// comingWeeksTTL is how long a centre's coming weeks are reused between
// pulls: they move slowly, and computing them reads every handover (the
// national size mix).
const comingWeeksTTL = 10 * time.Minute

type weeksEntry struct {
	at    time.Time
	day   pickup.Date
	weeks []pickup.WeekPlan
}

// weeksCache keeps each centre's coming weeks for comingWeeksTTL. While
// they are computed, the other pulls of the centre wait for that one
// computation (busy) instead of each reading the centre's rows: the first
// pulls of a burst of terminals would otherwise all compute them.
type weeksCache struct {
	mu   sync.Mutex
	m    map[string]weeksEntry
	busy map[string]chan struct{}
}

var comingWeeksCache weeksCache

// comingWeeks returns the centre's coming weeks for its terminals' pulls,
// or nil when they cannot be computed (a pull never fails for them).
func (reg *Registry) comingWeeks(ctx context.Context, centreID string) []pickup.WeekPlan {
	key := reg.path + "\x00" + centreID
	c := &comingWeeksCache
	for {
		now := reg.now()
		c.mu.Lock()
		e, ok := c.m[key]
		if ok && now.Sub(e.at) < comingWeeksTTL && now.Sub(e.at) >= 0 && e.day == pickup.DateOf(now) {
			c.mu.Unlock()
			return e.weeks
		}
		wait, computing := c.busy[key]
		if !computing {
			if c.busy == nil {
				c.busy = map[string]chan struct{}{}
			}
			c.busy[key] = make(chan struct{})
		}
		c.mu.Unlock()
		if computing {
			select {
			case <-wait:
				continue // computed (or failed: then this pull tries)
			case <-ctx.Done():
				return nil
			}
		}
		weeks, err := reg.CentreWeeks(ctx, centreID)
		c.mu.Lock()
		close(c.busy[key])
		delete(c.busy, key)
		if err == nil {
			if c.m == nil {
				c.m = map[string]weeksEntry{}
			}
			c.m[key] = weeksEntry{at: now, day: pickup.DateOf(now), weeks: weeks}
		}
		c.mu.Unlock()
		if err != nil {
			reg.Log.Warn("coming weeks not computed", "centre", centreID, "err", err)
			return nil
		}
		return weeks
	}
}

// CentreWeeks returns a centre's schedule for this week and the next
// ComingWeeks-1, as its counters show it.
func (reg *Registry) CentreWeeks(ctx context.Context, centreID string) ([]pickup.WeekPlan, error) {
	sch, err := reg.Schedule(ctx, ScheduleOptions{Weeks: ComingWeeks, CentreID: centreID})
	if err != nil {
		return nil, err
	}
	out := make([]pickup.WeekPlan, 0, len(sch.Weeks))
	for _, wk := range sch.Weeks {
		wp := pickup.WeekPlan{Week: wk.Week, Start: wk.Start, End: wk.End, Pace: SpreadEven, Groups: []pickup.GroupPlan{}, Items: []pickup.Line{}}
		for _, c := range wk.Centres {
			wp.Parcels, wp.Pace = c.Parcels, c.Pace
			for _, g := range c.Groups {
				wp.Groups = append(wp.Groups, pickup.GroupPlan{Campaign: g.Campaign, Profession: g.Profession, Window: g.Window, Parcels: g.Parcels})
			}
			for _, it := range c.Items {
				wp.Items = append(wp.Items, pickup.Line{Item: it.Item, Size: it.Size, Qty: it.Qty})
			}
		}
		out = append(out, wp)
	}
	return out, nil
}
