package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Attacks on real processes (issue 9), named after what they attack.

// TestReenrolmentDoesNotRelabelFactsAfterRevocation: handovers a terminal
// records after it was revoked keep its revoked identity when it is
// enrolled again: the registry records them flagged, counted nowhere
// (they were relabelled with the new terminal id and counted).
func TestReenrolmentDoesNotRelabelFactsAfterRevocation(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 2, 100)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	a.receive(t, "gloves", "M", 10_000)
	a.mustSync(t)
	codes := reg.openCodes(t, "namur")
	reg.must(t, "terminal", "revoke", a.id)
	h := a.handover(t, codes[0].Code) // recorded after the revocation
	if res := a.sync(t); res.code == 0 {
		t.Fatalf("a revoked terminal synced: %s", res)
	}
	oldID := a.id
	var out struct {
		TerminalID string `json:"terminal_id"`
	}
	decodeJSON(t, a.must(t, "--json", "enrol", "--registry", reg.URL(), "--code", reg.enrolCode(t, "namur")), &out)
	if out.TerminalID == oldID {
		t.Fatal("re-enrolment kept the revoked id")
	}
	a.sync(t)
	a.sync(t)
	db := sqliteRO(t, filepath.Join(reg.dir, "registry.db"))
	var terminal, flag string
	if err := db.QueryRow("SELECT terminal_id, flag FROM events WHERE id = ?", h.EventID).Scan(&terminal, &flag); err != nil {
		t.Fatalf("the handover recorded after the revocation is not at the registry: %v", err)
	}
	if terminal != oldID || flag == "" {
		t.Errorf("handover after revocation stored as terminal %s, flag %q; want the revoked %s, flagged", terminal, flag, oldID)
	}
	if c := reg.report(t).centre("namur"); c.Handovers != 0 {
		t.Errorf("report counts %d handovers at namur, want 0 (the one after revocation is flagged)", c.Handovers)
	}
}

// TestBundleImportStopsOnSIGTERMWhilePathHangs: `pickup bundle import` on
// a path that never answers (a named pipe without a writer, as a dead
// network share) ends when it is asked to (SIGTERM was ignored).
func TestBundleImportStopsOnSIGTERMWhilePathHangs(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 1, 10)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	dir := a.dir
	fifo := filepath.Join(t.TempDir(), "stick.bundle")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes:", err)
	}
	cmd := exec.Command(bin.pickup, "--data", dir, "bundle", "import", fifo)
	cmd.Env = childEnv()
	var se strings.Builder
	cmd.Stderr = &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		if cmd.ProcessState.ExitCode() == 0 {
			t.Errorf("bundle import of a hanging path exited 0: %s", se.String())
		}
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing
		cmd.Process.Kill()
		<-done
		t.Fatal("bundle import ignored SIGTERM while its path hangs")
	}
	_ = os.Remove(fifo)
}
