package registry

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/pickup-terminal/pickup"
)

// ItemReport compares what was shipped to a centre with what its
// terminals handed over (and recorded as received), per item and size.
type ItemReport struct {
	Item       string `json:"item"`
	Size       string `json:"size,omitempty"`
	Shipped    int    `json:"shipped"`
	Received   int    `json:"received"`
	HandedOver int    `json:"handed_over"`
	Lost       int    `json:"lost"` // the centre's counters' recorded losses (damaged, expired, stolen)
}

// CentreReport is one centre's line of the report.
type CentreReport struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Expected counts the centre's pickups that are not cancelled.
	Expected  int `json:"expected"`
	Cancelled int `json:"cancelled"`
	// Collected counts the distinct codes handed over at the centre
	// (handovers not undone).
	Collected int `json:"collected"`
	// Handovers counts the parcels handed over at the centre: Collected
	// plus the double handovers.
	Handovers int `json:"handovers"`
	// DoubleHandovers counts the handovers at the centre of a code that had
	// already been handed over (here or elsewhere, earlier by the terminals'
	// clocks), not undone: a code handed over twice is one double handover.
	DoubleHandovers int `json:"double_handovers"`
	// Owed counts the handovers (not undone) that left items owed because
	// every glove size was out; OwedHandovers the owed handovers that gave
	// them later (a code's first); DoubleOwedHandovers the others (the
	// owed items went twice); StillOwed the owing handovers with no owed
	// handover yet. An owed handover is not a handover: it counts in none
	// of the figures above, and its items count in Items.
	Owed                int `json:"owed"`
	OwedHandovers       int `json:"owed_handovers"`
	DoubleOwedHandovers int `json:"double_owed_handovers"`
	StillOwed           int `json:"still_owed"`
	// Flagged counts the facts the centre's terminals sent that failed the
	// registry's checks (see Report.Flagged): recorded, counted nowhere else.
	Flagged   int          `json:"flagged"`
	Terminals int          `json:"terminals"`
	Items     []ItemReport `json:"items"`
	// Days are the centre's figures of each day of the report's period.
	Days []DayFigures `json:"days"`
}

// Report is what `pickup-registry report` prints: the state of every
// centre now (Centres, Totals), and for the days From to To the figures of
// each day (Days, and per centre CentreReport.Days) and the double
// handovers.
type Report struct {
	GeneratedAt time.Time      `json:"generated_at"`
	DatasetID   string         `json:"dataset_id"`
	Centres     []CentreReport `json:"centres"`
	// Totals: Collected counts distinct codes over all centres.
	Totals CentreReport `json:"totals"`
	// From and To are the days of the period, both included (in the
	// registry's local time).
	From pickup.Date `json:"from"`
	To   pickup.Date `json:"to"`
	// Days has one entry per day of the period, every centre together.
	Days []DayFigures `json:"days"`
	// Period adds up Days.
	Period DayFigures `json:"period"`
	// Doubles lists the codes handed over more than once (not undone),
	// with every handover, when one of them falls in the period.
	Doubles []DoubleHandover `json:"doubles"`
	// Flagged lists the most recent facts that failed the registry's
	// checks (a handover of another centre's code, an undo from another
	// terminal…), codes masked: the first thing to look at after a
	// terminal was stolen.
	Flagged []FlaggedFact `json:"flagged"`
}

// FlaggedFact is a fact recorded as flagged.
type FlaggedFact struct {
	EventID    string    `json:"event_id"`
	Type       string    `json:"type"`
	TerminalID string    `json:"terminal_id"`
	CentreID   string    `json:"centre_id"`
	Code       string    `json:"code,omitempty"` // masked
	At         time.Time `json:"at"`
	ReceivedAt time.Time `json:"received_at"`
	Flag       string    `json:"flag"`
}

// maxReportFlagged bounds Report.Flagged (the count per centre is exact).
const maxReportFlagged = 200

// Report computes the report for the days from to to, both included (the
// zero Date: from the first handover; to today). It refuses a period that
// ends before it starts or spans more than MaxReportDays.
func (reg *Registry) Report(ctx context.Context, from, to pickup.Date) (*Report, error) {
	rep := &Report{GeneratedAt: reg.now(), Centres: []CentreReport{}}
	err := reg.read(ctx, func(tx *sql.Tx) error {
		var err error
		if rep.From, rep.To, err = reg.reportPeriod(ctx, tx, from, to); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'dataset_id'").Scan(&rep.DatasetID); err != nil {
			return err
		}
		byID := map[string]*CentreReport{}
		var order []string
		if err := eachRow(ctx, tx, "SELECT id, name FROM centres ORDER BY id", func(r *sql.Rows) error {
			var c CentreReport
			if err := r.Scan(&c.ID, &c.Name); err != nil {
				return err
			}
			byID[c.ID] = &c
			order = append(order, c.ID)
			return nil
		}); err != nil {
			return err
		}
		centre := func(id string) *CentreReport {
			if c, ok := byID[id]; ok {
				return c
			}
			c := &CentreReport{ID: id}
			byID[id] = c
			order = append(order, id)
			return c
		}
		// perCentre reads a query of centre_id and n counts into set.
		perCentre := func(what string, n int, q string, set func(c *CentreReport, v []int)) error {
			v := make([]int, n)
			dest := []any{new(string)}
			for i := range v {
				dest = append(dest, &v[i])
			}
			if err := eachRow(ctx, tx, q, func(r *sql.Rows) error {
				if err := r.Scan(dest...); err != nil {
					return err
				}
				set(centre(*dest[0].(*string)), v)
				return nil
			}); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		}
		if err := perCentre("expected", 2, "SELECT centre_id, sum(cancelled = 0), sum(cancelled = 1) FROM pickups GROUP BY centre_id",
			func(c *CentreReport, v []int) { c.Expected, c.Cancelled = v[0], v[1] }); err != nil {
			return err
		}
		if err := perCentre("terminals", 1, "SELECT centre_id, count(*) FROM terminals WHERE revoked_at IS NULL GROUP BY centre_id",
			func(c *CentreReport, v []int) { c.Terminals = v[0] }); err != nil {
			return err
		}
		if err := perCentre("handovers", 3, `WITH h AS (SELECT code, centre_id, row_number() OVER (PARTITION BY code ORDER BY at, id) AS n
				FROM events WHERE type = 'handover' AND undone = 0 AND flag = '')
			SELECT centre_id, count(*), count(DISTINCT code), sum(n > 1) FROM h GROUP BY centre_id`,
			func(c *CentreReport, v []int) { c.Handovers, c.Collected, c.DoubleHandovers = v[0], v[1], v[2] }); err != nil {
			return err
		}
		if err := perCentre("owed", 2, `SELECT centre_id, count(*), sum(NOT EXISTS (SELECT 1 FROM events d
				WHERE d.type = 'owed_handover' AND d.flag = '' AND d.code = e.code))
			FROM events e WHERE type = 'handover' AND undone = 0 AND flag = '' AND owed <> '' GROUP BY centre_id`,
			func(c *CentreReport, v []int) { c.Owed, c.StillOwed = v[0], v[1] }); err != nil {
			return err
		}
		if err := perCentre("owed handovers", 2, `WITH o AS (SELECT centre_id, row_number() OVER (PARTITION BY code ORDER BY at, id) AS n
				FROM events WHERE type = 'owed_handover' AND flag = '')
			SELECT centre_id, sum(n = 1), sum(n > 1) FROM o GROUP BY centre_id`,
			func(c *CentreReport, v []int) { c.OwedHandovers, c.DoubleOwedHandovers = v[0], v[1] }); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(DISTINCT code) FROM events WHERE type = 'handover' AND undone = 0 AND flag = ''").Scan(&rep.Totals.Collected); err != nil {
			return err
		}
		if err := perCentre("flagged", 1, "SELECT centre_id, count(*) FROM events WHERE flag <> '' GROUP BY centre_id",
			func(c *CentreReport, v []int) { c.Flagged = v[0] }); err != nil {
			return err
		}
		rep.Flagged = []FlaggedFact{}
		if err := eachRow(ctx, tx, `SELECT id, type, terminal_id, centre_id, coalesce(code, ''), at, received_at, flag FROM events
				WHERE flag <> '' ORDER BY received_at DESC, id LIMIT `+fmt.Sprint(maxReportFlagged), func(r *sql.Rows) error {
			var f FlaggedFact
			var code string
			if err := r.Scan(&f.EventID, &f.Type, &f.TerminalID, &f.CentreID, &code, timeIn(&f.At), timeIn(&f.ReceivedAt), &f.Flag); err != nil {
				return err
			}
			if c, err := pickup.ParseCode(code); err == nil {
				f.Code = c.Masked()
			}
			rep.Flagged = append(rep.Flagged, f)
			return nil
		}); err != nil {
			return fmt.Errorf("flagged: %w", err)
		}
		items := map[[3]string]*ItemReport{}
		item := func(centreID, it, size string) *ItemReport {
			k := [3]string{centreID, it, size}
			if items[k] == nil {
				items[k] = &ItemReport{Item: it, Size: size}
			}
			return items[k]
		}
		// perItem adds a query's sum per centre, item and size (in that
		// order) to the field of each item that field picks.
		perItem := func(what, q string, field func(*ItemReport) *int) error {
			if err := eachRow(ctx, tx, q, func(r *sql.Rows) error {
				var c, it, size string
				var n int
				if err := r.Scan(&c, &it, &size, &n); err != nil {
					return err
				}
				*field(item(c, it, size)) += n
				return nil
			}); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		}
		if err := perItem("shipments", "SELECT centre_id, item, size, sum(qty) FROM shipments GROUP BY 1, 2, 3",
			func(i *ItemReport) *int { return &i.Shipped }); err != nil {
			return err
		}
		if err := perItem("receptions", "SELECT centre_id, item, coalesce(size, ''), sum(qty) FROM events WHERE type = 'stock_receive' AND flag = '' GROUP BY 1, 2, 3",
			func(i *ItemReport) *int { return &i.Received }); err != nil {
			return err
		}
		if err := perItem("losses", "SELECT centre_id, item, coalesce(size, ''), sum(qty) FROM events WHERE type = 'stock_loss' AND flag = '' GROUP BY 1, 2, 3",
			func(i *ItemReport) *int { return &i.Lost }); err != nil {
			return err
		}
		if err := reg.handedOverItems(ctx, tx, item); err != nil {
			return fmt.Errorf("handed over items: %w", err)
		}
		for k, v := range items {
			c := centre(k[0])
			c.Items = append(c.Items, *v)
		}
		for _, id := range order {
			c := byID[id]
			if c.Items == nil {
				c.Items = []ItemReport{}
			}
			sort.Slice(c.Items, func(i, j int) bool {
				a, b := c.Items[i], c.Items[j]
				if a.Item != b.Item {
					return a.Item < b.Item
				}
				return sizeRank(a.Size) < sizeRank(b.Size)
			})
			rep.Centres = append(rep.Centres, *c)
			t := &rep.Totals
			t.Expected += c.Expected
			t.Cancelled += c.Cancelled
			t.Handovers += c.Handovers
			t.DoubleHandovers += c.DoubleHandovers
			t.Owed += c.Owed
			t.OwedHandovers += c.OwedHandovers
			t.DoubleOwedHandovers += c.DoubleOwedHandovers
			t.StillOwed += c.StillOwed
			t.Flagged += c.Flagged
			t.Terminals += c.Terminals
		}
		rep.Totals.ID, rep.Totals.Name = "total", "All centres"
		rep.Totals.Items = []ItemReport{}
		return reg.reportDays(ctx, tx, rep)
	})
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return rep, nil
}

func sizeRank(s string) string {
	switch s {
	case "XS":
		return "0"
	case "S":
		return "1"
	case "M":
		return "2"
	case "L":
		return "3"
	case "XL":
		return "4"
	case "XXL":
		return "5"
	}
	return "9" + s
}

// handedOverItems adds up the items of handovers not undone and of owed
// handovers: the lines the terminal sent, or, for a handover sent without
// lines, the contents of the pickup's parcel kind in its campaign (gloves
// in the chosen size).
func (reg *Registry) handedOverItems(ctx context.Context, tx *sql.Tx, item func(centre, it, size string) *ItemReport) error {
	campaigns, err := campaignsByID(ctx, tx)
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, `SELECT e.centre_id, e.items, e.glove_size, coalesce(p.campaign_id, ''), coalesce(p.parcel_kind, ''), coalesce(p.profession, ''), e.owed
		FROM events e LEFT JOIN pickups p ON p.code = e.code
		WHERE (e.type = 'handover' AND e.undone = 0 OR e.type = 'owed_handover') AND e.flag = ''`, func(r *sql.Rows) error {
		var centreID, itemsJSON, glove, campID, kind, prof, owed string
		if err := r.Scan(&centreID, &itemsJSON, &glove, &campID, &kind, &prof, &owed); err != nil {
			return err
		}
		if owed != "" && (itemsJSON == "" || itemsJSON == "[]") {
			return nil // everything was owed: nothing was handed over (the parcel's contents are not assumed)
		}
		lines, err := resolveLines(itemsJSON, glove, campaigns[campID], kind, prof)
		if err != nil {
			return err
		}
		for _, l := range lines {
			item(centreID, l.Item, l.Size).HandedOver += l.Qty
		}
		return nil
	})
}

// campaignsByID reads every campaign definition.
func campaignsByID(ctx context.Context, tx *sql.Tx) (map[string]*pickup.Campaign, error) {
	out := map[string]*pickup.Campaign{}
	err := eachRow(ctx, tx, "SELECT id, definition FROM campaigns", func(r *sql.Rows) error {
		var id, def string
		if err := r.Scan(&id, &def); err != nil {
			return err
		}
		c, err := campaignJSON(def)
		out[id] = c
		return err
	})
	return out, err
}

func eachRow(ctx context.Context, tx *sql.Tx, q string, fn func(*sql.Rows) error) error {
	return eachRowArgs(ctx, tx, q, nil, fn)
}
