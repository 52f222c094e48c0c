package registry

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// QRPixels is the width of the QR images codes --qr-dir writes.
const QRPixels = 512

// RequestCSVColumns are the required columns of a request list; lang
// (fr, nl, de or en: the language of the professional's letter) is
// optional.
var RequestCSVColumns = []string{"professional_id", "name", "profession", "centre_id"}

// MaxRequestProblems bounds the problems a request import lists (a file of
// the wrong kind would otherwise list every one of its lines).
const MaxRequestProblems = 1000

// RequestImport says which campaign and phase a request file is for.
type RequestImport struct {
	Campaign string
	// Phase, when set, is the phase the file is for: every row's
	// profession must belong to it. Empty: each profession's own phase.
	Phase string
	// Lang is the letter language of rows without a lang column (default
	// en).
	Lang string
	// DryRun checks the file and issues nothing (a preview).
	DryRun bool
}

// ImportResult says what a request import did: Imported codes issued, or,
// when the file has problems, every one of them with its line and nothing
// imported.
type ImportResult struct {
	Campaign string    `json:"campaign"`
	Phase    string    `json:"phase,omitempty"`
	DryRun   bool      `json:"dry_run,omitempty"`
	Rows     int       `json:"rows"`
	Imported int       `json:"imported"`
	Problems []Problem `json:"problems"`
	// Truncated is set when there were more than MaxRequestProblems.
	Truncated bool `json:"truncated,omitempty"`
	// Warnings do not stop the import: a phase whose requests are not open
	// yet, or whose pickup window is already over (in English; each with
	// its code and parameters in WarningDetails, for WarningsIn).
	Warnings       []string  `json:"warnings"`
	WarningDetails []Problem `json:"warning_details,omitempty"`
	// ByPhase counts the valid rows by phase.
	ByPhase map[string]int `json:"by_phase"`
}

// WarningsIn returns the warnings in lang (fr, nl, de or en), as they
// are when the result was kept without their codes.
func (r ImportResult) WarningsIn(lang string) []string {
	if len(r.WarningDetails) != len(r.Warnings) {
		return r.Warnings
	}
	out := make([]string, len(r.WarningDetails))
	for i, w := range r.WarningDetails {
		out[i] = w.Text(lang)
	}
	return out
}

type request struct {
	line           int
	professionalID string
	name           string
	profession     pickup.Profession
	phase          pickup.Phase
	centreID       string
	lang           string
}

// Campaign returns a campaign definition.
func (reg *Registry) Campaign(ctx context.Context, id string) (*pickup.Campaign, error) {
	var def string
	err := reg.r.QueryRowContext(ctx, "SELECT definition FROM campaigns WHERE id = ?", id).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		ids, _ := reg.campaignIDs(ctx)
		return nil, fmt.Errorf("campaign %q: %w (have %s)", id, ErrNotFound, strings.Join(ids, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("read campaign: %w", err)
	}
	c, err := pickup.ParseCampaign([]byte(def))
	if err != nil {
		return nil, fmt.Errorf("read campaign %s: %w", id, err)
	}
	return c, nil
}

func (reg *Registry) campaignIDs(ctx context.Context) ([]string, error) {
	return sqlkit.Strings(ctx, reg.r, "SELECT id FROM campaigns ORDER BY id")
}

// findProfession matches a profession by id or by any of its names,
// ignoring case.
func findProfession(c *pickup.Campaign, s string) (pickup.Profession, bool) {
	for _, p := range c.Professions {
		if strings.EqualFold(p.ID, s) {
			return p, true
		}
		for _, n := range p.Names {
			if strings.EqualFold(n, s) {
				return p, true
			}
		}
	}
	return pickup.Profession{}, false
}

// ImportRequests imports a request file for a campaign, each profession in
// its own phase (see ImportRequestFile).
func (reg *Registry) ImportRequests(ctx context.Context, campaignID string, r io.Reader) (ImportResult, error) {
	return reg.ImportRequestFile(ctx, RequestImport{Campaign: campaignID}, r)
}

// ImportRequestFile imports validated requests (CSV
// professional_id,name,profession,centre_id[,lang]): one parcel per
// professional per campaign, the parcel kind from the profession and the
// pickup window from its phase, a code issued and signed for each. Every
// problem of the file — a malformed row, an unknown profession or centre,
// a profession of another phase, a bad language, a professional twice in
// the file or already holding a parcel of the campaign — is listed with
// its line, and nothing is imported unless the whole file is valid (the
// error is then a *ProblemsError, which is ErrRefused; the result lists the
// problems too).
func (reg *Registry) ImportRequestFile(ctx context.Context, opt RequestImport, r io.Reader) (ImportResult, error) {
	res := ImportResult{Campaign: opt.Campaign, Phase: opt.Phase, DryRun: opt.DryRun, Problems: []Problem{}, Warnings: []string{}, ByPhase: map[string]int{}}
	camp, err := reg.Campaign(ctx, opt.Campaign)
	if err != nil {
		return res, fmt.Errorf("import requests: %w", err)
	}
	if opt.Phase != "" {
		if _, ok := camp.Phase(opt.Phase); !ok {
			return res, fmt.Errorf("import requests: phase %q: %w (campaign %s has %s)", opt.Phase, ErrNotFound, camp.ID, strings.Join(phaseIDs(camp), ", "))
		}
	}
	defLang := "en"
	if opt.Lang != "" {
		if defLang = normLang(opt.Lang); defLang == "" {
			return res, fmt.Errorf("import requests: %w: language %q: want fr, nl, de or en", ErrRefused, opt.Lang)
		}
	}
	centres, err := reg.Centres(ctx)
	if err != nil {
		return res, err
	}
	known := map[string]bool{}
	for _, c := range centres {
		known[c.ID] = true
	}
	problem := func(line int, code string, kv ...string) {
		if len(res.Problems) >= MaxRequestProblems {
			res.Truncated = true
			return
		}
		res.Problems = append(res.Problems, problemOf(line, "", code, kv...))
	}
	var reqs []request
	first := map[string]int{}
	err = pickup.ScanCSV(r, RequestCSVColumns, func(line int, field func(string) string) error {
		res.Rows++
		q := request{line: line, professionalID: field("professional_id"), name: pickup.CleanName(field("name")), centreID: field("centre_id")}
		ok := true
		if err := checkText("professional_id", q.professionalID, true); err != nil || len(q.professionalID) > 64 {
			problem(line, "request.professional_id")
			ok = false
		} else if f, dup := first[q.professionalID]; dup {
			problem(line, "request.twice", "id", q.professionalID, "first", fmt.Sprint(f), "campaign", camp.ID)
			ok = false
		} else {
			first[q.professionalID] = line
		}
		if err := checkText("name", q.name, true); err != nil {
			switch {
			case q.name == "":
				problem(line, "request.name_empty")
			case len(q.name) > pickup.MaxNameLen:
				problem(line, "request.name_long", "max", fmt.Sprint(pickup.MaxNameLen))
			default:
				problem(line, "request.name_bad")
			}
			ok = false
		}
		if p, found := findProfession(camp, field("profession")); !found {
			problem(line, "request.profession_unknown", "profession", fmt.Sprintf("%q", field("profession")), "campaign", camp.ID)
			ok = false
		} else if ph, err := phaseFor(camp, p, opt.Phase); err != nil {
			if opt.Phase != "" && p.Phase != opt.Phase {
				problem(line, "request.profession_phase", "profession", fmt.Sprintf("%q", p.ID), "phase", fmt.Sprintf("%q", p.Phase), "campaign", camp.ID, "asked", fmt.Sprintf("%q", opt.Phase))
			} else {
				problem(line, "request.phase_missing", "profession", fmt.Sprintf("%q", p.ID), "campaign", camp.ID, "phase", fmt.Sprintf("%q", p.Phase))
			}
			ok = false
		} else {
			q.profession, q.phase = p, ph
		}
		if !known[q.centreID] {
			problem(line, "request.centre_unknown", "centre", fmt.Sprintf("%q", q.centreID))
			ok = false
		}
		q.lang = defLang
		if l := field("lang"); l != "" {
			if q.lang = normLang(l); q.lang == "" {
				problem(line, "request.lang", "lang", fmt.Sprintf("%q", l))
				ok = false
			}
		}
		if ok {
			reqs = append(reqs, q)
		}
		return nil
	}, func(line int, err error) error {
		res.Rows++
		problem(line, "request.csv", "error", err.Error())
		if res.Truncated {
			return pickup.ErrStopCSV
		}
		return nil
	})
	var rowErr *pickup.RowError
	switch {
	case errors.As(err, &rowErr):
		problem(rowErr.Line, "request.csv", "error", rowErr.Err.Error())
	case err != nil:
		return res, fmt.Errorf("import requests: %w", err)
	}
	if res.Rows == 0 && len(res.Problems) == 0 {
		problem(2, "request.empty")
	}
	for _, q := range reqs {
		res.ByPhase[q.phase.ID]++
	}
	today := pickup.DateOf(reg.Now())
	for _, ph := range camp.Phases {
		if res.ByPhase[ph.ID] == 0 {
			continue
		}
		var w Problem
		switch phaseState(ph, today) {
		case PhaseUpcoming:
			w = problemOf(0, "", "request.phase_upcoming", "phase", ph.ID, "date", ph.RequestsOpen.String())
		case PhaseOver:
			w = problemOf(0, "", "request.phase_over", "phase", ph.ID, "date", ph.Pickup.End.String())
		default:
			continue
		}
		res.Warnings = append(res.Warnings, w.Message)
		res.WarningDetails = append(res.WarningDetails, w)
	}
	err = reg.write(ctx, func(tx *wtx) error {
		res.Imported = 0
		// Professionals who already hold a parcel of the campaign.
		for _, q := range reqs {
			var code string
			err := tx.QueryRowContext(ctx, "SELECT code FROM pickups WHERE campaign_id = ? AND professional_id = ?", camp.ID, q.professionalID).Scan(&code)
			if err == nil {
				problem(q.line, "request.already", "id", q.professionalID, "campaign", camp.ID)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if len(res.Problems) > 0 || opt.DryRun {
			return nil
		}
		is, err := reg.newIssuer(ctx, tx)
		if err != nil {
			return err
		}
		for _, q := range reqs {
			p := pickup.Pickup{Name: q.name, Profession: q.profession.ID, ParcelKind: q.profession.ParcelKind,
				CentreID: q.centreID, CampaignID: camp.ID, Window: q.phase.Pickup, Status: pickup.StatusExpected}
			if err := is.add(ctx, newPickup{p: p, professionalID: q.professionalID, phase: q.phase.ID, lang: q.lang}); err != nil {
				is.stmt.Close()
				return err
			}
			res.Imported++
		}
		return is.close(ctx)
	})
	if err != nil {
		return res, fmt.Errorf("import requests: %w", err)
	}
	if len(res.Problems) > 0 {
		res.Imported = 0
		sortProblems(res.Problems)
		return res, fmt.Errorf("import requests: %w", &ProblemsError{What: "request file", Problems: res.Problems})
	}
	reg.Log.Info("requests imported", "campaign", camp.ID, "phase", opt.Phase, "imported", res.Imported, "dry_run", opt.DryRun)
	return res, nil
}

// normLang returns fr, nl, de or en for a language tag (FR, nl-BE, de_DE),
// or "" for another language.
func normLang(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(l, "_-"); i >= 0 {
		l = l[:i]
	}
	if slices.Contains(i18n.Languages, l) {
		return l
	}
	return ""
}

// signer signs codes with the registry's current key.
type signer struct {
	keyID string
	priv  ed25519.PrivateKey
}

func (s signer) sign(p pickup.Pickup) (string, error) {
	return pickup.Sign(s.priv, pickup.SignedCode{KeyID: s.keyID, Code: p.Code, CentreID: p.CentreID,
		CampaignID: p.CampaignID, ParcelKind: p.ParcelKind, Window: p.Window})
}

func (reg *Registry) currentSigner(ctx context.Context, tx interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (signer, error) {
	var s signer
	var seed []byte
	if err := tx.QueryRowContext(ctx, "SELECT key_id, private_key FROM signing_keys WHERE current = 1").Scan(&s.keyID, &seed); err != nil {
		return s, fmt.Errorf("read current signing key: %w", err)
	}
	if len(seed) != ed25519.SeedSize {
		return s, errors.New("current signing key is damaged")
	}
	s.priv = ed25519.NewKeyFromSeed(seed)
	return s, nil
}

// issuer issues codes for new pickups inside a write transaction: codes
// drawn in order, signed in parallel (signing is most of the cost of a big
// import), rows stored through one prepared statement.
type issuer struct {
	reg  *Registry
	tx   *wtx
	sign signer
	stmt *sql.Stmt
	buf  []newPickup
	now  string
}

type newPickup struct {
	p              pickup.Pickup
	professionalID string
	phase, lang    string
	signed         string
}

const issueBatch = 2048

func (reg *Registry) newIssuer(ctx context.Context, tx *wtx) (*issuer, error) {
	sign, err := reg.currentSigner(ctx, tx)
	if err != nil {
		return nil, err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO pickups (code, campaign_id, professional_id, name, profession, parcel_kind,
		centre_id, window_start, window_end, cancelled, status, signed, created_at, seq, phase, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return &issuer{reg: reg, tx: tx, sign: sign, stmt: stmt, now: fmtTime(reg.now())}, nil
}

// add queues a pickup (its Code is drawn here); rows reach the database in
// batches and at close.
func (is *issuer) add(ctx context.Context, n newPickup) error {
	is.buf = append(is.buf, n)
	if len(is.buf) >= issueBatch {
		return is.flush(ctx)
	}
	return nil
}

func (is *issuer) flush(ctx context.Context) error {
	for i := range is.buf {
		c, err := pickup.NewCode(is.reg.Rand)
		if err != nil {
			return err
		}
		is.buf[i].p.Code = c
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(is.buf); i += workers {
				if is.buf[i].signed, errs[w] = is.sign.sign(is.buf[i].p); errs[w] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, n := range is.buf {
		if err := is.insert(ctx, n); err != nil {
			return err
		}
	}
	is.buf = is.buf[:0]
	return nil
}

// insert stores one signed row, drawing a new code on the rare collision.
func (is *issuer) insert(ctx context.Context, n newPickup) error {
	for attempt := 0; ; attempt++ {
		p := n.p
		status, cancelled := pickup.StatusExpected, 0
		if p.Status == pickup.StatusCancelled {
			status, cancelled = pickup.StatusCancelled, 1
		}
		res, err := is.stmt.ExecContext(ctx, p.Code, p.CampaignID, n.professionalID, p.Name, p.Profession, p.ParcelKind, p.CentreID,
			p.Window.Start.String(), p.Window.End.String(), cancelled, status, n.signed, is.now, is.tx.next(), n.phase, n.lang)
		if err != nil {
			return fmt.Errorf("store pickup: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k == 1 {
			return nil
		}
		if attempt > 10 {
			return errors.New("store pickup: could not draw a unique code")
		}
		if n.p.Code, err = pickup.NewCode(is.reg.Rand); err != nil {
			return err
		}
		if n.signed, err = is.sign.sign(n.p); err != nil {
			return err
		}
	}
}

// close stores what is queued.
func (is *issuer) close(ctx context.Context) error {
	defer is.stmt.Close()
	return is.flush(ctx)
}

// WriteCodes writes the pickups of a centre as CSV in the terminal's import
// format (with status), by code, and when qrDir is not empty one QR PNG
// per code (<CODE>.png, holding the signed payload). It returns the number
// of rows.
func (reg *Registry) WriteCodes(ctx context.Context, centreID string, w io.Writer, qrDir string) (int, error) {
	if _, err := reg.Centre(ctx, centreID); err != nil {
		return 0, fmt.Errorf("codes: %w", err)
	}
	if qrDir != "" {
		if err := os.MkdirAll(qrDir, 0o755); err != nil {
			return 0, fmt.Errorf("codes: QR folder: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	if err := pickup.WritePickupCSVHeader(cw); err != nil {
		return 0, err
	}
	n := 0
	err := reg.read(ctx, func(tx *sql.Tx) error {
		return sqlkit.Each(ctx, tx, func(rows *sql.Rows) error {
			p, signed, err := scanPickup(rows)
			if err != nil {
				return err
			}
			if err := pickup.WritePickupCSVRow(cw, p); err != nil {
				return err
			}
			if qrDir != "" {
				text := signed
				if text == "" {
					text = string(p.Code)
				}
				png, err := QRWithCode(text, p.Code, QRPixels)
				if err != nil {
					return fmt.Errorf("QR of %s: %w", p.Code.Masked(), err)
				}
				if err := atomicfile.WriteBytes(filepath.Join(qrDir, string(p.Code)+".png"), png, 0o644); err != nil {
					return fmt.Errorf("write QR: %w", err)
				}
			}
			n++
			return nil
		}, `SELECT `+sqlkit.PickupColumns+`, signed
			FROM pickups WHERE centre_id = ? ORDER BY code`, centreID)
	})
	if err != nil {
		return n, fmt.Errorf("codes: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("codes: %w", err)
	}
	return n, nil
}

// scanPickup reads a row selected as sqlkit.PickupColumns, signed.
func scanPickup(row sqlkit.Scanner) (pickup.Pickup, string, error) {
	var p pickup.Pickup
	var signed string
	err := sqlkit.ScanPickup(row, &p, &signed)
	return p, signed, err
}

// Pickup returns one pickup by code.
func (reg *Registry) Pickup(ctx context.Context, code pickup.Code) (pickup.Pickup, error) {
	row := reg.r.QueryRowContext(ctx, `SELECT `+sqlkit.PickupColumns+`, signed
		FROM pickups WHERE code = ?`, code)
	p, _, err := scanPickup(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("code %s: %w", code.Masked(), ErrNotFound)
	}
	return p, err
}

// SignedPayload returns a pickup's signed payload (what its QR code holds).
func (reg *Registry) SignedPayload(ctx context.Context, code pickup.Code) (string, error) {
	var s string
	err := reg.r.QueryRowContext(ctx, "SELECT signed FROM pickups WHERE code = ?", code).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("code %s: %w", code.Masked(), ErrNotFound)
	}
	return s, err
}

// statusOf derives a pickup's status: cancelled wins, then collected while
// a handover is not undone.
func statusOf(cancelled bool, active int) pickup.Status {
	switch {
	case cancelled:
		return pickup.StatusCancelled
	case active > 0:
		return pickup.StatusCollected
	}
	return pickup.StatusExpected
}

// CancelCode cancels a pickup (the request was withdrawn); its holder gets
// the cancelled answer at every terminal after their next pull.
func (reg *Registry) CancelCode(ctx context.Context, code pickup.Code) error {
	return reg.write(ctx, func(tx *wtx) error { return reg.cancel(ctx, tx, code) })
}

func (reg *Registry) cancel(ctx context.Context, tx *wtx, code pickup.Code) error {
	res, err := tx.ExecContext(ctx, "UPDATE pickups SET cancelled = 1, status = 'cancelled', seq = ? WHERE code = ? AND cancelled = 0", tx.next(), code)
	if err != nil {
		return fmt.Errorf("cancel code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists int
		tx.QueryRowContext(ctx, "SELECT count(*) FROM pickups WHERE code = ?", code).Scan(&exists)
		if exists == 0 {
			return fmt.Errorf("cancel code %s: %w", code.Masked(), ErrNotFound)
		}
	}
	return nil
}

// RevokeCode cancels a pickup and puts its code on the revoked list, so
// that terminals refuse its signed payload too (a leaked or stolen QR).
func (reg *Registry) RevokeCode(ctx context.Context, code pickup.Code) error {
	err := reg.write(ctx, func(tx *wtx) error {
		if err := reg.cancel(ctx, tx, code); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO revoked (code, at, seq) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING",
			code, fmtTime(reg.now()), tx.next())
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke code: %w", err)
	}
	reg.Log.Info("code revoked", "code", code.Masked())
	return nil
}

// MoveCode reassigns a pickup to another centre: the new centre's terminals
// receive it, the old centre's receive a reassignment (and give the
// wrong_centre answer). The signed payload is issued again for the new
// centre.
func (reg *Registry) MoveCode(ctx context.Context, code pickup.Code, centreID string) error {
	if _, err := reg.Centre(ctx, centreID); err != nil {
		return fmt.Errorf("move code: %w", err)
	}
	err := reg.write(ctx, func(tx *wtx) error {
		row := tx.QueryRowContext(ctx, `SELECT `+sqlkit.PickupColumns+`, signed
			FROM pickups WHERE code = ?`, code)
		p, _, err := scanPickup(row)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("code %s: %w", code.Masked(), ErrNotFound)
		}
		if err != nil {
			return err
		}
		if p.CentreID == centreID {
			return nil
		}
		from := p.CentreID
		p.CentreID = centreID
		sign, err := reg.currentSigner(ctx, tx)
		if err != nil {
			return err
		}
		signed, err := sign.sign(p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO reassignments (code, from_centre, to_centre, at, seq) VALUES (?, ?, ?, ?, ?)",
			code, from, centreID, fmtTime(reg.now()), tx.next()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE pickups SET centre_id = ?, signed = ?, seq = ? WHERE code = ?", centreID, signed, tx.next(), code)
		return err
	})
	if err != nil {
		return fmt.Errorf("move code: %w", err)
	}
	return nil
}

// Keys returns the registry's public signing keys, oldest first.
func (reg *Registry) Keys(ctx context.Context) ([]protocol.SigningKey, error) {
	out, err := sqlkit.Query(ctx, reg.r, func(row sqlkit.Scanner) (protocol.SigningKey, error) {
		var k protocol.SigningKey
		err := row.Scan(&k.KeyID, &k.PublicKey, &k.Current, timeIn(&k.CreatedAt), &k.Seq)
		return k, err
	}, "SELECT key_id, public_key, current, created_at, seq FROM signing_keys ORDER BY created_at, key_id")
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return out, nil
}

// RotateKey makes a new signing key current. Earlier keys stay valid (codes
// already printed keep verifying); terminals learn the new key at their
// next pull.
func (reg *Registry) RotateKey(ctx context.Context) (string, error) {
	var id string
	err := reg.write(ctx, func(tx *wtx) error {
		var err error
		id, err = reg.addKey(ctx, tx)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("rotate key: %w", err)
	}
	reg.Log.Info("signing key rotated", "key_id", id)
	return id, nil
}

// privateKeys returns every valid private key, by id (bundles are signed
// with all of them).
func (reg *Registry) privateKeys(ctx context.Context) (map[string]ed25519.PrivateKey, error) {
	out := map[string]ed25519.PrivateKey{}
	err := sqlkit.Each(ctx, reg.r, func(rows *sql.Rows) error {
		var id string
		var seed []byte
		if err := rows.Scan(&id, &seed); err != nil {
			return err
		}
		if len(seed) == ed25519.SeedSize {
			out[id] = ed25519.NewKeyFromSeed(seed)
		}
		return nil
	}, "SELECT key_id, private_key FROM signing_keys")
	if err != nil {
		return nil, fmt.Errorf("read keys: %w", err)
	}
	return out, nil
}

// campaignJSON decodes a stored campaign definition.
func campaignJSON(def string) (*pickup.Campaign, error) {
	var c pickup.Campaign
	if err := json.Unmarshal([]byte(def), &c); err != nil {
		return nil, err
	}
	return &c, nil
}
