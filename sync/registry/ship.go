package registry

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// knownItems gathers the items of every campaign, by id.
func (reg *Registry) knownItems(ctx context.Context) (map[string]pickup.Item, error) {
	items := map[string]pickup.Item{}
	err := sqlkit.Each(ctx, reg.r, func(rows *sql.Rows) error {
		var def string
		if err := rows.Scan(&def); err != nil {
			return err
		}
		c, err := campaignJSON(def)
		if err != nil {
			return err
		}
		for _, it := range c.Items {
			if old, ok := items[it.ID]; ok && len(old.Sizes) >= len(it.Sizes) {
				continue
			}
			items[it.ID] = it
		}
		return nil
	}, "SELECT definition FROM campaigns ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read campaigns: %w", err)
	}
	return items, nil
}

// MaxShipmentQty bounds one shipment, in units.
const MaxShipmentQty = 100_000_000

// Ship records stock sent to a centre. Sized items (gloves) need a size
// among the item's sizes; unsized items take none.
func (reg *Registry) Ship(ctx context.Context, s protocol.Shipment) (protocol.Shipment, error) {
	if _, err := reg.Centre(ctx, s.CentreID); err != nil {
		return s, fmt.Errorf("ship: %w", err)
	}
	items, err := reg.knownItems(ctx)
	if err != nil {
		return s, err
	}
	if err := checkShipment(s, items); err != nil {
		return s, err
	}
	err = reg.write(ctx, func(tx *wtx) error {
		s, err = reg.insertShipment(ctx, tx, s)
		return err
	})
	if err != nil {
		return s, fmt.Errorf("ship: %w", err)
	}
	reg.Log.Info("shipment recorded", "centre", s.CentreID, "item", s.Item, "size", s.Size, "qty", s.Qty)
	return s, nil
}

func checkShipment(s protocol.Shipment, items map[string]pickup.Item) error {
	it, ok := items[s.Item]
	if !ok {
		ids := make([]string, 0, len(items))
		for id := range items {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return fmt.Errorf("ship: %w: item %q unknown (have %s)", ErrRefused, s.Item, strings.Join(ids, ", "))
	}
	switch {
	case it.Sized() && !slices.Contains(it.Sizes, s.Size):
		return fmt.Errorf("ship: %w: %s needs --size, one of %s", ErrRefused, s.Item, strings.Join(it.Sizes, ", "))
	case !it.Sized() && s.Size != "":
		return fmt.Errorf("ship: %w: %s has no sizes", ErrRefused, s.Item)
	case s.Qty <= 0 || s.Qty > MaxShipmentQty:
		return fmt.Errorf("ship: %w: quantity %d: want 1 to %d units", ErrRefused, s.Qty, MaxShipmentQty)
	}
	if err := checkText("ref", s.Ref, false); err != nil {
		return fmt.Errorf("ship: %w: %v", ErrRefused, err)
	}
	return nil
}

// insertShipment stores a checked shipment with a fresh id.
func (reg *Registry) insertShipment(ctx context.Context, tx *wtx, s protocol.Shipment) (protocol.Shipment, error) {
	var b [8]byte
	if _, err := io.ReadFull(reg.Rand, b[:]); err != nil {
		return s, err
	}
	id := make([]byte, 0, 13)
	id = append(id, "ship-"...)
	for _, c := range b {
		id = append(id, pickup.Alphabet[c&31])
	}
	s.ID = string(id)
	s.SentAt = reg.now()
	s.Seq = tx.next()
	_, err := tx.ExecContext(ctx, "INSERT INTO shipments (id, centre_id, item, size, qty, ref, sent_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		s.ID, s.CentreID, s.Item, s.Size, s.Qty, s.Ref, fmtTime(s.SentAt), s.Seq)
	return s, err
}
