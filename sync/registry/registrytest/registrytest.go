// Package registrytest gives the tests of other packages (the terminal's
// command line and window, the console) a real registry: its own SQLite
// file in a temporary folder, the demo's centres and requests, and its
// HTTP server on 127.0.0.1. Only tests import it.
package registrytest

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// Demo is a served demo registry.
type Demo struct {
	Reg     *registry.Registry
	URL     string // the server's base URL, http://127.0.0.1:…
	Centres []pickup.Centre
}

// New opens a registry in a temporary folder with the demo's centres
// (at least centres of them) and requests, and serves it until the test
// ends.
func New(t testing.TB, centres, requests int) *Demo {
	t.Helper()
	ctx := context.Background()
	reg := Open(t)
	if _, err := reg.Demo(ctx, centres, requests); err != nil {
		t.Fatal(err)
	}
	cs, err := reg.Centres(ctx)
	if err != nil || len(cs) < centres {
		t.Fatalf("centres: %v %v", cs, err)
	}
	ts := httptest.NewServer(registry.NewServer(reg, nil).Handler())
	t.Cleanup(ts.Close)
	return &Demo{Reg: reg, URL: ts.URL, Centres: cs}
}

// Open opens an empty registry in a temporary folder, closed when the
// test ends.
func Open(t testing.TB) *registry.Registry {
	t.Helper()
	reg, err := registry.Open(context.Background(), t.TempDir(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

// Enrolment makes a one-time enrolment code for centre, valid an hour.
func (d *Demo) Enrolment(t testing.TB, centre string) protocol.EnrolmentCode {
	t.Helper()
	e, err := d.Reg.NewEnrolment(context.Background(), centre, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return e.Code
}

// EnrolmentText makes a one-time enrolment code for centre and returns
// the whole enrolment as its one scannable line (PICKUP-ENROL-…).
func (d *Demo) EnrolmentText(t testing.TB, centre string) string {
	t.Helper()
	u, err := protocol.NewEnrolmentURI(d.URL, d.Enrolment(t, centre))
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// WriteFile writes text to the file name in dir (0600), for a command to
// read, and returns its path.
func WriteFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
