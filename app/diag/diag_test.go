package diag

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

// A store with named pickups, handovers by a named volunteer and a log
// that (by mistake) holds codes yields a diagnostics file with the counts
// and the log, and no name and no code.
func TestDiagnosticsHoldNoNamesNoCodes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	demo, err := s.Demo(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, code := range demo.Samples {
		j, err := s.Lookup(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, code, strings.ReplaceAll(code, "-", ""))
		if j.Pickup != nil && j.Pickup.Name != "" {
			secrets = append(secrets, j.Pickup.Name)
		}
	}
	if len(secrets) < 4 {
		t.Fatalf("too few samples: %v", secrets)
	}
	ok := demo.Samples[pickup.VerdictOK]
	if _, err := s.Handover(ctx, store.HandoverRequest{Input: ok, GloveSize: "M", Volunteer: "Volunteer Zebulon"}); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, "Volunteer Zebulon")

	l, err := OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	log := l.Logger(nil)
	log.Info("counter ready", "startup_ms", 120)
	log.Warn("a careless line", "code", ok, "raw", strings.ReplaceAll(ok, "-", ""), "enrol", "PICKUP-ENROL-H-ABCDEFGHJKMNPQRSTVWX-0-127.0.0.1-8080")
	l.Close()

	var buf bytes.Buffer
	if err := Write(ctx, &buf, s, l.Path()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"Pickup diagnostics", "[settings]", "pending upload", "stock gloves-M", "counter ready", "[masked]"} {
		if !strings.Contains(out, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, out)
		}
	}
	for _, bad := range append(secrets, "PICKUP-ENROL-H", "secret") {
		if strings.Contains(out, bad) {
			t.Errorf("diagnostics hold %q:\n%s", bad, out)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, LogName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("log file: %v %v, want 0600", fi, err)
	}
}

// The log rotates at MaxLogSize: the previous file is kept as .1.
func TestLogRotates(t *testing.T) {
	old := MaxLogSize
	MaxLogSize = 1000
	t.Cleanup(func() { MaxLogSize = old })
	dir := t.TempDir()
	l, err := OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	log := l.Logger(nil)
	for i := range 100 {
		log.Info("line", "i", i)
	}
	l.Close()
	cur, err1 := os.Stat(filepath.Join(dir, LogName))
	prev, err2 := os.Stat(filepath.Join(dir, LogName+".1"))
	if err1 != nil || err2 != nil || cur.Size() > 1000 || prev.Size() > 1000 || prev.Mode().Perm() != 0o600 {
		t.Fatalf("after rotation: %v %v %v %v", cur, err1, prev, err2)
	}
	lines := tail(filepath.Join(dir, LogName), 5)
	if len(lines) != 5 || !strings.Contains(lines[4], "i=99") {
		t.Errorf("tail = %q", lines)
	}
}
