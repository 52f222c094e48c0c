package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// ImportResult says what an import did.
type ImportResult struct {
	Rows         int `json:"rows"`
	New          int `json:"new"`
	Updated      int `json:"updated"`
	OtherCentres int `json:"other_centres"`
}

// DuplicateRowError reports a code listed twice in one file.
type DuplicateRowError struct{ Line, First int }

func (e *DuplicateRowError) Error() string {
	return fmt.Sprintf("line %d: code already listed at line %d", e.Line, e.First)
}

// ImportPickups loads a pickup list (see pickup.ReadPickupCSV) in one
// transaction: a bad row is reported with its line number and nothing is
// imported. Rows for other centres are kept, so their holders get the
// wrong-centre answer.
func (s *Store) ImportPickups(ctx context.Context, r io.Reader) (ImportResult, error) {
	var res ImportResult
	id, err := s.Identity(ctx)
	if err != nil {
		return res, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		// A large list inserts in random key order: give this connection a
		// cache big enough to keep the tree's upper levels in memory.
		if err := setCache(ctx, tx, 65536); err != nil {
			return err
		}
		defer setCache(ctx, tx, defaultCacheKiB)
		var before int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pickups").Scan(&before); err != nil {
			return err
		}
		upsert, err := tx.PrepareContext(ctx, upsertPickupSQL)
		if err != nil {
			return err
		}
		defer upsert.Close()
		seen := make(map[uint64]int32)
		h := fnv.New64a()
		err = pickup.ReadPickupCSV(r, func(line int, p pickup.Pickup) error {
			h.Reset()
			io.WriteString(h, string(p.Code))
			key := h.Sum64()
			if first, dup := seen[key]; dup {
				return &DuplicateRowError{Line: line, First: int(first)}
			}
			seen[key] = int32(line)
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.CampaignID == "" {
				p.CampaignID = id.CampaignID
			}
			if _, err := upsert.ExecContext(ctx, pickupArgs(p, 0)...); err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			res.Rows++
			if p.CentreID != id.Centre.ID {
				res.OtherCentres++
			}
			return nil
		})
		if err != nil {
			return err
		}
		var after int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pickups").Scan(&after); err != nil {
			return err
		}
		res.New = after - before
		res.Updated = res.Rows - res.New
		return nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import pickups: %w", err)
	}
	if err := s.touchRefresh(ctx); err != nil {
		return res, err
	}
	return res, nil
}

func (s *Store) touchRefresh(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return setSetting(ctx, tx, KeyLastRefresh, fmtTime(s.Now())) })
}

const upsertPickupSQL = `INSERT INTO pickups(` + sqlkit.PickupColumns + `, registry_seq)
	VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(code) DO UPDATE SET name = excluded.name, profession = excluded.profession,
		parcel_kind = excluded.parcel_kind, centre_id = excluded.centre_id, campaign_id = excluded.campaign_id,
		window_start = excluded.window_start, window_end = excluded.window_end, status = excluded.status,
		registry_seq = max(registry_seq, excluded.registry_seq)`

func pickupArgs(p pickup.Pickup, seq int64) []any {
	return []any{string(p.Code), p.Name, p.Profession, p.ParcelKind, p.CentreID, p.CampaignID,
		p.Window.Start.String(), p.Window.End.String(), string(p.Status), seq}
}

// upsertPickups stores pickups with their registry sequence in tx.
func upsertPickups(ctx context.Context, tx *sql.Tx, seq int64, ps ...pickup.Pickup) error {
	stmt, err := tx.PrepareContext(ctx, upsertPickupSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, p := range ps {
		if _, err := stmt.ExecContext(ctx, pickupArgs(p, seq)...); err != nil {
			return fmt.Errorf("store pickup %s: %w", p.Code.Masked(), err)
		}
	}
	return nil
}

func getPickup(ctx context.Context, q querier, code pickup.Code) (*pickup.Pickup, error) {
	var p pickup.Pickup
	err := sqlkit.ScanPickup(q.QueryRowContext(ctx, `SELECT `+sqlkit.PickupColumns+` FROM pickups WHERE code = ?`, string(code)), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pickup: %w", err)
	}
	return &p, nil
}

func collections(ctx context.Context, q querier, code pickup.Code) ([]pickup.Collection, error) {
	out, err := sqlkit.Query(ctx, q, scanCollection, `SELECT r.event_id, r.at, r.terminal_id, r.centre_id, coalesce(c.name, ''), r.glove_size, r.owed
		FROM redemptions r LEFT JOIN centres c ON c.id = r.centre_id
		WHERE r.code = ? AND r.undone_by = '' ORDER BY r.at`, string(code))
	if err != nil {
		return nil, fmt.Errorf("read handovers: %w", err)
	}
	return out, nil
}

// owedDeliveries returns the owed handovers of code (see
// pickup.EventOwedHandover), oldest first.
func owedDeliveries(ctx context.Context, q querier, code pickup.Code) ([]pickup.Collection, error) {
	out, err := sqlkit.Query(ctx, q, scanCollection, `SELECT d.event_id, d.at, d.terminal_id, d.centre_id, coalesce(c.name, ''), d.glove_size, ''
		FROM owed_deliveries d LEFT JOIN centres c ON c.id = d.centre_id
		WHERE d.code = ? ORDER BY d.at, d.event_id`, string(code))
	if err != nil {
		return nil, fmt.Errorf("read owed handovers: %w", err)
	}
	return out, nil
}

func scanCollection(row sqlkit.Scanner) (pickup.Collection, error) {
	var c pickup.Collection
	var at, owed string
	if err := row.Scan(&c.EventID, &at, &c.TerminalID, &c.CentreID, &c.CentreName, &c.GloveSize, &owed); err != nil {
		return c, err
	}
	c.At = parseTime(at)
	var err error
	c.Owed, err = decodeLines(owed)
	return c, err
}

// encodeLines and decodeLines keep parcel lines as JSON text (” for none).
func encodeLines(lines []pickup.Line) string {
	if len(lines) == 0 {
		return ""
	}
	b, _ := json.Marshal(lines) // lines always encode
	return string(b)
}

func decodeLines(s string) ([]pickup.Line, error) {
	if s == "" {
		return nil, nil
	}
	var out []pickup.Line
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("read parcel lines: %w", err)
	}
	return out, nil
}

// Judgement is a verdict with the campaign that names its professions and
// items: the pickup's own, or the terminal's when the code is not listed
// (nil only when neither can be read).
type Judgement struct {
	pickup.Verdict
	Campaign *pickup.Campaign `json:"-"`
}

// Lookup judges a typed or scanned code without recording anything.
func (s *Store) Lookup(ctx context.Context, input string) (Judgement, error) {
	q := s.cq(nil)
	id, err := identity(ctx, q)
	if err != nil {
		return Judgement{}, err
	}
	v, camp, err := s.judge(ctx, q, id, input)
	return Judgement{Verdict: v, Campaign: camp}, err
}

// judge parses the input and decides its verdict from what q holds. It
// returns the campaign of the pickup (the terminal's own when the code is
// not listed) and, for a pickup, resolves the parcel's contents.
func (s *Store) judge(ctx context.Context, q querier, id Identity, input string) (pickup.Verdict, *pickup.Campaign, error) {
	scan, err := pickup.ParseScan(input)
	if err != nil {
		camp, _ := campaign(ctx, q, id.CampaignID)
		return pickup.InvalidVerdict(err), camp, nil
	}
	f := pickup.Facts{Code: scan.Code, Today: s.Today(), CentreID: id.Centre.ID}
	if f.Pickup, err = getPickup(ctx, q, scan.Code); err != nil {
		return pickup.Verdict{}, nil, err
	}
	if f.Revoked, err = revoked(ctx, q, scan.Code); err != nil {
		return pickup.Verdict{}, nil, fmt.Errorf("read revoked codes: %w", err)
	}
	if scan.Signed != nil {
		kr, err := keyring(ctx, q)
		if err != nil {
			return pickup.Verdict{}, nil, fmt.Errorf("read keys: %w", err)
		}
		f.Signed, f.SignatureErr, f.HoldsKeys = scan.Signed, kr.Verify(*scan.Signed), len(kr.Keys) > 0
	}
	if f.Collections, err = collections(ctx, q, scan.Code); err != nil {
		return pickup.Verdict{}, nil, err
	}
	if f.OwedDeliveries, err = owedDeliveries(ctx, q, scan.Code); err != nil {
		return pickup.Verdict{}, nil, err
	}
	if f.Pickup == nil {
		if f.Located, err = locate(ctx, q, scan.Code); err != nil {
			return pickup.Verdict{}, nil, err
		}
	}
	if last, err := getSetting(ctx, q, KeyLastRefresh); err == nil && last != "" {
		f.LastRefresh = parseTime(last)
	}
	if f.Pickup != nil && f.Pickup.CentreID != id.Centre.ID {
		c, _, err := centre(ctx, q, f.Pickup.CentreID)
		if err != nil {
			return pickup.Verdict{}, nil, err
		}
		f.RightCentre = &c
	} else if f.Pickup == nil && f.Signed != nil && f.Signed.CentreID != id.Centre.ID {
		c, _, err := centre(ctx, q, f.Signed.CentreID)
		if err != nil {
			return pickup.Verdict{}, nil, err
		}
		f.RightCentre = &c
	}
	v := pickup.Judge(f)
	if v.Pickup == nil {
		camp, _ := campaign(ctx, q, id.CampaignID)
		return v, camp, nil
	}
	campID := v.Pickup.CampaignID
	if campID == "" {
		campID = id.CampaignID
	}
	camp, err := campaign(ctx, q, campID)
	if err != nil {
		if v.OK() {
			return pickup.Verdict{}, nil, fmt.Errorf("code %s: %w", scan.Code.Masked(), err)
		}
		camp, _ = campaign(ctx, q, id.CampaignID)
		return v, camp, nil
	}
	if lines, err := camp.Contents(v.Pickup.ParcelKind, v.Pickup.Profession); err == nil {
		v.Contents = lines
	} else if v.OK() {
		return pickup.Verdict{}, nil, fmt.Errorf("code %s: %w", scan.Code.Masked(), err)
	}
	if v.OK() {
		// What cannot be handed over now (every glove size out) is owed.
		var serr error
		v.Owed = camp.Shortfall(v.Contents, func(item, size string) int {
			n, err := stockOf(ctx, q, item, size)
			serr = cmp.Or(serr, err)
			return n
		})
		if serr != nil {
			return pickup.Verdict{}, nil, serr
		}
	}
	return v, camp, nil
}
