// Package sqlkittest holds the attacks on a database file that the
// terminal's store and the registry are both tested against: another
// program's SQLite file, a damaged file, and file modes.
package sqlkittest

import (
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// WriteForeign makes path another program's SQLite file: a table and a
// row, no application id, the default rollback journal.
func WriteForeign(t testing.TB, path string) {
	t.Helper()
	write(t, path, "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('mine')")
}

// WriteOtherApplication makes path the SQLite file of another program
// that marks its files: application id 42, one table.
func WriteOtherApplication(t testing.TB, path string) {
	t.Helper()
	write(t, path, "PRAGMA application_id = 42; CREATE TABLE x(y)")
}

// write runs script on the SQLite file at path, as another program would.
func write(t testing.TB, path, script string) {
	t.Helper()
	db := open(t, path)
	defer db.Close()
	if _, err := db.Exec(script); err != nil {
		t.Fatal(err)
	}
}

// open opens path with the plain driver, as another program would.
func open(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// Opens makes of a database's opener the open-and-close the checks here
// take: it returns what opening in dir returned, closing what it opened.
func Opens[T io.Closer](open func(dir string) (T, error)) func(dir string) error {
	return func(dir string) error {
		db, err := open(dir)
		if err == nil {
			db.Close()
		}
		return err
	}
}

// CheckForeignRefused writes another program's SQLite file (WriteForeign)
// as file in a new folder, and fails t unless open (see Opens) refuses it
// with an error that matches want and says the file was left untouched,
// and the file is as it was (CheckForeignUntouched).
func CheckForeignRefused(t *testing.T, file string, open func(dir string) error, want error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, file)
	WriteForeign(t, path)
	err := open(dir)
	if !errors.Is(err, want) {
		t.Fatalf("Open(another program's file) = %v, want %v", err, want)
	}
	if !strings.Contains(err.Error(), "left untouched") {
		t.Errorf("error %q does not say the file was left alone", err)
	}
	CheckForeignUntouched(t, path)
}

// CheckHeader fails t unless db is at schema version, marked with appID
// (PRAGMA application_id) and in WAL mode: what a new or upgraded
// database of ours looks like.
func CheckHeader(t testing.TB, db *sql.DB, appID int32, version int) {
	t.Helper()
	var v, id int
	var mode string
	db.QueryRow("PRAGMA user_version").Scan(&v)
	db.QueryRow("PRAGMA application_id").Scan(&id)
	db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if v != version || id != int(appID) || mode != "wal" {
		t.Errorf("user_version %d application_id %#x journal %s; want %d %#x wal", v, id, mode, version, appID)
	}
}

// CheckForeignUntouched fails t unless the file WriteForeign made is as it
// was: its one table, its journal mode.
func CheckForeignUntouched(t testing.TB, path string) {
	t.Helper()
	db := open(t, path)
	defer db.Close()
	var objects int
	var mode string
	db.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&objects)
	db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if objects != 1 || mode != "delete" {
		t.Errorf("foreign file after Open: %d schema objects, journal mode %s; want 1, delete", objects, mode)
	}
}

// WriteGarbage makes path a file that is not SQLite at all.
func WriteGarbage(t testing.TB, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 300)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// DamageSchema overwrites the first page of the database at path after
// its 100-byte header: the table of tables.
func DamageSchema(t testing.TB, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff", 2000)), 100); err != nil {
		t.Fatal(err)
	}
}

// CheckDamagedRefused opens (open opens and closes a database in dir)
// two damaged files, and fails t unless each is refused with an error that
// matches want and says what to do (CheckSaysWhatToDo): a file that is not
// SQLite at all, and a database open made whose schema page was then
// overwritten.
func CheckDamagedRefused(t *testing.T, file string, open func(dir string) error, want error) {
	t.Helper()
	garbage := t.TempDir()
	WriteGarbage(t, filepath.Join(garbage, file))
	damaged := t.TempDir()
	if err := open(damaged); err != nil {
		t.Fatal(err)
	}
	DamageSchema(t, filepath.Join(damaged, file))
	for name, dir := range map[string]string{"not SQLite": garbage, "schema page overwritten": damaged} {
		err := open(dir)
		if !errors.Is(err, want) {
			t.Errorf("%s: Open = %v, want %v", name, err, want)
			continue
		}
		CheckSaysWhatToDo(t, name, err, filepath.Join(dir, file))
	}
}

// CheckSaysWhatToDo fails t unless err's text names the file, says it is
// damaged and what to do (a backup), without SQLite's own words.
func CheckSaysWhatToDo(t testing.TB, name string, err error, file string) {
	t.Helper()
	msg := err.Error()
	if !strings.Contains(msg, "damaged") || !strings.Contains(msg, "backup") || !strings.Contains(msg, file) {
		t.Errorf("%s: %q does not say what happened and what to do", name, msg)
	}
	for _, raw := range []string{"file is not a database", "malformed", "SQLITE_", "(26)", "(11)"} {
		if strings.Contains(msg, raw) {
			t.Errorf("%s: %q shows SQLite's words %q", name, msg, raw)
		}
	}
}

// SharedFolder returns a new folder others may read (0755) and sets the
// usual umask 022 until t ends, as on a machine where earlier versions
// made database files 0644. The umask is the process's: callers must not
// run in parallel.
func SharedFolder(t *testing.T) string {
	t.Helper()
	old := setUmask(0o022)
	t.Cleanup(func() { setUmask(old) })
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// CheckModes0600 fails t unless the database at path and its -wal and
// -shm files exist with mode 0600.
func CheckModes0600(t testing.TB, when, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: %s has mode %o, want 600", when, p, m)
		}
	}
}

// Loosen gives the database at path and its -wal and -shm files mode 0644,
// as earlier versions made them.
func Loosen(t testing.TB, path string) {
	t.Helper()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// CheckFilesAre0600 opens a database of kind (the words of the messages:
// "store", "registry") in a SharedFolder twice, writes to it (write, told
// whether it is the second time) and closes it, and fails t unless the
// file and its -wal and -shm companions are 0600 each time; before the
// second open they are loosened to 0644 (Loosen), as an earlier version
// left them. The umask is the process's: callers must not run in parallel.
func CheckFilesAre0600[T io.Closer](t *testing.T, file, kind string, open func(dir string) (T, error), write func(db T, again bool) error) {
	t.Helper()
	dir := SharedFolder(t)
	path := filepath.Join(dir, file)
	for i, when := range []string{"new " + kind, kind + " made 0644 by an earlier version, opened again"} {
		db, err := open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := write(db, i > 0); err != nil {
			t.Fatal(err)
		}
		CheckModes0600(t, when, path)
		db.Close()
		Loosen(t, path)
	}
}
