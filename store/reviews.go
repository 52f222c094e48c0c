package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// ConflictReview is a manager's review of a double handover, made at this
// counter or at another of the centre.
type ConflictReview struct {
	EventID    string    `json:"event_id"`
	Code       string    `json:"code"`
	TerminalID string    `json:"terminal_id"`
	Counter    string    `json:"counter,omitempty"` // the counter's name, when this one knows it
	At         time.Time `json:"at"`
	Note       string    `json:"note"`
	Local      bool      `json:"local"`
}

// ConflictCase is one code handed over more than once: every handover of
// it (the sides), who it was for, and the reviews made of it.
type ConflictCase struct {
	Code       string           `json:"code"`
	Name       string           `json:"name,omitempty"`
	Profession string           `json:"profession,omitempty"`
	Sides      []Conflict       `json:"sides"`
	Reviews    []ConflictReview `json:"reviews"`
}

// Reviewed reports whether a manager reviewed the case.
func (c ConflictCase) Reviewed() bool { return len(c.Reviews) > 0 }

// ConflictCases lists the codes handed over more than once, each with its
// sides and reviews, the ones not reviewed yet first, then by code.
func (s *Store) ConflictCases(ctx context.Context) ([]ConflictCase, error) {
	names, err := s.CounterNames(ctx)
	if err != nil {
		return nil, err
	}
	sides, err := s.conflicts(ctx, names)
	if err != nil {
		return nil, err
	}
	reviews, err := s.conflictReviews(ctx, names)
	if err != nil {
		return nil, err
	}
	var out []ConflictCase
	for _, c := range sides {
		if len(out) == 0 || out[len(out)-1].Code != c.Code {
			cc := ConflictCase{Code: c.Code, Reviews: reviews[c.Code]}
			if cc.Reviews == nil {
				cc.Reviews = []ConflictReview{}
			}
			code, _ := pickup.ParseCode(c.Code)
			if p, err := getPickup(ctx, s.db, code); err == nil && p != nil {
				cc.Name, cc.Profession = p.Name, p.Profession
			}
			out = append(out, cc)
		}
		out[len(out)-1].Sides = append(out[len(out)-1].Sides, c)
	}
	// Stable: the query's code order stays within each group.
	reviewedLast := make([]ConflictCase, 0, len(out))
	for _, pass := range []bool{false, true} {
		for _, c := range out {
			if c.Reviewed() == pass {
				reviewedLast = append(reviewedLast, c)
			}
		}
	}
	return reviewedLast, nil
}

// conflictReviews reads every review, by code (as printed), oldest first;
// names are the counters' names (CounterNames).
func (s *Store) conflictReviews(ctx context.Context, names map[string]string) (map[string][]ConflictReview, error) {
	id, _ := s.Identity(ctx)
	list, err := sqlkit.Query(ctx, s.db, func(row sqlkit.Scanner) (ConflictReview, error) {
		var r ConflictReview
		var at string
		err := row.Scan(&r.EventID, &r.Code, &r.TerminalID, &at, &r.Note)
		r.At, r.Code = parseTime(at), pickup.Code(r.Code).String()
		r.Counter, r.Local = names[r.TerminalID], r.TerminalID == id.TerminalID
		return r, err
	}, "SELECT event_id, code, terminal_id, at, note FROM conflict_reviews ORDER BY at, event_id")
	if err != nil {
		return nil, fmt.Errorf("read conflict reviews: %w", err)
	}
	out := map[string][]ConflictReview{}
	for _, r := range list {
		out[r.Code] = append(out[r.Code], r)
	}
	return out, nil
}

// ReviewConflict records a manager's review of the double handover of a
// code, with a note: a fact of its own (journal, outbox) that reaches the
// registry at the next push and the centre's other counters through it and
// their peers. The code must be one this counter knows as handed over
// more than once.
func (s *Store) ReviewConflict(ctx context.Context, input, note string) (ConflictReview, error) {
	var res ConflictReview
	code, err := pickup.ParseCode(input)
	if err != nil {
		return res, errorf(CodeInvalid, "review: %v", err)
	}
	if note, err = pickup.CleanNote(note); err != nil {
		return res, errorf(CodeInvalid, "review note: %v", err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		id, err := identity(ctx, tx)
		if err != nil {
			return err
		}
		var double int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM conflicts WHERE code = ?1) +
			(SELECT count(*) > 1 FROM redemptions WHERE code = ?1 AND undone_by = '')`, string(code)).Scan(&double); err != nil {
			return fmt.Errorf("review: %w", err)
		}
		if double == 0 {
			return errorf(CodeNotFound, "review: code %s was not handed over more than once", code.Masked())
		}
		ev := ownEvent(id, s.Now(), pickup.Event{Type: pickup.EventConflictReview, Code: code, Note: note})
		if err := appendEvent(ctx, tx, ev); err != nil {
			return err
		}
		if err := addReview(ctx, tx, ev); err != nil {
			return err
		}
		res = ConflictReview{EventID: ev.ID, Code: code.String(), TerminalID: id.TerminalID, Counter: id.TerminalName,
			At: parseTime(fmtTime(ev.At)), Note: note, Local: true}
		return nil
	})
	return res, err
}

// addReview keeps a review fact, once.
func addReview(ctx context.Context, tx *sql.Tx, ev pickup.Event) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO conflict_reviews(event_id, code, terminal_id, at, note) VALUES(?, ?, ?, ?, ?)
		ON CONFLICT(event_id) DO NOTHING`, ev.ID, string(ev.Code), ev.TerminalID, fmtTime(ev.At), ev.Note); err != nil {
		return fmt.Errorf("store review: %w", err)
	}
	return nil
}
