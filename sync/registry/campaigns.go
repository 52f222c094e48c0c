package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// CampaignImport says what importing a campaign file did.
type CampaignImport struct {
	Campaign string `json:"campaign"`
	// Created is true for a new campaign, false for an update of one
	// imported before; Unchanged when the file holds what is stored.
	Created   bool `json:"created"`
	Unchanged bool `json:"unchanged"`
	// Moved counts the pickups whose window changed with their phase's
	// dates (their codes are signed again; terminals receive the new
	// window at their next pull).
	Moved    int       `json:"moved_pickups"`
	Problems []Problem `json:"problems"`
}

// ImportCampaign adds a campaign from its JSON definition (the shape of
// assets/campaigns), or updates one imported before. Every problem of the
// file is reported at once (a *ProblemsError, which is ErrRefused) and
// nothing is stored then. The built-in campaigns cannot be replaced, and an
// update may not drop a phase, profession or parcel kind that requests
// already use. Terminals receive the campaign at their next pull.
func (reg *Registry) ImportCampaign(ctx context.Context, r io.Reader) (CampaignImport, error) {
	res := CampaignImport{Problems: []Problem{}}
	b, err := io.ReadAll(io.LimitReader(r, MaxCampaignFile+1))
	if err != nil {
		return res, fmt.Errorf("import campaign: read: %w", err)
	}
	c, probs := ParseCampaignFile(b)
	if len(probs) > 0 {
		res.Problems = probs
		return res, fmt.Errorf("import campaign: %w", &ProblemsError{What: "campaign file", Problems: probs})
	}
	res.Campaign = c.ID
	def, err := json.Marshal(c)
	if err != nil {
		return res, fmt.Errorf("import campaign: %w", err)
	}
	err = reg.write(ctx, func(tx *wtx) error {
		var oldDef string
		var builtin bool
		err := tx.QueryRowContext(ctx, "SELECT definition, builtin FROM campaigns WHERE id = ?", c.ID).Scan(&oldDef, &builtin)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res.Created = true
			_, err = tx.ExecContext(ctx, "INSERT INTO campaigns (id, definition, builtin, seq, imported_at) VALUES (?, ?, 0, ?, ?)",
				c.ID, string(def), tx.next(), fmtTime(reg.now()))
			return err
		case err != nil:
			return err
		case builtin:
			return &ProblemsError{What: "campaign file", Problems: []Problem{problemOf(1, "id", "campaign.builtin", "id", fmt.Sprintf("%q", c.ID))}}
		case oldDef == string(def):
			res.Unchanged = true
			return nil
		}
		if probs := reg.checkUpdate(ctx, tx, c); len(probs) > 0 {
			return &ProblemsError{What: "campaign file", Problems: probs}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE campaigns SET definition = ?, seq = ?, imported_at = ? WHERE id = ?",
			string(def), tx.next(), fmtTime(reg.now()), c.ID); err != nil {
			return err
		}
		res.Moved, err = reg.movePhases(ctx, tx, c)
		return err
	})
	if err != nil {
		var pe *ProblemsError
		if errors.As(err, &pe) {
			res.Problems = pe.Problems
		}
		return res, fmt.Errorf("import campaign: %w", err)
	}
	reg.Log.Info("campaign imported", "campaign", c.ID, "created", res.Created, "moved", res.Moved)
	return res, nil
}

// checkUpdate lists what an update would orphan: phases, professions and
// parcel kinds that stored requests use.
func (reg *Registry) checkUpdate(ctx context.Context, tx *wtx, c *pickup.Campaign) []Problem {
	var probs []Problem
	err := sqlkit.Each(ctx, tx, func(rows *sql.Rows) error {
		var phase, prof, kind string
		var n int
		if err := rows.Scan(&phase, &prof, &kind, &n); err != nil {
			return err
		}
		if _, ok := c.Phase(phase); !ok && phase != "" {
			probs = append(probs, problemOf(1, "phases", "campaign.in_use", "kind", "@noun.phase", "id", fmt.Sprintf("%q", phase), "n", fmt.Sprint(n)))
		}
		if _, ok := c.Profession(prof); !ok {
			probs = append(probs, problemOf(1, "professions", "campaign.in_use", "kind", "@noun.profession", "id", fmt.Sprintf("%q", prof), "n", fmt.Sprint(n)))
		}
		if _, ok := c.ParcelKind(kind); !ok {
			probs = append(probs, problemOf(1, "parcel_kinds", "campaign.in_use", "kind", "@noun.parcel_kind", "id", fmt.Sprintf("%q", kind), "n", fmt.Sprint(n)))
		}
		return nil
	}, `SELECT phase, profession, parcel_kind, count(*) FROM pickups WHERE campaign_id = ?
		GROUP BY phase, profession, parcel_kind`, c.ID)
	if err != nil {
		return []Problem{{Message: err.Error()}}
	}
	return probs
}

// movePhases gives the campaign's pickups the pickup window of their phase
// where it changed, signing their codes again.
func (reg *Registry) movePhases(ctx context.Context, tx *wtx, c *pickup.Campaign) (int, error) {
	sign, err := reg.currentSigner(ctx, tx)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, ph := range c.Phases {
		ps, err := sqlkit.Query(ctx, tx, func(row sqlkit.Scanner) (pickup.Pickup, error) {
			p, _, err := scanPickup(row)
			return p, err
		}, `SELECT `+sqlkit.PickupColumns+`, signed
			FROM pickups WHERE campaign_id = ? AND phase = ? AND (window_start <> ? OR window_end <> ?)`,
			c.ID, ph.ID, ph.Pickup.Start.String(), ph.Pickup.End.String())
		if err != nil {
			return moved, err
		}
		for _, p := range ps {
			p.Window = ph.Pickup
			signed, err := sign.sign(p)
			if err != nil {
				return moved, err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE pickups SET window_start = ?, window_end = ?, signed = ?, seq = ? WHERE code = ?",
				p.Window.Start.String(), p.Window.End.String(), signed, tx.next(), p.Code); err != nil {
				return moved, err
			}
			moved++
		}
	}
	return moved, nil
}

// PhaseState says where a phase stands today.
type PhaseState string

// Phase states, in the order a phase goes through them.
const (
	PhaseUpcoming     PhaseState = "upcoming"      // requests not open yet
	PhaseRequestsOpen PhaseState = "requests_open" // requests open, pickup not yet
	PhasePickupOpen   PhaseState = "pickup_open"   // pickups today
	PhaseOver         PhaseState = "over"          // the pickup window has ended
)

func phaseState(ph pickup.Phase, today pickup.Date) PhaseState {
	switch {
	case today.After(ph.Pickup.End):
		return PhaseOver
	case ph.Pickup.Contains(today):
		return PhasePickupOpen
	case !ph.RequestsOpen.IsZero() && today.Before(ph.RequestsOpen):
		return PhaseUpcoming
	}
	return PhaseRequestsOpen
}

// Counts are the pickups of a campaign or phase by status.
type Counts struct {
	Requests  int `json:"requests"`
	Expected  int `json:"expected"`
	Collected int `json:"collected"`
	Cancelled int `json:"cancelled"`
}

// PhaseSummary is one phase of a campaign with its figures.
type PhaseSummary struct {
	ID           string        `json:"id"`
	RequestsOpen pickup.Date   `json:"requests_open"`
	Pickup       pickup.Window `json:"pickup"`
	State        PhaseState    `json:"state"`
	Professions  []string      `json:"professions"`
	Counts
}

// CampaignSummary is a campaign as campaign list and show print it.
type CampaignSummary struct {
	ID         string         `json:"id"`
	Names      pickup.Names   `json:"names"`
	Builtin    bool           `json:"builtin"`
	ImportedAt *time.Time     `json:"imported_at,omitempty"`
	Phases     []PhaseSummary `json:"phases"`
	Counts
}

// CampaignDetail is a campaign's summary and its whole definition.
type CampaignDetail struct {
	CampaignSummary
	Definition *pickup.Campaign `json:"definition"`
}

// Campaigns returns every campaign (built-in examples and imported ones),
// by id, with per-phase figures and where each phase stands today.
func (reg *Registry) Campaigns(ctx context.Context) ([]CampaignDetail, error) {
	var out []CampaignDetail
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = reg.campaigns(ctx, tx, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return out, nil
}

// CampaignInfo returns one campaign as Campaigns does.
func (reg *Registry) CampaignInfo(ctx context.Context, id string) (CampaignDetail, error) {
	var out []CampaignDetail
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = reg.campaigns(ctx, tx, id)
		return err
	})
	if err != nil {
		return CampaignDetail{}, fmt.Errorf("campaign %s: %w", id, err)
	}
	if len(out) == 0 {
		ids, _ := reg.campaignIDs(ctx)
		return CampaignDetail{}, fmt.Errorf("campaign %q: %w (have %v)", id, ErrNotFound, ids)
	}
	return out[0], nil
}

func (reg *Registry) campaigns(ctx context.Context, tx *sql.Tx, only string) ([]CampaignDetail, error) {
	q := "SELECT id, definition, builtin, imported_at FROM campaigns"
	args := []any{}
	if only != "" {
		q += " WHERE id = ?"
		args = append(args, only)
	}
	out, err := sqlkit.Query(ctx, tx, func(row sqlkit.Scanner) (CampaignDetail, error) {
		var d CampaignDetail
		var def, at string
		if err := row.Scan(&d.ID, &def, &d.Builtin, &at); err != nil {
			return d, err
		}
		var err error
		if d.Definition, err = campaignJSON(def); err != nil {
			return d, fmt.Errorf("campaign %s: %w", d.ID, err)
		}
		if at != "" {
			t := parseTime(at)
			d.ImportedAt = &t
		}
		d.Names = d.Definition.Names
		return d, nil
	}, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	today := pickup.DateOf(reg.Now())
	for i := range out {
		d := &out[i]
		byPhase := map[string]*Counts{}
		err := eachRowArgs(ctx, tx, `SELECT p.phase, p.profession, count(*), sum(p.cancelled = 1),
				sum(p.cancelled = 0 AND EXISTS (SELECT 1 FROM events e WHERE e.type = 'handover' AND e.code = p.code AND e.undone = 0 AND e.flag = ''))
			FROM pickups p WHERE p.campaign_id = ? GROUP BY p.phase, p.profession`, []any{d.ID}, func(r *sql.Rows) error {
			var phase, prof string
			var n, canc, coll int
			if err := r.Scan(&phase, &prof, &n, &canc, &coll); err != nil {
				return err
			}
			if phase == "" { // imported before phases were recorded: the profession's phase
				if p, ok := d.Definition.Profession(prof); ok {
					phase = p.Phase
				}
			}
			c := byPhase[phase]
			if c == nil {
				c = &Counts{}
				byPhase[phase] = c
			}
			c.Requests += n
			c.Cancelled += canc
			c.Collected += coll
			c.Expected += n - canc
			return nil
		})
		if err != nil {
			return nil, err
		}
		d.Phases = []PhaseSummary{}
		for _, ph := range d.Definition.Phases {
			s := PhaseSummary{ID: ph.ID, RequestsOpen: ph.RequestsOpen, Pickup: ph.Pickup, State: phaseState(ph, today), Professions: []string{}}
			for _, p := range d.Definition.Professions {
				if p.Phase == ph.ID {
					s.Professions = append(s.Professions, p.ID)
				}
			}
			if c := byPhase[ph.ID]; c != nil {
				s.Counts = *c
			}
			d.Requests += s.Requests
			d.Expected += s.Expected
			d.Collected += s.Collected
			d.Cancelled += s.Cancelled
			d.Phases = append(d.Phases, s)
		}
	}
	return out, nil
}

func eachRowArgs(ctx context.Context, tx *sql.Tx, q string, args []any, fn func(*sql.Rows) error) error {
	return sqlkit.Each(ctx, tx, fn, q, args...)
}

// phaseFor resolves the phase of a request: the one asked for, which must
// be the profession's, or else the profession's own.
func phaseFor(c *pickup.Campaign, prof pickup.Profession, asked string) (pickup.Phase, error) {
	if asked != "" && prof.Phase != asked {
		return pickup.Phase{}, fmt.Errorf("profession %q belongs to phase %q of campaign %s, not %q", prof.ID, prof.Phase, c.ID, asked)
	}
	ph, ok := c.Phase(prof.Phase)
	if !ok {
		return pickup.Phase{}, fmt.Errorf("profession %q: campaign %s has no phase %q", prof.ID, c.ID, prof.Phase)
	}
	return ph, nil
}

func phaseIDs(c *pickup.Campaign) []string {
	var ids []string
	for _, p := range c.Phases {
		ids = append(ids, p.ID)
	}
	return slices.Clip(ids)
}
