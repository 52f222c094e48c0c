package protocol

import (
	"bufio"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"time"

	"github.com/pickup-terminal/pickup"
)

// USB bundles carry sync for centres without any link: a terminal writes its
// pending facts to a "facts" bundle that `pickup-registry bundle import`
// takes; the registry writes a centre's pull to a "pull" bundle that
// `pickup bundle import` applies.
//
// A bundle file is gzip-compressed newline-delimited JSON; every line is
// one BundleRecord with exactly one field set:
//
//	{"header":{"format":"pickup-bundle/1","kind":"pull",…}}
//	{"page":{…PullResponse…}}           (pull bundles, in cursor order)
//	{"push":{"events":[…]}}             (facts bundles, oldest first)
//	{"trailer":{"records":N,"sha256":"…","signatures":[…]}}
//
// The trailer's sha256 covers every byte of the decompressed lines before
// it (header included); its signatures are over BundleSignedText(sha256):
// HMAC-SHA256 with the terminal's secret for facts bundles (key_id = the
// terminal id), Ed25519 with each of the registry's valid keys for pull
// bundles (a terminal that knows any one of them can verify). Applying a
// bundle twice changes nothing: events have ids, pages have sequences.
const BundleFormat = "pickup-bundle/1"

// BundleKind says which way a bundle travels.
type BundleKind string

// Bundle kinds.
const (
	BundleFacts BundleKind = "facts" // terminal → registry
	BundlePull  BundleKind = "pull"  // registry → terminal
)

// MaxBundleLine bounds one decompressed line of a bundle (a pull page);
// MaxFactsLine one line of a facts bundle (a push of at most MaxPushEvents
// facts, which a terminal writes DefaultPushBatch at a time), so that a
// forged bundle costs its reader no more memory than an honest one.
const (
	MaxBundleLine = 64 << 20
	MaxFactsLine  = 8 << 20
)

// Signature algorithms in a bundle trailer.
const (
	AlgHMAC    = "hmac-sha256"
	AlgEd25519 = "ed25519"
)

// BundleHeader is the first record of a bundle.
type BundleHeader struct {
	Format     string     `json:"format"`
	Kind       BundleKind `json:"kind"`
	ID         string     `json:"id"` // a UUID
	DatasetID  string     `json:"dataset_id"`
	CentreID   string     `json:"centre_id"`
	TerminalID string     `json:"terminal_id,omitempty"` // facts bundles: the signing terminal
	After      int64      `json:"after"`                 // pull bundles: the cursor the first page starts after
	CreatedAt  time.Time  `json:"created_at"`
}

// BundleSignature is one signature of a bundle.
type BundleSignature struct {
	Alg   string `json:"alg"`
	KeyID string `json:"key_id"`
	Sig   []byte `json:"sig"`
}

// BundleTrailer is the last record of a bundle.
type BundleTrailer struct {
	Records    int               `json:"records"` // body records (neither header nor trailer)
	SHA256     string            `json:"sha256"`
	Signatures []BundleSignature `json:"signatures"`
}

// BundleRecord is one line of a bundle.
type BundleRecord struct {
	Header  *BundleHeader  `json:"header,omitempty"`
	Page    *PullResponse  `json:"page,omitempty"`
	Push    *PushRequest   `json:"push,omitempty"`
	Trailer *BundleTrailer `json:"trailer,omitempty"`
}

// Bundle errors. ErrBundleTampered is for a well-formed bundle whose
// content does not match its signature; ErrBundle for everything else.
var (
	ErrBundle         = errors.New("not a valid pickup bundle")
	ErrBundleTampered = errors.New("bundle content does not match its signature (altered or damaged)")
)

// BundleSignedText is what a bundle's signatures cover.
func BundleSignedText(sha256hex string) []byte {
	return []byte(BundleFormat + "\n" + sha256hex)
}

// Validate checks a header's shape.
func (h *BundleHeader) Validate() error {
	switch {
	case h.Format != BundleFormat:
		return fmt.Errorf("%w: format %q, want %s", ErrBundle, h.Format, BundleFormat)
	case h.Kind != BundleFacts && h.Kind != BundlePull:
		return fmt.Errorf("%w: kind %q", ErrBundle, h.Kind)
	case !validUUID(h.ID):
		return fmt.Errorf("%w: id invalid", ErrBundle)
	case !pickup.ValidID(h.DatasetID) || !pickup.ValidID(h.CentreID):
		return fmt.Errorf("%w: dataset or centre id invalid", ErrBundle)
	case h.Kind == BundleFacts && !pickup.ValidID(h.TerminalID):
		return fmt.Errorf("%w: terminal id invalid", ErrBundle)
	case h.After < 0:
		return fmt.Errorf("%w: after invalid", ErrBundle)
	}
	return nil
}

// BundleWriter writes a bundle.
type BundleWriter struct {
	zw     *gzip.Writer
	h      hash.Hash
	kind   BundleKind
	n      int
	closed bool
}

// NewBundleWriter starts a bundle on w with its header.
func NewBundleWriter(w io.Writer, hd BundleHeader) (*BundleWriter, error) {
	if hd.Format == "" {
		hd.Format = BundleFormat
	}
	if err := hd.Validate(); err != nil {
		return nil, err
	}
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	bw := &BundleWriter{zw: zw, h: sha256.New(), kind: hd.Kind}
	if err := bw.line(BundleRecord{Header: &hd}, true); err != nil {
		return nil, err
	}
	return bw, nil
}

func (bw *BundleWriter) line(rec BundleRecord, hashed bool) error {
	b, err := Encode(rec) // one line, newline-terminated
	if err != nil {
		return err
	}
	if len(b) > MaxBundleLine {
		return fmt.Errorf("write bundle: record of %d bytes over the limit", len(b))
	}
	if hashed {
		bw.h.Write(b)
	}
	if _, err := bw.zw.Write(b); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// Page adds a pull page (pull bundles).
func (bw *BundleWriter) Page(p *PullResponse) error {
	if bw.kind != BundlePull {
		return fmt.Errorf("write bundle: a page in a %s bundle", bw.kind)
	}
	bw.n++
	return bw.line(BundleRecord{Page: p}, true)
}

// Push adds a batch of facts (facts bundles).
func (bw *BundleWriter) Push(r *PushRequest) error {
	if bw.kind != BundleFacts {
		return fmt.Errorf("write bundle: facts in a %s bundle", bw.kind)
	}
	bw.n++
	return bw.line(BundleRecord{Push: r}, true)
}

// BundleSigner signs the text of a bundle (BundleSignedText).
type BundleSigner func(text []byte) ([]BundleSignature, error)

// HMACSigner signs as a terminal, with its secret.
func HMACSigner(terminalID string, secret []byte) BundleSigner {
	return func(text []byte) ([]BundleSignature, error) {
		m := hmac.New(sha256.New, secret)
		m.Write(text)
		return []BundleSignature{{Alg: AlgHMAC, KeyID: terminalID, Sig: m.Sum(nil)}}, nil
	}
}

// Ed25519Signer signs with each of the registry's valid private keys, by
// key id.
func Ed25519Signer(keys map[string]ed25519.PrivateKey) BundleSigner {
	return func(text []byte) ([]BundleSignature, error) {
		if len(keys) == 0 {
			return nil, errors.New("sign bundle: no key")
		}
		ids := make([]string, 0, len(keys))
		for id := range keys {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var out []BundleSignature
		for _, id := range ids {
			out = append(out, BundleSignature{Alg: AlgEd25519, KeyID: id, Sig: ed25519.Sign(keys[id], text)})
		}
		return out, nil
	}
}

// Close writes the trailer signed by sign and ends the gzip stream; it
// does not close the underlying writer.
func (bw *BundleWriter) Close(sign BundleSigner) error {
	if bw.closed {
		return errors.New("write bundle: closed twice")
	}
	bw.closed = true
	sum := hex.EncodeToString(bw.h.Sum(nil))
	sigs, err := sign(BundleSignedText(sum))
	if err != nil {
		return err
	}
	if err := bw.line(BundleRecord{Trailer: &BundleTrailer{Records: bw.n, SHA256: sum, Signatures: sigs}}, false); err != nil {
		return err
	}
	if err := bw.zw.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// BundleVerifier checks a bundle's signatures over text for its header;
// it returns an error wrapping ErrBundleTampered when none verifies.
type BundleVerifier func(h BundleHeader, text []byte, sigs []BundleSignature) error

// HMACVerifier verifies a facts bundle with the secret of the terminal its
// header names (secretOf returns an error for an unknown terminal).
func HMACVerifier(secretOf func(terminalID string) ([]byte, error)) BundleVerifier {
	return func(h BundleHeader, text []byte, sigs []BundleSignature) error {
		secret, err := secretOf(h.TerminalID)
		if err != nil {
			return err
		}
		m := hmac.New(sha256.New, secret)
		m.Write(text)
		want := m.Sum(nil)
		for _, s := range sigs {
			if s.Alg == AlgHMAC && s.KeyID == h.TerminalID && hmac.Equal(s.Sig, want) {
				return nil
			}
		}
		return fmt.Errorf("%w: no valid signature of terminal %s", ErrBundleTampered, h.TerminalID)
	}
}

// Ed25519Verifier verifies a pull bundle against the registry keys a
// terminal trusts.
func Ed25519Verifier(keys map[string]ed25519.PublicKey) BundleVerifier {
	return func(h BundleHeader, text []byte, sigs []BundleSignature) error {
		for _, s := range sigs {
			if k, ok := keys[s.KeyID]; ok && s.Alg == AlgEd25519 && len(k) == ed25519.PublicKeySize && ed25519.Verify(k, text, s.Sig) {
				return nil
			}
		}
		return fmt.Errorf("%w: no signature by a registry key this terminal knows", ErrBundleTampered)
	}
}

// ReadBundle reads a bundle from r, calling fn with the header record
// first (return an error to refuse, e.g. another centre's bundle) and then
// with each body record in order; at the end it checks the trailer's hash
// and count and calls verify. Anything wrong ends the read with an error
// wrapping ErrBundle or ErrBundleTampered (or fn's error).
//
// fn runs before the signature is checked: a caller that must not act on
// unverified content either applies everything in one transaction that it
// rolls back on error, or reads the bundle twice (once with a nil fn).
func ReadBundle(r io.Reader, verify BundleVerifier, fn func(BundleRecord) error) (BundleHeader, error) {
	var hd BundleHeader
	zr, err := gzip.NewReader(r)
	if err != nil {
		return hd, fmt.Errorf("%w: not gzip (%v)", ErrBundle, err)
	}
	zr.Multistream(false)
	br := bufio.NewReaderSize(zr, 64<<10)
	h := sha256.New()
	records := 0
	for lineNo := 1; ; lineNo++ {
		max := MaxBundleLine
		if hd.Kind == BundleFacts {
			max = MaxFactsLine
		}
		line, err := readLine(br, max)
		if errors.Is(err, io.EOF) {
			return hd, fmt.Errorf("%w: ends without a trailer (truncated?)", ErrBundle)
		}
		if err != nil {
			return hd, fmt.Errorf("%w: line %d: %v", ErrBundle, lineNo, err)
		}
		var rec BundleRecord
		if err := decode(line, &rec, lineNo == 1 || hd.Kind == BundleFacts); err != nil {
			return hd, fmt.Errorf("%w: line %d: %v", ErrBundle, lineNo, err)
		}
		n := 0
		for _, set := range []bool{rec.Header != nil, rec.Page != nil, rec.Push != nil, rec.Trailer != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return hd, fmt.Errorf("%w: line %d: want exactly one of header, page, push, trailer", ErrBundle, lineNo)
		}
		switch {
		case lineNo == 1:
			if rec.Header == nil {
				return hd, fmt.Errorf("%w: no header", ErrBundle)
			}
			if err := rec.Header.Validate(); err != nil {
				return hd, err
			}
			hd = *rec.Header
		case rec.Header != nil:
			return hd, fmt.Errorf("%w: line %d: second header", ErrBundle, lineNo)
		case rec.Trailer != nil:
			t := rec.Trailer
			sum := hex.EncodeToString(h.Sum(nil))
			if t.SHA256 != sum || t.Records != records {
				return hd, fmt.Errorf("%w: content hash or record count differs from the trailer", ErrBundleTampered)
			}
			if err := verify(hd, BundleSignedText(sum), t.Signatures); err != nil {
				return hd, err
			}
			if _, err := readLine(br, MaxBundleLine); !errors.Is(err, io.EOF) {
				return hd, fmt.Errorf("%w: data after the trailer", ErrBundle)
			}
			if _, err := io.Copy(io.Discard, zr); err != nil {
				return hd, fmt.Errorf("%w: %v", ErrBundle, err)
			}
			return hd, nil
		case rec.Page != nil:
			if hd.Kind != BundlePull {
				return hd, fmt.Errorf("%w: line %d: a page in a %s bundle", ErrBundle, lineNo, hd.Kind)
			}
			if err := rec.Page.Validate(); err != nil {
				return hd, fmt.Errorf("%w: line %d: %v", ErrBundle, lineNo, err)
			}
			if rec.Page.CentreID != hd.CentreID || rec.Page.DatasetID != hd.DatasetID {
				return hd, fmt.Errorf("%w: line %d: page of another centre or dataset", ErrBundle, lineNo)
			}
			records++
		case rec.Push != nil:
			if hd.Kind != BundleFacts {
				return hd, fmt.Errorf("%w: line %d: facts in a %s bundle", ErrBundle, lineNo, hd.Kind)
			}
			if err := rec.Push.Validate(); err != nil {
				return hd, fmt.Errorf("%w: line %d: %v", ErrBundle, lineNo, err)
			}
			records++
		}
		h.Write(line)
		if fn != nil {
			if err := fn(rec); err != nil {
				return hd, err
			}
		}
	}
}

// readLine returns one line including its newline; a last line without a
// newline is an error (a cut file).
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > max {
			return nil, errors.New("line too long")
		}
		switch {
		case err == nil:
			return out, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(out) == 0:
			return nil, io.EOF
		case errors.Is(err, io.EOF):
			return nil, errors.New("last line cut")
		default:
			return nil, err
		}
	}
}

// ReadBundleOnce reads a bundle from r exactly once, into a private
// temporary copy in dir, and checks all of it — every record, check on
// the header, the trailer and its signature — before it applies anything:
// only then does it read the copy again (bytes that cannot have changed
// since they were verified, whatever r was: a named pipe, a network share,
// a file someone is rewriting) and call apply for each record. Memory is
// bounded by one line. An error from the checking pass leaves applied
// false; one from apply sets it.
func ReadBundleOnce(r io.Reader, dir string, verify BundleVerifier, check, apply func(BundleRecord) error) (hd BundleHeader, applied bool, err error) {
	tmp, err := os.CreateTemp(dir, ".bundle-*.tmp")
	if err != nil {
		return hd, false, fmt.Errorf("bundle copy: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	// The copy holds what the checking pass read, and nothing after the
	// gzip stream's end (bounded, so that an endless source stops).
	if hd, err = ReadBundle(io.TeeReader(r, tmp), verify, check); err != nil {
		return hd, false, err
	}
	if err := tmp.Sync(); err != nil {
		return hd, false, fmt.Errorf("bundle copy: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return hd, false, fmt.Errorf("bundle copy: %w", err)
	}
	hd2, err := ReadBundle(bufio.NewReader(tmp), verify, apply)
	if err == nil && (hd2.ID != hd.ID || hd2.Kind != hd.Kind || hd2.CentreID != hd.CentreID || hd2.TerminalID != hd.TerminalID ||
		hd2.DatasetID != hd.DatasetID || hd2.After != hd.After) {
		err = fmt.Errorf("%w: the copy differs from what was checked", ErrBundleTampered)
	}
	return hd, true, err
}
