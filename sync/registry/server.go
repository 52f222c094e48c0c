package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Server serves /v1/ for a registry.
type Server struct {
	Reg *Registry
	Log *slog.Logger
	// Now is the server's clock (time.Now by default): a seam for tests.
	Now func() time.Time
	// SkewWindow is how far a request's timestamp may be from Now
	// (protocol.SkewWindow by default).
	SkewWindow time.Duration
	// TLS, when set, makes Serve speak TLS.
	TLS *tls.Config
	// Console, when set, answers under /console/ (sync/registry/console).
	Console http.Handler
	// Limits bound request costs (DefaultLimits when zero); set before the
	// first request.
	Limits Limits
	// Started is when this process began to remember nonces (set by
	// Serve): a signed GET timestamped before it may be a replay of one
	// sent to the previous process, whose memory is gone, and is refused
	// with clock_skew so that an honest client signs it again (a push's
	// nonce is kept in the database and survives the restart).
	Started time.Time

	limOnce  sync.Once
	lim      *limiter
	nonces   protocol.NonceCache
	seenMu   sync.Mutex
	lastSeen map[string]SeenNote // noted, not yet written
	flushed  time.Time
}

// NewServer returns a server for reg with default settings.
func NewServer(reg *Registry, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{Reg: reg, Log: log, Now: time.Now, SkewWindow: protocol.SkewWindow}
}

func (s *Server) limiter() *limiter {
	s.limOnce.Do(func() {
		l := s.Limits
		if l == (Limits{}) {
			l = DefaultLimits
		}
		s.lim = newLimiter(l, s.Log)
	})
	return s.lim
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Serve answers on ln until ctx is cancelled, then shuts down gracefully
// (in-flight calls get 10 seconds).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      180 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if s.TLS != nil {
		ln = tls.NewListener(ln, s.TLS)
	}
	if s.Started.IsZero() {
		s.Started = s.now()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		s.FlushSeen(context.Background())
		return nil
	}
	return fmt.Errorf("serve: %w", err)
}

// Handler returns the HTTP handler of /v1/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	route := func(method, path string, h func(w http.ResponseWriter, r *http.Request) error) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.Method != method {
				w.Header().Set("Allow", method)
				s.fail(w, r, protocol.Errorf(protocol.CodeMethodNotAllowed, "%s %s: use %s", r.Method, path, method))
				return
			}
			if err := h(w, r); err != nil {
				s.fail(w, r, err)
			}
		})
	}
	route(http.MethodGet, protocol.PathTime, s.handleTime)
	route(http.MethodPost, protocol.PathEnrol, s.handleEnrol)
	route(http.MethodPost, protocol.PathEnrolPreview, s.handleEnrolPreview)
	route(http.MethodGet, protocol.PathPull, s.handlePull)
	route(http.MethodPost, protocol.PathPush, s.handlePush)
	route(http.MethodGet, protocol.PathDigest, s.handleDigest)
	route(http.MethodGet, protocol.PathPickups, s.handlePickups)
	if s.Console != nil {
		mux.Handle("/console/", s.Console)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, protocol.Errorf(protocol.CodeNotFound, "no such endpoint %s (this registry speaks /v1/)", r.URL.Path))
	})
	return s.logged(mux)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// logged logs every call (never a code or a name: paths carry none) and
// turns a panic into a 500.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				s.fail(sw, r, protocol.Errorf(protocol.CodeInternal, "internal error"))
			}
			s.Log.Debug("call", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", time.Since(start).Milliseconds())
		}()
		h.ServeHTTP(sw, r)
	})
}

// fail writes an error body. Errors that are not *protocol.Error are
// logged and answered as internal.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		s.Log.Error("call failed", "method", r.Method, "path", r.URL.Path, "err", err)
		pe = protocol.Errorf(protocol.CodeInternal, "the registry failed; try again later")
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			pe = protocol.Errorf(protocol.CodeUnavailable, "the registry is busy or stopping; try again later")
		}
	} else if pe.HTTPStatus() >= 400 && pe.HTTPStatus() < 500 {
		s.Log.Info("refused", "method", r.Method, "path", r.URL.Path, "code", string(pe.Code))
	}
	if r.Method != http.MethodGet {
		// The body may be unread (refused from the headers): close the
		// connection instead of reading it to reuse the connection.
		w.Header().Set("Connection", "close")
	}
	e := *pe
	e.ServerTime = protocol.Now(s.Now)
	s.write(w, r, e.HTTPStatus(), e.Body())
}

// write sends v as JSON, gzipped when the client accepts it.
func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := protocol.Encode(v)
	if err != nil {
		s.Log.Error("encode answer", "err", err)
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"encode answer"}}`)
	}
	s.writeBytes(w, r, status, b)
}

// writeBytes sends a JSON body, gzipped when the client accepts it.
func (s *Server) writeBytes(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", protocol.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if len(b) > 512 && protocol.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		b = protocol.Gzip(b)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// noBody refuses a body on a GET call.
func noBody(r *http.Request) error {
	var one [1]byte
	if n, _ := io.ReadFull(r.Body, one[:]); n > 0 || r.ContentLength > 0 {
		return protocol.Errorf(protocol.CodeBadRequest, "GET %s takes no body", r.URL.Path)
	}
	return nil
}

// readBody reads a request body: at most limit raw bytes (the bytes the
// signature covers, checked against wantHash when it is not empty) and at
// most decodedLimit once decompressed. It is called only once the caller
// is known (or, for enrolment, admitted by the rate limits), inside a body
// slot, so that memory is bounded by slots × limits.
func readBody(w http.ResponseWriter, r *http.Request, limit, decodedLimit int64, wantHash string) ([]byte, error) {
	if err := protocol.CheckContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	if r.ContentLength > limit {
		return nil, protocol.Errorf(protocol.CodeTooLarge, "body of %d bytes over the limit of %d", r.ContentLength, limit)
	}
	raw, err := protocol.ReadRaw(http.MaxBytesReader(w, r.Body, limit), limit)
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, protocol.Errorf(protocol.CodeBadRequest, "read body: %v", err)
	}
	if wantHash != "" && protocol.CheckBodyHash(raw, wantHash) != nil {
		return nil, protocol.Errorf(protocol.CodeBadSignature, "the body does not match its signed hash (altered on the way?)")
	}
	return protocol.Decompress(raw, r.Header.Get("Content-Encoding"), decodedLimit)
}

// signedBody reads the body of an authenticated call within its limits.
func (s *Server) signedBody(w http.ResponseWriter, r *http.Request, c Caller, limit, decodedLimit int64) ([]byte, error) {
	release, err := s.limiter().body(r.Context(), c.TerminalID)
	if err != nil {
		return nil, err
	}
	defer release()
	return readBody(w, r, limit, decodedLimit, c.bodyHash)
}

// authenticate checks the request's signature from its headers alone,
// before a byte of the body is read, and returns the caller. Order:
// header, terminal, signature, revocation, clock, rate, nonce — so that
// nothing is remembered, and nothing costly done, for a request that is not
// genuinely the terminal's. The body, when there is one, must then be read
// with signedBody, which checks it against the signed hash.
func (s *Server) authenticate(r *http.Request) (Caller, protocol.Auth, error) {
	a, err := protocol.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return Caller{}, a, protocol.Errorf(protocol.CodeUnauthenticated, "%v", err)
	}
	bodyHash, err := protocol.ParseBodyHash(r.Header.Get(protocol.HeaderBodySHA256))
	if err != nil {
		return Caller{}, a, protocol.Errorf(protocol.CodeUnauthenticated, "%v", err)
	}
	if r.Method == http.MethodGet && bodyHash != protocol.EmptyBodySHA256 {
		return Caller{}, a, protocol.Errorf(protocol.CodeBadRequest, "GET %s takes no body", r.URL.Path)
	}
	t, err := s.Reg.terminalAuth(r.Context(), a.TerminalID)
	if errors.Is(err, ErrNotFound) {
		return Caller{}, a, protocol.Errorf(protocol.CodeUnauthenticated, "terminal %s is not enrolled at this registry (dataset reset?): enrol again", a.TerminalID)
	}
	if err != nil {
		return Caller{}, a, err
	}
	if !protocol.VerifyHeaderSignature(a, t.secret, r.Method, protocol.RequestTarget(r.URL.EscapedPath(), r.URL.RawQuery), bodyHash) {
		return Caller{}, a, protocol.Errorf(protocol.CodeBadSignature, "request signature does not verify")
	}
	if t.revoked {
		return Caller{}, a, protocol.Errorf(protocol.CodeTerminalRevoked, "terminal %s was revoked: enrol it again", t.id)
	}
	now := s.now()
	window := s.SkewWindow
	if window <= 0 {
		window = protocol.SkewWindow
	}
	if e := protocol.CheckClock(a, now, window); e != nil {
		return Caller{}, a, e
	}
	if r.Method == http.MethodGet && !s.Started.IsZero() && a.Time().Before(s.Started) {
		e := protocol.Errorf(protocol.CodeClockSkew, "this request was signed before the registry restarted (a replay, or sent during the restart): sign it again")
		e.ServerTime = protocol.Now(s.Now)
		return Caller{}, a, e
	}
	if err := s.limiter().allow(t.id, now); err != nil {
		return Caller{}, a, err
	}
	fresh, err := s.nonces.Add(a.TerminalID, a.Nonce, now, now.Add(2*window+time.Minute))
	if errors.Is(err, protocol.ErrNonceCacheFull) {
		return Caller{}, a, protocol.Errorf(protocol.CodeUnavailable, "terminal %s sent too many requests; wait a few minutes", t.id)
	}
	if !fresh {
		return Caller{}, a, protocol.Errorf(protocol.CodeReplayed, "this request was already received (same nonce): sign it again")
	}
	s.seen(r.Context(), t.id, now)
	return Caller{TerminalID: t.id, CentreID: t.centreID, bodyHash: bodyHash}, a, nil
}

// seen notes a terminal's call; the notes reach the database together,
// at most every 30 seconds and when Serve stops, so that a read costs no
// write.
func (s *Server) seen(ctx context.Context, id string, now time.Time) {
	s.seenMu.Lock()
	if s.lastSeen == nil {
		s.lastSeen = map[string]SeenNote{}
	}
	n := s.lastSeen[id]
	n.At = now
	s.lastSeen[id] = n
	due := now.Sub(s.flushed) > 30*time.Second
	if due {
		s.flushed = now
	}
	s.seenMu.Unlock()
	if due {
		s.FlushSeen(ctx)
	}
}

// notePending notes the count of facts a terminal reports as waiting in
// its outbox, written with its last-seen time (FlushSeen).
func (s *Server) notePending(id string, pending int, now time.Time) {
	s.seenMu.Lock()
	if s.lastSeen == nil {
		s.lastSeen = map[string]SeenNote{}
	}
	n := s.lastSeen[id]
	n.At, n.Pending, n.PendingAt = now, &pending, now
	s.lastSeen[id] = n
	s.seenMu.Unlock()
}

// FlushSeen writes the noted last-seen times and pending counts now; the
// server does it at most every 30 seconds as calls come, and when Serve
// stops.
func (s *Server) FlushSeen(ctx context.Context) {
	s.seenMu.Lock()
	m := s.lastSeen
	s.lastSeen = nil
	s.seenMu.Unlock()
	if len(m) == 0 {
		return
	}
	if err := s.Reg.touch(ctx, m); err != nil {
		s.Log.Warn("record last seen", "terminals", len(m), "err", err)
	}
}

func (s *Server) handleTime(w http.ResponseWriter, r *http.Request) error {
	s.write(w, r, http.StatusOK, protocol.TimeResponse{ServerTime: protocol.Now(s.Now)})
	return nil
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) error {
	return s.enrolLimited(w, r, "enrol", func(b []byte) (any, error) {
		req, err := protocol.DecodeEnrolRequest(b)
		if err != nil {
			return nil, err
		}
		resp, err := s.Reg.Enrol(r.Context(), req)
		if err != nil {
			return nil, err
		}
		resp.ServerTime = protocol.Now(s.Now)
		return resp, nil
	})
}

// handleEnrolPreview says which centre an enrolment code is for, under the
// enrolment's rate limits (a wrong code counts as a failed enrolment).
func (s *Server) handleEnrolPreview(w http.ResponseWriter, r *http.Request) error {
	return s.enrolLimited(w, r, "enrol preview", func(b []byte) (any, error) {
		req, err := protocol.DecodeEnrolPreviewRequest(b)
		if err != nil {
			return nil, err
		}
		resp, err := s.Reg.PreviewEnrolment(r.Context(), req.EnrolmentCode)
		if err != nil {
			return nil, err
		}
		return resp, nil
	})
}

// enrolLimited answers an unauthenticated enrolment request (what, with no
// query) with answer's result on its body, under the enrolment's rate limits: a
// refusal (an error below 500) counts as a failed attempt of the source.
func (s *Server) enrolLimited(w http.ResponseWriter, r *http.Request, what string, answer func(body []byte) (any, error)) error {
	if len(r.URL.RawQuery) > 0 {
		return protocol.Errorf(protocol.CodeBadRequest, "%s takes no query", what)
	}
	src := Source(r)
	release, err := s.limiter().enrol(r.Context(), src, s.now())
	if err != nil {
		return err
	}
	defer release()
	var resp any
	b, err := readBody(w, r, protocol.MaxEnrolBody, protocol.MaxEnrolBody, "")
	if err == nil {
		resp, err = answer(b)
	}
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) && pe.HTTPStatus() < 500 {
			s.limiter().enrolFailed(src, s.now())
		}
		return err
	}
	s.write(w, r, http.StatusOK, resp)
	return nil
}

// authenticateNoBody authenticates a request that must carry no body.
func (s *Server) authenticateNoBody(r *http.Request) (Caller, error) {
	c, _, err := s.authenticate(r)
	if err != nil {
		return c, err
	}
	return c, noBody(r)
}

// authenticatedQuery authenticates a request that must carry no body and
// reads its query with parse; a query parse refuses is a bad request of
// what.
func authenticatedQuery[Q any](s *Server, r *http.Request, what string, parse func(url.Values) (Q, error)) (Caller, Q, error) {
	var q Q
	c, err := s.authenticateNoBody(r)
	if err != nil {
		return c, q, err
	}
	if q, err = parse(r.URL.Query()); err != nil {
		return c, q, protocol.Errorf(protocol.CodeBadRequest, "%s: %v", what, err)
	}
	return c, q, nil
}

func (s *Server) handlePull(w http.ResponseWriter, r *http.Request) error {
	c, req, err := authenticatedQuery(s, r, "pull", protocol.ParsePullQuery)
	if err != nil {
		return err
	}
	if req.Pending != nil {
		s.notePending(c.TerminalID, *req.Pending, s.now())
	}
	page, rows, err := s.Reg.PullRaw(r.Context(), c.CentreID, req)
	if err != nil {
		return err
	}
	page.ServerTime = protocol.Now(s.Now)
	b, err := protocol.EncodePull(page, rows)
	if err != nil {
		return err
	}
	s.writeBytes(w, r, http.StatusOK, b)
	return nil
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) error {
	if len(r.URL.RawQuery) > 0 {
		return protocol.Errorf(protocol.CodeBadRequest, "push takes no query")
	}
	c, a, err := s.authenticate(r)
	if err != nil {
		return err
	}
	b, err := s.signedBody(w, r, c, protocol.MaxPushBody, protocol.MaxDecodedBody)
	if err != nil {
		return err
	}
	req, err := protocol.DecodePushRequest(b)
	if err != nil {
		return err
	}
	if err := s.limiter().facts(c.TerminalID, len(req.Events), s.now()); err != nil {
		return err
	}
	window := s.SkewWindow
	if window <= 0 {
		window = protocol.SkewWindow
	}
	results, err := s.Reg.Push(r.Context(), c, req.Events, "push", a.Nonce, s.now().Add(2*window+time.Minute))
	if err != nil {
		return err
	}
	s.write(w, r, http.StatusOK, protocol.PushResponse{Results: results, ServerTime: protocol.Now(s.Now)})
	return nil
}

func (s *Server) handleDigest(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authenticateNoBody(r)
	if err != nil {
		return err
	}
	if len(r.URL.RawQuery) > 0 {
		return protocol.Errorf(protocol.CodeBadRequest, "digest takes no query")
	}
	d, err := s.Reg.Digest(r.Context(), c.CentreID)
	if err != nil {
		return err
	}
	d.ServerTime = protocol.Now(s.Now)
	s.write(w, r, http.StatusOK, d)
	return nil
}

func (s *Server) handlePickups(w http.ResponseWriter, r *http.Request) error {
	c, req, err := authenticatedQuery(s, r, "pickups", protocol.ParsePickupsQuery)
	if err != nil {
		return err
	}
	out, err := s.Reg.ListPickups(r.Context(), c.CentreID, req)
	if err != nil {
		return err
	}
	out.ServerTime = protocol.Now(s.Now)
	s.write(w, r, http.StatusOK, out)
	return nil
}
