package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", a)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", a).Run() })
	ip("netns", "add", b)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", b).Run() })
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
	reg := startDemo(t, 1, 40)
	a, b := enrol(t, reg, reg.URL(), "namur", "A"), enrol(t, reg, reg.URL(), "namur", "B")
	for _, tm := range []*terminal{a, b} {
		tm.mustSync(t) // the peer key; the registry is out of reach from the namespaces
		tm.must(t, "config", "peer-listen", ":7743")
	}
	a.receive(t, "gloves", "M", 100000)
	codes := reg.openCodes(t, "namur")
	reg.stop(t, syscall.SIGTERM)
	startRunIn(t, a, []string{"ip", "netns", "exec", nsA})
	startRunIn(t, b, []string{"ip", "netns", "exec", nsB})
	a.handover(t, codes[0].Code)
	took := eventually(t, 60*time.Second, "A's handover at B, found by mDNS", func() bool {
		v := b.lookup(t, codes[0].Code)
		return v.Verdict == "already_collected" && len(v.Collected) == 1 && v.Collected[0].TerminalID == a.id
	})
	t.Logf("found by mDNS and refused at B after %s", took)
	if ids := b.peerIDs(t); !ids[a.id] {
		t.Errorf("B's peers %v, want A", ids)
	}
}
