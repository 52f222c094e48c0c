package protocol

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sort"

	"github.com/pickup-terminal/pickup"
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
	count   int64
	sum     [4]uint64
	buckets map[byte]*Digest
}

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

func (d *Digest) addHash(h [32]byte, sign int) {
	var carry uint64
	for i := 0; i < 4; i++ {
		v := binary.BigEndian.Uint64(h[24-8*i:])
		if sign > 0 {
			s := d.sum[i] + v
			c1 := b2u(s < v)
			s2 := s + carry
			c2 := b2u(s2 < carry)
			d.sum[i], carry = s2, c1|c2
		} else {
			s := d.sum[i] - v
			b1 := b2u(d.sum[i] < v)
			s2 := s - carry
			b2 := b2u(s < carry)
			d.sum[i], carry = s2, b1|b2
		}
	}
	d.count += int64(sign)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (d *Digest) bucket(code pickup.Code) *Digest {
	if d.buckets == nil {
		d.buckets = map[byte]*Digest{}
	}
	var k byte = '?'
	if len(code) > 0 {
		k = code[0]
	}
	b := d.buckets[k]
	if b == nil {
		b = &Digest{}
		d.buckets[k] = b
	}
	return b
}

// Add counts a pickup in the digest.
func (d *Digest) Add(p pickup.Pickup) {
	h := RowHash(p)
	d.addHash(h, 1)
	d.bucket(p.Code).addHash(h, 1)
}

// Remove takes a pickup added before out of the digest.
func (d *Digest) Remove(p pickup.Pickup) {
	h := RowHash(p)
	d.addHash(h, -1)
	d.bucket(p.Code).addHash(h, -1)
}

// Count returns the number of rows in the digest.
func (d *Digest) Count() int64 { return d.count }

// Hex returns the 256-bit sum as 64 hex digits.
func (d *Digest) Hex() string {
	var b [32]byte
	for i := 0; i < 4; i++ {
		binary.BigEndian.PutUint64(b[24-8*i:], d.sum[i])
	}
	return hex.EncodeToString(b[:])
}

// Buckets returns the non-empty buckets, by prefix.
func (d *Digest) Buckets() []DigestBucket {
	out := make([]DigestBucket, 0, len(d.buckets))
	for k, b := range d.buckets {
		if b.count != 0 {
			out = append(out, DigestBucket{Prefix: string(k), Count: b.count, Digest: b.Hex()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Prefix < out[j].Prefix })
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
