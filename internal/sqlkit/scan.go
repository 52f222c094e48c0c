package sqlkit

import (
	"context"
	"database/sql"

	"github.com/pickup-terminal/pickup"
)

// Scanner is a row: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// PickupColumns are the columns of a pickup, in ScanPickup's order, under
// the same names in the terminal's and the registry's pickups tables.
const PickupColumns = "code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status"

// ScanPickup reads a row selected as PickupColumns followed by the
// columns of extra (e.g. ", seq"), into p and extra.
func ScanPickup(row Scanner, p *pickup.Pickup, extra ...any) error {
	var start, end, status string
	dest := append([]any{&p.Code, &p.Name, &p.Profession, &p.ParcelKind, &p.CentreID, &p.CampaignID, &start, &end, &status}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	var err error
	if p.Window.Start, err = pickup.ParseDate(start); err != nil {
		return err
	}
	if p.Window.End, err = pickup.ParseDate(end); err != nil {
		return err
	}
	p.Status = pickup.Status(status)
	return nil
}

// Query runs query on q and reads every row it returns with scan.
func Query[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := Each(ctx, q, func(rows *sql.Rows) error {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Strings runs query, which selects one text column, and returns its
// values in order.
func Strings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	return Query(ctx, q, func(row Scanner) (string, error) {
		var s string
		err := row.Scan(&s)
		return s, err
	}, query, args...)
}

// Each runs query on q and calls fn on every row it returns, stopping at
// the first error.
func Each(ctx context.Context, q Querier, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
