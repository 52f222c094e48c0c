package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/pickup-terminal/pickup"
)

// Paths of /v1/. Every call but Time and Enrol is signed (see auth.go).
const (
	PathTime  = "/v1/time"  // GET: the registry's clock, unauthenticated
	PathEnrol = "/v1/enrol" // POST EnrolRequest → EnrolResponse, unauthenticated (the code is the credential)
	// PathEnrolPreview: POST EnrolPreviewRequest → EnrolPreviewResponse,
	// unauthenticated; says the code's centre without using the code up.
	PathEnrolPreview = "/v1/enrol/preview"
	PathPull         = "/v1/pull"    // GET ?dataset=&after=&limit= → PullResponse
	PathPush         = "/v1/push"    // POST PushRequest → PushResponse
	PathDigest       = "/v1/digest"  // GET → DigestResponse
	PathPickups      = "/v1/pickups" // GET ?prefix=&after=&limit= → PickupsResponse (digest repair)
)

// Limits shared by the registry and the client.
const (
	MaxEnrolBody     = 16 << 10  // raw bytes of an enrol request
	MaxPushBody      = 8 << 20   // raw (usually gzip) bytes of a push request
	MaxDecodedBody   = 16 << 20  // bytes of a push body after gunzip (MaxPushEvents of the largest valid events)
	MaxResponseBody  = 128 << 20 // bytes of any response body after gunzip
	MaxPushEvents    = 5000      // events in one push
	DefaultPushBatch = 1000      // what a client should send at once
	DefaultPullLimit = 2000      // rows in a page when the client does not say
	MaxPullLimit     = 10000     // rows in a page at most
	MaxPickupsLimit  = 10000     // rows in a repair listing at most
)

// Result is the registry's answer for one pushed event.
type Result string

// Push results. Every one is definite: the client removes the outbox entry.
const (
	// ResultAccepted: stored now, no other handover of this code was known.
	ResultAccepted Result = "accepted"
	// ResultDuplicate: this event id was already stored; Stored and Earlier
	// repeat what was answered the first time.
	ResultDuplicate Result = "duplicate"
	// ResultConflict: stored now, but the code had already been handed over
	// (Earlier says where and when): a double handover. The registry keeps
	// both records; it never refuses a well-formed fact.
	ResultConflict Result = "conflict"
	// ResultFlagged: stored now, but the fact fails the registry's checks
	// (Flag says which): it is kept for the record and shows in the
	// registry's report, but changes nothing — a flagged handover does not
	// mark the code collected, a flagged undo undoes nothing.
	ResultFlagged Result = "flagged"
)

// Flags: why a fact was recorded as flagged.
const (
	FlagUnknownCode     = "unknown_code"      // no such code at the registry
	FlagWrongCentre     = "wrong_centre"      // the code belongs to another centre (and was not moved from this one)
	FlagCancelled       = "cancelled"         // the pickup was cancelled
	FlagRevoked         = "revoked"           // the code was revoked
	FlagBadSignature    = "bad_signature"     // on_signature, but the payload is not a valid registry signature of this code
	FlagTimeOutOfRange  = "time_out_of_range" // the fact's time is not plausible (far future, or before any campaign)
	FlagOutsideWindow   = "outside_window"    // a handover dated outside the code's pickup window (a day's slack either side)
	FlagUndoNotRecorder = "undo_not_recorder" // an undo from a terminal other than the one that recorded the handover
	FlagUndoTooLate     = "undo_too_late"     // an undo outside the undo window, by the terminal's or the registry's clock
	FlagRevokedTerminal = "revoked_terminal"  // recorded under a revoked identity, pushed after re-enrolment
)

// MaxUndoWindow is the longest undo window the registry honours, on the
// terminal's clock (undo time − handover time) and on its own (undo
// received − handover received, when they arrived apart).
const MaxUndoWindow = pickup.MaxUndoWindow

// MaxEarlier bounds PushResult.Earlier: the first handovers of the code.
const MaxEarlier = 10

// TimeResponse answers GET /v1/time.
type TimeResponse struct {
	ServerTime time.Time `json:"server_time"`
}

// EnrolRequest is the body of POST /v1/enrol.
type EnrolRequest struct {
	// EnrolmentCode as printed by `pickup-registry terminal enrol`; the
	// optional "@pin" suffix may be left on or off.
	EnrolmentCode string `json:"enrolment_code"`
	// RequestID is a random UUID chosen by the terminal once per enrolment
	// attempt: repeating the same request (after a lost answer) returns the
	// same credentials, while another terminal using the code is refused.
	RequestID string `json:"request_id"`
	// Hostname and ClientVersion help the technician recognise the terminal.
	Hostname      string `json:"hostname,omitempty"`
	ClientVersion string `json:"client_version,omitempty"`
}

// Validate checks an enrolment request's shape.
func (r *EnrolRequest) Validate() error {
	if _, err := ParseEnrolmentCode(r.EnrolmentCode); err != nil {
		return err
	}
	if !validUUID(r.RequestID) {
		return fmt.Errorf("request_id %q is not a UUID", r.RequestID)
	}
	if len(r.Hostname) > 128 || len(r.ClientVersion) > 64 || !printable(r.Hostname) || !printable(r.ClientVersion) {
		return errors.New("hostname or client_version too long or not printable")
	}
	return nil
}

// SigningKey is one of the registry's Ed25519 public keys, by key id. Several
// are valid at once after a rotation; Current marks the one new codes are
// signed with.
type SigningKey struct {
	KeyID     string    `json:"key_id"`
	PublicKey []byte    `json:"public_key"` // 32 bytes, base64 in JSON
	Current   bool      `json:"current,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Seq       int64     `json:"seq,omitempty"`
}

// EnrolResponse gives an enrolled terminal everything it keeps.
type EnrolResponse struct {
	TerminalID string        `json:"terminal_id"`
	Secret     []byte        `json:"secret"` // 32 bytes, base64 in JSON; signs every call
	Centre     pickup.Centre `json:"centre"`
	Keys       []SigningKey  `json:"keys"`
	DatasetID  string        `json:"dataset_id"`
	// TLSPin is the CertPin of the registry's TLS certificate when it serves
	// TLS; the terminal pins it from now on.
	TLSPin     string    `json:"tls_pin,omitempty"`
	ServerTime time.Time `json:"server_time"`
}

// Credentials returns what a Client needs to sign calls.
func (r *EnrolResponse) Credentials() Credentials {
	return Credentials{TerminalID: r.TerminalID, CentreID: r.Centre.ID, Secret: r.Secret}
}

// Validate checks an enrolment answer's shape.
func (r *EnrolResponse) Validate() error {
	switch {
	case !pickup.ValidID(r.TerminalID):
		return fmt.Errorf("terminal_id %q invalid", r.TerminalID)
	case len(r.Secret) < 16 || len(r.Secret) > 64:
		return errors.New("secret has a wrong length")
	case !pickup.ValidID(r.Centre.ID):
		return fmt.Errorf("centre id %q invalid", r.Centre.ID)
	case !pickup.ValidID(r.DatasetID):
		return fmt.Errorf("dataset_id %q invalid", r.DatasetID)
	}
	return validateKeys(r.Keys)
}

// PullRequest is the query of GET /v1/pull.
type PullRequest struct {
	// DatasetID the terminal holds; empty on the first pull. When it differs
	// from the registry's, the page starts from 0 with Reset set.
	DatasetID string
	// After is the cursor: the Cursor of the last page applied (0 at first).
	After int64
	// Limit bounds the rows of the page (DefaultPullLimit when 0); the
	// locator's entries, 10 bytes each, are bounded apart, at four times
	// Limit.
	Limit int
	// Pending, when not nil, is how many facts the terminal holds that
	// the registry has not acknowledged (its outbox after the round's
	// push), for the registry's list of terminals; sent with the first
	// page of a round. Optional: a registry that predates it refuses the
	// parameter, and Client then asks again without it.
	Pending *int
}

// Query encodes r as a URL query.
func (r PullRequest) Query() url.Values {
	q := url.Values{}
	if r.DatasetID != "" {
		q.Set("dataset", r.DatasetID)
	}
	q.Set("after", strconv.FormatInt(r.After, 10))
	if r.Limit != 0 {
		q.Set("limit", strconv.Itoa(r.Limit))
	}
	if r.Pending != nil {
		q.Set("pending", strconv.Itoa(*r.Pending))
	}
	return q
}

// ParsePullQuery decodes and checks the query of GET /v1/pull. Unknown or
// repeated parameters are refused.
func ParsePullQuery(q url.Values) (PullRequest, error) {
	var r PullRequest
	if err := onlyParams(q, "dataset", "after", "limit", "pending"); err != nil {
		return r, err
	}
	if v := q.Get("dataset"); v != "" {
		if !pickup.ValidID(v) {
			return r, fmt.Errorf("dataset %q invalid", v)
		}
		r.DatasetID = v
	}
	var err error
	if r.After, err = int64Param(q, "after", 0, 1<<62); err != nil {
		return r, err
	}
	l, err := int64Param(q, "limit", 0, MaxPullLimit)
	if err != nil {
		return r, err
	}
	r.Limit = int(l)
	if q.Has("pending") {
		n, err := int64Param(q, "pending", 0, MaxPending)
		if err != nil {
			return r, err
		}
		p := int(n)
		r.Pending = &p
	}
	return r, nil
}

// MaxPending bounds the pending count a pull may report.
const MaxPending = 1 << 30

// PickupRow is a pickup as the registry holds it, with the sequence of its
// last change. Status cancelled means the request was withdrawn.
type PickupRow struct {
	pickup.Pickup
	Seq int64 `json:"seq"`
}

// Reassignment says a pickup of this centre moved to another centre. The
// terminal keeps the row (display name and all) with the new centre id, so
// that its holder gets the wrong_centre answer with the directory entry.
type Reassignment struct {
	Code     pickup.Code `json:"code"`
	CentreID string      `json:"centre_id"` // the new centre
	Seq      int64       `json:"seq"`
}

// Redemption is a handover recorded by a terminal (possibly this one), of a
// code of this centre or at this centre. It comes again with Undone set
// when the handover was undone.
type Redemption struct {
	EventID     string      `json:"event_id"`
	Code        pickup.Code `json:"code"`
	TerminalID  string      `json:"terminal_id"`
	CentreID    string      `json:"centre_id"` // where it was handed over
	At          time.Time   `json:"at"`        // the recording terminal's clock
	GloveSize   string      `json:"glove_size,omitempty"`
	OnSignature bool        `json:"on_signature,omitempty"`
	Undone      bool        `json:"undone"`
	Seq         int64       `json:"seq"`
}

// Collection returns the redemption as a domain collection.
func (r Redemption) Collection() pickup.Collection {
	return pickup.Collection{EventID: r.EventID, At: r.At, TerminalID: r.TerminalID, CentreID: r.CentreID, GloveSize: r.GloveSize}
}

// ReceivedFact says the registry holds a fact of this centre's terminals
// other than a handover (an undo, a stock reception or count): a terminal
// synced only by USB stick learns from it that the fact arrived and may
// leave its outbox. (Handovers are confirmed by their Redemption.)
type ReceivedFact struct {
	EventID    string           `json:"event_id"`
	TerminalID string           `json:"terminal_id"`
	Type       pickup.EventType `json:"type"`
	Seq        int64            `json:"seq"`
}

// Fact is a fact recorded at one of the centre's terminals, as the
// registry holds it, and its sequence.
type Fact struct {
	pickup.Event
	Seq int64 `json:"seq"`
}

// CampaignRow is a campaign definition and the sequence of its last change.
type CampaignRow struct {
	Campaign *pickup.Campaign `json:"campaign"`
	Seq      int64            `json:"seq"`
}

// CentreRow is a directory entry (every centre, for the wrong-centre answer).
type CentreRow struct {
	pickup.Centre
	Seq int64 `json:"seq"`
}

// Shipment is stock sent to this centre from a storage site.
type Shipment struct {
	ID       string    `json:"id"`
	CentreID string    `json:"centre_id"`
	Item     string    `json:"item"`
	Size     string    `json:"size,omitempty"`
	Qty      int       `json:"qty"`
	SentAt   time.Time `json:"sent_at"`
	Ref      string    `json:"ref,omitempty"`
	Seq      int64     `json:"seq"`
}

// RevokedCode is a code the registry revoked: its signed payload is refused
// and the pickup is cancelled.
type RevokedCode struct {
	Code pickup.Code `json:"code"`
	At   time.Time   `json:"at"`
	Seq  int64       `json:"seq"`
}

// LocatorEntrySize is the size of one entry of Locator.Entries.
const LocatorEntrySize = 10

// LocatorGone is the centre index of an entry whose code no longer
// resolves to another centre (cancelled, or moved to the pulling centre).
const LocatorGone = 0xFFFF

// Locator carries, for every code of another centre changed in (After,
// Cursor], just enough to name its centre: Entries is LocatorEntrySize
// bytes per code, the 8 bytes of pickup.LocatorHash(Key, code) then a
// big-endian 2-byte index into Centres (LocatorGone: forget this hash).
// Entries are in sequence order; a later one for a hash replaces an
// earlier one.
type Locator struct {
	Key     []byte   `json:"key"`
	Centres []string `json:"centres,omitempty"`
	Entries []byte   `json:"entries,omitempty"`
}

// Len returns the number of entries.
func (l *Locator) Len() int {
	if l == nil {
		return 0
	}
	return len(l.Entries) / LocatorEntrySize
}

// Entry returns the i-th entry: its hash and its centre index.
func (l *Locator) Entry(i int) (int64, int) {
	e := l.Entries[i*LocatorEntrySize:]
	return int64(binary.BigEndian.Uint64(e)), int(binary.BigEndian.Uint16(e[8:]))
}

// Validate checks a locator's shape.
func (l *Locator) Validate() error {
	if len(l.Key) != pickup.LocatorKeySize {
		return errors.New("locator: key has a wrong length")
	}
	if len(l.Entries)%LocatorEntrySize != 0 || len(l.Centres) >= LocatorGone {
		return errors.New("locator: entries or centres of a wrong size")
	}
	for _, c := range l.Centres {
		if !pickup.ValidID(c) {
			return fmt.Errorf("locator: centre %q invalid", c)
		}
	}
	for i := range l.Len() {
		if _, c := l.Entry(i); c != LocatorGone && c >= len(l.Centres) {
			return fmt.Errorf("locator: entry %d names centre %d of %d", i, c, len(l.Centres))
		}
	}
	return nil
}

// PullResponse is one page of what changed for the terminal's centre, every
// row with After < Seq <= Cursor, each list ordered by Seq. The terminal
// applies it and stores Cursor (and DatasetID) in one transaction.
type PullResponse struct {
	DatasetID string `json:"dataset_id"`
	CentreID  string `json:"centre_id"`
	// Reset: the terminal's dataset id was empty or differs, or its cursor
	// lies beyond the registry's head (a restored registry): this page
	// starts from 0 and the terminal must first drop every row it got from
	// the registry (keeping its own unsent facts), then apply the page.
	Reset  bool  `json:"reset"`
	After  int64 `json:"after"`  // the cursor this page starts after (0 when Reset)
	Cursor int64 `json:"cursor"` // store this; send it as After next time
	More   bool  `json:"more"`   // pull again at once: the head is not reached

	Pickups     []PickupRow    `json:"pickups,omitempty"`
	Reassigned  []Reassignment `json:"reassigned,omitempty"`
	Redemptions []Redemption   `json:"redemptions,omitempty"`
	Received    []ReceivedFact `json:"received,omitempty"`
	Campaigns   []CampaignRow  `json:"campaigns,omitempty"`
	Centres     []CentreRow    `json:"centres,omitempty"`
	Shipments   []Shipment     `json:"shipments,omitempty"`
	Keys        []SigningKey   `json:"keys,omitempty"`
	Revoked     []RevokedCode  `json:"revoked,omitempty"`

	// Facts are the facts recorded at this centre's terminals, each once
	// by sequence (a handover again when undone): a terminal applies the
	// other terminals' facts to the one centre stock and redemptions, and
	// skips its own. Optional: older registries do not send them.
	Facts []Fact `json:"facts,omitempty"`

	// Locator is the page's part of the national code locator: the codes
	// of other centres that changed, each only as a keyed hash and its
	// centre, at most four times the page's limit of rows. Optional: older
	// registries do not send it.
	Locator *Locator `json:"locator,omitempty"`

	// Weeks are the centre's coming weeks in the registry's schedule, on
	// the last page of a pull (More false); a terminal keeps the last it
	// received. Optional: older registries do not send them.
	Weeks []pickup.WeekPlan `json:"weeks,omitempty"`

	// RecommendedVersion is the counter version the registry's operator
	// recommends, on the last page of a pull; a terminal keeps the last it
	// received and tells its technician when it runs an older one (nothing
	// installs by itself). Optional: empty when none is set.
	RecommendedVersion string `json:"recommended_version,omitempty"`

	// PeerKey is the key the centre's counters authenticate each other
	// with on the LAN, and PeerEpoch its epoch (the centre's revoked
	// terminals: a revocation changes both), on the last page of a pull.
	// Optional: older registries do not send it.
	PeerKey   []byte `json:"peer_key,omitempty"`
	PeerEpoch int64  `json:"peer_epoch,omitempty"`

	ServerTime time.Time `json:"server_time"`
}

// Rows returns the number of rows the page carries.
func (p *PullResponse) Rows() int {
	return len(p.Pickups) + len(p.Reassigned) + len(p.Redemptions) + len(p.Received) + len(p.Campaigns) + len(p.Centres) +
		len(p.Shipments) + len(p.Keys) + len(p.Revoked) + len(p.Facts) + p.Locator.Len()
}

// Validate checks a page's shape: ids, codes, and that every sequence lies
// in (After, Cursor] in increasing order within each list.
func (p *PullResponse) Validate() error {
	if !pickup.ValidID(p.DatasetID) || !pickup.ValidID(p.CentreID) {
		return errors.New("page: dataset_id or centre_id invalid")
	}
	if p.After < 0 || p.Cursor < p.After || p.Reset && p.After != 0 {
		return fmt.Errorf("page: cursor %d after %d invalid", p.Cursor, p.After)
	}
	c := &pageCheck{p: p}
	rows(c, "pickups", p.Pickups, func(r *PickupRow) int64 { return r.Seq }, func(i int, r *PickupRow) {
		c.code("pickups", i, r.Code)
		c.id("pickups", i, r.CentreID, r.ParcelKind)
		if !r.Window.Valid() {
			c.errorf("page: pickups[%d] window invalid", i)
		}
		switch r.Status {
		case pickup.StatusExpected, pickup.StatusCollected, pickup.StatusCancelled:
		default:
			c.errorf("page: pickups[%d] status %q invalid", i, r.Status)
		}
	})
	rows(c, "reassigned", p.Reassigned, func(r *Reassignment) int64 { return r.Seq }, func(i int, r *Reassignment) {
		c.code("reassigned", i, r.Code)
		c.id("reassigned", i, r.CentreID)
	})
	rows(c, "redemptions", p.Redemptions, func(r *Redemption) int64 { return r.Seq }, func(i int, r *Redemption) {
		c.code("redemptions", i, r.Code)
		c.id("redemptions", i, r.TerminalID, r.CentreID)
		c.eventID("redemptions", i, r.EventID)
	})
	rows(c, "received", p.Received, func(r *ReceivedFact) int64 { return r.Seq }, func(i int, r *ReceivedFact) {
		c.id("received", i, r.TerminalID)
		c.eventID("received", i, r.EventID)
	})
	rows(c, "campaigns", p.Campaigns, func(r *CampaignRow) int64 { return r.Seq }, func(i int, r *CampaignRow) {
		if r.Campaign == nil {
			c.errorf("page: campaigns[%d] empty", i)
		} else if err := r.Campaign.Validate(); err != nil {
			c.errorf("page: campaigns[%d]: %w", i, err)
		}
	})
	rows(c, "centres", p.Centres, func(r *CentreRow) int64 { return r.Seq }, func(i int, r *CentreRow) {
		c.id("centres", i, r.ID)
	})
	rows(c, "shipments", p.Shipments, func(r *Shipment) int64 { return r.Seq }, func(i int, r *Shipment) {
		c.id("shipments", i, r.ID, r.CentreID, r.Item)
	})
	rows(c, "keys", p.Keys, func(r *SigningKey) int64 { return r.Seq }, nil)
	if err := validateKeys(p.Keys); err != nil {
		c.errorf("page: %w", err)
	}
	rows(c, "revoked", p.Revoked, func(r *RevokedCode) int64 { return r.Seq }, func(i int, r *RevokedCode) {
		c.code("revoked", i, r.Code)
	})
	rows(c, "facts", p.Facts, func(f *Fact) int64 { return f.Seq }, func(i int, f *Fact) {
		if err := f.Validate(); err != nil {
			c.errorf("page: facts[%d]: %w", i, err)
		} else if f.CentreID != p.CentreID {
			c.errorf("page: facts[%d] of centre %q", i, f.CentreID)
		}
	})
	if p.Locator != nil {
		if err := p.Locator.Validate(); err != nil {
			c.errorf("page: %w", err)
		}
	}
	if err := pickup.ValidateWeekPlans(p.Weeks); err != nil {
		c.errorf("page: weeks: %w", err)
	}
	if p.PeerKey != nil && len(p.PeerKey) != 32 || p.PeerEpoch < 0 {
		c.errs = append(c.errs, errors.New("page: peer_key or peer_epoch invalid"))
	}
	if p.RecommendedVersion != "" && !ValidVersion(p.RecommendedVersion) {
		c.errorf("page: recommended_version %q invalid", p.RecommendedVersion)
	}
	return errors.Join(c.errs...)
}

// pageCheck gathers what is wrong with a page.
type pageCheck struct {
	p    *PullResponse
	errs []error
}

func (c *pageCheck) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// rows checks that the sequences of a page's list lie in (After, Cursor]
// in increasing order, and calls each (unless nil) for every row.
func rows[T any](c *pageCheck, list string, rs []T, seq func(*T) int64, each func(i int, r *T)) {
	var prev int64
	for i := range rs {
		r := &rs[i]
		s := seq(r)
		if s <= c.p.After || s > c.p.Cursor || s <= prev {
			c.errorf("page: %s[%d] seq %d out of order or outside (%d, %d]", list, i, s, c.p.After, c.p.Cursor)
		}
		prev = s
		if each != nil {
			each(i, r)
		}
	}
}

func (c *pageCheck) code(list string, i int, code pickup.Code) {
	if got, err := pickup.ParseCode(string(code)); err != nil || got != code {
		c.errorf("page: %s[%d] code not canonical", list, i)
	}
}

func (c *pageCheck) id(list string, i int, ids ...string) {
	for _, s := range ids {
		if !pickup.ValidID(s) {
			c.errorf("page: %s[%d] id %q invalid", list, i, s)
		}
	}
}

func (c *pageCheck) eventID(list string, i int, id string) {
	if !validUUID(id) {
		c.errorf("page: %s[%d] event_id invalid", list, i)
	}
}

// ValidVersion reports whether v looks like a Pickup version: 1 to 64 of
// digits, letters and . + ~ -, starting with a digit ("0.2.0",
// "0.2.0~git120.ab12cd3").
func ValidVersion(v string) bool {
	return v != "" && len(v) <= 64 && v[0] >= '0' && v[0] <= '9' && pickup.AlnumOr(v, ".+~-")
}

// PushRequest is the body of POST /v1/push: facts recorded by the calling
// terminal, oldest first.
type PushRequest struct {
	Events []pickup.Event `json:"events"`
}

// Validate checks a push: 1 to MaxPushEvents well-formed events with
// distinct ids. It does not check who sent them (the registry does).
func (r *PushRequest) Validate() error {
	if len(r.Events) == 0 || len(r.Events) > MaxPushEvents {
		return fmt.Errorf("push: %d events, want 1 to %d", len(r.Events), MaxPushEvents)
	}
	seen := make(map[string]bool, len(r.Events))
	for i, e := range r.Events {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("push: event %d: %w", i, err)
		}
		if !validUUID(e.ID) || e.Type == pickup.EventUndo && !validUUID(e.Undoes) {
			return fmt.Errorf("push: event %d: id is not a UUID", i)
		}
		if seen[e.ID] {
			return fmt.Errorf("push: event %d: id repeated in the batch", i)
		}
		seen[e.ID] = true
	}
	return nil
}

// PushResult is the registry's answer for one event, in request order.
type PushResult struct {
	ID     string `json:"id"`
	Result Result `json:"result"`
	// Stored is the first answer (accepted or conflict), for a duplicate.
	Stored Result `json:"stored,omitempty"`
	// Earlier lists where and when the code had already been handed over,
	// for a conflict (and a duplicate of one): the first MaxEarlier.
	Earlier []pickup.Collection `json:"earlier,omitempty"`
	// Flag says why a fact was flagged (ResultFlagged, or Stored for a
	// duplicate of one).
	Flag string `json:"flag,omitempty"`
}

// PushResponse answers POST /v1/push: one result per event, in order.
type PushResponse struct {
	Results    []PushResult `json:"results"`
	ServerTime time.Time    `json:"server_time"`
}

// Validate checks that the answer matches the request event for event.
func (r *PushResponse) Validate(req *PushRequest) error {
	if len(r.Results) != len(req.Events) {
		return fmt.Errorf("push answer: %d results for %d events", len(r.Results), len(req.Events))
	}
	for i, res := range r.Results {
		if res.ID != req.Events[i].ID {
			return fmt.Errorf("push answer: result %d is for another event", i)
		}
		switch res.Result {
		case ResultAccepted, ResultConflict, ResultDuplicate, ResultFlagged:
		default:
			return fmt.Errorf("push answer: result %d: %q unknown", i, res.Result)
		}
	}
	return nil
}

// DigestBucket is the digest of the centre's pickups whose code starts with
// Prefix (one character of pickup.Alphabet).
type DigestBucket struct {
	Prefix string `json:"prefix"`
	Count  int64  `json:"count"`
	Digest string `json:"digest"`
}

// DigestResponse answers GET /v1/digest: the order-independent digest of
// every pickup of the centre (see Digest) as of Cursor.
type DigestResponse struct {
	DatasetID  string         `json:"dataset_id"`
	CentreID   string         `json:"centre_id"`
	Cursor     int64          `json:"cursor"`
	Count      int64          `json:"count"`
	Digest     string         `json:"digest"`
	Buckets    []DigestBucket `json:"buckets"` // the non-empty buckets, by prefix
	ServerTime time.Time      `json:"server_time"`
}

// PickupsRequest is the query of GET /v1/pickups: the centre's current
// pickups whose code starts with Prefix, after the code After, by code.
type PickupsRequest struct {
	Prefix string
	After  pickup.Code
	Limit  int
}

// Query encodes r as a URL query.
func (r PickupsRequest) Query() url.Values {
	q := url.Values{}
	if r.Prefix != "" {
		q.Set("prefix", r.Prefix)
	}
	if r.After != "" {
		q.Set("after", string(r.After))
	}
	if r.Limit != 0 {
		q.Set("limit", strconv.Itoa(r.Limit))
	}
	return q
}

// ParsePickupsQuery decodes and checks the query of GET /v1/pickups.
func ParsePickupsQuery(q url.Values) (PickupsRequest, error) {
	var r PickupsRequest
	if err := onlyParams(q, "prefix", "after", "limit"); err != nil {
		return r, err
	}
	r.Prefix = q.Get("prefix")
	if len(r.Prefix) > 4 {
		return r, errors.New("prefix longer than 4")
	}
	for i := 0; i < len(r.Prefix); i++ {
		if !isAlphabet(r.Prefix[i]) {
			return r, fmt.Errorf("prefix %q: not in the code alphabet", r.Prefix)
		}
	}
	if a := q.Get("after"); a != "" {
		c, err := pickup.ParseCode(a)
		if err != nil || string(c) != a {
			return r, errors.New("after: not a canonical code")
		}
		r.After = c
	}
	l, err := int64Param(q, "limit", 0, MaxPickupsLimit)
	r.Limit = int(l)
	return r, err
}

// PickupsResponse answers GET /v1/pickups.
type PickupsResponse struct {
	Pickups    []PickupRow `json:"pickups"`
	More       bool        `json:"more"`
	Cursor     int64       `json:"cursor"` // the registry's head when listed
	ServerTime time.Time   `json:"server_time"`
}

func onlyParams(q url.Values, allowed ...string) error {
	for k, v := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return fmt.Errorf("unknown parameter %q", k)
		}
		if len(v) != 1 {
			return fmt.Errorf("parameter %q repeated", k)
		}
	}
	return nil
}

func int64Param(q url.Values, name string, lo, hi int64) (int64, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%s %q: want an integer from %d to %d", name, s, lo, hi)
	}
	return v, nil
}

func validateKeys(keys []SigningKey) error {
	for i, k := range keys {
		if !pickup.ValidID(k.KeyID) || len(k.PublicKey) != 32 {
			return fmt.Errorf("keys[%d] invalid", i)
		}
	}
	return nil
}

func isAlphabet(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U'
}

// validUUID reports whether s looks like a UUID: 36 characters, hex digits
// and dashes at 8, 13, 18 and 23.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
