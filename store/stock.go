package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// MaxStockQty bounds one reception or count, to catch a slipped finger.
const MaxStockQty = 10_000_000

// moveStock records one stock movement and applies it to the centre stock
// by the count rule (see applyMove). level is a count's level (nil for any
// other movement).
func moveStock(ctx context.Context, tx *sql.Tx, eventID, kind, item, size string, delta int, level *int, reason, ref string, at time.Time) error {
	var lv any
	if level != nil {
		lv = *level
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock_moves(event_id, kind, item, size, delta, level, reason, ref, at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		eventID, kind, item, size, delta, lv, reason, ref, fmtTime(at)); err != nil {
		return fmt.Errorf("record stock movement: %w", err)
	}
	return applyMove(ctx, tx, kind, item, size, delta, at)
}

func stockOf(ctx context.Context, q querier, item, size string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT qty FROM stock WHERE item = ? AND size = ?", item, size).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read stock: %w", err)
	}
	return n, nil
}

// StockLine is the stock on hand of one item and size.
type StockLine struct {
	Item string `json:"item"`
	Size string `json:"size,omitempty"`
	Qty  int    `json:"qty"`
}

// Key is the line's name in maps: "masks", "gloves-M".
func (l StockLine) Key() string {
	if l.Size == "" {
		return l.Item
	}
	return l.Item + "-" + l.Size
}

// knownItems returns the items of every stored campaign, the terminal's own
// campaign first, without repeats.
func knownItems(ctx context.Context, q querier) ([]pickup.Item, error) {
	own, err := getSetting(ctx, q, KeyCampaignID)
	if err != nil {
		return nil, err
	}
	ids, err := sqlkit.Strings(ctx, q, "SELECT id FROM campaigns ORDER BY id != ?, id", own)
	if err != nil {
		return nil, err
	}
	var out []pickup.Item
	for _, id := range ids {
		c, err := campaign(ctx, q, id)
		if err != nil {
			return nil, err
		}
		for _, it := range c.Items {
			if !slices.ContainsFunc(out, func(o pickup.Item) bool { return o.ID == it.ID }) {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// Stock returns the stock on hand: every item and size of the terminal's
// campaign (zero where nothing was received), then anything else recorded.
func (s *Store) Stock(ctx context.Context) ([]StockLine, error) {
	var items []pickup.Item
	if own, err := getSetting(ctx, s.db, KeyCampaignID); err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	} else if c, err := campaign(ctx, s.db, own); err == nil {
		items = c.Items
	}
	have := map[[2]string]int{}
	extra, err := sqlkit.Query(ctx, s.db, func(row sqlkit.Scanner) (StockLine, error) {
		var l StockLine
		if err := row.Scan(&l.Item, &l.Size, &l.Qty); err != nil {
			return l, err
		}
		have[[2]string{l.Item, l.Size}] = l.Qty
		return l, nil
	}, "SELECT item, size, qty FROM stock ORDER BY item, size")
	if err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	var out []StockLine
	listed := map[[2]string]bool{}
	for _, it := range items {
		sizes := it.Sizes
		if !it.Sized() {
			sizes = []string{""}
		}
		for _, sz := range sizes {
			k := [2]string{it.ID, sz}
			out = append(out, StockLine{it.ID, sz, have[k]})
			listed[k] = true
		}
	}
	for _, l := range extra {
		if !listed[[2]string{l.Item, l.Size}] {
			out = append(out, l)
		}
	}
	return out, nil
}

// StockResult is a recorded reception or count.
type StockResult struct {
	EventID string `json:"event_id"`
	Item    string `json:"item"`
	Size    string `json:"size,omitempty"`
	Delta   int    `json:"delta"`
	OnHand  int    `json:"on_hand"`
}

// checkItem validates an item and size against the known campaigns.
func checkItem(ctx context.Context, q querier, item, size string) (string, error) {
	items, err := knownItems(ctx, q)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(items, func(it pickup.Item) bool { return it.ID == item })
	if i < 0 {
		ids := make([]string, len(items))
		for j, it := range items {
			ids[j] = it.ID
		}
		return "", errorf(CodeUnknownItem, "unknown item %q (items: %s)", item, strings.Join(ids, ", "))
	}
	it := items[i]
	size = strings.ToUpper(strings.TrimSpace(size))
	switch {
	case it.Sized() && size == "":
		return "", errorf(CodeSizeRequired, "%s come in sizes %s: say which", item, strings.Join(it.Sizes, ", "))
	case it.Sized() && !slices.Contains(it.Sizes, size):
		return "", errorf(CodeUnknownSize, "%s have no size %q (sizes: %s)", item, size, strings.Join(it.Sizes, ", "))
	case !it.Sized() && size != "":
		return "", errorf(CodeNotSized, "%s do not come in sizes", item)
	}
	return size, nil
}

// ReceiveStock records stock arriving at the centre.
func (s *Store) ReceiveStock(ctx context.Context, item, size string, qty int, ref string) (StockResult, error) {
	if qty <= 0 || qty > MaxStockQty {
		return StockResult{}, errorf(CodeInvalid, "receive stock: quantity %d: want 1 to %d", qty, MaxStockQty)
	}
	if len(ref) > pickup.MaxNameLen {
		return StockResult{}, errorf(CodeInvalid, "receive stock: reference too long")
	}
	return s.stockEvent(ctx, pickup.EventStockReceive, item, size, qty, "", ref)
}

// CountStock records a physical count: the stock of item and size becomes
// qty, and the difference is kept as an adjustment with its reason.
func (s *Store) CountStock(ctx context.Context, item, size string, qty int, reason string) (StockResult, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case qty < 0 || qty > MaxStockQty:
		return StockResult{}, errorf(CodeInvalid, "count stock: quantity %d: want 0 to %d", qty, MaxStockQty)
	case reason == "":
		return StockResult{}, errorf(CodeReasonRequired, "count stock: a reason is required (e.g. \"weekly count\")")
	case len(reason) > pickup.MaxNameLen:
		return StockResult{}, errorf(CodeInvalid, "count stock: reason too long")
	}
	return s.stockEvent(ctx, pickup.EventStockCount, item, size, qty, reason, "")
}

// RecordLoss records stock lost (damaged, expired, stolen) with its
// reason: the stock of item and size goes down by qty, which may not be
// more than is on hand (a count sets the stock otherwise). It reaches the
// other counters and the registry like a count.
func (s *Store) RecordLoss(ctx context.Context, item, size string, qty int, reason string) (StockResult, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case qty <= 0 || qty > MaxStockQty:
		return StockResult{}, errorf(CodeInvalid, "record loss: quantity %d: want 1 to %d", qty, MaxStockQty)
	case reason == "":
		return StockResult{}, errorf(CodeReasonRequired, "record loss: a reason is required (e.g. \"box damaged by water\")")
	case len(reason) > pickup.MaxNameLen:
		return StockResult{}, errorf(CodeInvalid, "record loss: reason too long")
	}
	var res StockResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sz, err := checkItem(ctx, tx, item, size)
		if err != nil {
			return err
		}
		have, err := stockOf(ctx, tx, item, sz)
		if err != nil {
			return err
		}
		if qty > have {
			return errorf(CodeInvalid, "%d lost but %d on hand: count the stock instead", qty, have)
		}
		res, err = s.stockEventTx(ctx, tx, pickup.EventStockLoss, item, sz, qty, reason, "")
		return err
	})
	if err != nil {
		return StockResult{}, fmt.Errorf("record loss: %w", err)
	}
	return res, nil
}

func (s *Store) stockEvent(ctx context.Context, typ pickup.EventType, item, size string, qty int, reason, ref string) (StockResult, error) {
	var res StockResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.stockEventTx(ctx, tx, typ, item, size, qty, reason, ref)
		return err
	})
	if err != nil {
		return StockResult{}, fmt.Errorf("%s: %w", strings.ReplaceAll(string(typ), "_", " "), err)
	}
	return res, nil
}

func (s *Store) stockEventTx(ctx context.Context, tx *sql.Tx, typ pickup.EventType, item, size string, qty int, reason, ref string) (StockResult, error) {
	var res StockResult
	err := func() error {
		id, err := identity(ctx, tx)
		if err != nil {
			return err
		}
		if size, err = checkItem(ctx, tx, item, size); err != nil {
			return err
		}
		now := s.Now()
		ev := ownEvent(id, now, pickup.Event{Type: typ, Item: item, Size: size, Qty: qty, Reason: reason, Ref: ref})
		if err := appendEvent(ctx, tx, ev); err != nil {
			return err
		}
		delta, err := stockFact(ctx, tx, ev)
		if err != nil {
			return err
		}
		onHand, err := stockOf(ctx, tx, item, size)
		if err != nil {
			return err
		}
		res = StockResult{EventID: ev.ID, Item: item, Size: size, Delta: delta, OnHand: onHand}
		return nil
	}()
	return res, err
}

// Shipment is stock the registry sent to this centre.
type Shipment struct {
	ID       string    `json:"id"`
	Item     string    `json:"item"`
	Size     string    `json:"size,omitempty"`
	Qty      int       `json:"qty"`
	SentAt   time.Time `json:"sent_at"`
	Ref      string    `json:"ref,omitempty"`
	Received bool      `json:"received"`
}

// Shipments lists the shipments the registry sent to this centre, oldest
// first.
func (s *Store) Shipments(ctx context.Context) ([]Shipment, error) {
	out, err := sqlkit.Query(ctx, s.db, func(row sqlkit.Scanner) (Shipment, error) {
		var sh Shipment
		var at string
		err := row.Scan(&sh.ID, &sh.Item, &sh.Size, &sh.Qty, &at, &sh.Ref, &sh.Received)
		sh.SentAt = parseTime(at)
		return sh, err
	}, "SELECT id, item, size, qty, sent_at, ref, received_by != '' FROM shipments ORDER BY sent_at, id")
	if err != nil {
		return nil, fmt.Errorf("list shipments: %w", err)
	}
	return out, nil
}

// ReceiveShipment records the arrival of a shipment as it was sent: a
// stock reception of its items, referenced by the shipment id, once.
func (s *Store) ReceiveShipment(ctx context.Context, id string) (StockResult, error) {
	return s.ReceiveShipmentLine(ctx, id, -1, "")
}

// ReceiveShipmentLine records the arrival of a shipment line with the
// quantity actually received (-1: as sent) and, when it differs from what
// was sent, the reason (required): a short delivery, down to nothing of
// it. The reception goes to the registry with both, which shows the
// shipment received with a discrepancy.
func (s *Store) ReceiveShipmentLine(ctx context.Context, id string, qty int, reason string) (StockResult, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case qty < -1 || qty > MaxStockQty:
		return StockResult{}, errorf(CodeInvalid, "receive shipment: quantity %d: want 0 to %d", qty, MaxStockQty)
	case len(reason) > pickup.MaxNameLen:
		return StockResult{}, errorf(CodeInvalid, "receive shipment: reason too long")
	}
	var res StockResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var sh Shipment
		var received string
		err := tx.QueryRowContext(ctx, "SELECT item, size, qty, received_by FROM shipments WHERE id = ?", id).Scan(&sh.Item, &sh.Size, &sh.Qty, &received)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(CodeNotFound, "shipment %q not found", id)
		}
		if err != nil {
			return err
		}
		if received != "" {
			if term, at := shipmentReceiver(ctx, tx, received); term != "" {
				return errorf(CodeAlreadyReceived, "shipment %s already received at counter %s, %s (event %s)",
					id, term, at.In(s.Loc).Format("2006-01-02 15:04"), received)
			}
			return errorf(CodeAlreadyReceived, "shipment %s already received (event %s)", id, received)
		}
		if qty == -1 {
			qty = sh.Qty
		}
		if qty != sh.Qty && reason == "" {
			return errorf(CodeReasonRequired, "shipment %s: %d received, %d sent: say why (e.g. \"one box missing\")", id, qty, sh.Qty)
		}
		// stockFact marks it received.
		res, err = s.stockEventTx(ctx, tx, pickup.EventStockReceive, sh.Item, sh.Size, qty, reason, pickup.ShipmentRefPrefix+id)
		return err
	})
	if err != nil {
		return StockResult{}, fmt.Errorf("receive shipment: %w", err)
	}
	return res, nil
}

// Movement kinds, as StockMove.Kind says them.
const (
	MoveReception = "reception"
	MoveHandover  = "handover"
	MoveUndo      = "undo"
	MoveCount     = "count"
	MoveLoss      = "loss"
)

// StockMove is one line of the stock movement history.
type StockMove struct {
	EventID    string    `json:"event_id"`
	At         time.Time `json:"at"`
	TerminalID string    `json:"terminal_id"`
	Local      bool      `json:"local"` // recorded at this counter
	Kind       string    `json:"kind"`  // reception, handover, undo, count or loss
	Item       string    `json:"item"`
	Size       string    `json:"size,omitempty"`
	Delta      int       `json:"delta"`           // the change it made (0: absorbed, or a shipment received twice)
	Level      *int      `json:"level,omitempty"` // a count's level
	Reason     string    `json:"reason,omitempty"`
	Ref        string    `json:"ref,omitempty"`
}

// MovesFilter chooses movements; Limit 0 is 200.
type MovesFilter struct {
	Handovers bool // list handovers and undos too (there are many)
	Limit     int
}

// StockMoves lists the stock movements of the centre as this counter knows
// them, newest first: receptions, counts and losses (and handovers when
// asked), at any counter, with who recorded them.
func (s *Store) StockMoves(ctx context.Context, f MovesFilter) ([]StockMove, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	kinds := "'reception', 'count', 'loss'"
	if f.Handovers {
		kinds += ", 'handover', 'undo'"
	}
	id, err := identity(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("stock movements: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.event_id, m.at, coalesce(f.terminal_id, ''), m.kind, m.item, m.size, m.delta, m.level, m.reason, m.ref
		FROM stock_moves m LEFT JOIN foreign_facts f ON f.event_id = m.event_id
		WHERE m.kind IN (`+kinds+`) ORDER BY m.at DESC, m.id DESC LIMIT ?`, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("stock movements: %w", err)
	}
	defer rows.Close()
	var out []StockMove
	for rows.Next() {
		var m StockMove
		var at string
		var level sql.NullInt64
		if err := rows.Scan(&m.EventID, &at, &m.TerminalID, &m.Kind, &m.Item, &m.Size, &m.Delta, &level, &m.Reason, &m.Ref); err != nil {
			return nil, fmt.Errorf("stock movements: %w", err)
		}
		m.At = parseTime(at)
		if level.Valid {
			n := int(level.Int64)
			m.Level = &n
		}
		if m.TerminalID == "" {
			m.TerminalID, m.Local = id.TerminalID, true
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
