package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// The commands against a registry (registrytest): enrol and sync.

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

// A registry's recommended version reaches the counter at its next sync:
// `pickup sync` and `pickup status` say it when this build is older, and
// stop saying it once the registry no longer recommends a newer one.
func TestSyncTellsRecommendedVersion(t *testing.T) {
	old := buildinfo.Version
	t.Cleanup(func() { buildinfo.Version = old })
	buildinfo.Version = "0.1.0"

	ctx := context.Background()
	d := registrytest.New(t, 1, 20)
	reg := d.Reg
	dir := t.TempDir()
	if r := run(t, "--data", dir, "enrol", "--registry", d.URL, "--code", d.Enrolment(t, d.Centres[0].ID).String()); r.code != 0 {
		t.Fatalf("enrol: %d %s %s", r.code, r.stdout, r.stderr)
	}
	const note = "Version 0.2.0 is recommended (this is 0.1.0)"

	if r := run(t, "--data", dir, "sync"); r.code != 0 || strings.Contains(r.stdout, "recommended") {
		t.Errorf("sync, nothing recommended: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := reg.SetRecommendedVersion(ctx, "0.2.0"); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "--data", dir, "sync"); r.code != 0 || !strings.Contains(r.stdout, note) {
		t.Errorf("sync, 0.2.0 recommended: %d, want %q in\n%s%s", r.code, note, r.stdout, r.stderr)
	}
	if r := run(t, "--data", dir, "status"); !strings.Contains(r.stdout, note) {
		t.Errorf("status, 0.2.0 recommended: want %q in\n%s", note, r.stdout)
	}
	if m := jsonOf(t, run(t, "--data", dir, "--json", "status")); m["recommended_version"] != "0.2.0" || m["version"] != "0.1.0" {
		t.Errorf("status --json: recommended_version %v, version %v", m["recommended_version"], m["version"])
	}
	// This build is the recommended one: nothing said.
	buildinfo.Version = "0.2.0"
	if r := run(t, "--data", dir, "status"); strings.Contains(r.stdout, "recommended") {
		t.Errorf("status, up to date: %s", r.stdout)
	}
	// The registry stops recommending: the counter forgets it.
	buildinfo.Version = "0.1.0"
	if err := reg.SetRecommendedVersion(ctx, ""); err != nil {
		t.Fatal(err)
	}
	run(t, "--data", dir, "sync")
	if r := run(t, "--data", dir, "status"); strings.Contains(r.stdout, "recommended") {
		t.Errorf("status, no longer recommended: %s", r.stdout)
	}
}
