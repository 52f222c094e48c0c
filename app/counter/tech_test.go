package counter

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// newTestRegistry is a real registry (its own SQLite, its HTTP server on
// 127.0.0.1) with demo centres and pickups.
func newTestRegistry(t testing.TB) *registrytest.Demo { return registrytest.New(t, 2, 30) }

// newSyncFixture is a counter that syncs through a real client.Syncer
// over its store (setup's opt is then taken).
func newSyncFixture(t testing.TB, s setup) (*fixture, *client.Syncer) {
	t.Helper()
	syncer := &client.Syncer{}
	s.opt = func(o *Options) { o.Sync = syncer }
	f := newFixture(t, s)
	syncer.Store = f.st
	return f, syncer
}

// enrolAt enrols the counter's store at a centre of reg, as its one-line
// enrolment text says.
func (f *fixture) enrolAt(reg *registrytest.Demo, centre string) store.Identity {
	f.t.Helper()
	u, _ := protocol.ParseEnrolmentURI(reg.EnrolmentText(f.t, centre))
	id, err := client.Enrol(f.ctx, f.st, u.URL, u.Code.String())
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// enrolledSyncPanel is a counter enrolled at a real registry, with its
// sync panel open.
func enrolledSyncPanel(t *testing.T) (*registrytest.Demo, *fixture, *syncPanel) {
	t.Helper()
	reg := newTestRegistry(t)
	f, _ := newSyncFixture(t, setup{})
	f.enrolAt(reg, reg.Centres[0].ID)
	f.ui.Refresh(f.ctx)
	f.ui.ShowSyncPanel()
	return reg, f, f.ui.syncPanel
}

// A revoked terminal's status bar says so, never "Online".
func TestStatusRevokedNotOnline(t *testing.T) {
	reg := newTestRegistry(t)
	f, syncer := newSyncFixture(t, setup{})
	id := f.enrolAt(reg, reg.Centres[0].ID)
	if _, err := syncer.Round(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	if got := f.ui.online.Text; got != "Online" {
		t.Fatalf("after a good round: %q, want Online", got)
	}
	if err := reg.Reg.RevokeTerminal(f.ctx, id.TerminalID); err != nil {
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
		skew   time.Duration
	}{
		{true, client.Failure{}, "Clock off by 3m0s", 3 * time.Minute},
		{true, client.Failure{}, "Clock off by 2m0s", -2 * time.Minute},
		{true, client.Failure{}, "Online", 0},
		{false, client.Failure{Kind: client.FailureUnreachable}, "Offline since", 0},
		{false, client.Failure{Kind: client.FailureUnreachable, Detail: client.UnreachablePort}, "nothing at that port", 0},
		{true, client.Failure{Kind: client.FailureEnrolAgain, Code: "terminal_revoked"}, "Revoked", 0},
		{true, client.Failure{Kind: client.FailureEnrolAgain, Code: "unauthenticated"}, "Not known to the registry", 0},
		{true, client.Failure{Kind: client.FailureBusy, Code: "clock_skew"}, "Clock wrong", 0},
		{true, client.Failure{Kind: client.FailureRefused, Code: "forbidden"}, "Refused by the registry (forbidden)", 0},
		{false, client.Failure{Kind: client.FailurePinMismatch}, "Registry certificate changed", 0},
	}
	for _, tt := range tests {
		got, _, _ := syncWords(en, "http://r", true, tt.online, tt.f, last, time.UTC, tt.skew)
		if !strings.Contains(got, tt.want) || ((tt.f.Kind != client.FailureNone || tt.skew != 0) && strings.Contains(got, "Online")) {
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
	text := reg.EnrolmentText(t, reg.Centres[1].ID)
	box := f.ui.setup.enrol

	// A wrong port says so in words.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	wrong := strings.Replace(text, "-"+strings.TrimPrefix(reg.URL[strings.LastIndexByte(reg.URL, ':'):], ":"), "-"+strconv.Itoa(port), 1)
	f.scan(wrong)
	box.wait()
	if got := box.msg.Text; !strings.Contains(got, "nothing answers at that address and port") || strings.Contains(got, "dial tcp") {
		t.Errorf("wrong port: %q", got)
	}
	f.win.Canvas().Focus(box.entry)
	box.entry.SetText("")

	f.scan(strings.ToLower(text)) // a scanner with Caps Lock on
	box.wait()
	if got := box.msg.Text; !strings.Contains(got, reg.Centres[1].Name) || !strings.Contains(got, "Press Enter") {
		t.Fatalf("preview: %q, want the centre %s", got, reg.Centres[1].Name)
	}
	if terms, _ := reg.Reg.Terminals(f.ctx); len(terms) != 0 {
		t.Fatalf("the preview enrolled a terminal: %+v", terms)
	}
	f.key(fyne.KeyReturn)
	box.wait()
	terms, err := reg.Reg.Terminals(f.ctx)
	if err != nil || len(terms) != 1 || terms[0].CentreID != reg.Centres[1].ID {
		t.Fatalf("registry terminals = %+v %v", terms, err)
	}
	st := f.status()
	if st.Centre.ID != reg.Centres[1].ID || st.TerminalID != terms[0].ID || st.LastSync.IsZero() || st.Expected == 0 {
		t.Errorf("store after enrolment: centre %s terminal %s last sync %v expected %d", st.Centre.ID, st.TerminalID, st.LastSync, st.Expected)
	}
	if !f.ui.snap.setUp || box.progress.Value != 1 {
		t.Errorf("after enrolment: set up %v, progress %v", f.ui.snap.setUp, box.progress.Value)
	}
}

// The sync panel: a registry bundle imported from a folder (the store then
// holds the centre's pickups), "Sync now" (the outbox empties), a facts
// bundle exported to a folder that the registry takes.
func TestSyncPanelSyncNowAndBundles(t *testing.T) {
	reg, f, p := enrolledSyncPanel(t)
	if p.dlg == nil || !strings.Contains(p.counter.Text, "This counter:") {
		t.Fatalf("panel not open: %q", p.counter.Text)
	}
	if !strings.Contains(p.managerPIN.Text, "not set") {
		t.Errorf("the panel does not say the manager PIN is not set: %q", p.managerPIN.Text)
	}
	drive := t.TempDir()
	p.folder.SetText(drive)

	// Import from the drive: nothing there, then the registry's bundle.
	p.Import()
	p.wait()
	if !strings.Contains(p.result.Text, "No registry bundle") {
		t.Errorf("empty folder: %q", p.result.Text)
	}
	var buf bytes.Buffer
	if _, err := reg.Reg.ExportBundle(f.ctx, reg.Centres[0].ID, 0, &buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(drive, "namur"+BundleExt), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	p.Import()
	p.wait()
	if st := f.status(); st.Expected == 0 || !strings.Contains(p.result.Text, "1 bundle files read") {
		t.Fatalf("after import: %d expected, %q", st.Expected, p.result.Text)
	}

	// Sync now sends what waits.
	if _, err := f.st.ReceiveStock(f.ctx, "masks", "", 10, "panel test"); err != nil {
		t.Fatal(err)
	}
	if f.status().PendingUpload == 0 {
		t.Fatal("nothing waiting after a reception")
	}
	p.SyncNow()
	p.wait()
	if st := f.status(); st.PendingUpload != 0 || st.LastSync.IsZero() || !strings.Contains(p.result.Text, "Synced") {
		t.Errorf("after Sync now: %d waiting, last sync %v, %q", st.PendingUpload, st.LastSync, p.result.Text)
	}
	if !strings.Contains(p.state.Text, "Online") || !strings.Contains(p.waiting.Text, "Waiting to upload: 0") {
		t.Errorf("panel after sync: %q %q", p.state.Text, p.waiting.Text)
	}

	// Export to the drive; the registry takes the bundle.
	if _, err := f.st.ReceiveStock(f.ctx, "masks", "", 5, "panel test 2"); err != nil {
		t.Fatal(err)
	}
	p.Export()
	p.wait()
	files, _ := filepath.Glob(filepath.Join(drive, factsPrefix+"*"+BundleExt))
	if len(files) != 1 || !strings.Contains(p.result.Text, "1 facts written") {
		t.Fatalf("export: files %v, %q", files, p.result.Text)
	}
	b, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := reg.Reg.ImportBundle(f.ctx, b)
	if err != nil || got.Events != 1 || got.Accepted != 1 {
		t.Errorf("registry import of the exported bundle: %+v %v", got, err)
	}
	// Our own facts bundle is not imported back.
	os.Remove(filepath.Join(drive, "namur"+BundleExt))
	p.Import()
	p.wait()
	if !strings.Contains(p.result.Text, "No registry bundle") {
		t.Errorf("facts bundle only: %q", p.result.Text)
	}
}

// The camera reads the enrolment QR code on the first-run screen: the
// preview shows once however many frames see it, and nothing is enrolled
// until Enter.
func TestEnrolByCamera(t *testing.T) {
	reg := newTestRegistry(t)
	text := reg.EnrolmentText(t, reg.Centres[0].ID)
	frames := make(chan struct{})
	f := newFixture(t, setup{opt: func(o *Options) {
		o.Camera = func(ctx context.Context, found func(string)) error {
			for range 5 {
				found(text)
			}
			close(frames)
			<-ctx.Done()
			return nil
		}
	}})
	box := f.ui.setup.enrol
	if box.camera.Hidden {
		t.Fatal("no camera button on the first-run screen")
	}
	test.Tap(box.camera)
	<-frames
	box.wait()
	if got := box.msg.Text; !strings.Contains(got, reg.Centres[0].Name) {
		t.Fatalf("camera preview: %q", got)
	}
	if terms, _ := reg.Reg.Terminals(f.ctx); len(terms) != 0 {
		t.Fatalf("the camera enrolled without Enter: %+v", terms)
	}
	f.key(fyne.KeyReturn)
	box.wait()
	if terms, _ := reg.Reg.Terminals(f.ctx); len(terms) != 1 {
		t.Fatalf("after Enter: %+v", terms)
	}
	f.ui.StopCamera()
}

// The technician names the counter in the sync panel: a good name is
// stored (and shown), a bad one is refused with what a name may be, and the
// name stays.
func TestSyncPanelNamesTheCounter(t *testing.T) {
	_, f, p := enrolledSyncPanel(t)
	if !strings.Contains(p.counter.Text, "no name yet") || p.name.Text != "" {
		t.Fatalf("an unnamed counter: %q, field %q", p.counter.Text, p.name.Text)
	}
	for _, tc := range []struct {
		typed, want, says string
	}{
		{"  Counter 7 ", "Counter 7", "now called Counter 7"},
		{"Counter\x1b[2J", "Counter 7", "1 to 40 characters"},
		{strings.Repeat("x", 41), "Counter 7", "was not changed"},
		{"", "Counter 7", "1 to 40 characters"},
	} {
		p.name.SetText(tc.typed)
		p.name.OnSubmitted(p.name.Text) // Enter in the field
		p.wait()
		id, err := f.st.Identity(f.ctx)
		if err != nil || id.TerminalName != tc.want {
			t.Errorf("typed %q: name %q (%v), want %q", tc.typed, id.TerminalName, err, tc.want)
		}
		if !strings.Contains(p.result.Text, tc.says) {
			t.Errorf("typed %q: panel says %q, want %q", tc.typed, p.result.Text, tc.says)
		}
	}
	if !strings.Contains(p.counter.Text, "Counter 7") {
		t.Errorf("the panel's counter line %q does not show the new name", p.counter.Text)
	}
	f.ui.SetLang("fr")
	p.name.SetText("")
	p.SaveName()
	p.wait()
	if !strings.Contains(p.result.Text, "de 1 à 40 caractères") {
		t.Errorf("in French: %q", p.result.Text)
	}
}
