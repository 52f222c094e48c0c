package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pickup-terminal/pickup"
)

// KeyLocatorKey is the setting holding the national code locator's key
// (hex), as the registry sent it.
const KeyLocatorKey = "locator_key"

// Locator is a page's part of the national code locator: Hashes[i] is the
// keyed hash of a code of another centre (pickup.LocatorHash), Centres[i]
// an index into CentreIDs, or -1 when the hash no longer resolves (the
// code was cancelled or moved to this centre). A later entry for a hash
// replaces an earlier one.
type Locator struct {
	Key       []byte
	CentreIDs []string
	Hashes    []int64
	Centres   []int32
}

// applyLocator stores a page's locator entries, into locator_stage when
// staged (a bulk load, merged at its end by mergeLocatorStage). Another
// key than the one kept (a registry that is not the same any more) drops
// every entry first.
func applyLocator(ctx context.Context, tx *sql.Tx, l *Locator, staged bool) error {
	if len(l.Key) != pickup.LocatorKeySize || len(l.Hashes) != len(l.Centres) {
		return errors.New("locator: malformed")
	}
	key := hex.EncodeToString(l.Key)
	old, err := getSetting(ctx, tx, KeyLocatorKey)
	if err != nil {
		return err
	}
	if old != key {
		for _, q := range []string{"DELETE FROM locator", "DELETE FROM locator_stage"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("locator: %w", err)
			}
		}
		if err := setSetting(ctx, tx, KeyLocatorKey, key); err != nil {
			return err
		}
	}
	local := make([]int64, len(l.CentreIDs))
	for i, id := range l.CentreIDs {
		if err := tx.QueryRowContext(ctx, `INSERT INTO locator_centres (centre_id) VALUES (?)
			ON CONFLICT (centre_id) DO UPDATE SET centre_id = excluded.centre_id RETURNING n`, id).Scan(&local[i]); err != nil {
			return fmt.Errorf("locator: centre: %w", err)
		}
	}
	// In hash order, the last entry for a hash winning: the inserts then
	// walk the table's pages in order instead of at random, many rows a
	// statement.
	order := make([]int, len(l.Hashes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return l.Hashes[order[a]] < l.Hashes[order[b]] })
	var put, del []any
	for k, i := range order {
		if k+1 < len(order) && l.Hashes[order[k+1]] == l.Hashes[i] {
			continue // a later entry for the same hash
		}
		h, c := l.Hashes[i], l.Centres[i]
		switch {
		case c < 0 && staged:
			put = append(put, h, -1)
		case c < 0:
			del = append(del, h)
		case int(c) < len(local):
			put = append(put, h, local[c])
		default:
			return fmt.Errorf("locator: entry %d names centre %d of %d", i, c, len(local))
		}
	}
	if staged {
		if err := inBatches(ctx, tx, put, 2, "INSERT INTO locator_stage (hash, centre) VALUES ", "(?, ?)", ""); err != nil {
			return fmt.Errorf("locator: %w", err)
		}
		return nil
	}
	if err := inBatches(ctx, tx, put, 2, "INSERT INTO locator (hash, centre) VALUES ", "(?, ?)",
		" ON CONFLICT (hash) DO UPDATE SET centre = excluded.centre"); err != nil {
		return fmt.Errorf("locator: %w", err)
	}
	if err := inBatches(ctx, tx, del, 1, "DELETE FROM locator WHERE hash IN (", "?", ")"); err != nil {
		return fmt.Errorf("locator: %w", err)
	}
	return nil
}

// mergeLocatorStage moves the staged entries into the locator in one
// statement, in hash order (the table's pages are written once, in
// order), the latest entry for a hash winning; an entry saying a code is
// no longer another centre's removes it.
func mergeLocatorStage(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		"INSERT OR REPLACE INTO locator (hash, centre) SELECT hash, centre FROM locator_stage ORDER BY hash, seq",
		"DELETE FROM locator WHERE centre < 0",
		"DELETE FROM locator_stage",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("merge locator: %w", err)
		}
	}
	return nil
}

// locatorBatch is how many rows one locator statement carries.
const locatorBatch = 8

// inBatches runs head + tuple, tuple, … + tail over args, width arguments
// a tuple, locatorBatch tuples a statement (one prepared statement for the
// full batches, one for the rest).
func inBatches(ctx context.Context, tx *sql.Tx, args []any, width int, head, tuple, tail string) error {
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for len(args) > 0 {
		n := min(len(args)/width, locatorBatch)
		batch := args[:n*width]
		args = args[n*width:]
		var err error
		if n == locatorBatch {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, head+strings.Repeat(tuple+", ", n-1)+tuple+tail); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, batch...)
		} else {
			_, err = tx.ExecContext(ctx, head+strings.Repeat(tuple+", ", n-1)+tuple+tail, batch...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// locate returns the directory entry of the centre the locator names for
// code, or nil when it names none (no locator yet, or no such code of
// another centre).
func locate(ctx context.Context, q querier, code pickup.Code) (*pickup.Centre, error) {
	k, err := getSetting(ctx, q, KeyLocatorKey)
	if err != nil || k == "" {
		return nil, err
	}
	key, err := hex.DecodeString(k)
	if err != nil {
		return nil, fmt.Errorf("locator key: %w", err)
	}
	// During a bulk load the entries wait in locator_stage (read whole:
	// it has no index; empty otherwise), the latest for a hash winning.
	var id string
	h := pickup.LocatorHash(key, code)
	err = q.QueryRowContext(ctx, `SELECT coalesce((SELECT c.centre_id FROM locator_centres c WHERE c.n = s.centre), '')
		FROM locator_stage s WHERE s.hash = ? ORDER BY s.seq DESC LIMIT 1`, h).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.QueryRowContext(ctx, `SELECT c.centre_id FROM locator l JOIN locator_centres c ON c.n = l.centre WHERE l.hash = ?`, h).Scan(&id)
	}
	if err == nil && id == "" {
		err = sql.ErrNoRows // staged as no longer another centre's
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read locator: %w", err)
	}
	c, _, err := centre(ctx, q, id)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// LocatorSize returns the number of codes of other centres the locator
// names.
func (s *Store) LocatorSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM locator").Scan(&n)
	return n, err
}
