package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// ShipmentState says where a shipment stands.
type ShipmentState string

// Shipment states.
const (
	// ShipmentInTransit: sent, no terminal of the centre has received it.
	ShipmentInTransit ShipmentState = "in_transit"
	// ShipmentReceived: received once, at its centre, as sent.
	ShipmentReceived ShipmentState = "received"
	// ShipmentDiscrepancy: received otherwise than sent — another
	// quantity, item or size, at another centre, or more than once (two
	// counters each received it offline).
	ShipmentDiscrepancy ShipmentState = "discrepancy"
)

// Reception is a terminal's record that a shipment arrived.
type Reception struct {
	EventID    string    `json:"event_id"`
	TerminalID string    `json:"terminal_id"`
	CentreID   string    `json:"centre_id"`
	Item       string    `json:"item"`
	Size       string    `json:"size,omitempty"`
	Qty        int       `json:"qty"`
	At         time.Time `json:"at"`
	// Reason says why the quantity differs from what was sent (the
	// terminal requires one then).
	Reason string `json:"reason,omitempty"`
}

// ShipmentStatus is a shipment with what the centre's terminals recorded
// of it.
type ShipmentStatus struct {
	protocol.Shipment
	State      ShipmentState `json:"state"`
	Received   int           `json:"received"` // units recorded as received
	Receptions []Reception   `json:"receptions"`
	// Discrepancies say what differs, for ShipmentDiscrepancy.
	Discrepancies []string `json:"discrepancies"`
	// Days counts the days since it was sent (in transit) or until it was
	// first received.
	Days int `json:"days"`
}

// ShipmentFilter chooses shipments; empty fields match all.
type ShipmentFilter struct {
	CentreID string
	State    ShipmentState
}

// Shipments lists shipments, newest first, with their receptions and
// state.
func (reg *Registry) Shipments(ctx context.Context, f ShipmentFilter) ([]ShipmentStatus, error) {
	switch f.State {
	case "", ShipmentInTransit, ShipmentReceived, ShipmentDiscrepancy:
	default:
		return nil, fmt.Errorf("shipments: %w: state %q: want in_transit, received or discrepancy", ErrRefused, f.State)
	}
	if f.CentreID != "" {
		if _, err := reg.Centre(ctx, f.CentreID); err != nil {
			return nil, fmt.Errorf("shipments: %w", err)
		}
	}
	out := []ShipmentStatus{}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		byID := map[string]int{}
		if err := eachRowArgs(ctx, tx, `SELECT id, centre_id, item, size, qty, ref, sent_at, seq FROM shipments
			WHERE ? = '' OR centre_id = ? ORDER BY sent_at DESC, id`, []any{f.CentreID, f.CentreID}, func(r *sql.Rows) error {
			var s ShipmentStatus
			if err := r.Scan(&s.ID, &s.CentreID, &s.Item, &s.Size, &s.Qty, &s.Ref, timeIn(&s.SentAt), &s.Seq); err != nil {
				return err
			}
			s.Receptions, s.Discrepancies = []Reception{}, []string{}
			byID[s.ID] = len(out)
			out = append(out, s)
			return nil
		}); err != nil {
			return err
		}
		// A terminal receives a shipment with a stock reception whose
		// reference is "shipment ID".
		return eachRow(ctx, tx, `SELECT id, terminal_id, centre_id, item, coalesce(size, ''), coalesce(qty, 0), at, substr(ref, 10), coalesce(reason, '')
			FROM events WHERE type = 'stock_receive' AND ref LIKE 'shipment %' ORDER BY at, id`, func(r *sql.Rows) error {
			var rc Reception
			var id string
			if err := r.Scan(&rc.EventID, &rc.TerminalID, &rc.CentreID, &rc.Item, &rc.Size, &rc.Qty, timeIn(&rc.At), &id, &rc.Reason); err != nil {
				return err
			}
			i, ok := byID[strings.TrimSpace(id)]
			if !ok {
				return nil
			}
			out[i].Receptions = append(out[i].Receptions, rc)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("shipments: %w", err)
	}
	now := reg.now()
	kept := out[:0]
	for _, s := range out {
		s.judge(now)
		if f.State == "" || s.State == f.State {
			kept = append(kept, s)
		}
	}
	return kept, nil
}

// judge sets the state, the units received, the discrepancies and the
// days.
func (s *ShipmentStatus) judge(now time.Time) {
	s.State = ShipmentInTransit
	s.Days = int(now.Sub(s.SentAt).Hours() / 24)
	if len(s.Receptions) == 0 {
		return
	}
	s.State = ShipmentReceived
	s.Days = int(s.Receptions[0].At.Sub(s.SentAt).Hours() / 24)
	if s.Days < 0 {
		s.Days = 0
	}
	for _, rc := range s.Receptions {
		s.Received += rc.Qty
		if rc.CentreID != s.CentreID {
			s.Discrepancies = append(s.Discrepancies, fmt.Sprintf("received at centre %s, sent to %s", rc.CentreID, s.CentreID))
		}
		if rc.Item != s.Item || rc.Size != s.Size {
			s.Discrepancies = append(s.Discrepancies, fmt.Sprintf("received as %s, sent as %s", itemSize(rc.Item, rc.Size), itemSize(s.Item, s.Size)))
		}
	}
	if len(s.Receptions) > 1 {
		s.Discrepancies = append(s.Discrepancies, fmt.Sprintf("received %d times (by terminals %s)", len(s.Receptions), terminalsOf(s.Receptions)))
	}
	if s.Received != s.Qty {
		d := fmt.Sprintf("%d units received, %d sent", s.Received, s.Qty)
		for _, rc := range s.Receptions {
			if rc.Reason != "" {
				d += " — " + rc.Reason
			}
		}
		s.Discrepancies = append(s.Discrepancies, d)
	}
	if len(s.Discrepancies) > 0 {
		s.State = ShipmentDiscrepancy
	}
}

func itemSize(item, size string) string {
	if size == "" {
		return item
	}
	return item + " " + size
}

func terminalsOf(rs []Reception) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.TerminalID
	}
	return strings.Join(ids, ", ")
}
