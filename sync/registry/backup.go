package registry

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// LockName is the file in the data folder that serve holds locked while it
// runs, and restore while it replaces the database: a restore refuses to
// run under a serving registry.
const LockName = "serve.lock"

// ErrServing is returned when another process holds the data folder's lock.
var ErrServing = errors.New("a pickup-registry serve (or a restore) is running on this data folder")

// Backup writes a consistent copy of the registry's database to file while
// it may be serving: SQLite's VACUUM INTO from one read snapshot, into a
// temporary folder beside file, then moved under file with mode 0600 by
// atomicfile (so that a symlink, a folder or a device at file is refused,
// never replaced). It returns the copy's head.
func (reg *Registry) Backup(ctx context.Context, file string) (int64, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if same(abs, reg.path) {
		return 0, fmt.Errorf("backup: %w: %s is the registry's own database", ErrRefused, file)
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(abs), ".pickup-backup-")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, FileName)
	if _, err := reg.w.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return 0, fmt.Errorf("backup: copy the database: %w", err)
	}
	head, err := checkCopy(ctx, tmp)
	if err != nil {
		return 0, fmt.Errorf("backup: the copy does not check: %w", err)
	}
	src, err := os.Open(tmp)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer src.Close()
	if err := atomicfile.WriteFile(abs, 0o600, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	}); err != nil {
		return 0, fmt.Errorf("backup: write %s: %w", file, err)
	}
	return head, nil
}

// RestoreResult says what Restore put in place.
type RestoreResult struct {
	Head      int64  `json:"head"`       // the last sequence of the restored copy
	DatasetID string `json:"dataset_id"` // the new incarnation's dataset id
	Previous  string `json:"previous_dataset_id"`
}

// Restore replaces the database in dir with the backup in file. It refuses
// a file that is not a Pickup registry database or does not pass SQLite's
// integrity check (the current database is then left as it was), and
// refuses while a serve holds the folder (ErrServing: stop it first). The
// restored registry gets a new dataset id, its incarnation: at their next
// pull every terminal sees it changed, drops what it had pulled, pushes its
// whole journal again (the registry keeps each fact once, by event id) and
// pulls from scratch; so what a counter recorded after the backup comes
// back.
func Restore(ctx context.Context, dir, file string) (RestoreResult, error) {
	var out RestoreResult
	abs, err := dataDir(dir)
	if err != nil {
		return out, fmt.Errorf("restore: %w", err)
	}
	unlock, err := lockDir(abs)
	if errors.Is(err, ErrServing) {
		return out, fmt.Errorf("restore: %w: %w; stop it first (systemctl stop pickup-registry, or Ctrl-C), restore, then start it again", ErrRefused, err)
	}
	if err != nil {
		return out, fmt.Errorf("restore: %w", err)
	}
	defer unlock()
	if err := checkHeader(file); err != nil {
		return out, fmt.Errorf("restore: %w: %s: %v", ErrRefused, file, err)
	}
	target := filepath.Join(abs, FileName)
	if fi, err := os.Lstat(target); err == nil && !fi.Mode().IsRegular() {
		return out, fmt.Errorf("restore: %w: %s is not a regular file", ErrRefused, target)
	}
	if checkHeader(target) == nil {
		out.Previous, _ = datasetOf(ctx, target) // for the report only
	}
	tmpDir, err := os.MkdirTemp(abs, ".pickup-restore-")
	if err != nil {
		return out, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, FileName)
	if err := copyFile(file, tmp); err != nil {
		return out, fmt.Errorf("restore: %w", err)
	}
	// Open through the schema (application id, damage, migrations of an
	// older backup), check every page, then give it a new incarnation.
	sc, err := schema()
	if err != nil {
		return out, fmt.Errorf("restore: %w", err)
	}
	db, err := sqlkit.Open(ctx, tmp, dsn(tmp, true), sc)
	if err != nil {
		return out, fmt.Errorf("restore: %w: %s: %w", ErrRefused, file, err)
	}
	err = func() error {
		defer db.Close()
		var ok string
		if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			return fmt.Errorf("%w: %s fails the integrity check (%s %v)", ErrRefused, file, ok, err)
		}
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		out.DatasetID = "ds-" + hex.EncodeToString(b[:])
		if err := db.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&out.Head); err != nil {
			return fmt.Errorf("%w: %s holds no sequence: %v", ErrRefused, file, err)
		}
		_, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('dataset_id', ?1), ('restored_at', ?2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, out.DatasetID, fmtTime(time.Now()))
		if err != nil {
			return err
		}
		_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		return err
	}()
	if err != nil {
		return out, fmt.Errorf("restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return out, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return out, fmt.Errorf("restore: %w", err)
	}
	if d, err := os.Open(abs); err == nil {
		d.Sync()
		d.Close()
	}
	return out, nil
}

// checkHeader refuses a file that is not a SQLite database marked as a
// registry's, before anything is copied.
func checkHeader(file string) error {
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	id, err := sqlkit.HeaderApplicationID(file)
	if err != nil {
		return err
	}
	if id != ApplicationID {
		return fmt.Errorf("not a pickup-registry database (application id %#x)", uint32(id))
	}
	return nil
}

// checkCopy opens a database copy read-only and returns its head.
func checkCopy(ctx context.Context, path string) (int64, error) {
	if err := checkHeader(path); err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite", sqlkit.DSN(path, "deferred", "query_only(1)"))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var head int64
	err = db.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&head)
	return head, err
}

func datasetOf(ctx context.Context, path string) (string, error) {
	db, err := sql.Open("sqlite", sqlkit.DSN(path, "deferred", "query_only(1)"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	var ds string
	err = db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'dataset_id'").Scan(&ds)
	return ds, err
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// same reports whether two paths name one file (or the same path).
func same(a, b string) bool {
	if a == b {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// LockServe takes the data folder's lock for a serve's lifetime, before
// the database is opened; it fails with ErrServing while another serve or
// a restore holds it.
func LockServe(dir string) (unlock func(), err error) {
	if dir == "" {
		dir = DefaultDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return lockDir(dir)
}
