package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit/sqlkittest"
)

// A handover half a second after midnight is one of today's: times used to
// be stored as variable-width RFC 3339 text and compared as text, where
// "…00:00:00.5Z" sorts before "…00:00:00Z".
func TestTodayCountsHandoverHalfASecondAfterMidnight(t *testing.T) {
	f, ctx := setup(t)
	midnight := time.Date(2020, 11, 20, 0, 0, 0, 0, time.UTC)
	f.receive(t, "gloves", "M", 1000)
	f.now = midnight.Add(500 * time.Millisecond)
	f.handover(t, HandoverRequest{Input: string(f.codes["ok2"]), GloveSize: "M"})
	st, err := f.s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.HandedOverToday != 1 {
		t.Errorf("Status.HandedOverToday = %d, want 1 (handover at 00:00:00.5)", st.HandedOverToday)
	}
	hs, err := f.s.Handovers(ctx, midnight, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 {
		t.Errorf("Handovers(since midnight) = %d rows, want 1", len(hs))
	}
}

// oldTimes are times as schema versions 1 and 2 wrote them
// (time.RFC3339Nano): before, at and after midnight by a fraction.
var oldTimes = []string{"2020-11-19T23:59:59.999999999Z", "2020-11-20T00:00:00.5Z", "2020-11-20T00:00:00Z", "2020-11-20T09:30:00.123456Z"}

// A database of every earlier schema version, with journal entries, handovers,
// stock moves and settings holding variable-width times, opens; its times are
// rewritten to the fixed width (and so sort right), and the journal's hash
// chain still verifies, before and after a new entry.
func TestUpgradeRewritesTimesAndKeepsTheLogVerified(t *testing.T) {
	t.Parallel()
	eachOldVersion(t, func(t *testing.T, dir string, db *sql.DB) {
		ctx := context.Background()
		var v int
		if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v >= 3 {
			db.Close()
			t.Skip("version 3 and later write fixed-width times")
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO settings(key, value) VALUES ('centre_id', 'here'), ('campaign_id', 'oct2020-strategic'),
			('terminal_id', 't-old'), ('set_up_at', '2020-11-01T08:00:00.25Z'), ('last_sync', '2020-11-20T00:00:00.5Z'), ('undo_window_s', '120')`)
		camps, err := pickup.BuiltinCampaigns()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range camps {
			def, _ := json.Marshal(c)
			exec("INSERT INTO campaigns(id, definition) VALUES(?, ?)", c.ID, string(def))
		}
		prev := genesisHash
		for i, at := range oldTimes {
			tm, _ := time.Parse(time.RFC3339Nano, at)
			ev := pickup.Event{ID: fmt.Sprintf("00000000-0000-0000-0000-00000000000%d", i), Type: pickup.EventStockReceive,
				TerminalID: "t-old", CentreID: "here", At: tm, Item: "masks", Qty: 10}
			body, _ := json.Marshal(ev)
			hash := entryHash(prev, body)
			exec(`INSERT INTO journal(seq, id, type, code, at, body, prev_hash, hash) VALUES(?, ?, ?, '', ?, ?, ?, ?)`,
				i+1, ev.ID, string(ev.Type), at, string(body), prev, hash)
			exec(`INSERT INTO stock_moves(event_id, kind, item, delta, at) VALUES(?, 'reception', 'masks', 10, ?)`, ev.ID, at)
			exec(`INSERT INTO redemptions(event_id, code, terminal_id, centre_id, at, local) VALUES(?, ?, 'other', 'here', ?, 0)`,
				fmt.Sprintf("r-%d", i), fmt.Sprintf("C%d", i), at)
			prev = hash
		}
		exec("INSERT INTO settings(key, value) VALUES ('journal_head', ?)", fmt.Sprintf("%d:%s", len(oldTimes), prev))
		db.Close()

		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("Open after the upgrade: %v", err)
		}
		defer s.Close()
		s.Loc = time.UTC
		s.Now = func() time.Time { return time.Date(2020, 11, 20, 10, 0, 0, 0, time.UTC) }
		for _, q := range []string{"SELECT at FROM journal", "SELECT at FROM redemptions", "SELECT at FROM stock_moves",
			"SELECT value FROM settings WHERE key IN ('set_up_at', 'last_sync')"} {
			rows, err := s.db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var at string
				rows.Scan(&at)
				if _, err := time.Parse("2006-01-02T15:04:05.000Z", at); err != nil {
					t.Errorf("%s: %q is not fixed width", q, at)
				}
			}
			rows.Close()
		}
		var first string
		s.db.QueryRow("SELECT event_id FROM redemptions ORDER BY at LIMIT 1").Scan(&first)
		if first != "r-0" {
			t.Errorf("earliest handover after upgrade = %s, want r-0 (23:59:59.999)", first)
		}
		st, err := s.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.HandedOverToday != 3 {
			t.Errorf("HandedOverToday after upgrade = %d, want 3", st.HandedOverToday)
		}
		if st.LastSync.Format(time.RFC3339Nano) != "2020-11-20T00:00:00.5Z" {
			t.Errorf("last sync after upgrade = %v", st.LastSync)
		}
		if res, err := s.VerifyLog(ctx); err != nil || !res.OK || res.Entries != len(oldTimes) {
			t.Fatalf("VerifyLog after upgrade = %+v, %v; want ok, %d entries", res, err, len(oldTimes))
		}
		if _, err := s.ReceiveStock(ctx, "masks", "", 100, "after upgrade"); err != nil {
			t.Fatal(err)
		}
		if res, err := s.VerifyLog(ctx); err != nil || !res.OK || res.Entries != len(oldTimes)+1 {
			t.Errorf("VerifyLog after a new entry = %+v, %v", res, err)
		}
		if _, err := s.db.Exec("UPDATE journal SET at = 'x' WHERE seq = 1"); err == nil {
			t.Error("the journal's append-only trigger is gone after the upgrade")
		}
	})
}

func TestOpenMigratesEmptyFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	sqlkittest.CheckHeader(t, s.db, ApplicationID, SchemaVersion())
	if _, err := s.Identity(ctx); !errors.Is(err, ErrNotInitialised) {
		t.Errorf("Identity on a new store = %v, want ErrNotInitialised", err)
	}
	s.Close()
	// Opening again applies nothing and keeps the data.
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestOpenRefusesForeignAndNewerFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	foreign := t.TempDir()
	sqlkittest.WriteOtherApplication(t, filepath.Join(foreign, FileName))
	if _, err := Open(ctx, foreign); !errors.Is(err, ErrNotOurs) {
		t.Errorf("Open(foreign) = %v, want ErrNotOurs", err)
	}
	newer := t.TempDir()
	s, err := Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	s.db.Exec("PRAGMA user_version = 99")
	s.Close()
	if _, err := Open(ctx, newer); !errors.Is(err, ErrTooNew) {
		t.Errorf("Open(newer) = %v, want ErrTooNew", err)
	}
	garbage := t.TempDir()
	sqlkittest.WriteGarbage(t, filepath.Join(garbage, FileName))
	if _, err := Open(ctx, garbage); err == nil {
		t.Error("Open(garbage) succeeded")
	}
}

// Another program's SQLite file in the data folder, even without an
// application id, is refused and left as it was: no tables of ours added,
// its journal mode unchanged.
func TestOpenRefusesForeignSQLite(t *testing.T) {
	t.Parallel()
	sqlkittest.CheckForeignRefused(t, FileName, sqlkittest.Opens(openStore), ErrNotOurs)
}

// An empty file (a technician's touch, a crash before the first write)
// is set up as a new store.
func TestOpenAcceptsEmptyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("Open(empty file) = %v", err)
	}
	s.Close()
}

// A damaged database file gives ErrCorrupt with what to do next, not
// SQLite's words: a file that is not SQLite at all, and a store whose
// schema page was overwritten.
func TestCorruptDatabaseSaysWhatToDo(t *testing.T) {
	t.Parallel()
	sqlkittest.CheckDamagedRefused(t, FileName, sqlkittest.Opens(openStore), ErrCorrupt)
}

// openStore opens the store in dir, as the program does.
func openStore(dir string) (*Store, error) { return Open(context.Background(), dir) }

// The database file and its -wal and -shm companions hold the terminal's
// secret: they are readable by their owner only, even under the usual
// umask 022 in a folder others can read, and a file left 0644 by an
// earlier version is tightened at the next open.
func TestDatabaseFilesAre0600(t *testing.T) {
	sqlkittest.CheckFilesAre0600(t, FileName, "store", openStore, func(s *Store, again bool) error {
		if again {
			_, err := s.ReceiveStock(context.Background(), "masks", "", 10, "")
			return err
		}
		_, err := s.Init(context.Background(), InitOptions{CentreID: "here", CentreName: "Here"})
		return err
	})
}

// dbSize is the size of the store's database file in dir.
func dbSize(t testing.TB, dir string) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

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
		sqlkittest.CheckHeader(t, s.db, ApplicationID, SchemaVersion())
		var name string
		s.db.QueryRow("SELECT name FROM pickups").Scan(&name)
		if name != "Kept" {
			t.Errorf("after upgrade: row %q, want Kept", name)
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
	sc, err := schema()
	if err != nil {
		t.Fatal(err)
	}
	ms := sc.Migrations
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

// TestOpenRelativeFolder: `pickup --data rel …` opens (and creates) the
// folder rel in the working directory; SQLite had read a relative path in
// the file URI as its authority and refused it.
func TestOpenRelativeFolder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := context.Background()
	s, err := Open(ctx, "rel")
	if err != nil {
		t.Fatalf("Open(\"rel\"): %v", err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "rel", FileName)); err != nil {
		t.Errorf("the database is not in the working directory's folder rel: %v", err)
	}
}
