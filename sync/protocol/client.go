package protocol

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client is a typed HTTP client of /v1/, for the terminal's sync loop and for
// tests. It signs every call, gzips bodies, bounds and validates answers,
// and corrects its clock by the registry's: on clock_skew it adopts the
// offset the answer carries and retries once. Errors are *Error for refusals
// (errors.Is against the Err… sentinels); anything else (network, a cut
// answer) is an ordinary error meaning "no definite answer: try again".
type Client struct {
	// BaseURL is the registry's address, e.g. https://registry.example:8443.
	BaseURL string
	// Creds sign every call but Time and Enrol.
	Creds Credentials
	// HTTP is the underlying client; NewClient sets one with timeouts and
	// the TLS pin.
	HTTP *http.Client
	// Now and Rand are seams for tests (time.Now and crypto/rand when nil).
	Now  func() time.Time
	Rand io.Reader
	// UserAgent is sent with every call.
	UserAgent string

	mu        sync.Mutex
	offset    time.Duration // registry clock minus ours, as last measured
	noPending bool          // the registry refused PullRequest.Pending: it predates it
	seen      bool
}

// NewClient returns a client of the registry at baseURL that trusts the
// certificate with this pin ("" for ordinary TLS verification, or plain
// HTTP on loopback).
func NewClient(baseURL string, creds Credentials, pin string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("registry address %q: want https://host:port", baseURL)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = PinnedTLSConfig(pin)
	tr.ResponseHeaderTimeout = 60 * time.Second
	tr.MaxIdleConnsPerHost = 4
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"),
		Creds:   creds,
		HTTP:    &http.Client{Transport: tr, Timeout: 5 * time.Minute},
	}, nil
}

// ClockOffset returns the registry's clock minus this machine's, as measured
// from the last answer (server_time against the middle of the round trip),
// and whether any answer was seen yet. A terminal reports a skew above a
// minute or so to the technician.
func (c *Client) ClockOffset() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset, c.seen
}

// SetClockOffset sets the offset added to the local clock when signing (for
// a terminal that stored it from an earlier run).
func (c *Client) SetClockOffset(d time.Duration) {
	c.mu.Lock()
	c.offset, c.seen = d, true
	c.mu.Unlock()
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) rnd() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

func (c *Client) observe(sent, received, server time.Time) {
	if server.IsZero() {
		return
	}
	mid := sent.Add(received.Sub(sent) / 2)
	c.mu.Lock()
	c.offset, c.seen = server.Sub(mid).Round(time.Millisecond), true
	c.mu.Unlock()
}

// call performs one request and returns the decoded answer body. body is
// JSON (nil for GET); it is gzipped on the wire.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body []byte, signed bool) ([]byte, error) {
	b, err := c.call1(ctx, method, path, query, body, signed)
	if signed && errors.Is(err, ErrClockSkew) {
		// The answer carried the registry's time and call1 adopted the
		// offset: sign again with the corrected clock, once.
		b, err = c.call1(ctx, method, path, query, body, signed)
	}
	return b, err
}

func (c *Client) call1(ctx context.Context, method, path string, query url.Values, body []byte, signed bool) ([]byte, error) {
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var wire []byte
	if body != nil {
		wire = Gzip(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(wire))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", ContentType)
		req.Header.Set("Content-Encoding", "gzip")
	} else {
		req.Body = http.NoBody
	}
	req.Header.Set("Accept", ContentType)
	req.Header.Set("Accept-Encoding", "gzip")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	sent := c.now()
	if signed {
		off, _ := c.ClockOffset()
		if err := SignRequest(req, c.Creds, sent.Add(off), c.rnd(), wire); err != nil {
			return nil, err
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := ReadRaw(resp.Body, MaxResponseBody)
	if err != nil {
		return nil, fmt.Errorf("%s %s: answer: %w", method, path, err)
	}
	dec, err := Decompress(raw, resp.Header.Get("Content-Encoding"), MaxResponseBody)
	if err != nil {
		return nil, fmt.Errorf("%s %s: answer: %w", method, path, err)
	}
	received := c.now()
	if resp.StatusCode != http.StatusOK {
		e := DecodeError(resp.StatusCode, dec)
		c.observe(sent, received, e.ServerTime)
		return nil, e
	}
	if s := extractServerTime(dec); s != "" {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			c.observe(sent, received, t)
		}
	}
	return dec, nil
}

// extractServerTime finds the last top-level "server_time" string without
// decoding the whole body twice (pages can be megabytes): every answer
// type puts it last.
func extractServerTime(b []byte) string {
	i := bytes.LastIndex(b, []byte(`"server_time":"`))
	if i < 0 {
		return ""
	}
	rest := b[i+len(`"server_time":"`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || j > 40 {
		return ""
	}
	return string(rest[:j])
}

// Time asks the registry's clock (unsigned): a terminal may call it before
// enrolling or after a clock_skew answer.
func (c *Client) Time(ctx context.Context) (time.Time, error) {
	b, err := c.call(ctx, http.MethodGet, PathTime, nil, nil, false)
	if err != nil {
		return time.Time{}, err
	}
	r, err := DecodeTimeResponse(b)
	if err != nil {
		return time.Time{}, err
	}
	return r.ServerTime, nil
}

// Enrol trades an enrolment code for credentials. requestID (a UUID) must be
// kept and reused if the call is retried after a lost answer. When the code
// carries a pin and the client has no TLS configuration yet, the pin is
// applied before anything is sent. On success the client's Creds are set.
func (c *Client) Enrol(ctx context.Context, code, requestID, hostname, version string) (*EnrolResponse, error) {
	ec, err := c.pinnedCode(code)
	if err != nil {
		return nil, err
	}
	req := EnrolRequest{EnrolmentCode: ec.Token, RequestID: requestID, Hostname: hostname, ClientVersion: version}
	b, err := c.post(ctx, PathEnrol, req, false)
	if err != nil {
		return nil, err
	}
	r, err := DecodeEnrolResponse(b)
	if err != nil {
		return nil, err
	}
	if ec.Pin != "" && r.TLSPin != "" && r.TLSPin != ec.Pin {
		return nil, ErrPinMismatch
	}
	c.Creds = r.Credentials()
	return r, nil
}

func (c *Client) pin(pin string) error {
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 5 * time.Minute}
	}
	tr, ok := c.HTTP.Transport.(*http.Transport)
	if c.HTTP.Transport == nil {
		tr, ok = http.DefaultTransport.(*http.Transport).Clone(), true
		c.HTTP.Transport = tr
	}
	if !ok {
		return nil // a test transport: nothing to pin
	}
	if tr.TLSClientConfig == nil || !tr.TLSClientConfig.InsecureSkipVerify {
		tr.TLSClientConfig = PinnedTLSConfig(pin)
	}
	return nil
}

// Pull fetches one page. The caller applies it and stores Cursor in one
// transaction, then calls again while More is set.
func (c *Client) Pull(ctx context.Context, r PullRequest) (*PullResponse, error) {
	b, err := c.pullCall(ctx, r)
	if err != nil {
		return nil, err
	}
	p, err := DecodePullResponse(b)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	if p.CentreID != c.Creds.CentreID && c.Creds.CentreID != "" {
		return nil, fmt.Errorf("pull: page for centre %q, this terminal is of %q", p.CentreID, c.Creds.CentreID)
	}
	return p, nil
}

// pullCall sends one pull; a registry that predates the pending
// parameter refuses it, and is asked again (and from then on) without it.
func (c *Client) pullCall(ctx context.Context, r PullRequest) ([]byte, error) {
	c.mu.Lock()
	if c.noPending {
		r.Pending = nil
	}
	c.mu.Unlock()
	b, err := c.call(ctx, http.MethodGet, PathPull, r.Query(), nil, true)
	var pe *Error
	if r.Pending != nil && errors.As(err, &pe) && pe.Code == CodeBadRequest && strings.Contains(pe.Message, `"pending"`) {
		c.mu.Lock()
		c.noPending = true
		c.mu.Unlock()
		r.Pending = nil
		b, err = c.call(ctx, http.MethodGet, PathPull, r.Query(), nil, true)
	}
	return b, err
}

// Push sends facts (at most MaxPushEvents; DefaultPushBatch is a good size).
// Each result is definite: the caller removes those outbox entries and
// records conflicts, in one transaction. Any error means no definite
// answer: keep the entries and try again later.
func (c *Client) Push(ctx context.Context, req *PushRequest) (*PushResponse, error) {
	b, err := c.post(ctx, PathPush, req, true)
	if err != nil {
		return nil, err
	}
	r, err := DecodePushResponse(b, req)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	return r, nil
}

// Digest fetches the registry's digest of the centre's pickups.
func (c *Client) Digest(ctx context.Context) (*DigestResponse, error) {
	b, err := c.call(ctx, http.MethodGet, PathDigest, nil, nil, true)
	if err != nil {
		return nil, err
	}
	return DecodeDigestResponse(b)
}

// Pickups lists the centre's current pickups of one digest bucket, for a
// repair.
func (c *Client) Pickups(ctx context.Context, r PickupsRequest) (*PickupsResponse, error) {
	b, err := c.call(ctx, http.MethodGet, PathPickups, r.Query(), nil, true)
	if err != nil {
		return nil, err
	}
	return DecodePickupsResponse(b)
}

// post sends req, encoded, to path (signed when auth) and returns the
// answer's body.
func (c *Client) post(ctx context.Context, path string, req any, auth bool) ([]byte, error) {
	body, err := Encode(req)
	if err != nil {
		return nil, err
	}
	return c.call(ctx, http.MethodPost, path, nil, body, auth)
}

// NewRequestID draws a random UUID (version 4) for EnrolRequest.RequestID
// or an event id.
func NewRequestID(r io.Reader) (string, error) {
	b, err := draw16(r)
	if err != nil {
		return "", fmt.Errorf("draw uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// PullAll pulls from r until the head, calling apply with each page in
// order; it returns the last page applied (nil when apply failed). It
// pipelines: while apply works on one page (a terminal's transaction), the
// next is already decoded and the one after fetched, no more — each page
// in memory is a few MB, and apply is the slowest stage. apply should store the
// page's Cursor and DatasetID with the page's rows in one transaction; an
// error from apply stops the pull and is returned as is.
func (c *Client) PullAll(ctx context.Context, r PullRequest, apply func(*PullResponse) error) (*PullResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type item struct {
		raw  []byte
		page *PullResponse
		err  error
	}
	raws := make(chan item)  // unbuffered: the fetched page waits here
	pages := make(chan item) // and the decoded one here
	go func() {              // fetch: the next request needs only the head of the page
		defer close(raws)
		req := r
		for {
			b, err := c.pullCall(ctx, req)
			req.Pending = nil // once a round
			if err == nil {
				var h PullResponse
				if h, err = peekPullHead(b); err == nil && h.Cursor < req.After && !h.Reset {
					err = fmt.Errorf("pull: cursor went back from %d to %d", req.After, h.Cursor)
				}
				if err == nil {
					select {
					case raws <- item{raw: b}:
					case <-ctx.Done():
						return
					}
					if !h.More {
						return
					}
					req.After, req.DatasetID = h.Cursor, h.DatasetID
					continue
				}
			}
			select {
			case raws <- item{err: err}:
			case <-ctx.Done():
			}
			return
		}
	}()
	go func() { // decode and validate
		defer close(pages)
		for it := range raws {
			if it.err == nil {
				it.page, it.err = DecodePullResponse(it.raw)
				if it.err == nil && c.Creds.CentreID != "" && it.page.CentreID != c.Creds.CentreID {
					it.err = fmt.Errorf("pull: page for centre %q, this terminal is of %q", it.page.CentreID, c.Creds.CentreID)
				}
				if it.err != nil {
					it.err = fmt.Errorf("pull: %w", it.err)
				}
				it.raw = nil
			}
			select {
			case pages <- it:
			case <-ctx.Done():
				return
			}
			if it.err != nil {
				return
			}
		}
	}()
	var last *PullResponse
	for it := range pages {
		if it.err != nil {
			return last, it.err
		}
		last = nil // the page before is garbage while this one is applied
		if err := apply(it.page); err != nil {
			return nil, err
		}
		last = it.page
	}
	if err := ctx.Err(); err != nil {
		return last, err
	}
	return last, nil
}

// peekPullHead reads the fields a page starts with (dataset_id, centre_id,
// reset, after, cursor, more) without decoding the rest: the page it
// returns holds only them.
func peekPullHead(b []byte) (PullResponse, error) {
	var h PullResponse
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return h, errors.New("pull: answer is not a JSON object")
	}
	for seen := 0; seen < 6; seen++ {
		k, err := dec.Token()
		if err != nil {
			return h, fmt.Errorf("pull: answer head: %w", err)
		}
		switch k {
		case "dataset_id", "centre_id", "reset", "after", "cursor", "more":
		default:
			return h, fmt.Errorf("pull: answer head: unexpected key %v", k)
		}
		if err := dec.Decode(h.field(k.(string))); err != nil {
			return h, fmt.Errorf("pull: answer head: %w", err)
		}
	}
	return h, nil
}
