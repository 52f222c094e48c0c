package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Pull returns one page of what changed for the terminal's centre after
// req.After (see protocol.PullResponse). A dataset id that differs from the
// registry's, or a cursor beyond its head (a registry restored from an
// older copy), gives a page from 0 with Reset set.
func (reg *Registry) Pull(ctx context.Context, centreID string, req protocol.PullRequest) (*protocol.PullResponse, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = protocol.DefaultPullLimit
	}
	if limit > protocol.MaxPullLimit {
		limit = protocol.MaxPullLimit
	}
	page := &protocol.PullResponse{CentreID: centreID}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var head int64
		if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'dataset_id'").Scan(&page.DatasetID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&head); err != nil {
			return err
		}
		after := req.After
		if req.DatasetID != page.DatasetID || after > head {
			page.Reset, after = true, 0
		}
		page.After = after
		var seqs []int64
		n := limit + 1
		if err := pullPickups(ctx, tx, centreID, after, n, page, &seqs); err != nil {
			return fmt.Errorf("pickups: %w", err)
		}
		if err := pullOthers(ctx, tx, centreID, after, n, page, &seqs); err != nil {
			return err
		}
		// Cut the page at the limit-th smallest sequence: every stream that
		// hit its own limit has only larger sequences left unread.
		if len(seqs) > limit {
			sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
			page.Cursor, page.More = seqs[limit-1], true
			trimPage(page)
		} else {
			page.Cursor = head
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	page.ServerTime = reg.now()
	return page, nil
}

// trimPage drops the rows after the page's cursor.
func trimPage(p *protocol.PullResponse) {
	c := p.Cursor
	p.Pickups = keep(p.Pickups, func(r protocol.PickupRow) bool { return r.Seq <= c })
	p.Reassigned = keep(p.Reassigned, func(r protocol.Reassignment) bool { return r.Seq <= c })
	p.Redemptions = keep(p.Redemptions, func(r protocol.Redemption) bool { return r.Seq <= c })
	p.Campaigns = keep(p.Campaigns, func(r protocol.CampaignRow) bool { return r.Seq <= c })
	p.Centres = keep(p.Centres, func(r protocol.CentreRow) bool { return r.Seq <= c })
	p.Shipments = keep(p.Shipments, func(r protocol.Shipment) bool { return r.Seq <= c })
	p.Keys = keep(p.Keys, func(r protocol.SigningKey) bool { return r.Seq <= c })
	p.Revoked = keep(p.Revoked, func(r protocol.RevokedCode) bool { return r.Seq <= c })
}

// keep returns the leading rows of a sequence-ordered list that pass ok.
func keep[T any](rows []T, ok func(T) bool) []T {
	for i, r := range rows {
		if !ok(r) {
			return rows[:i]
		}
	}
	return rows
}

func pullPickups(ctx context.Context, tx *sql.Tx, centreID string, after int64, n int, page *protocol.PullResponse, seqs *[]int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status, seq
		FROM pickups WHERE centre_id = ? AND seq > ? ORDER BY seq LIMIT ?`, centreID, after, n)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r protocol.PickupRow
		var start, end, status string
		if err := rows.Scan(&r.Code, &r.Name, &r.Profession, &r.ParcelKind, &r.CentreID, &r.CampaignID, &start, &end, &status, &r.Seq); err != nil {
			return err
		}
		if r.Window.Start, err = pickup.ParseDate(start); err != nil {
			return err
		}
		if r.Window.End, err = pickup.ParseDate(end); err != nil {
			return err
		}
		r.Status = pickup.Status(status)
		page.Pickups = append(page.Pickups, r)
		*seqs = append(*seqs, r.Seq)
	}
	return rows.Err()
}

func pullOthers(ctx context.Context, tx *sql.Tx, centreID string, after int64, n int, page *protocol.PullResponse, seqs *[]int64) error {
	type stream struct {
		name  string
		query string
		args  []any
		scan  func(*sql.Rows) (int64, error)
	}
	streams := []stream{
		{"reassigned", "SELECT code, to_centre, seq FROM reassignments WHERE from_centre = ? AND seq > ? ORDER BY seq LIMIT ?",
			[]any{centreID, after, n}, func(rows *sql.Rows) (int64, error) {
				var r protocol.Reassignment
				err := rows.Scan(&r.Code, &r.CentreID, &r.Seq)
				page.Reassigned = append(page.Reassigned, r)
				return r.Seq, err
			}},
		{"redemptions", `SELECT id, code, terminal_id, centre_id, at, glove_size, on_signature, undone, seq FROM events
			WHERE type = 'handover' AND centre_id = ? AND seq > ?
			UNION SELECT id, code, terminal_id, centre_id, at, glove_size, on_signature, undone, seq FROM events
			WHERE type = 'handover' AND code_centre = ? AND seq > ?
			ORDER BY seq LIMIT ?`,
			[]any{centreID, after, centreID, after, n}, func(rows *sql.Rows) (int64, error) {
				var r protocol.Redemption
				var at string
				err := rows.Scan(&r.EventID, &r.Code, &r.TerminalID, &r.CentreID, &at, &r.GloveSize, &r.OnSignature, &r.Undone, &r.Seq)
				r.At = parseTime(at)
				page.Redemptions = append(page.Redemptions, r)
				return r.Seq, err
			}},
		{"campaigns", "SELECT definition, seq FROM campaigns WHERE seq > ? ORDER BY seq LIMIT ?",
			[]any{after, n}, func(rows *sql.Rows) (int64, error) {
				var r protocol.CampaignRow
				var def string
				if err := rows.Scan(&def, &r.Seq); err != nil {
					return 0, err
				}
				c, err := campaignJSON(def)
				r.Campaign = c
				page.Campaigns = append(page.Campaigns, r)
				return r.Seq, err
			}},
		{"centres", "SELECT id, name, address, hours, seq FROM centres WHERE seq > ? ORDER BY seq LIMIT ?",
			[]any{after, n}, func(rows *sql.Rows) (int64, error) {
				var r protocol.CentreRow
				err := rows.Scan(&r.ID, &r.Name, &r.Address, &r.Hours, &r.Seq)
				page.Centres = append(page.Centres, r)
				return r.Seq, err
			}},
		{"shipments", "SELECT id, centre_id, item, size, qty, sent_at, ref, seq FROM shipments WHERE centre_id = ? AND seq > ? ORDER BY seq LIMIT ?",
			[]any{centreID, after, n}, func(rows *sql.Rows) (int64, error) {
				var r protocol.Shipment
				var at string
				err := rows.Scan(&r.ID, &r.CentreID, &r.Item, &r.Size, &r.Qty, &at, &r.Ref, &r.Seq)
				r.SentAt = parseTime(at)
				page.Shipments = append(page.Shipments, r)
				return r.Seq, err
			}},
		{"keys", "SELECT key_id, public_key, current, created_at, seq FROM signing_keys WHERE seq > ? ORDER BY seq LIMIT ?",
			[]any{after, n}, func(rows *sql.Rows) (int64, error) {
				var r protocol.SigningKey
				var at string
				err := rows.Scan(&r.KeyID, &r.PublicKey, &r.Current, &at, &r.Seq)
				r.CreatedAt = parseTime(at)
				page.Keys = append(page.Keys, r)
				return r.Seq, err
			}},
		{"revoked", "SELECT code, at, seq FROM revoked WHERE seq > ? ORDER BY seq LIMIT ?",
			[]any{after, n}, func(rows *sql.Rows) (int64, error) {
				var r protocol.RevokedCode
				var at string
				err := rows.Scan(&r.Code, &at, &r.Seq)
				r.At = parseTime(at)
				page.Revoked = append(page.Revoked, r)
				return r.Seq, err
			}},
	}
	for _, s := range streams {
		rows, err := tx.QueryContext(ctx, s.query, s.args...)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		for rows.Next() {
			seq, err := s.scan(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("%s: %w", s.name, err)
			}
			*seqs = append(*seqs, seq)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// Push records facts pushed by terminal t (see protocol.PushResponse). The
// whole batch is refused, and nothing stored, if an event names another
// terminal or centre; nonce, when not empty, is recorded in the same
// transaction so that a replay is refused even after a restart.
func (reg *Registry) Push(ctx context.Context, t Caller, events []pickup.Event, via, nonce string, nonceExpires time.Time) ([]protocol.PushResult, error) {
	for i, e := range events {
		if e.TerminalID != t.TerminalID || e.CentreID != t.CentreID {
			return nil, protocol.Errorf(protocol.CodeForbidden,
				"event %d is recorded by terminal %s of centre %s; these credentials are terminal %s of centre %s",
				i, e.TerminalID, e.CentreID, t.TerminalID, t.CentreID)
		}
	}
	var results []protocol.PushResult
	now := reg.now()
	err := reg.write(ctx, func(tx *wtx) error {
		results = results[:0]
		if nonce != "" {
			if _, err := tx.ExecContext(ctx, "DELETE FROM nonces WHERE expires_at < ?", now.UnixMilli()); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, "INSERT INTO nonces (terminal_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				t.TerminalID, nonce, nonceExpires.UnixMilli())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return protocol.Errorf(protocol.CodeReplayed, "this request was already received (same nonce): sign it again")
			}
		}
		p, err := prepare(ctx, tx)
		if err != nil {
			return err
		}
		defer p.close()
		for _, e := range events {
			r, err := reg.pushOne(ctx, tx, p, e, via, now)
			if err != nil {
				return fmt.Errorf("event %s: %w", e.ID, err)
			}
			results = append(results, r)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE terminals SET last_seen = ? WHERE id = ?", fmtTime(now), t.TerminalID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, fmt.Errorf("push: %w", err)
	}
	acc, conf, dup := 0, 0, 0
	for _, r := range results {
		switch r.Result {
		case protocol.ResultAccepted:
			acc++
		case protocol.ResultConflict:
			conf++
		default:
			dup++
		}
	}
	reg.Log.Info("push", "terminal", t.TerminalID, "via", via, "accepted", acc, "conflict", conf, "duplicate", dup)
	return results, nil
}

// Caller is an authenticated terminal.
type Caller struct {
	TerminalID string
	CentreID   string
}

type pushStmts struct {
	existing, pickup, earlier, pendingUndo, insert, target, markUndone, bump *sql.Stmt
}

func prepare(ctx context.Context, tx *wtx) (*pushStmts, error) {
	var p pushStmts
	for _, s := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&p.existing, "SELECT result, earlier FROM events WHERE id = ?"},
		{&p.pickup, "SELECT centre_id, cancelled, active FROM pickups WHERE code = ?"},
		{&p.earlier, "SELECT id, at, terminal_id, centre_id, glove_size FROM events WHERE type = 'handover' AND code = ? AND undone = 0 ORDER BY at, id"},
		{&p.pendingUndo, "SELECT count(*) FROM events WHERE type = 'undo' AND undoes = ? AND centre_id = ?"},
		{&p.insert, `INSERT INTO events (id, type, terminal_id, centre_id, at, received_at, via, code, code_centre, glove_size, items,
			volunteer, on_signature, signed, undoes, undone, item, size, qty, reason, ref, result, earlier, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&p.target, "SELECT code, centre_id, undone FROM events WHERE id = ? AND type = 'handover'"},
		{&p.markUndone, "UPDATE events SET undone = 1, seq = ? WHERE id = ?"},
		{&p.bump, "UPDATE pickups SET active = active + ?, status = ?, seq = CASE WHEN status = ? THEN seq ELSE ? END WHERE code = ?"},
	} {
		st, err := tx.PrepareContext(ctx, s.q)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*s.st = st
	}
	return &p, nil
}

func (p *pushStmts) close() {
	for _, s := range []*sql.Stmt{p.existing, p.pickup, p.earlier, p.pendingUndo, p.insert, p.target, p.markUndone, p.bump} {
		if s != nil {
			s.Close()
		}
	}
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// adjust changes a pickup's count of handovers not undone by delta and
// updates its status, bumping its sequence only when the status changes.
func adjust(ctx context.Context, tx *wtx, p *pushStmts, code pickup.Code, delta int) error {
	var centre string
	var cancelled bool
	var active int
	err := p.pickup.QueryRowContext(ctx, code).Scan(&centre, &cancelled, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a code the registry does not know (yet): nothing to count
	}
	if err != nil {
		return err
	}
	st := statusOf(cancelled, active+delta)
	_, err = p.bump.ExecContext(ctx, delta, string(st), string(st), tx.next(), code)
	return err
}

func (reg *Registry) pushOne(ctx context.Context, tx *wtx, p *pushStmts, e pickup.Event, via string, now time.Time) (protocol.PushResult, error) {
	res := protocol.PushResult{ID: e.ID}
	var stored, earlierJSON string
	err := p.existing.QueryRowContext(ctx, e.ID).Scan(&stored, &earlierJSON)
	if err == nil {
		res.Result, res.Stored = protocol.ResultDuplicate, protocol.Result(stored)
		if earlierJSON != "" {
			if err := json.Unmarshal([]byte(earlierJSON), &res.Earlier); err != nil {
				return res, err
			}
		}
		return res, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	items, err := json.Marshal(e.Items)
	if err != nil {
		return res, err
	}
	if e.Items == nil {
		items = []byte("[]")
	}
	res.Result = protocol.ResultAccepted
	var codeCentre any
	var seq any
	undone := 0
	switch e.Type {
	case pickup.EventHandover:
		var centre string
		var cancelled bool
		var active int
		switch err := p.pickup.QueryRowContext(ctx, e.Code).Scan(&centre, &cancelled, &active); {
		case err == nil:
			codeCentre = centre
		case !errors.Is(err, sql.ErrNoRows):
			return res, err
		}
		var pending int
		if err := p.pendingUndo.QueryRowContext(ctx, e.ID, e.CentreID).Scan(&pending); err != nil {
			return res, err
		}
		if pending > 0 {
			undone = 1 // its undo arrived first (from a bundle, say)
		}
		rows, err := p.earlier.QueryContext(ctx, e.Code)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			var c pickup.Collection
			var at string
			if err := rows.Scan(&c.EventID, &at, &c.TerminalID, &c.CentreID, &c.GloveSize); err != nil {
				rows.Close()
				return res, err
			}
			c.At = parseTime(at)
			res.Earlier = append(res.Earlier, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, err
		}
		if len(res.Earlier) > 0 && undone == 0 {
			res.Result = protocol.ResultConflict
			reg.Log.Warn("double handover", "code", e.Code.Masked(), "terminal", e.TerminalID, "earlier", len(res.Earlier))
		} else {
			res.Earlier = nil
		}
		seq = tx.next()
	}
	if len(res.Earlier) > 0 {
		b, err := json.Marshal(res.Earlier)
		if err != nil {
			return res, err
		}
		earlierJSON = string(b)
	} else {
		earlierJSON = ""
	}
	var item, size, reason, ref any
	var qty any
	if e.Type == pickup.EventStockReceive || e.Type == pickup.EventStockCount {
		item, size, qty, reason, ref = e.Item, e.Size, e.Qty, e.Reason, e.Ref
	}
	if _, err := p.insert.ExecContext(ctx, e.ID, string(e.Type), e.TerminalID, e.CentreID, fmtTime(e.At), fmtTime(now), via,
		nullStr(string(e.Code)), codeCentre, e.GloveSize, string(items), e.Volunteer, e.OnSignature, e.Signed,
		nullStr(e.Undoes), undone, item, size, qty, reason, ref, string(res.Result), earlierJSON, seq); err != nil {
		return res, fmt.Errorf("store event: %w", err)
	}
	switch {
	case e.Type == pickup.EventHandover && undone == 0:
		if err := adjust(ctx, tx, p, e.Code, +1); err != nil {
			return res, err
		}
	case e.Type == pickup.EventUndo:
		var code pickup.Code
		var centre string
		var wasUndone bool
		err := p.target.QueryRowContext(ctx, e.Undoes).Scan(&code, &centre, &wasUndone)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// The handover has not arrived yet: it will be stored as undone.
		case err != nil:
			return res, err
		case wasUndone || centre != e.CentreID:
			// Already undone, or another centre's handover: recorded, no effect.
		default:
			if _, err := p.markUndone.ExecContext(ctx, tx.next(), e.Undoes); err != nil {
				return res, err
			}
			if err := adjust(ctx, tx, p, code, -1); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// digestCache keeps the last digest per centre while the head does not move.
type digestCache struct {
	mu sync.Mutex
	m  map[string]*protocol.DigestResponse
}

var digests digestCache

// Digest computes the order-independent digest of the centre's pickups.
func (reg *Registry) Digest(ctx context.Context, centreID string) (*protocol.DigestResponse, error) {
	var out protocol.DigestResponse
	err := reg.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'dataset_id'").Scan(&out.DatasetID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&out.Cursor); err != nil {
			return err
		}
		key := reg.path + "\x00" + centreID
		digests.mu.Lock()
		cached := digests.m[key]
		digests.mu.Unlock()
		if cached != nil && cached.Cursor == out.Cursor && cached.DatasetID == out.DatasetID {
			out = *cached
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status, signed
			FROM pickups WHERE centre_id = ?`, centreID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var d protocol.Digest
		for rows.Next() {
			p, _, err := scanPickup(rows)
			if err != nil {
				return err
			}
			d.Add(p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out.CentreID, out.Count, out.Digest, out.Buckets = centreID, d.Count(), d.Hex(), d.Buckets()
		digests.mu.Lock()
		if digests.m == nil {
			digests.m = map[string]*protocol.DigestResponse{}
		}
		c := out
		digests.m[key] = &c
		digests.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	out.ServerTime = reg.now()
	return &out, nil
}

// ListPickups lists the centre's current pickups whose code starts with
// req.Prefix, after req.After, by code: the rows of a digest bucket.
func (reg *Registry) ListPickups(ctx context.Context, centreID string, req protocol.PickupsRequest) (*protocol.PickupsResponse, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = protocol.DefaultPullLimit
	}
	out := &protocol.PickupsResponse{Pickups: []protocol.PickupRow{}}
	lo := req.Prefix
	if string(req.After) > lo {
		lo = string(req.After) + "\x00"
	}
	hi := req.Prefix + "\x7f"
	err := reg.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT head FROM seq WHERE id = 1").Scan(&out.Cursor); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status, seq
			FROM pickups WHERE centre_id = ? AND code >= ? AND code < ? ORDER BY code LIMIT ?`, centreID, lo, hi, limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r protocol.PickupRow
			var start, end, status string
			if err := rows.Scan(&r.Code, &r.Name, &r.Profession, &r.ParcelKind, &r.CentreID, &r.CampaignID, &start, &end, &status, &r.Seq); err != nil {
				return err
			}
			r.Window.Start, _ = pickup.ParseDate(start)
			r.Window.End, _ = pickup.ParseDate(end)
			r.Status = pickup.Status(status)
			out.Pickups = append(out.Pickups, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list pickups: %w", err)
	}
	if len(out.Pickups) > limit {
		out.Pickups, out.More = out.Pickups[:limit], true
	}
	out.ServerTime = reg.now()
	return out, nil
}
