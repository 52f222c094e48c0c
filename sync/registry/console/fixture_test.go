package console

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// Passwords of the fixture's operators.
const (
	annPassword = "ann's long passphrase"
	bobPassword = "bob's long passphrase"
)

// fixture is a real registry (SQLite in a temporary folder) with demo
// centres and requests, three terminals that handed parcels over in the
// last days (one code twice), shipments (one received twice), two
// operators, and the registry's HTTP server with the console mounted.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	reg     *registry.Registry
	console *Console
	ts      *httptest.Server
	double  registry.DoubleHandover
	terms   []*protocol.EnrolResponse
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	reg := registrytest.Open(t)
	f := &fixture{t: t, ctx: ctx, reg: reg}
	if _, err := reg.Demo(ctx, 3, 90); err != nil {
		t.Fatal(err)
	}
	for _, op := range [][2]string{{"ann", annPassword}, {"bob", bobPassword}} {
		if err := reg.AddOperator(ctx, op[0], op[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, centre := range []string{"namur", "namur", "gent"} {
		en, err := reg.NewEnrolment(ctx, centre, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		rid, _ := protocol.NewRequestID(nil)
		resp, err := reg.Enrol(ctx, &protocol.EnrolRequest{EnrolmentCode: en.Code.String(), RequestID: rid, Hostname: "counter-" + centre, ClientVersion: "1.4.0"})
		if err != nil {
			t.Fatal(err)
		}
		f.terms = append(f.terms, resp)
	}
	namur, gent := f.codes("namur"), f.codes("gent")
	now := time.Now().UTC().Truncate(time.Millisecond)
	var a, b, g []pickup.Event
	for i := 0; i < 12 && i < len(namur); i++ {
		a = append(a, f.handover(f.terms[0], namur[i], now.Add(-time.Duration(i%5)*24*time.Hour-time.Hour), "M"))
	}
	for i := 0; i < 5 && i < len(gent); i++ {
		g = append(g, f.handover(f.terms[2], gent[i], now.Add(-time.Duration(i)*24*time.Hour-2*time.Hour), "L"))
	}
	// The second counter of Namur, offline, hands the first code over again.
	b = append(b, f.handover(f.terms[1], namur[0], now.Add(-30*time.Minute), "XL"))
	f.push(f.terms[0], a)
	f.push(f.terms[2], g)
	f.push(f.terms[1], b)
	// The Gent counter hands over a Namur code: the registry flags it.
	f.push(f.terms[2], []pickup.Event{f.handover(f.terms[2], namur[len(namur)-1], now.Add(-20*time.Minute), "S")})
	ships, err := reg.Shipments(ctx, registry.ShipmentFilter{})
	if err != nil || len(ships) == 0 {
		t.Fatalf("demo shipments: %v, %v", ships, err)
	}
	twice, short := false, false // a second Namur shipment comes short, with why
	for _, s := range ships {
		if s.CentreID == "namur" && twice && !short {
			short = true
			f.push(f.terms[0], []pickup.Event{{ID: newID(), Type: pickup.EventStockReceive, TerminalID: f.terms[0].TerminalID, CentreID: "namur",
				At: now.Add(-time.Hour), Item: s.Item, Size: s.Size, Qty: s.Qty - 1, Reason: "one box crushed", Ref: "shipment " + s.ID}})
		}
		if s.CentreID == "namur" && !twice {
			twice = true
			e := pickup.Event{ID: newID(), Type: pickup.EventStockReceive, TerminalID: f.terms[0].TerminalID, CentreID: "namur",
				At: now.Add(-time.Hour), Item: s.Item, Size: s.Size, Qty: s.Qty, Ref: "shipment " + s.ID}
			f.push(f.terms[0], []pickup.Event{e})
			e.ID, e.TerminalID = newID(), f.terms[1].TerminalID
			f.push(f.terms[1], []pickup.Event{e})
		}
	}
	ds, err := reg.AllDoubleHandovers(ctx)
	if err != nil || len(ds) != 1 {
		t.Fatalf("fixture double handovers = %+v, %v", ds, err)
	}
	f.double = ds[0]

	f.console = New(reg, nil)
	srv := registry.NewServer(reg, nil)
	srv.Console = f.console
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	// The first terminal reports facts waiting in its outbox with a pull,
	// as a counter does each round; the others never did (older version).
	c, err := protocol.NewClient(f.ts.URL, f.terms[0].Credentials(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Pull(ctx, protocol.PullRequest{Pending: &fixturePending}); err != nil {
		t.Fatalf("fixture pull: %v", err)
	}
	srv.FlushSeen(ctx)
	return f
}

// fixturePending is what the first terminal reports waiting to send.
var fixturePending = 17

func newID() string {
	id, err := protocol.NewRequestID(nil)
	if err != nil {
		panic(err)
	}
	return id
}

func (f *fixture) handover(t *protocol.EnrolResponse, code pickup.Code, at time.Time, size string) pickup.Event {
	return pickup.Event{ID: newID(), Type: pickup.EventHandover, TerminalID: t.TerminalID, CentreID: t.Centre.ID,
		At: at, Code: code, GloveSize: size, Volunteer: "Vol"}
}

func (f *fixture) push(t *protocol.EnrolResponse, events []pickup.Event) {
	f.t.Helper()
	nonce := newID()
	if _, err := f.reg.Push(f.ctx, registry.Caller{TerminalID: t.TerminalID, CentreID: t.Centre.ID}, events, "push", nonce, time.Now().Add(time.Hour)); err != nil {
		f.t.Fatalf("push: %v", err)
	}
}

// codes returns the expected (not cancelled) codes of a centre whose
// pickup window is open today and was the four days before: the
// fixture's handovers are dated then, and the registry flags a handover
// outside its code's window.
func (f *fixture) codes(centre string) []pickup.Code {
	f.t.Helper()
	var b bytes.Buffer
	if _, err := f.reg.WriteCodes(f.ctx, centre, &b, ""); err != nil {
		f.t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		f.t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	today := pickup.DateOf(time.Now())
	var out []pickup.Code
	for _, r := range recs[1:] {
		start, _ := pickup.ParseDate(r[col["window_start"]])
		end, _ := pickup.ParseDate(r[col["window_end"]])
		if r[col["status"]] == "expected" && !today.AddDays(-4).Before(start) && !today.After(end) {
			c, err := pickup.ParseCode(r[col["code"]])
			if err != nil {
				f.t.Fatal(err)
			}
			out = append(out, c)
		}
	}
	return out
}
