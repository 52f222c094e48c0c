package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// An enrolment the terminal refuses (set up for another centre) is refused
// before the code is used: the registry lists no terminal, and the same
// code then enrols a terminal of its own centre, here from the one-line
// enrolment text alone.
func TestEnrolRefusedLeavesNoGhost(t *testing.T) {
	ctx := context.Background()
	d := registrytest.New(t, 2, 10)
	reg, centres, url := d.Reg, d.Centres, d.URL
	code := d.Enrolment(t, centres[1].ID)

	other := t.TempDir()
	if r := run(t, "--data", other, "init", "--centre", centres[0].ID, "--name", "Elsewhere"); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	r := run(t, "--data", other, "enrol", "--registry", url, "--code", code.String())
	if r.code == 0 || !strings.Contains(r.stderr, "already set up for centre "+centres[0].ID) {
		t.Fatalf("enrol of a terminal set up for another centre: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if terms, err := reg.Terminals(ctx); err != nil || len(terms) != 0 {
		t.Fatalf("registry terminals after a refused enrolment: %v %v, want none", terms, err)
	}

	u, err := protocol.NewEnrolmentURI(url, code)
	if err != nil {
		t.Fatal(err)
	}
	fresh := t.TempDir()
	if r := run(t, "--data", fresh, "enrol", "--code", strings.ToLower(u.String())); r.code != 0 {
		t.Fatalf("enrol by text: %d %s %s", r.code, r.stdout, r.stderr)
	}
	terms, err := reg.Terminals(ctx)
	if err != nil || len(terms) != 1 || terms[0].CentreID != centres[1].ID {
		t.Fatalf("registry terminals = %+v %v, want one of %s", terms, err, centres[1].ID)
	}
}

// pickup diagnostics --out writes the file (0600) with the counts and no
// name; pickup config name names the counter, and status shows it.
func TestDiagnosticsAndName(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, "--data", dir, "demo"); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	if r := run(t, "--data", dir, "config", "name", "Counter 2"); r.code != 0 {
		t.Fatalf("config name: %d %s", r.code, r.stderr)
	}
	if r := run(t, "--data", dir, "config", "name", ""); r.code != 2 {
		t.Errorf("empty name: %d %s", r.code, r.stderr)
	}
	if r := run(t, "--data", dir, "status"); !strings.Contains(r.stdout, "Counter 2") {
		t.Errorf("status does not show the name:\n%s", r.stdout)
	}
	out := filepath.Join(t.TempDir(), "diag.txt")
	if r := run(t, "--data", dir, "diagnostics", "--out", out); r.code != 0 {
		t.Fatalf("diagnostics: %d %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	fi, _ := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(b), "terminal_name        Counter 2") || !strings.Contains(string(b), "[counts]") {
		t.Errorf("diagnostics file (%v): %s", err, b)
	}
}
