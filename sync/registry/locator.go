package registry

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"

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

// pullLocator reads the codes of other centres changed after after, up to
// n rows, never beyond bound (the page is cut at or before it), and adds
// their sequences to seqs. A first pull skips cancelled codes.
func (reg *Registry) pullLocator(ctx context.Context, tx *sql.Tx, centreID string, after, bound int64, n int, seqs *[]int64) ([]locatorRow, error) {
	rows, err := reg.query(ctx, tx, `SELECT code, CASE WHEN status = 'cancelled' THEN '' ELSE centre_id END, seq
		FROM pickups INDEXED BY pickups_seq_locator
		WHERE seq > ?1 AND seq <= ?2 AND centre_id <> ?3 AND (?1 > 0 OR status <> 'cancelled')
		ORDER BY seq LIMIT ?4`, after, bound, centreID, n)
	if err != nil {
		return nil, fmt.Errorf("locator: %w", err)
	}
	defer rows.Close()
	var out []locatorRow
	for rows.Next() {
		var r locatorRow
		if err := rows.Scan(&r.code, &r.centre, &r.seq); err != nil {
			return nil, fmt.Errorf("locator: %w", err)
		}
		out = append(out, r)
		*seqs = append(*seqs, r.seq)
	}
	return out, rows.Err()
}

// locatorBound is the largest sequence a page can still reach once the
// other streams are read: the limit-th smallest of their sequences.
func locatorBound(seqs []int64, limit int, head int64) int64 {
	if len(seqs) < limit {
		return head
	}
	s := append([]int64(nil), seqs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[limit-1]
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
