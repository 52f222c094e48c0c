package pickup

import (
	"fmt"
	"math"
	"time"
)

// The shortage forecast: what the parcels still expected at a centre need,
// item by item and size by size, against what the centre holds, and the
// day it runs out.
//
// The need: every parcel still expected (not collected, not cancelled,
// its window not over) needs its parcel kind's contents (Contents); its
// sized line (SizedLine: the gloves) is split over the sizes by the mix
// chosen so far (SizeMix: the centre's handovers when it has at least
// MinMixHandovers of them, else the registry's plan for the centre,
// else an even split).
//
// The pace: each group of expected parcels is spread over the days left
// in its window (from today, today included, to its last day), day by
// day in proportion to the centre's handovers by day of the week so far
// (Weekdays; an even spread until the centre has MinPaceHandovers of
// them, or when its pace gives no weight to any day left in the window).
// Everyone expected is assumed to come before their window closes: the
// forecast shows what happens if they do.
//
// The date: the first day whose need, added to every earlier day's from
// today, passes what is on hand plus what is in transit (shipments sent
// and not yet received count as if they came today). That is the day the
// last unit goes and a professional is left without. ShortBy is what the
// whole need lacks.

// MinMixHandovers is how many handovers with a size a centre needs before
// its own glove-size mix is used.
const MinMixHandovers = 20

// MinPaceHandovers is how many handovers a centre needs before its pace by
// day of the week is used instead of an even spread (as the registry's
// schedule does).
const MinPaceHandovers = 20

// Size-mix bases: where the split of a sized item's need comes from.
const (
	MixCentre = "centre" // the sizes chosen so far at the centre
	MixPlan   = "plan"   // the registry's plan for the centre (its mix or the national one)
	MixEven   = "even"   // nobody has chosen a size here yet: an even split
)

// Pace bases: how the expected parcels are spread over their windows' days.
const (
	PaceWeekdays = "weekdays" // by the centre's handovers per day of the week so far
	PaceEven     = "even"     // evenly over the days left
)

// ExpectedGroup is a number of parcels still expected at a centre, of one
// campaign, parcel kind, profession and pickup window.
type ExpectedGroup struct {
	Campaign   *Campaign
	Kind       string
	Profession string
	Window     Window
	Parcels    int
}

// ForecastInput is what the forecast is computed from; the store gathers it.
type ForecastInput struct {
	Today  Date
	Groups []ExpectedGroup
	// Lines lists the items and sizes to forecast, in display order (the
	// stock lines); lines the groups need that are not listed are added.
	Lines     []Line // Qty: on hand
	InTransit map[[2]string]int
	// SizesSeen counts the handovers at the centre by glove size chosen.
	SizesSeen map[string]int
	// PlanMix is the registry's plan's split of sized items (item → size →
	// units), the fallback when the centre has too few handovers.
	PlanMix map[string]map[string]int
	// Weekdays counts the centre's handovers by day of the week
	// (time.Sunday = 0).
	Weekdays [7]int
}

// ItemForecast is the forecast of one item and size.
type ItemForecast struct {
	Item      string `json:"item"`
	Size      string `json:"size,omitempty"`
	OnHand    int    `json:"on_hand"`
	InTransit int    `json:"in_transit"`         // sent by the registry, not received yet
	Need      int    `json:"need"`               // what the parcels still expected need
	NeedToday int    `json:"need_today"`         // of which today's share
	ShortBy   int    `json:"short_by"`           // need − (on hand + in transit), when positive
	RunsOut   Date   `json:"runs_out"`           // the day the stock runs out; zero if it lasts
	DaysLeft  int    `json:"days_left"`          // days from today to RunsOut (0: today); -1 if it lasts
	Mix       string `json:"size_mix,omitempty"` // MixCentre, MixPlan or MixEven, for sized items
}

// Key is the line's name in maps: "masks", "gloves-M".
func (f ItemForecast) Key() string {
	if f.Size == "" {
		return f.Item
	}
	return f.Item + "-" + f.Size
}

// Short reports whether the item runs out before every expected parcel
// is handed over.
func (f ItemForecast) Short() bool { return f.ShortBy > 0 }

// Forecast is the whole forecast: one line per item and size, and how the
// need was spread.
type Forecast struct {
	Today Date           `json:"today"`
	Pace  string         `json:"pace"` // PaceWeekdays or PaceEven
	Lines []ItemForecast `json:"lines"`
}

// maxForecastDays bounds how far a window is followed (a window to 9999
// would otherwise cost a loop of millions of days).
const maxForecastDays = 3 * 366

// eps absorbs float rounding before rounding a need up to whole units.
const eps = 1e-6

// SizeMix returns the shares of it's sizes and where they come from: the
// centre's handovers (seen, when at least MinMixHandovers chose one of its
// sizes), the registry's plan (plan, item's sizes → units), or an even
// split.
func SizeMix(it Item, seen map[string]int, plan map[string]int) (map[string]float64, string) {
	share := func(counts map[string]int, min int) map[string]float64 {
		total := 0
		for _, s := range it.Sizes {
			total += max(counts[s], 0)
		}
		if total == 0 || total < min {
			return nil
		}
		out := make(map[string]float64, len(it.Sizes))
		for _, s := range it.Sizes {
			out[s] = float64(max(counts[s], 0)) / float64(total)
		}
		return out
	}
	if m := share(seen, MinMixHandovers); m != nil {
		return m, MixCentre
	}
	if m := share(plan, 1); m != nil {
		return m, MixPlan
	}
	out := make(map[string]float64, len(it.Sizes))
	for _, s := range it.Sizes {
		out[s] = 1 / float64(len(it.Sizes))
	}
	return out, MixEven
}

// SpreadDays returns, for each day from today to the window's last day,
// the share of a group's parcels expected that day: in proportion to
// weights by day of the week (nil or all zero on those days: evenly). The
// shares sum to 1; none when the window is over.
func SpreadDays(today Date, w Window, weights *[7]float64) []float64 {
	from := w.Start
	if from.Before(today) {
		from = today
	}
	n := from.DaysUntil(w.End) + 1
	if n <= 0 {
		return nil
	}
	n = min(n, maxForecastDays)
	lead := today.DaysUntil(from) // days before the window opens
	out := make([]float64, lead+n)
	total := 0.0
	if weights != nil {
		wd := int(from.Time(time.UTC).Weekday())
		for i := range n {
			total += weights[(wd+i)%7]
		}
		if total > 0 {
			for i := range n {
				out[lead+i] = weights[(wd+i)%7] / total
			}
			return out
		}
	}
	for i := range n {
		out[lead+i] = 1 / float64(n)
	}
	return out
}

// ForecastShortage computes the forecast (see the rule above). A group
// whose parcel kind does not resolve is an error naming it.
func ForecastShortage(in ForecastInput) (Forecast, error) {
	fc := Forecast{Today: in.Today, Pace: PaceEven}
	var weights *[7]float64
	total := 0
	for _, n := range in.Weekdays {
		total += max(n, 0)
	}
	if total >= MinPaceHandovers {
		var w [7]float64
		for i, n := range in.Weekdays {
			w[i] = float64(max(n, 0))
		}
		weights = &w
		fc.Pace = PaceWeekdays
	}

	var order [][2]string
	lines := map[[2]string]*forecastAcc{}
	line := func(item, size string) *forecastAcc {
		k := [2]string{item, size}
		a := lines[k]
		if a == nil {
			a = &forecastAcc{ItemForecast: ItemForecast{Item: item, Size: size, InTransit: max(in.InTransit[k], 0)}}
			lines[k] = a
			order = append(order, k)
		}
		return a
	}
	for _, l := range in.Lines {
		line(l.Item, l.Size).OnHand += l.Qty
	}
	for k, n := range in.InTransit {
		if n > 0 {
			line(k[0], k[1])
		}
	}
	mixes := map[string]map[string]float64{}
	for _, g := range in.Groups {
		if g.Parcels <= 0 || g.Campaign == nil {
			continue
		}
		contents, err := g.Campaign.Contents(g.Kind, g.Profession)
		if err != nil {
			return Forecast{}, fmt.Errorf("forecast: %w", err)
		}
		days := SpreadDays(in.Today, g.Window, weights)
		if days == nil {
			continue
		}
		sized, it, hasSized := g.Campaign.SizedLine(contents)
		for i, c := range contents {
			units := float64(g.Parcels) * float64(c.Qty)
			if !hasSized || i != sized {
				addDaily(line(c.Item, ""), days, units)
				continue
			}
			m, ok := mixes[it.ID]
			if !ok {
				var basis string
				m, basis = SizeMix(it, in.SizesSeen, in.PlanMix[it.ID])
				mixes[it.ID] = m
				for _, s := range it.Sizes {
					line(it.ID, s).Mix = basis
				}
			}
			for _, s := range it.Sizes {
				addDaily(line(it.ID, s), days, units*m[s])
			}
		}
	}

	for _, k := range order {
		a := lines[k]
		f := a.ItemForecast
		avail := float64(max(f.OnHand, 0) + f.InTransit)
		sum := 0.0
		f.DaysLeft = -1
		for d, u := range a.daily {
			sum += u
			if d == 0 {
				f.NeedToday = roundUp(u)
			}
			if f.RunsOut.IsZero() && sum > avail+eps {
				f.RunsOut, f.DaysLeft = in.Today.AddDays(d), d
			}
		}
		f.Need = roundUp(sum)
		f.ShortBy = max(f.Need-max(f.OnHand, 0)-f.InTransit, 0)
		if f.ShortBy == 0 {
			// Rounding can make a day pass by a fraction of a unit: what
			// is not short does not run out.
			f.RunsOut, f.DaysLeft = Date{}, -1
		}
		fc.Lines = append(fc.Lines, f)
	}
	return fc, nil
}

// forecastAcc is one line while the forecast adds up its need day by day
// (daily[0] is today).
type forecastAcc struct {
	ItemForecast
	daily []float64
}

// addDaily adds units spread by days to a line's daily need.
func addDaily(a *forecastAcc, days []float64, units float64) {
	if len(a.daily) < len(days) {
		a.daily = append(a.daily, make([]float64, len(days)-len(a.daily))...)
	}
	for i, s := range days {
		a.daily[i] += units * s
	}
}

func roundUp(x float64) int { return int(math.Ceil(x - eps)) }
