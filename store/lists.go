package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// DefaultListLimit is how many rows a manager's list shows at once; the
// total says how many matched.
const DefaultListLimit = 200

// MaxCount is where a search stops counting its matches (More says there
// are more).
const MaxCount = 5000

// MaxSearchLen bounds a search text, in bytes.
const MaxSearchLen = 100

// ExpectedPickup is one pickup of the manager's list of who is still
// expected.
type ExpectedPickup struct {
	pickup.Pickup
	// Collected says a search by code found a pickup already handed over
	// (the list itself holds only the ones still to come).
	Collected bool `json:"collected,omitempty"`
}

// ExpectedList is one page of the pickups still expected at this centre.
type ExpectedList struct {
	Search  string           `json:"search,omitempty"`
	ByCode  bool             `json:"by_code,omitempty"` // the search was a whole code
	Total   int              `json:"total"`             // every match, beyond the page (at most MaxCount)
	More    bool             `json:"more,omitempty"`    // a search found more than MaxCount
	Pickups []ExpectedPickup `json:"pickups"`
}

// Expected lists the pickups of this centre still to come (not cancelled,
// not handed over), in name order, at most limit of them (0:
// DefaultListLimit), with the total count. A search that is a whole code
// (typed any way lookup forgives) finds that code whatever its state; any
// other search keeps the pickups whose name holds every word of it,
// ignoring case and accents.
func (s *Store) Expected(ctx context.Context, search string, limit int) (ExpectedList, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	search = strings.TrimSpace(search)
	out := ExpectedList{Search: search, Pickups: []ExpectedPickup{}}
	if len(search) > MaxSearchLen {
		return out, errorf(CodeInvalid, "search: longer than %d characters", MaxSearchLen)
	}
	id, err := s.Identity(ctx)
	if err != nil {
		return out, err
	}
	if code, err := pickup.ParseCode(search); err == nil {
		out.ByCode = true
		p, err := getPickup(ctx, s.db, code)
		if err != nil || p == nil || p.CentreID != id.Centre.ID {
			return out, err
		}
		var active int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM redemptions WHERE code = ? AND undone_by = ''", string(code)).Scan(&active); err != nil {
			return out, fmt.Errorf("search by code: %w", err)
		}
		out.Total = 1
		out.Pickups = append(out.Pickups, ExpectedPickup{Pickup: *p, Collected: active > 0 || p.Status == pickup.StatusCollected})
		return out, nil
	}
	where := `FROM pickups p WHERE p.centre_id = ? AND p.status = 'expected'`
	args := []any{id.Centre.ID}
	words := strings.Fields(search)
	// Every word's LIKE first (fast, with one-character wildcards where
	// an accent may stand), then their GLOBs for the accents and case.
	for _, w := range words {
		where += " AND p.name LIKE ? ESCAPE '\\'"
		args = append(args, likePattern(w))
	}
	for _, w := range words {
		where += " AND p.name GLOB ?"
		args = append(args, namePattern(w))
	}
	where += " AND NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.code = p.code AND r.undone_by = '')"
	rows, err := s.db.QueryContext(ctx, "SELECT "+prefixed("p.", sqlkit.PickupColumns)+" "+where+" ORDER BY p.name, p.code LIMIT ?", append(args, limit)...)
	if err != nil {
		return out, fmt.Errorf("list expected pickups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p ExpectedPickup
		if err := sqlkit.ScanPickup(rows, &p.Pickup); err != nil {
			return out, fmt.Errorf("list expected pickups: %w", err)
		}
		out.Pickups = append(out.Pickups, p)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("list expected pickups: %w", err)
	}
	out.Total = len(out.Pickups)
	if out.Total < limit {
		return out, nil // every match is on the page
	}
	count := "SELECT count(*) FROM (SELECT 1 " + where + " LIMIT ?)"
	args = append(args, MaxCount+1)
	if len(words) == 0 {
		// The centre's index entries counted, less the codes handed over
		// here (far fewer) that the registry has not marked collected yet.
		count = `SELECT (SELECT count(*) FROM pickups WHERE centre_id = ?1 AND status = 'expected') -
			(SELECT count(DISTINCT r.code) FROM redemptions r CROSS JOIN pickups p ON p.code = r.code
			WHERE r.undone_by = '' AND p.centre_id = ?1 AND p.status = 'expected')`
		args = args[:1]
	}
	if err := s.db.QueryRowContext(ctx, count, args...).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("count expected pickups: %w", err)
	}
	out.More = len(words) > 0 && out.Total > MaxCount
	out.Total = min(out.Total, MaxCount)
	if len(words) == 0 {
		out.Total = max(out.Total, len(out.Pickups))
	}
	return out, nil
}

// likePattern is the LIKE pattern that lets through every name namePattern
// matches: the word with "_" for each letter an accent may change.
func likePattern(word string) string {
	var b strings.Builder
	b.WriteByte('%')
	for _, r := range plainLetters(word) {
		switch {
		case letterForms[r] != "":
			b.WriteByte('_')
		case r == '%' || r == '_' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('%')
	return b.String()
}

// prefixed puts prefix before every column of a comma-separated list.
func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// letterForms are the accented forms of the letters names are written
// with in the centres' languages.
var letterForms = map[rune]string{
	'a': "aàáâäãåæ", 'c': "cç", 'e': "eéèêë", 'i': "iíìîï", 'n': "nñ",
	'o': "oóòôöõøœ", 'u': "uúùûü", 'y': "yýÿ", 's': "sß",
}

// foldLetter returns the plain letter of an accented lower-case one.
var foldLetter = func() map[rune]rune {
	m := map[rune]rune{}
	for base, forms := range letterForms {
		for _, r := range forms {
			m[r] = base
		}
	}
	return m
}()

// plainLetters returns word in lower case, each accented letter as its
// plain one.
func plainLetters(word string) []rune {
	rs := []rune(strings.ToLower(word))
	for i, r := range rs {
		if base, ok := foldLetter[r]; ok {
			rs[i] = base
		}
	}
	return rs
}

// namePattern turns a search word into a GLOB pattern matching any name
// that holds it, whatever the case and accents ("emi" finds "Émilie").
func namePattern(word string) string {
	var b strings.Builder
	b.WriteByte('*')
	for _, r := range plainLetters(word) {
		forms, ok := letterForms[r]
		if !ok {
			forms = string(r)
		}
		b.WriteByte('[')
		for _, f := range forms {
			b.WriteRune(f)
			if u := unicode.ToUpper(f); u != f {
				b.WriteRune(u)
			}
		}
		b.WriteByte(']')
	}
	b.WriteByte('*')
	return b.String()
}

// HandoverDay is the handovers at this centre on one day.
type HandoverDay struct {
	Date      pickup.Date `json:"date"`
	Total     int         `json:"total"`   // every handover of the day, undone ones included
	Doubles   int         `json:"doubles"` // of them, handovers of a code handed over more than once
	Handovers []Handed    `json:"handovers"`
}

// HandoversOn lists the handovers of day (at the centre's time), newest
// first, at most limit (0: DefaultListLimit), with the day's totals.
func (s *Store) HandoversOn(ctx context.Context, day pickup.Date, limit int) (HandoverDay, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	out := HandoverDay{Date: day}
	from, to := fmtTime(s.DayStart(day)), fmtTime(s.DayStart(day.AddDays(1)))
	if err := s.db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum("+doubleExpr+"), 0) FROM redemptions r WHERE r.at >= ? AND r.at < ?",
		from, to).Scan(&out.Total, &out.Doubles); err != nil {
		return out, fmt.Errorf("count handovers: %w", err)
	}
	var err error
	out.Handovers, err = s.handovers(ctx, "r.at >= ? AND r.at < ?", []any{from, to}, limit)
	return out, err
}

// doubleExpr is true for a redemption r of a code handed over more than
// once (not undone), or that a conflict names.
const doubleExpr = `(r.code IN (SELECT code FROM conflicts) OR r.undone_by = '' AND
	(SELECT count(*) FROM redemptions d WHERE d.code = r.code AND d.undone_by = '') > 1)`

// handovers reads the handovers matching where, newest first, with the
// names of their pickups and counters.
func (s *Store) handovers(ctx context.Context, where string, args []any, limit int) ([]Handed, error) {
	names, err := s.CounterNames(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.event_id, r.code, coalesce(p.name, ''), coalesce(p.profession, ''), coalesce(p.parcel_kind, ''),
		r.glove_size, r.at, r.terminal_id, r.undone_by != '', r.local, `+doubleExpr+`
		FROM redemptions r LEFT JOIN pickups p ON p.code = r.code
		WHERE `+where+` ORDER BY r.at DESC, r.event_id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list handovers: %w", err)
	}
	defer rows.Close()
	out := []Handed{}
	for rows.Next() {
		var h Handed
		var at string
		if err := rows.Scan(&h.EventID, &h.Code, &h.Name, &h.Profession, &h.ParcelKind, &h.GloveSize, &at, &h.TerminalID, &h.Undone, &h.Local, &h.Double); err != nil {
			return nil, fmt.Errorf("list handovers: %w", err)
		}
		h.At = parseTime(at)
		h.Code = pickup.Code(h.Code).String()
		h.Counter = names[h.TerminalID]
		out = append(out, h)
	}
	return out, rows.Err()
}

// CounterNames maps the terminal ids this counter knows a name for (its
// own, and the peers it exchanged facts with) to that name.
func (s *Store) CounterNames(ctx context.Context) (map[string]string, error) {
	names := map[string]string{}
	peers, err := s.Peers(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range peers {
		if p.Name != "" {
			names[p.TerminalID] = p.Name
		}
	}
	id, err := s.Identity(ctx)
	if err != nil && !errors.Is(err, ErrNotInitialised) {
		return nil, err
	}
	if id.TerminalName != "" {
		names[id.TerminalID] = id.TerminalName
	}
	return names, nil
}
