package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/rowdigest"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Sync setting keys.
const (
	KeyRegistryURL = "registry_url"
	KeySecret      = "terminal_secret"
	KeyDatasetID   = "dataset_id"
	KeyCursor      = "cursor"
	KeyTLSPin      = "tls_pin"
	KeyClockOffset = "clock_offset_ms"
	KeyLastSyncErr = "last_sync_error"
)

// What the terminal keeps from the registry, in the domain's words; the
// sync client (sync/client) translates the wire format into these.

// Enrolment is the registry's answer to an enrolment.
type Enrolment struct {
	TerminalID string
	Secret     []byte // signs every call from now on
	Centre     pickup.Centre
	Keys       []SigningKey
	TLSPin     string // the registry's TLS certificate pin, if it serves TLS
}

// SigningKey is one of the registry's Ed25519 public keys.
type SigningKey struct {
	KeyID     string
	PublicKey ed25519.PublicKey
}

// PickupRow is a pickup as the registry holds it, with the sequence of its
// last change.
type PickupRow struct {
	pickup.Pickup
	Seq int64
}

// Reassignment says a pickup moved to another centre.
type Reassignment struct {
	Code     pickup.Code
	CentreID string // the new centre
	Seq      int64
}

// Redemption is a handover the registry knows of (possibly this
// terminal's own); Undone when it was undone.
type Redemption struct {
	pickup.Collection
	Code   pickup.Code
	Undone bool
}

// SentShipment is stock the registry sent to this centre.
type SentShipment struct {
	ID     string
	Item   string
	Size   string
	Qty    int
	SentAt time.Time
	Ref    string
	Seq    int64
}

// Page is one page of what changed at the registry for this centre: every
// row with After < sequence <= Cursor. Reset: drop every row the registry
// sent before (keeping this terminal's own facts), then apply the page.
type Page struct {
	DatasetID, CentreID string
	Reset               bool
	After, Cursor       int64
	// More says pages follow (the registry's head is not reached): a
	// reset page of many pickups with more to come starts a bulk load,
	// which the last page ends (see bulk.go).
	More bool

	Pickups     []PickupRow
	Reassigned  []Reassignment
	Redemptions []Redemption
	Received    []string // ids of this centre's facts the registry holds
	Campaigns   []*pickup.Campaign
	Centres     []pickup.Centre
	Shipments   []SentShipment
	Keys        []SigningKey
	Revoked     []pickup.Code
	// Facts recorded at this centre's counters (this one's too, which it
	// skips): they count toward the centre stock.
	Facts []pickup.Event
	// Locator is the page's part of the national code locator (nil when
	// the registry sent none).
	Locator *Locator
}

// PushResult is the registry's definite answer for one pushed fact.
type PushResult string

// Push results, as the journal keeps them.
const (
	PushAccepted  PushResult = "accepted"
	PushDuplicate PushResult = "duplicate"
	PushConflict  PushResult = "conflict"
	// PushFlagged: recorded by the registry but failing its checks (another
	// centre's code, an undo too late…): it counts nowhere there.
	PushFlagged PushResult = "flagged"
)

// PushAnswer is the registry's answer for one pushed fact: Stored is the
// first answer for a duplicate; Earlier lists where and when the code had
// already been handed over, for a conflict.
type PushAnswer struct {
	ID      string
	Result  PushResult
	Stored  PushResult
	Earlier []pickup.Collection
	Flag    string // why the registry flagged it
}

// SyncConfig is what the sync client needs from the store.
type SyncConfig struct {
	RegistryURL string
	TerminalID  string
	CentreID    string
	Secret      []byte // signs every call to the registry and every bundle
	Pin         string // the registry's TLS certificate pin, if any
	DatasetID   string
	Cursor      int64
	ClockOffset time.Duration
}

// SyncConfig returns the terminal's registry settings, or ErrNotEnrolled.
func (s *Store) SyncConfig(ctx context.Context) (SyncConfig, error) {
	var c SyncConfig
	vals := map[string]string{}
	for _, k := range []string{KeyRegistryURL, KeySecret, KeyDatasetID, KeyCursor, KeyTLSPin, KeyClockOffset, KeyTerminalID, KeyCentreID} {
		v, err := getSetting(ctx, s.db, k)
		if err != nil {
			return c, fmt.Errorf("read sync settings: %w", err)
		}
		vals[k] = v
	}
	if vals[KeyRegistryURL] == "" || vals[KeySecret] == "" {
		return c, ErrNotEnrolled
	}
	secret, err := base64.StdEncoding.DecodeString(vals[KeySecret])
	if err != nil {
		return c, fmt.Errorf("read sync settings: secret: %w", err)
	}
	c.RegistryURL, c.Pin, c.DatasetID = vals[KeyRegistryURL], vals[KeyTLSPin], vals[KeyDatasetID]
	c.TerminalID, c.CentreID, c.Secret = vals[KeyTerminalID], vals[KeyCentreID], secret
	c.Cursor, _ = strconv.ParseInt(vals[KeyCursor], 10, 64)
	if ms, err := strconv.ParseInt(vals[KeyClockOffset], 10, 64); err == nil {
		c.ClockOffset = time.Duration(ms) * time.Millisecond
	}
	return c, nil
}

// Enrol stores the registry's answer to an enrolment: the terminal's new
// identity and secret, its centre, the registry's keys and dataset. A fresh
// folder is set up with the default campaign (the registry sends the real
// ones at the first pull). A terminal set up stand-alone for the same centre
// keeps its records: facts still waiting are re-addressed to the new
// terminal id. Another centre is refused.
func (s *Store) Enrol(ctx context.Context, registryURL string, r Enrolment) (Identity, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, err := identity(ctx, tx)
		switch {
		case errors.Is(err, ErrNotInitialised):
			c, err := pickup.BuiltinCampaign(pickup.DefaultCampaignID)
			if err != nil {
				return err
			}
			if err := putCampaign(ctx, tx, c); err != nil {
				return err
			}
			if err := setSetting(ctx, tx, KeyCampaignID, c.ID); err != nil {
				return err
			}
			if err := setSetting(ctx, tx, KeySetUpAt, fmtTime(s.Now())); err != nil {
				return err
			}
		case err != nil:
			return err
		case old.Centre.ID != r.Centre.ID:
			return errorf(CodeAlreadySetUp, "terminal already set up for centre %s; this enrolment is for centre %s", old.Centre.ID, r.Centre.ID)
		case old.TerminalID != r.TerminalID:
			// Facts of a stand-alone terminal become the enrolled
			// terminal's. Those of an earlier enrolment (revoked, say)
			// stay as recorded: relabelling them would pass facts recorded
			// after a revocation off as the new terminal's. They are still
			// pushed, and the registry records them as the revoked
			// terminal's, flagged.
			if prev, _ := getSetting(ctx, tx, KeySecret); prev == "" {
				if err := readdressOutbox(ctx, tx, r.TerminalID); err != nil {
					return err
				}
			}
		}
		// The registry's keys replace any other (the demo's key, whose
		// seed is public, would verify forged QR codes).
		if _, err := tx.ExecContext(ctx, "DELETE FROM signing_keys WHERE from_registry = 0"); err != nil {
			return err
		}
		if err := putCentre(ctx, tx, r.Centre); err != nil {
			return err
		}
		for _, k := range r.Keys {
			if err := putKey(ctx, tx, k); err != nil {
				return err
			}
		}
		for k, v := range map[string]string{
			KeyTerminalID: r.TerminalID, KeyCentreID: r.Centre.ID, KeyRegistryURL: registryURL,
			KeySecret: base64.StdEncoding.EncodeToString(r.Secret), KeyTLSPin: r.TLSPin,
		} {
			if err := setSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		if name, _ := getSetting(ctx, tx, KeyTerminalName); name == "" {
			return setSetting(ctx, tx, KeyTerminalName, r.TerminalID)
		}
		return nil
	})
	if err != nil {
		return Identity{}, fmt.Errorf("enrol: %w", err)
	}
	return s.Identity(ctx)
}

// readdressOutbox rewrites the terminal id of facts still waiting, after a
// stand-alone terminal is enrolled. The journal keeps them as recorded.
func readdressOutbox(ctx context.Context, tx *sql.Tx, terminalID string) error {
	evs, err := outbox(ctx, tx, -1)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		ev.TerminalID = terminalID
		body, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET body = ? WHERE event_id = ?", string(body), ev.ID); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE redemptions SET terminal_id = ? WHERE local = 1", terminalID)
	return err
}

func putKey(ctx context.Context, q querier, k SigningKey) error {
	if len(k.PublicKey) != ed25519.PublicKeySize || !pickup.ValidID(k.KeyID) {
		return fmt.Errorf("signing key %q: invalid", k.KeyID)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO signing_keys(key_id, public_key, from_registry) VALUES(?, ?, 1)
		ON CONFLICT(key_id) DO UPDATE SET public_key = excluded.public_key, from_registry = 1`, k.KeyID, k.PublicKey)
	return err
}

func outbox(ctx context.Context, q querier, limit int) ([]pickup.Event, error) {
	return readEvents(ctx, q, "outbox", "SELECT body FROM outbox ORDER BY seq LIMIT ?", limit)
}

// readEvents reads the facts query selects as their JSON bodies, in order
// (what names them in an error).
func readEvents(ctx context.Context, q querier, what, query string, args ...any) ([]pickup.Event, error) {
	out, err := sqlkit.Query(ctx, q, func(row sqlkit.Scanner) (pickup.Event, error) {
		var body string
		var ev pickup.Event
		if err := row.Scan(&body); err != nil {
			return ev, err
		}
		return ev, json.Unmarshal([]byte(body), &ev)
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// Outbox returns up to limit facts waiting for the registry, oldest first.
func (s *Store) Outbox(ctx context.Context, limit int) ([]pickup.Event, error) {
	return outbox(ctx, s.db, limit)
}

// OutboxCount returns how many facts wait for the registry.
func (s *Store) OutboxCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM outbox").Scan(&n); err != nil {
		return 0, fmt.Errorf("count outbox: %w", s.classify(err))
	}
	return n, nil
}

// NoteAttempt records a failed push of the whole outbox head (for the
// technician: attempts and the last error).
func (s *Store) NoteAttempt(ctx context.Context, ids []string, cause error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE event_id = ?", cause.Error(), id); err != nil {
				return err
			}
		}
		return setSetting(ctx, tx, KeyLastSyncErr, cause.Error())
	})
}

// PushOutcome counts what ApplyPushResults did.
type PushOutcome struct {
	Accepted, Duplicate, Conflict, Flagged int
}

// ApplyPushResults takes the registry's definite answers: each answered
// fact leaves the outbox, its journal entry notes the answer, and every
// conflict is recorded with where and when the code was already handed
// over, all in one transaction.
func (s *Store) ApplyPushResults(ctx context.Context, events []pickup.Event, answers []PushAnswer) (PushOutcome, error) {
	var out PushOutcome
	byID := map[string]pickup.Event{}
	for _, e := range events {
		byID[e.ID] = e
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := fmtTime(s.Now())
		for _, r := range answers {
			state := r.Result
			if state == PushDuplicate && r.Stored != "" {
				state = r.Stored
			}
			switch r.Result {
			case PushAccepted:
				out.Accepted++
			case PushDuplicate:
				out.Duplicate++
			case PushConflict:
				out.Conflict++
			case PushFlagged:
				out.Flagged++
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE event_id = ?", r.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE foreign_facts SET to_registry = 0 WHERE event_id = ?", r.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE journal SET sync_state = ? WHERE id = ?", string(state), r.ID); err != nil {
				return err
			}
			ev := byID[r.ID]
			if state == PushFlagged && ev.Type == pickup.EventHandover {
				// Shown with the conflicts: the registry does not count it.
				if err := addConflict(ctx, tx, ev.ID, ev.Code, ev.TerminalID, ev.CentreID, ev.At, ConflictFlagged+r.Flag, now); err != nil {
					return err
				}
				continue
			}
			if state != PushConflict {
				continue
			}
			mine, earlier := ConflictPushed, ConflictEarlier
			if ev.Type == pickup.EventOwedHandover {
				// The owed items went twice: Earlier names the first owed handover.
				mine, earlier = DetailDoubleOwed, DetailDoubleOwed
			}
			if err := addConflict(ctx, tx, ev.ID, ev.Code, ev.TerminalID, ev.CentreID, ev.At, mine, now); err != nil {
				return err
			}
			for _, e := range r.Earlier {
				if err := addConflict(ctx, tx, e.EventID, ev.Code, e.TerminalID, e.CentreID, e.At, earlier, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("apply push results: %w", err)
	}
	return out, nil
}

func addConflict(ctx context.Context, tx *sql.Tx, eventID string, code pickup.Code, terminal, centre string, at time.Time, detail, now string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO conflicts(event_id, code, terminal_id, centre_id, at, detail, seen_at)
		VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING`, eventID, string(code), terminal, centre, fmtTime(at), detail, now)
	return err
}

// PageOutcome counts what ApplyPage did.
type PageOutcome struct {
	Pickups, Redemptions, Conflicts int
	Facts                           int // other counters' facts new here
	Reset                           bool
}

// ApplyPage applies one pull page and stores its cursor and dataset id in
// one transaction, so that a cut at any point resumes from the last page.
// On Reset it first drops every row the registry sent before (the pickups,
// other terminals' handovers, keys, shipments), keeping this terminal's own
// facts and outbox. This terminal's facts live apart from the pickup rows
// (redemptions, journal, outbox), so a pickup row from the registry never
// hides a local handover: the code stays collected.
func (s *Store) ApplyPage(ctx context.Context, p *Page) (PageOutcome, error) {
	return s.applyPage(ctx, p, false)
}

// ApplyBundlePage applies a page read from a USB bundle: like ApplyPage,
// but a page that overlaps what is already applied is fine (a bundle starts
// where the registry chose), and one wholly behind the cursor is skipped.
func (s *Store) ApplyBundlePage(ctx context.Context, p *Page) (PageOutcome, bool, error) {
	cfg, err := s.syncCursor(ctx)
	if err != nil {
		return PageOutcome{}, false, err
	}
	if !p.Reset && p.DatasetID == cfg.DatasetID && p.Cursor <= cfg.Cursor {
		return PageOutcome{}, false, nil
	}
	out, err := s.applyPage(ctx, p, true)
	return out, err == nil, err
}

func (s *Store) syncCursor(ctx context.Context) (SyncConfig, error) {
	var c SyncConfig
	cur, err := getSetting(ctx, s.db, KeyCursor)
	if err != nil {
		return c, err
	}
	c.Cursor, _ = strconv.ParseInt(cur, 10, 64)
	c.DatasetID, err = getSetting(ctx, s.db, KeyDatasetID)
	return c, err
}

func (s *Store) applyPage(ctx context.Context, p *Page, overlap bool) (PageOutcome, error) {
	var out PageOutcome
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if len(p.Pickups) > 1000 || p.Locator != nil && len(p.Locator.Hashes) > 1000 {
			// Large pages insert in random code (or hash) order: keep the
			// index's pages in memory (the default 2 MB cache thrashed).
			if err := setCache(ctx, tx, 16384); err != nil {
				return err
			}
			defer setCache(ctx, tx, defaultCacheKiB)
		}
		id, err := identity(ctx, tx)
		if err != nil {
			return err
		}
		if p.CentreID != "" && p.CentreID != id.Centre.ID {
			return fmt.Errorf("page for centre %s, this terminal serves %s", p.CentreID, id.Centre.ID)
		}
		cur, err := getSetting(ctx, tx, KeyCursor)
		if err != nil {
			return err
		}
		ds, err := getSetting(ctx, tx, KeyDatasetID)
		if err != nil {
			return err
		}
		curN, _ := strconv.ParseInt(cur, 10, 64)
		follows := p.After == curN || overlap && p.After <= curN
		if !p.Reset && (!follows || (ds != "" && p.DatasetID != ds)) {
			// A page that does not follow on from what is applied (a stale
			// answer, a page applied twice): skip it; the next pull resumes.
			return fmt.Errorf("page after %d (dataset %s) does not follow cursor %d (dataset %s)", p.After, p.DatasetID, curN, ds)
		}
		if p.Reset {
			out.Reset = true
			if ds != "" {
				// The registry was reset or restored from a copy: it may
				// have lost facts it had acknowledged. Queue every fact of
				// the journal again; it stores each once, by its id.
				if err := requeueJournal(ctx, tx, id.TerminalID); err != nil {
					return fmt.Errorf("reset: %w", err)
				}
				// The other counters' facts it held too.
				if _, err := tx.ExecContext(ctx, "UPDATE foreign_facts SET to_registry = 1"); err != nil {
					return fmt.Errorf("reset: %w", err)
				}
			}
			if !overlap && p.More && len(p.Pickups) >= bulkMinRows {
				if err := startBulk(ctx, tx); err != nil {
					return err
				}
			}
			for _, q := range []string{
				"DELETE FROM pickups",
				// The other counters' facts stay: they happened.
				"DELETE FROM redemptions WHERE local = 0 AND event_id NOT IN (SELECT event_id FROM foreign_facts)",
				"DELETE FROM signing_keys WHERE from_registry = 1",
				"DELETE FROM revoked_codes",
				"DELETE FROM shipments",
				"DELETE FROM locator",
				"DELETE FROM locator_stage",
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("reset: %w", err)
				}
			}
		}
		for _, c := range p.Campaigns {
			if err := putCampaign(ctx, tx, c); err != nil {
				return err
			}
		}
		if p.Locator != nil {
			staged, err := inBulk(ctx, tx)
			if err != nil {
				return err
			}
			if err := applyLocator(ctx, tx, p.Locator, staged); err != nil {
				return err
			}
		}
		for _, c := range p.Centres {
			if _, err := tx.ExecContext(ctx, `INSERT INTO centres(id, name, address, hours, from_registry) VALUES(?, ?, ?, ?, 1)
				ON CONFLICT(id) DO UPDATE SET name = excluded.name, address = excluded.address, hours = excluded.hours, from_registry = 1`,
				c.ID, c.Name, c.Address, c.Hours); err != nil {
				return err
			}
		}
		for _, k := range p.Keys {
			if err := putKey(ctx, tx, k); err != nil {
				return err
			}
		}
		upsert, err := tx.PrepareContext(ctx, upsertPickupSQL)
		if err != nil {
			return err
		}
		defer upsert.Close()
		for _, r := range p.Pickups {
			if _, err := upsert.ExecContext(ctx, pickupArgs(r.Pickup, r.Seq)...); err != nil {
				return fmt.Errorf("store pickup %s: %w", r.Code.Masked(), err)
			}
			out.Pickups++
		}
		for _, r := range p.Reassigned {
			if _, err := tx.ExecContext(ctx, "UPDATE pickups SET centre_id = ?, registry_seq = ? WHERE code = ?", r.CentreID, r.Seq, string(r.Code)); err != nil {
				return err
			}
		}
		for _, code := range p.Revoked {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO revoked_codes(code) VALUES(?)", string(code)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE pickups SET status = 'cancelled' WHERE code = ?", string(code)); err != nil {
				return err
			}
		}
		for _, sh := range p.Shipments {
			// Received already when a counter's reception of it is here.
			if _, err := tx.ExecContext(ctx, `INSERT INTO shipments(id, item, size, qty, sent_at, ref, seq, received_by) VALUES(?, ?, ?, ?, ?, ?, ?,
				coalesce((SELECT event_id FROM stock_moves WHERE kind = 'reception' AND ref = 'shipment ' || ?1 AND delta <> 0 LIMIT 1), ''))
				ON CONFLICT(id) DO UPDATE SET qty = excluded.qty, seq = excluded.seq`, sh.ID, sh.Item, sh.Size, sh.Qty, fmtTime(sh.SentAt), sh.Ref, sh.Seq); err != nil {
				return err
			}
		}
		now := fmtTime(s.Now())
		for _, r := range p.Redemptions {
			n, err := applyRedemption(ctx, tx, r, now)
			if err != nil {
				return err
			}
			out.Redemptions++
			out.Conflicts += n
			if err := confirmByRedemption(ctx, tx, r); err != nil {
				return err
			}
		}
		for _, id := range p.Received {
			if err := confirmEvent(ctx, tx, id); err != nil {
				return err
			}
		}
		src := SourceRegistry
		if overlap {
			src = SourceBundle
		}
		fo, err := ingestFacts(ctx, tx, id, src, p.Facts, s.Now())
		if err != nil {
			return err
		}
		out.Facts, out.Conflicts = fo.New, out.Conflicts+fo.Conflicts
		if !p.More {
			if err := endBulk(ctx, tx); err != nil {
				return err
			}
		}
		for k, v := range map[string]string{KeyCursor: strconv.FormatInt(p.Cursor, 10), KeyDatasetID: p.DatasetID, KeyLastRefresh: now} {
			if err := setSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("apply pull page: %w", err)
	}
	return out, nil
}

// applyRedemption records a handover the registry knows of. This
// terminal's own come back too: they are already here (an undo from
// elsewhere is not possible, so local rows are left as they are). When the
// code then has more than one active handover, each is recorded as a
// conflict; it returns how many conflict rows it added.
func applyRedemption(ctx context.Context, tx *sql.Tx, r Redemption, now string) (int, error) {
	var local int
	err := tx.QueryRowContext(ctx, "SELECT local FROM redemptions WHERE event_id = ?", r.EventID).Scan(&local)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		undone := ""
		if r.Undone {
			undone = "registry"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO redemptions(event_id, code, terminal_id, centre_id, at, glove_size, local, undone_by)
			VALUES(?, ?, ?, ?, ?, ?, 0, ?)`, r.EventID, string(r.Code), r.TerminalID, r.CentreID, fmtTime(r.At), r.GloveSize, undone); err != nil {
			return 0, err
		}
	case err != nil:
		return 0, err
	case local == 0:
		undone := ""
		if r.Undone {
			undone = "registry"
		}
		if _, err := tx.ExecContext(ctx, "UPDATE redemptions SET undone_by = ? WHERE event_id = ? AND local = 0", undone, r.EventID); err != nil {
			return 0, err
		}
	}
	return noteDoubles(ctx, tx, r.Code, now)
}

// requeueJournal puts every journal fact back in the outbox, addressed
// from this terminal.
func requeueJournal(ctx context.Context, tx *sql.Tx, terminalID string) error {
	type entry struct {
		seq      int64
		id, body string
	}
	es, err := sqlkit.Query(ctx, tx, func(r sqlkit.Scanner) (entry, error) {
		var e entry
		err := r.Scan(&e.seq, &e.id, &e.body)
		return e, err
	}, "SELECT seq, id, body FROM journal WHERE id NOT IN (SELECT event_id FROM outbox) ORDER BY seq")
	if err != nil {
		return err
	}
	for _, e := range es {
		var ev pickup.Event
		if err := json.Unmarshal([]byte(e.body), &ev); err != nil {
			return fmt.Errorf("journal entry %d: %w", e.seq, err)
		}
		ev.TerminalID = terminalID
		body, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO outbox(event_id, seq, body) VALUES(?, ?, ?)", e.id, e.seq, string(body)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE journal SET sync_state = 'pending' WHERE id = ?", e.id); err != nil {
			return err
		}
	}
	return nil
}

// confirmByRedemption takes out of the outbox what a pulled redemption
// proves the registry holds: this terminal's handover, and its undo when
// the redemption comes back undone. (A terminal synced only by USB bundles
// learns this way that its facts arrived.)
func confirmByRedemption(ctx context.Context, tx *sql.Tx, r Redemption) error {
	ids := []string{r.EventID}
	if r.Undone {
		undos, err := sqlkit.Strings(ctx, tx, "SELECT id FROM journal WHERE type = 'undo' AND json_extract(body, '$.undoes') = ?", r.EventID)
		if err != nil {
			return err
		}
		ids = append(ids, undos...)
	}
	for _, id := range ids {
		if err := confirmEvent(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// confirmEvent takes a fact the registry holds out of the outbox.
func confirmEvent(ctx context.Context, tx *sql.Tx, id string) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE event_id = ?", id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		_, err = tx.ExecContext(ctx, "UPDATE journal SET sync_state = 'accepted' WHERE id = ? AND sync_state = 'pending'", id)
	}
	return err
}

// CentrePickups calls fn with every pickup of this centre, in no order (the
// drift check digests them as the registry does).
func (s *Store) CentrePickups(ctx context.Context, fn func(pickup.Pickup)) error {
	id, err := s.Identity(ctx)
	if err != nil {
		return err
	}
	return scanPickups(ctx, s.db, "WHERE centre_id = ?", []any{id.Centre.ID}, fn)
}

// CentreDigest returns the drift digest's sums of this centre's pickups,
// kept by every write (internal/rowdigest): a few rows, not the centre's
// pickups.
func (s *Store) CentreDigest(ctx context.Context) (rowdigest.Buckets, error) {
	id, err := s.Identity(ctx)
	if err != nil {
		return nil, err
	}
	b, err := rowdigest.Centre(ctx, s.cq(nil), id.Centre.ID)
	return b, s.classify(err)
}

func scanPickups(ctx context.Context, q querier, where string, args []any, fn func(pickup.Pickup)) error {
	err := sqlkit.Each(ctx, q, func(rows *sql.Rows) error {
		var p pickup.Pickup
		if err := sqlkit.ScanPickup(rows, &p); err != nil {
			return err
		}
		fn(p)
		return nil
	}, `SELECT `+sqlkit.PickupColumns+`
		FROM pickups `+where, args...)
	if err != nil {
		return fmt.Errorf("read pickups: %w", err)
	}
	return nil
}

// ReplaceBucket makes this centre's pickups whose code starts with prefix
// exactly rows (a drift repair): rows missing from the registry's list are
// removed, the others stored.
func (s *Store) ReplaceBucket(ctx context.Context, prefix string, rows []PickupRow) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		id, err := identity(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM pickups WHERE centre_id = ? AND substr(code, 1, ?) = ?", id.Centre.ID, len(prefix), prefix); err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, upsertPickupSQL, pickupArgs(r.Pickup, r.Seq)...); err != nil {
				return err
			}
		}
		return nil
	})
}

// NoteSync records a finished sync round: its time and the clock offset
// measured, and clears the last error.
func (s *Store) NoteSync(ctx context.Context, at time.Time, offset time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for k, v := range map[string]string{KeyLastSync: fmtTime(at), KeyClockOffset: strconv.FormatInt(offset.Milliseconds(), 10), KeyLastSyncErr: ""} {
			if err := setSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// SigningKeys returns the registry keys this terminal trusts.
func (s *Store) SigningKeys(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	k, err := keyring(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("read keys: %w", err)
	}
	return k.Keys, nil
}
