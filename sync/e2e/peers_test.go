package e2e

import (
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runProc is a terminal's `pickup run` in the background.
type runProc struct {
	tm     *terminal
	cmd    *exec.Cmd
	exited chan struct{}
}

// startRun starts `pickup run` on the terminal's folder; the test's
// clean-up kills it if still running.
func startRun(t testing.TB, tm *terminal) *runProc {
	t.Helper()
	// No multicast from the tests on the host's network: listed peers.
	return startRunIn(t, tm, nil, "--mdns=false")
}

// startRunIn starts `pickup run` with args, under prefix (ip netns exec …).
func startRunIn(t testing.TB, tm *terminal, prefix []string, args ...string) *runProc {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(filepath.Dir(tm.dir), "run-"+tm.name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	argv := append(append(append([]string(nil), prefix...), bin.pickup, "--data", tm.dir, "run"), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start run of %s: %v", tm.name, err)
	}
	p := &runProc{tm: tm, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(syscall.SIGKILL) })
	return p
}

// stop signals the process and waits for it (SIGKILL after 20 s).
func (p *runProc) stop(sig syscall.Signal) {
	select {
	case <-p.exited:
		return
	default:
	}
	signalAndWait(p.cmd, p.exited, sig, 20*time.Second)
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
	reg := startDemo(t, 2, 80)
	a, b, c := enrol(t, reg, reg.URL(), "namur", "A"), enrol(t, reg, reg.URL(), "namur", "B"), enrol(t, reg, reg.URL(), "namur", "C")
	x := enrol(t, reg, reg.URL(), "gent", "X")
	d := enrol(t, reg, reg.URL(), "namur", "D")
	for _, tm := range []*terminal{a, b, c, x, d} {
		tm.mustSync(t)
	}
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
	reg.stop(t, syscall.SIGTERM)

	for _, tm := range []*terminal{a, b, c, x, d} {
		startRun(t, tm)
	}
	dCode := codes[1].Code
	dh := d.handover(t, dCode) // at a revoked counter: must not reach the others

	const received = 5000 // gloves M, enough for three parcels
	b.receive(t, "gloves", "M", received)
	took := eventually(t, 30*time.Second, "B's reception at A and C", func() bool {
		return a.status(t).Stock["gloves-M"] == received && c.status(t).Stock["gloves-M"] == received
	})
	t.Logf("B's reception reached A and C in %s", took)

	code := withGloves(t, codes[2:])[0]
	h := a.handover(t, code)
	took = eventually(t, 5*time.Second, "A's handover refused at B and C", func() bool {
		for _, tm := range []*terminal{b, c} {
			v := tm.lookup(t, code)
			if v.Verdict != "already_collected" || len(v.Collected) != 1 || v.Collected[0].TerminalID != a.id {
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
	eventually(t, 30*time.Second, "one centre stock at A, B, C", func() bool {
		for _, tm := range []*terminal{a, b, c} {
			if tm.status(t).Stock["gloves-M"] != left {
				return false
			}
		}
		return true
	})

	// B and C hand over too, each refused at the other two: three
	// handovers, each held by every counter (and so delivered to the
	// registry by each of them below).
	hs := []handed{h}
	for i, tm := range []*terminal{b, c} {
		code := withGloves(t, codes[2:])[1+i]
		hs = append(hs, tm.handover(t, code))
		eventually(t, 30*time.Second, tm.name+"'s handover refused at the others", func() bool {
			for _, o := range []*terminal{a, b, c} {
				if v := o.lookup(t, code); v.Verdict != "already_collected" || len(v.Collected) != 1 || v.Collected[0].TerminalID != tm.id {
					return false
				}
			}
			return true
		})
	}
	left = received - itemsOf(hs)["gloves/M"]
	eventually(t, 30*time.Second, "one centre stock after three handovers", func() bool {
		for _, tm := range []*terminal{a, b, c} {
			if tm.status(t).Stock["gloves-M"] != left {
				return false
			}
		}
		return true
	})

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
	reg := startDemo(t, 1, 120)
	tms := []*terminal{enrol(t, reg, reg.URL(), "namur", "A"), enrol(t, reg, reg.URL(), "namur", "B"), enrol(t, reg, reg.URL(), "namur", "C")}
	for _, tm := range tms {
		tm.mustSync(t)
	}
	setPeers(t, tms, nil)
	a, b, c := tms[0], tms[1], tms[2]
	a.receive(t, "gloves", "M", 100000)
	codes := reg.openCodes(t, "namur")
	ra, rb := startRun(t, a), startRun(t, b)
	defer ra.stop(syscall.SIGTERM)
	defer rb.stop(syscall.SIGTERM)
	eventually(t, 30*time.Second, "A's reception at B", func() bool { return b.status(t).Stock["gloves-M"] == 100000 })
	var hs []handed
	for i := range 20 {
		rc := startRun(t, c)
		hs = append(hs, []*terminal{a, b}[i%2].handover(t, codes[i].Code))
		time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
		rc.stop(syscall.SIGKILL)
	}
	rc := startRun(t, c)
	defer rc.stop(syscall.SIGTERM)
	left := 100000 - itemsOf(hs)["gloves/M"]
	eventually(t, 60*time.Second, "all counters agree", func() bool {
		for _, tm := range tms {
			if tm.status(t).Stock["gloves-M"] != left {
				return false
			}
		}
		return true
	})
	for _, tm := range tms {
		for _, h := range hs {
			if v := tm.lookup(t, h.Code); v.Verdict != "already_collected" || len(v.Collected) != 1 {
				t.Fatalf("%s: %s is %s with %d handovers, want already_collected once", tm.name, h.Code.Masked(), v.Verdict, len(v.Collected))
			}
		}
		integrityCheck(t, filepath.Join(tm.dir, "pickup.db"))
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
