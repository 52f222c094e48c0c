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
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store/sqlmig"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// ApplicationID marks a SQLite file as a Pickup registry ("PkR1"); the
// terminal's store uses another, so neither opens the other's file.
const ApplicationID = 0x506b5231

// FileName is the registry's database file inside its data folder.
const FileName = "registry.db"

//go:embed migrations/*.sql
var migrationFS embed.FS

// timeFormat stores times as fixed-width UTC text to the millisecond, so
// that they sort as text.
const timeFormat = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t.UTC()
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

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // reader statements, prepared once per connection

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
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "cache_size(-32768)") // 32 MiB of page cache per connection
	q.Add("_pragma", "temp_store(memory)")
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
		// A definite answer to a push must survive a power cut: the terminal
		// drops its outbox entry on it.
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "mmap_size(1073741824)") // read pages without a syscall each
		q.Set("_txlock", "deferred")
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// Open opens (creating if needed) the registry in dir: the folder, the
// database with its migrations, and on first use a dataset id, a signing
// key and the built-in campaigns.
func Open(ctx context.Context, dir string, opt Options) (*Registry, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("open registry: create data folder: %w", err)
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
	if reg.w, err = sql.Open("sqlite", dsn(reg.path, true)); err != nil {
		return nil, fmt.Errorf("open registry: %w", err)
	}
	reg.w.SetMaxOpenConns(1)
	reg.w.SetConnMaxIdleTime(0)
	if err := reg.setup(ctx); err != nil {
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
		reg.stmtMu.Lock()
		for _, st := range reg.stmts {
			st.Close()
		}
		reg.stmts = nil
		reg.stmtMu.Unlock()
	})
	err := reg.w.Close()
	if reg.r != nil {
		err = errors.Join(err, reg.r.Close())
	}
	return err
}

func (reg *Registry) now() time.Time { return reg.Now().UTC().Truncate(time.Millisecond) }

func (reg *Registry) setup(ctx context.Context) error {
	var mode string
	if err := reg.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("%w: %v", ErrNotRegistry, err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	if err := reg.migrate(ctx); err != nil {
		return err
	}
	return reg.initData(ctx)
}

func migrations() ([]sqlmig.Migration, error) { return sqlmig.Load(migrationFS, "migrations") }

// SchemaVersion is the user_version of an up-to-date registry.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// migrate applies each pending migration with its user_version in one
// transaction, then checks foreign keys.
func (reg *Registry) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := reg.write(ctx, func(tx *wtx) error {
			var appID, version int
			if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
				return fmt.Errorf("%w: %v", ErrNotRegistry, err)
			}
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
				return err
			}
			switch {
			case appID != 0 && appID != ApplicationID:
				return fmt.Errorf("%w (application_id %#x)", ErrNotRegistry, appID)
			case appID == 0 && version != 0:
				return fmt.Errorf("%w (no application_id)", ErrNotRegistry)
			case version > len(ms):
				return fmt.Errorf("schema version %d is newer than this program's %d: upgrade pickup-registry", version, len(ms))
			case version >= m.Version:
				return nil
			}
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
			bad := rows.Next()
			rows.Close()
			if bad {
				return fmt.Errorf("migration %s: foreign key check failed", m.Name)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
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

// write runs fn in one immediate write transaction.
func (reg *Registry) write(ctx context.Context, fn func(tx *wtx) error) error {
	t, err := reg.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &wtx{Tx: t}
	// The seq table does not exist before the first migration.
	if err := t.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&tx.head); err != nil && !strings.Contains(err.Error(), "no such table") {
		t.Rollback()
		return fmt.Errorf("read sequence: %w", err)
	}
	if err := fn(tx); err != nil {
		t.Rollback()
		return err
	}
	if tx.dirty {
		if _, err := t.ExecContext(ctx, "UPDATE seq SET head = ? WHERE id = 1", tx.head); err != nil {
			t.Rollback()
			return fmt.Errorf("store sequence: %w", err)
		}
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// query runs a read query inside tx through a statement prepared once
// per reader connection (parsing the pull's queries costs more than
// running them on a small delta).
func (reg *Registry) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st, err := reg.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (reg *Registry) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	reg.stmtMu.Lock()
	st := reg.stmts[q]
	reg.stmtMu.Unlock()
	if st != nil {
		return st, nil
	}
	// Prepare without holding the lock: preparing waits for a connection,
	// and readers holding theirs must not queue behind it (they did: a
	// deadlock under concurrent first pulls).
	st, err := reg.r.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	reg.stmtMu.Lock()
	defer reg.stmtMu.Unlock()
	if prev := reg.stmts[q]; prev != nil {
		st.Close()
		return prev, nil
	}
	if reg.stmts == nil {
		reg.stmts = map[string]*sql.Stmt{}
	}
	reg.stmts[q] = st
	return st, nil
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
	tx, err := reg.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// DatasetID returns the registry's dataset id.
func (reg *Registry) DatasetID(ctx context.Context) (string, error) {
	var ds string
	if err := reg.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'dataset_id'").Scan(&ds); err != nil {
		return "", fmt.Errorf("read dataset id: %w", err)
	}
	return ds, nil
}

// Head returns the last sequence number handed out.
func (reg *Registry) Head(ctx context.Context) (int64, error) {
	var h int64
	if err := reg.r.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&h); err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	return h, nil
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
