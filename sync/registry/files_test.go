package registry

import (
	"context"
	"errors"
	"path/filepath"
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
