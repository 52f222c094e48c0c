package e2e

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// startRun starts `pickup run` on the terminal's folder; the test's
// clean-up kills it if still running.
func startRun(t testing.TB, tm *terminal) *child {
	t.Helper()
	// No multicast from the tests on the host's network: listed peers.
	return startRunIn(t, tm, nil, "--mdns=false")
}

// startRunIn starts `pickup run` with args, under prefix (ip netns exec …).
func startRunIn(t testing.TB, tm *terminal, prefix []string, args ...string) *child {
	t.Helper()
	argv := append(append(append([]string(nil), prefix...), bin.pickup, "--data", tm.dir, "run"), args...)
	c := spawnLogged(t, filepath.Join(filepath.Dir(tm.dir), "run-"+tm.name+".log"), argv...)
	t.Cleanup(c.kill)
	return c
}

// setPeers gives each terminal a listen address and lists the others'.
func setPeers(t testing.TB, tms []*terminal, extra map[*terminal][]string) map[*terminal]string {
	t.Helper()
	addrs := map[*terminal]string{}
	for _, tm := range tms {
		addrs[tm] = freeAddr(t)
		tm.must(t, "config", "peer-listen", addrs[tm])
	}
	for _, tm := range tms {
		var list []string
		for _, o := range tms {
			if o != tm {
				list = append(list, addrs[o])
			}
		}
		list = append(list, extra[tm]...)
		tm.must(t, "config", "peers", strings.Join(list, ","))
	}
	return addrs
}

// eventually polls cond until it holds or within passes; it returns how
// long it took, or fails.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s: not after %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stockAt is a condition for eventually: every terminal of tms holds n
// of the stock line key.
func stockAt(t testing.TB, tms []*terminal, key string, n int) func() bool {
	return func() bool {
		for _, tm := range tms {
			if tm.status(t).Stock[key] != n {
				return false
			}
		}
		return true
	}
}

type peersJSON struct {
	Peers []struct {
		TerminalID string `json:"terminal_id"`
		Lag        int64  `json:"lag"`
	} `json:"peers"`
}

func (tm *terminal) peerIDs(t testing.TB) map[string]bool {
	t.Helper()
	var ps peersJSON
	decodeJSON(t, tm.must(t, "--json", "peers"), &ps)
	out := map[string]bool{}
	for _, p := range ps.Peers {
		out[p.TerminalID] = true
	}
	return out
}

// Three counters of one centre with the registry stopped: a handover at
// A is refused at B and C within seconds, naming A; stock received at B
// shows at A and C. A counter of another centre and a revoked counter,
// listed as A's peers, are refused: they get nothing and add nothing.
// The registry restarted, it counts the handover once and reports no
// double handover.
func TestPeersOffline(t *testing.T) {
	t.Parallel()
	reg, all := setUp(t, demo{centres: 2, requests: 80}, "namur/A", "namur/B", "namur/C", "gent/X", "namur/D")
	a, b, c, x, d := all[0], all[1], all[2], all[3], all[4]
	reg.must(t, "terminal", "revoke", d.id)
	for _, tm := range []*terminal{a, b, c} {
		tm.mustSync(t) // the new peer key, without D
	}
	xAddr, dAddr := freeAddr(t), freeAddr(t)
	addrs := setPeers(t, []*terminal{a, b, c}, map[*terminal][]string{})
	a.must(t, "config", "peers", strings.Join([]string{addrs[b], addrs[c], xAddr, dAddr}, ","))
	x.must(t, "config", "peer-listen", xAddr)
	x.must(t, "config", "peers", addrs[a])
	d.must(t, "config", "peer-listen", dAddr)
	d.must(t, "config", "peers", addrs[a]+","+addrs[b])
	d.receive(t, "gloves", "M", 1000)
	codes := reg.openCodes(t, "namur")
	reg.stop(t)

	for _, tm := range all {
		startRun(t, tm)
	}
	dCode := codes[1].Code
	dh := d.handover(t, dCode) // at a revoked counter: must not reach the others

	const received = 5000 // gloves M, enough for three parcels
	b.receive(t, "gloves", "M", received)
	took := eventually(t, 30*time.Second, "B's reception at A and C", stockAt(t, []*terminal{a, c}, "gloves-M", received))
	t.Logf("B's reception reached A and C in %s", took)

	code := withGloves(t, codes[2:])[0]
	h := a.handover(t, code)
	took = eventually(t, 5*time.Second, "A's handover refused at B and C", func() bool {
		for _, tm := range []*terminal{b, c} {
			v := tm.lookup(t, code)
			if !v.collectedOnce(pickup.VerdictAlreadyCollected, a.id) {
				return false
			}
		}
		return true
	})
	t.Logf("A's handover refused at B and C after %s", took)
	res := b.cli(t, "--json", "handover", "--glove-size", "M", string(code))
	if res.code != 1 || !strings.Contains(res.stdout, "already_collected") {
		t.Errorf("handover at B of a code A handed over: %s; want refused", res)
	}
	left := received - itemsOf([]handed{h})["gloves/M"]
	if left == received {
		t.Fatal("A's parcel held no gloves")
	}
	eventually(t, 30*time.Second, "one centre stock at A, B, C", stockAt(t, []*terminal{a, b, c}, "gloves-M", left))

	// B and C hand over too, each refused at the other two: three
	// handovers, each held by every counter (and so delivered to the
	// registry by each of them below).
	hs := []handed{h}
	for i, tm := range []*terminal{b, c} {
		code := withGloves(t, codes[2:])[1+i]
		hs = append(hs, tm.handover(t, code))
		eventually(t, 30*time.Second, tm.name+"'s handover refused at the others", func() bool {
			for _, o := range []*terminal{a, b, c} {
				if v := o.lookup(t, code); !v.collectedOnce(pickup.VerdictAlreadyCollected, tm.id) {
					return false
				}
			}
			return true
		})
	}
	left = received - itemsOf(hs)["gloves/M"]
	eventually(t, 30*time.Second, "one centre stock after three handovers", stockAt(t, []*terminal{a, b, c}, "gloves-M", left))

	// The counter of another centre and the revoked one got nothing and
	// added nothing.
	time.Sleep(2 * time.Second) // a few more rounds for them to try
	for _, tm := range []*terminal{a, b, c} {
		if v := tm.lookup(t, dCode); v.Verdict != "ok" {
			t.Errorf("%s: the revoked counter's handover reached it (%s)", tm.name, v.Verdict)
		}
		if ids := tm.peerIDs(t); ids[x.id] || ids[d.id] {
			t.Errorf("%s exchanged with the other centre's or the revoked counter: %v", tm.name, ids)
		}
	}
	if got := x.status(t).Stock["gloves-M"]; got != 0 {
		t.Errorf("the other centre's counter has %d gloves M from namur's counters", got)
	}
	if ids := x.peerIDs(t); len(ids) != 0 {
		t.Errorf("the other centre's counter exchanged with %v", ids)
	}
	if ids := d.peerIDs(t); len(ids) != 0 {
		t.Errorf("the revoked counter exchanged with %v", ids)
	}
	if got, want := d.status(t).Stock["gloves-M"], 1000-itemsOf([]handed{dh})["gloves/M"]; got != want {
		t.Errorf("the revoked counter has %d gloves M, want its own %d: it got the centre's facts", got, want)
	}

	reg.start(t)
	for round := range 2 {
		for _, tm := range []*terminal{a, b, c} {
			if res := tm.sync(t); res.code != 0 {
				t.Errorf("round %d: %s: %s", round, tm.name, res)
			}
		}
	}
	cr := reg.report(t).centre("namur")
	if cr.Handovers != len(hs) || cr.Collected != len(hs) || cr.DoubleHandovers != 0 {
		t.Errorf("registry: %d handovers, %d collected, %d double; want %d (A's, B's and C's, once each), %d, 0",
			cr.Handovers, cr.Collected, cr.DoubleHandovers, len(hs), len(hs))
	}
	if got, want := handedOverItems(cr), itemsOf(hs); !maps.Equal(got, want) {
		t.Errorf("registry: handed over %v, want %v (each handover once)", got, want)
	}
	if got := cr.item("gloves", "M").Received; got != received {
		t.Errorf("registry: %d gloves M received, want %d (B's, once)", got, received)
	}
}

// SIGKILL of a counter's `pickup run` during exchanges, 20 times, while
// the others hand over and receive: afterwards every counter holds the
// same facts and stock, and the registry counts each handover once.
func TestPeersKilledDuringExchange(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 1, requests: 120}, "namur/A", "namur/B", "namur/C")
	setPeers(t, tms, nil)
	a, b, c := tms[0], tms[1], tms[2]
	a.receive(t, "gloves", "M", 100000)
	codes := reg.openCodes(t, "namur")
	ra, rb := startRun(t, a), startRun(t, b)
	defer ra.stop()
	defer rb.stop()
	eventually(t, 30*time.Second, "A's reception at B", stockAt(t, []*terminal{b}, "gloves-M", 100000))
	var hs []handed
	for i := range 20 {
		rc := startRun(t, c)
		hs = append(hs, []*terminal{a, b}[i%2].handover(t, codes[i].Code))
		time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
		rc.kill()
	}
	rc := startRun(t, c)
	defer rc.stop()
	left := 100000 - itemsOf(hs)["gloves/M"]
	eventually(t, 60*time.Second, "all counters agree", stockAt(t, tms, "gloves-M", left))
	for _, tm := range tms {
		for _, h := range hs {
			if v := tm.lookup(t, h.Code); v.Verdict != "already_collected" || len(v.Collected) != 1 {
				t.Fatalf("%s: %s is %s with %d handovers, want already_collected once", tm.name, h.Code.Masked(), v.Verdict, len(v.Collected))
			}
		}
		integrityCheck(t, tm.db())
	}
	for _, tm := range tms {
		tm.mustSync(t)
	}
	cr := reg.report(t).centre("namur")
	if cr.Handovers != len(hs) || cr.DoubleHandovers != 0 {
		t.Errorf("registry: %d handovers, %d double; want %d, 0", cr.Handovers, cr.DoubleHandovers, len(hs))
	}
	for _, tm := range tms {
		if st := tm.status(t); st.Conflicts != 0 || st.Stock["gloves-M"] != left {
			t.Errorf("%s after sync: conflicts %d, gloves M %d; want 0, %d", tm.name, st.Conflicts, st.Stock["gloves-M"], left)
		}
	}
}

// netns creates two network namespaces joined by a veth pair (10.77.N.1
// and .2), with multicast routed on it; the test's clean-up deletes them.
func netns(t *testing.T) (a, b string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command (iproute2)")
	}
	id := os.Getpid() % 250
	a, b = fmt.Sprintf("pk-a-%d", os.Getpid()), fmt.Sprintf("pk-b-%d", os.Getpid())
	va, vb := fmt.Sprintf("pka%d", id), fmt.Sprintf("pkb%d", id)
	ip := func(args ...string) {
		t.Helper()
		if res := run(t, "ip", args...); res.code != 0 {
			t.Fatalf("%s", res)
		}
	}
	ip("netns", "add", a)
	t.Cleanup(func() { run(t, "ip", "netns", "del", a) })
	ip("netns", "add", b)
	t.Cleanup(func() { run(t, "ip", "netns", "del", b) })
	ip("link", "add", va, "netns", a, "type", "veth", "peer", "name", vb, "netns", b)
	for _, n := range []struct{ ns, dev, addr string }{{a, va, fmt.Sprintf("10.77.%d.1/24", id)}, {b, vb, fmt.Sprintf("10.77.%d.2/24", id)}} {
		ip("-n", n.ns, "link", "set", "lo", "up")
		ip("-n", n.ns, "addr", "add", n.addr, "dev", n.dev)
		ip("-n", n.ns, "link", "set", n.dev, "up", "multicast", "on")
		ip("-n", n.ns, "route", "add", "224.0.0.0/4", "dev", n.dev)
	}
	return a, b
}

// Two counters of one centre, each in its own network namespace with no
// registry and no peer listed, find each other by mDNS and exchange: a
// handover at A is refused at B.
func TestPeersMDNSBetweenNamespaces(t *testing.T) {
	t.Parallel()
	nsA, nsB := netns(t)
	// The peer key; the registry is out of reach from the namespaces.
	reg, ab := setUp(t, demo{centres: 1, requests: 40}, "namur/A", "namur/B")
	a, b := ab[0], ab[1]
	for _, tm := range ab {
		tm.must(t, "config", "peer-listen", ":7743")
	}
	a.receive(t, "gloves", "M", 100000)
	codes := reg.openCodes(t, "namur")
	reg.stop(t)
	startRunIn(t, a, []string{"ip", "netns", "exec", nsA})
	startRunIn(t, b, []string{"ip", "netns", "exec", nsB})
	a.handover(t, codes[0].Code)
	took := eventually(t, 60*time.Second, "A's handover at B, found by mDNS", func() bool {
		v := b.lookup(t, codes[0].Code)
		return v.collectedOnce(pickup.VerdictAlreadyCollected, a.id)
	})
	t.Logf("found by mDNS and refused at B after %s", took)
	if ids := b.peerIDs(t); !ids[a.id] {
		t.Errorf("B's peers %v, want A", ids)
	}
}
