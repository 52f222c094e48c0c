package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// The centre as one: every counter of a centre keeps the facts recorded at
// the others (handovers, undos, stock receptions and counts), once each by
// event id, and computes its stock and redemptions from its own facts and
// theirs. Foreign facts arrive from the registry's pull, a USB bundle or a
// peer on the LAN; whichever path brings a fact first, it counts once.
//
// The count rule: a physical count sets the level of its item and size as
// of the count's time (the recording counter's clock). A fact timestamped
// after the latest count, from any counter, applies on top of it; a fact
// at or before it is absorbed (the counters were counting what it left).
// The latest count is the one with the greatest time (then event id), so
// every counter holding the same facts shows the same stock, whatever
// order they arrived in.

// Fact sources, as foreign_facts keeps them.
const (
	SourceRegistry = "registry"
	SourceBundle   = "bundle"
	SourcePeer     = "peer"
)

// IngestOutcome counts what IngestFacts did.
type IngestOutcome struct {
	New       int `json:"new"`       // stored and applied
	Known     int `json:"known"`     // already here (this counter's own, or seen before)
	Refused   int `json:"refused"`   // malformed, another centre's, or claiming to be this counter's
	Conflicts int `json:"conflicts"` // double handovers they revealed
}

// IngestFacts stores facts recorded at other counters of this centre and
// applies them to the centre stock and redemptions, each once by event id,
// in one transaction. source is SourcePeer or SourceBundle (facts the
// registry may not hold yet: this counter delivers them at its next push)
// or SourceRegistry.
func (s *Store) IngestFacts(ctx context.Context, source string, evs []pickup.Event) (IngestOutcome, error) {
	var out IngestOutcome
	err := s.tx(ctx, func(tx *sql.Tx) error {
		id, err := identity(ctx, tx)
		if err != nil {
			return err
		}
		out, err = ingestFacts(ctx, tx, id, source, evs, s.Now())
		return err
	})
	if err != nil {
		return out, fmt.Errorf("ingest facts: %w", err)
	}
	return out, nil
}

func ingestFacts(ctx context.Context, tx *sql.Tx, id Identity, source string, evs []pickup.Event, now time.Time) (IngestOutcome, error) {
	var out IngestOutcome
	for _, ev := range evs {
		if ev.Validate() != nil || ev.CentreID != id.Centre.ID || ev.TerminalID == id.TerminalID {
			// Another centre's facts, or one posing as this counter's:
			// nothing to take. (This counter's own come back from the
			// registry and from peers: they are in the journal.)
			var own int
			if ev.TerminalID == id.TerminalID {
				_ = tx.QueryRowContext(ctx, "SELECT count(*) FROM journal WHERE id = ?", ev.ID).Scan(&own)
			}
			if own > 0 {
				out.Known++
			} else {
				out.Refused++
			}
			continue
		}
		var known int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM foreign_facts WHERE event_id = ?", ev.ID).Scan(&known); err != nil {
			return out, err
		}
		if known > 0 {
			if source == SourceRegistry {
				if _, err := tx.ExecContext(ctx, "UPDATE foreign_facts SET to_registry = 0 WHERE event_id = ?", ev.ID); err != nil {
					return out, err
				}
			}
			out.Known++
			continue
		}
		body, err := json.Marshal(ev)
		if err != nil {
			return out, err
		}
		up := 0
		if source != SourceRegistry {
			up = 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO foreign_facts(event_id, terminal_id, type, at, body, source, to_registry, received_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?)`, ev.ID, ev.TerminalID, string(ev.Type), fmtTime(ev.At), string(body), source, up, fmtTime(now)); err != nil {
			return out, fmt.Errorf("store fact: %w", err)
		}
		n, err := applyForeign(ctx, tx, ev, fmtTime(now))
		if err != nil {
			return out, fmt.Errorf("apply fact %s: %w", ev.ID, err)
		}
		out.New++
		out.Conflicts += n
	}
	return out, nil
}

// applyForeign applies one new fact of another counter; it returns the
// conflict rows a double handover added.
func applyForeign(ctx context.Context, tx *sql.Tx, ev pickup.Event, now string) (int, error) {
	switch ev.Type {
	case pickup.EventOwedHandover:
		if err := recordHandover(ctx, tx, ev, false); err != nil {
			return 0, err
		}
		return noteOwedDoubles(ctx, tx, ev.Code, now)
	case pickup.EventHandover:
		if err := recordHandover(ctx, tx, ev, false); err != nil {
			return 0, err
		}
		// Its undo may have come first (through another path).
		var undoID, undoAt string
		err := tx.QueryRowContext(ctx, `SELECT event_id, at FROM foreign_facts WHERE type = 'undo' AND terminal_id = ?
			AND json_extract(body, '$.undoes') = ?`, ev.TerminalID, ev.ID).Scan(&undoID, &undoAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, err
		default:
			if err := undoHandover(ctx, tx, undoID, ev.ID, parseTime(undoAt)); err != nil {
				return 0, err
			}
			return 0, nil
		}
		return noteDoubles(ctx, tx, ev.Code, now)
	case pickup.EventUndo:
		// Only the counter that recorded a handover undoes it.
		var term string
		err := tx.QueryRowContext(ctx, "SELECT terminal_id FROM redemptions WHERE event_id = ? AND local = 0", ev.Undoes).Scan(&term)
		if errors.Is(err, sql.ErrNoRows) || err == nil && term != ev.TerminalID {
			return 0, nil // not here yet (applied when it comes), or not its to undo
		}
		if err != nil {
			return 0, err
		}
		return 0, undoHandover(ctx, tx, ev.ID, ev.Undoes, ev.At)
	case pickup.EventConflictReview:
		return 0, addReview(ctx, tx, ev)
	case pickup.EventStockReceive, pickup.EventStockCount, pickup.EventStockLoss:
		_, err := stockFact(ctx, tx, ev)
		return 0, err
	}
	return 0, nil // a kind this version does not know: kept, relayed, not applied
}

// undoHandover marks a handover undone by undoID and puts back its stock,
// once.
func undoHandover(ctx context.Context, tx *sql.Tx, undoID, handoverID string, at time.Time) error {
	var done int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM stock_moves WHERE event_id = ? AND kind = 'undo'", undoID).Scan(&done); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE redemptions SET undone_by = ? WHERE event_id = ?", undoID, handoverID); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	type mv struct {
		item, size string
		delta      int
	}
	moves, err := sqlkit.Query(ctx, tx, func(r sqlkit.Scanner) (mv, error) {
		var m mv
		err := r.Scan(&m.item, &m.size, &m.delta)
		return m, err
	}, "SELECT item, size, delta FROM stock_moves WHERE event_id = ? AND kind = 'handover'", handoverID)
	if err != nil {
		return err
	}
	for _, m := range moves {
		if err := moveStock(ctx, tx, undoID, "undo", m.item, m.size, -m.delta, nil, "", handoverID, at); err != nil {
			return err
		}
	}
	return nil
}

// noteDoubles records every active handover of code as a conflict when it
// has more than one; it returns how many conflict rows it added.
func noteDoubles(ctx context.Context, tx *sql.Tx, code pickup.Code, now string) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT event_id, terminal_id, centre_id, at FROM redemptions WHERE code = ? AND undone_by = ''", string(code))
	if err != nil {
		return 0, err
	}
	type red struct{ id, term, centre, at string }
	var active []red
	for rows.Next() {
		var x red
		if err := rows.Scan(&x.id, &x.term, &x.centre, &x.at); err != nil {
			rows.Close()
			return 0, err
		}
		active = append(active, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(active) < 2 {
		return 0, err
	}
	added := 0
	for _, x := range active {
		res, err := tx.ExecContext(ctx, `INSERT INTO conflicts(event_id, code, terminal_id, centre_id, at, detail, seen_at)
			VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING`, x.id, string(code), x.term, x.centre, x.at, ConflictDouble, now)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
		}
	}
	return added, nil
}

// noteOwedDoubles records every owed handover of code as a conflict when
// it has more than one (the owed items went twice); it returns how many
// conflict rows it added.
func noteOwedDoubles(ctx context.Context, tx *sql.Tx, code pickup.Code, now string) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO conflicts(event_id, code, terminal_id, centre_id, at, detail, seen_at)
		SELECT event_id, code, terminal_id, centre_id, at, ?2, ?3 FROM owed_deliveries
		WHERE code = ?1 AND (SELECT count(*) FROM owed_deliveries WHERE code = ?1) > 1
		ON CONFLICT(event_id) DO NOTHING`, string(code), DetailDoubleOwed, now)
	if err != nil {
		return 0, fmt.Errorf("note double owed handover: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DetailDoubleOwed is the detail of a conflict row of an owed handover
// made twice.
const DetailDoubleOwed = "double owed handover"

// shipmentRef returns the shipment a reception's reference names
// ("shipment ID").
func shipmentRef(ref string) (string, bool) {
	id, ok := strings.CutPrefix(ref, pickup.ShipmentRefPrefix)
	return id, ok && id != ""
}

// stockFact records the stock movement of a reception, count or loss, this
// counter's or another's, and returns its delta. A shipment counts once
// per centre: when two counters received it, the earliest reception (by
// time, then event id) counts — with the quantity it says came, 0 for a
// line that did not come — and the others move nothing, on every counter
// alike. A loss takes its quantity off, by the count rule like the rest.
func stockFact(ctx context.Context, tx *sql.Tx, ev pickup.Event) (int, error) {
	if ev.Type == pickup.EventStockLoss {
		return -ev.Qty, moveStock(ctx, tx, ev.ID, "loss", ev.Item, ev.Size, -ev.Qty, nil, ev.Reason, ev.Ref, ev.At)
	}
	if ev.Type == pickup.EventStockCount {
		have, err := stockOf(ctx, tx, ev.Item, ev.Size)
		if err != nil {
			return 0, err
		}
		level := ev.Qty
		return level - have, moveStock(ctx, tx, ev.ID, "count", ev.Item, ev.Size, level-have, &level, ev.Reason, ev.Ref, ev.At)
	}
	delta := ev.Qty
	if sh, ok := shipmentRef(ev.Ref); ok {
		winner := ev.ID
		var otherID, otherAt, item, size string
		var otherDelta int
		// The earliest reception held counts (the others hold 0): it is
		// the one to compare with, whatever quantity it says came.
		err := tx.QueryRowContext(ctx, `SELECT event_id, at, item, size, delta FROM stock_moves WHERE kind = 'reception' AND ref = ? AND event_id <> ?
			ORDER BY at, event_id LIMIT 1`, ev.Ref, ev.ID).Scan(&otherID, &otherAt, &item, &size, &otherDelta)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, err
		case otherAt < fmtTime(ev.At) || otherAt == fmtTime(ev.At) && otherID < ev.ID:
			delta, winner = 0, otherID
		default:
			// This one is earlier: the other stops counting.
			if _, err := tx.ExecContext(ctx, "UPDATE stock_moves SET delta = 0 WHERE event_id = ? AND kind = 'reception'", otherID); err != nil {
				return 0, err
			}
			if err := applyMove(ctx, tx, "reception", item, size, -otherDelta, parseTime(otherAt)); err != nil {
				return 0, err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE shipments SET received_by = ? WHERE id = ?", winner, sh); err != nil {
			return 0, err
		}
	}
	return delta, moveStock(ctx, tx, ev.ID, "reception", ev.Item, ev.Size, delta, nil, ev.Reason, ev.Ref, ev.At)
}

// applyMove applies one recorded movement to the stock table by the count
// rule: a count recomputes its line; any other movement adds its delta
// unless a count at or after its time absorbed it.
func applyMove(ctx context.Context, tx *sql.Tx, kind, item, size string, delta int, at time.Time) error {
	if kind == "count" {
		return recomputeLine(ctx, tx, item, size)
	}
	var last sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT max(at) FROM stock_moves WHERE item = ? AND size = ? AND kind = 'count'", item, size).Scan(&last); err != nil {
		return fmt.Errorf("read last count: %w", err)
	}
	if last.Valid && fmtTime(at) <= last.String {
		return nil // absorbed by a later count
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock(item, size, qty) VALUES(?, ?, ?)
		ON CONFLICT(item, size) DO UPDATE SET qty = qty + excluded.qty`, item, size, delta); err != nil {
		return fmt.Errorf("update stock: %w", err)
	}
	return nil
}

// recomputeLine sets the stock of one item and size from its movements:
// the latest count's level plus every other movement after it.
func recomputeLine(ctx context.Context, tx *sql.Tx, item, size string) error {
	level, err := levelAt(ctx, tx, item, size, time.Time{})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock(item, size, qty) VALUES(?, ?, ?)
		ON CONFLICT(item, size) DO UPDATE SET qty = excluded.qty`, item, size, level); err != nil {
		return fmt.Errorf("update stock: %w", err)
	}
	return nil
}

// levelAt is the stock of one item and size just before t (now, when t is
// zero), by the count rule: the level of the latest count before t plus
// every other movement after that count and before t.
func levelAt(ctx context.Context, q querier, item, size string, t time.Time) (int, error) {
	var before string
	var bound []any
	if !t.IsZero() {
		before, bound = " AND at < ?", []any{fmtTime(t)}
	}
	var level int
	var at string
	err := q.QueryRowContext(ctx, `SELECT level, at FROM stock_moves WHERE item = ? AND size = ? AND kind = 'count'`+before+`
		ORDER BY at DESC, event_id DESC LIMIT 1`, append([]any{item, size}, bound...)...).Scan(&level, &at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("stock level: %w", err)
	}
	var after int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(sum(delta), 0) FROM stock_moves WHERE item = ? AND size = ? AND kind <> 'count' AND at > ?`+before,
		append([]any{item, size, at}, bound...)...).Scan(&after); err != nil {
		return 0, fmt.Errorf("stock level: %w", err)
	}
	return level + after, nil
}

// ForeignOutbox returns up to limit facts of other counters that the
// registry is not known to hold (they came from a peer or a bundle),
// oldest first: any counter with a link delivers them.
func (s *Store) ForeignOutbox(ctx context.Context, limit int) ([]pickup.Event, error) {
	return readEvents(ctx, s.db, "facts to deliver", "SELECT body FROM foreign_facts WHERE to_registry = 1 ORDER BY fseq LIMIT ?", limit)
}

// ForgetForeignUploads stops offering facts of other counters to the
// registry (it refused them for good).
func (s *Store) ForgetForeignUploads(ctx context.Context, ids []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE foreign_facts SET to_registry = 0 WHERE event_id = ?", id); err != nil {
				return fmt.Errorf("forget uploads: %w", err)
			}
		}
		return nil
	})
}

// FeedCursor is a position in what a counter holds: its own journal up to
// Journal, the foreign facts up to Foreign.
type FeedCursor struct {
	Journal int64 `json:"journal"`
	Foreign int64 `json:"foreign"`
}

// Feed returns the facts this counter holds after cur, its own then the
// others', up to limit, and the cursor to ask from next; more says the
// limit cut it. Peers exchange facts this way, each keeping its cursor
// into the other's feed.
func (s *Store) Feed(ctx context.Context, cur FeedCursor, limit int) ([]pickup.Event, FeedCursor, bool, error) {
	if limit <= 0 {
		limit = 500
	}
	var out []pickup.Event
	next := cur
	read := func(query string, after int64, pos *int64, n int) (bool, error) {
		rows, err := s.db.QueryContext(ctx, query, after, n+1)
		if err != nil {
			return false, err
		}
		defer rows.Close()
		for got := 0; rows.Next(); got++ {
			if got == n {
				return true, nil
			}
			var seq int64
			var body string
			if err := rows.Scan(&seq, &body); err != nil {
				return false, err
			}
			var ev pickup.Event
			if err := json.Unmarshal([]byte(body), &ev); err != nil {
				return false, fmt.Errorf("fact %d: %w", seq, err)
			}
			out, *pos = append(out, ev), seq
		}
		return false, rows.Err()
	}
	more, err := read("SELECT seq, body FROM journal WHERE seq > ? ORDER BY seq LIMIT ?", cur.Journal, &next.Journal, limit)
	if err == nil && !more {
		more, err = read("SELECT fseq, body FROM foreign_facts WHERE fseq > ? ORDER BY fseq LIMIT ?", cur.Foreign, &next.Foreign, limit-len(out))
	}
	if err != nil {
		return nil, cur, false, fmt.Errorf("read feed: %w", err)
	}
	return out, next, more, nil
}

// shipmentReceiver names who received a shipment: the counter and when.
func shipmentReceiver(ctx context.Context, q querier, eventID string) (terminal string, at time.Time) {
	var t, a string
	err := q.QueryRowContext(ctx, `SELECT json_extract(body, '$.terminal_id'), at FROM journal WHERE id = ?1
		UNION ALL SELECT terminal_id, at FROM foreign_facts WHERE event_id = ?1`, eventID).Scan(&t, &a)
	if err != nil {
		return "", time.Time{}
	}
	return t, parseTime(a)
}
