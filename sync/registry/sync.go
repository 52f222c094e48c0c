package registry

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/rowdigest"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Pull returns one page of what changed for the terminal's centre after
// req.After (see protocol.PullResponse). A dataset id that differs from the
// registry's, or a cursor beyond its head (a registry restored from an
// older copy), gives a page from 0 with Reset set.
func (reg *Registry) Pull(ctx context.Context, centreID string, req protocol.PullRequest) (*protocol.PullResponse, error) {
	page, _, err := reg.pull(ctx, centreID, req, false)
	return page, err
}

// PullRaw is Pull with the page's pickups returned as JSON objects built
// by SQLite (page.Pickups stays empty), for protocol.EncodePull: serving a
// large centre this way takes less than half the time.
func (reg *Registry) PullRaw(ctx context.Context, centreID string, req protocol.PullRequest) (*protocol.PullResponse, []json.RawMessage, error) {
	return reg.pull(ctx, centreID, req, true)
}

func (reg *Registry) pull(ctx context.Context, centreID string, req protocol.PullRequest, raw bool) (*protocol.PullResponse, []json.RawMessage, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = protocol.DefaultPullLimit
	}
	if limit > protocol.MaxPullLimit {
		limit = protocol.MaxPullLimit
	}
	page := &protocol.PullResponse{CentreID: centreID}
	var rawRows []json.RawMessage
	var rawSeqs []int64
	var rawCodes []pickup.Code
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var head int64
		var err error
		if page.DatasetID, head, err = reg.head(ctx, tx); err != nil {
			return err
		}
		after := req.After
		if req.DatasetID != page.DatasetID || after > head {
			page.Reset, after = true, 0
		}
		page.After = after
		var seqs []int64
		n := limit + 1
		heads, err := reg.streamHeads(ctx, tx, centreID)
		if err != nil {
			return err
		}
		switch {
		case heads["pickups"] <= after:
		case raw:
			rawRows, rawSeqs, rawCodes, err = reg.pullPickupsRaw(ctx, tx, centreID, after, n)
			seqs = append(seqs, rawSeqs...)
		default:
			err = reg.pullPickups(ctx, tx, centreID, after, n, page, &seqs)
		}
		if err != nil {
			return fmt.Errorf("pickups: %w", err)
		}
		if err := reg.pullOthers(ctx, tx, centreID, after, n, page, &seqs, heads); err != nil {
			return err
		}
		// Cut the page at the limit-th smallest sequence: every stream that
		// hit its own limit has only larger sequences left unread.
		cut, bound := len(seqs) > limit, head
		if cut {
			sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
			bound = seqs[limit-1]
		}
		// The locator's entries (10 bytes each) have their own, larger
		// limit up to that cut; when they reach it, the page ends at the
		// last one sent.
		locN := locatorLimit(limit)
		loc, err := reg.pullLocator(ctx, tx, centreID, after, bound, locN+1)
		if err != nil {
			return err
		}
		if len(loc) > locN {
			loc = loc[:locN]
			cut, bound = true, loc[locN-1].seq
		}
		if cut {
			page.Cursor, page.More = bound, true
			trimPage(page)
			for len(rawSeqs) > 0 && rawSeqs[len(rawSeqs)-1] > page.Cursor {
				rawSeqs, rawRows, rawCodes = rawSeqs[:len(rawSeqs)-1], rawRows[:len(rawRows)-1], rawCodes[:len(rawCodes)-1]
			}
		} else {
			page.Cursor = head
		}
		dropStaleReassignments(page, rawCodes, rawSeqs)
		page.Locator, err = reg.encodeLocator(ctx, tx, loc, page.Cursor)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("pull: %w", err)
	}
	page.ServerTime = reg.now()
	if page.More && page.After == 0 {
		// A whole pull starts: its last page carries the centre's coming
		// weeks (seconds to plan for a large centre); plan them meanwhile.
		go reg.comingWeeks(context.WithoutCancel(ctx), centreID)
	}
	if !page.More {
		page.Weeks = reg.comingWeeks(ctx, centreID)
		page.RecommendedVersion, _ = reg.RecommendedVersion(ctx) // none sent when unreadable
		if key, epoch, err := reg.PeerKey(ctx, centreID); err == nil {
			page.PeerKey, page.PeerEpoch = key, epoch
		} else {
			reg.Log.Warn("peer key", "err", err)
		}
	}
	return page, rawRows, nil
}

// trimPage drops the rows after the page's cursor.
func trimPage(p *protocol.PullResponse) {
	c := p.Cursor
	p.Pickups = keep(p.Pickups, func(r protocol.PickupRow) bool { return r.Seq <= c })
	p.Reassigned = keep(p.Reassigned, func(r protocol.Reassignment) bool { return r.Seq <= c })
	p.Redemptions = keep(p.Redemptions, func(r protocol.Redemption) bool { return r.Seq <= c })
	p.Received = keep(p.Received, func(r protocol.ReceivedFact) bool { return r.Seq <= c })
	p.Campaigns = keep(p.Campaigns, func(r protocol.CampaignRow) bool { return r.Seq <= c })
	p.Centres = keep(p.Centres, func(r protocol.CentreRow) bool { return r.Seq <= c })
	p.Shipments = keep(p.Shipments, func(r protocol.Shipment) bool { return r.Seq <= c })
	p.Keys = keep(p.Keys, func(r protocol.SigningKey) bool { return r.Seq <= c })
	p.Revoked = keep(p.Revoked, func(r protocol.RevokedCode) bool { return r.Seq <= c })
	p.Facts = keep(p.Facts, func(f protocol.Fact) bool { return f.Seq <= c })
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

func (reg *Registry) pullPickups(ctx context.Context, tx *sql.Tx, centreID string, after int64, n int, page *protocol.PullResponse, seqs *[]int64) error {
	return eachPickupRow(ctx, reg.stmts.In(tx), func(r protocol.PickupRow) {
		page.Pickups = append(page.Pickups, r)
		*seqs = append(*seqs, r.Seq)
	}, `SELECT `+sqlkit.PickupColumns+`, seq
		FROM pickups WHERE centre_id = ? AND seq > ? ORDER BY seq LIMIT ?`, centreID, after, n)
}

// eachPickupRow runs query, which selects sqlkit.PickupColumns and seq,
// and gives each row to add.
func eachPickupRow(ctx context.Context, q sqlkit.Querier, add func(protocol.PickupRow), query string, args ...any) error {
	return sqlkit.Each(ctx, q, func(rows *sql.Rows) error {
		var r protocol.PickupRow
		if err := sqlkit.ScanPickup(rows, &r.Pickup, &r.Seq); err != nil {
			return err
		}
		add(r)
		return nil
	}, query, args...)
}

// pickupJSON builds a protocol.PickupRow's JSON in SQL, keys in the order
// encoding/json writes them (TestPullRawMatchesTyped checks it).
const pickupJSON = `json_object('code', code, 'name', name, 'profession', profession, 'parcel_kind', parcel_kind,
	'centre_id', centre_id, 'campaign_id', campaign_id, 'window', json_object('start', window_start, 'end', window_end),
	'status', status, 'seq', seq)`

func (reg *Registry) pullPickupsRaw(ctx context.Context, tx *sql.Tx, centreID string, after int64, n int) ([]json.RawMessage, []int64, []pickup.Code, error) {
	rows, err := reg.query(ctx, tx, `SELECT `+pickupJSON+`, seq, code FROM pickups WHERE centre_id = ? AND seq > ? ORDER BY seq LIMIT ?`, centreID, after, n)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	var out []json.RawMessage
	var seqs []int64
	var codes []pickup.Code
	for rows.Next() {
		var b []byte
		var seq int64
		var code pickup.Code
		if err := rows.Scan(&b, &seq, &code); err != nil {
			return nil, nil, nil, err
		}
		out = append(out, b)
		seqs = append(seqs, seq)
		codes = append(codes, code)
	}
	return out, seqs, codes, rows.Err()
}

// dropStaleReassignments removes from a page the reassignments away of
// codes that came back to the centre later in the same page (their pickup
// row has a higher sequence), so that a terminal may apply the page's
// lists in any order.
func dropStaleReassignments(page *protocol.PullResponse, rawCodes []pickup.Code, rawSeqs []int64) {
	if len(page.Reassigned) == 0 {
		return
	}
	latest := map[pickup.Code]int64{}
	for _, r := range page.Pickups {
		latest[r.Code] = r.Seq
	}
	for i, c := range rawCodes {
		latest[c] = rawSeqs[i]
	}
	kept := page.Reassigned[:0]
	for _, r := range page.Reassigned {
		if latest[r.Code] < r.Seq {
			kept = append(kept, r)
		}
	}
	page.Reassigned = kept
	if len(kept) == 0 {
		page.Reassigned = nil
	}
}

// streamHeadsQuery reads the last sequence of each stream a centre pulls,
// in the order of streamNames, so that a pull queries only the streams
// that moved (a delta usually touches two of nine).
const streamHeadsQuery = `SELECT
	coalesce((SELECT max(seq) FROM pickups WHERE centre_id = ?1), 0),
	coalesce((SELECT max(seq) FROM reassignments WHERE from_centre = ?1), 0),
	max(coalesce((SELECT max(seq) FROM events WHERE type = 'handover' AND centre_id = ?1), 0),
		coalesce((SELECT max(seq) FROM events WHERE type = 'handover' AND code_centre = ?1), 0)),
	coalesce((SELECT max(seq) FROM events WHERE type <> 'handover' AND centre_id = ?1), 0),
	coalesce((SELECT max(seq) FROM campaigns), 0),
	coalesce((SELECT max(seq) FROM centres), 0),
	coalesce((SELECT max(seq) FROM shipments WHERE centre_id = ?1), 0),
	coalesce((SELECT max(seq) FROM signing_keys), 0),
	coalesce((SELECT max(seq) FROM revoked), 0),
	max(coalesce((SELECT max(seq) FROM events WHERE type = 'handover' AND centre_id = ?1), 0),
		coalesce((SELECT max(seq) FROM events WHERE type <> 'handover' AND centre_id = ?1), 0))`

var streamNames = []string{"pickups", "reassigned", "redemptions", "received", "campaigns", "centres", "shipments", "keys", "revoked", "facts"}

func (reg *Registry) streamHeads(ctx context.Context, tx *sql.Tx, centreID string) (map[string]int64, error) {
	rows, err := reg.query(ctx, tx, streamHeadsQuery, centreID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, fmt.Errorf("stream heads: %w", sql.ErrNoRows)
	}
	v := make([]int64, len(streamNames))
	ptrs := make([]any, len(v))
	for i := range v {
		ptrs[i] = &v[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	m := make(map[string]int64, len(v))
	for i, name := range streamNames {
		m[name] = v[i]
	}
	return m, rows.Close()
}

func (reg *Registry) pullOthers(ctx context.Context, tx *sql.Tx, centreID string, after int64, n int, page *protocol.PullResponse, seqs *[]int64, heads map[string]int64) error {
	type stream struct {
		name  string
		query string
		args  []any
		scan  func(*sql.Rows) (int64, error)
	}
	streams := []stream{
		{"reassigned", "SELECT code, to_centre, seq FROM reassignments WHERE from_centre = ? AND seq > ? ORDER BY seq LIMIT ?",
			[]any{centreID, after, n}, rowsTo(&page.Reassigned, func(r *protocol.Reassignment) []any { return []any{&r.Code, &r.CentreID, &r.Seq} })},
		{"redemptions", `SELECT id, code, terminal_id, centre_id, at, glove_size, on_signature, undone, seq FROM events
			WHERE type = 'handover' AND centre_id = ? AND seq > ? AND flag = ''
			UNION SELECT id, code, terminal_id, centre_id, at, glove_size, on_signature, undone, seq FROM events
			WHERE type = 'handover' AND code_centre = ? AND seq > ? AND flag = ''
			ORDER BY seq LIMIT ?`,
			[]any{centreID, after, centreID, after, n}, rowsTo(&page.Redemptions, func(r *protocol.Redemption) []any {
				return []any{&r.EventID, &r.Code, &r.TerminalID, &r.CentreID, timeIn(&r.At), &r.GloveSize, &r.OnSignature, &r.Undone, &r.Seq}
			})},
		{"received", `SELECT id, terminal_id, type, seq FROM events WHERE type <> 'handover' AND centre_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
			[]any{centreID, after, n}, rowsTo(&page.Received, func(r *protocol.ReceivedFact) []any { return []any{&r.EventID, &r.TerminalID, &r.Type, &r.Seq} })},
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
			[]any{after, n}, rowsTo(&page.Centres, func(r *protocol.CentreRow) []any { return []any{&r.ID, &r.Name, &r.Address, &r.Hours, &r.Seq} })},
		{"shipments", "SELECT id, centre_id, item, size, qty, sent_at, ref, seq FROM shipments WHERE centre_id = ? AND seq > ? ORDER BY seq LIMIT ?",
			[]any{centreID, after, n}, rowsTo(&page.Shipments, func(r *protocol.Shipment) []any {
				return []any{&r.ID, &r.CentreID, &r.Item, &r.Size, &r.Qty, timeIn(&r.SentAt), &r.Ref, &r.Seq}
			})},
		{"keys", "SELECT key_id, public_key, current, created_at, seq FROM signing_keys WHERE seq > ? ORDER BY seq LIMIT ?",
			[]any{after, n}, rowsTo(&page.Keys, func(r *protocol.SigningKey) []any {
				return []any{&r.KeyID, &r.PublicKey, &r.Current, timeIn(&r.CreatedAt), &r.Seq}
			})},
		{"revoked", "SELECT code, at, seq FROM revoked WHERE seq > ? ORDER BY seq LIMIT ?",
			[]any{after, n}, rowsTo(&page.Revoked, func(r *protocol.RevokedCode) []any { return []any{&r.Code, timeIn(&r.At), &r.Seq} })},
		{"facts", `SELECT ` + factColumns + ` FROM events WHERE type = 'handover' AND centre_id = ?1 AND seq > ?2
			UNION ALL SELECT ` + factColumns + ` FROM events WHERE type <> 'handover' AND centre_id = ?1 AND seq > ?2
			ORDER BY seq LIMIT ?3`,
			[]any{centreID, after, n}, func(rows *sql.Rows) (int64, error) {
				f, err := scanFact(rows)
				page.Facts = append(page.Facts, f)
				return f.Seq, err
			}},
	}
	for _, s := range streams {
		if h, ok := heads[s.name]; ok && h <= after {
			continue // nothing new in this stream
		}
		err := sqlkit.Each(ctx, reg.stmts.In(tx), func(rows *sql.Rows) error {
			seq, err := s.scan(rows)
			if err == nil {
				*seqs = append(*seqs, seq)
			}
			return err
		}, s.query, s.args...)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// rowsTo is a stream's scan: each row is read into the destinations cols
// gives of a new row, the last of them its sequence, and appended to *dst.
func rowsTo[T any](dst *[]T, cols func(*T) []any) func(*sql.Rows) (int64, error) {
	return func(rows *sql.Rows) (int64, error) {
		var r T
		c := cols(&r)
		err := rows.Scan(c...)
		*dst = append(*dst, r)
		return *c[len(c)-1].(*int64), err
	}
}

// factColumns are the columns of an events row that make a protocol.Fact
// (scanFact reads them).
const factColumns = `id, type, terminal_id, centre_id, at, coalesce(code, ''), glove_size, items, volunteer, on_signature, signed,
	coalesce(undoes, ''), coalesce(item, ''), coalesce(size, ''), coalesce(qty, 0), coalesce(reason, ''), coalesce(ref, ''), seq, owed`

// scanFact reads one fact of a centre's terminals, as the pull relays it
// to the centre's other terminals.
func scanFact(rows *sql.Rows) (protocol.Fact, error) {
	var f protocol.Fact
	var at, items, owed string
	if err := rows.Scan(&f.ID, &f.Type, &f.TerminalID, &f.CentreID, &at, &f.Code, &f.GloveSize, &items, &f.Volunteer, &f.OnSignature,
		&f.Signed, &f.Undoes, &f.Item, &f.Size, &f.Qty, &f.Reason, &f.Ref, &f.Seq, &owed); err != nil {
		return f, err
	}
	if owed != "" {
		if err := json.Unmarshal([]byte(owed), &f.Owed); err != nil {
			return f, fmt.Errorf("fact %s: owed: %w", f.ID, err)
		}
	}
	f.At = parseTime(at)
	if f.Type == pickup.EventConflictReview {
		f.Note, f.Reason = f.Reason, ""
	}
	if items != "" && items != "[]" {
		if err := json.Unmarshal([]byte(items), &f.Items); err != nil {
			return f, fmt.Errorf("fact %s: items: %w", f.ID, err)
		}
	}
	return f, nil
}

// Push records facts pushed by terminal t (see protocol.PushResponse). The
// whole batch is refused, and nothing stored, if an event names another
// terminal or centre; nonce, when not empty, is recorded in the same
// transaction so that a replay is refused even after a restart.
func (reg *Registry) Push(ctx context.Context, t Caller, events []pickup.Event, via, nonce string, nonceExpires time.Time) ([]protocol.PushResult, error) {
	// Facts of this centre's other terminals come too: a counter delivers
	// what it received from its peers on the LAN, and each fact counts
	// once, whoever delivers it. origins maps each other terminal of the
	// centre named to whether it is revoked (its facts are then recorded,
	// flagged, counted nowhere: a re-enrolled terminal pushes what it
	// recorded under its revoked identity).
	origins := map[string]bool{}
	for i, e := range events {
		if e.TerminalID == t.TerminalID && e.CentreID == t.CentreID {
			continue
		}
		if _, seen := origins[e.TerminalID]; !seen && e.CentreID == t.CentreID {
			if o, err := reg.terminalAuth(ctx, e.TerminalID); err == nil && o.centreID == t.CentreID {
				origins[e.TerminalID] = o.revoked
			}
		}
		if _, ok := origins[e.TerminalID]; !ok || e.CentreID != t.CentreID {
			return nil, protocol.Errorf(protocol.CodeForbidden,
				"event %d is recorded by terminal %s of centre %s; these credentials are terminal %s of centre %s",
				i, e.TerminalID, e.CentreID, t.TerminalID, t.CentreID)
		}
	}
	revoked := map[string]bool{}
	for id, r := range origins {
		if r {
			revoked[id] = true
		}
	}
	job := &pushJob{ctx: ctx, caller: t, revoked: revoked, events: events, via: via, nonce: nonce, expires: nonceExpires, done: make(chan struct{})}
	if err := reg.submit(ctx, job); err != nil {
		return nil, err
	}
	if job.err != nil {
		var pe *protocol.Error
		if errors.As(job.err, &pe) {
			return nil, pe
		}
		return nil, fmt.Errorf("push: %w", job.err)
	}
	acc, conf, dup := 0, 0, 0
	for _, r := range job.results {
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
	return job.results, nil
}

// pushTx records one push inside the shared transaction.
func (reg *Registry) pushTx(ctx context.Context, tx *wtx, j *pushJob, now time.Time) ([]protocol.PushResult, error) {
	t := j.caller
	if j.nonce != "" {
		res, err := tx.ExecContext(ctx, "INSERT INTO nonces (terminal_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			t.TerminalID, j.nonce, j.expires.UnixMilli())
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, protocol.Errorf(protocol.CodeReplayed, "this request was already received (same nonce): sign it again")
		}
	}
	st, err := loadPushState(ctx, tx, t.CentreID, j.events)
	if err != nil {
		return nil, err
	}
	st.revokedTerms = j.revoked
	results := make([]protocol.PushResult, 0, len(j.events))
	for _, e := range j.events {
		r, err := reg.pushOne(ctx, tx, st, e, j.via, now)
		if err != nil {
			st.insert.Close()
			return nil, fmt.Errorf("event %s: %w", e.ID, err)
		}
		results = append(results, r)
	}
	if err := st.finish(ctx, tx); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE terminals SET last_seen = ? WHERE id = ?", fmtTime(now), t.TerminalID); err != nil {
		return nil, err
	}
	return results, nil
}

// Caller is an authenticated terminal.
type Caller struct {
	TerminalID string
	CentreID   string

	bodyHash string // the body hash the request's signature covers
}

// pushState is what a push transaction knows about the batch's rows,
// read in a few queries up front and kept current in memory as the
// events are applied in order.
type pushState struct {
	existing     map[string]protocol.PushResult // stored events, by id
	pickups      map[pickup.Code]*pickupState
	earlier      map[pickup.Code][]pickup.Collection // handovers not undone, not flagged
	owedEarlier  map[pickup.Code][]pickup.Collection // owed handovers not flagged
	targets      map[string]*handoverRef             // handovers named by undos
	pending      map[string]*pendingUndo             // handover ids whose undo is already stored
	revoked      map[pickup.Code]bool
	movedOut     map[pickup.Code]bool // codes moved away from the caller's centre
	keys         pickup.Keyring
	revokedTerms map[string]bool // revoked terminals of the centre whose facts came: flagged
	insert       *sql.Stmt
}

type pickupState struct {
	centre    string
	cancelled bool
	window    pickup.Window
	active    int
	delta     int
}

type handoverRef struct {
	code     pickup.Code
	centre   string
	terminal string
	at       time.Time // the terminal's clock
	received time.Time // the registry's clock
	undone   bool
	flagged  bool
}

type pendingUndo struct {
	id       string
	terminal string
	at       time.Time
}

// inChunks runs query (with one "%s" for the placeholders) for args in
// chunks of 500, prefixed by fixed arguments.
func inChunks(ctx context.Context, tx *wtx, query string, fixed []any, args []any, fn func(*sql.Rows) error) error {
	for len(args) > 0 {
		n := min(len(args), 500)
		q := fmt.Sprintf(query, strings.TrimSuffix(strings.Repeat("?,", n), ","))
		if err := sqlkit.Each(ctx, tx, fn, q, append(append([]any{}, fixed...), args[:n]...)...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// codesIn marks in set the codes query (one column, run as inChunks) selects.
func codesIn(ctx context.Context, tx *wtx, query string, fixed []any, args []any, set map[pickup.Code]bool) error {
	return inChunks(ctx, tx, query, fixed, args, func(r *sql.Rows) error {
		var c pickup.Code
		err := r.Scan(&c)
		set[c] = true
		return err
	})
}

func loadPushState(ctx context.Context, tx *wtx, centreID string, events []pickup.Event) (*pushState, error) {
	st := &pushState{existing: map[string]protocol.PushResult{}, pickups: map[pickup.Code]*pickupState{},
		earlier: map[pickup.Code][]pickup.Collection{}, owedEarlier: map[pickup.Code][]pickup.Collection{}, targets: map[string]*handoverRef{}, pending: map[string]*pendingUndo{},
		revoked: map[pickup.Code]bool{}, movedOut: map[pickup.Code]bool{},
		keys: pickup.Keyring{Keys: map[string]ed25519.PublicKey{}}}
	var ids, codes, handovers, undoes, owedCodes []any
	seenCode := map[pickup.Code]bool{}
	signed := false
	for _, e := range events {
		ids = append(ids, e.ID)
		switch e.Type {
		case pickup.EventHandover, pickup.EventOwedHandover:
			if e.Type == pickup.EventHandover {
				handovers = append(handovers, e.ID)
			} else {
				owedCodes = append(owedCodes, string(e.Code))
			}
			if !seenCode[e.Code] {
				seenCode[e.Code] = true
				codes = append(codes, string(e.Code))
			}
			signed = signed || e.OnSignature
		case pickup.EventUndo:
			undoes = append(undoes, e.Undoes)
		case pickup.EventConflictReview:
			if !seenCode[e.Code] {
				seenCode[e.Code] = true
				codes = append(codes, string(e.Code))
			}
		}
	}
	var conflictDups []string
	err := inChunks(ctx, tx, "SELECT id, result, earlier, flag FROM events WHERE id IN (%s)", nil, ids, func(r *sql.Rows) error {
		var id, result, earlier, flag string
		if err := r.Scan(&id, &result, &earlier, &flag); err != nil {
			return err
		}
		res := protocol.PushResult{ID: id, Result: protocol.ResultDuplicate, Stored: protocol.Result(result), Flag: flag}
		if earlier != "" { // stored before conflicts stopped copying them
			if err := json.Unmarshal([]byte(earlier), &res.Earlier); err != nil {
				return err
			}
			res.Earlier = res.Earlier[:min(len(res.Earlier), protocol.MaxEarlier)]
		} else if res.Stored == protocol.ResultConflict {
			conflictDups = append(conflictDups, id)
		}
		st.existing[id] = res
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stored events: %w", err)
	}
	for _, id := range conflictDups {
		res := st.existing[id]
		if res.Earlier, err = earlierOf(ctx, tx, id); err != nil {
			return nil, fmt.Errorf("read earlier handovers: %w", err)
		}
		st.existing[id] = res
	}
	err = inChunks(ctx, tx, "SELECT code, centre_id, cancelled, active, window_start, window_end FROM pickups WHERE code IN (%s)", nil, codes, func(r *sql.Rows) error {
		var c pickup.Code
		var start, end string
		ps := &pickupState{}
		if err := r.Scan(&c, &ps.centre, &ps.cancelled, &ps.active, &start, &end); err != nil {
			return err
		}
		ps.window.Start, _ = pickup.ParseDate(start)
		ps.window.End, _ = pickup.ParseDate(end)
		st.pickups[c] = ps
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pickups: %w", err)
	}
	if err := codesIn(ctx, tx, "SELECT code FROM revoked WHERE code IN (%s)", nil, codes, st.revoked); err != nil {
		return nil, fmt.Errorf("read revoked codes: %w", err)
	}
	if err := codesIn(ctx, tx, "SELECT code FROM reassignments WHERE from_centre = ? AND code IN (%s)", []any{centreID}, codes, st.movedOut); err != nil {
		return nil, fmt.Errorf("read moved codes: %w", err)
	}
	if signed {
		if err := readKeys(ctx, tx, st.keys.Keys); err != nil {
			return nil, fmt.Errorf("read signing keys: %w", err)
		}
	}
	// The first MaxEarlier handovers of each code that count, and how many
	// there are: enough to answer a conflict.
	err = inChunks(ctx, tx, `SELECT code, id, at, terminal_id, centre_id, glove_size FROM (
			SELECT code, id, at, terminal_id, centre_id, glove_size, row_number() OVER (PARTITION BY code ORDER BY at, id) AS n
			FROM events WHERE type = 'handover' AND undone = 0 AND flag = '' AND code IN (%s))
		WHERE n <= `+fmt.Sprint(protocol.MaxEarlier)+` ORDER BY code, n`,
		nil, codes, func(r *sql.Rows) error {
			var code pickup.Code
			var c pickup.Collection
			if err := r.Scan(&code, &c.EventID, timeIn(&c.At), &c.TerminalID, &c.CentreID, &c.GloveSize); err != nil {
				return err
			}
			st.earlier[code] = append(st.earlier[code], c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read earlier handovers: %w", err)
	}
	// The owed handovers of the codes owed items are handed over for: the
	// first stands, any other is a double.
	err = inChunks(ctx, tx, `SELECT code, id, at, terminal_id, centre_id, glove_size FROM events
		WHERE type = 'owed_handover' AND flag = '' AND code IN (%s) ORDER BY at, id`, nil, owedCodes, func(r *sql.Rows) error {
		var code pickup.Code
		var c pickup.Collection
		if err := r.Scan(&code, &c.EventID, timeIn(&c.At), &c.TerminalID, &c.CentreID, &c.GloveSize); err != nil {
			return err
		}
		if len(st.owedEarlier[code]) < protocol.MaxEarlier {
			st.owedEarlier[code] = append(st.owedEarlier[code], c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read owed handovers: %w", err)
	}
	err = inChunks(ctx, tx, "SELECT id, code, centre_id, terminal_id, at, received_at, undone, flag <> '' FROM events WHERE type = 'handover' AND id IN (%s)", nil, undoes, func(r *sql.Rows) error {
		var id string
		h := &handoverRef{}
		if err := r.Scan(&id, &h.code, &h.centre, &h.terminal, timeIn(&h.at), timeIn(&h.received), &h.undone, &h.flagged); err != nil {
			return err
		}
		st.targets[id] = h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read undone handovers: %w", err)
	}
	err = inChunks(ctx, tx, "SELECT id, undoes, terminal_id, at FROM events WHERE type = 'undo' AND flag = '' AND centre_id = ? AND undoes IN (%s)", []any{centreID}, handovers, func(r *sql.Rows) error {
		var target string
		u := &pendingUndo{}
		if err := r.Scan(&u.id, &target, &u.terminal, timeIn(&u.at)); err != nil {
			return err
		}
		st.pending[target] = u
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pending undos: %w", err)
	}
	st.insert, err = tx.PrepareContext(ctx, `INSERT INTO events (id, type, terminal_id, centre_id, at, received_at, via, code, code_centre, glove_size, items,
		volunteer, on_signature, signed, undoes, undone, item, size, qty, reason, ref, result, earlier, seq, flag, owed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return st, nil
}

func readKeys(ctx context.Context, tx *wtx, keys map[string]ed25519.PublicKey) error {
	return sqlkit.Each(ctx, tx, func(rows *sql.Rows) error {
		var id string
		var pub []byte
		if err := rows.Scan(&id, &pub); err != nil {
			return err
		}
		keys[id] = ed25519.PublicKey(pub)
		return nil
	}, "SELECT key_id, public_key FROM signing_keys")
}

// earlierOf reads back the handovers of a conflicting handover's code that
// came before it, not undone nor flagged: the first MaxEarlier.
func earlierOf(ctx context.Context, tx *wtx, id string) ([]pickup.Collection, error) {
	return sqlkit.Query(ctx, tx, func(row sqlkit.Scanner) (pickup.Collection, error) {
		var c pickup.Collection
		err := row.Scan(&c.EventID, timeIn(&c.At), &c.TerminalID, &c.CentreID, &c.GloveSize)
		return c, err
	}, `SELECT e.id, e.at, e.terminal_id, e.centre_id, e.glove_size FROM events e, events me
		WHERE me.id = ? AND e.type = 'handover' AND e.code = me.code AND e.rowid < me.rowid AND e.undone = 0 AND e.flag = ''
		ORDER BY e.at, e.id LIMIT ?`, id, protocol.MaxEarlier)
}

// finish writes each touched pickup's count of handovers not undone, and
// its status, bumping its sequence only when the status changes.
func (st *pushState) finish(ctx context.Context, tx *wtx) error {
	defer st.insert.Close()
	codes := make([]pickup.Code, 0, len(st.pickups))
	for c, ps := range st.pickups {
		if ps.delta != 0 {
			codes = append(codes, c)
		}
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
	if len(codes) == 0 {
		return nil
	}
	upd, err := tx.PrepareContext(ctx, "UPDATE pickups SET active = ?, status = ?, seq = CASE WHEN status = ? THEN seq ELSE ? END WHERE code = ?")
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, c := range codes {
		ps := st.pickups[c]
		active := ps.active + ps.delta
		s := string(statusOf(ps.cancelled, active))
		var seq any
		if statusOf(ps.cancelled, ps.active) != statusOf(ps.cancelled, active) {
			seq = tx.next()
		} else {
			seq = 0 // unused: the status does not change
		}
		if _, err := upd.ExecContext(ctx, active, s, s, seq, c); err != nil {
			return fmt.Errorf("update pickup: %w", err)
		}
	}
	return nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Plausible fact times: from the first campaign to a day ahead of the
// registry's clock (a terminal's clock may be off by hours, not days).
var earliestFact = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

const factLead = 24 * time.Hour

// windowSlack is how many days a handover may lie outside its code's
// pickup window before it is flagged: a counter refuses outside the
// window by its own clock and time zone, which may be a day off the
// registry's UTC dates.
const windowSlack = 1

func timeFlag(at, now time.Time) string {
	if at.Before(earliestFact) || at.After(now.Add(factLead)) {
		return protocol.FlagTimeOutOfRange
	}
	return ""
}

// judgeHandover checks a handover against the code, as the registry
// knows it: "" when it stands, else the flag.
func (st *pushState) judgeHandover(e pickup.Event, now time.Time) string {
	if f := st.judgeCode(e, now); f != "" {
		return f
	}
	ps := st.pickups[e.Code]
	switch {
	case st.revoked[e.Code]:
		return protocol.FlagRevoked
	case ps.cancelled:
		return protocol.FlagCancelled
	case ps.window.Valid() && !(pickup.Window{Start: ps.window.Start.AddDays(-windowSlack), End: ps.window.End.AddDays(windowSlack)}).Contains(pickup.DateOf(e.At)):
		return protocol.FlagOutsideWindow
	}
	if e.OnSignature {
		sc, err := pickup.ParseScan(e.Signed)
		if err != nil || sc.Signed == nil || sc.Code != e.Code || st.keys.Verify(*sc.Signed) != nil {
			return protocol.FlagBadSignature
		}
	}
	return ""
}

// judgeOwedHandover checks an owed handover against the code: "" when it
// stands, else the flag. It may come before the handover that owes (from
// another counter, through its peers), so that is not required; the
// pickup window is not checked either (owed items are handed over when
// stock comes).
func (st *pushState) judgeOwedHandover(e pickup.Event, now time.Time) string {
	return st.judgeCode(e, now)
}

// judgeCode is what every fact about a code must pass: a sane time, a
// code the registry knows, of the pushing terminal's centre (or moved
// from it).
func (st *pushState) judgeCode(e pickup.Event, now time.Time) string {
	if f := timeFlag(e.At, now); f != "" {
		return f
	}
	ps := st.pickups[e.Code]
	switch {
	case ps == nil:
		return protocol.FlagUnknownCode
	case ps.centre != e.CentreID && !st.movedOut[e.Code]:
		return protocol.FlagWrongCentre
	}
	return ""
}

func owedJSON(lines []pickup.Line) string {
	if len(lines) == 0 {
		return ""
	}
	b, _ := json.Marshal(lines) // lines always encode
	return string(b)
}

// judgeUndo checks an undo against the handover it names: only the
// terminal that recorded it may undo it, within MaxUndoWindow on the
// terminal's clock and, when the handover reached the registry earlier,
// on the registry's.
func judgeUndo(u pendingUndo, h *handoverRef, now time.Time, sameArrival bool) string {
	if f := timeFlag(u.at, now); f != "" {
		return f
	}
	if u.terminal != h.terminal {
		return protocol.FlagUndoNotRecorder
	}
	if d := u.at.Sub(h.at); d < -2*time.Second || d > protocol.MaxUndoWindow {
		return protocol.FlagUndoTooLate
	}
	if !sameArrival && now.Sub(h.received) > protocol.MaxUndoWindow {
		return protocol.FlagUndoTooLate
	}
	return ""
}

func (reg *Registry) pushOne(ctx context.Context, tx *wtx, st *pushState, e pickup.Event, via string, now time.Time) (protocol.PushResult, error) {
	if dup, ok := st.existing[e.ID]; ok {
		return dup, nil
	}
	res := protocol.PushResult{ID: e.ID, Result: protocol.ResultAccepted}
	items := []byte("[]")
	if len(e.Items) > 0 {
		var err error
		if items, err = json.Marshal(e.Items); err != nil {
			return res, err
		}
	}
	var codeCentre any
	undone := 0
	switch e.Type {
	case pickup.EventHandover:
		ps := st.pickups[e.Code]
		if ps != nil {
			codeCentre = ps.centre
		}
		res.Flag = st.judgeHandover(e, now)
		if st.revokedTerms[e.TerminalID] {
			res.Flag = protocol.FlagRevokedTerminal
		}
		if res.Flag != "" {
			res.Result = protocol.ResultFlagged
			reg.Log.Warn("flagged handover", "code", e.Code.Masked(), "terminal", e.TerminalID, "flag", res.Flag)
			st.targets[e.ID] = &handoverRef{code: e.Code, centre: e.CentreID, terminal: e.TerminalID, at: parseTime(fmtTime(e.At)), received: now, flagged: true}
			break
		}
		if u := st.pending[e.ID]; u != nil {
			// Its undo arrived first (from a bundle, say).
			h := &handoverRef{code: e.Code, centre: e.CentreID, terminal: e.TerminalID, at: parseTime(fmtTime(e.At)), received: now}
			if f := judgeUndo(*u, h, now, true); f != "" {
				if _, err := tx.ExecContext(ctx, "UPDATE events SET flag = ?, result = ? WHERE id = ?", f, string(protocol.ResultFlagged), u.id); err != nil {
					return res, err
				}
			} else {
				undone = 1
			}
		}
		if prior := st.earlier[e.Code]; len(prior) > 0 && undone == 0 {
			res.Result = protocol.ResultConflict
			res.Earlier = append([]pickup.Collection(nil), prior[:min(len(prior), protocol.MaxEarlier)]...)
			reg.Log.Warn("double handover", "code", e.Code.Masked(), "terminal", e.TerminalID, "earlier", len(prior))
		}
		if undone == 0 {
			if len(st.earlier[e.Code]) < protocol.MaxEarlier {
				st.earlier[e.Code] = append(st.earlier[e.Code], pickup.Collection{EventID: e.ID, At: parseTime(fmtTime(e.At)),
					TerminalID: e.TerminalID, CentreID: e.CentreID, GloveSize: e.GloveSize})
			}
			if ps != nil {
				ps.delta++
			}
		}
		st.targets[e.ID] = &handoverRef{code: e.Code, centre: e.CentreID, terminal: e.TerminalID, at: parseTime(fmtTime(e.At)), received: now, undone: undone == 1}
	case pickup.EventOwedHandover:
		ps := st.pickups[e.Code]
		if ps != nil {
			codeCentre = ps.centre
		}
		res.Flag = st.judgeOwedHandover(e, now)
		if res.Flag != "" || st.revokedTerms[e.TerminalID] {
			break
		}
		// The owed items of a code are handed over once: a second owed
		// handover is a double, kept and shown like a double handover.
		if prior := st.owedEarlier[e.Code]; pickup.OwedDeliveryDouble(prior) {
			res.Result = protocol.ResultConflict
			res.Earlier = append([]pickup.Collection(nil), prior...)
			reg.Log.Warn("double owed handover", "code", e.Code.Masked(), "terminal", e.TerminalID, "earlier", len(prior))
		}
		if len(st.owedEarlier[e.Code]) < protocol.MaxEarlier {
			st.owedEarlier[e.Code] = append(st.owedEarlier[e.Code], pickup.Collection{EventID: e.ID, At: parseTime(fmtTime(e.At)),
				TerminalID: e.TerminalID, CentreID: e.CentreID, GloveSize: e.GloveSize})
		}
	case pickup.EventUndo:
		u := pendingUndo{id: e.ID, terminal: e.TerminalID, at: e.At}
		switch h := st.targets[e.Undoes]; {
		case h == nil, h.undone, h.flagged:
			// Not arrived yet (judged when it does), or nothing to undo.
			res.Flag = timeFlag(e.At, now)
		default:
			res.Flag = judgeUndo(u, h, now, h.received.Equal(now))
		}
	case pickup.EventConflictReview:
		// A review of a case of the caller's centre only: it notes, it
		// changes no count.
		res.Flag = timeFlag(e.At, now)
		switch ps := st.pickups[e.Code]; {
		case res.Flag != "":
		case ps == nil:
			res.Flag = protocol.FlagUnknownCode
		case ps.centre != e.CentreID:
			res.Flag = protocol.FlagWrongCentre
		default:
			codeCentre = ps.centre
		}
	default:
		res.Flag = timeFlag(e.At, now)
	}
	if st.revokedTerms[e.TerminalID] {
		res.Flag = protocol.FlagRevokedTerminal
	}
	if res.Flag != "" {
		res.Result = protocol.ResultFlagged
	}
	seq := tx.next()
	var item, size, qty, reason, ref any
	if e.Type == pickup.EventStockReceive || e.Type == pickup.EventStockCount || e.Type == pickup.EventStockLoss {
		item, size, qty, reason, ref = e.Item, e.Size, e.Qty, e.Reason, e.Ref
	}
	if e.Type == pickup.EventConflictReview {
		reason = e.Note // a review's note is kept as its reason (scanFact gives it back as the note)
	}
	if _, err := st.insert.ExecContext(ctx, e.ID, string(e.Type), e.TerminalID, e.CentreID, fmtTime(e.At), fmtTime(now), via,
		nullStr(string(e.Code)), codeCentre, e.GloveSize, string(items), e.Volunteer, e.OnSignature, e.Signed,
		nullStr(e.Undoes), undone, item, size, qty, reason, ref, string(res.Result), "", seq, res.Flag, owedJSON(e.Owed)); err != nil {
		return res, fmt.Errorf("store event: %w", err)
	}
	st.existing[e.ID] = protocol.PushResult{ID: e.ID, Result: protocol.ResultDuplicate, Stored: res.Result, Earlier: res.Earlier, Flag: res.Flag}
	if e.Type == pickup.EventUndo && res.Flag == "" {
		if err := reg.applyUndo(ctx, tx, st, e); err != nil {
			return res, err
		}
	}
	if e.Type == pickup.EventConflictReview && res.Flag == "" {
		// With the operators' notes on the case, signed by the counter.
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_notes (code, note, operator, at)
			SELECT ?, ?, 'counter ' || coalesce(nullif(hostname, ''), id), ? FROM terminals WHERE id = ?`,
			string(e.Code), e.Note, fmtTime(e.At), e.TerminalID); err != nil {
			return res, fmt.Errorf("store review note: %w", err)
		}
	}
	return res, nil
}

// applyUndo marks the handover an accepted undo names as undone (or, when
// it has not arrived yet, notes the undo for it).
func (reg *Registry) applyUndo(ctx context.Context, tx *wtx, st *pushState, e pickup.Event) error {
	h := st.targets[e.Undoes]
	switch {
	case h == nil:
		// The handover has not arrived yet: it will be judged with this
		// undo when it does.
		st.pending[e.Undoes] = &pendingUndo{id: e.ID, terminal: e.TerminalID, at: e.At}
		return nil
	case h.undone || h.flagged:
		// Already undone, or flagged: recorded, no effect.
		return nil
	}
	h.undone = true
	if _, err := tx.ExecContext(ctx, "UPDATE events SET undone = 1, seq = ? WHERE id = ?", tx.next(), e.Undoes); err != nil {
		return err
	}
	prior := st.earlier[h.code]
	for i, c := range prior {
		if c.EventID == e.Undoes {
			st.earlier[h.code] = append(prior[:i:i], prior[i+1:]...)
			break
		}
	}
	if ps := st.pickups[h.code]; ps != nil {
		ps.delta--
		return nil
	}
	// The handover's pickup was not read with this batch.
	var c pickupState
	err := tx.QueryRowContext(ctx, "SELECT centre_id, cancelled, active FROM pickups WHERE code = ?", h.code).Scan(&c.centre, &c.cancelled, &c.active)
	if err == nil {
		c.delta = -1
		st.pickups[h.code] = &c
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

// Digest returns the order-independent digest of the centre's pickups:
// the sums kept by every write (internal/rowdigest), so it costs a few
// rows, not the centre's pickups.
func (reg *Registry) Digest(ctx context.Context, centreID string) (*protocol.DigestResponse, error) {
	var out protocol.DigestResponse
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var err error
		if out.DatasetID, out.Cursor, err = reg.head(ctx, tx); err != nil {
			return err
		}
		b, err := rowdigest.Centre(ctx, reg.stmts.In(tx), centreID)
		if err != nil {
			return err
		}
		d := protocol.DigestOf(b)
		out.CentreID, out.Count, out.Digest, out.Buckets = centreID, d.Count(), d.Hex(), d.Buckets()
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
		return eachPickupRow(ctx, tx, func(r protocol.PickupRow) { out.Pickups = append(out.Pickups, r) },
			`SELECT `+sqlkit.PickupColumns+`, seq
			FROM pickups WHERE centre_id = ? AND code >= ? AND code < ? ORDER BY code LIMIT ?`, centreID, lo, hi, limit+1)
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
