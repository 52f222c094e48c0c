package registry

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/campaigntest"
	"github.com/pickup-terminal/pickup/internal/testclock"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// fixture is a registry with two centres and some requests, served by an
// httptest server.
type fixture struct {
	t   *testing.T
	reg *Registry
	srv *Server
	ts  *httptest.Server
	ctx context.Context
}

func openTest(t *testing.T) *Registry {
	t.Helper()
	reg, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

// newFixture marks the test parallel and returns a registry with two
// centres, namur and gent, served with DefaultLimits.
func newFixture(t *testing.T) *fixture { return limitedFixture(t, DefaultLimits) }

// requestFixture is newFixture with n requests per centre (see requests).
func requestFixture(t *testing.T, n int) (*fixture, map[string][]pickup.Code) {
	t.Helper()
	f := newFixture(t)
	return f, f.requests(n)
}

// namurCounters is requestFixture with two counters of namur enrolled:
// the scene of a code handed over twice in one centre.
func namurCounters(t *testing.T, n int) (f *fixture, codes map[string][]pickup.Code, a, b *protocol.Client) {
	t.Helper()
	f, codes = requestFixture(t, n)
	a, b = f.counters("namur")
	return f, codes, a, b
}

// limitedFixture is newFixture with the server's limits set to l.
func limitedFixture(t *testing.T, l Limits) *fixture {
	t.Helper()
	t.Parallel()
	reg := openTest(t)
	f := &fixture{t: t, reg: reg, ctx: context.Background()}
	for _, c := range []pickup.Centre{
		{ID: "namur", Name: "Croix-Rouge Namur", Address: "Rue de Fer 68, 5000 Namur", Hours: "Mon-Fri 9-17"},
		{ID: "gent", Name: "Rode Kruis Gent", Address: "Kortrijksesteenweg 788, 9000 Gent", Hours: "ma-vr 8:30-16:30"},
	} {
		if err := reg.AddCentre(f.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	f.srv = NewServer(reg, nil)
	f.srv.Limits = l
	f.ts = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

// requests imports n requests per centre, in a campaign running now
// (campaigntest.ID), and returns the codes by centre.
func (f *fixture) requests(n int) map[string][]pickup.Code {
	f.t.Helper()
	def, err := campaigntest.Definition(pickup.DateOf(time.Now().UTC()))
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.reg.ImportCampaign(f.ctx, bytes.NewReader(def)); err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("professional_id,name,profession,centre_id\n")
	profs := []string{"physiotherapist", "pharmacist", "nurse", "dietitian"}
	for _, c := range []string{"namur", "gent"} {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%s-%04d,Person %d,%s,%s\n", c, i, i, profs[i%len(profs)], c)
		}
	}
	res, err := f.reg.ImportRequests(f.ctx, campaigntest.ID, strings.NewReader(b.String()))
	if err != nil || res.Imported != 2*n {
		f.t.Fatalf("ImportRequests = %+v, %v", res, err)
	}
	return f.codes()
}

func (f *fixture) codes() map[string][]pickup.Code {
	f.t.Helper()
	out := map[string][]pickup.Code{}
	rows, err := f.reg.r.Query("SELECT code, centre_id FROM pickups ORDER BY code")
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c pickup.Code
		var centre string
		rows.Scan(&c, &centre)
		out[centre] = append(out[centre], c)
	}
	return out
}

// terminal enrols a terminal of centre over HTTP and returns its client.
func (f *fixture) terminal(centre string) (*protocol.Client, *protocol.EnrolResponse) {
	f.t.Helper()
	en, err := f.reg.NewEnrolment(f.ctx, centre, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := protocol.NewClient(f.ts.URL, protocol.Credentials{}, "")
	if err != nil {
		f.t.Fatal(err)
	}
	rid, _ := protocol.NewRequestID(nil)
	resp, err := c.Enrol(f.ctx, en.Code.String(), rid, "counter", "test")
	if err != nil {
		f.t.Fatalf("Enrol: %v", err)
	}
	return c, resp
}

// clock puts the registry and its server on a test clock set at at.
func (f *fixture) clock(at time.Time) *testclock.Clock {
	c := testclock.New(at)
	f.reg.Now, f.srv.Now = c.Now, c.Now
	return c
}

// counters enrols two terminals of centre, as its two counters.
func (f *fixture) counters(centre string) (a, b *protocol.Client) {
	f.t.Helper()
	a, _ = f.terminal(centre)
	b, _ = f.terminal(centre)
	return a, b
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.reg.r.QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func newID(t *testing.T) string {
	id, err := protocol.NewRequestID(nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func handover(t *testing.T, c *protocol.Client, code pickup.Code, at time.Time) pickup.Event {
	return pickup.Event{ID: newID(t), Type: pickup.EventHandover, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID,
		At: at, Code: code, GloveSize: "M", Volunteer: "Vol",
		Items: []pickup.Line{{Item: "gloves", Size: "M", Qty: 500}, {Item: "masks", Qty: 500}}}
}

// push sends events and returns the results, failing the test on an error.
func push(t *testing.T, c *protocol.Client, evs ...pickup.Event) []protocol.PushResult {
	t.Helper()
	r, err := c.Push(context.Background(), &protocol.PushRequest{Events: evs})
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	return r.Results
}

// pullAll pulls until the head and returns every page.
func pullAll(t *testing.T, c *protocol.Client, ds string, after int64, limit int) []*protocol.PullResponse {
	t.Helper()
	var pages []*protocol.PullResponse
	for {
		p, err := c.Pull(context.Background(), protocol.PullRequest{DatasetID: ds, After: after, Limit: limit})
		if err != nil {
			t.Fatalf("Pull after %d: %v", after, err)
		}
		pages = append(pages, p)
		after, ds = p.Cursor, p.DatasetID
		if !p.More {
			return pages
		}
		if len(pages) > 100000 {
			t.Fatal("pull does not end")
		}
	}
}

// headCursor pulls everything and returns the cursor at the head.
func headCursor(t *testing.T, c *protocol.Client) int64 {
	t.Helper()
	pages := pullAll(t, c, "", 0, 0)
	return pages[len(pages)-1].Cursor
}

func gz(b []byte) []byte { return protocol.Gzip(b) }
