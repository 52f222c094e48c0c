package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// smallFS mounts a tmpfs of the given size (root only) and returns its path.
func smallFS(t *testing.T, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

func TestReadOnlyFolder(t *testing.T) {
	ctx := context.Background()
	var dir string
	if os.Geteuid() == 0 {
		dir = smallFS(t, "size=1m,ro")
	} else {
		dir = t.TempDir()
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
	}
	_, err := Open(ctx, dir)
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("Open(read-only folder) = %v, want ErrReadOnly", err)
	}
}

// A full disk gives ErrDiskFull, and what was recorded before stays whole.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	dir := smallFS(t, "size=600k")
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("Open on a 600 KiB disk: %v", err)
	}
	defer s.Close()
	s.Now = func() time.Time { return testNow }
	if _, err := s.Init(ctx, InitOptions{CentreID: "here", CentreName: "Here"}); err != nil {
		t.Fatal(err)
	}
	// Fill the disk with imports until it refuses.
	var full error
	for i := 0; i < 200 && full == nil; i++ {
		var b strings.Builder
		b.WriteString("code,name,profession,parcel_kind,centre_id,window_start,window_end\n")
		for j := range 500 {
			fmt.Fprintf(&b, "%s,Person with a long enough name %d,physiotherapist,masks_only,here,2020-11-09,2021-01-08\n", codeFor(t, i*1000+j), j)
		}
		_, full = s.ImportPickups(ctx, strings.NewReader(b.String()))
	}
	if !errors.Is(full, ErrDiskFull) {
		t.Fatalf("filling the disk ended with %v, want ErrDiskFull", full)
	}
	before := countRows(t, s, "pickups")
	if _, err := s.ReceiveStock(ctx, "masks", "", 100, ""); err != nil && !errors.Is(err, ErrDiskFull) {
		t.Errorf("reception on a full disk: %v, want ErrDiskFull or success", err)
	}
	if after := countRows(t, s, "pickups"); after != before {
		t.Errorf("pickups changed from %d to %d", before, after)
	}
	var integrity string
	s.db.QueryRow("PRAGMA integrity_check").Scan(&integrity)
	if integrity != "ok" {
		t.Errorf("integrity_check after a full disk: %s", integrity)
	}
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
