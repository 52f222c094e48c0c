package rowdigest

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Rebuild sets digest_buckets from every row of the pickups table, in
// one pass, and empties the log: after a bulk load that kept no log. Each
// row is also given to also, when not nil, for what else the caller
// rebuilds in the same pass.
func Rebuild(ctx context.Context, tx *sql.Tx, also func(pickup.Pickup)) error {
	all := map[string]Buckets{}
	if err := sqlkit.Each(ctx, tx, func(rows *sql.Rows) error {
		var p pickup.Pickup
		if err := sqlkit.ScanPickup(rows, &p); err != nil {
			return err
		}
		b := all[p.CentreID]
		if b == nil {
			b = Buckets{}
			all[p.CentreID] = b
		}
		b.Add(p, 1)
		if also != nil {
			also(p)
		}
		return nil
	}, `SELECT `+Columns+` FROM pickups`); err != nil {
		return fmt.Errorf("rebuild digest: %w", err)
	}
	for _, q := range []string{"DELETE FROM digest_log", "DELETE FROM digest_buckets"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild digest: %w", err)
		}
	}
	for centre, bs := range all {
		for k, s := range bs {
			b := s.Bytes()
			if _, err := tx.ExecContext(ctx, "INSERT INTO digest_buckets (centre_id, prefix, count, sum) VALUES (?, ?, ?, ?)",
				centre, string(k), s.Count, b[:]); err != nil {
				return fmt.Errorf("rebuild digest: %w", err)
			}
		}
	}
	return nil
}
