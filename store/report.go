package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
)

// The report for the regional office: one query layer that `pickup
// report`'s three writers (XLSX, PDF, CSV) and the manager screen's Report
// button all read, so that every format shows the same figures, the same
// as `pickup status` and `pickup handovers` for the same days.

// MaxReportDays bounds a report's period.
const MaxReportDays = 366

// Report is what happened at the centre over whole days, From to To
// included, in the centre's time zone.
type Report struct {
	Centre       pickup.Centre `json:"centre"`
	TerminalID   string        `json:"terminal_id"`
	TerminalName string        `json:"terminal_name,omitempty"`
	CampaignID   string        `json:"campaign_id"`
	From         pickup.Date   `json:"from"`
	To           pickup.Date   `json:"to"`
	GeneratedAt  time.Time     `json:"generated_at"`

	Handovers int `json:"handovers"` // handovers at this centre in the period, not undone
	Undone    int `json:"undone"`    // handovers of the period taken back
	// Expected, Collected and Remaining are the centre's pickups now (as
	// `pickup status` counts them), whatever the period.
	Expected  int `json:"expected"`
	Collected int `json:"collected"`
	Remaining int `json:"remaining"`

	// Hours counts the handovers by hour of the day (0 to 23, summed over
	// the period's days); always 24 entries.
	Hours []int `json:"hours"`
	// Sizes are the glove sizes the profession table counts, in the
	// campaign's order ("" for parcels without gloves, last, when any).
	Sizes       []string             `json:"sizes"`
	Kinds       []ReportCount        `json:"parcel_kinds"`
	Professions []ReportByProfession `json:"professions"`
	GloveSizes  []ReportCount        `json:"glove_sizes"`

	Stock     []StockBalance   `json:"stock"`
	Shipments []ReportShipment `json:"shipments"`
	Conflicts []Conflict       `json:"conflicts"`
	// ConflictCodes is how many codes the period's conflicts involve.
	ConflictCodes int `json:"conflict_codes"`

	// Owed is what was recorded owed (every glove size out) and handed
	// over later in the period, and what is still owed now (Store.Owed).
	Owed OwedFigures `json:"owed"`
}

// ReportCount is a count under a key: a parcel kind or a glove size.
type ReportCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// ReportByProfession counts one profession's handovers, in all and per
// glove size (BySize follows Report.Sizes).
type ReportByProfession struct {
	Profession string `json:"profession"`
	Count      int    `json:"count"`
	BySize     []int  `json:"by_size"`
}

// StockBalance is the stock of one item and size over the period:
// Opening + Received − HandedOver − Lost + Counted = Closing. HandedOver
// is net of undos; Counted is what the stock counts of the period changed
// (the count rule: a count sets the level as of its time).
type StockBalance struct {
	Item       string `json:"item"`
	Size       string `json:"size,omitempty"`
	Opening    int    `json:"opening"`
	Received   int    `json:"received"`
	HandedOver int    `json:"handed_over"`
	Lost       int    `json:"lost"`
	Counted    int    `json:"counted"`
	Closing    int    `json:"closing"`
}

// ReportShipment is a shipment of the registry sent or received in the
// period, or still awaited.
type ReportShipment struct {
	Shipment
	ReceivedQty int       `json:"received_qty"`
	ReceivedAt  time.Time `json:"received_at,omitzero"`
}

// Report gathers the figures of the days from to to (included).
func (s *Store) Report(ctx context.Context, from, to pickup.Date) (Report, error) {
	rep := Report{From: from, To: to, GeneratedAt: s.Now(), Hours: make([]int, 24)}
	if to.Before(from) {
		return rep, errorf(CodeInvalid, "report: the period ends (%s) before it starts (%s)", to, from)
	}
	if days := from.DaysUntil(to) + 1; days > MaxReportDays {
		return rep, errorf(CodeInvalid, "report: %d days: at most %d", days, MaxReportDays)
	}
	st, err := s.Status(ctx)
	if err != nil {
		return rep, fmt.Errorf("report: %w", err)
	}
	rep.Centre, rep.TerminalID, rep.TerminalName, rep.CampaignID = st.Centre, st.TerminalID, st.TerminalName, st.CampaignID
	rep.Expected, rep.Collected, rep.Remaining = st.Expected, st.Collected, st.Remaining
	start, end := s.DayStart(from), s.DayStart(to.AddDays(1))
	camp, _ := campaign(ctx, s.db, st.CampaignID)
	if err := s.reportHandovers(ctx, &rep, camp, start, end); err != nil {
		return rep, fmt.Errorf("report: %w", err)
	}
	if rep.Stock, err = s.stockBalances(ctx, start, end); err != nil {
		return rep, fmt.Errorf("report: %w", err)
	}
	if rep.Shipments, err = s.reportShipments(ctx, start, end); err != nil {
		return rep, fmt.Errorf("report: %w", err)
	}
	all, err := s.Conflicts(ctx)
	if err != nil {
		return rep, fmt.Errorf("report: %w", err)
	}
	codes := map[string]bool{}
	for _, c := range all {
		if !c.At.Before(start) && c.At.Before(end) {
			rep.Conflicts = append(rep.Conflicts, c)
			codes[c.Code] = true
		}
	}
	rep.ConflictCodes = len(codes)
	if rep.Owed, err = s.Owed(ctx, start, end); err != nil {
		return rep, fmt.Errorf("report: %w", err)
	}
	return rep, nil
}

// reportHandovers counts the period's handovers at this centre by hour,
// parcel kind, profession and glove size.
func (s *Store) reportHandovers(ctx context.Context, rep *Report, camp *pickup.Campaign, start, end time.Time) error {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(p.profession, ''), coalesce(p.parcel_kind, ''), r.glove_size, r.at, r.undone_by != ''
		FROM redemptions r LEFT JOIN pickups p ON p.code = r.code
		WHERE r.centre_id = ? AND r.at >= ? AND r.at < ?`, rep.Centre.ID, fmtTime(start), fmtTime(end))
	if err != nil {
		return fmt.Errorf("count handovers: %w", err)
	}
	defer rows.Close()
	kinds, sizes := map[string]int{}, map[string]int{}
	profs := map[string]map[string]int{}
	for rows.Next() {
		var prof, kind, size, at string
		var undone bool
		if err := rows.Scan(&prof, &kind, &size, &at, &undone); err != nil {
			return err
		}
		if undone {
			rep.Undone++
			continue
		}
		rep.Handovers++
		rep.Hours[parseTime(at).In(s.Loc).Hour()]++
		kinds[kind]++
		sizes[size]++
		if profs[prof] == nil {
			profs[prof] = map[string]int{}
		}
		profs[prof][size]++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Sizes in the campaign's order, then any other seen, "" last.
	if camp != nil {
		for _, it := range camp.Items {
			if it.Sized() {
				rep.Sizes = append(rep.Sizes, it.Sizes...)
				break
			}
		}
	}
	var other []string
	for sz := range sizes {
		if sz != "" && !slices.Contains(rep.Sizes, sz) {
			other = append(other, sz)
		}
	}
	slices.Sort(other)
	rep.Sizes = append(rep.Sizes, other...)
	if sizes[""] > 0 {
		rep.Sizes = append(rep.Sizes, "")
	}
	for _, sz := range rep.Sizes {
		rep.GloveSizes = append(rep.GloveSizes, ReportCount{sz, sizes[sz]})
	}
	// Kinds and professions in the campaign's order, then others by name.
	var kindOrder, profOrder []string
	if camp != nil {
		for _, k := range camp.ParcelKinds {
			kindOrder = append(kindOrder, k.ID)
		}
		for _, p := range camp.Professions {
			profOrder = append(profOrder, p.ID)
		}
	}
	for _, k := range ordered(kindOrder, kinds) {
		rep.Kinds = append(rep.Kinds, ReportCount{k, kinds[k]})
	}
	for _, p := range ordered(profOrder, profs) {
		line := ReportByProfession{Profession: p, BySize: make([]int, len(rep.Sizes))}
		for i, sz := range rep.Sizes {
			line.BySize[i] = profs[p][sz]
			line.Count += profs[p][sz]
		}
		rep.Professions = append(rep.Professions, line)
	}
	return nil
}

// ordered returns the keys of m that order lists, in its order, then the
// others sorted.
func ordered[V any](order []string, m map[string]V) []string {
	var out, rest []string
	for _, k := range order {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// stockBalances gives each stock line's balance between start and end.
func (s *Store) stockBalances(ctx context.Context, start, end time.Time) ([]StockBalance, error) {
	lines, err := s.Stock(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StockBalance, 0, len(lines))
	for _, l := range lines {
		b := StockBalance{Item: l.Item, Size: l.Size}
		if b.Opening, err = levelAt(ctx, s.db, l.Item, l.Size, start); err != nil {
			return nil, err
		}
		if b.Closing, err = levelAt(ctx, s.db, l.Item, l.Size, end); err != nil {
			return nil, err
		}
		var handed int
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN kind = 'reception' THEN delta END), 0),
			coalesce(-sum(CASE WHEN kind IN ('handover', 'undo') THEN delta END), 0),
			coalesce(-sum(CASE WHEN kind = 'loss' THEN delta END), 0)
			FROM stock_moves WHERE item = ? AND size = ? AND kind <> 'count' AND at >= ? AND at < ?`,
			l.Item, l.Size, fmtTime(start), fmtTime(end)).Scan(&b.Received, &handed, &b.Lost); err != nil {
			return nil, fmt.Errorf("stock balance: %w", err)
		}
		b.HandedOver = handed
		b.Counted = b.Closing - b.Opening - b.Received + b.HandedOver + b.Lost
		out = append(out, b)
	}
	return out, nil
}

// reportShipments lists the shipments sent or received in the period and
// those still awaited.
func (s *Store) reportShipments(ctx context.Context, start, end time.Time) ([]ReportShipment, error) {
	all, err := s.Shipments(ctx)
	if err != nil {
		return nil, err
	}
	var out []ReportShipment
	for _, sh := range all {
		rs := ReportShipment{Shipment: sh}
		var at sql.NullString
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(delta), 0), min(at) FROM stock_moves WHERE kind = 'reception' AND ref = ?`,
			"shipment "+sh.ID).Scan(&rs.ReceivedQty, &at); err != nil {
			return nil, fmt.Errorf("shipment %s: %w", sh.ID, err)
		}
		if at.Valid {
			rs.ReceivedAt = parseTime(at.String)
		}
		in := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
		if in(sh.SentAt) || in(rs.ReceivedAt) || !sh.Received && sh.SentAt.Before(end) {
			out = append(out, rs)
		}
	}
	return out, nil
}

// ReportFileName is the usual name of a report's file: pickup-report-
// CENTRE-FROM[_TO].EXT.
func ReportFileName(centreID string, from, to pickup.Date, ext string) string {
	name := "pickup-report-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, centreID) + "-" + from.String()
	if to != from {
		name += "_" + to.String()
	}
	return name + "." + ext
}
