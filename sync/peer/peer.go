// Package peer is the counters' exchange on the local network: each
// counter of a centre serves its facts (its own journal and the other
// counters' facts it holds) to the centre's other counters and fetches
// theirs, incrementally (a cursor per peer) and idempotently (the store
// keeps each fact once by event id), so that a handover at one counter is
// refused at the others within seconds with no registry.
//
// The channel is TLS 1.3 (encrypted; certificates are throwaway) and both
// ends then prove, bound to that TLS session (its exported keying
// material), that they hold the centre's peer credential: the registry
// gives every counter of a centre the centre's peer key in its pull, and a
// counter's credential is HMAC(peer key, its terminal id). A laptop on the
// Wi-Fi or a counter of another centre holds neither and is answered
// nothing; a revoked terminal cannot pull the key of the new epoch a
// revocation starts, and is refused once its peers pulled it. Nothing is
// sent before the other end proved itself.
package peer

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

// Bounds of the exchange.
const (
	MaxFrame     = 8 << 20 // bytes of one message
	PageFacts    = 500     // facts per answer
	ConnDeadline = 20 * time.Second
	exporterName = "EXPORTER-pickup-peer"
)

// ErrRefused is a peer that did not prove it is a counter of this centre
// at the current epoch (or this counter has no peer key yet).
var ErrRefused = errors.New("peer refused")

// hello is what each end sends first: who it is, and its proof.
type hello struct {
	TerminalID string `json:"terminal_id"`
	Name       string `json:"name,omitempty"`
	CentreID   string `json:"centre_id"`
	Epoch      int64  `json:"epoch"`
	Proof      []byte `json:"proof"`
	Error      string `json:"error,omitempty"` // the server's refusal (to a proven client only)
}

// request asks for the facts after a cursor; answer carries them.
type request struct {
	After store.FeedCursor `json:"after"`
	Limit int              `json:"limit"`
	// WaitMS, when the feed holds nothing after the cursor, holds the
	// answer until it does or this many milliseconds pass (a long poll:
	// a new fact reaches a following peer at once).
	WaitMS int `json:"wait_ms,omitempty"`
}

// MaxWait bounds a long poll; Follow asks for FollowWait.
const (
	MaxWait    = 30 * time.Second
	FollowWait = 10 * time.Second
	pollEvery  = 20 * time.Millisecond
)

type answer struct {
	Facts []pickup.Event   `json:"facts"`
	Next  store.FeedCursor `json:"next"`
	More  bool             `json:"more"`
	Head  store.FeedCursor `json:"head"`
}

// credential is a terminal's peer credential under the centre's key.
func credential(key []byte, terminalID string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("terminal\x00" + terminalID))
	return h.Sum(nil)
}

// proof binds a credential to one TLS session and one role.
func proof(cred, ekm []byte, role string) []byte {
	h := hmac.New(sha256.New, cred)
	h.Write(ekm)
	h.Write([]byte(role))
	return h.Sum(nil)
}

// check verifies the other end's hello against this counter's config.
func check(cfg store.PeerConfig, h hello, ekm []byte, role string) error {
	switch {
	case h.CentreID != cfg.CentreID:
		return fmt.Errorf("%w: a counter of centre %q", ErrRefused, h.CentreID)
	case !pickup.ValidID(h.TerminalID) || h.TerminalID == cfg.TerminalID:
		return fmt.Errorf("%w: terminal id %q", ErrRefused, h.TerminalID)
	case h.Epoch != cfg.Epoch:
		return fmt.Errorf("%w: terminal %s holds the peer key of epoch %d, this counter %d (a revocation not known to both: sync with the registry)",
			ErrRefused, h.TerminalID, h.Epoch, cfg.Epoch)
	case !hmac.Equal(h.Proof, proof(credential(cfg.Key, h.TerminalID), ekm, role)):
		return fmt.Errorf("%w: terminal %s did not prove it is a counter of this centre", ErrRefused, h.TerminalID)
	}
	return nil
}

func writeFrame(w *bufio.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	w.Write(n[:])
	w.Write(b)
	return w.Flush()
}

func readFrame(r io.Reader, v any) error {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > MaxFrame {
		return fmt.Errorf("message of %d bytes, at most %d", size, MaxFrame)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Service runs a counter's peer exchange: it serves on cfg.Listen and
// fetches from every peer address it knows, every Interval.
type Service struct {
	Store    *store.Store
	Log      *slog.Logger
	Interval time.Duration // between fetch rounds; 1 s when zero
	// Addrs, when set, returns more addresses to fetch from (discovery).
	Addrs func() []string
	// MDNS: advertise this counter and find the others by mDNS/DNS-SD
	// (Discovery), besides the addresses a technician listed.
	MDNS bool

	cert tls.Certificate
	mu   sync.Mutex
	ln   net.Listener
}

func (sv *Service) log() *slog.Logger {
	if sv.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return sv.Log
}

func selfSigned() (tls.Certificate, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}, nil
}

// Listen opens the service's address (cfg.Listen), so that Serve can start
// without a race; it returns the address it listens on.
func (sv *Service) Listen(ctx context.Context) (net.Addr, error) {
	cfg, err := sv.Store.PeerConfig(ctx)
	if err != nil {
		return nil, err
	}
	if sv.cert.Certificate == nil {
		if sv.cert, err = selfSigned(); err != nil {
			return nil, fmt.Errorf("peer certificate: %w", err)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("peer service: %w", err)
	}
	sv.mu.Lock()
	sv.ln = ln
	sv.mu.Unlock()
	return ln.Addr(), nil
}

// Run serves, and follows every peer address known (listed by the
// technician, and discovered: the list is read again every Interval),
// until ctx ends.
func (sv *Service) Run(ctx context.Context) error {
	if sv.ln == nil {
		if _, err := sv.Listen(ctx); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sv.serve(ctx) }()
	if sv.MDNS {
		d := &Discovery{Store: sv.Store}
		sv.Addrs = d.Addrs
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Run(ctx, sv.ln.Addr().(*net.TCPAddr).Port); err != nil {
				sv.log().Warn("mDNS discovery off", "err", err)
			}
		}()
	}
	every := sv.Interval
	if every <= 0 {
		every = time.Second
	}
	following := map[string]context.CancelFunc{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		want := map[string]bool{}
		for _, a := range sv.addrs(ctx) {
			want[a] = true
			if following[a] != nil {
				continue
			}
			fctx, cancel := context.WithCancel(ctx)
			following[a] = cancel
			wg.Add(1)
			go func() {
				defer wg.Done()
				sv.follow(fctx, a, every)
			}()
		}
		for a, cancel := range following {
			if !want[a] {
				cancel()
				delete(following, a)
			}
		}
		select {
		case <-ctx.Done():
			sv.ln.Close()
			wg.Wait()
			return nil
		case <-t.C:
		}
	}
}

// follow follows one peer address, again after every failure (a second
// later), until ctx ends.
func (sv *Service) follow(ctx context.Context, addr string, pause time.Duration) {
	for ctx.Err() == nil {
		if _, err := sv.Follow(ctx, addr); err != nil && ctx.Err() == nil {
			sv.log().Debug("peer", "addr", addr, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

// addrs returns the peer addresses known now.
func (sv *Service) addrs(ctx context.Context) []string {
	cfg, err := sv.Store.PeerConfig(ctx)
	if err != nil || len(cfg.Key) == 0 {
		return nil
	}
	addrs := cfg.Peers
	if sv.Addrs != nil {
		addrs = append(addrs, sv.Addrs()...)
	}
	return addrs
}

func (sv *Service) serve(ctx context.Context) {
	go func() { <-ctx.Done(); sv.ln.Close() }()
	sem := make(chan struct{}, 64)
	for {
		c, err := sv.ln.Accept()
		if err != nil {
			return
		}
		select {
		case sem <- struct{}{}:
		default:
			c.Close() // too many at once
			continue
		}
		go func() {
			defer func() { <-sem }()
			if err := sv.handle(ctx, c); err != nil && !errors.Is(err, io.EOF) {
				sv.log().Info("peer refused or cut", "remote", c.RemoteAddr().String(), "err", err)
			}
		}()
	}
}

func ekmOf(c *tls.Conn) ([]byte, error) {
	st := c.ConnectionState()
	return st.ExportKeyingMaterial(exporterName, nil, 32)
}

func (sv *Service) tlsConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{sv.cert}, MinVersion: tls.VersionTLS13,
		// The certificates are throwaway: each end is authenticated by its
		// proof over the session's keying material, not by a certificate.
		InsecureSkipVerify: true} // #nosec G402 -- see above
}

// handle answers one connection: the client proves itself first; only
// then does this counter prove itself and serve its feed.
func (sv *Service) handle(ctx context.Context, raw net.Conn) error {
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(ConnDeadline))
	c := tls.Server(raw, sv.tlsConfig())
	if err := c.HandshakeContext(ctx); err != nil {
		return err
	}
	ekm, err := ekmOf(c)
	if err != nil {
		return err
	}
	cfg, err := sv.Store.PeerConfig(ctx)
	if err != nil {
		return err
	}
	if len(cfg.Key) == 0 {
		return fmt.Errorf("%w: no peer key yet (sync with the registry once)", ErrRefused)
	}
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	var h hello
	if err := readFrame(r, &h); err != nil {
		return err
	}
	if err := check(cfg, h, ekm, "client"); err != nil {
		return err // nothing said to an unproven client
	}
	me := hello{TerminalID: cfg.TerminalID, Name: cfg.TerminalName, CentreID: cfg.CentreID, Epoch: cfg.Epoch,
		Proof: proof(credential(cfg.Key, cfg.TerminalID), ekm, "server")}
	if err := writeFrame(w, me); err != nil {
		return err
	}
	for {
		var req request
		if err := readFrame(r, &req); err != nil {
			return err
		}
		limit := req.Limit
		if limit <= 0 || limit > PageFacts {
			limit = PageFacts
		}
		wait := min(time.Duration(max(req.WaitMS, 0))*time.Millisecond, MaxWait)
		raw.SetDeadline(time.Now().Add(wait + ConnDeadline))
		until := time.Now().Add(wait)
		var facts []pickup.Event
		var next store.FeedCursor
		var more bool
		for {
			if facts, next, more, err = sv.Store.Feed(ctx, req.After, limit); err != nil {
				return err
			}
			if len(facts) > 0 || !time.Now().Before(until) {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pollEvery):
			}
		}
		head, err := sv.Store.FeedHead(ctx)
		if err != nil {
			return err
		}
		if err := writeFrame(w, answer{Facts: facts, Next: next, More: more, Head: head}); err != nil {
			return err
		}
		raw.SetDeadline(time.Now().Add(ConnDeadline))
	}
}

// Round fetches once from every peer address known.
func (sv *Service) Round(ctx context.Context) {
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for _, a := range sv.addrs(ctx) {
		if seen[a] {
			continue
		}
		seen[a] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := sv.Fetch(ctx, a); err != nil {
				sv.log().Debug("peer fetch", "addr", a, "err", err)
			}
		}()
	}
	wg.Wait()
}

// Fetch fetches the facts a peer holds after this counter's cursor for it,
// stores them and returns what it took.
func (sv *Service) Fetch(ctx context.Context, addr string) (store.IngestOutcome, error) {
	return sv.exchange(ctx, addr, false)
}

// Follow fetches from a peer and then keeps the connection, each new fact
// of the peer's arriving at once (a long poll), until ctx ends or the
// connection fails.
func (sv *Service) Follow(ctx context.Context, addr string) (store.IngestOutcome, error) {
	return sv.exchange(ctx, addr, true)
}

func (sv *Service) exchange(ctx context.Context, addr string, follow bool) (store.IngestOutcome, error) {
	var total store.IngestOutcome
	cfg, err := sv.Store.PeerConfig(ctx)
	if err != nil {
		return total, err
	}
	if len(cfg.Key) == 0 {
		return total, fmt.Errorf("%w: no peer key yet (sync with the registry once)", ErrRefused)
	}
	if sv.cert.Certificate == nil {
		if sv.cert, err = selfSigned(); err != nil {
			return total, err
		}
	}
	d := net.Dialer{Timeout: 3 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return total, err
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(ConnDeadline))
	c := tls.Client(raw, sv.tlsConfig())
	if err := c.HandshakeContext(ctx); err != nil {
		return total, err
	}
	ekm, err := ekmOf(c)
	if err != nil {
		return total, err
	}
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	me := hello{TerminalID: cfg.TerminalID, Name: cfg.TerminalName, CentreID: cfg.CentreID, Epoch: cfg.Epoch,
		Proof: proof(credential(cfg.Key, cfg.TerminalID), ekm, "client")}
	if err := writeFrame(w, me); err != nil {
		return total, err
	}
	var h hello
	if err := readFrame(r, &h); err != nil {
		return total, fmt.Errorf("%w: %s closed without proving itself (%v)", ErrRefused, addr, err)
	}
	if err := check(cfg, h, ekm, "server"); err != nil {
		return total, err
	}
	p, err := sv.Store.Peer(ctx, h.TerminalID)
	if err != nil {
		return total, err
	}
	p.Name, p.Addr = h.Name, addr
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()
	wait := 0
	for {
		if err := writeFrame(w, request{After: p.Cursor, Limit: PageFacts, WaitMS: wait}); err != nil {
			return total, err
		}
		raw.SetDeadline(time.Now().Add(time.Duration(wait)*time.Millisecond + ConnDeadline))
		var a answer
		if err := readFrame(r, &a); err != nil {
			return total, err
		}
		out, err := sv.Store.IngestFacts(ctx, store.SourcePeer, a.Facts)
		if err != nil {
			return total, err
		}
		total.New += out.New
		total.Known += out.Known
		total.Refused += out.Refused
		total.Conflicts += out.Conflicts
		// The cursor moves only after the facts are stored: a cut here
		// fetches them again, and they are kept once.
		p.Cursor, p.LastExchange = a.Next, time.Now().UTC()
		p.Lag = max(0, a.Head.Journal-a.Next.Journal) + max(0, a.Head.Foreign-a.Next.Foreign)
		if err := sv.Store.NotePeer(ctx, p); err != nil {
			return total, err
		}
		switch {
		case a.More:
			wait = 0
		case !follow:
			return total, nil
		default:
			wait = int(FollowWait / time.Millisecond)
		}
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}
