// Package client is the terminal's side of sync: enrolment, a sync round
// (push the outbox, then pull to the head, then check for drift) and the
// background loop that notices by itself when the link goes and comes back,
// backing off exponentially with jitter; USB bundle export and import; and
// the one explanation of a failed round (Explain) that the command line and
// the counter window both show. It speaks the wire protocol of
// sync/protocol and translates it into the store's domain types, so the
// store knows nothing of the wire.
package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	stdsync "sync"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Version is sent to the registry at enrolment.
var Version = "dev"

// Preview is what an enrolment code would do to this terminal: the centre
// it enrols into, and Refusal when the terminal would refuse it (set up
// for another centre).
type Preview struct {
	Centre    pickup.Centre
	ExpiresAt time.Time
	Refusal   error
}

// PreviewEnrol asks the registry which centre code enrols into, without
// using the code up, and checks that this terminal would accept it.
func PreviewEnrol(ctx context.Context, s *store.Store, registryURL, code string) (Preview, error) {
	c, err := enrolClient(registryURL, code)
	if err != nil {
		return Preview{}, err
	}
	return preview(ctx, c, s, code)
}

func preview(ctx context.Context, c *protocol.Client, s *store.Store, code string) (Preview, error) {
	r, err := c.PreviewEnrol(ctx, code)
	if err != nil {
		return Preview{}, fmt.Errorf("enrol preview with %s: %w", c.BaseURL, err)
	}
	p := Preview{Centre: r.Centre, ExpiresAt: r.ExpiresAt}
	id, err := s.Identity(ctx)
	switch {
	case errors.Is(err, store.ErrNotInitialised):
	case err != nil:
		return p, err
	case id.Centre.ID != r.Centre.ID:
		p.Refusal = &store.Error{Code: store.CodeAlreadySetUp,
			Msg: fmt.Sprintf("terminal already set up for centre %s; this enrolment is for centre %s (the code was not used: it still enrols a terminal of %s)", id.Centre.ID, r.Centre.ID, r.Centre.ID)}
	}
	return p, nil
}

func enrolClient(registryURL, code string) (*protocol.Client, error) {
	ec, err := protocol.ParseEnrolmentCode(code)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	registryURL = strings.TrimRight(strings.TrimSpace(registryURL), "/")
	c, err := protocol.NewClient(registryURL, protocol.Credentials{}, ec.Pin)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	return c, nil
}

// Enrol trades an enrolment code for credentials and stores them. It
// first asks the registry which centre the code is for (a preview, which
// does not use the code up) and refuses, before the code is used, an
// enrolment the store would refuse: the registry then keeps no terminal
// that never came. A registry too old to preview is enrolled with as
// before. The request id is kept for the retries of this call, so that a
// lost answer does not burn the code.
func Enrol(ctx context.Context, s *store.Store, registryURL, code string) (store.Identity, error) {
	c, err := enrolClient(registryURL, code)
	if err != nil {
		return store.Identity{}, err
	}
	p, err := preview(ctx, c, s, code)
	var pe *protocol.Error
	switch {
	case err == nil && p.Refusal != nil:
		return store.Identity{}, p.Refusal
	case errors.As(err, &pe) && pe.Code == protocol.CodeNotFound:
		// An older registry without preview.
	case err != nil:
		return store.Identity{}, err
	}
	reqID, err := protocol.NewRequestID(nil)
	if err != nil {
		return store.Identity{}, err
	}
	host, _ := os.Hostname()
	var resp *protocol.EnrolResponse
	for attempt := 0; ; attempt++ {
		resp, err = c.Enrol(ctx, code, reqID, host, Version)
		var pe *protocol.Error
		if err == nil || errors.As(err, &pe) || attempt >= 3 {
			break
		}
		select { // a network error: the same request id may be retried safely
		case <-ctx.Done():
			return store.Identity{}, ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 500 * time.Millisecond):
		}
	}
	if err != nil {
		return store.Identity{}, fmt.Errorf("enrol with %s: %w", c.BaseURL, err)
	}
	return s.Enrol(ctx, c.BaseURL, storeEnrolment(resp))
}

// Report says what one sync round moved.
type Report struct {
	Pushed     int      `json:"pushed"`
	Accepted   int      `json:"accepted"`
	Duplicate  int      `json:"duplicate"`
	Conflicts  int      `json:"conflicts"`
	Pages      int      `json:"pages"`
	Pulled     int      `json:"pulled_pickups"`
	Redeemed   int      `json:"pulled_handovers"`
	NewDoubles int      `json:"new_double_handovers"`
	Reset      bool     `json:"reset"` // the registry was reset or restored: full resync
	Cursor     int64    `json:"cursor"`
	Pending    int      `json:"pending_upload"`
	Repaired   []string `json:"repaired_buckets,omitempty"`
	// ClockSkew is the registry's clock minus this terminal's.
	ClockSkew   time.Duration `json:"-"`
	ClockSkewMS int64         `json:"clock_skew_ms"`
	AtHead      bool          `json:"at_head"`
	// DriftChecked: this round compared digests with the registry.
	DriftChecked bool `json:"drift_checked"`
	// RecommendedVersion is the counter version the registry recommends
	// ("" when none); the store keeps it under KeyRecommendedVersion.
	RecommendedVersion string `json:"recommended_version,omitempty"`
}

// KeyRecommendedVersion is the store setting holding the counter version
// the registry recommended at the last pull that reached the head.
const KeyRecommendedVersion = "recommended_version"

// SkewWarning is the clock difference above which a terminal reports skew.
const SkewWarning = time.Minute

// Syncer runs sync rounds for one store.
type Syncer struct {
	Store *store.Store
	// Client overrides the protocol client (tests, proxies); built from the
	// store's settings when nil.
	Client *protocol.Client
	// Log receives sync events (never names or whole codes).
	Log *slog.Logger
	// PushBatch and PullLimit bound one request.
	PushBatch, PullLimit int
	// DriftEvery is how often a round compares digests with the registry
	// (a full read of the centre's pickups on both sides); DefaultDriftEvery
	// when 0, every round when negative.
	DriftEvery time.Duration

	mu      stdsync.Mutex
	state   State
	lastErr error
}

// State is what the status bar shows.
type State struct {
	Enrolled  bool          `json:"enrolled"`
	Online    bool          `json:"online"`
	LastSync  time.Time     `json:"last_sync,omitzero"`
	LastError string        `json:"last_error,omitempty"`
	ClockSkew time.Duration `json:"-"`
	NextTry   time.Time     `json:"next_try,omitzero"`
}

// State returns the latest known sync state.
func (y *Syncer) State() State {
	y.mu.Lock()
	defer y.mu.Unlock()
	return y.state
}

func (y *Syncer) setState(f func(*State)) {
	y.mu.Lock()
	f(&y.state)
	y.mu.Unlock()
}

func (y *Syncer) log() *slog.Logger {
	if y.Log != nil {
		return y.Log
	}
	return slog.Default()
}

func (y *Syncer) client(ctx context.Context) (*protocol.Client, store.SyncConfig, error) {
	cfg, err := y.Store.SyncConfig(ctx)
	if err != nil {
		return nil, cfg, err
	}
	if y.Client != nil {
		y.Client.Creds = credentials(cfg)
		return y.Client, cfg, nil
	}
	c, err := protocol.NewClient(cfg.RegistryURL, credentials(cfg), cfg.Pin)
	if err != nil {
		return nil, cfg, err
	}
	c.SetClockOffset(cfg.ClockOffset)
	c.UserAgent = "pickup/" + Version
	y.Client = c
	return c, cfg, nil
}

// Round pushes every pending fact, pulls to the head and checks for drift.
// It returns an error unless everything pending was pushed and the pull
// reached the head; what moved before the error is in the report.
func (y *Syncer) Round(ctx context.Context) (Report, error) {
	var rep Report
	c, cfg, err := y.client(ctx)
	if err != nil {
		return rep, err
	}
	y.setState(func(s *State) { s.Enrolled = true })
	err = y.round(ctx, c, cfg, &rep)
	if off, ok := c.ClockOffset(); ok {
		rep.ClockSkew, rep.ClockSkewMS = off, off.Milliseconds()
	}
	now := time.Now()
	y.mu.Lock()
	y.lastErr = err
	y.mu.Unlock()
	if err != nil {
		online := !isNetErr(err)
		y.setState(func(s *State) { s.Online, s.LastError, s.ClockSkew = online, err.Error(), rep.ClockSkew })
		if nerr := y.Store.NoteAttempt(ctx, nil, err); nerr != nil {
			y.log().Warn("note sync error", "err", nerr)
		}
		return rep, err
	}
	if err := y.Store.NoteSync(ctx, now, rep.ClockSkew); err != nil {
		return rep, err
	}
	y.setState(func(s *State) { s.Online, s.LastSync, s.LastError, s.ClockSkew = true, now, "", rep.ClockSkew })
	return rep, nil
}

func (y *Syncer) round(ctx context.Context, c *protocol.Client, cfg store.SyncConfig, rep *Report) error {
	if err := y.push(ctx, c, rep); err != nil {
		return err
	}
	rep.Cursor = cfg.Cursor
	// Pull to the head, fetching the next page while this one is applied.
	limit := y.PullLimit
	if limit <= 0 {
		limit = protocol.MaxPullLimit // fewer, larger transactions
	}
	req := protocol.PullRequest{DatasetID: cfg.DatasetID, After: cfg.Cursor, Limit: limit}
	// What the push left in the outbox (facts refused for now, or recorded
	// meanwhile), for the registry's list of terminals.
	if n, err := y.Store.OutboxCount(ctx); err == nil {
		req.Pending = &n
	}
	_, err := c.PullAll(ctx, req,
		func(page *protocol.PullResponse) error {
			out, err := y.Store.ApplyPage(ctx, storePage(page))
			if err != nil {
				return err
			}
			if !page.More && page.Weeks != nil {
				if err := y.Store.SetComingWeeks(ctx, page.Weeks); err != nil {
					return err
				}
			}
			if !page.More && len(page.PeerKey) > 0 {
				if err := y.Store.SetPeerKey(ctx, page.PeerKey, page.PeerEpoch); err != nil {
					return err
				}
			}
			if !page.More {
				rep.RecommendedVersion = page.RecommendedVersion
				if err := y.Store.SetSetting(ctx, KeyRecommendedVersion, page.RecommendedVersion); err != nil {
					return err
				}
			}
			rep.Pages++
			rep.Pulled += out.Pickups
			rep.Redeemed += out.Redemptions
			rep.NewDoubles += out.Conflicts
			rep.Reset = rep.Reset || out.Reset && cfg.DatasetID != "" // a first pull is no reset
			rep.Cursor = page.Cursor
			return nil
		})
	if err != nil {
		// A bulk load the pull started is ended now, so that the counter
		// works from consistent counts and indexes until the next round.
		if ferr := y.Store.FinishLoad(ctx); ferr != nil {
			y.log().Warn("end of bulk load failed", "err", ferr)
		}
		return fmt.Errorf("pull after %d: %w", rep.Cursor, err)
	}
	rep.AtHead = true
	if rep.Reset {
		// A reset queues the journal again for a registry that lost facts.
		if err := y.push(ctx, c, rep); err != nil {
			return err
		}
	}
	pending, err := y.Store.Outbox(ctx, 1)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		// Facts recorded while this round ran go next time.
		st, _ := y.Store.Status(ctx)
		rep.Pending = st.PendingUpload
		return nil
	}
	if !y.driftDue(ctx, cfg, rep) {
		return nil
	}
	if err := y.checkDrift(ctx, c, rep.Cursor, rep); err != nil {
		return err
	}
	rep.DriftChecked = true
	return y.Store.SetSetting(ctx, keyLastDrift, time.Now().UTC().Format(time.RFC3339))
}

// DefaultDriftEvery is how often the digests are compared by default.
const DefaultDriftEvery = time.Hour

const keyLastDrift = "last_drift_check"

// driftDue says whether this round compares digests: when DriftEvery has
// passed since the last comparison, but not right after a full pull (it
// just brought every row), which counts as a comparison.
func (y *Syncer) driftDue(ctx context.Context, cfg store.SyncConfig, rep *Report) bool {
	every := y.DriftEvery
	if every == 0 {
		every = DefaultDriftEvery
	}
	if every < 0 {
		return true
	}
	if cfg.Cursor == 0 || rep.Reset {
		y.Store.SetSetting(ctx, keyLastDrift, time.Now().UTC().Format(time.RFC3339))
		return false
	}
	last, _ := y.Store.Setting(ctx, keyLastDrift)
	t, err := time.Parse(time.RFC3339, last)
	return err != nil || time.Since(t) >= every
}

// push sends the outbox in batches until it is empty.
func (y *Syncer) push(ctx context.Context, c *protocol.Client, rep *Report) error {
	batch := y.PushBatch
	if batch <= 0 {
		batch = protocol.DefaultPushBatch
	}
	// This counter's facts, then the other counters' it holds that the
	// registry may not have (from peers or a bundle).
	outbox, foreign := y.Store.Outbox, false
	for {
		evs, err := outbox(ctx, batch)
		if err != nil {
			return err
		}
		if len(evs) == 0 && !foreign {
			outbox, foreign = y.Store.ForeignOutbox, true
			continue
		}
		if len(evs) == 0 {
			return nil
		}
		req := &protocol.PushRequest{Events: evs}
		res, err := c.Push(ctx, req)
		if err != nil {
			ids := make([]string, len(evs))
			for i, e := range evs {
				ids[i] = e.ID
			}
			if foreign && errors.Is(err, protocol.ErrForbidden) {
				// Facts a peer passed on that the registry will never take
				// (not of a terminal of this centre): not offered again.
				y.log().Warn("registry refused facts passed on by peers", "facts", len(evs))
				return y.Store.ForgetForeignUploads(ctx, ids)
			}
			y.Store.NoteAttempt(ctx, ids, err)
			return fmt.Errorf("push %d facts: %w", len(evs), err)
		}
		out, err := y.Store.ApplyPushResults(ctx, evs, storeAnswers(res))
		if err != nil {
			return err
		}
		rep.Pushed += len(evs)
		rep.Accepted += out.Accepted
		rep.Duplicate += out.Duplicate
		rep.Conflicts += out.Conflict
		y.log().Info("pushed", "facts", len(evs), "accepted", out.Accepted, "duplicate", out.Duplicate, "conflict", out.Conflict, "flagged", out.Flagged)
	}
}

// checkDrift compares the registry's digest of the centre's pickups with
// the local one and repairs the buckets that differ.
func (y *Syncer) checkDrift(ctx context.Context, c *protocol.Client, cursor int64, rep *Report) error {
	// Both sides read their kept sums: read the local one meanwhile.
	type localResult struct {
		d   *protocol.Digest
		err error
	}
	lc := make(chan localResult, 1)
	go func() {
		d, err := LocalDigest(ctx, y.Store)
		lc <- localResult{d, err}
	}()
	d, err := c.Digest(ctx)
	lr := <-lc
	if err != nil {
		return fmt.Errorf("drift check: %w", err)
	}
	if d.Cursor != cursor {
		return nil // the registry moved on meanwhile: check next round
	}
	local, err := lr.d, lr.err
	if err != nil {
		return err
	}
	if local.Hex() == d.Digest && local.Count() == d.Count {
		return nil
	}
	for _, prefix := range protocol.Diff(d.Buckets, local.Buckets()) {
		var rows []protocol.PickupRow
		req := protocol.PickupsRequest{Prefix: prefix}
		for {
			res, err := c.Pickups(ctx, req)
			if err != nil {
				return fmt.Errorf("drift repair %s: %w", prefix, err)
			}
			rows = append(rows, res.Pickups...)
			if !res.More || len(res.Pickups) == 0 {
				break
			}
			req.After = res.Pickups[len(res.Pickups)-1].Code
		}
		if err := y.Store.ReplaceBucket(ctx, prefix, storeRows(rows)); err != nil {
			return err
		}
		rep.Repaired = append(rep.Repaired, prefix)
	}
	y.log().Warn("drift repaired", "buckets", len(rep.Repaired))
	return nil
}

// isNetErr reports whether err means the registry could not be reached
// (rather than a refusal it answered).
func isNetErr(err error) bool {
	var pe *protocol.Error
	return !errors.As(err, &pe)
}

// Backoff bounds the pause between failed rounds.
var (
	MinBackoff = 2 * time.Second
	MaxBackoff = 5 * time.Minute
	// Interval is the pause between successful rounds.
	Interval = 15 * time.Second
)

// Run syncs until ctx ends: a round every Interval while the link works;
// after a failure it waits with exponential backoff and full jitter, so it
// notices by itself when the link comes back. Wake makes it try at once
// (a handover waiting, a technician's button).
func (y *Syncer) Run(ctx context.Context, wake <-chan struct{}) error {
	failures := 0
	for {
		_, err := y.Round(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := Interval
		switch {
		case errors.Is(err, store.ErrNotEnrolled):
			y.setState(func(s *State) { s.Enrolled = false })
			wait = Interval
		case err != nil:
			failures++
			d := MinBackoff << min(failures-1, 16)
			if d > MaxBackoff || d <= 0 {
				d = MaxBackoff
			}
			wait = time.Duration(rand.Int64N(int64(d))) + MinBackoff/2
			y.log().Info("sync failed; retrying", "in", wait.Round(time.Second), "failures", failures, "err", err)
		default:
			failures = 0
		}
		y.setState(func(s *State) { s.NextTry = time.Now().Add(wait) })
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Online reports whether the last round reached the registry (for the
// counter's status bar).
func (y *Syncer) Online() bool {
	s := y.State()
	return s.Enrolled && s.Online
}

// LastFailure explains why the last round failed (the zero Failure while
// it worked), for the counter's status bar.
func (y *Syncer) LastFailure() Failure {
	y.mu.Lock()
	defer y.mu.Unlock()
	return Explain(y.lastErr)
}
