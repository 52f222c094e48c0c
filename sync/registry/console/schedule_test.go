package console

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// The schedule page shows, for the week asked, each centre's parcels,
// groups and needs as the registry's schedule computes them, links to the
// weeks around, and sends the published PDF.
func TestSchedulePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b, _ := f.signedIn("ann", annPassword)
	monday := registry.Monday(pickup.DateOf(f.console.now().In(f.console.Loc)))
	sch, err := f.reg.Schedule(f.ctx, registry.ScheduleOptions{From: monday, Weeks: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := b.get("/console/schedule?lang=en")
	if a.status != http.StatusOK {
		t.Fatalf("schedule page: %d", a.status)
	}
	body := a.body
	if len(sch.Weeks[0].Centres) == 0 {
		t.Fatal("the fixture has nothing open this week")
	}
	for _, c := range sch.Weeks[0].Centres {
		row := body[strings.Index(body, "("+c.CentreID+")"):]
		row = row[:strings.Index(row, "</tr>")]
		if want := `<td class="num">` + registry.FormatParcels(c.Parcels) + "</td>"; !strings.Contains(row, want) {
			t.Errorf("%s: row does not show %s parcels:\n%s", c.CentreID, registry.FormatParcels(c.Parcels), row)
		}
		for _, it := range c.Items {
			p := &page{Lang: "en"}
			want := p.ItemName(sch.ItemNames, it.Item)
			if it.Size != "" {
				want += " " + it.Size
			}
			want += ": " + p.N(it.Qty)
			if !strings.Contains(row, want) {
				t.Errorf("%s: row does not show %q", c.CentreID, want)
			}
		}
		for _, g := range c.Groups {
			if !strings.Contains(row, g.Names.In("en")) {
				t.Errorf("%s: row does not show group %q", c.CentreID, g.Names.In("en"))
			}
		}
	}
	for _, want := range []string{"week=" + registry.ISOWeek(monday.AddDays(-7)), "week=" + registry.ISOWeek(monday.AddDays(7)), "/console/schedule.pdf?"} {
		if !strings.Contains(body, want) {
			t.Errorf("schedule page has no link with %q", want)
		}
	}
	pdf := b.get("/console/schedule.pdf?week=" + registry.ISOWeek(monday) + "&lang=fr")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Errorf("schedule PDF: %d %s %.8q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
	}
	for _, bad := range []string{"2020-W99", "next", "2020-13-40"} {
		if a := b.get("/console/schedule?week=" + bad); a.status != http.StatusNotFound {
			t.Errorf("schedule?week=%s: %d, want 404", bad, a.status)
		}
	}
	// Signed out: the login page, not the schedule.
	if a := f.browser().get("/console/schedule"); strings.Contains(a.body, `id="schedule"`) {
		t.Error("the schedule is shown without signing in")
	}
}
