package peer

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup/store"
)

type counter struct {
	s    *store.Store
	sv   *Service
	addr string
}

// newCounter sets up a counter of centre with the given peer key and
// epoch, serving on 127.0.0.1.
func newCounter(t *testing.T, ctx context.Context, centre, terminal string, key []byte, epoch int64) *counter {
	t.Helper()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), terminal))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Init(ctx, store.InitOptions{CentreID: centre, CentreName: centre, TerminalID: terminal}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeerKey(ctx, key, epoch); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeerListen(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	c := &counter{s: s, sv: &Service{Store: s}}
	a, err := c.sv.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.addr = a.String()
	go c.sv.serve(ctx)
	return c
}

func key(b byte) []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = b
	}
	return k
}

// Two counters of one centre exchange their facts; a counter of another
// centre, one with another key (a revoked one, which cannot have the new
// key) or another epoch is refused both ways and changes nothing; a
// client with no credential is told nothing.
func TestExchangeOnlyWithinTheCentre(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := newCounter(t, ctx, "here", "t-a", key(1), 2)
	b := newCounter(t, ctx, "here", "t-b", key(1), 2)
	if _, err := a.s.ReceiveStock(ctx, "masks", "", 40, "delivery"); err != nil {
		t.Fatal(err)
	}
	out, err := b.sv.Fetch(ctx, a.addr)
	if err != nil || out.New != 1 {
		t.Fatalf("B fetching from A = %+v, %v; want 1 new fact", out, err)
	}
	if again, err := b.sv.Fetch(ctx, a.addr); err != nil || again.New != 0 || again.Known != 0 {
		t.Errorf("fetching again = %+v, %v; want nothing (the cursor moved)", again, err)
	}
	st, _ := b.s.Status(ctx)
	if st.StockMap()["masks"] != 40 {
		t.Errorf("B's masks = %d, want 40 from A", st.StockMap()["masks"])
	}
	ps, _ := b.s.Peers(ctx)
	if len(ps) != 1 || ps[0].TerminalID != "t-a" || ps[0].Lag != 0 {
		t.Errorf("B's peers = %+v, want t-a caught up", ps)
	}

	for _, bad := range []*counter{
		newCounter(t, ctx, "there", "t-x", key(1), 2), // another centre
		newCounter(t, ctx, "here", "t-r", key(9), 2),  // a key it cannot have
		newCounter(t, ctx, "here", "t-o", key(1), 1),  // an older epoch
	} {
		if out, err := bad.sv.Fetch(ctx, a.addr); !errors.Is(err, ErrRefused) || out.New != 0 {
			t.Errorf("%s fetching from A: %+v, %v; want refused", bad.addr, out, err)
		}
		if _, err := bad.s.ReceiveStock(ctx, "masks", "", 1000, "forged"); err != nil {
			t.Fatal(err)
		}
		if out, err := a.sv.Fetch(ctx, bad.addr); !errors.Is(err, ErrRefused) || out.New != 0 {
			t.Errorf("A fetching from %s: %+v, %v; want refused", bad.addr, out, err)
		}
		if st, _ := bad.s.Status(ctx); st.StockMap()["masks"] != 1000 {
			t.Errorf("%s got A's facts: masks %d", bad.addr, st.StockMap()["masks"])
		}
	}
	if st, _ := a.s.Status(ctx); st.StockMap()["masks"] != 40 {
		t.Errorf("A's masks = %d after the refused peers, want 40", st.StockMap()["masks"])
	}

	// A laptop: TLS, then anything but a valid proof: not one byte back.
	raw, err := net.DialTimeout("tcp", a.addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
	if _, err := c.Write([]byte("\x00\x00\x00\x02{}")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) && err == nil {
		t.Errorf("a client with no credential read %d bytes (%v)", n, err)
	}
}

// A peer's name is what it says in its hello: a modified counter's name
// (a terminal escape sequence, 4 KB of text) is not kept, and the peer is
// listed by its terminal id; a counter name is kept.
func TestPeerNameIsACounterName(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := newCounter(t, ctx, "here", "t-a", key(1), 2)
	for _, tc := range []struct {
		terminal, name, want string
	}{
		{"t-esc", "\x1b]0;owned\x07\x1b[2JCounter 1", ""},
		{"t-long", strings.Repeat("counter ", 512), ""},
		{"t-bidi", "Counter\u202e1", ""},
		{"t-ok", "  Guichet 3 ", "Guichet 3"},
	} {
		p := newCounter(t, ctx, "here", tc.terminal, key(1), 2)
		// A modified counter writes its name past SetTerminalName's check.
		if err := p.s.SetSetting(ctx, store.KeyTerminalName, tc.name); err != nil {
			t.Fatal(err)
		}
		if _, err := a.sv.Fetch(ctx, p.addr); err != nil {
			t.Fatalf("A fetching from %s: %v", tc.terminal, err)
		}
		got, err := a.s.Peer(ctx, tc.terminal)
		if err != nil || got.Name != tc.want {
			t.Errorf("%s named %q: A keeps %q (%v), want %q", tc.terminal, tc.name, got.Name, err, tc.want)
		}
	}
	names, err := a.s.CounterNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range names {
		if strings.ContainsAny(n, "\x1b\x07\u202e") || len(n) > 4*store.MaxCounterName {
			t.Errorf("CounterNames[%s] = %q", id, n)
		}
	}
}
