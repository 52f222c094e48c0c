package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pickup-terminal/pickup"
)

// SizeError refuses a handover for its size: none chosen, one the item does
// not come in, or one with too little stock (Err is ErrSizeRequired,
// ErrUnknownSize or ErrOutOfStock). The refusal's facts are the domain's,
// for assets/i18n to put into words.
type SizeError struct {
	Err error
	pickup.SizeRefusal
}

// SizeStock is the stock of one size.
type SizeStock = pickup.SizeStock

func sizeError(err error, it pickup.Item, size string, have, need int, avail []SizeStock) *SizeError {
	return &SizeError{Err: err, SizeRefusal: pickup.SizeRefusal{Reason: string(CodeOf(err)), Item: it.ID, Size: size, Have: have, Need: need, Available: avail}}
}

func (e *SizeError) Error() string {
	var avail []string
	for _, a := range e.Available {
		avail = append(avail, fmt.Sprintf("%s (%d)", a.Size, a.Qty))
	}
	left := "none left in any size"
	if len(avail) > 0 {
		left = "sizes left: " + strings.Join(avail, ", ")
	}
	switch {
	case errors.Is(e.Err, ErrOutOfStock):
		return fmt.Sprintf("%s size %s: only %d in stock, %d needed; %s", e.Item, e.Size, e.Have, e.Need, left)
	case errors.Is(e.Err, ErrUnknownSize):
		return fmt.Sprintf("%s has no size %q; %s", e.Item, e.Size, left)
	default:
		return fmt.Sprintf("%s: %v; %s", e.Item, e.Err, left)
	}
}

// Unwrap returns the kind of refusal.
func (e *SizeError) Unwrap() error { return e.Err }

// HandoverRequest is what the counter sends when the volunteer confirms.
type HandoverRequest struct {
	Input     string // the code as typed or scanned
	GloveSize string // required for parcels with sized items
	Volunteer string // who handed it over (kept locally and pushed; never logged)
	// Owe hands over the rest of a parcel whose gloves are out in every
	// size (the verdict's Owed), recording them as owed. Without it such
	// a parcel is refused for its size, as before.
	Owe bool
}

// HandoverResult is a recorded handover, or the verdict that refused it,
// with the campaign that names its items.
type HandoverResult struct {
	Verdict  pickup.Verdict   `json:"-"`
	Campaign *pickup.Campaign `json:"-"`
	EventID  string           `json:"event_id,omitempty"`
	At       time.Time        `json:"at,omitzero"`
	Items    []pickup.Line    `json:"items,omitempty"`
	// UndoUntil is the end of the undo window of a recorded handover.
	UndoUntil time.Time `json:"undo_until,omitzero"`
	// Owed is what the handover left owed (HandoverRequest.Owe).
	Owed []pickup.Line `json:"owed,omitempty"`
}

// Handover re-checks the code and, when its verdict is ok, records the
// handover, the stock decrement and the outbox entry in one transaction.
// A verdict other than ok comes back with no error and nothing recorded; a
// size refusal is a *SizeError.
func (s *Store) Handover(ctx context.Context, req HandoverRequest) (HandoverResult, error) {
	return s.handOver(ctx, req, "hand over", func(tx *sql.Tx, req HandoverRequest, v pickup.Verdict, camp *pickup.Campaign) (pickup.Event, error) {
		if !v.OK() {
			return pickup.Event{}, nil
		}
		var items, owed []pickup.Line
		if req.Owe && len(v.Owed) > 0 {
			items, owed = pickup.Rest(v.Contents, v.Owed), v.Owed
		} else {
			var err error
			if items, err = chooseSizes(ctx, tx, camp, v.Contents, req.GloveSize); err != nil {
				return pickup.Event{}, err
			}
		}
		ev := pickup.Event{Type: pickup.EventHandover, Items: items, OnSignature: v.OnSignature, Owed: owed}
		if v.OnSignature {
			ev.Signed = strings.TrimSpace(req.Input)
		}
		return ev, nil
	})
}

// handOver is the one transaction of Handover and DeliverOwed: judge the
// code, let build make the event from the verdict and the request (its
// size cleaned; an event of no type: nothing to record), then journal it
// and record it with its stock.
func (s *Store) handOver(ctx context.Context, req HandoverRequest, what string,
	build func(tx *sql.Tx, req HandoverRequest, v pickup.Verdict, camp *pickup.Campaign) (pickup.Event, error)) (HandoverResult, error) {
	var res HandoverResult
	if len(req.Volunteer) > pickup.MaxNameLen {
		return res, errorf(CodeInvalid, "volunteer name longer than %d bytes", pickup.MaxNameLen)
	}
	req.GloveSize = strings.ToUpper(strings.TrimSpace(req.GloveSize))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		q := s.cq(tx)
		id, err := identity(ctx, q)
		if err != nil {
			return err
		}
		v, camp, err := s.judge(ctx, q, id, req.Input)
		if err != nil {
			return err
		}
		res.Verdict, res.Campaign = v, camp
		ev, err := build(tx, req, v, camp)
		if err != nil || ev.Type == "" {
			return err
		}
		now := s.Now()
		ev = ownEvent(id, now, ev)
		ev.Code, ev.GloveSize, ev.Volunteer = v.Code, sizeOf(ev.Items), req.Volunteer
		if err := appendEvent(ctx, tx, ev); err != nil {
			return err
		}
		if err := recordHandover(ctx, tx, ev, true); err != nil {
			return err
		}
		res.EventID, res.At, res.Items, res.Owed = ev.ID, now, ev.Items, ev.Owed
		if ev.Type == pickup.EventHandover {
			res.UndoUntil = now.Add(id.UndoWindow)
		}
		return nil
	})
	if err != nil {
		var se *SizeError
		if errors.As(err, &se) {
			return res, err
		}
		return res, fmt.Errorf("%s: %w", what, err)
	}
	return res, nil
}

// recordHandover records a handover or an owed handover, this counter's
// (local) or another's: its row and its stock movements. The caller
// journals it (its own) or keeps it as a foreign fact.
func recordHandover(ctx context.Context, tx *sql.Tx, ev pickup.Event, local bool) error {
	var err error
	if ev.Type == pickup.EventOwedHandover {
		_, err = tx.ExecContext(ctx, `INSERT INTO owed_deliveries(event_id, code, terminal_id, centre_id, at, glove_size, items, local)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING`,
			ev.ID, string(ev.Code), ev.TerminalID, ev.CentreID, fmtTime(ev.At), ev.GloveSize, encodeLines(ev.Items), local)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO redemptions(event_id, code, terminal_id, centre_id, at, glove_size, owed, local)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO UPDATE SET owed = excluded.owed WHERE excluded.owed <> ''`,
			ev.ID, string(ev.Code), ev.TerminalID, ev.CentreID, fmtTime(ev.At), ev.GloveSize, encodeLines(ev.Owed), local)
		// (The registry's redemptions stream may have brought the row
		// first, without what it owes.)
	}
	if err != nil {
		return fmt.Errorf("record handover: %w", err)
	}
	for _, l := range ev.Items {
		if err := moveStock(ctx, tx, ev.ID, "handover", l.Item, l.Size, -l.Qty, nil, "", "", ev.At); err != nil {
			return err
		}
	}
	return nil
}

// DeliverOwed hands over the items an earlier handover of the code left
// owed (the verdict is owed), with the chosen glove size: an owed handover,
// recorded with its stock movement and outbox entry in one transaction. A
// verdict other than owed comes back with no error and nothing recorded; a
// size refusal is a *SizeError. An owed handover is not undone at the
// counter (a count corrects a mistake).
func (s *Store) DeliverOwed(ctx context.Context, req HandoverRequest) (HandoverResult, error) {
	return s.handOver(ctx, req, "hand over owed items", func(tx *sql.Tx, req HandoverRequest, v pickup.Verdict, camp *pickup.Campaign) (pickup.Event, error) {
		if v.Kind != pickup.VerdictOwed {
			return pickup.Event{}, nil
		}
		items, err := chooseSizes(ctx, tx, camp, v.Owed, req.GloveSize)
		return pickup.Event{Type: pickup.EventOwedHandover, Items: items}, err
	})
}

func sizeOf(items []pickup.Line) string {
	for _, l := range items {
		if l.Size != "" {
			return l.Size
		}
	}
	return ""
}

// chooseSizes applies the chosen size to the sized line of a parcel (see
// pickup.Campaign.SizedLine) and checks its stock.
func chooseSizes(ctx context.Context, q querier, camp *pickup.Campaign, contents []pickup.Line, size string) ([]pickup.Line, error) {
	items := slices.Clone(contents)
	i, it, ok := camp.SizedLine(items)
	if !ok {
		return items, nil
	}
	need := items[i].Qty
	avail, err := sizesInStock(ctx, q, it, need)
	if err != nil {
		return nil, err
	}
	if size == "" {
		return nil, sizeError(ErrSizeRequired, it, "", 0, need, avail)
	}
	if !slices.Contains(it.Sizes, size) {
		return nil, sizeError(ErrUnknownSize, it, size, 0, need, avail)
	}
	have, err := stockOf(ctx, q, it.ID, size)
	if err != nil {
		return nil, err
	}
	if have < need {
		return nil, sizeError(ErrOutOfStock, it, size, have, need, avail)
	}
	items[i].Size = size
	return items, nil
}

// sizesInStock lists the sizes of it with at least need units in stock.
func sizesInStock(ctx context.Context, q querier, it pickup.Item, need int) ([]SizeStock, error) {
	var out []SizeStock
	for _, sz := range it.Sizes {
		n, err := stockOf(ctx, q, it.ID, sz)
		if err != nil {
			return nil, err
		}
		if n >= need {
			out = append(out, SizeStock{Size: sz, Qty: n})
		}
	}
	return out, nil
}

// UndoResult is a recorded undo.
type UndoResult struct {
	EventID string    `json:"event_id"`
	Undoes  string    `json:"undoes"`
	Code    string    `json:"code"`
	At      time.Time `json:"at"`
}

// Undo compensates a handover recorded at this terminal within the undo
// window: it appends an undo event, puts the stock back and frees the code.
// Nothing is deleted.
func (s *Store) Undo(ctx context.Context, eventID string) (UndoResult, error) {
	var res UndoResult
	eventID = strings.ToLower(strings.TrimSpace(eventID))
	if _, err := uuid.Parse(eventID); err != nil {
		return res, errorf(CodeInvalid, "undo: %q is not an event id (a UUID, as the handover gave it)", eventID)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		id, err := identity(ctx, tx)
		if err != nil {
			return err
		}
		var code, at, undoneBy string
		var local int
		err = tx.QueryRowContext(ctx, "SELECT code, at, local, undone_by FROM redemptions WHERE event_id = ?", eventID).Scan(&code, &at, &local, &undoneBy)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(CodeNotFound, "handover %s not found", eventID)
		}
		if err != nil {
			return err
		}
		switch {
		case local == 0:
			return ErrNotUndoable
		case undoneBy != "":
			return errorf(CodeAlreadyUndone, "handover %s already undone (by %s)", eventID, undoneBy)
		}
		now := s.Now()
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT max(at) FROM journal").Scan(&last); err != nil {
			return err
		}
		if latest := parseTime(last.String); last.Valid && now.Before(latest.Add(-2*time.Second)) || now.Before(parseTime(at).Add(-2*time.Second)) {
			return fmt.Errorf("handover %s: %w", eventID, ErrClockBackwards)
		}
		if elapsed := now.Sub(parseTime(at)); elapsed > id.UndoWindow {
			return errorf(CodeUndoExpired, "handover %s: undo window has passed (%s ago, window %s)", eventID, elapsed.Round(time.Second), id.UndoWindow)
		}
		ev := ownEvent(id, now, pickup.Event{Type: pickup.EventUndo, Code: pickup.Code(code), Undoes: eventID})
		if err := appendEvent(ctx, tx, ev); err != nil {
			return err
		}
		if err := undoHandover(ctx, tx, ev.ID, eventID, now); err != nil {
			return err
		}
		res = UndoResult{EventID: ev.ID, Undoes: eventID, Code: code, At: now}
		return nil
	})
	if err != nil {
		return UndoResult{}, fmt.Errorf("undo: %w", err)
	}
	return res, nil
}

// Handed is one handover of the day's list.
type Handed struct {
	EventID    string    `json:"event_id"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Profession string    `json:"profession"`
	ParcelKind string    `json:"parcel_kind"`
	GloveSize  string    `json:"glove_size,omitempty"`
	At         time.Time `json:"at"`
	TerminalID string    `json:"terminal_id"`
	Counter    string    `json:"counter,omitempty"` // the counter's name, when this one knows it
	Undone     bool      `json:"undone"`
	Local      bool      `json:"local"`
	Double     bool      `json:"double,omitempty"` // its code was handed over more than once
}

// Handovers lists the handovers at this centre since a time, newest first.
func (s *Store) Handovers(ctx context.Context, since time.Time, limit int) ([]Handed, error) {
	if limit <= 0 {
		limit = 1000
	}
	return s.handovers(ctx, "r.at >= ?", []any{fmtTime(since)}, limit)
}
