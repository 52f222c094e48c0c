package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/internal/sqlkit/sqlkittest"
)

// Another program's SQLite file without an application id is refused and
// left as it was, not given the registry's tables.
func TestOpenRefusesForeignSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	sqlkittest.WriteForeign(t, path)
	if _, err := Open(context.Background(), dir, Options{}); !errors.Is(err, ErrNotRegistry) {
		t.Fatalf("Open(another program's file) = %v, want ErrNotRegistry", err)
	}
	sqlkittest.CheckForeignUntouched(t, path)
}

// A damaged registry database gives ErrCorrupt with what to do next, not
// SQLite's words.
func TestCorruptDatabaseSaysWhatToDo(t *testing.T) {
	t.Parallel()
	sqlkittest.CheckDamagedRefused(t, FileName, func(dir string) error {
		reg, err := Open(context.Background(), dir, Options{})
		if err == nil {
			reg.Close()
		}
		return err
	}, ErrCorrupt)
}

// The registry's database holds every terminal's secret and the private
// signing keys: it and its -wal and -shm files are readable by their owner
// only, in a folder others can read, and an older 0644 file is tightened.
func TestDatabaseFilesAre0600(t *testing.T) {
	ctx := context.Background()
	dir := sqlkittest.SharedFolder(t)
	for _, when := range []string{"new registry", "registry made 0644 by an earlier version, opened again"} {
		reg, err := Open(ctx, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reg.RotateKey(ctx); err != nil {
			t.Fatal(err)
		}
		sqlkittest.CheckModes0600(t, when, filepath.Join(dir, FileName))
		reg.Close()
		sqlkittest.Loosen(t, filepath.Join(dir, FileName))
	}
}

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	reg := openTest(t)
	ds, _ := reg.DatasetID(ctx)
	dir := t.TempDir()
	file := filepath.Join(dir, "copy.db")
	head, err := reg.Backup(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := reg.Head(ctx); head != want || head == 0 {
		t.Errorf("backup head %d, want %d", head, want)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", fi, err)
	}
	if _, err := reg.Backup(ctx, filepath.Join(reg.Dir(), FileName)); !errors.Is(err, ErrRefused) {
		t.Errorf("backup over the registry's own database: %v, want refused", err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Backup(ctx, link); err == nil {
		t.Errorf("backup over a symlink: no error")
	}
	if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup followed the symlink")
	}

	target := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 20)), 0o600)
	corrupt := filepath.Join(dir, "corrupt.db")
	b, _ := os.ReadFile(file)
	bad := append([]byte(nil), b...)
	for i := 4096; i < len(bad); i++ {
		bad[i] ^= 0x5a
	}
	os.WriteFile(corrupt, bad, 0o600)
	for name, f := range map[string]string{"junk": junk, "corrupt": corrupt, "missing": filepath.Join(dir, "nope.db"), "folder": dir} {
		if _, err := Restore(ctx, target, f); err == nil {
			t.Errorf("restore of the %s file: no error", name)
		}
		if _, err := os.Stat(filepath.Join(target, FileName)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("restore of the %s file left a database behind", name)
		}
	}

	unlock, err := LockServe(target)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, target, file); !errors.Is(err, ErrServing) || !errors.Is(err, ErrRefused) {
		t.Errorf("restore while serving: %v, want ErrServing", err)
	}
	if _, err := LockServe(target); !errors.Is(err, ErrServing) {
		t.Errorf("second serve on one folder: %v, want ErrServing", err)
	}
	unlock()
	res, err := Restore(ctx, target, file)
	if err != nil {
		t.Fatal(err)
	}
	if res.Head != head || res.DatasetID == ds || res.DatasetID == "" {
		t.Errorf("restore: %+v; want head %d and a dataset id other than %s", res, head, ds)
	}
	back, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if got, _ := back.DatasetID(ctx); got != res.DatasetID {
		t.Errorf("restored registry's dataset id %s, want %s", got, res.DatasetID)
	}
	if got, _ := back.Head(ctx); got != head {
		t.Errorf("restored head %d, want %d", got, head)
	}
}
