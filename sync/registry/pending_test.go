package registry

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// TestPullReportsPending: the pending count a terminal sends with its pull
// is stored for the list of terminals; a pull without it keeps the last
// one; a terminal that never sent one has none.
func TestPullReportsPending(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.requests(3)
	c, resp := f.terminal("namur")
	_, other := f.terminal("namur")
	pending := func(id string) (*int, bool) {
		t.Helper()
		f.srv.FlushSeen(f.ctx)
		ts, err := f.reg.Terminals(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			if x.ID == id {
				return x.Pending, x.PendingAt != nil
			}
		}
		t.Fatalf("terminal %s not listed", id)
		return nil, false
	}
	for _, n := range []int{3, 0} {
		if _, err := c.Pull(f.ctx, protocol.PullRequest{Pending: &n}); err != nil {
			t.Fatal(err)
		}
		if got, at := pending(resp.TerminalID); got == nil || *got != n || !at {
			t.Errorf("after a pull reporting %d pending: stored %v (time set %v)", n, got, at)
		}
	}
	if _, err := c.Pull(f.ctx, protocol.PullRequest{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := pending(resp.TerminalID); got == nil || *got != 0 {
		t.Errorf("a pull without pending changed the stored count to %v", got)
	}
	if got, _ := pending(other.TerminalID); got != nil {
		t.Errorf("a terminal that never reported has pending %d", *got)
	}
	bad := protocol.PullRequest{}.Query()
	bad.Set("pending", "-1")
	if _, err := protocol.ParsePullQuery(bad); err == nil {
		t.Error("a negative pending count was accepted")
	}
}

// TestPullPendingFallsBackForAnOlderRegistry: a registry that predates the
// pending parameter refuses it (unknown parameter, as its query check
// does); the client asks again without it, and from then on.
func TestPullPendingFallsBackForAnOlderRegistry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var refused atomic.Int32
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("pending") {
			refused.Add(1)
			f.srv.fail(w, r, protocol.Errorf(protocol.CodeBadRequest, "pull: unknown parameter %q", "pending"))
			return
		}
		f.srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(old.Close)
	c, _ := f.terminal("namur")
	c.BaseURL = old.URL
	n := 2
	for range 2 {
		if _, err := c.Pull(f.ctx, protocol.PullRequest{Pending: &n}); err != nil {
			t.Fatalf("pull from an older registry: %v", err)
		}
	}
	if _, err := c.PullAll(f.ctx, protocol.PullRequest{Pending: &n}, func(*protocol.PullResponse) error { return nil }); err != nil {
		t.Fatalf("PullAll from an older registry: %v", err)
	}
	if n := refused.Load(); n != 1 {
		t.Errorf("the older registry refused the parameter %d times, want once", n)
	}
}
