package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"

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

// applyLocator stores a page's locator entries. Another key than the one
// kept (a registry that is not the same any more) drops every entry first.
func applyLocator(ctx context.Context, tx *sql.Tx, l *Locator) error {
	if len(l.Key) != pickup.LocatorKeySize || len(l.Hashes) != len(l.Centres) {
		return errors.New("locator: malformed")
	}
	key := hex.EncodeToString(l.Key)
	old, err := getSetting(ctx, tx, KeyLocatorKey)
	if err != nil {
		return err
	}
	if old != key {
		if _, err := tx.ExecContext(ctx, "DELETE FROM locator"); err != nil {
			return fmt.Errorf("locator: %w", err)
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
	put, err := tx.PrepareContext(ctx, "INSERT INTO locator (hash, centre) VALUES (?, ?) ON CONFLICT (hash) DO UPDATE SET centre = excluded.centre")
	if err != nil {
		return fmt.Errorf("locator: %w", err)
	}
	defer put.Close()
	del, err := tx.PrepareContext(ctx, "DELETE FROM locator WHERE hash = ?")
	if err != nil {
		return fmt.Errorf("locator: %w", err)
	}
	defer del.Close()
	// In hash order (stable: a later entry for a hash still wins): the
	// inserts then walk the table's pages in order instead of at random.
	order := make([]int, len(l.Hashes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return l.Hashes[order[a]] < l.Hashes[order[b]] })
	for _, i := range order {
		h, c := l.Hashes[i], l.Centres[i]
		switch {
		case c < 0:
			_, err = del.ExecContext(ctx, h)
		case int(c) < len(local):
			_, err = put.ExecContext(ctx, h, local[c])
		default:
			err = fmt.Errorf("entry %d names centre %d of %d", i, c, len(local))
		}
		if err != nil {
			return fmt.Errorf("locator: %w", err)
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
	var id string
	err = q.QueryRowContext(ctx, `SELECT c.centre_id FROM locator l JOIN locator_centres c ON c.n = l.centre WHERE l.hash = ?`,
		pickup.LocatorHash(key, code)).Scan(&id)
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
