package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// DefaultEnrolmentTTL is how long an enrolment code stays valid.
const DefaultEnrolmentTTL = 24 * time.Hour

// Enrolment is a freshly made enrolment code.
type Enrolment struct {
	Code      protocol.EnrolmentCode
	CentreID  string
	ExpiresAt time.Time
}

// NewEnrolment makes a one-time enrolment code for a terminal of centre,
// valid for ttl. When serve has published a TLS pin, the code carries it.
func (reg *Registry) NewEnrolment(ctx context.Context, centreID string, ttl time.Duration) (Enrolment, error) {
	if _, err := reg.Centre(ctx, centreID); err != nil {
		return Enrolment{}, fmt.Errorf("enrol: %w", err)
	}
	if ttl <= 0 {
		ttl = DefaultEnrolmentTTL
	}
	tok, err := protocol.NewEnrolmentToken(reg.Rand)
	if err != nil {
		return Enrolment{}, err
	}
	pin, err := reg.TLSPin(ctx)
	if err != nil {
		return Enrolment{}, err
	}
	now := reg.now()
	e := Enrolment{Code: protocol.EnrolmentCode{Token: tok, Pin: pin}, CentreID: centreID, ExpiresAt: now.Add(ttl)}
	err = reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO enrolments (token_hash, centre_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
			protocol.TokenHash(tok), centreID, fmtTime(now), fmtTime(e.ExpiresAt))
		return err
	})
	if err != nil {
		return Enrolment{}, fmt.Errorf("enrol: %w", err)
	}
	reg.Log.Info("enrolment code made", "centre", centreID, "expires", e.ExpiresAt)
	return e, nil
}

// Enrol trades an enrolment code for a new terminal's credentials. The code
// works once: a repeat with the same request id returns the same
// credentials (the first answer may have been lost); anything else is
// refused with enrolment_refused.
func (reg *Registry) Enrol(ctx context.Context, req *protocol.EnrolRequest) (*protocol.EnrolResponse, error) {
	ec, err := protocol.ParseEnrolmentCode(req.EnrolmentCode)
	if err != nil {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "%v", err)
	}
	now := reg.now()
	var termID, centreID string
	var secret []byte
	err = reg.write(ctx, func(tx *wtx) error {
		var expires string
		var usedAt, reqID, usedBy sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT centre_id, expires_at, used_at, request_id, terminal_id FROM enrolments WHERE token_hash = ?",
			protocol.TokenHash(ec.Token)).Scan(&centreID, &expires, &usedAt, &reqID, &usedBy)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return protocol.Errorf(protocol.CodeEnrolmentRefused, "unknown enrolment code: ask for a new one (pickup-registry terminal enrol)")
		case err != nil:
			return err
		case usedAt.Valid && reqID.String == req.RequestID && !now.After(parseTime(expires)):
			termID = usedBy.String
			var revoked sql.NullString
			err := tx.QueryRowContext(ctx, "SELECT secret, revoked_at FROM terminals WHERE id = ?", termID).Scan(&secret, &revoked)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return protocol.Errorf(protocol.CodeEnrolmentRefused, "the terminal enrolled with this code is gone from the registry: ask for a new code")
			case err != nil:
				return err
			case revoked.Valid:
				return protocol.Errorf(protocol.CodeEnrolmentRefused, "the terminal enrolled with this code was revoked on %s: ask for a new code (pickup-registry terminal enrol)", revoked.String[:min(10, len(revoked.String))])
			}
			return nil
		case usedAt.Valid:
			return protocol.Errorf(protocol.CodeEnrolmentRefused, "this enrolment code was already used on %s: ask for a new one", usedAt.String[:10])
		case now.After(parseTime(expires)):
			return protocol.Errorf(protocol.CodeEnrolmentRefused, "this enrolment code expired on %s: ask for a new one", expires[:16])
		}
		if termID, err = reg.newTerminalID(ctx, tx); err != nil {
			return err
		}
		secret = make([]byte, 32)
		if _, err := io.ReadFull(reg.Rand, secret); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO terminals (id, centre_id, secret, hostname, client_version, enrolled_at, last_seen)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, termID, centreID, secret, req.Hostname, req.ClientVersion, fmtTime(now), fmtTime(now)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE enrolments SET used_at = ?, request_id = ?, terminal_id = ? WHERE token_hash = ?",
			fmtTime(now), req.RequestID, termID, protocol.TokenHash(ec.Token))
		return err
	})
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, fmt.Errorf("enrol: %w", err)
	}
	centre, err := reg.Centre(ctx, centreID)
	if err != nil {
		return nil, err
	}
	keys, err := reg.Keys(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := reg.DatasetID(ctx)
	if err != nil {
		return nil, err
	}
	pin, err := reg.TLSPin(ctx)
	if err != nil {
		return nil, err
	}
	reg.Log.Info("terminal enrolled", "terminal", termID, "centre", centreID)
	return &protocol.EnrolResponse{TerminalID: termID, Secret: secret, Centre: centre, Keys: keys, DatasetID: ds,
		TLSPin: pin, ServerTime: now}, nil
}

// PreviewEnrolment says which centre an enrolment code enrols into, with
// the refusals Enrol would give (unknown, used, expired), and changes
// nothing: the terminal checks it would accept that centre first.
func (reg *Registry) PreviewEnrolment(ctx context.Context, code string) (*protocol.EnrolPreviewResponse, error) {
	ec, err := protocol.ParseEnrolmentCode(code)
	if err != nil {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "%v", err)
	}
	var centreID, expires string
	var usedAt sql.NullString
	err = reg.r.QueryRowContext(ctx, "SELECT centre_id, expires_at, used_at FROM enrolments WHERE token_hash = ?",
		protocol.TokenHash(ec.Token)).Scan(&centreID, &expires, &usedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, protocol.Errorf(protocol.CodeEnrolmentRefused, "unknown enrolment code: ask for a new one (pickup-registry terminal enrol)")
	case err != nil:
		return nil, fmt.Errorf("enrol preview: %w", err)
	case usedAt.Valid:
		return nil, protocol.Errorf(protocol.CodeEnrolmentRefused, "this enrolment code was already used on %s: ask for a new one", usedAt.String[:min(10, len(usedAt.String))])
	case reg.now().After(parseTime(expires)):
		return nil, protocol.Errorf(protocol.CodeEnrolmentRefused, "this enrolment code expired on %s: ask for a new one", expires[:min(16, len(expires))])
	}
	centre, err := reg.Centre(ctx, centreID)
	if err != nil {
		return nil, err
	}
	return &protocol.EnrolPreviewResponse{Centre: centre, ExpiresAt: parseTime(expires)}, nil
}

func (reg *Registry) newTerminalID(ctx context.Context, tx *wtx) (string, error) {
	for {
		var b [8]byte
		if _, err := io.ReadFull(reg.Rand, b[:]); err != nil {
			return "", err
		}
		var sb strings.Builder
		sb.WriteString("term-")
		for _, c := range b {
			sb.WriteByte(pickup.Alphabet[c&31])
		}
		id := sb.String()
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM terminals WHERE id = ?", id).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return id, nil
		}
	}
}

// Terminal is an enrolled terminal as `terminal list` shows it.
type Terminal struct {
	ID            string     `json:"id"`
	CentreID      string     `json:"centre_id"`
	Hostname      string     `json:"hostname,omitempty"`
	ClientVersion string     `json:"client_version,omitempty"`
	EnrolledAt    time.Time  `json:"enrolled_at"`
	LastSeen      *time.Time `json:"last_seen,omitempty"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	// Pending is how many facts the terminal last reported waiting in its
	// outbox (PendingAt when), nil if it never did (an older version).
	Pending   *int       `json:"pending,omitempty"`
	PendingAt *time.Time `json:"pending_at,omitempty"`
}

// PendingCount is Pending, 0 when never reported (for templates).
func (t Terminal) PendingCount() int {
	if t.Pending == nil {
		return 0
	}
	return *t.Pending
}

// Terminals lists the enrolled terminals, by centre then id.
func (reg *Registry) Terminals(ctx context.Context) ([]Terminal, error) {
	out := []Terminal{}
	err := sqlkit.Each(ctx, reg.r, func(rows *sql.Rows) error {
		var t Terminal
		var enrolled string
		var seen, revoked, pendingAt sql.NullString
		var pending sql.NullInt64
		if err := rows.Scan(&t.ID, &t.CentreID, &t.Hostname, &t.ClientVersion, &enrolled, &seen, &revoked, &pending, &pendingAt); err != nil {
			return err
		}
		t.EnrolledAt = parseTime(enrolled)
		if seen.Valid {
			v := parseTime(seen.String)
			t.LastSeen = &v
		}
		if revoked.Valid {
			v := parseTime(revoked.String)
			t.RevokedAt = &v
		}
		if pending.Valid && pendingAt.Valid {
			n, at := int(pending.Int64), parseTime(pendingAt.String)
			t.Pending, t.PendingAt = &n, &at
		}
		out = append(out, t)
		return nil
	}, `SELECT id, centre_id, hostname, client_version, enrolled_at, last_seen, revoked_at, pending, pending_at
		FROM terminals ORDER BY centre_id, id`)
	if err != nil {
		return nil, fmt.Errorf("list terminals: %w", err)
	}
	return out, nil
}

// RevokeTerminal revokes a terminal: its credentials are refused from now
// on (terminal_revoked). Revoking twice is not an error.
func (reg *Registry) RevokeTerminal(ctx context.Context, id string) error {
	err := reg.write(ctx, func(tx *wtx) error {
		return execSome(ctx, tx, fmt.Errorf("terminal %q: %w", id, ErrNotFound),
			"UPDATE terminals SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", fmtTime(reg.now()), id)
	})
	if err != nil {
		return fmt.Errorf("revoke terminal: %w", err)
	}
	reg.Log.Info("terminal revoked", "terminal", id)
	return nil
}

// terminalAuth is what the server needs to authenticate a terminal.
type terminalAuth struct {
	id       string
	centreID string
	secret   []byte
	revoked  bool
}

func (reg *Registry) terminalAuth(ctx context.Context, id string) (terminalAuth, error) {
	t := terminalAuth{id: id}
	var revoked sql.NullString
	err := reg.read(ctx, func(tx *sql.Tx) error {
		rows, err := reg.query(ctx, tx, "SELECT centre_id, secret, revoked_at FROM terminals WHERE id = ?", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		return rows.Scan(&t.centreID, &t.secret, &revoked)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("terminal %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("read terminal: %w", err)
	}
	t.revoked = revoked.Valid
	return t, nil
}

// touch records when terminals were last seen.
func (reg *Registry) touch(ctx context.Context, seen map[string]SeenNote) error {
	return reg.write(ctx, func(tx *wtx) error {
		for id, n := range seen {
			if _, err := tx.ExecContext(ctx, "UPDATE terminals SET last_seen = max(coalesce(last_seen, ''), ?) WHERE id = ?", fmtTime(n.At), id); err != nil {
				return err
			}
			if n.Pending == nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE terminals SET pending = ?, pending_at = ?
				WHERE id = ? AND coalesce(pending_at, '') <= ?`, *n.Pending, fmtTime(n.PendingAt), id, fmtTime(n.PendingAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// SeenNote is what the server notes of a terminal's calls between two
// writes: when it last called and, when its pull said, how many facts it
// holds that the registry has not acknowledged.
type SeenNote struct {
	At        time.Time
	Pending   *int
	PendingAt time.Time
}
