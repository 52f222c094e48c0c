package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// A database left by every earlier schema version opens, upgrades to the
// current one and keeps its rows.
func TestUpgradeFromEveryVersion(t *testing.T) {
	t.Parallel()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v < len(ms); v++ {
		t.Run(fmt.Sprintf("from v%d", v), func(t *testing.T) {
			dir, db := oldStore(t, ms[:v])
			if _, err := db.Exec(`INSERT INTO settings(key, value) VALUES ('centre_id', 'old'), ('campaign_id', 'oct2020-strategic'), ('terminal_id', 't-old');
				INSERT INTO pickups(code, name, profession, parcel_kind, centre_id, window_start, window_end, status)
				VALUES ('000000000000001Y', 'Kept', 'p', 'masks_only', 'old', '2020-11-09', '2021-01-08', 'expected')`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			s, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatalf("Open after v%d: %v", v, err)
			}
			defer s.Close()
			var version int
			var name string
			s.db.QueryRow("PRAGMA user_version").Scan(&version)
			s.db.QueryRow("SELECT name FROM pickups").Scan(&name)
			if version != len(ms) || name != "Kept" {
				t.Errorf("after upgrade: version %d, row %q; want %d, Kept", version, name, len(ms))
			}
			if id, err := s.Identity(context.Background()); err != nil || id.Centre.ID != "old" {
				t.Errorf("identity after upgrade: %+v, %v", id, err)
			}
		})
	}
}

// oldStore makes a terminal database in a new folder as the build that
// knew migrations ms left it, and returns the folder and the open file.
func oldStore(t *testing.T, ms []sqlkit.Migration) (string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", ApplicationID, len(ms))); err != nil {
		t.Fatal(err)
	}
	return dir, db
}
