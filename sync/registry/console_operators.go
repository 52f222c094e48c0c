package registry

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pickup-terminal/pickup/internal/passhash"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Operators are the administration's people who use the web console
// (sync/registry/console). Their passwords are stored as argon2id hashes
// (RFC 9106; parameters of the OWASP recommendation: 19 MiB, 2 passes, one
// lane), their sessions by the SHA-256 of the cookie's token, so that a copy
// of the database lets nobody in.

// Operator login rules.
const (
	MinPasswordLen = 12
	maxPasswordLen = 1024
	// AccountLockFailures failed logins for one account within LockWindow
	// lock it until the oldest of them is LockWindow old.
	AccountLockFailures = 5
	// SourceLockFailures failed logins from one address within LockWindow
	// (whatever the names tried) lock that address out the same way.
	SourceLockFailures = 20
	LockWindow         = 15 * time.Minute
	// SessionIdle and SessionMax bound a console session.
	SessionIdle = 2 * time.Hour
	SessionMax  = 12 * time.Hour
)

// hashTurns bounds how many password hashes run at once (19 MiB each): a
// flood of logins queues instead of exhausting memory.
var hashTurns = make(chan struct{}, 2)

// ErrBadLogin refuses a login: unknown name or wrong password (the console
// does not say which).
var ErrBadLogin = errors.New("wrong name or password")

// ErrLocked is what a LockedError matches with errors.Is.
var ErrLocked = errors.New("locked after repeated failed logins")

// LockedError refuses a login during a lockout, for the account or for
// the caller's address.
type LockedError struct {
	Until  time.Time
	Source bool // the address is locked out, not (only) the account
}

func (e *LockedError) Error() string {
	who := "account"
	if e.Source {
		who = "address"
	}
	return fmt.Sprintf("%s locked after repeated failed logins until %s", who, e.Until.UTC().Format("15:04 UTC"))
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Operator is a console account as `operator list` shows it.
type Operator struct {
	Name        string     `json:"name"`
	CreatedAt   time.Time  `json:"created_at"`
	Sessions    int        `json:"sessions"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

// Session is a signed-in operator's console session. Token is set only
// by Login (the database keeps its hash).
type Session struct {
	Token     string
	Operator  string
	CSRF      string
	ExpiresAt time.Time
}

// CheckOperatorName checks an operator name: 1 to 64 of A-Z a-z 0-9 . _ -
func CheckOperatorName(name string) error {
	if name == "" || len(name) > 64 || strings.ContainsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}) {
		return fmt.Errorf("%w: operator name %q: want 1 to 64 of A-Z a-z 0-9 . _ -", ErrRefused, name)
	}
	return nil
}

// CheckPassword checks a new password: at least MinPasswordLen characters,
// valid UTF-8, no control characters.
func CheckPassword(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Errorf("%w: password shorter than %d characters", ErrRefused, MinPasswordLen)
	case len(pw) > maxPasswordLen:
		return fmt.Errorf("%w: password longer than %d bytes", ErrRefused, maxPasswordLen)
	case !utf8.ValidString(pw):
		return fmt.Errorf("%w: password is not UTF-8", ErrRefused)
	case strings.ContainsFunc(pw, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%w: password has control characters", ErrRefused)
	}
	return nil
}

func (reg *Registry) hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(reg.Rand, salt); err != nil {
		return "", err
	}
	hashTurns <- struct{}{}
	defer func() { <-hashTurns }()
	return passhash.Hash(pw, salt), nil
}

// verifyPassword checks pw against an encoded argon2id hash.
func verifyPassword(encoded, pw string) bool {
	hashTurns <- struct{}{}
	defer func() { <-hashTurns }()
	return passhash.Verify(encoded, pw)
}

// dummyHash is verified against when the name is unknown, so that an
// unknown name costs the same time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	return passhash.Hash("no such operator", []byte("pickup-no-such-operator"))
})

// AddOperator creates a console account.
func (reg *Registry) AddOperator(ctx context.Context, name, password string) error {
	if err := CheckOperatorName(name); err != nil {
		return fmt.Errorf("add operator: %w", err)
	}
	if err := CheckPassword(password); err != nil {
		return fmt.Errorf("add operator: %w", err)
	}
	h, err := reg.hashPassword(password)
	if err != nil {
		return fmt.Errorf("add operator: %w", err)
	}
	err = reg.write(ctx, func(tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM operators WHERE name = ?", name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("operator %q: %w", name, ErrExists)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO operators (name, password_hash, created_at) VALUES (?, ?, ?)", name, h, fmtTime(reg.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("add operator: %w", err)
	}
	reg.Log.Info("operator added")
	return nil
}

// RemoveOperator deletes a console account and ends its sessions.
func (reg *Registry) RemoveOperator(ctx context.Context, name string) error {
	err := reg.write(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM operator_sessions WHERE operator = ?", name); err != nil {
			return err
		}
		return execSome(ctx, tx, fmt.Errorf("operator %q: %w", name, ErrNotFound), "DELETE FROM operators WHERE name = ?", name)
	})
	if err != nil {
		return fmt.Errorf("remove operator: %w", err)
	}
	reg.Log.Info("operator removed")
	return nil
}

// Operators lists the console accounts by name, with their open sessions
// and any lockout.
func (reg *Registry) Operators(ctx context.Context) ([]Operator, error) {
	now := reg.now()
	out := []Operator{}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		if err := sqlkit.Each(ctx, tx, func(rows *sql.Rows) error {
			var o Operator
			if err := rows.Scan(&o.Name, timeIn(&o.CreatedAt), &o.Sessions); err != nil {
				return err
			}
			out = append(out, o)
			return nil
		}, `SELECT name, created_at,
			(SELECT count(*) FROM operator_sessions s WHERE s.operator = o.name AND s.expires_at > ?1 AND s.last_seen > ?2)
			FROM operators o ORDER BY name`, fmtTime(now), fmtTime(now.Add(-SessionIdle))); err != nil {
			return err
		}
		for i := range out {
			until, err := lockedUntil(ctx, tx, "op:"+out[i].Name, AccountLockFailures, now)
			if err != nil {
				return err
			}
			if !until.IsZero() {
				out[i].LockedUntil = &until
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	return out, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// lockedUntil returns when the lockout of key ends (zero when it is not
// locked): limit failures within LockWindow lock it until the oldest of
// the last limit is LockWindow old.
func lockedUntil(ctx context.Context, q querier, key string, limit int, now time.Time) (time.Time, error) {
	var at sql.NullString
	err := q.QueryRowContext(ctx, `SELECT min(at) FROM (SELECT at FROM login_failures WHERE key = ? AND at > ?
		ORDER BY at DESC LIMIT ?) HAVING count(*) >= ?`, key, fmtTime(now.Add(-LockWindow)), limit, limit).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !at.Valid {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return parseTime(at.String).Add(LockWindow), nil
}

// Login checks an operator's name and password, from source (the
// caller's address), and opens a session. A wrong name or password is
// ErrBadLogin; during a lockout every attempt, even a right one, is a
// *LockedError.
func (reg *Registry) Login(ctx context.Context, name, password, source string) (Session, error) {
	now := reg.now()
	opKey, srcKey := "op:"+name, "src:"+source
	locked := func() error {
		until, err := lockedUntil(ctx, reg.r, srcKey, SourceLockFailures, now)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			return &LockedError{Until: until, Source: true}
		}
		if until, err = lockedUntil(ctx, reg.r, opKey, AccountLockFailures, now); err != nil {
			return err
		}
		if !until.IsZero() {
			return &LockedError{Until: until}
		}
		return nil
	}
	if err := locked(); err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	hash := dummyHash()
	known := false
	if len(name) <= 64 {
		err := reg.r.QueryRowContext(ctx, "SELECT password_hash FROM operators WHERE name = ?", name).Scan(&hash)
		switch {
		case err == nil:
			known = true
		case !errors.Is(err, sql.ErrNoRows):
			return Session{}, fmt.Errorf("login: %w", err)
		}
	}
	if ok := verifyPassword(hash, password) && known; !ok {
		err := reg.write(ctx, func(tx *wtx) error {
			if len(opKey) > 80 {
				opKey = opKey[:80]
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO login_failures (key, at) VALUES (?, ?), (?, ?)", opKey, fmtTime(now), srcKey, fmtTime(now))
			return err
		})
		if err != nil {
			return Session{}, fmt.Errorf("login: %w", err)
		}
		reg.Log.Warn("console login refused", "source", source)
		if err := locked(); err != nil {
			return Session{}, fmt.Errorf("login: %w", err)
		}
		return Session{}, fmt.Errorf("login: %w", ErrBadLogin)
	}
	tok, err := reg.randomToken()
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	csrf, err := reg.randomToken()
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	s := Session{Token: tok, Operator: name, CSRF: csrf, ExpiresAt: now.Add(SessionMax)}
	err = reg.write(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE key = ? OR at < ?", opKey, fmtTime(now.Add(-24*time.Hour))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM operator_sessions WHERE expires_at < ? OR last_seen < ?", fmtTime(now), fmtTime(now.Add(-SessionIdle))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO operator_sessions (token_hash, operator, csrf, created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
			tokenHash(tok), name, csrf, fmtTime(now), fmtTime(s.ExpiresAt), fmtTime(now))
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	reg.Log.Info("console login", "source", source)
	return s, nil
}

func (reg *Registry) randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(reg.Rand, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// Session returns the open session of a cookie's token (ErrNotFound when
// unknown, expired or idle too long) and notes the activity.
func (reg *Registry) Session(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 128 {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	now := reg.now()
	h := tokenHash(token)
	var s Session
	var last time.Time
	err := reg.r.QueryRowContext(ctx, "SELECT operator, csrf, expires_at, last_seen FROM operator_sessions WHERE token_hash = ?", h).
		Scan(&s.Operator, &s.CSRF, timeIn(&s.ExpiresAt), timeIn(&last))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	if !now.Before(s.ExpiresAt) || now.Sub(last) > SessionIdle {
		return Session{}, fmt.Errorf("session: expired: %w", ErrNotFound)
	}
	if now.Sub(last) > time.Minute {
		if err := reg.write(ctx, func(tx *wtx) error {
			_, err := tx.ExecContext(ctx, "UPDATE operator_sessions SET last_seen = ? WHERE token_hash = ?", fmtTime(now), h)
			return err
		}); err != nil {
			return Session{}, fmt.Errorf("session: %w", err)
		}
	}
	return s, nil
}

// Logout ends the session of a cookie's token (no error when there is
// none).
func (reg *Registry) Logout(ctx context.Context, token string) error {
	err := reg.write(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM operator_sessions WHERE token_hash = ?", tokenHash(token))
		return err
	})
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}
