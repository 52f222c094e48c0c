package protocol

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup"
)

// AuthScheme names the signature scheme in the Authorization header:
//
//	Authorization: PICKUP-HMAC-SHA256 Terminal=<id>,Timestamp=<unix ms>,Nonce=<nonce>,Signature=<base64url>
//
// The signature is HMAC-SHA256 with the terminal's secret over StringToSign:
// the scheme, the method, the escaped path and raw query, the terminal id,
// the timestamp, the nonce and the hex SHA-256 of the body bytes exactly as
// sent (after gzip), each on its own line.
const AuthScheme = "PICKUP-HMAC-SHA256"

// Clock and replay rules.
const (
	// SkewWindow is how far a request's timestamp may lie from the registry's
	// clock, either way. Outside it the answer is clock_skew with the server
	// time, and the client corrects by the offset.
	SkewWindow = 5 * time.Minute
	// NonceMemory is how long the registry remembers a nonce: the whole
	// window on both sides, so a replay is refused as long as its timestamp
	// would still be accepted.
	NonceMemory = 2*SkewWindow + time.Minute
	// MaxAuthHeader bounds the Authorization header.
	MaxAuthHeader = 512
	// HeaderBodySHA256 carries the hex SHA-256 of the body exactly as sent
	// (the hash StringToSign covers), so that the registry checks the
	// signature from the headers alone, before it reads a byte of the body,
	// and then checks the body against the hash while reading it. A
	// request without it signs the empty body.
	HeaderBodySHA256 = "X-Pickup-Body-Sha256"
)

// EmptyBodySHA256 is the hex SHA-256 of an empty body.
const EmptyBodySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// BodyHash returns the hex SHA-256 of body.
func BodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// ParseBodyHash reads the HeaderBodySHA256 value: 64 lower-case hex
// digits, or EmptyBodySHA256 when the header is absent.
func ParseBodyHash(h string) (string, error) {
	if h == "" {
		return EmptyBodySHA256, nil
	}
	if len(h) != 2*sha256.Size {
		return "", fmt.Errorf("%w: body hash invalid", ErrAuthHeader)
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", fmt.Errorf("%w: body hash invalid", ErrAuthHeader)
		}
	}
	return h, nil
}

// Credentials are what an enrolled terminal signs with.
type Credentials struct {
	TerminalID string
	CentreID   string
	Secret     []byte
}

// Auth is a parsed Authorization header.
type Auth struct {
	TerminalID string
	Timestamp  int64 // unix milliseconds of the signer's (corrected) clock
	Nonce      string
	Signature  []byte
}

// Time returns the timestamp as a time.
func (a Auth) Time() time.Time { return time.UnixMilli(a.Timestamp).UTC() }

// String formats the header value.
func (a Auth) String() string {
	return AuthScheme + " Terminal=" + a.TerminalID + ",Timestamp=" + strconv.FormatInt(a.Timestamp, 10) +
		",Nonce=" + a.Nonce + ",Signature=" + base64.RawURLEncoding.EncodeToString(a.Signature)
}

// ErrAuthHeader wraps every reason ParseAuthorization refuses a header.
var ErrAuthHeader = errors.New("authorization header")

// ParseAuthorization reads an Authorization header value strictly: the
// scheme, then exactly the four parameters, each once.
func ParseAuthorization(h string) (Auth, error) {
	var a Auth
	if h == "" {
		return a, fmt.Errorf("%w: missing", ErrAuthHeader)
	}
	if len(h) > MaxAuthHeader {
		return a, fmt.Errorf("%w: too long", ErrAuthHeader)
	}
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || scheme != AuthScheme {
		return a, fmt.Errorf("%w: scheme must be %s", ErrAuthHeader, AuthScheme)
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[k] {
			return a, fmt.Errorf("%w: malformed parameter list", ErrAuthHeader)
		}
		seen[k] = true
		switch k {
		case "Terminal":
			if !pickup.ValidID(v) {
				return a, fmt.Errorf("%w: terminal id invalid", ErrAuthHeader)
			}
			a.TerminalID = v
		case "Timestamp":
			ts, err := strconv.ParseInt(v, 10, 64)
			if err != nil || ts <= 0 || ts > 1<<50 || strconv.FormatInt(ts, 10) != v {
				return a, fmt.Errorf("%w: timestamp invalid", ErrAuthHeader)
			}
			a.Timestamp = ts
		case "Nonce":
			if !validNonce(v) {
				return a, fmt.Errorf("%w: nonce invalid", ErrAuthHeader)
			}
			a.Nonce = v
		case "Signature":
			sig, err := base64.RawURLEncoding.Strict().DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return a, fmt.Errorf("%w: signature invalid", ErrAuthHeader)
			}
			a.Signature = sig
		default:
			return a, fmt.Errorf("%w: unknown parameter %q", ErrAuthHeader, k)
		}
	}
	if len(seen) != 4 {
		return a, fmt.Errorf("%w: want Terminal, Timestamp, Nonce and Signature", ErrAuthHeader)
	}
	return a, nil
}

// validNonce reports whether s is 16 to 64 characters of an identifier's
// alphabet (pickup.ValidID).
func validNonce(s string) bool {
	return len(s) >= 16 && pickup.ValidID(s)
}

// NewNonce draws 16 random bytes (from crypto/rand when r is nil), in
// base64url.
func NewNonce(r io.Reader) (string, error) {
	b, err := draw16(r)
	if err != nil {
		return "", fmt.Errorf("draw nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// draw16 reads 16 random bytes from r, or from crypto/rand when r is nil.
func draw16(r io.Reader) ([16]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	_, err := io.ReadFull(r, b[:])
	return b, err
}

// RequestTarget is the path and query a signature covers: the escaped path,
// then "?" and the raw query when there is one.
func RequestTarget(escapedPath, rawQuery string) string {
	if rawQuery == "" {
		return escapedPath
	}
	return escapedPath + "?" + rawQuery
}

// StringToSign builds the signed text of a request.
func StringToSign(method, target, terminalID string, timestamp int64, nonce string, body []byte) string {
	return stringToSign(method, target, terminalID, timestamp, nonce, BodyHash(body))
}

func stringToSign(method, target, terminalID string, timestamp int64, nonce, bodyHash string) string {
	return strings.Join([]string{AuthScheme, method, target, terminalID, strconv.FormatInt(timestamp, 10),
		nonce, bodyHash}, "\n")
}

func mac(secret []byte, msg string) []byte {
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, msg)
	return m.Sum(nil)
}

// SignParts returns the Authorization value for a request.
func SignParts(c Credentials, method, target string, at time.Time, nonce string, body []byte) Auth {
	ts := at.UnixMilli()
	return Auth{TerminalID: c.TerminalID, Timestamp: ts, Nonce: nonce,
		Signature: mac(c.Secret, StringToSign(method, target, c.TerminalID, ts, nonce, body))}
}

// SignRequest sets req's Authorization header for body (the bytes exactly as
// sent, after gzip) at time at, with a fresh nonce from rnd.
func SignRequest(req *http.Request, c Credentials, at time.Time, rnd io.Reader, body []byte) error {
	nonce, err := NewNonce(rnd)
	if err != nil {
		return err
	}
	a := SignParts(c, req.Method, RequestTarget(req.URL.EscapedPath(), req.URL.RawQuery), at, nonce, body)
	req.Header.Set("Authorization", a.String())
	if len(body) > 0 {
		req.Header.Set(HeaderBodySHA256, BodyHash(body))
	}
	return nil
}

// VerifySignature reports whether a's signature is right for this request
// and secret (constant time).
func VerifySignature(a Auth, secret []byte, method, target string, body []byte) bool {
	return hmac.Equal(a.Signature, mac(secret, StringToSign(method, target, a.TerminalID, a.Timestamp, a.Nonce, body)))
}

// VerifyHeaderSignature reports whether a's signature is right for this
// request, secret and the body hash the request announced (constant time):
// the check a server makes before reading the body. The body must then be
// checked against bodyHash (BodyHashReader) before anything acts on it.
func VerifyHeaderSignature(a Auth, secret []byte, method, target, bodyHash string) bool {
	return hmac.Equal(a.Signature, mac(secret, stringToSign(method, target, a.TerminalID, a.Timestamp, a.Nonce, bodyHash)))
}

// ErrBodyHash is returned when a body does not match its announced hash.
var ErrBodyHash = errors.New("request body does not match its signed hash")

// CheckBodyHash compares body with the announced hex hash in constant time.
func CheckBodyHash(body []byte, bodyHash string) error {
	if !hmac.Equal([]byte(BodyHash(body)), []byte(bodyHash)) {
		return ErrBodyHash
	}
	return nil
}

// CheckClock refuses a timestamp further than window from now with
// clock_skew, carrying the server time so that the client can correct.
func CheckClock(a Auth, now time.Time, window time.Duration) *Error {
	d := a.Time().Sub(now)
	if d > window || d < -window {
		e := Errorf(CodeClockSkew, "request time is %s away from the registry's clock (allowed %s): correct the clock or the offset",
			d.Round(time.Second), window)
		e.ServerTime = truncTime(now)
		return e
	}
	return nil
}

// NonceCache remembers nonces per terminal until they expire, so that a
// replayed request is refused. Each terminal has a memory of its own,
// bounded by MaxSize: a terminal that floods signed requests fills only
// its own and is answered "busy" alone, while every other terminal goes on
// (one shared list let one terminal lock every other out). The number of
// terminals is bounded by enrolment, which only an administrator grants.
// The zero value is ready to use; it is safe for concurrent use.
type NonceCache struct {
	mu      sync.Mutex
	perTerm map[string]*terminalNonces
	lastGC  time.Time
	MaxSize int // nonces remembered per terminal; DefaultNoncesPerTerminal when 0
}

// DefaultNoncesPerTerminal bounds one terminal's nonce memory: far above
// what an honest terminal signs within NonceMemory (a sync round is a few
// dozen requests), about 4 MB at most.
const DefaultNoncesPerTerminal = 40_000

type terminalNonces struct {
	seen   map[string]time.Time
	lastGC time.Time
}

// ErrNonceCacheFull is returned by NonceCache.Add when a terminal has
// signed more requests than its memory holds within NonceMemory: the
// caller answers unavailable to that terminal only.
var ErrNonceCacheFull = errors.New("nonce memory of this terminal full")

// Add records terminal's nonce until expires. It reports false when the
// nonce was already recorded and has not expired: a replay.
func (c *NonceCache) Add(terminalID, nonce string, now, expires time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.perTerm == nil {
		c.perTerm = map[string]*terminalNonces{}
	}
	if now.Sub(c.lastGC) > time.Minute {
		for id, tn := range c.perTerm {
			tn.gc(now)
			if len(tn.seen) == 0 {
				delete(c.perTerm, id)
			}
		}
		c.lastGC = now
	}
	tn := c.perTerm[terminalID]
	if tn == nil {
		tn = &terminalNonces{seen: map[string]time.Time{}, lastGC: now}
		c.perTerm[terminalID] = tn
	}
	if exp, ok := tn.seen[nonce]; ok && !now.After(exp) {
		return false, nil
	}
	max := c.MaxSize
	if max <= 0 {
		max = DefaultNoncesPerTerminal
	}
	if len(tn.seen) >= max && now.Sub(tn.lastGC) > time.Second {
		tn.gc(now)
	}
	if len(tn.seen) >= max {
		return false, ErrNonceCacheFull
	}
	tn.seen[nonce] = expires
	return true, nil
}

// Len returns how many nonces are remembered, all terminals together.
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, tn := range c.perTerm {
		n += len(tn.seen)
	}
	return n
}

func (tn *terminalNonces) gc(now time.Time) {
	for k, exp := range tn.seen {
		if now.After(exp) {
			delete(tn.seen, k)
		}
	}
	tn.lastGC = now
}
