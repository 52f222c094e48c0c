// Package store is the terminal's local SQLite store and the core of the
// counter: it decides whether a scanned code may be handed over and records
// each handover, undo and stock movement in one transaction, so that a
// handover is never lost and never counted twice. The window and the
// technician's command line both call the methods of Store.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	stdsync "sync"
	"time"

	"github.com/pickup-terminal/pickup/store/sqlmig"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ApplicationID marks a SQLite file as a Pickup terminal store ("PkT1").
const ApplicationID = 0x506b5431

// FileName is the database file inside the data folder.
const FileName = "pickup.db"

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an open terminal database.
type Store struct {
	db    *sql.DB
	path  string
	stmts stdsync.Map // query → *sql.Stmt, see cached
	// Now is the clock; tests set it.
	Now func() time.Time
	// Loc is the time zone that decides "today"; time.Local by default.
	Loc *time.Location
}

// Open opens (creating if needed) the store in dir and brings its schema up
// to date.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: create data folder: %w", classify(err))
	}
	path := filepath.Join(dir, FileName)
	if err := probeWritable(dir); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path, Now: time.Now, Loc: time.Local}
	if err := s.checkFile(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// probeWritable fails early and clearly on a read-only or full folder.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return classify(err)
	}
	name := f.Name()
	_, werr := f.Write(make([]byte, 4096))
	cerr := f.Close()
	os.Remove(name)
	if werr != nil {
		return classify(werr)
	}
	return classify(cerr)
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	s.closeStmts()
	return s.db.Close()
}

func (s *Store) checkFile(ctx context.Context) error {
	var appID, version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return classify(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return classify(err)
	}
	if appID != 0 && appID != ApplicationID {
		return fmt.Errorf("%w (application_id %#x)", ErrNotOurs, appID)
	}
	if appID == 0 && version != 0 {
		return fmt.Errorf("%w (no application_id)", ErrNotOurs)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return classify(err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	return nil
}

func loadMigrations() ([]sqlmig.Migration, error) { return sqlmig.Load(migrations, "migrations") }

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	ms, _ := loadMigrations()
	return len(ms)
}

// migrate applies each pending migration with its user_version bump in one
// transaction.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return classify(err)
	}
	if version > len(ms) {
		return fmt.Errorf("%w: schema %d, this build knows up to %d", ErrTooNew, version, len(ms))
	}
	for _, m := range ms[version:] {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
			if err != nil {
				return err
			}
			defer rows.Close()
			if rows.Next() {
				return fmt.Errorf("migration %s: foreign key check failed", m.Name)
			}
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE), committing when fn
// returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return classify(err)
	}
	if err := tx.Commit(); err != nil {
		return classify(err)
	}
	return nil
}

// classify turns the OS's and SQLite's full-disk and read-only errors into
// ErrDiskFull and ErrReadOnly, keeping the original in the chain.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrDiskFull) || errors.Is(err, ErrReadOnly) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w: %w", ErrDiskFull, err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
			if se.Code()&0xff == sqlite3.SQLITE_READONLY {
				return fmt.Errorf("%w: %w", ErrReadOnly, err)
			}
		}
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

func getSetting(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func setSetting(ctx context.Context, q querier, key, value string) error {
	_, err := q.ExecContext(ctx, "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// Setting returns a setting's value ("" when unset).
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	return getSetting(ctx, s.db, key)
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return setSetting(ctx, tx, key, value) })
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const timeLayout = time.RFC3339Nano

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeLayout, s)
	return t
}
