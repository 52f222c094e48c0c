// Package rowdigest keeps the order-independent digest of a database's
// pickups up to date as rows change, for the drift check of both the
// terminal's store and the registry: a check then reads a few stored
// sums instead of every row.
//
// Each pickup's canonical form is hashed (RowHash); a centre's digest is
// the sum, modulo 2^256, of the hashes of its rows, kept per bucket (the
// first character of the code). Triggers on the pickups table (the
// migration of each database: digest_log, digest_buckets and three
// triggers) copy every inserted,
// changed or deleted row into digest_log, old row with sign -1 and new
// row with sign +1, so that no writer, not even a technician's sqlite3,
// can miss one; Fold, called at the end of each write transaction, adds
// the log into digest_buckets and empties it. Readers add what is still
// in the log to the stored sums (Centre), so a snapshot's answer is exact
// either way.
package rowdigest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// RowHash is the SHA-256 of a pickup's canonical form: every field a
// terminal keeps, NUL-separated, prefixed by the digest version.
func RowHash(p pickup.Pickup) [32]byte {
	h := sha256.New()
	for _, f := range []string{"pickup-digest-v1", string(p.Code), p.Name, p.Profession, p.ParcelKind, p.CentreID,
		p.CampaignID, p.Window.Start.String(), p.Window.End.String(), string(p.Status)} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Sum is a number of rows and the sum of their hashes modulo 2^256.
type Sum struct {
	Count int64
	s     [4]uint64 // little-endian limbs
}

// AddHash adds (sign > 0) or takes out (sign < 0) one row's hash.
func (d *Sum) AddHash(h [32]byte, sign int) {
	var o Sum
	for i := 0; i < 4; i++ {
		o.s[i] = binary.BigEndian.Uint64(h[24-8*i:])
	}
	o.Count = 1
	d.Add(o, sign)
}

// Add adds (sign > 0) or subtracts (sign < 0) another sum.
func (d *Sum) Add(o Sum, sign int) {
	var carry uint64
	for i := 0; i < 4; i++ {
		a, v := d.s[i], o.s[i]
		if sign > 0 {
			s := a + v
			c1 := b2u(s < v)
			s2 := s + carry
			c2 := b2u(s2 < carry)
			d.s[i], carry = s2, c1|c2
		} else {
			s := a - v
			b1 := b2u(a < v)
			s2 := s - carry
			b2 := b2u(s < carry)
			d.s[i], carry = s2, b1|b2
		}
	}
	if sign > 0 {
		d.Count += o.Count
	} else {
		d.Count -= o.Count
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Bytes returns the 256-bit sum, big-endian.
func (d Sum) Bytes() [32]byte {
	var b [32]byte
	for i := 0; i < 4; i++ {
		binary.BigEndian.PutUint64(b[24-8*i:], d.s[i])
	}
	return b
}

// Hex returns the 256-bit sum as 64 hex digits.
func (d Sum) Hex() string {
	b := d.Bytes()
	return hex.EncodeToString(b[:])
}

// Zero reports whether the sum holds nothing.
func (d Sum) Zero() bool { return d == Sum{} }

// FromBytes makes a sum of count rows from its big-endian form.
func FromBytes(count int64, b []byte) (Sum, error) {
	if len(b) != 32 {
		return Sum{}, fmt.Errorf("digest sum of %d bytes, want 32", len(b))
	}
	d := Sum{Count: count}
	for i := 0; i < 4; i++ {
		d.s[i] = binary.BigEndian.Uint64(b[24-8*i:])
	}
	return d, nil
}

// Prefix is a code's bucket: its first character ('?' for an empty code).
func Prefix(code pickup.Code) byte {
	if len(code) == 0 {
		return '?'
	}
	return code[0]
}

// Buckets are a centre's sums by prefix.
type Buckets map[byte]Sum

// Add counts a row in its bucket (sign +1) or takes it out (-1).
func (b Buckets) Add(p pickup.Pickup, sign int) {
	k := Prefix(p.Code)
	s := b[k]
	s.AddHash(RowHash(p), sign)
	b[k] = s
}

// Total is the sum of every bucket.
func (b Buckets) Total() Sum {
	var t Sum
	for _, s := range b {
		t.Add(s, 1)
	}
	return t
}

// Prefixes returns the prefixes of the non-empty buckets, in order.
func (b Buckets) Prefixes() []byte {
	out := make([]byte, 0, len(b))
	for k, s := range b {
		if !s.Zero() {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Columns are the log's pickup columns: sqlkit.PickupColumns.
const Columns = sqlkit.PickupColumns

// Fold adds every logged change into digest_buckets and empties the log,
// inside the caller's write transaction. It costs the changes since the
// last fold.
func Fold(ctx context.Context, tx *sql.Tx) error {
	changed := map[string]Buckets{}
	var last int64
	if err := sqlkit.Each(ctx, tx, func(rows *sql.Rows) error {
		var p pickup.Pickup
		var sign int
		if err := sqlkit.ScanPickup(rows, &p, &last, &sign); err != nil {
			return err
		}
		b := changed[p.CentreID]
		if b == nil {
			b = Buckets{}
			changed[p.CentreID] = b
		}
		b.Add(p, sign)
		return nil
	}, `SELECT `+Columns+`, id, sign FROM digest_log ORDER BY id`); err != nil {
		return fmt.Errorf("fold digest: %w", err)
	}
	if len(changed) == 0 {
		return nil
	}
	for centre, bs := range changed {
		for k, delta := range bs {
			var count int64
			var raw []byte
			err := tx.QueryRowContext(ctx, "SELECT count, sum FROM digest_buckets WHERE centre_id = ? AND prefix = ?", centre, string(k)).Scan(&count, &raw)
			var s Sum
			switch {
			case err == sql.ErrNoRows:
			case err != nil:
				return fmt.Errorf("fold digest: %w", err)
			default:
				if s, err = FromBytes(count, raw); err != nil {
					return fmt.Errorf("fold digest: %w", err)
				}
			}
			s.Add(delta, 1)
			if s.Zero() {
				_, err = tx.ExecContext(ctx, "DELETE FROM digest_buckets WHERE centre_id = ? AND prefix = ?", centre, string(k))
			} else {
				b := s.Bytes()
				_, err = tx.ExecContext(ctx, `INSERT INTO digest_buckets (centre_id, prefix, count, sum) VALUES (?, ?, ?, ?)
					ON CONFLICT (centre_id, prefix) DO UPDATE SET count = excluded.count, sum = excluded.sum`, centre, string(k), s.Count, b[:])
			}
			if err != nil {
				return fmt.Errorf("fold digest: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM digest_log WHERE id <= ?", last); err != nil {
		return fmt.Errorf("fold digest: %w", err)
	}
	return nil
}

// Centre returns a centre's buckets as of q's snapshot: the stored sums
// plus what the log holds that is not folded yet.
func Centre(ctx context.Context, q sqlkit.Querier, centre string) (Buckets, error) {
	out := Buckets{}
	if err := sqlkit.Each(ctx, q, func(rows *sql.Rows) error {
		var prefix string
		var count int64
		var raw []byte
		if err := rows.Scan(&prefix, &count, &raw); err != nil {
			return err
		}
		s, err := FromBytes(count, raw)
		if err != nil || len(prefix) != 1 {
			return fmt.Errorf("bucket %q: damaged sum", prefix)
		}
		out[prefix[0]] = s
		return nil
	}, "SELECT prefix, count, sum FROM digest_buckets WHERE centre_id = ?", centre); err != nil {
		return nil, fmt.Errorf("read digest: %w", err)
	}
	if err := sqlkit.Each(ctx, q, func(rows *sql.Rows) error {
		var p pickup.Pickup
		var sign int
		if err := sqlkit.ScanPickup(rows, &p, &sign); err != nil {
			return err
		}
		out.Add(p, sign)
		return nil
	}, `SELECT `+Columns+`, sign FROM digest_log WHERE centre_id = ?`, centre); err != nil {
		return nil, fmt.Errorf("read digest: %w", err)
	}
	return out, nil
}
