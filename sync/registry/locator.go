package registry

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// locatorKeyMeta is the meta key of the national code locator's key.
const locatorKeyMeta = "locator_key"

// ensureLocatorKey gives the registry its locator key on first use (kept
// across restarts and restores: terminals hash with it).
func (reg *Registry) ensureLocatorKey(ctx context.Context, tx *wtx) error {
	var k string
	err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", locatorKeyMeta).Scan(&k)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	b := make([]byte, pickup.LocatorKeySize)
	if _, err := io.ReadFull(reg.Rand, b); err != nil {
		return fmt.Errorf("locator key: %w", err)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?)", locatorKeyMeta, hex.EncodeToString(b))
	return err
}

// locatorRow is one code of another centre as the locator sends it.
type locatorRow struct {
	code   pickup.Code
	centre string // "" when the code no longer resolves (cancelled)
	seq    int64
}

// locatorLimit is how many locator entries a page of limit rows carries
// at most: 10 bytes each against a few hundred for a pickup row, so that
// the codes of other centres do not multiply the pages of a pull.
func locatorLimit(limit int) int { return 4 * limit }

// pullLocator reads the codes of other centres changed after after, up to
// n rows in sequence order, never beyond bound (the page is cut at or
// before it). A first pull skips cancelled codes.
func (reg *Registry) pullLocator(ctx context.Context, tx *sql.Tx, centreID string, after, bound int64, n int) ([]locatorRow, error) {
	rows, err := reg.query(ctx, tx, `SELECT code, CASE WHEN status = 'cancelled' THEN '' ELSE centre_id END, seq
		FROM pickups INDEXED BY pickups_seq_locator
		WHERE seq > ?1 AND seq <= ?2 AND centre_id <> ?3 AND (?1 > 0 OR status <> 'cancelled')
		ORDER BY seq LIMIT ?4`, after, bound, centreID, n)
	if err != nil {
		return nil, fmt.Errorf("locator: %w", err)
	}
	defer rows.Close()
	out := make([]locatorRow, 0, min(n, 1024))
	for rows.Next() {
		var r locatorRow
		if err := rows.Scan(&r.code, &r.centre, &r.seq); err != nil {
			return nil, fmt.Errorf("locator: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// encodeLocator builds the page's locator from the rows up to cursor.
func (reg *Registry) encodeLocator(ctx context.Context, tx *sql.Tx, rows []locatorRow, cursor int64) (*protocol.Locator, error) {
	for len(rows) > 0 && rows[len(rows)-1].seq > cursor {
		rows = rows[:len(rows)-1]
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var k string
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", locatorKeyMeta).Scan(&k); err != nil {
		return nil, fmt.Errorf("locator key: %w", err)
	}
	key, err := hex.DecodeString(k)
	if err != nil || len(key) != pickup.LocatorKeySize {
		return nil, fmt.Errorf("locator key: damaged")
	}
	l := &protocol.Locator{Key: key, Entries: make([]byte, 0, len(rows)*protocol.LocatorEntrySize)}
	index := map[string]uint16{}
	h := pickup.NewLocatorHasher(key)
	var e [protocol.LocatorEntrySize]byte
	for _, r := range rows {
		c := uint16(protocol.LocatorGone)
		if r.centre != "" {
			i, ok := index[r.centre]
			if !ok {
				if len(l.Centres) >= protocol.LocatorGone-1 {
					return nil, fmt.Errorf("locator: too many centres")
				}
				i = uint16(len(l.Centres))
				index[r.centre] = i
				l.Centres = append(l.Centres, r.centre)
			}
			c = i
		}
		binary.BigEndian.PutUint64(e[:8], uint64(h.Hash(r.code)))
		binary.BigEndian.PutUint16(e[8:], c)
		l.Entries = append(l.Entries, e[:]...)
	}
	return l, nil
}
