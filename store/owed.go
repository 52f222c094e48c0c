package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// OwedFigures are the centre's owed items (see pickup.Owing): handovers
// that left items owed because every glove size was out, the owed
// handovers that settled them later, and what is still owed.
type OwedFigures struct {
	// Recorded counts the handovers in the period (not undone) that left
	// items owed; Delivered the owed handovers in the period.
	Recorded  int `json:"recorded"`
	Delivered int `json:"delivered"`
	// Outstanding counts the codes whose owed items are still to hand
	// over, now (whatever the period); Doubles the codes whose owed items
	// were handed over more than once (each is also a conflict).
	Outstanding int `json:"outstanding"`
	Doubles     int `json:"doubles"`
	// Items gives the same in units, per item.
	Items []OwedItem `json:"items,omitempty"`
}

// OwedItem is the owed units of one item.
type OwedItem struct {
	Item        string `json:"item"`
	Recorded    int    `json:"recorded"`
	Delivered   int    `json:"delivered"`
	Outstanding int    `json:"outstanding"`
}

// Owed returns the centre's owed figures: what was recorded owed and
// handed over in [from, to) (a zero to: no end), and what is still owed
// now. It reads the handovers that owe (few) and the owed handovers.
func (s *Store) Owed(ctx context.Context, from, to time.Time) (OwedFigures, error) {
	var out OwedFigures
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	in := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }
	type row struct {
		code pickup.Code
		c    pickup.Collection
	}
	read := func(query string) ([]row, error) {
		return sqlkit.Query(ctx, s.db, func(r sqlkit.Scanner) (row, error) {
			var x row
			var at, lines string
			if err := r.Scan(&x.code, &x.c.EventID, &at, &x.c.GloveSize, &lines); err != nil {
				return x, err
			}
			x.c.At = parseTime(at)
			var err error
			x.c.Owed, err = decodeLines(lines)
			return x, err
		}, query)
	}
	owing, err := read("SELECT code, event_id, at, glove_size, owed FROM redemptions WHERE owed <> '' AND undone_by = '' ORDER BY at")
	if err != nil {
		return out, fmt.Errorf("owed figures: %w", err)
	}
	// An owed handover's lines stand in Owed here: what it gave.
	delivered, err := read("SELECT code, event_id, at, glove_size, items FROM owed_deliveries ORDER BY at, event_id")
	if err != nil {
		return out, fmt.Errorf("owed figures: %w", err)
	}
	items := map[string]*OwedItem{}
	item := func(id string) *OwedItem {
		if items[id] == nil {
			items[id] = &OwedItem{Item: id}
		}
		return items[id]
	}
	// tally groups rows by code and adds those in the period to n and,
	// per item, to the field units picks.
	tally := func(rows []row, n *int, units func(*OwedItem) *int) map[pickup.Code][]pickup.Collection {
		by := map[pickup.Code][]pickup.Collection{}
		for _, x := range rows {
			by[x.code] = append(by[x.code], x.c)
			if in(x.c.At) {
				*n++
				for _, l := range x.c.Owed {
					*units(item(l.Item)) += l.Qty
				}
			}
		}
		return by
	}
	handovers := tally(owing, &out.Recorded, func(it *OwedItem) *int { return &it.Recorded })
	deliveries := tally(delivered, &out.Delivered, func(it *OwedItem) *int { return &it.Delivered })
	for code, hs := range handovers {
		if lines := pickup.OwedNow(hs, deliveries[code]); len(lines) > 0 {
			out.Outstanding++
			for _, l := range lines {
				item(l.Item).Outstanding += l.Qty
			}
		}
	}
	for _, ds := range deliveries {
		if len(ds) > 1 {
			out.Doubles++
		}
	}
	for _, it := range items {
		out.Items = append(out.Items, *it)
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].Item < out.Items[j].Item })
	return out, nil
}
