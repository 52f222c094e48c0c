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
	"time"

	"github.com/pickup-terminal/pickup/internal/rowdigest"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
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
	stmts *sqlkit.Stmts // see cq
	kind  sqlkit.Schema // for errors
	// Now is the clock; tests set it.
	Now func() time.Time
	// Loc is the time zone that decides "today"; time.Local by default.
	Loc *time.Location
}

// schema is what a terminal database looks like.
func schema() (sqlkit.Schema, error) {
	return sqlkit.NewSchema(ApplicationID, "Pickup terminal database", migrations, "migrations",
		"keep a copy of the file for diagnosis, then restore the latest backup, or move the file aside "+
			"and set the terminal up again (an enrolled terminal gets its pickups back at the next sync; "+
			"handovers not yet uploaded are only in the damaged file)")
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
	sc, err := schema()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	dsn := sqlkit.DSN(path, "immediate", "busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)")
	db, err := sqlkit.Open(ctx, path, dsn, sc)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", withCode(err))
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path, stmts: sqlkit.NewStmts(db), kind: sc, Now: time.Now, Loc: time.Local}
	// Rows logged by the digest's migration (or by another program) are
	// folded now rather than in a volunteer's first handover; a bulk load
	// that a killed pull (or another process's pull under way) left is
	// ended: what it set aside is rebuilt from the rows as they are.
	if err := s.tx(ctx, func(tx *sql.Tx) error { return endBulk(ctx, tx) }); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
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
	s.stmts.Close()
	return s.db.Close()
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	sc, _ := schema()
	return sc.Version()
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE), committing when fn
// returns nil, after folding the pickups it changed into the stored drift
// digest (rowdigest.Fold).
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.classify(sqlkit.Write(ctx, s.db, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		// The drift digest follows every change of this transaction.
		return rowdigest.Fold(ctx, tx)
	}))
}

// defaultCacheKiB is SQLite's page cache per connection (2 MB), which
// the store keeps but while a large write runs (setCache).
const defaultCacheKiB = 2000

// setCache sets the page cache of tx's connection to kib KiB, for what
// remains of tx and after it, until set again.
func setCache(ctx context.Context, tx *sql.Tx, kib int) error {
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", kib))
	return err
}

// cq returns the querier of s that runs each query through a statement
// prepared once per store (SQLite's parser took about half of a lookup's
// time), inside tx when tx is not nil.
func (s *Store) cq(tx *sql.Tx) querier { return s.stmts.In(tx) }

// classify turns the OS's and SQLite's full-disk, read-only and
// damaged-file errors into ErrDiskFull, ErrReadOnly and ErrCorrupt,
// keeping the original in the chain.
func (s *Store) classify(err error) error { return withCode(sqlkit.Classify(err, s.path, s.kind)) }

// classify is Store.classify before there is a store.
func classify(err error) error { return withCode(sqlkit.Classify(err, "", sqlkit.Schema{})) }

// withCode gives the kit's errors their store code, keeping them in the
// chain (their words stay).
func withCode(err error) error {
	if err == nil || CodeOf(err) != "" {
		return err
	}
	for _, k := range []struct {
		kit  error
		code Code
	}{
		{sqlkit.ErrDiskFull, CodeDiskFull}, {sqlkit.ErrReadOnly, CodeReadOnly}, {sqlkit.ErrCorrupt, CodeCorrupt},
		{sqlkit.ErrForeign, CodeNotOurs}, {sqlkit.ErrTooNew, CodeTooNew},
	} {
		if errors.Is(err, k.kit) {
			return &Error{Code: k.code, Err: err}
		}
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

// SetSetting stores a setting. The manager PIN's settings have their own
// setter (SetManagerPIN) and are refused here.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if strings.HasPrefix(key, managerPINPrefix) {
		return errorf(CodeInvalid, "setting %s: use SetManagerPIN", key)
	}
	return s.tx(ctx, func(tx *sql.Tx) error { return setSetting(ctx, tx, key, value) })
}

type querier = sqlkit.Querier

func fmtTime(t time.Time) string { return sqlkit.FormatTime(t) }

func parseTime(s string) time.Time { return sqlkit.ParseTime(s) }
