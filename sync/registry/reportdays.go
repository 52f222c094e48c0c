package registry

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
)

// MaxReportDays bounds a report's period.
const MaxReportDays = 3660

// DayFigures are the handovers of one day (or of a period).
type DayFigures struct {
	Day pickup.Date `json:"day,omitzero"`
	// Handovers counts the parcels handed over that day (not undone).
	Handovers int `json:"handovers"`
	// Collected counts the codes handed over for the first time.
	Collected int `json:"collected"`
	// DoubleHandovers counts the handovers of a code already handed over.
	DoubleHandovers int `json:"double_handovers"`
	// Undone counts the handovers undone that day.
	Undone int `json:"undone"`
}

func (d *DayFigures) add(o DayFigures) {
	d.Handovers += o.Handovers
	d.Collected += o.Collected
	d.DoubleHandovers += o.DoubleHandovers
	d.Undone += o.Undone
}

// HandoverSide is one handover of a code handed over more than once.
type HandoverSide struct {
	EventID     string    `json:"event_id"`
	TerminalID  string    `json:"terminal_id"`
	CentreID    string    `json:"centre_id"`
	At          time.Time `json:"at"`
	ReceivedAt  time.Time `json:"received_at"`
	GloveSize   string    `json:"glove_size,omitempty"`
	Volunteer   string    `json:"volunteer,omitempty"`
	OnSignature bool      `json:"on_signature"`
}

// DoubleHandover is a code handed over more than once, with every
// handover, earliest first (by the terminals' clocks).
type DoubleHandover struct {
	Code       pickup.Code    `json:"code"`
	Name       string         `json:"name"`
	Profession string         `json:"profession"`
	CentreID   string         `json:"centre_id"` // the pickup's centre
	CampaignID string         `json:"campaign_id"`
	Handovers  []HandoverSide `json:"handovers"`
}

// dayStart is the first moment of a local day, as stored text.
func dayStart(d pickup.Date) string { return fmtTime(d.Time(time.Local)) }

// reportPeriod resolves a report's days: to defaults to today, from to
// the day of the first handover (or to).
func (reg *Registry) reportPeriod(ctx context.Context, tx *sql.Tx, from, to pickup.Date) (pickup.Date, pickup.Date, error) {
	if to.IsZero() {
		to = pickup.DateOf(reg.Now().In(time.Local))
	}
	if from.IsZero() {
		from = to
		var first sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT min(at) FROM events WHERE type = 'handover'").Scan(&first); err != nil {
			return from, to, err
		}
		if first.Valid {
			if d := pickup.DateOf(parseTime(first.String).In(time.Local)); d.Before(to) {
				from = d
			}
		}
		if from.DaysUntil(to) >= MaxReportDays {
			from = to.AddDays(-(MaxReportDays - 1))
		}
	}
	switch {
	case to.Before(from):
		return from, to, fmt.Errorf("%w: the period ends (%s) before it starts (%s)", ErrRefused, to, from)
	case from.DaysUntil(to) >= MaxReportDays:
		return from, to, fmt.Errorf("%w: a period of at most %d days", ErrRefused, MaxReportDays)
	}
	return from, to, nil
}

// reportDays fills the per-day figures and the double handovers of the
// report's period.
func (reg *Registry) reportDays(ctx context.Context, tx *sql.Tx, rep *Report) error {
	n := rep.From.DaysUntil(rep.To) + 1
	newDays := func() []DayFigures {
		ds := make([]DayFigures, n)
		for i := range ds {
			ds[i].Day = rep.From.AddDays(i)
		}
		return ds
	}
	rep.Days = newDays()
	byCentre := map[string][]DayFigures{}
	index := map[string]int{}
	for i := range rep.Centres {
		index[rep.Centres[i].ID] = i
	}
	bucket := func(centre, at string) *DayFigures {
		i := rep.From.DaysUntil(pickup.DateOf(parseTime(at).In(time.Local)))
		if i < 0 || i >= n {
			return nil
		}
		if byCentre[centre] == nil {
			byCentre[centre] = newDays()
		}
		return &byCentre[centre][i]
	}
	lo, hi := dayStart(rep.From), dayStart(rep.To.AddDays(1))
	if err := eachRowArgs(ctx, tx, `WITH h AS (SELECT centre_id, at, row_number() OVER (PARTITION BY code ORDER BY at, id) AS n
			FROM events WHERE type = 'handover' AND undone = 0 AND flag = '')
		SELECT centre_id, at, n FROM h WHERE at >= ? AND at < ?`, []any{lo, hi}, func(r *sql.Rows) error {
		var centre, at string
		var k int
		if err := r.Scan(&centre, &at, &k); err != nil {
			return err
		}
		if d := bucket(centre, at); d != nil {
			d.Handovers++
			if k == 1 {
				d.Collected++
			} else {
				d.DoubleHandovers++
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("handovers by day: %w", err)
	}
	if err := eachRowArgs(ctx, tx, "SELECT centre_id, at FROM events WHERE type = 'undo' AND flag = '' AND at >= ? AND at < ?", []any{lo, hi}, func(r *sql.Rows) error {
		var centre, at string
		if err := r.Scan(&centre, &at); err != nil {
			return err
		}
		if d := bucket(centre, at); d != nil {
			d.Undone++
		}
		return nil
	}); err != nil {
		return fmt.Errorf("undos by day: %w", err)
	}
	for i := range rep.Centres {
		c := &rep.Centres[i]
		c.Days = byCentre[c.ID]
		if c.Days == nil {
			c.Days = newDays()
		}
		for j, d := range c.Days {
			rep.Days[j].add(d)
		}
	}
	for id, ds := range byCentre { // a centre the registry does not list
		if _, ok := index[id]; !ok {
			for j, d := range ds {
				rep.Days[j].add(d)
			}
		}
	}
	for _, d := range rep.Days {
		rep.Period.add(d)
	}
	rep.Totals.Days = rep.Days
	var err error
	rep.Doubles, err = reg.doubles(ctx, tx, lo, hi)
	return err
}

// doubles lists the codes with more than one handover not undone, one of
// them between lo and hi.
func (reg *Registry) doubles(ctx context.Context, tx *sql.Tx, lo, hi string) ([]DoubleHandover, error) {
	out := []DoubleHandover{}
	var cur *DoubleHandover
	err := eachRowArgs(ctx, tx, `WITH d AS (SELECT code FROM events WHERE type = 'handover' AND undone = 0 AND flag = ''
				GROUP BY code HAVING count(*) > 1 AND sum(at >= ? AND at < ?) > 0)
		SELECT e.code, coalesce(p.name, ''), coalesce(p.profession, ''), coalesce(p.centre_id, e.code_centre, ''), coalesce(p.campaign_id, ''),
			e.id, e.terminal_id, e.centre_id, e.at, e.received_at, e.glove_size, e.volunteer, e.on_signature
		FROM events e JOIN d ON d.code = e.code LEFT JOIN pickups p ON p.code = e.code
		WHERE e.type = 'handover' AND e.undone = 0 AND e.flag = ''
		ORDER BY (SELECT min(at) FROM events x WHERE x.code = e.code AND x.type = 'handover' AND x.undone = 0 AND x.flag = ''), e.code, e.at, e.id`,
		[]any{lo, hi}, func(r *sql.Rows) error {
			var d DoubleHandover
			var s HandoverSide
			if err := r.Scan(&d.Code, &d.Name, &d.Profession, &d.CentreID, &d.CampaignID,
				&s.EventID, &s.TerminalID, &s.CentreID, timeIn(&s.At), timeIn(&s.ReceivedAt), &s.GloveSize, &s.Volunteer, &s.OnSignature); err != nil {
				return err
			}
			if cur == nil || cur.Code != d.Code {
				out = append(out, d)
				cur = &out[len(out)-1]
			}
			cur.Handovers = append(cur.Handovers, s)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("double handovers: %w", err)
	}
	return out, nil
}

// WriteCSV writes the report's days — one row per day and centre, and a
// "total" row per day — a blank line, then one row per handover of a
// double handover. Cells that a spreadsheet would take for a formula are
// quoted (see SpreadsheetSafe).
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"day", "centre_id", "handovers", "collected", "double_handovers", "undone"})
	row := func(centre string, d DayFigures) {
		cw.Write([]string{d.Day.String(), SpreadsheetSafe(centre), strconv.Itoa(d.Handovers), strconv.Itoa(d.Collected),
			strconv.Itoa(d.DoubleHandovers), strconv.Itoa(d.Undone)})
	}
	for i, d := range rep.Days {
		for _, c := range rep.Centres {
			if i < len(c.Days) {
				row(c.ID, c.Days[i])
			}
		}
		row("total", d)
	}
	cw.Write(nil)
	cw.Write([]string{"code", "name", "profession", "pickup_centre_id", "handover", "at", "centre_id", "terminal_id", "glove_size", "event_id"})
	for _, d := range rep.Doubles {
		for i, h := range d.Handovers {
			cw.Write([]string{d.Code.String(), SpreadsheetSafe(d.Name), SpreadsheetSafe(d.Profession), SpreadsheetSafe(d.CentreID),
				strconv.Itoa(i + 1), h.At.Format(time.RFC3339), SpreadsheetSafe(h.CentreID), SpreadsheetSafe(h.TerminalID),
				SpreadsheetSafe(h.GloveSize), SpreadsheetSafe(h.EventID)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	return nil
}

// SpreadsheetSafe keeps a text cell from being read as a formula by a
// spreadsheet (a name such as =HYPERLINK(…) in an imported request file):
// text starting with = + - @ or a tab or carriage return gets a leading
// apostrophe, which spreadsheets show as plain text.
func SpreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
