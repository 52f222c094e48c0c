package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// A database left by every earlier schema version opens, upgrades to the
// current one and keeps its rows.
func TestUpgradeFromEveryVersion(t *testing.T) {
	t.Parallel()
	eachOldVersion(t, func(t *testing.T, dir string, db *sql.DB) {
		if _, err := db.Exec(`INSERT INTO settings(key, value) VALUES ('centre_id', 'old'), ('campaign_id', 'oct2020-strategic'), ('terminal_id', 't-old');
			INSERT INTO pickups(code, name, profession, parcel_kind, centre_id, window_start, window_end, status)
			VALUES ('000000000000001Y', 'Kept', 'p', 'masks_only', 'old', '2020-11-09', '2021-01-08', 'expected')`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		s, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatalf("Open after the upgrade: %v", err)
		}
		defer s.Close()
		var version int
		var name string
		s.db.QueryRow("PRAGMA user_version").Scan(&version)
		s.db.QueryRow("SELECT name FROM pickups").Scan(&name)
		if version != SchemaVersion() || name != "Kept" {
			t.Errorf("after upgrade: version %d, row %q; want %d, Kept", version, name, SchemaVersion())
		}
		if id, err := s.Identity(context.Background()); err != nil || id.Centre.ID != "old" {
			t.Errorf("identity after upgrade: %+v, %v", id, err)
		}
	})
}

// eachOldVersion runs fn in a subtest per earlier schema version, on a
// folder and an open database file as the build of that version left them
// (fn closes the file before opening the store).
func eachOldVersion(t *testing.T, fn func(t *testing.T, dir string, db *sql.DB)) {
	t.Helper()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v < len(ms); v++ {
		t.Run(fmt.Sprintf("from v%d", v), func(t *testing.T) {
			dir := t.TempDir()
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?_pragma=journal_mode(WAL)")
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms[:v] {
				if _, err := db.Exec(m.SQL); err != nil {
					t.Fatalf("%s: %v", m.Name, err)
				}
			}
			if _, err := db.Exec(fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", ApplicationID, v)); err != nil {
				t.Fatal(err)
			}
			fn(t, dir, db)
		})
	}
}
