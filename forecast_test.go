package pickup

import (
	"math"
	"testing"
)

func mustOct(t *testing.T) *Campaign {
	t.Helper()
	c, err := BuiltinCampaign(DefaultCampaignID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func byKey(fc Forecast) map[string]ItemForecast {
	out := map[string]ItemForecast{}
	for _, l := range fc.Lines {
		out[l.Key()] = l
	}
	return out
}

// TestForecastShortage: need = expected parcels × contents, the sized line
// split by the mix; short = need − (on hand + in transit); the date is the
// first day the cumulative need passes what there is.
func TestForecastShortage(t *testing.T) {
	t.Parallel()
	oct := mustOct(t)
	today := MustDate("2021-01-04") // a Monday; phase 1 ends Friday 8 January: 5 days left
	win := Window{Start: MustDate("2020-11-09"), End: MustDate("2021-01-08")}
	tests := []struct {
		name string
		in   ForecastInput
		want map[string]ItemForecast // fields checked: OnHand, InTransit, Need, NeedToday, ShortBy, RunsOut, Mix
		pace string
	}{
		{
			// The example: 98 parcels need 49,000 masks, 48,800
			// on hand: 200 short. 98 parcels over 5 days: 19.6 a day, 9,800
			// masks a day; day 5 (8 January) passes 48,800.
			name: "issue masks example",
			in: ForecastInput{Today: today, Lines: []Line{{Item: "masks", Qty: 48_800}},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "masks_only", Profession: "pharmacist", Window: win, Parcels: 98}}},
			want: map[string]ItemForecast{"masks": {OnHand: 48_800, Need: 49_000, NeedToday: 9_800, ShortBy: 200, RunsOut: MustDate("2021-01-08")}},
			pace: PaceEven,
		},
		{
			name: "enough: no date",
			in: ForecastInput{Today: today, Lines: []Line{{Item: "masks", Qty: 49_000}},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "masks_only", Profession: "pharmacist", Window: win, Parcels: 98}}},
			want: map[string]ItemForecast{"masks": {OnHand: 49_000, Need: 49_000, NeedToday: 9_800}},
			pace: PaceEven,
		},
		{
			// In transit counts: 300 on the way cover the 200.
			name: "in transit covers",
			in: ForecastInput{Today: today, Lines: []Line{{Item: "masks", Qty: 48_800}}, InTransit: map[[2]string]int{{"masks", ""}: 300},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "masks_only", Profession: "pharmacist", Window: win, Parcels: 98}}},
			want: map[string]ItemForecast{"masks": {OnHand: 48_800, InTransit: 300, Need: 49_000, NeedToday: 9_800}},
			pace: PaceEven,
		},
		{
			// Window over: nothing needed any more.
			name: "window over",
			in: ForecastInput{Today: MustDate("2021-01-09"), Lines: []Line{{Item: "masks", Qty: 0}},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "masks_only", Profession: "pharmacist", Window: win, Parcels: 98}}},
			want: map[string]ItemForecast{"masks": {}},
			pace: PaceEven,
		},
		{
			// 10 close-contact parcels: 5,000 gloves split by the centre's
			// mix (30 S, 90 M of 120: 1,250 S and 3,750 M), nothing in L or
			// XL. 4,000 M on hand: enough; 1,000 S: 250 short, out on the
			// 4th day (1,250 × 4/5 = 1,000 is not more than 1,000; the 5th
			// passes it).
			name: "glove mix of the centre",
			in: ForecastInput{Today: today, SizesSeen: map[string]int{"S": 30, "M": 90},
				Lines:  []Line{{Item: "gloves", Size: "S", Qty: 1000}, {Item: "gloves", Size: "M", Qty: 4000}},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "close_contact", Profession: "nurse", Window: win, Parcels: 10}}},
			want: map[string]ItemForecast{
				"gloves-S":  {OnHand: 1000, Need: 1250, NeedToday: 250, ShortBy: 250, RunsOut: MustDate("2021-01-08"), Mix: MixCentre},
				"gloves-M":  {OnHand: 4000, Need: 3750, NeedToday: 750, Mix: MixCentre},
				"gloves-L":  {Mix: MixCentre},
				"gloves-XL": {Mix: MixCentre},
				"gowns":     {Need: 500, NeedToday: 100, ShortBy: 500, RunsOut: today},
				"glasses":   {Need: 10, NeedToday: 2, ShortBy: 10, RunsOut: today},
				"masks":     {Need: 5000, NeedToday: 1000, ShortBy: 5000, RunsOut: today},
			},
			pace: PaceEven,
		},
		{
			// Too few handovers here (19): the registry's plan's split.
			name: "glove mix of the plan",
			in: ForecastInput{Today: today, SizesSeen: map[string]int{"S": 19},
				PlanMix: map[string]map[string]int{"gloves": {"L": 1, "XL": 3}},
				Groups:  []ExpectedGroup{{Campaign: oct, Kind: "close_contact", Profession: "nurse", Window: win, Parcels: 4}}},
			want: map[string]ItemForecast{
				"gloves-L":  {Need: 500, NeedToday: 100, ShortBy: 500, RunsOut: today, Mix: MixPlan},
				"gloves-XL": {Need: 1500, NeedToday: 300, ShortBy: 1500, RunsOut: today, Mix: MixPlan},
				"gloves-S":  {Mix: MixPlan},
				"gloves-M":  {Mix: MixPlan},
			},
			pace: PaceEven,
		},
		{
			name: "glove mix even",
			in: ForecastInput{Today: today, Lines: []Line{{Item: "gloves", Size: "S", Qty: 10_000}},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "close_contact", Profession: "nurse", Window: win, Parcels: 8}}},
			want: map[string]ItemForecast{
				"gloves-S": {OnHand: 10_000, Need: 1000, NeedToday: 200, Mix: MixEven},
				"gloves-M": {Need: 1000, NeedToday: 200, ShortBy: 1000, RunsOut: today, Mix: MixEven},
			},
			pace: PaceEven,
		},
		{
			// The centre hands over on Mondays and Fridays only (20 each):
			// half the masks today, half on Friday; 2,500 on hand last
			// until Friday.
			name: "weekday pace",
			in: ForecastInput{Today: today, Weekdays: [7]int{1: 20, 5: 20}, Lines: []Line{{Item: "masks", Qty: 2500}},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "masks_only", Profession: "pharmacist", Window: win, Parcels: 10}}},
			want: map[string]ItemForecast{"masks": {OnHand: 2500, Need: 5000, NeedToday: 2500, ShortBy: 2500, RunsOut: MustDate("2021-01-08")}},
			pace: PaceWeekdays,
		},
		{
			// A window that opens later needs nothing today.
			name: "window ahead",
			in: ForecastInput{Today: MustDate("2020-12-01"), Lines: []Line{{Item: "masks", Qty: 0}},
				Groups: []ExpectedGroup{{Campaign: oct, Kind: "masks_only", Profession: "pharmacist", Window: Window{Start: MustDate("2020-12-07"), End: MustDate("2020-12-08")}, Parcels: 2}}},
			want: map[string]ItemForecast{"masks": {Need: 1000, ShortBy: 1000, RunsOut: MustDate("2020-12-07")}},
			pace: PaceEven,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, err := ForecastShortage(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if fc.Pace != tt.pace {
				t.Errorf("pace = %q, want %q", fc.Pace, tt.pace)
			}
			got := byKey(fc)
			for k, w := range tt.want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s: missing (lines %+v)", k, fc.Lines)
					continue
				}
				if g.OnHand != w.OnHand || g.InTransit != w.InTransit || g.Need != w.Need || g.NeedToday != w.NeedToday ||
					g.ShortBy != w.ShortBy || g.RunsOut != w.RunsOut || g.Mix != w.Mix {
					t.Errorf("%s = %+v\nwant %+v", k, g, w)
				}
				if wantDays := -1; !w.RunsOut.IsZero() {
					wantDays = today.DaysUntil(w.RunsOut)
					if tt.in.Today != today {
						wantDays = tt.in.Today.DaysUntil(w.RunsOut)
					}
					if g.DaysLeft != wantDays {
						t.Errorf("%s: days left %d, want %d", k, g.DaysLeft, wantDays)
					}
				} else if g.DaysLeft != wantDays {
					t.Errorf("%s: days left %d, want %d", k, g.DaysLeft, wantDays)
				}
			}
		})
	}
}

func TestForecastShortageUnknownKind(t *testing.T) {
	t.Parallel()
	_, err := ForecastShortage(ForecastInput{Today: MustDate("2021-01-04"),
		Groups: []ExpectedGroup{{Campaign: mustOct(t), Kind: "nope", Window: Window{Start: MustDate("2021-01-04"), End: MustDate("2021-01-05")}, Parcels: 1}}})
	if err == nil {
		t.Fatal("unknown parcel kind: no error")
	}
}

// TestSpreadDays: shares per day sum to 1 over the days left in the window.
func TestSpreadDays(t *testing.T) {
	t.Parallel()
	mon := MustDate("2021-01-04")
	fridays := [7]float64{5: 1}
	closed := [7]float64{0: 1} // Sundays only, none in the window
	tests := []struct {
		name    string
		today   Date
		w       Window
		weights *[7]float64
		want    []float64
	}{
		{"even", mon, Window{MustDate("2021-01-01"), MustDate("2021-01-07")}, nil, []float64{0.25, 0.25, 0.25, 0.25}},
		{"over", mon, Window{MustDate("2021-01-01"), MustDate("2021-01-03")}, nil, nil},
		{"ahead", mon, Window{MustDate("2021-01-06"), MustDate("2021-01-07")}, nil, []float64{0, 0, 0.5, 0.5}},
		{"fridays", mon, Window{MustDate("2021-01-04"), MustDate("2021-01-08")}, &fridays, []float64{0, 0, 0, 0, 1}},
		{"no weight left: even", mon, Window{MustDate("2021-01-04"), MustDate("2021-01-05")}, &closed, []float64{0.5, 0.5}},
	}
	for _, tt := range tests {
		got := SpreadDays(tt.today, tt.w, tt.weights)
		if len(got) != len(tt.want) {
			t.Errorf("%s: SpreadDays = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-9 {
				t.Errorf("%s: SpreadDays = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

// TestSizeMix: the centre's mix from MinMixHandovers on, else the plan's,
// else even.
func TestSizeMix(t *testing.T) {
	t.Parallel()
	gloves := Item{ID: "gloves", Sizes: []string{"S", "M", "L", "XL"}}
	tests := []struct {
		name  string
		seen  map[string]int
		plan  map[string]int
		basis string
		m     float64 // share of M
	}{
		{"centre", map[string]int{"M": 15, "L": 5, "XXL": 100}, map[string]int{"S": 1}, MixCentre, 0.75},
		{"too few here: plan", map[string]int{"M": 19}, map[string]int{"S": 1, "M": 3}, MixPlan, 0.75},
		{"nothing: even", nil, nil, MixEven, 0.25},
	}
	for _, tt := range tests {
		m, basis := SizeMix(gloves, tt.seen, tt.plan)
		if basis != tt.basis || math.Abs(m["M"]-tt.m) > 1e-9 {
			t.Errorf("%s: SizeMix = %v, %q; want M %v, %q", tt.name, m, basis, tt.m, tt.basis)
		}
	}
}
