package sqlkit

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
)

var testSchema = Schema{
	ApplicationID: 0x54657374,
	Kind:          "test database",
	Migrations: []Migration{
		{Version: 1, Name: "0001_a.sql", SQL: "CREATE TABLE a (x INTEGER PRIMARY KEY)"},
		{Version: 2, Name: "0002_b.sql", SQL: "CREATE TABLE b (a INTEGER REFERENCES a (x)); INSERT INTO a VALUES (1)"},
	},
}

func testDSN(path string) string {
	return DSN(path, "immediate", "busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)")
}

// Several processes (here connections pools) opening a new file at once
// apply each migration exactly once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := Open(context.Background(), path, testDSN(path), testSchema)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path, testDSN(path), testSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version, rows int
	db.QueryRow("PRAGMA user_version").Scan(&version)
	db.QueryRow("SELECT count(*) FROM a").Scan(&rows)
	if version != 2 || rows != 1 {
		t.Errorf("after concurrent opens: version %d, %d rows; want 2, 1", version, rows)
	}
}

// A migration that breaks a foreign key is rolled back whole.
func TestMigrateChecksForeignKeys(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.db")
	bad := testSchema
	bad.Migrations = append(bad.Migrations[:1:1], Migration{Version: 2, Name: "0002_bad.sql",
		SQL: "PRAGMA defer_foreign_keys = 1; CREATE TABLE b (a INTEGER REFERENCES a (x)); INSERT INTO b VALUES (7)"})
	if db, err := Open(context.Background(), path, testDSN(path), bad); err == nil {
		db.Close()
		t.Fatal("Open applied a migration that breaks a foreign key")
	}
	db, err := Open(context.Background(), path, testDSN(path), Schema{ApplicationID: testSchema.ApplicationID, Migrations: bad.Migrations[:1]})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	db.QueryRow("PRAGMA user_version").Scan(&version)
	if version != 1 {
		t.Errorf("user_version after a failed migration = %d, want 1", version)
	}
}
