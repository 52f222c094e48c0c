package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/rowdigest"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// An initial pull loads a centre's pickups (a million at a national
// campaign's largest centre) with what follows each row set aside (see
// migration 0011): bulkDeferred are the objects on the pickups table that
// a bulk load drops and restores, each with the table it keeps.
var bulkDeferred = []string{
	"pickups_digest_insert", "pickups_digest_update", "pickups_digest_delete", // digest_buckets
	"pickups_groups_insert", "pickups_groups_update", "pickups_groups_delete", // pickup_groups
	"pickups_centre", // the centre index, by status and name
}

// bulkMinRows is the size of a reset page from which the pull that it
// starts loads in bulk: below it, keeping the triggers costs less than
// rebuilding after.
const bulkMinRows = 1000

// startBulk sets the deferred objects aside, keeping their SQL, inside
// the transaction of the reset page that starts the load.
func startBulk(ctx context.Context, tx *sql.Tx) error {
	for _, name := range bulkDeferred {
		var kind, text string
		err := tx.QueryRowContext(ctx, "SELECT type, sql FROM sqlite_schema WHERE name = ? AND tbl_name = 'pickups'", name).Scan(&kind, &text)
		if err == sql.ErrNoRows {
			continue // already set aside
		}
		if err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO deferred_schema (name, sql) VALUES (?, ?)", name, text); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("DROP %s %s", strings.ToUpper(kind), name)); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
	}
	return nil
}

// inBulk reports whether objects are set aside.
func inBulk(ctx context.Context, q querier) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM deferred_schema").Scan(&n); err != nil {
		return false, fmt.Errorf("bulk load: %w", err)
	}
	return n > 0, nil
}

// endBulk merges the staged locator entries, restores the set-aside
// objects and rebuilds what they keep from the rows as they are: the
// index in one sorted build, then in one
// pass over the rows the digest and the forecast's pickup_groups (a
// GROUP BY took longer than the pass: it sorts a million rows).
func endBulk(ctx context.Context, tx *sql.Tx) error {
	stmts, err := sqlkit.Strings(ctx, tx, "SELECT sql FROM deferred_schema ORDER BY name")
	if err != nil {
		return fmt.Errorf("end bulk load: %w", err)
	}
	if len(stmts) == 0 {
		return nil
	}
	// What follows writes in sorted order and reads by scans: the large
	// cache of a big page (applyPage) buys nothing here, and SQLite sizes
	// its sorter's memory from it (16 MB took the terminal from 85 to
	// 117 MB resident at the end of a national pull; the default keeps it
	// at the pull's 85 MB, in no more time).
	if err := setCache(ctx, tx, defaultCacheKiB); err != nil {
		return fmt.Errorf("end bulk load: %w", err)
	}
	if err := mergeLocatorStage(ctx, tx); err != nil {
		return fmt.Errorf("end bulk load: %w", err)
	}
	for _, s := range append(stmts, "DELETE FROM deferred_schema", "DELETE FROM pickup_groups") {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("end bulk load: %w", err)
		}
	}
	type group struct{ centre, status, campaign, kind, profession, start, end string }
	groups := map[group]int{}
	if err := rowdigest.Rebuild(ctx, tx, func(p pickup.Pickup) {
		groups[group{p.CentreID, string(p.Status), p.CampaignID, p.ParcelKind, p.Profession, p.Window.Start.String(), p.Window.End.String()}]++
	}); err != nil {
		return fmt.Errorf("end bulk load: %w", err)
	}
	for g, n := range groups {
		if _, err := tx.ExecContext(ctx, "INSERT INTO pickup_groups VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			g.centre, g.status, g.campaign, g.kind, g.profession, g.start, g.end, n); err != nil {
			return fmt.Errorf("end bulk load: %w", err)
		}
	}
	return nil
}

// FinishLoad ends a bulk load that a pull left unfinished (it failed
// before its last page): the forecast's counts, the name index and the
// drift digest are rebuilt now rather than at the next pull's end. It
// does nothing when no load is under way.
func (s *Store) FinishLoad(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return endBulk(ctx, tx) })
}
