package protocol

import (
	"encoding/hex"
	"sort"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/rowdigest"
)

// Digest is an order-independent digest of a set of pickups: the sum,
// modulo 2^256, of the SHA-256 of each row's canonical form (RowHash), and
// the number of rows. A sum rather than an XOR, so that two identical rows
// do not cancel out. Adding rows in any order gives the same digest, and a
// row can be taken out again (Remove) when it changes.
//
// The registry and the terminal compute it over the pickups of the
// terminal's centre (every status); the terminal compares when its outbox
// is empty and its cursor equals the digest's Cursor. Rows are also summed
// per bucket, by the first character of the code, so that a mismatch can be
// repaired by listing only the buckets that differ (GET /v1/pickups).
type Digest struct {
	buckets rowdigest.Buckets
}

// DigestOf makes a digest of sums kept by a database (see
// internal/rowdigest), without reading its rows.
func DigestOf(b rowdigest.Buckets) *Digest { return &Digest{buckets: b} }

// RowHash is the SHA-256 of a pickup's canonical form: every field a
// terminal keeps, NUL-separated, prefixed by the digest version.
func RowHash(p pickup.Pickup) [32]byte { return rowdigest.RowHash(p) }

func (d *Digest) add(p pickup.Pickup, sign int) {
	if d.buckets == nil {
		d.buckets = rowdigest.Buckets{}
	}
	d.buckets.Add(p, sign)
}

// Add counts a pickup in the digest.
func (d *Digest) Add(p pickup.Pickup) { d.add(p, 1) }

// Remove takes a pickup added before out of the digest.
func (d *Digest) Remove(p pickup.Pickup) { d.add(p, -1) }

// Count returns the number of rows in the digest.
func (d *Digest) Count() int64 { return d.buckets.Total().Count }

// Hex returns the 256-bit sum as 64 hex digits.
func (d *Digest) Hex() string { return d.buckets.Total().Hex() }

// Buckets returns the non-empty buckets, by prefix.
func (d *Digest) Buckets() []DigestBucket {
	keys := d.buckets.Prefixes()
	out := make([]DigestBucket, 0, len(keys))
	for _, k := range keys {
		b := d.buckets[k]
		out = append(out, DigestBucket{Prefix: string(k), Count: b.Count, Digest: b.Hex()})
	}
	return out
}

// Diff returns the prefixes whose bucket differs between two digest
// answers (the registry's and the terminal's): the buckets to repair.
func Diff(a, b []DigestBucket) []string {
	m := map[string]DigestBucket{}
	for _, x := range a {
		m[x.Prefix] = x
	}
	var out []string
	seen := map[string]bool{}
	for _, y := range b {
		seen[y.Prefix] = true
		if x, ok := m[y.Prefix]; !ok || x != y {
			out = append(out, y.Prefix)
		}
	}
	for _, x := range a {
		if !seen[x.Prefix] {
			out = append(out, x.Prefix)
		}
	}
	sort.Strings(out)
	return out
}

func validDigestHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
