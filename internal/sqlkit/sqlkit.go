// Package sqlkit is the one SQLite layer of the terminal's store and the
// registry: opening a database file with per-connection pragmas, refusing
// files that are not ours (application_id) or damaged, WAL checked,
// numbered migrations from an embedded folder applied in one loop, read
// and write transactions, a statement cache, row scanning and the
// fixed-width UTC time codec both sides store times with.
//
// It builds on modernc.org/sqlite (pure Go). Database files and their -wal
// and -shm companions are created readable by their owner only (0600):
// they hold the terminal's secret and the registry's private keys.
package sqlkit

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors callers branch on (the store and the registry export them under
// their own names).
var (
	// ErrForeign: the file is a SQLite database of another program (or of
	// the other Pickup side); it is left untouched.
	ErrForeign = errors.New("not this program's database")
	// ErrTooNew: the schema is newer than this build knows.
	ErrTooNew = errors.New("database made by a newer version")
	// ErrCorrupt: the file is damaged (not a readable SQLite database).
	ErrCorrupt = errors.New("database file is damaged")
	// ErrDiskFull: SQLite or the OS ran out of space.
	ErrDiskFull = errors.New("disk full")
	// ErrReadOnly: the file or its folder cannot be written.
	ErrReadOnly = errors.New("data folder is read-only")
)

// FileMode is the mode of every database file this package creates.
const FileMode fs.FileMode = 0o600

// DSN returns the modernc.org/sqlite data source name of the file at path:
// each pragma (e.g. "busy_timeout(10000)") is run on every new connection,
// and txlock ("immediate" or "deferred") is how BEGIN starts.
func DSN(path, txlock string, pragmas ...string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	// A relative path would read as the URI's authority ("file://rel/…"):
	// SQLite refuses it.
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// Schema is what a database of one kind must look like: its application
// id, its migrations, and the words that name it in errors.
type Schema struct {
	// ApplicationID marks the kind's files (PRAGMA application_id).
	ApplicationID int32
	// Kind names the database in errors ("Pickup terminal database").
	Kind string
	// Migrations are applied in order; see Load.
	Migrations []Migration
	// Damaged is what a user should do with a damaged file (a sentence).
	Damaged string
}

// Open opens the database file at path for writing with dsn's pragmas (see
// DSN; the WAL journal mode among them), creating the file with mode 0600
// if it does not exist and tightening an existing one to 0600. It refuses a
// damaged file (ErrCorrupt), another program's SQLite file (ErrForeign,
// even one without an application id, unless it is empty) and a schema
// newer than s knows (ErrTooNew), checks the journal mode is WAL, then
// applies the pending migrations.
func Open(ctx context.Context, path, dsn string, s Schema) (*sql.DB, error) {
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	if !ours(path, s.ApplicationID) {
		// Look at the file through a read-only connection first: dsn's
		// pragmas (the journal mode) would already change another
		// program's file.
		probe, err := sql.Open("sqlite", DSN(path, "", "busy_timeout(10000)", "query_only(1)"))
		if err != nil {
			return nil, err
		}
		err = check(ctx, probe, path, s)
		probe.Close()
		if err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, Classify(err, path, s)
	}
	if mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("%s: journal mode is %q, want wal", path, mode)
	}
	if err := Migrate(ctx, db, s); err != nil {
		db.Close()
		return nil, Classify(err, path, s)
	}
	return db, nil
}

// prepareFile creates the database file 0600 when missing, refuses
// anything but a regular file, and takes group and other access away from
// an existing file and its -wal and -shm companions (SQLite creates those
// with the database file's mode).
func prepareFile(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
		if errors.Is(err, fs.ErrExist) {
			return prepareFile(path) // another process was first
		}
		if err != nil {
			return classifyOS(err)
		}
		return classifyOS(f.Close())
	}
	if err != nil {
		return classifyOS(err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
			return classifyOS(err)
		}
	}
	return nil
}

// ours says whether the file's header holds SQLite's magic and appID:
// then it is one of ours and needs no read-only look first. A header can
// be behind the write-ahead log (a new file, not yet checkpointed): that
// case takes the slow path.
func ours(path string, appID int32) bool {
	id, err := HeaderApplicationID(path)
	return err == nil && id == appID
}

// HeaderApplicationID reads the application_id in the header of the
// SQLite file at path, without opening it as a database; a file that
// does not start with SQLite's magic is an error.
func HeaderApplicationID(path string) (int32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return 0, errors.New("not a SQLite database (too short)")
	}
	if string(h[:16]) != "SQLite format 3\x00" {
		return 0, errors.New("not a SQLite database")
	}
	return int32(binary.BigEndian.Uint32(h[68:72])), nil
}

// check reads the header facts of the file: damaged, foreign or too new
// files are refused.
func check(ctx context.Context, db *sql.DB, path string, s Schema) error {
	var appID int32
	var version, objects int
	err := db.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)`).Scan(&appID, &version, &objects)
	if err != nil {
		return Classify(err, path, s)
	}
	switch {
	case appID != 0 && appID != s.ApplicationID:
		return fmt.Errorf("%w: %s is not a %s (application_id %#x): it was left untouched", ErrForeign, path, s.Kind, appID)
	case appID == 0 && (version != 0 || objects != 0):
		return fmt.Errorf("%w: %s is not a %s (another program's SQLite file, %d tables and indexes): it was left untouched", ErrForeign, path, s.Kind, objects)
	case version > len(s.Migrations):
		return fmt.Errorf("%w: %s has schema %d, this build knows up to %d: use a newer version of this program", ErrTooNew, path, version, len(s.Migrations))
	}
	return nil
}

// Migrate applies each migration of s that the database has not had yet,
// each in one write transaction with its user_version and the application
// id, then checks foreign keys. The version is read inside each
// transaction, so that two processes opening a new file at once apply
// every migration exactly once.
func Migrate(ctx context.Context, db *sql.DB, s Schema) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(s.Migrations) {
		return fmt.Errorf("%w: schema %d, this build knows up to %d: use a newer version of this program", ErrTooNew, version, len(s.Migrations))
	}
	for _, m := range s.Migrations[version:] {
		err := Write(ctx, db, func(tx *sql.Tx) error {
			var appID int32
			var version int
			if err := tx.QueryRowContext(ctx, "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version)").Scan(&appID, &version); err != nil {
				return err
			}
			switch {
			case appID != 0 && appID != s.ApplicationID:
				return fmt.Errorf("%w: not a %s (application_id %#x)", ErrForeign, s.Kind, appID)
			case version > len(s.Migrations):
				return fmt.Errorf("%w: schema %d, this build knows up to %d: use a newer version of this program", ErrTooNew, version, len(s.Migrations))
			case version >= m.Version:
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", s.ApplicationID, m.Version)); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
			if err != nil {
				return err
			}
			bad := rows.Next()
			if err := rows.Close(); err != nil {
				return err
			}
			if bad {
				return fmt.Errorf("migration %s: foreign key check failed", m.Name)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// CorruptError is a damaged database file: it says what to do next
// instead of SQLite's words, which stay in the chain (Unwrap).
type CorruptError struct {
	Path string
	Kind string
	Next string // what to do, a sentence
	Err  error
}

func (e *CorruptError) Error() string {
	msg := fmt.Sprintf("the %s %s is damaged and cannot be read", e.Kind, e.Path)
	if e.Next != "" {
		msg += ": " + e.Next
	}
	return msg
}

// Is makes a CorruptError match ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns SQLite's error.
func (e *CorruptError) Unwrap() error { return e.Err }

// Classify turns SQLite's and the OS's damaged-file, full-disk and
// read-only errors into ErrCorrupt (a *CorruptError naming path and what
// to do), ErrDiskFull and ErrReadOnly, keeping the original in the chain.
// path and s only serve the damaged-file message; s may be the zero
// Schema.
func Classify(err error, path string, s Schema) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrDiskFull) || errors.Is(err, ErrReadOnly) || errors.Is(err, ErrCorrupt) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w: %w", ErrDiskFull, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("%w: %w", ErrReadOnly, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			kind := s.Kind
			if kind == "" {
				kind = "database"
			}
			return &CorruptError{Path: path, Kind: kind, Next: s.Damaged, Err: err}
		}
	}
	return classifyOS(err)
}

func classifyOS(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case errors.Is(err, os.ErrPermission) || strings.Contains(msg, "read-only file system"):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case strings.Contains(msg, "no space left on device") || strings.Contains(msg, "disk is full"):
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
