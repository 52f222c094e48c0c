package registry

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// The queries behind the web console's pages (sync/registry/console) that
// the command line's functions do not already give.

// DayFigures are one day's handovers (by the terminals' clocks, UTC).
type DayFigures struct {
	Date pickup.Date `json:"date"`
	// Handovers counts the handovers not undone; Doubles those of a code
	// already handed over before.
	Handovers int `json:"handovers"`
	Doubles   int `json:"doubles"`
}

// Daily returns the handovers per day from from to to (both included),
// for one centre or for all when centreID is "". Days without handovers
// are included, with zeros.
func (reg *Registry) Daily(ctx context.Context, centreID string, from, to pickup.Date) ([]DayFigures, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("daily figures: %w: %s is before %s", ErrRefused, to, from)
	}
	got := map[pickup.Date]DayFigures{}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		return eachRowArgs(ctx, tx, `WITH h AS (SELECT centre_id, substr(at, 1, 10) AS day,
				row_number() OVER (PARTITION BY code ORDER BY at, id) AS n
				FROM events WHERE type = 'handover' AND undone = 0)
			SELECT day, count(*), sum(n > 1) FROM h WHERE day >= ? AND day <= ? AND (? = '' OR centre_id = ?) GROUP BY day`,
			[]any{from.String(), to.String(), centreID, centreID}, func(r *sql.Rows) error {
				var day string
				var f DayFigures
				if err := r.Scan(&day, &f.Handovers, &f.Doubles); err != nil {
					return err
				}
				d, err := pickup.ParseDate(day)
				if err != nil {
					return err
				}
				f.Date = d
				got[d] = f
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("daily figures: %w", err)
	}
	var out []DayFigures
	for d := from; !to.Before(d); d = d.AddDays(1) {
		f := got[d]
		f.Date = d
		out = append(out, f)
		if len(out) > 3660 {
			return nil, fmt.Errorf("daily figures: %w: more than ten years", ErrRefused)
		}
	}
	return out, nil
}

// HandoverSide is one handover of a code handed over more than once.
type HandoverSide struct {
	EventID    string    `json:"event_id"`
	TerminalID string    `json:"terminal_id"`
	CentreID   string    `json:"centre_id"`
	At         time.Time `json:"at"`
	ReceivedAt time.Time `json:"received_at"`
	GloveSize  string    `json:"glove_size,omitempty"`
	Via        string    `json:"via"`
}

// ReviewNote is an operator's note on a double handover.
type ReviewNote struct {
	Operator string    `json:"operator"`
	At       time.Time `json:"at"`
	Note     string    `json:"note"`
}

// DoubleHandover is a code handed over more than once (handovers not
// undone), oldest first, with the operators' review notes.
type DoubleHandover struct {
	Code       string         `json:"code"`
	CentreID   string         `json:"centre_id"` // the pickup's centre
	CampaignID string         `json:"campaign_id"`
	Profession string         `json:"profession"`
	Sides      []HandoverSide `json:"sides"`
	Notes      []ReviewNote   `json:"notes"`
}

// ID names the double handover in the console's addresses: the event id
// of its second handover (no code in a path, which gets logged).
func (d DoubleHandover) ID() string {
	if len(d.Sides) > 1 {
		return d.Sides[1].EventID
	}
	return ""
}

const doublesQuery = `SELECT e.code, coalesce(p.centre_id, ''), coalesce(p.campaign_id, ''), coalesce(p.profession, ''),
		e.id, e.terminal_id, e.centre_id, e.at, e.received_at, e.glove_size, e.via
	FROM events e LEFT JOIN pickups p ON p.code = e.code
	WHERE e.type = 'handover' AND e.undone = 0 AND e.code IN (
		SELECT code FROM events WHERE type = 'handover' AND undone = 0 %s GROUP BY code HAVING count(*) > 1)
	ORDER BY e.code, e.at, e.id`

// DoubleHandovers lists every code handed over more than once, the most
// recent second handover first.
func (reg *Registry) DoubleHandovers(ctx context.Context) ([]DoubleHandover, error) {
	return reg.doubles(ctx, "", nil)
}

// DoubleHandoverByEvent returns the double handover one of whose
// handovers has the event id (ErrNotFound when there is none).
func (reg *Registry) DoubleHandoverByEvent(ctx context.Context, eventID string) (DoubleHandover, error) {
	ds, err := reg.doubles(ctx, "AND code = (SELECT code FROM events WHERE id = ? AND type = 'handover')", []any{eventID})
	if err != nil {
		return DoubleHandover{}, err
	}
	if len(ds) == 0 {
		return DoubleHandover{}, fmt.Errorf("double handover %q: %w", eventID, ErrNotFound)
	}
	return ds[0], nil
}

func (reg *Registry) doubles(ctx context.Context, filter string, args []any) ([]DoubleHandover, error) {
	var out []DoubleHandover
	err := reg.read(ctx, func(tx *sql.Tx) error {
		if err := eachRowArgs(ctx, tx, fmt.Sprintf(doublesQuery, filter), args, func(r *sql.Rows) error {
			var code, centre, camp, prof string
			var s HandoverSide
			var at, recv string
			if err := r.Scan(&code, &centre, &camp, &prof, &s.EventID, &s.TerminalID, &s.CentreID, &at, &recv, &s.GloveSize, &s.Via); err != nil {
				return err
			}
			s.At, s.ReceivedAt = parseTime(at), parseTime(recv)
			if len(out) == 0 || out[len(out)-1].Code != code {
				out = append(out, DoubleHandover{Code: code, CentreID: centre, CampaignID: camp, Profession: prof, Notes: []ReviewNote{}})
			}
			d := &out[len(out)-1]
			d.Sides = append(d.Sides, s)
			return nil
		}); err != nil {
			return err
		}
		for i := range out {
			if err := eachRowArgs(ctx, tx, "SELECT operator, at, note FROM review_notes WHERE code = ? ORDER BY at, id", []any{out[i].Code}, func(r *sql.Rows) error {
				var n ReviewNote
				var at string
				if err := r.Scan(&n.Operator, &at, &n.Note); err != nil {
					return err
				}
				n.At = parseTime(at)
				out[i].Notes = append(out[i].Notes, n)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("double handovers: %w", err)
	}
	// Most recent second handover first: what came in last is reviewed first.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Sides[1].At.After(out[j].Sides[1].At) })
	return out, nil
}

// MaxNoteLen bounds a review note, in bytes.
const MaxNoteLen = 2000

// AddReviewNote stores an operator's note on the double handover of
// eventID's code.
func (reg *Registry) AddReviewNote(ctx context.Context, eventID, operator, note string) error {
	note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	switch {
	case note == "":
		return fmt.Errorf("review note: %w: empty", ErrRefused)
	case len(note) > MaxNoteLen:
		return fmt.Errorf("review note: %w: longer than %d bytes", ErrRefused, MaxNoteLen)
	case strings.ContainsFunc(note, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }):
		return fmt.Errorf("review note: %w: control characters", ErrRefused)
	}
	d, err := reg.DoubleHandoverByEvent(ctx, eventID)
	if err != nil {
		return fmt.Errorf("review note: %w", err)
	}
	err = reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO review_notes (code, note, operator, at) VALUES (?, ?, ?, ?)", d.Code, note, operator, fmtTime(reg.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("review note: %w", err)
	}
	return nil
}

// ShipmentState is a shipment with what the centre's terminals recorded
// receiving for it.
type ShipmentState struct {
	protocol.Shipment
	// Received sums the quantities of the stock receptions referencing
	// the shipment, over Receptions receptions.
	Received   int        `json:"received"`
	Receptions int        `json:"receptions"`
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	// Discrepancy is set when what was received differs from what was
	// sent: "quantity" (another quantity or item), "twice" (received by
	// more than one reception).
	Discrepancy string `json:"discrepancy,omitempty"`
}

// InTransit tells whether no terminal has recorded the shipment's arrival.
func (s ShipmentState) InTransit() bool { return s.Receptions == 0 }

// ShipmentStates lists every shipment, newest first, with its receptions.
func (reg *Registry) ShipmentStates(ctx context.Context) ([]ShipmentState, error) {
	var out []ShipmentState
	err := reg.read(ctx, func(tx *sql.Tx) error {
		return eachRow(ctx, tx, `SELECT s.id, s.centre_id, s.item, s.size, s.qty, s.ref, s.sent_at, s.seq,
				coalesce(sum(e.qty), 0), count(e.id), min(e.at),
				coalesce(sum(e.item <> s.item OR coalesce(e.size, '') <> s.size), 0)
			FROM shipments s LEFT JOIN events e ON e.type = 'stock_receive' AND e.ref = 'shipment ' || s.id AND e.centre_id = s.centre_id
			GROUP BY s.id ORDER BY s.sent_at DESC, s.id`, func(r *sql.Rows) error {
			var s ShipmentState
			var sent string
			var first sql.NullString
			var wrongItem int
			if err := r.Scan(&s.ID, &s.CentreID, &s.Item, &s.Size, &s.Qty, &s.Ref, &sent, &s.Seq,
				&s.Received, &s.Receptions, &first, &wrongItem); err != nil {
				return err
			}
			s.SentAt = parseTime(sent)
			if first.Valid {
				t := parseTime(first.String)
				s.ReceivedAt = &t
			}
			switch {
			case s.Receptions > 1:
				s.Discrepancy = "twice"
			case s.Receptions == 1 && (s.Received != s.Qty || wrongItem > 0):
				s.Discrepancy = "quantity"
			}
			out = append(out, s)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("shipments: %w", err)
	}
	return out, nil
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
	var preview, uploaded, result string
	var decided sql.NullString
	if err := r.Scan(&p.ID, &p.CampaignID, &p.Phase, &p.FileName, &preview, &p.UploadedBy, &uploaded, &p.Status, &p.DecidedBy, &decided, &result); err != nil {
		return p, err
	}
	p.UploadedAt = parseTime(uploaded)
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
		res, err := tx.ExecContext(ctx, "UPDATE pending_imports SET status = 'rejected', decided_by = ?, decided_at = ?, content = x'' WHERE id = ? AND status = 'pending'",
			operator, fmtTime(reg.now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("import %q: %w (unknown or already decided)", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reject import: %w", err)
	}
	return nil
}
