package registry

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Attacks by one enrolled terminal on the others (issue 9), over HTTP on
// 127.0.0.1. Each test is named after what it attacks.

// TestH5OneTerminalFillingNonceMemoryBlocksOnlyItself: a terminal that
// signs more requests than the nonce memory holds is refused alone; the
// other terminals go on (the memory was one list shared by all).
func TestH5OneTerminalFillingNonceMemoryBlocksOnlyItself(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.requests(2)
	flood, _ := f.terminal("namur")
	honest, _ := f.terminal("gent")
	f.srv.nonces.MaxSize = 20
	busy := 0
	for range 30 {
		if _, err := flood.Digest(f.ctx); errors.Is(err, protocol.ErrUnavailable) {
			busy++
		} else if err != nil {
			t.Fatalf("flooding digest: %v", err)
		}
	}
	if busy == 0 {
		t.Error("a terminal over its nonce memory was never refused")
	}
	if _, err := honest.Digest(f.ctx); err != nil {
		t.Errorf("another terminal while one floods: %v, want served", err)
	}
}

// TestH5OneTerminalFloodingIsRateLimitedAlone: over its request rate a
// terminal is answered busy; another terminal is served at once.
func TestH5OneTerminalFloodingIsRateLimitedAlone(t *testing.T) {
	t.Parallel()
	reg := openTest(t)
	f := &fixture{t: t, reg: reg, ctx: context.Background()}
	for _, id := range []string{"namur", "gent"} {
		if err := reg.AddCentre(f.ctx, centre(id)); err != nil {
			t.Fatal(err)
		}
	}
	l := DefaultLimits
	l.Rate, l.Burst = 0.01, 10
	f.srv = NewServer(reg, nil)
	f.srv.Limits = l
	f.ts = newTestServer(t, f.srv)
	flood, _ := f.terminal("namur")
	honest, _ := f.terminal("gent")
	busy := 0
	for range 20 {
		if _, err := flood.Digest(f.ctx); errors.Is(err, protocol.ErrUnavailable) {
			busy++
		}
	}
	if busy < 10 {
		t.Errorf("20 requests at a burst of 10: %d refused, want 10", busy)
	}
	if _, err := honest.Digest(f.ctx); err != nil {
		t.Errorf("another terminal while one floods: %v, want served", err)
	}
}

func TestNonceMemoryPerTerminal(t *testing.T) {
	c := protocol.NonceCache{MaxSize: 2}
	now := testNow
	exp := now.Add(protocol.NonceMemory)
	for _, n := range []string{"a0000000000000000", "b0000000000000000"} {
		if ok, err := c.Add("t1", n, now, exp); !ok || err != nil {
			t.Fatalf("Add(t1, %s) = %v, %v", n, ok, err)
		}
	}
	if _, err := c.Add("t1", "c0000000000000000", now, exp); !errors.Is(err, protocol.ErrNonceCacheFull) {
		t.Errorf("third nonce of t1: %v, want full", err)
	}
	if ok, err := c.Add("t2", "c0000000000000000", now, exp); !ok || err != nil {
		t.Errorf("t2 while t1 is full: %v, %v; want accepted", ok, err)
	}
	if ok, err := c.Add("t1", "c0000000000000000", exp.Add(2e9), exp.Add(protocol.NonceMemory)); !ok || err != nil {
		t.Errorf("t1 once its nonces expired: %v, %v; want accepted", ok, err)
	}
}

var testNow = time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)

func centre(id string) pickup.Centre { return pickup.Centre{ID: id, Name: "Centre " + id} }

func newTestServer(t *testing.T, s *Server) *httptest.Server {
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}
