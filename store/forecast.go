package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// WarnDays is how far ahead the counter warns of an item or size running
// out.
const WarnDays = 7

// Forecast returns the shortage forecast of this centre, per item and
// size (the rule is pickup.ForecastShortage's): the parcels still expected
// here — status expected, no handover recorded at any counter of the
// centre, window not over — by campaign, parcel kind, profession and
// window (read from pickup_groups, kept by triggers: it costs the groups,
// not the pickups); the centre stock (this counter's and the others'
// facts); the shipments in transit (sent by the registry, not received);
// the glove sizes chosen so far at the centre, the registry's plan's split
// (the coming weeks) as the fallback; and the centre's handovers by day of
// the week.
func (s *Store) Forecast(ctx context.Context) (pickup.Forecast, error) {
	fc, err := s.forecast(ctx)
	if err != nil {
		return pickup.Forecast{}, fmt.Errorf("forecast: %w", err)
	}
	return fc, nil
}

func (s *Store) forecast(ctx context.Context) (pickup.Forecast, error) {
	id, err := s.Identity(ctx)
	if err != nil {
		return pickup.Forecast{}, err
	}
	today := s.Today()
	in := pickup.ForecastInput{Today: today, InTransit: map[[2]string]int{}, SizesSeen: map[string]int{}}
	stock, err := s.Stock(ctx)
	if err != nil {
		return pickup.Forecast{}, err
	}
	for _, l := range stock {
		in.Lines = append(in.Lines, pickup.Line{Item: l.Item, Size: l.Size, Qty: l.Qty})
	}

	type group struct {
		campaign, kind, prof, start, end string
		n                                int
	}
	scan := func(r sqlkit.Scanner) (group, error) {
		var g group
		err := r.Scan(&g.campaign, &g.kind, &g.prof, &g.start, &g.end, &g.n)
		return g, err
	}
	end := today.String()
	groups, err := sqlkit.Query(ctx, s.db, scan, `SELECT campaign_id, parcel_kind, profession, window_start, window_end, n
		FROM pickup_groups WHERE centre_id = ? AND status = ? AND window_end >= ? AND n > 0`, id.Centre.ID, string(pickup.StatusExpected), end)
	if err != nil {
		return pickup.Forecast{}, err
	}
	// Handed over already (here or at another counter) though the list
	// still says expected: not expected any more.
	taken, err := sqlkit.Query(ctx, s.db, scan, `SELECT p.campaign_id, p.parcel_kind, p.profession, p.window_start, p.window_end, count(DISTINCT p.code)
		FROM redemptions r CROSS JOIN pickups p ON p.code = r.code -- redemptions first: few, each finds its pickup by code
		WHERE r.undone_by = '' AND p.centre_id = ? AND p.status = ? AND p.window_end >= ?
		GROUP BY p.campaign_id, p.parcel_kind, p.profession, p.window_start, p.window_end`, id.Centre.ID, string(pickup.StatusExpected), end)
	if err != nil {
		return pickup.Forecast{}, err
	}
	type gkey struct{ campaign, kind, prof, start, end string }
	left := map[gkey]int{}
	var order []gkey
	for _, g := range groups {
		k := gkey{g.campaign, g.kind, g.prof, g.start, g.end}
		if _, ok := left[k]; !ok {
			order = append(order, k)
		}
		left[k] += g.n
	}
	for _, g := range taken {
		left[gkey{g.campaign, g.kind, g.prof, g.start, g.end}] -= g.n
	}
	camps := map[string]*pickup.Campaign{}
	for _, k := range order {
		n := left[k]
		if n <= 0 {
			continue
		}
		cid := k.campaign
		if cid == "" {
			cid = id.CampaignID
		}
		c, ok := camps[cid]
		if !ok {
			if c, err = campaign(ctx, s.db, cid); err != nil {
				return pickup.Forecast{}, fmt.Errorf("campaign %q of expected pickups: %w", cid, err)
			}
			camps[cid] = c
		}
		ws, err1 := pickup.ParseDate(k.start)
		we, err2 := pickup.ParseDate(k.end)
		if err1 != nil || err2 != nil {
			continue // the list's rows are checked on the way in
		}
		in.Groups = append(in.Groups, pickup.ExpectedGroup{Campaign: c, Kind: k.kind, Profession: k.prof,
			Window: pickup.Window{Start: ws, End: we}, Parcels: n})
	}

	type count struct {
		key string
		n   int
	}
	scanCount := func(r sqlkit.Scanner) (count, error) {
		var c count
		err := r.Scan(&c.key, &c.n)
		return c, err
	}
	sizes, err := sqlkit.Query(ctx, s.db, scanCount, `SELECT glove_size, count(*) FROM redemptions
		WHERE centre_id = ? AND undone_by = '' AND glove_size <> '' GROUP BY glove_size`, id.Centre.ID)
	if err != nil {
		return pickup.Forecast{}, err
	}
	for _, c := range sizes {
		in.SizesSeen[c.key] = c.n
	}
	// By the hour (UTC), turned into the centre's day of the week here.
	hours, err := sqlkit.Query(ctx, s.db, scanCount, `SELECT substr(at, 1, 13), count(*) FROM redemptions
		WHERE centre_id = ? AND undone_by = '' GROUP BY substr(at, 1, 13)`, id.Centre.ID)
	if err != nil {
		return pickup.Forecast{}, err
	}
	for _, h := range hours {
		t, err := time.Parse("2006-01-02T15", h.key)
		if err != nil {
			continue
		}
		in.Weekdays[t.In(s.Loc).Weekday()] += h.n
	}
	type transit struct {
		item, size string
		n          int
	}
	ships, err := sqlkit.Query(ctx, s.db, func(r sqlkit.Scanner) (transit, error) {
		var t transit
		err := r.Scan(&t.item, &t.size, &t.n)
		return t, err
	}, "SELECT item, size, sum(qty) FROM shipments WHERE received_by = '' GROUP BY item, size")
	if err != nil {
		return pickup.Forecast{}, err
	}
	for _, t := range ships {
		in.InTransit[[2]string{t.item, t.size}] += t.n
	}
	weeks, err := s.ComingWeeks(ctx)
	if err != nil {
		return pickup.Forecast{}, err
	}
	for _, w := range weeks {
		for _, l := range w.Items {
			if l.Size == "" {
				continue
			}
			if in.PlanMix == nil {
				in.PlanMix = map[string]map[string]int{}
			}
			if in.PlanMix[l.Item] == nil {
				in.PlanMix[l.Item] = map[string]int{}
			}
			in.PlanMix[l.Item][l.Size] += l.Qty
		}
	}
	return pickup.ForecastShortage(in)
}
