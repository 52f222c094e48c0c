package counter

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pickup-terminal/pickup"
)

// The Today panel shows the centre's coming weeks as the registry last
// sent them, and says so when none came yet.
func TestTodayPanelComingWeeks(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.openManager()
	if markup := test.RenderToMarkup(f.win.Canvas()); !strings.Contains(markup, "Not received yet") {
		t.Errorf("Today panel without coming weeks does not say they are not received yet")
	}
	weeks := []pickup.WeekPlan{{Week: "2020-W47", Start: pickup.MustDate("2020-11-16"), End: pickup.MustDate("2020-11-22"),
		Parcels: 30.5, Pace: "pace",
		Groups: []pickup.GroupPlan{{Campaign: pickup.DefaultCampaignID, Profession: "physiotherapist", Parcels: 23,
			Window: pickup.Window{Start: pickup.MustDate("2020-11-16"), End: pickup.MustDate("2020-11-20")}}},
		Items: []pickup.Line{{Item: "masks", Qty: 15262}, {Item: "gloves", Size: "M", Qty: 6917}}}}
	if err := f.st.SetComingWeeks(f.ctx, weeks); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	f.capture("today-coming-weeks")
	markup := test.RenderToMarkup(f.win.Canvas())
	for _, want := range []string{"Coming weeks", "Week 47, 16/11 – 22/11: 30.5", "Physiotherapist", "Surgical masks 15,262", "Gloves M 6,917"} {
		if !strings.Contains(markup, want) {
			t.Errorf("Today panel does not show %q", want)
		}
	}
	// Weeks a registry could send wrong are refused whole.
	bad := append(weeks, weeks[0])
	bad[1].Items = []pickup.Line{{Item: "no such item!", Qty: 1}}
	if err := f.st.SetComingWeeks(f.ctx, bad); err == nil {
		t.Error("SetComingWeeks took an invalid item id")
	}
	if got, _ := f.st.ComingWeeks(f.ctx); len(got) != 1 {
		t.Errorf("after a refused update: %d weeks kept, want the 1 before", len(got))
	}
}
