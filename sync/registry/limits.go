package registry

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Limits bound what one request, one terminal, one source address and all
// callers together may cost the registry. Bodies are read only after the
// signature over the headers has verified, so an unauthenticated request
// costs a header parse and one key lookup; the limits below bound what an
// enrolled terminal — or a stolen one's credentials — may cost on top.
type Limits struct {
	// Bodies is how many request bodies are read and decoded at once, all
	// callers together; a request waits up to BodyWait for its turn.
	Bodies   int
	BodyWait time.Duration
	// BodiesPerTerminal is how many bodies one terminal may have in flight.
	BodiesPerTerminal int
	// Rate and Burst bound one terminal's signed requests (a token bucket
	// per terminal: Burst at once, then Rate a second). Over it the
	// terminal alone is answered unavailable.
	Rate  float64
	Burst float64
	// EnrolRate and EnrolBurst bound enrolment attempts per source address;
	// EnrolGlobalRate and EnrolGlobalBurst all of them together.
	EnrolRate, EnrolBurst             float64
	EnrolGlobalRate, EnrolGlobalBurst float64
	// Enrolments is how many enrolment requests are handled at once.
	Enrolments int
	// EventRate and EventBurst bound the facts one terminal pushes (a
	// week offline is a few thousand): the disk a stolen terminal's
	// credentials can fill stays small.
	EventRate, EventBurst float64
}

// DefaultLimits are the registry's limits unless a test changes them.
var DefaultLimits = Limits{
	Bodies:            8,
	BodyWait:          20 * time.Second,
	BodiesPerTerminal: 2,
	Rate:              100,
	Burst:             1000,
	EnrolRate:         1.0 / 6, // ten a minute per address
	EnrolBurst:        10,
	EnrolGlobalRate:   5,
	EnrolGlobalBurst:  50,
	Enrolments:        4,
	EventRate:         20,
	EventBurst:        50_000,
}

// limiter holds the registry's counters. Its maps hold one entry per
// enrolled terminal (authenticated before they are touched) and per source
// address that tried to enrol recently (swept every minute), so they stay
// bounded.
type limiter struct {
	l      Limits
	log    *slog.Logger
	bodies chan struct{}
	enrols chan struct{}

	mu       sync.Mutex
	inFlight map[string]int
	buckets  map[string]*bucket
	events   map[string]*bucket
	sources  map[string]*bucket
	global   bucket
	swept    time.Time
	refused  time.Time // the last refused enrolment: a burst lasts until a quiet minute
}

type bucket struct {
	tokens float64
	last   time.Time
}

// refill adds the tokens earned since the bucket's last use and returns
// how many it holds.
func (b *bucket) refill(now time.Time, rate, burst float64) float64 {
	if b.last.IsZero() {
		b.tokens, b.last = burst, now
	}
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(burst, b.tokens+d*rate)
		b.last = now
	}
	return b.tokens
}

// take takes one token if there is one.
func (b *bucket) take(now time.Time, rate, burst float64) bool {
	if b.refill(now, rate, burst) < 1 {
		return false
	}
	b.tokens--
	return true
}

func newLimiter(l Limits, log *slog.Logger) *limiter {
	return &limiter{l: l, log: log, bodies: make(chan struct{}, max(1, l.Bodies)),
		enrols: make(chan struct{}, max(1, l.Enrolments)), inFlight: map[string]int{},
		buckets: map[string]*bucket{}, events: map[string]*bucket{}, sources: map[string]*bucket{}}
}

var errBusy = protocol.Errorf(protocol.CodeUnavailable, "the registry is busy; try again in a minute")

// bucketOf returns the bucket of key in m, a new full one the first time.
func bucketOf(m map[string]*bucket, key string) *bucket {
	b := m[key]
	if b == nil {
		b = &bucket{}
		m[key] = b
	}
	return b
}

// allow takes one of terminal's request tokens.
func (lm *limiter) allow(terminalID string, now time.Time) error {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if !bucketOf(lm.buckets, terminalID).take(now, lm.l.Rate, lm.l.Burst) {
		return protocol.Errorf(protocol.CodeUnavailable, "terminal %s sends too many requests; wait a minute", terminalID)
	}
	return nil
}

// facts takes n of terminal's fact tokens (all or none).
func (lm *limiter) facts(terminalID string, n int, now time.Time) error {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	b := bucketOf(lm.events, terminalID)
	if b.refill(now, lm.l.EventRate, lm.l.EventBurst) < float64(n) {
		return protocol.Errorf(protocol.CodeUnavailable, "terminal %s pushed more facts than a counter records; wait and push again (nothing is lost)", terminalID)
	}
	b.tokens -= float64(n)
	return nil
}

// body waits for a body slot for terminal; release gives it back.
func (lm *limiter) body(ctx context.Context, terminalID string) (release func(), err error) {
	lm.mu.Lock()
	if lm.inFlight[terminalID] >= max(1, lm.l.BodiesPerTerminal) {
		lm.mu.Unlock()
		return nil, protocol.Errorf(protocol.CodeUnavailable, "terminal %s already has requests in flight; wait for their answers", terminalID)
	}
	lm.inFlight[terminalID]++
	lm.mu.Unlock()
	done := func() {
		lm.mu.Lock()
		if lm.inFlight[terminalID]--; lm.inFlight[terminalID] <= 0 {
			delete(lm.inFlight, terminalID)
		}
		lm.mu.Unlock()
	}
	wait := lm.l.BodyWait
	if wait <= 0 {
		wait = DefaultLimits.BodyWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case lm.bodies <- struct{}{}:
		return func() { <-lm.bodies; done() }, nil
	case <-t.C:
	case <-ctx.Done():
	}
	done()
	return nil, errBusy
}

// Source is the address a request comes from (no port): the server's and
// the console's limits per source.
func Source(r *http.Request) string {
	src, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return src
}

// enrol admits one enrolment attempt from src, unless the address — or
// everyone together — has used up its allowance of failed attempts: then
// it is refused at once, and the first refusal of a burst is logged (one
// line per burst, not one per guess). A successful enrolment costs no
// allowance (it needed a code an administrator made); enrolFailed charges
// a failed one. Attempts wait for one of Enrolments slots.
func (lm *limiter) enrol(ctx context.Context, src string, now time.Time) (release func(), err error) {
	lm.mu.Lock()
	if now.Sub(lm.swept) > time.Minute {
		for k, b := range lm.sources {
			if b.refill(now, lm.l.EnrolRate, lm.l.EnrolBurst) >= lm.l.EnrolBurst {
				delete(lm.sources, k) // full again: forget the address
			}
		}
		lm.swept = now
	}
	ok := lm.global.refill(now, lm.l.EnrolGlobalRate, lm.l.EnrolGlobalBurst) >= 1
	if b := lm.sources[src]; b != nil && b.refill(now, lm.l.EnrolRate, lm.l.EnrolBurst) < 1 {
		ok = false
	}
	if !ok {
		first := now.Sub(lm.refused) > time.Minute
		lm.refused = now
		lm.mu.Unlock()
		if first {
			lm.log.Warn("failed enrolment attempts over the limit: refusing enrolments for a while (logged once per burst)", "source", src)
		}
		return nil, protocol.Errorf(protocol.CodeUnavailable, "too many failed enrolment attempts; wait a few minutes and try again")
	}
	lm.mu.Unlock()
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case lm.enrols <- struct{}{}:
		return func() { <-lm.enrols }, nil
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, errBusy
}

// enrolFailed charges a failed enrolment attempt to src and to everyone.
func (lm *limiter) enrolFailed(src string, now time.Time) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	bucketOf(lm.sources, src).take(now, lm.l.EnrolRate, lm.l.EnrolBurst)
	lm.global.take(now, lm.l.EnrolGlobalRate, lm.l.EnrolGlobalBurst)
}
