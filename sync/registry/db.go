package registry

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/rowdigest"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// ApplicationID marks a SQLite file as a Pickup registry ("PkR1"); the
// terminal's store uses another, so neither opens the other's file.
const ApplicationID = 0x506b5231

// FileName is the registry's database file inside its data folder.
const FileName = "registry.db"

//go:embed migrations/*.sql
var migrationFS embed.FS

// Times are stored with the kit's fixed-width UTC codec, so that they sort
// as text.
func fmtTime(t time.Time) string { return sqlkit.FormatTime(t) }

func parseTime(s string) time.Time { return sqlkit.ParseTime(s) }

// timeIn scans a time column (fmtTime's text; NULL is the zero time) into
// *t, in place of a string read and then parsed.
func timeIn(t *time.Time) sql.Scanner { return timeDest{t} }

type timeDest struct{ t *time.Time }

func (d timeDest) Scan(v any) error {
	switch s := v.(type) {
	case string:
		*d.t = parseTime(s)
	case []byte:
		*d.t = parseTime(string(s))
	case nil:
		*d.t = parseTime("")
	default:
		return fmt.Errorf("a time column holds %T", v)
	}
	return nil
}

// Registry is the reference central registry: its SQLite store and every
// operation behind the CLI and the HTTP server. It is safe for concurrent
// use, and several processes may open the same folder at once (WAL, busy
// timeout, immediate write transactions).
type Registry struct {
	w    *sql.DB // writer: one connection, BEGIN IMMEDIATE
	r    *sql.DB // readers: deferred, query_only
	dir  string
	path string

	// Now, Rand and Log are seams for tests (time.Now, crypto/rand and a
	// discarding logger by default).
	Now  func() time.Time
	Rand io.Reader
	Log  *slog.Logger

	readers chan struct{} // FIFO turns for the reader pool (database/sql hands connections out at random)

	stmts *sqlkit.Stmts // reader statements, prepared once per connection

	jobs      chan *pushJob // pushes waiting for the group committer
	quit      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// Options tune Open.
type Options struct {
	Now  func() time.Time
	Rand io.Reader
	Log  *slog.Logger
}

// DefaultDir returns the per-user data folder of the registry.
func DefaultDir() string {
	if d := os.Getenv("PICKUP_REGISTRY_DATA"); d != "" {
		return d
	}
	base, err := os.UserConfigDir()
	if err != nil {
		base = "."
	}
	return filepath.Join(base, "pickup-registry")
}

func dsn(path string, write bool) string {
	common := []string{"busy_timeout(15000)", "foreign_keys(1)", "temp_store(memory)"}
	if write {
		// A definite answer to a push must survive a power cut: the terminal
		// drops its outbox entry on it.
		return sqlkit.DSN(path, "immediate", append(common, "journal_mode(WAL)", "synchronous(FULL)",
			"cache_size(-32768)")...) // 32 MiB of page cache
	}
	// Readers share the kernel's page cache of the file and keep 8 MiB
	// each: no mmap, whose touched pages all count in the process's
	// resident set (a national database's 600 MB after the schedule's
	// pass over every centre), where the registry must stay under 200 MB.
	return sqlkit.DSN(path, "deferred", append(common, "query_only(1)", "cache_size(-8192)")...)
}

// schema is what a registry database looks like.
func schema() (sqlkit.Schema, error) {
	return sqlkit.NewSchema(ApplicationID, "pickup-registry database", migrationFS, "migrations",
		"stop every pickup-registry process on this folder, keep a copy of the file for diagnosis, "+
			"then restore the latest backup")
}

// dataDir returns the absolute path of the data folder dir (DefaultDir
// when empty), created 0700 if missing.
func dataDir(dir string) (string, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("create data folder: %w", err)
	}
	return abs, nil
}

// Open opens (creating if needed) the registry in dir: the folder, the
// database with its migrations, and on first use a dataset id, a signing
// key and the built-in campaigns.
func Open(ctx context.Context, dir string, opt Options) (*Registry, error) {
	abs, err := dataDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	reg := &Registry{dir: abs, path: filepath.Join(abs, FileName), Now: opt.Now, Rand: opt.Rand, Log: opt.Log}
	if reg.Now == nil {
		reg.Now = time.Now
	}
	if reg.Rand == nil {
		reg.Rand = rand.Reader
	}
	if reg.Log == nil {
		reg.Log = slog.New(slog.DiscardHandler)
	}
	sc, err := schema()
	if err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	if reg.w, err = sqlkit.Open(ctx, reg.path, dsn(reg.path, true), sc); err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	reg.w.SetMaxOpenConns(1)
	reg.w.SetConnMaxIdleTime(0)
	if err := reg.initData(ctx); err != nil {
		reg.w.Close()
		return nil, fmt.Errorf("open registry %s: %w", reg.path, err)
	}
	if reg.r, err = sql.Open("sqlite", dsn(reg.path, false)); err != nil {
		reg.w.Close()
		return nil, fmt.Errorf("open registry: %w", err)
	}
	// One connection more than there are read turns: preparing a statement
	// (and the few reads outside a turn) always finds one free, even while
	// every turn holds a connection in a transaction.
	reg.r.SetMaxOpenConns(readConns + 1)
	reg.r.SetMaxIdleConns(readConns + 1)
	reg.stmts = sqlkit.NewStmts(reg.r)
	reg.readers = make(chan struct{}, readConns)
	reg.startCommitter()
	return reg, nil
}

// Dir returns the registry's data folder.
func (reg *Registry) Dir() string { return reg.dir }

// Close stops the push committer and closes the database.
func (reg *Registry) Close() error {
	reg.closeOnce.Do(func() {
		if reg.quit != nil {
			close(reg.quit)
			<-reg.stopped
		}
		if reg.stmts != nil {
			reg.stmts.Close()
		}
	})
	err := reg.w.Close()
	if reg.r != nil {
		err = errors.Join(err, reg.r.Close())
	}
	return err
}

func (reg *Registry) now() time.Time { return reg.Now().UTC().Truncate(time.Millisecond) }

// SchemaVersion is the user_version of an up-to-date registry.
func SchemaVersion() int {
	sc, _ := schema()
	return sc.Version()
}

// initData gives a new registry its dataset id, first signing key and the
// built-in campaigns (added again if a later program version ships more).
func (reg *Registry) initData(ctx context.Context) error {
	builtins, err := pickup.BuiltinCampaigns()
	if err != nil {
		return err
	}
	return reg.write(ctx, func(tx *wtx) error {
		var ds string
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'dataset_id'").Scan(&ds)
		if errors.Is(err, sql.ErrNoRows) {
			var b [8]byte
			if _, err := io.ReadFull(reg.Rand, b[:]); err != nil {
				return err
			}
			ds = "ds-" + hex.EncodeToString(b[:])
			if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('dataset_id', ?), ('created_at', ?)",
				ds, fmtTime(reg.now())); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if err := reg.ensureLocatorKey(ctx, tx); err != nil {
			return err
		}
		var keys int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM signing_keys").Scan(&keys); err != nil {
			return err
		}
		if keys == 0 {
			if _, err := reg.addKey(ctx, tx); err != nil {
				return err
			}
		}
		for _, c := range builtins {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM campaigns WHERE id = ?", c.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			def, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO campaigns (id, definition, builtin, seq) VALUES (?, ?, 1, ?)",
				c.ID, string(def), tx.next()); err != nil {
				return fmt.Errorf("load campaign %s: %w", c.ID, err)
			}
		}
		return nil
	})
}

// wtx is a write transaction with the sequence counter: next() hands out
// increasing sequence numbers, stored back at commit.
type wtx struct {
	*sql.Tx
	head  int64
	dirty bool
}

func (tx *wtx) next() int64 {
	tx.head++
	tx.dirty = true
	return tx.head
}

// write runs fn in one immediate write transaction, which ends by folding
// the pickups it changed into the stored drift digest (rowdigest.Fold).
func (reg *Registry) write(ctx context.Context, fn func(tx *wtx) error) error {
	return sqlkit.Write(ctx, reg.w, func(t *sql.Tx) error {
		tx := &wtx{Tx: t}
		if err := t.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&tx.head); err != nil {
			return fmt.Errorf("read sequence: %w", err)
		}
		if err := fn(tx); err != nil {
			return err
		}
		// The drift digest follows every change of this transaction.
		if err := rowdigest.Fold(ctx, t); err != nil {
			return err
		}
		if tx.dirty {
			if _, err := t.ExecContext(ctx, "UPDATE seq SET head = ? WHERE id = 1", tx.head); err != nil {
				return fmt.Errorf("store sequence: %w", err)
			}
		}
		return nil
	})
}

// execSome runs a statement that must change at least one row: none
// changed is the error none.
func execSome(ctx context.Context, tx *wtx, none error, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return none
	}
	return nil
}

// query runs a read query inside tx through a statement prepared once
// per reader connection (parsing the pull's queries costs more than
// running them on a small delta).
func (reg *Registry) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	return reg.stmts.In(tx).QueryContext(ctx, q, args...)
}

// headQuery reads the dataset id and the head in one statement.
const headQuery = "SELECT (SELECT value FROM meta WHERE key = 'dataset_id'), head FROM seq WHERE id = 1"

func (reg *Registry) head(ctx context.Context, tx *sql.Tx) (string, int64, error) {
	rows, err := reg.query(ctx, tx, headQuery)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	var ds string
	var h int64
	if !rows.Next() {
		return "", 0, fmt.Errorf("read head: %w", sql.ErrNoRows)
	}
	if err := rows.Scan(&ds, &h); err != nil {
		return "", 0, err
	}
	return ds, h, rows.Close()
}

// readConns is the size of the reader pool.
const readConns = 4

// read runs fn in one read transaction (a consistent snapshot). Callers
// wait for a reader in arrival order, which keeps the slowest answers
// close to the median when hundreds of terminals pull at once.
func (reg *Registry) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case reg.readers <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-reg.readers }()
	return sqlkit.Read(ctx, reg.r, fn)
}

// DatasetID returns the registry's dataset id.
func (reg *Registry) DatasetID(ctx context.Context) (string, error) {
	var ds string
	if err := reg.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'dataset_id'").Scan(&ds); err != nil {
		return "", fmt.Errorf("read dataset id: %w", err)
	}
	return ds, nil
}

// Head returns the dataset id and the last sequence number handed out,
// read in one statement: a sequence number means something only within
// its dataset (a restore starts another).
func (reg *Registry) Head(ctx context.Context) (string, int64, error) {
	var ds string
	var h int64
	if err := reg.r.QueryRowContext(ctx, headQuery).Scan(&ds, &h); err != nil {
		return "", 0, fmt.Errorf("read head: %w", err)
	}
	return ds, h, nil
}

// SetMeta stores a registry setting (e.g. the TLS pin serve publishes for
// enrolment codes).
func (reg *Registry) SetMeta(ctx context.Context, key, value string) error {
	return reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
		return err
	})
}

// Meta reads a registry setting ("" when unset).
func (reg *Registry) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := reg.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	return v, nil
}

// newKeyPair is a seam for tests.
func (reg *Registry) addKey(ctx context.Context, tx *wtx) (string, error) {
	pub, priv, err := ed25519.GenerateKey(reg.Rand)
	if err != nil {
		return "", fmt.Errorf("generate signing key: %w", err)
	}
	id := pickup.KeyID(pub)
	if _, err := tx.ExecContext(ctx, "UPDATE signing_keys SET current = 0, seq = ? WHERE current = 1", tx.next()); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO signing_keys (key_id, public_key, private_key, current, created_at, seq) VALUES (?, ?, ?, 1, ?, ?)",
		id, []byte(pub), []byte(priv.Seed()), fmtTime(reg.now()), tx.next()); err != nil {
		return "", fmt.Errorf("store signing key: %w", err)
	}
	return id, nil
}
