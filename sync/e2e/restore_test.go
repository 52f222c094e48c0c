package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A registry backed up while serving, then restored after more handovers
// were acknowledged: every terminal notices (new dataset id, even when the
// registry's head has since passed its cursor), sends back what the copy
// lacks, and the registry again counts every handover exactly once — those
// acknowledged before the backup, after it, and recorded at a counter
// while the registry was down.
func TestBackupRestoreNothingLost(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 1, 60)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	b := enrol(t, reg, reg.URL(), "namur", "B")
	for _, tm := range []*terminal{a, b} {
		tm.receive(t, "gloves", "M", 10_000)
		tm.mustSync(t)
	}
	codes := reg.openCodes(t, "namur")
	if len(codes) < 12 {
		t.Fatalf("%d open codes, want 12", len(codes))
	}
	next := 0
	hand := func(tm *terminal, n int) {
		for range n {
			tm.handover(t, codes[next].Code)
			next++
		}
	}
	hand(a, 2)
	hand(b, 2)
	a.mustSync(t)
	b.mustSync(t)

	backup := filepath.Join(t.TempDir(), "registry-backup.db")
	if out := reg.must(t, "backup", backup); !strings.Contains(out, backup) {
		t.Errorf("backup said %q", out)
	}
	fi, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}

	hand(a, 3)
	hand(b, 2)
	a.mustSync(t)
	b.mustSync(t)
	for _, tm := range []*terminal{a, b} {
		if p := tm.status(t).PendingUpload; p != 0 {
			t.Fatalf("terminal %s: %d facts pending after sync, want every one acknowledged", tm.name, p)
		}
	}
	if got := reg.report(t).centre("namur").Handovers; got != 9 {
		t.Fatalf("before the restore: %d handovers, want 9", got)
	}

	if res := reg.cli(t, "restore", backup); res.code != 1 || !strings.Contains(res.stderr, "stop it first") {
		t.Errorf("restore while serving: %s; want exit 1 saying to stop serve", res)
	}
	reg.stop(t, syscall.SIGTERM)
	hand(a, 1) // recorded while the registry is down
	reg.must(t, "restore", backup)
	reg.start(t)
	if got := reg.report(t).centre("namur").Handovers; got != 4 {
		t.Fatalf("right after the restore: %d handovers, want the backup's 4", got)
	}

	// B first: its journal pushed again moves the head, likely past A's
	// cursor; A must notice all the same.
	for _, tm := range []*terminal{b, a} {
		var out syncJSON
		decodeJSON(t, tm.cli(t, "--json", "sync"), &out)
		if !out.Report.Reset {
			t.Errorf("terminal %s: first sync after the restore saw no reset", tm.name)
		}
	}
	for _, tm := range []*terminal{a, b} {
		tm.mustSync(t)
	}
	c := reg.report(t).centre("namur")
	if c.Handovers != 10 || c.Collected != 10 || c.DoubleHandovers != 0 {
		t.Errorf("after the restore and a round each: %d handovers, %d collected, %d double; want 10, 10, 0",
			c.Handovers, c.Collected, c.DoubleHandovers)
	}
	for _, tm := range []*terminal{a, b} {
		st := tm.status(t)
		if st.PendingUpload != 0 || st.Conflicts != 0 || st.Collected != 10 {
			t.Errorf("terminal %s after resync: pending %d, conflicts %d, collected %d; want 0, 0, 10", tm.name, st.PendingUpload, st.Conflicts, st.Collected)
		}
	}
}
