package registry

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// StockPosition is what a centre has of an item (and size): on hand, as
// its terminals last reported it, and in transit, shipped by the registry
// and not yet received.
type StockPosition struct {
	Item      string `json:"item"`
	Size      string `json:"size,omitempty"`
	OnHand    int    `json:"on_hand"`
	InTransit int    `json:"in_transit"`
}

// PlanLine is one item (and size) of a centre's week in the shipment plan.
type PlanLine struct {
	Item string `json:"item"`
	Size string `json:"size,omitempty"`
	// Need is what the week's expected parcels need (the schedule).
	Need int `json:"need"`
	// Available is what the centre has at the start of the week: on hand
	// and in transit, plus the plan's earlier shipments, minus the earlier
	// weeks' needs.
	Available int `json:"available"`
	// Ship is the quantity to send for the week: the shortfall, rounded
	// up to whole boxes where the campaign ships boxes.
	Ship int `json:"ship"`
	Box  int `json:"box_size,omitempty"`
}

// CentrePlanWeek is a centre's week in the plan.
type CentrePlanWeek struct {
	CentreID   string     `json:"centre_id"`
	CentreName string     `json:"centre_name"`
	Lines      []PlanLine `json:"lines"`
}

// PlanWeek is one week of the plan.
type PlanWeek struct {
	Week    string           `json:"week"`
	Start   pickup.Date      `json:"start"`
	End     pickup.Date      `json:"end"`
	Centres []CentrePlanWeek `json:"centres"`
}

// CentreStock is a centre's stock when the plan was made.
type CentreStock struct {
	CentreID string          `json:"centre_id"`
	Stock    []StockPosition `json:"stock"`
}

// Plan is the shipment plan: per week and centre, what to ship so that the
// expected parcels are covered. Its weeks start with this week, whatever
// ScheduleOptions.From says, because stock is used up from today on; only
// the weeks from From on are listed.
type Plan struct {
	GeneratedAt time.Time     `json:"generated_at"`
	Today       pickup.Date   `json:"today"`
	From        pickup.Date   `json:"from"`
	To          pickup.Date   `json:"to"`
	Stock       []CentreStock `json:"stock"`
	Weeks       []PlanWeek    `json:"weeks"`
}

// ShipmentPlan computes the plan for the weeks of opt.
func (reg *Registry) ShipmentPlan(ctx context.Context, opt ScheduleOptions) (*Plan, error) {
	today := pickup.DateOf(reg.now())
	from := Monday(opt.From)
	if opt.From.IsZero() {
		from = Monday(today)
	}
	weeks := opt.Weeks
	if weeks == 0 {
		weeks = DefaultScheduleWeeks
	}
	if weeks < 1 || weeks > MaxScheduleWeeks {
		return nil, fmt.Errorf("shipment plan: %w: --weeks %d: want 1 to %d", ErrRefused, weeks, MaxScheduleWeeks)
	}
	to := from.AddDays(7*weeks - 1)
	start := minDate(from, Monday(today))
	all := int(dayNum(to)-dayNum(start)+1) / 7
	if all > MaxScheduleWeeks {
		return nil, fmt.Errorf("shipment plan: %w: %s is more than %d weeks away", ErrRefused, to, MaxScheduleWeeks)
	}
	sch, err := reg.Schedule(ctx, ScheduleOptions{From: start, Weeks: all, CentreID: opt.CentreID})
	if err != nil {
		return nil, fmt.Errorf("shipment plan: %w", err)
	}
	stock, err := reg.StockPositions(ctx, opt.CentreID)
	if err != nil {
		return nil, fmt.Errorf("shipment plan: %w", err)
	}
	plan := &Plan{GeneratedAt: sch.GeneratedAt, Today: today, From: from, To: to, Stock: []CentreStock{}, Weeks: []PlanWeek{}}
	// available[centre][item, size] runs through the weeks.
	available := map[string]map[[2]string]int{}
	names := map[string]string{}
	for _, cs := range stock {
		m := map[[2]string]int{}
		for _, p := range cs.Stock {
			m[[2]string{p.Item, p.Size}] = p.OnHand + p.InTransit
		}
		available[cs.CentreID] = m
	}
	shown := map[string]bool{}
	for _, wk := range sch.Weeks {
		pw := PlanWeek{Week: wk.Week, Start: wk.Start, End: wk.End, Centres: []CentrePlanWeek{}}
		for _, cw := range wk.Centres {
			names[cw.CentreID] = cw.CentreName
			avail := available[cw.CentreID]
			if avail == nil {
				avail = map[[2]string]int{}
				available[cw.CentreID] = avail
			}
			cp := CentrePlanWeek{CentreID: cw.CentreID, CentreName: cw.CentreName, Lines: []PlanLine{}}
			for _, need := range cw.Items {
				k := [2]string{need.Item, need.Size}
				l := PlanLine{Item: need.Item, Size: need.Size, Need: need.Qty, Available: avail[k], Box: need.Box}
				if short := l.Need - l.Available; short > 0 {
					l.Ship = pickup.RoundUpToBox(short, l.Box)
				}
				avail[k] = l.Available + l.Ship - l.Need
				cp.Lines = append(cp.Lines, l)
			}
			pw.Centres = append(pw.Centres, cp)
			shown[cw.CentreID] = true
		}
		if !wk.Start.Before(from) {
			plan.Weeks = append(plan.Weeks, pw)
		}
	}
	for _, cs := range stock {
		if shown[cs.CentreID] || opt.CentreID != "" {
			plan.Stock = append(plan.Stock, cs)
		}
	}
	return plan, nil
}

// StockPositions returns each centre's stock on hand and in transit, per
// item and size, from what the registry holds, by the rule the centre's
// counters keep (store/centre.go): the centre's last physical count of the
// item, at whichever counter (none: zero), plus the receptions and minus
// the handovers and losses recorded after that count at any of its counters, never
// below zero, a shipment counted once (its earliest reception); and the
// shipments no reception refers to yet (a terminal receiving a shipment
// records "shipment ID" as its reference).
func (reg *Registry) StockPositions(ctx context.Context, centreID string) ([]CentreStock, error) {
	type tk struct{ terminal, centre, item, size string }
	type count struct {
		at  string
		qty int
	}
	counts := map[tk]count{}
	onHand := map[tk]int{}
	inTransit := map[[3]string]int{}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		campaigns, err := campaignsByID(ctx, tx)
		if err != nil {
			return err
		}
		filter, args := "", []any{}
		if centreID != "" {
			filter, args = " AND centre_id = ?", []any{centreID}
		}
		// The partial index of facts other than handovers serves these.
		facts := func(q string, fn func(*sql.Rows) error) error { return eachRowArgs(ctx, tx, q, args, fn) }
		if err := facts(`SELECT terminal_id, centre_id, item, coalesce(size, ''), at, qty FROM events
			WHERE type <> 'handover' AND type = 'stock_count' AND flag = ''`+filter+` ORDER BY at, id`, func(r *sql.Rows) error {
			var k tk
			var c count
			if err := r.Scan(&k.terminal, &k.centre, &k.item, &k.size, &c.at, &c.qty); err != nil {
				return err
			}
			k.terminal = "" // the centre's stock, whichever counter counted
			counts[k] = c   // the last one wins
			return nil
		}); err != nil {
			return fmt.Errorf("stock counts: %w", err)
		}
		for k, c := range counts {
			onHand[k] = c.qty
		}
		received := map[string]bool{}
		// Receptions, and losses (taken off by the same rule).
		if err := facts(`SELECT terminal_id, centre_id, item, coalesce(size, ''), at, qty, coalesce(ref, ''), type FROM events
			WHERE type <> 'handover' AND type IN ('stock_receive', 'stock_loss') AND flag = ''`+filter+` ORDER BY at, id`, func(r *sql.Rows) error {
			var k tk
			var at, ref, typ string
			var qty int
			if err := r.Scan(&k.terminal, &k.centre, &k.item, &k.size, &at, &qty, &ref, &typ); err != nil {
				return err
			}
			k.terminal = ""
			if typ == string(pickup.EventStockLoss) {
				qty, ref = -qty, ""
			}
			if id, ok := strings.CutPrefix(ref, "shipment "); ok && id != "" {
				if received[k.centre+"\x00"+id] {
					return nil // received at another counter first: it counts once
				}
				received[k.centre+"\x00"+id] = true
			}
			if c, ok := counts[k]; !ok || at > c.at {
				onHand[k] += qty
			}
			return nil
		}); err != nil {
			return fmt.Errorf("stock receptions: %w", err)
		}
		hfilter := ""
		if centreID != "" {
			hfilter = " AND e.centre_id = ?"
		}
		rows, err := tx.QueryContext(ctx, `SELECT e.terminal_id, e.centre_id, e.at, e.items, e.glove_size,
				coalesce(p.campaign_id, ''), coalesce(p.parcel_kind, ''), coalesce(p.profession, '')
			FROM events e LEFT JOIN pickups p ON p.code = e.code WHERE e.type = 'handover' AND e.undone = 0 AND e.flag = ''`+hfilter, args...)
		if err != nil {
			return fmt.Errorf("handovers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var terminal, centre, at, itemsJSON, glove, camp, kind, prof string
			if err := rows.Scan(&terminal, &centre, &at, &itemsJSON, &glove, &camp, &kind, &prof); err != nil {
				return fmt.Errorf("handovers: %w", err)
			}
			lines, err := resolveLines(itemsJSON, glove, campaigns[camp], kind, prof)
			if err != nil {
				return fmt.Errorf("handovers: %w", err)
			}
			for _, l := range lines {
				k := tk{"", centre, l.Item, l.Size}
				if c, ok := counts[k]; !ok || at > c.at {
					onHand[k] -= l.Qty
				}
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("handovers: %w", err)
		}
		rows.Close()
		return eachRowArgs(ctx, tx, "SELECT id, centre_id, item, size, qty FROM shipments WHERE 1 = 1"+filter, args, func(r *sql.Rows) error {
			var id, centre, item, size string
			var qty int
			if err := r.Scan(&id, &centre, &item, &size, &qty); err != nil {
				return err
			}
			if !received[centre+"\x00"+id] {
				inTransit[[3]string{centre, item, size}] += qty
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	byCentre := map[string]map[[2]string]*StockPosition{}
	pos := func(centre, item, size string) *StockPosition {
		m := byCentre[centre]
		if m == nil {
			m = map[[2]string]*StockPosition{}
			byCentre[centre] = m
		}
		k := [2]string{item, size}
		if m[k] == nil {
			m[k] = &StockPosition{Item: item, Size: size}
		}
		return m[k]
	}
	for k, n := range onHand {
		pos(k.centre, k.item, k.size).OnHand += max(n, 0)
	}
	for k, n := range inTransit {
		pos(k[0], k[1], k[2]).InTransit += n
	}
	out := []CentreStock{}
	for c, m := range byCentre {
		cs := CentreStock{CentreID: c}
		for _, p := range m {
			cs.Stock = append(cs.Stock, *p)
		}
		sort.Slice(cs.Stock, func(i, j int) bool {
			a, b := cs.Stock[i], cs.Stock[j]
			if a.Item != b.Item {
				return a.Item < b.Item
			}
			return sizeRank(a.Size) < sizeRank(b.Size)
		})
		out = append(out, cs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CentreID < out[j].CentreID })
	return out, nil
}

// PlannedShipment is a shipment `ship --plan` records (or would).
type PlannedShipment = protocol.Shipment

// PlanShipments returns the shipments that bring every centre (or one) up
// to the plan through the week starting on monday: the plan's lines of
// this week up to that week, added up per centre, item and size. Recording
// them (ShipPlan) puts them in transit, so the next plan counts them.
func (reg *Registry) PlanShipments(ctx context.Context, monday pickup.Date, centreID string) ([]PlannedShipment, *Plan, error) {
	today := pickup.DateOf(reg.now())
	monday = Monday(monday)
	if monday.Before(Monday(today)) {
		return nil, nil, fmt.Errorf("shipment plan: %w: week %s is over (this week is %s)", ErrRefused, ISOWeek(monday), ISOWeek(today))
	}
	first := Monday(today)
	weeks := int(dayNum(monday)-dayNum(first))/7 + 1
	plan, err := reg.ShipmentPlan(ctx, ScheduleOptions{From: first, Weeks: weeks, CentreID: centreID})
	if err != nil {
		return nil, nil, err
	}
	type key struct{ centre, item, size string }
	sum := map[key]int{}
	var order []key
	for _, wk := range plan.Weeks {
		for _, c := range wk.Centres {
			for _, l := range c.Lines {
				if l.Ship <= 0 {
					continue
				}
				k := key{c.CentreID, l.Item, l.Size}
				if _, ok := sum[k]; !ok {
					order = append(order, k)
				}
				sum[k] += l.Ship
			}
		}
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.centre != b.centre {
			return a.centre < b.centre
		}
		if a.item != b.item {
			return a.item < b.item
		}
		return sizeRank(a.size) < sizeRank(b.size)
	})
	out := []PlannedShipment{}
	for _, k := range order {
		out = append(out, PlannedShipment{CentreID: k.centre, Item: k.item, Size: k.size, Qty: sum[k], Ref: "plan " + ISOWeek(monday)})
	}
	return out, plan, nil
}

// ShipPlan records the shipments in one transaction: all of them or none.
func (reg *Registry) ShipPlan(ctx context.Context, shipments []PlannedShipment) ([]protocol.Shipment, error) {
	items, err := reg.knownItems(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range shipments {
		if _, err := reg.Centre(ctx, s.CentreID); err != nil {
			return nil, fmt.Errorf("ship plan: %w", err)
		}
		if err := checkShipment(s, items); err != nil {
			return nil, fmt.Errorf("ship plan: %s: %w", s.CentreID, err)
		}
	}
	out := make([]protocol.Shipment, 0, len(shipments))
	err = reg.write(ctx, func(tx *wtx) error {
		for _, s := range shipments {
			rec, err := reg.insertShipment(ctx, tx, s)
			if err != nil {
				return err
			}
			out = append(out, rec)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ship plan: %w", err)
	}
	reg.Log.Info("shipment plan recorded", "shipments", len(out))
	return out, nil
}
