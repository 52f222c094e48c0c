package registry

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/internal/sqlkit/sqlkittest"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	reg, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sqlkittest.CheckHeader(t, reg.w, ApplicationID, SchemaVersion())
	ds1, _ := reg.DatasetID(context.Background())
	camps, _ := reg.campaignIDs(context.Background())
	reg.Close()
	if len(camps) != 2 {
		t.Errorf("campaigns = %v, want the two built-in ones", camps)
	}
	// Opening again changes nothing.
	reg, err = Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ds2, _ := reg.DatasetID(context.Background())
	keys, _ := reg.Keys(context.Background())
	reg.Close()
	if ds1 != ds2 || len(keys) != 1 || !keys[0].Current {
		t.Errorf("reopen: dataset %s → %s, keys %d", ds1, ds2, len(keys))
	}

	// Another program's SQLite file is refused.
	other := t.TempDir()
	sqlkittest.WriteOtherApplication(t, filepath.Join(other, FileName))
	if _, err := Open(context.Background(), other, Options{}); !errors.Is(err, ErrNotRegistry) {
		t.Errorf("Open(foreign file) = %v, want ErrNotRegistry", err)
	}
	// A file that is not SQLite at all.
	junk := t.TempDir()
	os.WriteFile(filepath.Join(junk, FileName), bytes.Repeat([]byte("junk"), 1000), 0o600)
	if _, err := Open(context.Background(), junk, Options{}); err == nil {
		t.Error("Open(junk file) succeeded")
	}
}

// TestMigrateFromV1: a registry saved at schema version 1 with facts is
// upgraded: its stock facts get sequences above the old head and show in
// the next pull.
func TestMigrateFromV1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, FileName), true))
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{string(v1), fmt.Sprintf("PRAGMA application_id = %d", ApplicationID), "PRAGMA user_version = 1",
		"INSERT INTO centres (id, name, created_at, seq) VALUES ('namur', 'Namur', '2020-11-01T00:00:00.000Z', 1)",
		"INSERT INTO terminals (id, centre_id, secret, enrolled_at) VALUES ('term-OLD', 'namur', x'00', '2020-11-01T00:00:00.000Z')",
		`INSERT INTO events (id, type, terminal_id, centre_id, at, received_at, via, item, qty, result)
			VALUES ('0f8d2c4e-9a51-4c3e-8f0b-1d2e3f4a5b6c', 'stock_receive', 'term-OLD', 'namur', '2020-11-02T00:00:00.000Z', '2020-11-02T00:00:00.000Z', 'push', 'masks', 500, 'accepted')`,
		"UPDATE seq SET head = 7",
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%.40s: %v", s, err)
		}
	}
	db.Close()
	reg, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	var version int
	var seq int64
	reg.w.QueryRow("PRAGMA user_version").Scan(&version)
	reg.r.QueryRow("SELECT seq FROM events").Scan(&seq)
	if version != SchemaVersion() || seq <= 7 {
		t.Errorf("after upgrade: version %d, fact seq %d; want %d and above 7", version, seq, SchemaVersion())
	}
	page, err := reg.Pull(context.Background(), "namur", protocol.PullRequest{})
	if err != nil || len(page.Received) != 1 || page.Received[0].Seq != seq || page.Cursor < seq {
		t.Errorf("pull after upgrade: %+v, %v", page.Received, err)
	}
	if err := page.Validate(); err != nil {
		t.Errorf("page after upgrade: %v", err)
	}
}

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
	if _, want, _ := reg.Head(ctx); head != want || head == 0 {
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
	if _, got, _ := back.Head(ctx); got != head {
		t.Errorf("restored head %d, want %d", got, head)
	}
}
