package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup/internal/passhash"
)

// The manager PIN guards the manager's screen of the counter window (the
// day's handovers with names, stock receptions, counts and losses). The
// technician sets it (`pickup config manager-pin`); the store keeps only an
// argon2id hash with its salt and parameters. A counter with no PIN keeps
// the manager's screen closed and says the technician must set one.
//
// Wrong PINs are rate-limited in the store, so that closing the window
// does not reset them: from the PINFreeTries-th wrong try in a row, the
// next try waits PINDelay, doubling with each further wrong try up to
// PINMaxDelay. The right PIN resets the count.
//
// A 4-digit PIN is a lock on a shared counter, not encryption: whoever can
// read the database file (0600, the terminal's account) could try every
// PIN against the hash in hours. The data it guards is in that file anyway.

// Setting keys of the manager PIN. Only the typed setters write them
// (SetSetting refuses every key with the prefix).
const (
	KeyManagerPIN      = "manager_pin"          // "$argon2id$v=19$m=…,t=…,p=…$salt$hash"
	KeyManagerPINFails = "manager_pin_failures" // "N AT": wrong tries in a row, the last one's time
	managerPINPrefix   = "manager_pin"
)

// PIN length bounds.
const (
	MinPINLen = 4
	MaxPINLen = 8
)

// The rate limit of wrong PINs.
const (
	PINFreeTries = 3
	PINDelay     = 15 * time.Second
	PINMaxDelay  = 15 * time.Minute
)

// CheckPIN says whether pin is acceptable as a manager PIN: MinPINLen to
// MaxPINLen digits.
func CheckPIN(pin string) error {
	if len(pin) < MinPINLen || len(pin) > MaxPINLen || strings.Trim(pin, "0123456789") != "" {
		return errorf(CodeInvalid, "manager PIN: want %d to %d digits", MinPINLen, MaxPINLen)
	}
	return nil
}

// SetManagerPIN sets the manager PIN (replacing any earlier one) and
// clears the count of wrong tries.
func (s *Store) SetManagerPIN(ctx context.Context, pin string) error {
	if err := CheckPIN(pin); err != nil {
		return err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("manager PIN: %w", err)
	}
	enc := passhash.Hash(pin, salt)
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := setSetting(ctx, tx, KeyManagerPIN, enc); err != nil {
			return fmt.Errorf("manager PIN: %w", err)
		}
		return setSetting(ctx, tx, KeyManagerPINFails, "")
	})
}

// HasManagerPIN reports whether a manager PIN is set.
func (s *Store) HasManagerPIN(ctx context.Context) (bool, error) {
	v, err := getSetting(ctx, s.db, KeyManagerPIN)
	if err != nil {
		return false, fmt.Errorf("manager PIN: %w", err)
	}
	return v != "", nil
}

// PINCheck is the outcome of a manager PIN try.
type PINCheck struct {
	OK     bool          // the PIN is right
	NotSet bool          // no PIN is set: the technician must set one
	Wait   time.Duration // wrong tries: wait this long before the next (0: try again now)
	Fails  int           // wrong tries in a row so far
	Early  bool          // tried during the wait: refused without checking
}

// pinDelay is the wait after fails wrong tries in a row.
func pinDelay(fails int) time.Duration {
	if fails < PINFreeTries {
		return 0
	}
	d := PINDelay
	for i := PINFreeTries; i < fails && d < PINMaxDelay; i++ {
		d *= 2
	}
	return min(d, PINMaxDelay)
}

// CheckManagerPIN checks a manager PIN try against the stored hash, under
// the rate limit: during the wait after repeated wrong tries it refuses
// without checking.
func (s *Store) CheckManagerPIN(ctx context.Context, pin string) (PINCheck, error) {
	var out PINCheck
	err := s.tx(ctx, func(tx *sql.Tx) error {
		enc, err := getSetting(ctx, tx, KeyManagerPIN)
		if err != nil {
			return err
		}
		if enc == "" {
			out.NotSet = true
			return nil
		}
		fails, last, err := pinFails(ctx, tx)
		if err != nil {
			return err
		}
		now := s.Now()
		out.Fails = fails
		if until := last.Add(pinDelay(fails)); fails >= PINFreeTries && now.Before(until) {
			out.Wait, out.Early = until.Sub(now), true
			return nil
		}
		if passhash.Verify(enc, pin) {
			out.OK, out.Fails = true, 0
			return setSetting(ctx, tx, KeyManagerPINFails, "")
		}
		out.Fails = fails + 1
		out.Wait = pinDelay(out.Fails)
		return setSetting(ctx, tx, KeyManagerPINFails, strconv.Itoa(out.Fails)+" "+fmtTime(now))
	})
	if err != nil {
		return PINCheck{}, fmt.Errorf("check manager PIN: %w", err)
	}
	return out, nil
}

func pinFails(ctx context.Context, q querier) (int, time.Time, error) {
	v, err := getSetting(ctx, q, KeyManagerPINFails)
	if err != nil || v == "" {
		return 0, time.Time{}, err
	}
	n, at, _ := strings.Cut(v, " ")
	fails, err := strconv.Atoi(n)
	if err != nil || fails < 0 {
		return 0, time.Time{}, nil // unreadable: start again
	}
	return fails, parseTime(at), nil
}
