package console

import (
	"net/http"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// The schedule page: a week of the registry's schedule (issue 14), per
// centre the groups whose window is open, the parcels expected, the items
// they need and what the shipment plan sends for that week; and the PDF
// an administration publishes.

// schedulePDFWeeks is how many weeks the console's PDF holds.
const schedulePDFWeeks = 4

type scheduleRow struct {
	registry.CentreWeek
	Ship []registry.PlanLine // the plan's lines with something to ship
}

type scheduleData struct {
	Week       registry.ScheduleWeek
	Number     int // ISO week number
	Prev, Next string
	Rows       []scheduleRow
	Parcels    float64
	AnyPace    bool
	ItemNames  map[string]pickup.Names
}

// scheduleWeek reads ?week= (an ISO week or a day; default this week).
func (c *Console) scheduleWeek(r *http.Request) (pickup.Date, error) {
	w := r.URL.Query().Get("week")
	if w == "" {
		return registry.Monday(pickup.DateOf(c.now().In(c.Loc))), nil
	}
	d, err := registry.ParseWeek(w)
	if err != nil {
		return d, errNotFound
	}
	return d, nil
}

func (c *Console) schedule(w http.ResponseWriter, r *http.Request, q *req) error {
	monday, err := c.scheduleWeek(r)
	if err != nil {
		return err
	}
	opt := registry.ScheduleOptions{From: monday, Weeks: 1}
	sch, err := c.Reg.Schedule(r.Context(), opt)
	if err != nil {
		return err
	}
	plan, err := c.Reg.ShipmentPlan(r.Context(), opt)
	if err != nil {
		return err
	}
	ship := map[string][]registry.PlanLine{}
	for _, wk := range plan.Weeks {
		for _, cp := range wk.Centres {
			for _, l := range cp.Lines {
				if l.Ship > 0 {
					ship[cp.CentreID] = append(ship[cp.CentreID], l)
				}
			}
		}
	}
	d := scheduleData{Week: sch.Weeks[0], ItemNames: sch.ItemNames, Prev: registry.ISOWeek(monday.AddDays(-7)), Next: registry.ISOWeek(monday.AddDays(7))}
	_, d.Number = monday.Time(time.UTC).ISOWeek()
	for _, cw := range d.Week.Centres {
		d.Rows = append(d.Rows, scheduleRow{CentreWeek: cw, Ship: ship[cw.CentreID]})
		d.Parcels += cw.Parcels
		d.AnyPace = d.AnyPace || cw.Pace == registry.SpreadPace
	}
	return c.renderView(w, r, q, "schedule", d)
}

// schedulePDF sends the published schedule: schedulePDFWeeks weeks from
// ?week=, in the page's language.
func (c *Console) schedulePDF(w http.ResponseWriter, r *http.Request, q *req) error {
	monday, err := c.scheduleWeek(r)
	if err != nil {
		return err
	}
	sch, err := c.Reg.Schedule(r.Context(), registry.ScheduleOptions{From: monday, Weeks: schedulePDFWeeks})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="schedule-`+registry.ISOWeek(monday)+`.pdf"`)
	return registry.RenderSchedulePDF(w, sch, q.lang)
}

// Parcels prints an expected parcel count to one decimal.
func (p *page) Parcels(v float64) string {
	s := registry.FormatParcels(v)
	if p.Lang != "en" {
		s = s[:len(s)-2] + "," + s[len(s)-1:]
	}
	return s
}

// ItemName names an item of the schedule in the page's language: the
// campaign's name for it, else the console's, else its id.
func (p *page) ItemName(names map[string]pickup.Names, id string) string {
	if s := p.Name(names[id]); s != "" {
		return s
	}
	return p.Item(id)
}
