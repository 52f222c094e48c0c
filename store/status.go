package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Status is the terminal's state at a glance, for the status bar, the
// manager and `pickup status`.
type Status struct {
	Identity
	CampaignName    string `json:"campaign_name"`
	Expected        int    `json:"expected"`          // pickups for this centre, not cancelled
	Collected       int    `json:"collected"`         // distinct codes of this centre handed over
	Remaining       int    `json:"remaining"`         // expected and not yet collected
	Cancelled       int    `json:"cancelled"`         // pickups for this centre cancelled
	HandedOverToday int    `json:"handed_over_today"` // handovers at this centre today, not undone
	PendingUpload   int    `json:"pending_upload"`    // facts waiting for the registry
	Conflicts       int    `json:"conflicts"`         // codes handed over more than once
	// ConflictsReviewed counts those of them a manager reviewed (here or
	// at another counter of the centre).
	ConflictsReviewed int         `json:"conflicts_reviewed"`
	Owed              int         `json:"owed"` // codes with items owed (every glove size was out), not handed over yet
	Stock             []StockLine `json:"-"`
	LastSync          time.Time   `json:"last_sync,omitzero"`
	LastRefresh       time.Time   `json:"last_refresh,omitzero"`
}

// StockMap returns the stock as a map keyed "masks", "gloves-M", ….
func (st Status) StockMap() map[string]int {
	m := make(map[string]int, len(st.Stock))
	for _, l := range st.Stock {
		m[l.Key()] = l.Qty
	}
	return m
}

// Status gathers the terminal's counts from the store.
func (s *Store) Status(ctx context.Context) (Status, error) {
	var st Status
	id, err := s.Identity(ctx)
	if err != nil {
		return st, err
	}
	st.Identity = id
	if c, err := campaign(ctx, s.db, id.CampaignID); err == nil {
		st.CampaignName = c.Names.In("en")
	}
	today := s.DayStart(s.Today())
	queries := []struct {
		dst  *int
		sql  string
		args []any
	}{
		{&st.Collected, `SELECT count(*) FROM (
			SELECT code FROM redemptions WHERE centre_id = ? AND undone_by = ''
			UNION SELECT code FROM pickups WHERE centre_id = ? AND status = 'collected')`, []any{id.Centre.ID, id.Centre.ID}},
		{&st.HandedOverToday, "SELECT count(*) FROM redemptions WHERE centre_id = ? AND undone_by = '' AND at >= ?", []any{id.Centre.ID, fmtTime(today)}},
		{&st.PendingUpload, "SELECT count(*) FROM outbox", nil},
		{&st.Conflicts, `SELECT count(*) FROM (
			SELECT code FROM conflicts
			UNION SELECT code FROM redemptions WHERE undone_by = '' GROUP BY code HAVING count(*) > 1)`, nil},
		{&st.ConflictsReviewed, `SELECT count(*) FROM (
			SELECT code FROM conflicts
			UNION SELECT code FROM redemptions WHERE undone_by = '' GROUP BY code HAVING count(*) > 1)
			WHERE code IN (SELECT code FROM conflict_reviews)`, nil},
	}
	// One pass over the centre's index entries gives both counts.
	rows, err := s.db.QueryContext(ctx, "SELECT status, count(*) FROM pickups WHERE centre_id = ? GROUP BY status", id.Centre.ID)
	if err != nil {
		return st, fmt.Errorf("status: %w", err)
	}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return st, fmt.Errorf("status: %w", err)
		}
		if status == string(pickup.StatusCancelled) {
			st.Cancelled += n
		} else {
			st.Expected += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("status: %w", err)
	}
	for _, q := range queries {
		if err := s.db.QueryRowContext(ctx, q.sql, q.args...).Scan(q.dst); err != nil {
			return st, fmt.Errorf("status: %w", err)
		}
	}
	st.Remaining = max(st.Expected-st.Collected, 0)
	owed, err := s.Owed(ctx, time.Time{}, time.Time{})
	if err != nil {
		return st, fmt.Errorf("status: %w", err)
	}
	st.Owed = owed.Outstanding
	if st.Stock, err = s.Stock(ctx); err != nil {
		return st, err
	}
	for k, dst := range map[string]*time.Time{KeyLastSync: &st.LastSync, KeyLastRefresh: &st.LastRefresh} {
		if v, err := getSetting(ctx, s.db, k); err == nil && v != "" {
			*dst = parseTime(v)
		}
	}
	return st, nil
}

// What Conflict.Detail says of a side, in words of no language (the window
// puts them into the counter's): a double handover seen here, the side this
// terminal pushed or the one recorded before it (the registry's answer to a
// push), or ConflictFlagged and the registry's flag code (protocol.Flag…).
const (
	ConflictDouble  = "double handover"
	ConflictPushed  = "pushed from this terminal"
	ConflictEarlier = "recorded earlier"
	ConflictFlagged = "flagged by the registry: "
)

// Conflict is one handover of a code that was handed over more than once.
type Conflict struct {
	Code       string    `json:"code"`
	EventID    string    `json:"event_id"`
	TerminalID string    `json:"terminal_id"`
	CentreID   string    `json:"centre_id"`
	At         time.Time `json:"at"`
	Local      bool      `json:"local"`
	Detail     string    `json:"detail,omitempty"`
	GloveSize  string    `json:"glove_size,omitempty"`
	Counter    string    `json:"counter,omitempty"` // the counter's name, when this one knows it
}

// Conflicts lists every handover of the codes handed over more than once,
// as the registry reported them and as this terminal's copy shows them,
// and every owed handover of the codes whose owed items went twice
// (detail DetailDoubleOwed).
func (s *Store) Conflicts(ctx context.Context) ([]Conflict, error) {
	names, err := s.CounterNames(ctx)
	if err != nil {
		return nil, err
	}
	return s.conflicts(ctx, names)
}

// conflicts is Conflicts with the counters' names already read.
func (s *Store) conflicts(ctx context.Context, names map[string]string) ([]Conflict, error) {
	out, err := sqlkit.Query(ctx, s.db, func(row sqlkit.Scanner) (Conflict, error) {
		var c Conflict
		var at string
		err := row.Scan(&c.Code, &c.EventID, &c.TerminalID, &c.CentreID, &at, &c.Local, &c.Detail, &c.GloveSize)
		c.At = parseTime(at)
		c.Code = pickup.Code(c.Code).String()
		c.Counter = names[c.TerminalID]
		return c, err
	}, `
		SELECT r.code, r.event_id, r.terminal_id, r.centre_id, r.at, r.local, coalesce(c.detail, ''), r.glove_size
		FROM redemptions r LEFT JOIN conflicts c ON c.event_id = r.event_id
		WHERE r.undone_by = '' AND r.code IN (
			SELECT code FROM conflicts WHERE detail <> ?1
			UNION SELECT code FROM redemptions WHERE undone_by = '' GROUP BY code HAVING count(*) > 1)
		UNION
		SELECT c.code, c.event_id, c.terminal_id, c.centre_id, c.at, EXISTS(SELECT 1 FROM journal j WHERE j.id = c.event_id), c.detail,
			coalesce((SELECT d.glove_size FROM owed_deliveries d WHERE d.event_id = c.event_id), '')
		FROM conflicts c WHERE c.event_id NOT IN (SELECT event_id FROM redemptions)
		ORDER BY 1, 5`, DetailDoubleOwed)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	return out, nil
}
