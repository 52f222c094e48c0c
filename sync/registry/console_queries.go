package registry

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/pickup-terminal/pickup"
)

// The queries behind the web console's pages (sync/registry/console) that
// the command line's functions do not already give.

// ReviewNote is an operator's note on a double handover.
type ReviewNote struct {
	Operator string    `json:"operator"`
	At       time.Time `json:"at"`
	Note     string    `json:"note"`
}

// ConsoleID names a double handover in the console's addresses: the event
// id of its second handover (no code in a path, which gets logged).
func (d DoubleHandover) ConsoleID() string {
	if len(d.Handovers) > 1 {
		return d.Handovers[1].EventID
	}
	return ""
}

// AllDoubleHandovers lists every code handed over more than once (not
// undone), whenever, the most recent second handover first.
func (reg *Registry) AllDoubleHandovers(ctx context.Context) ([]DoubleHandover, error) {
	var out []DoubleHandover
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = reg.doubles(ctx, tx, "", "\uffff")
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Handovers[1].At.After(out[j].Handovers[1].At) })
	return out, nil
}

// DoubleHandoverByEvent returns the double handover one of whose
// handovers has the event id, with its review notes (ErrNotFound when
// there is none).
func (reg *Registry) DoubleHandoverByEvent(ctx context.Context, eventID string) (DoubleHandover, []ReviewNote, error) {
	var code string
	err := reg.r.QueryRowContext(ctx, "SELECT code FROM events WHERE id = ? AND type = 'handover'", eventID).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return DoubleHandover{}, nil, fmt.Errorf("double handover %q: %w", eventID, ErrNotFound)
	}
	if err != nil {
		return DoubleHandover{}, nil, fmt.Errorf("double handover: %w", err)
	}
	all, err := reg.AllDoubleHandovers(ctx)
	if err != nil {
		return DoubleHandover{}, nil, err
	}
	for _, d := range all {
		if string(d.Code) == code {
			notes, err := reg.ReviewNotes(ctx, d.Code)
			return d, notes, err
		}
	}
	return DoubleHandover{}, nil, fmt.Errorf("double handover %q: %w (no longer double)", eventID, ErrNotFound)
}

// ReviewNotes returns the operators' notes on a code's double handover,
// oldest first.
func (reg *Registry) ReviewNotes(ctx context.Context, code pickup.Code) ([]ReviewNote, error) {
	out := []ReviewNote{}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		return eachRowArgs(ctx, tx, "SELECT operator, at, note FROM review_notes WHERE code = ? ORDER BY at, id", []any{string(code)}, func(r *sql.Rows) error {
			var n ReviewNote
			if err := r.Scan(&n.Operator, timeIn(&n.At), &n.Note); err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("review notes: %w", err)
	}
	return out, nil
}

// ReviewedCodes counts the review notes of every code that has some.
func (reg *Registry) ReviewedCodes(ctx context.Context) (map[pickup.Code]int, error) {
	out := map[pickup.Code]int{}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		return eachRow(ctx, tx, "SELECT code, count(*) FROM review_notes GROUP BY code", func(r *sql.Rows) error {
			var c string
			var n int
			if err := r.Scan(&c, &n); err != nil {
				return err
			}
			out[pickup.Code(c)] = n
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("review notes: %w", err)
	}
	return out, nil
}

// MaxNoteLen bounds a review note, in bytes (a counter's review has the
// same bound).
const MaxNoteLen = pickup.MaxNoteLen

// AddReviewNote stores an operator's note on the double handover of
// eventID's code.
func (reg *Registry) AddReviewNote(ctx context.Context, eventID, operator, note string) error {
	note, err := pickup.CleanNote(note)
	if err != nil {
		return fmt.Errorf("review note: %w: %w", ErrRefused, err)
	}
	d, _, err := reg.DoubleHandoverByEvent(ctx, eventID)
	if err != nil {
		return fmt.Errorf("review note: %w", err)
	}
	err = reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO review_notes (code, note, operator, at) VALUES (?, ?, ?, ?)", string(d.Code), note, operator, fmtTime(reg.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("review note: %w", err)
	}
	return nil
}

// TerminalState is an enrolled terminal with what the registry holds of
// it.
type TerminalState struct {
	Terminal
	// Facts counts the facts it pushed (handovers, undos, stock); LastFact
	// is when the newest of them was recorded at the counter.
	Facts    int        `json:"facts"`
	LastFact *time.Time `json:"last_fact,omitempty"`
	// Behind counts the changes of its centre stored since the terminal
	// last synced: what it has still to pull (0 when it is up to date).
	Behind int `json:"behind"`
}

// TerminalStates lists the terminals with their facts.
func (reg *Registry) TerminalStates(ctx context.Context) ([]TerminalState, error) {
	ts, err := reg.Terminals(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TerminalState, len(ts))
	err = reg.read(ctx, func(tx *sql.Tx) error {
		for i, t := range ts {
			out[i].Terminal = t
			var last sql.NullString
			if err := tx.QueryRowContext(ctx, "SELECT count(*), max(at) FROM events WHERE terminal_id = ?", t.ID).Scan(&out[i].Facts, &last); err != nil {
				return err
			}
			if last.Valid {
				v := parseTime(last.String)
				out[i].LastFact = &v
			}
			seen := fmtTime(t.EnrolledAt)
			if t.LastSeen != nil {
				seen = fmtTime(*t.LastSeen)
			}
			if err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM events WHERE centre_id = ?1 AND terminal_id <> ?2 AND received_at > ?3) +
				(SELECT count(*) FROM shipments WHERE centre_id = ?1 AND sent_at > ?3) +
				(SELECT count(*) FROM pickups WHERE centre_id = ?1 AND created_at > ?3)`, t.CentreID, t.ID, seen).Scan(&out[i].Behind); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("terminals: %w", err)
	}
	return out, nil
}

// PendingImport is a request file uploaded in the console, waiting for a
// second operator's approval (or decided).
type PendingImport struct {
	ID         string `json:"id"`
	CampaignID string `json:"campaign_id"`
	Phase      string `json:"phase,omitempty"`
	FileName   string `json:"file_name"`
	// Preview is the dry run of the upload: the rows and every problem.
	Preview    ImportResult  `json:"preview"`
	UploadedBy string        `json:"uploaded_by"`
	UploadedAt time.Time     `json:"uploaded_at"`
	Status     string        `json:"status"` // pending, applying, applied, rejected, failed
	DecidedBy  string        `json:"decided_by,omitempty"`
	DecidedAt  *time.Time    `json:"decided_at,omitempty"`
	Result     *ImportResult `json:"result,omitempty"` // once applied
	Failure    string        `json:"failure,omitempty"`
}

// Import statuses.
const (
	ImportPending  = "pending"
	ImportApplying = "applying"
	ImportApplied  = "applied"
	ImportRejected = "rejected"
	ImportFailed   = "failed"
)

// MaxImportFile bounds an uploaded request file.
const MaxImportFile = 32 << 20

// StageImport checks an uploaded request file (a dry run that lists every
// problem with its line) and stores it for a second operator to approve.
// A file with problems is stored too, so that its preview can be shown;
// it can only be rejected.
func (reg *Registry) StageImport(ctx context.Context, opt RequestImport, fileName string, content []byte, operator string) (PendingImport, error) {
	if len(content) > MaxImportFile {
		return PendingImport{}, fmt.Errorf("stage import: %w: file over %d MB", ErrRefused, MaxImportFile>>20)
	}
	if err := checkText("file name", fileName, false); err != nil || fileName == "" {
		fileName = "upload.csv"
	}
	opt.DryRun = true
	preview, err := reg.ImportRequestFile(ctx, opt, bytes.NewReader(content))
	var pe *ProblemsError
	if err != nil && !errors.As(err, &pe) {
		return PendingImport{}, fmt.Errorf("stage import: %w", err)
	}
	id, err := reg.randomToken()
	if err != nil {
		return PendingImport{}, err
	}
	id = "imp-" + id[:16]
	pj, err := json.Marshal(preview)
	if err != nil {
		return PendingImport{}, err
	}
	err = reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO pending_imports (id, campaign_id, phase, file_name, content, rows, errors, uploaded_by, uploaded_at, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`, id, opt.Campaign, opt.Phase, fileName, content, preview.Rows, string(pj), operator, fmtTime(reg.now()))
		return err
	})
	if err != nil {
		return PendingImport{}, fmt.Errorf("stage import: %w", err)
	}
	reg.Log.Info("request file staged", "import", id, "rows", preview.Rows, "problems", len(preview.Problems))
	return reg.PendingImport(ctx, id)
}

const pendingCols = `id, campaign_id, phase, file_name, errors, uploaded_by, uploaded_at, status, decided_by, decided_at, result`

func scanPending(r interface{ Scan(...any) error }) (PendingImport, error) {
	var p PendingImport
	var preview, result string
	var decided sql.NullString
	if err := r.Scan(&p.ID, &p.CampaignID, &p.Phase, &p.FileName, &preview, &p.UploadedBy, timeIn(&p.UploadedAt), &p.Status, &p.DecidedBy, &decided, &result); err != nil {
		return p, err
	}
	if decided.Valid {
		t := parseTime(decided.String)
		p.DecidedAt = &t
	}
	if err := json.Unmarshal([]byte(preview), &p.Preview); err != nil {
		return p, fmt.Errorf("import %s: preview: %w", p.ID, err)
	}
	if result != "" {
		var res ImportResult
		if p.Status == ImportApplied && json.Unmarshal([]byte(result), &res) == nil {
			p.Result = &res
		} else {
			p.Failure = result
		}
	}
	return p, nil
}

// PendingImport returns one uploaded request file.
func (reg *Registry) PendingImport(ctx context.Context, id string) (PendingImport, error) {
	p, err := scanPending(reg.r.QueryRowContext(ctx, "SELECT "+pendingCols+" FROM pending_imports WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("import %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("read import: %w", err)
	}
	return p, nil
}

// PendingImports lists the uploaded request files, newest first (the last
// 200).
func (reg *Registry) PendingImports(ctx context.Context) ([]PendingImport, error) {
	var out []PendingImport
	err := reg.read(ctx, func(tx *sql.Tx) error {
		return eachRow(ctx, tx, "SELECT "+pendingCols+" FROM pending_imports ORDER BY uploaded_at DESC, id LIMIT 200", func(r *sql.Rows) error {
			p, err := scanPending(r)
			out = append(out, p)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return out, nil
}

// ErrSameOperator refuses the approval of a file by the operator who
// uploaded it.
var ErrSameOperator = errors.New("a request file must be approved by another operator than the one who uploaded it")

// ApproveImport applies a staged request file on a second operator's
// approval: refused for the uploader, for a file with problems and for one
// already decided (two approvals at once apply it once). The import checks
// the file again (centres and requests may have changed since the upload)
// and imports nothing unless it is all valid.
func (reg *Registry) ApproveImport(ctx context.Context, id, operator string) (PendingImport, error) {
	var opt RequestImport
	var content []byte
	err := reg.write(ctx, func(tx *wtx) error {
		p, err := scanPending(tx.QueryRowContext(ctx, "SELECT "+pendingCols+" FROM pending_imports WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("import %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		switch {
		case p.Status != ImportPending:
			return fmt.Errorf("%w: this file was already %s", ErrRefused, p.Status)
		case p.UploadedBy == operator:
			return fmt.Errorf("%w: %w", ErrRefused, ErrSameOperator)
		case len(p.Preview.Problems) > 0:
			return fmt.Errorf("%w: the file has %d problem(s): correct it and upload it again", ErrRefused, len(p.Preview.Problems))
		}
		opt = RequestImport{Campaign: p.CampaignID, Phase: p.Phase}
		if err := tx.QueryRowContext(ctx, "SELECT content FROM pending_imports WHERE id = ?", id).Scan(&content); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE pending_imports SET status = 'applying', decided_by = ?, decided_at = ? WHERE id = ?", operator, fmtTime(reg.now()), id)
		return err
	})
	if err != nil {
		return PendingImport{}, fmt.Errorf("approve import: %w", err)
	}
	status, result := ImportApplied, ""
	res, err := reg.ImportRequestFile(ctx, opt, bytes.NewReader(content))
	if err != nil {
		status, result = ImportFailed, err.Error()
	} else {
		b, _ := json.Marshal(res)
		result = string(b)
	}
	err = reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, "UPDATE pending_imports SET status = ?, result = ?, content = x'' WHERE id = ?", status, result, id)
		return err
	})
	if err != nil {
		return PendingImport{}, fmt.Errorf("approve import: %w", err)
	}
	reg.Log.Info("request file decided", "import", id, "status", status, "imported", res.Imported)
	return reg.PendingImport(ctx, id)
}

// RejectImport discards a staged request file (any operator, the uploader
// too).
func (reg *Registry) RejectImport(ctx context.Context, id, operator string) error {
	err := reg.write(ctx, func(tx *wtx) error {
		return execSome(ctx, tx, fmt.Errorf("import %q: %w (unknown or already decided)", id, ErrNotFound),
			"UPDATE pending_imports SET status = 'rejected', decided_by = ?, decided_at = ?, content = x'' WHERE id = ? AND status = 'pending'",
			operator, fmtTime(reg.now()), id)
	})
	if err != nil {
		return fmt.Errorf("reject import: %w", err)
	}
	return nil
}
