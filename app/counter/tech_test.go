package counter

import (
	"context"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// testRegistry is a real registry (its own SQLite, its HTTP server on
// 127.0.0.1) with demo centres and pickups.
type testRegistry struct {
	reg     *registry.Registry
	url     string
	centres []pickup.Centre
}

func newTestRegistry(t testing.TB) *testRegistry {
	t.Helper()
	ctx := context.Background()
	reg, err := registry.Open(ctx, t.TempDir(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	if _, err := reg.Demo(ctx, 2, 30); err != nil {
		t.Fatal(err)
	}
	centres, err := reg.Centres(ctx)
	if err != nil || len(centres) < 2 {
		t.Fatalf("centres: %v %v", centres, err)
	}
	ts := httptest.NewServer(registry.NewServer(reg, nil).Handler())
	t.Cleanup(ts.Close)
	return &testRegistry{reg: reg, url: ts.URL, centres: centres}
}

// enrolText makes a one-time code for centre and returns its one-line text.
func (r *testRegistry) enrolText(t testing.TB, centre string) string {
	t.Helper()
	e, err := r.reg.NewEnrolment(context.Background(), centre, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u, err := protocol.NewEnrolmentURI(r.url, e.Code)
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// A revoked terminal's status bar says so, never "Online".
func TestStatusRevokedNotOnline(t *testing.T) {
	reg := newTestRegistry(t)
	syncer := &client.Syncer{}
	f := newFixture(t, setup{opt: func(o *Options) { o.Sync = syncer }})
	syncer.Store = f.st
	u, _ := protocol.ParseEnrolmentURI(reg.enrolText(t, reg.centres[0].ID))
	id, err := client.Enrol(f.ctx, f.st, u.URL, u.Code.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.Round(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	if got := f.ui.online.Text; got != "Online" {
		t.Fatalf("after a good round: %q, want Online", got)
	}
	if err := reg.reg.RevokeTerminal(f.ctx, id.TerminalID); err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.Round(f.ctx); err == nil {
		t.Fatal("a revoked terminal's round worked")
	}
	f.ui.Refresh(f.ctx)
	if got := f.ui.online.Text; strings.Contains(got, "Online") || !strings.Contains(got, "Revoked") {
		t.Errorf("revoked: status %q, want Revoked and not Online", got)
	}
}

// The sync state in words: each failure says what it is.
func TestSyncWords(t *testing.T) {
	en := i18n.For("en")
	last := time.Date(2020, 11, 20, 9, 15, 0, 0, time.UTC)
	tests := []struct {
		online bool
		f      client.Failure
		want   string
	}{
		{true, client.Failure{}, "Online"},
		{false, client.Failure{Kind: client.FailureUnreachable}, "Offline since"},
		{false, client.Failure{Kind: client.FailureUnreachable, Detail: client.UnreachablePort}, "nothing at that port"},
		{true, client.Failure{Kind: client.FailureEnrolAgain, Code: "terminal_revoked"}, "Revoked"},
		{true, client.Failure{Kind: client.FailureEnrolAgain, Code: "unauthenticated"}, "Not known to the registry"},
		{true, client.Failure{Kind: client.FailureBusy, Code: "clock_skew"}, "Clock wrong"},
		{true, client.Failure{Kind: client.FailureRefused, Code: "forbidden"}, "Refused by the registry (forbidden)"},
		{false, client.Failure{Kind: client.FailurePinMismatch}, "Registry certificate changed"},
	}
	for _, tt := range tests {
		got, _ := syncWords(en, "http://r", true, tt.online, tt.f, last, time.UTC)
		if !strings.Contains(got, tt.want) || (tt.f.Kind != client.FailureNone && strings.Contains(got, "Online")) {
			t.Errorf("syncWords(%v, %+v) = %q, want %q", tt.online, tt.f, got, tt.want)
		}
	}
}

// A terminal not set up takes the scanned enrolment text: it names the
// centre (the code not used yet), and Enter enrols and makes the first
// sync; the window then leaves the first-run screen.
func TestEnrolByScan(t *testing.T) {
	reg := newTestRegistry(t)
	f := newFixture(t, setup{})
	text := reg.enrolText(t, reg.centres[1].ID)
	box := f.ui.setup.enrol

	// A wrong port says so in words.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	wrong := strings.Replace(text, "-"+strings.TrimPrefix(reg.url[strings.LastIndexByte(reg.url, ':'):], ":"), "-"+strconv.Itoa(port), 1)
	f.scan(wrong)
	box.wait()
	if got := box.msg.Text; !strings.Contains(got, "nothing answers at that address and port") || strings.Contains(got, "dial tcp") {
		t.Errorf("wrong port: %q", got)
	}
	f.win.Canvas().Focus(box.entry)
	box.entry.SetText("")

	f.scan(strings.ToLower(text)) // a scanner with Caps Lock on
	box.wait()
	if got := box.msg.Text; !strings.Contains(got, reg.centres[1].Name) || !strings.Contains(got, "Press Enter") {
		t.Fatalf("preview: %q, want the centre %s", got, reg.centres[1].Name)
	}
	if terms, _ := reg.reg.Terminals(f.ctx); len(terms) != 0 {
		t.Fatalf("the preview enrolled a terminal: %+v", terms)
	}
	f.capture("enrol-preview")
	f.key(fyne.KeyReturn)
	box.wait()
	terms, err := reg.reg.Terminals(f.ctx)
	if err != nil || len(terms) != 1 || terms[0].CentreID != reg.centres[1].ID {
		t.Fatalf("registry terminals = %+v %v", terms, err)
	}
	st := f.status()
	if st.Centre.ID != reg.centres[1].ID || st.TerminalID != terms[0].ID || st.LastSync.IsZero() || st.Expected == 0 {
		t.Errorf("store after enrolment: centre %s terminal %s last sync %v expected %d", st.Centre.ID, st.TerminalID, st.LastSync, st.Expected)
	}
	if !f.ui.snap.setUp || box.progress.Value != 1 {
		t.Errorf("after enrolment: set up %v, progress %v", f.ui.snap.setUp, box.progress.Value)
	}
}
