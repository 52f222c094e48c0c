package registry

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// BundleExport says what ExportBundle wrote.
type BundleExport struct {
	BundleID string `json:"bundle_id"`
	CentreID string `json:"centre_id"`
	After    int64  `json:"after"`
	Cursor   int64  `json:"cursor"`
	Pages    int    `json:"pages"`
	Rows     int    `json:"rows"`
}

// ExportBundle writes a centre's pull after cursor after (0 for everything)
// as a pull bundle signed with every valid registry key, for a terminal
// without a link (`pickup bundle import`).
func (reg *Registry) ExportBundle(ctx context.Context, centreID string, after int64, w io.Writer) (BundleExport, error) {
	out := BundleExport{CentreID: centreID, After: after}
	if _, err := reg.Centre(ctx, centreID); err != nil {
		return out, fmt.Errorf("export bundle: %w", err)
	}
	ds, head, err := reg.Head(ctx)
	if err != nil {
		return out, fmt.Errorf("export bundle: %w", err)
	}
	if after < 0 || after > head {
		return out, fmt.Errorf("export bundle: %w: cursor %d is beyond the registry's head %d", ErrRefused, after, head)
	}
	keys, err := reg.privateKeys(ctx)
	if err != nil {
		return out, err
	}
	if out.BundleID, err = protocol.NewRequestID(reg.Rand); err != nil {
		return out, err
	}
	bw, err := protocol.NewBundleWriter(w, protocol.BundleHeader{Kind: protocol.BundlePull, ID: out.BundleID,
		DatasetID: ds, CentreID: centreID, After: after, CreatedAt: reg.now()})
	if err != nil {
		return out, fmt.Errorf("export bundle: %w", err)
	}
	cursor := after
	for {
		page, err := reg.Pull(ctx, centreID, protocol.PullRequest{DatasetID: ds, After: cursor, Limit: protocol.MaxPullLimit})
		if err != nil {
			return out, fmt.Errorf("export bundle: %w", err)
		}
		if page.Reset || page.DatasetID != ds {
			return out, fmt.Errorf("export bundle: the registry was reset while exporting; export again")
		}
		if err := bw.Page(page); err != nil {
			return out, err
		}
		out.Pages++
		out.Rows += page.Rows()
		cursor = page.Cursor
		if !page.More {
			break
		}
	}
	out.Cursor = cursor
	if err := bw.Close(protocol.Ed25519Signer(keys)); err != nil {
		return out, fmt.Errorf("export bundle: %w", err)
	}
	reg.Log.Info("pull bundle exported", "centre", centreID, "after", after, "cursor", cursor, "rows", out.Rows)
	return out, nil
}

// BundleImport says what ImportBundle did.
type BundleImport struct {
	BundleID   string `json:"bundle_id"`
	TerminalID string `json:"terminal_id"`
	CentreID   string `json:"centre_id"`
	Events     int    `json:"events"`
	Accepted   int    `json:"accepted"`
	Duplicate  int    `json:"duplicate"`
	Conflict   int    `json:"conflict"`
	Flagged    int    `json:"flagged"`
	// Again is set when this bundle had been imported before (everything
	// in it is then a duplicate).
	Again bool `json:"again"`
	// Conflicts lists the double handovers found, codes masked.
	Conflicts []BundleConflict `json:"conflicts,omitempty"`
}

// BundleConflict is a double handover found in a bundle.
type BundleConflict struct {
	EventID string              `json:"event_id"`
	Code    string              `json:"code"` // masked
	Earlier []pickup.Collection `json:"earlier"`
}

// ImportBundle takes a terminal's facts bundle (`pickup bundle export`):
// it checks it is a facts bundle of this registry's dataset, made and
// signed by an enrolled, not revoked terminal of the centre it names, then
// records its events exactly as a push would (idempotent: importing it
// again changes nothing). The bundle is read once into a private copy and
// checked whole — signature included — before any event is recorded, one
// push at a time (memory is bounded by one line, whatever the bundle's
// size). Anything wrong refuses the whole bundle with ErrRefused and a
// message saying why.
func (reg *Registry) ImportBundle(ctx context.Context, r io.Reader) (BundleImport, error) {
	var out BundleImport
	ds, err := reg.DatasetID(ctx)
	if err != nil {
		return out, err
	}
	var term terminalAuth
	verify := protocol.HMACVerifier(func(id string) ([]byte, error) { return term.secret, nil })
	check := func(rec protocol.BundleRecord) error {
		h := rec.Header
		if h == nil {
			return ctx.Err()
		}
		switch {
		case h.Kind != protocol.BundleFacts:
			return fmt.Errorf("this is a %s bundle made by a registry for terminals (import it on a terminal with `pickup bundle import`)", h.Kind)
		case h.DatasetID != ds:
			return fmt.Errorf("this bundle was made for another registry or an earlier dataset (%s; this registry holds %s)", h.DatasetID, ds)
		}
		t, err := reg.terminalAuth(ctx, h.TerminalID)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("terminal %s is not enrolled at this registry", h.TerminalID)
		}
		if err != nil {
			return err
		}
		if t.revoked {
			return fmt.Errorf("terminal %s was revoked: its bundles are refused", h.TerminalID)
		}
		if t.centreID != h.CentreID {
			return fmt.Errorf("this bundle names centre %s, but terminal %s belongs to centre %s", h.CentreID, h.TerminalID, t.centreID)
		}
		term = t
		out.BundleID, out.TerminalID, out.CentreID = h.ID, h.TerminalID, h.CentreID
		return nil
	}
	var before int
	var caller Caller
	apply := func(rec protocol.BundleRecord) error {
		if rec.Header != nil {
			caller = Caller{TerminalID: term.id, CentreID: term.centreID}
			return reg.r.QueryRowContext(ctx, "SELECT count(*) FROM bundles WHERE id = ?", out.BundleID).Scan(&before)
		}
		if rec.Push == nil {
			return nil
		}
		batch := rec.Push.Events
		results, err := reg.Push(ctx, caller, batch, "bundle", "", reg.now())
		if err != nil {
			return err
		}
		for i, res := range results {
			out.Events++
			switch st := res.Result; {
			case st == protocol.ResultAccepted:
				out.Accepted++
			case st == protocol.ResultDuplicate:
				out.Duplicate++
			case st == protocol.ResultConflict:
				out.Conflict++
				if len(out.Conflicts) < maxListedConflicts {
					out.Conflicts = append(out.Conflicts, BundleConflict{EventID: res.ID, Code: batch[i].Code.Masked(), Earlier: res.Earlier})
				}
			case st == protocol.ResultFlagged:
				out.Flagged++
			}
		}
		return nil
	}
	_, applied, err := protocol.ReadBundleOnce(r, reg.dir, verify, check, apply)
	if err != nil {
		var pe *protocol.Error
		switch {
		case applied && errors.As(err, &pe):
			return out, fmt.Errorf("import bundle: %w: %s (the pushes before were recorded; importing again is safe)", ErrRefused, pe.Message)
		case applied:
			return out, fmt.Errorf("import bundle: %w (the pushes before were recorded; importing again is safe)", err)
		case errors.As(err, &pe):
			err = errors.New(pe.Message)
		}
		return out, fmt.Errorf("import bundle: %w: %w", ErrRefused, err)
	}
	out.Again = before > 0
	err = reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO bundles (id, terminal_id, imported_at, events) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
			out.BundleID, out.TerminalID, fmtTime(reg.now()), out.Events)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("import bundle: %w", err)
	}
	reg.Log.Info("facts bundle imported", "terminal", out.TerminalID, "events", out.Events, "accepted", out.Accepted,
		"duplicate", out.Duplicate, "conflict", out.Conflict, "flagged", out.Flagged)
	return out, nil
}

// maxListedConflicts bounds BundleImport.Conflicts (the count is exact).
const maxListedConflicts = 1000
