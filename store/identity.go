package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	stdsync "sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Setting keys.
const (
	KeyTerminalID   = "terminal_id"
	KeyTerminalName = "terminal_name"
	KeyCentreID     = "centre_id"
	KeyCampaignID   = "campaign_id"
	KeyUndoWindow   = "undo_window_s"
	KeyLang         = "lang"
	KeyLastRefresh  = "last_refresh"
	KeyLastSync     = "last_sync"
	KeyJournalHead  = "journal_head"
	KeySetUpAt      = "set_up_at"
)

// DefaultUndoWindow is how long a handover can be undone.
const DefaultUndoWindow = 2 * time.Minute

// Identity is who this terminal is.
type Identity struct {
	TerminalID   string        `json:"terminal_id"`
	TerminalName string        `json:"terminal_name"`
	Centre       pickup.Centre `json:"centre"`
	CampaignID   string        `json:"campaign_id"`
	UndoWindow   time.Duration `json:"-"`
}

// InitOptions sets up a stand-alone terminal.
type InitOptions struct {
	CentreID     string
	CentreName   string
	Address      string
	Hours        string
	CampaignID   string // default pickup.DefaultCampaignID
	TerminalID   string // default a fresh "t-" id
	TerminalName string // default "counter"
}

// Init sets up the terminal: its centre, campaign and identity. It fails
// with ErrAlreadySetUp on a terminal that has one.
func (s *Store) Init(ctx context.Context, o InitOptions) (Identity, error) {
	if !pickup.ValidID(o.CentreID) {
		return Identity{}, errorf(CodeInvalid, "init: centre id %q: use 1 to 64 letters, digits, '-' or '_'", o.CentreID)
	}
	if o.CentreName == "" {
		return Identity{}, errorf(CodeInvalid, "init: the centre needs a name")
	}
	if o.CampaignID == "" {
		o.CampaignID = pickup.DefaultCampaignID
	}
	c, err := pickup.BuiltinCampaign(o.CampaignID)
	if err != nil {
		return Identity{}, fmt.Errorf("init: %w", err)
	}
	if o.TerminalID == "" {
		o.TerminalID = "t-" + uuid.NewString()[:8]
	}
	if !pickup.ValidID(o.TerminalID) {
		return Identity{}, errorf(CodeInvalid, "init: terminal id %q invalid", o.TerminalID)
	}
	if o.TerminalName == "" {
		o.TerminalName = "counter"
	}
	if o.TerminalName, err = counterName(o.TerminalName); err != nil {
		return Identity{}, fmt.Errorf("init: %w", err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if id, err := getSetting(ctx, tx, KeyCentreID); err != nil {
			return err
		} else if id != "" {
			return errorf(CodeAlreadySetUp, "terminal already set up for centre %s", id)
		}
		if err := putCampaign(ctx, tx, c); err != nil {
			return err
		}
		if err := putCentre(ctx, tx, pickup.Centre{ID: o.CentreID, Name: o.CentreName, Address: o.Address, Hours: o.Hours}); err != nil {
			return err
		}
		for k, v := range map[string]string{
			KeyTerminalID: o.TerminalID, KeyTerminalName: o.TerminalName, KeyCentreID: o.CentreID,
			KeyCampaignID: o.CampaignID, KeySetUpAt: fmtTime(s.Now()),
		} {
			if err := setSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Identity{}, fmt.Errorf("init: %w", err)
	}
	return s.Identity(ctx)
}

// MaxUndoWindow bounds the undo window a terminal may be given: the
// registry honours no later undo (pickup.MaxUndoWindow).
const MaxUndoWindow = pickup.MaxUndoWindow

// SetUndoWindow sets how long a handover can be undone at this terminal:
// from 0 (never) to MaxUndoWindow, kept in whole seconds.
func (s *Store) SetUndoWindow(ctx context.Context, d time.Duration) error {
	if d < 0 || d > MaxUndoWindow {
		return errorf(CodeInvalid, "undo window %s: want 0s to %s", d, MaxUndoWindow)
	}
	return s.SetSetting(ctx, KeyUndoWindow, strconv.Itoa(int(d/time.Second)))
}

// MaxCounterName bounds a counter's name, in characters.
const MaxCounterName = 40

// counterName checks a counter's name (this one's, or a peer's as it says
// in its hello): trimmed, 1 to MaxCounterName characters, none of them a
// control character (a name is printed in lists, in the window and on a
// technician's terminal).
func counterName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxCounterName || !utf8.ValidString(name) ||
		strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || pickup.Unprintable(r) }) {
		return "", errorf(CodeInvalid, "counter name %q: want 1 to %d printable characters, e.g. \"Counter 2\"", name, MaxCounterName)
	}
	return name, nil
}

// SetTerminalName names this counter, as the centre's other counters, its
// lists and the registry's reports show it (see counterName).
func (s *Store) SetTerminalName(ctx context.Context, name string) error {
	name, err := counterName(name)
	if err != nil {
		return err
	}
	return s.SetSetting(ctx, KeyTerminalName, name)
}

// SetLang remembers the language chosen at the counter: one of
// i18n.Languages, or "" to follow the system again.
func (s *Store) SetLang(ctx context.Context, lang string) error {
	if lang != "" && !slices.Contains(i18n.Languages, lang) {
		return errorf(CodeInvalid, "language %q: want one of %v", lang, i18n.Languages)
	}
	return s.SetSetting(ctx, KeyLang, lang)
}

// Lang returns the language remembered at the counter ("" for the system's).
func (s *Store) Lang(ctx context.Context) (string, error) { return s.Setting(ctx, KeyLang) }

// Today is the centre's calendar day now: the one place "today" is decided
// (the store's clock in the store's time zone, Loc).
func (s *Store) Today() pickup.Date { return pickup.DateOf(s.Now().In(s.Loc)) }

// DayStart is the moment day d begins at the centre.
func (s *Store) DayStart(d pickup.Date) time.Time { return d.Time(s.Loc) }

// Identity returns who this terminal is, or ErrNotInitialised.
func (s *Store) Identity(ctx context.Context) (Identity, error) {
	return identity(ctx, s.db)
}

func identity(ctx context.Context, q querier) (Identity, error) {
	var id Identity
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM settings WHERE key IN (?, ?, ?, ?, ?)",
		KeyTerminalID, KeyTerminalName, KeyCentreID, KeyCampaignID, KeyUndoWindow)
	if err != nil {
		return Identity{}, fmt.Errorf("read identity: %w", classify(err))
	}
	var undo string
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return Identity{}, fmt.Errorf("read identity: %w", err)
		}
		switch k {
		case KeyTerminalID:
			id.TerminalID = v
		case KeyTerminalName:
			id.TerminalName = v
		case KeyCentreID:
			id.Centre.ID = v
		case KeyCampaignID:
			id.CampaignID = v
		case KeyUndoWindow:
			undo = v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Identity{}, fmt.Errorf("read identity: %w", classify(err))
	}
	if id.Centre.ID == "" {
		return Identity{}, ErrNotInitialised
	}
	id.UndoWindow = DefaultUndoWindow
	if n, err := strconv.Atoi(undo); err == nil && n >= 0 {
		id.UndoWindow = min(time.Duration(n)*time.Second, MaxUndoWindow) // set longer before the bound
	}
	if c, ok, err := centre(ctx, q, id.Centre.ID); err != nil {
		return Identity{}, err
	} else if ok {
		id.Centre = c
	}
	return id, nil
}

func putCampaign(ctx context.Context, q querier, c *pickup.Campaign) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, "INSERT INTO campaigns(id, definition) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET definition = excluded.definition", c.ID, string(b))
	return err
}

// PutCampaign stores or replaces a campaign definition.
func (s *Store) PutCampaign(ctx context.Context, c *pickup.Campaign) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error { return putCampaign(ctx, tx, c) })
}

// parsedCampaigns keeps parsed campaign definitions by their text, so that
// a lookup does not parse JSON; a changed definition is parsed again.
var parsedCampaigns stdsync.Map // definition text → *pickup.Campaign

func campaign(ctx context.Context, q querier, id string) (*pickup.Campaign, error) {
	var def string
	err := q.QueryRowContext(ctx, "SELECT definition FROM campaigns WHERE id = ?", id).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errorf(CodeNotFound, "campaign %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read campaign %q: %w", id, err)
	}
	if c, ok := parsedCampaigns.Load(def); ok {
		return c.(*pickup.Campaign), nil
	}
	c, err := pickup.ParseCampaign([]byte(def))
	if err != nil {
		return nil, err
	}
	parsedCampaigns.Store(def, c)
	return c, nil
}

// Campaign returns a stored campaign ("" for the terminal's own).
func (s *Store) Campaign(ctx context.Context, id string) (*pickup.Campaign, error) {
	if id == "" {
		var err error
		if id, err = getSetting(ctx, s.db, KeyCampaignID); err != nil {
			return nil, err
		}
		if id == "" {
			return nil, ErrNotInitialised
		}
	}
	return campaign(ctx, s.db, id)
}

func putCentre(ctx context.Context, q querier, c pickup.Centre) error {
	_, err := q.ExecContext(ctx, `INSERT INTO centres(id, name, address, hours) VALUES(?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET name = excluded.name, address = excluded.address, hours = excluded.hours`,
		c.ID, c.Name, c.Address, c.Hours)
	return err
}

// PutCentres stores or replaces entries of the centre directory.
func (s *Store) PutCentres(ctx context.Context, cs ...pickup.Centre) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range cs {
			if err := putCentre(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func centre(ctx context.Context, q querier, id string) (pickup.Centre, bool, error) {
	c := pickup.Centre{ID: id}
	err := q.QueryRowContext(ctx, "SELECT name, address, hours FROM centres WHERE id = ?", id).Scan(&c.Name, &c.Address, &c.Hours)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read centre: %w", err)
	}
	return c, true, nil
}

// PutSigningKey stores one of the registry's public signing keys.
func (s *Store) PutSigningKey(ctx context.Context, keyID string, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize || !pickup.ValidID(keyID) {
		return errorf(CodeInvalid, "signing key %q: invalid", keyID)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO signing_keys(key_id, public_key) VALUES(?, ?) ON CONFLICT(key_id) DO UPDATE SET public_key = excluded.public_key", keyID, []byte(pub))
		return err
	})
}

// RevokeCodes adds codes to the revoked list.
func (s *Store) RevokeCodes(ctx context.Context, codes ...pickup.Code) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO revoked_codes(code) VALUES(?)", string(c)); err != nil {
				return err
			}
		}
		return nil
	})
}

// revoked reports whether code is on the revoked list.
func revoked(ctx context.Context, q querier, code pickup.Code) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM revoked_codes WHERE code = ?", string(code)).Scan(&n)
	return n > 0, err
}

// keyring returns the registry keys this terminal trusts. Revoked codes are
// checked apart (revoked), before any signature is.
func keyring(ctx context.Context, q querier) (pickup.Keyring, error) {
	k := pickup.Keyring{Keys: map[string]ed25519.PublicKey{}}
	err := sqlkit.Each(ctx, q, func(rows *sql.Rows) error {
		var id string
		var pub []byte
		if err := rows.Scan(&id, &pub); err != nil {
			return err
		}
		k.Keys[id] = pub
		return nil
	}, "SELECT key_id, public_key FROM signing_keys")
	return k, err
}
