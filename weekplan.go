package pickup

import (
	"errors"
	"fmt"
)

// WeekPlan is one coming week of a centre in the registry's schedule, as
// the counters show it to the centre's manager: the parcels still expected
// that week, the professional groups whose pickup window is open, and the
// items the parcels need. The registry sends the coming weeks with its
// pull; a terminal keeps the last it received.
type WeekPlan struct {
	Week    string      `json:"week"` // ISO week, e.g. 2020-W47
	Start   Date        `json:"start"`
	End     Date        `json:"end"`
	Parcels float64     `json:"parcels"` // to one decimal
	Pace    string      `json:"pace"`    // "pace" or "even": how parcels were spread over their windows
	Groups  []GroupPlan `json:"groups"`
	Items   []Line      `json:"items"`
}

// GroupPlan is a professional group whose pickup window is open in a week.
type GroupPlan struct {
	Campaign   string  `json:"campaign"`
	Profession string  `json:"profession"`
	Window     Window  `json:"window"`
	Parcels    float64 `json:"parcels"`
}

// MaxWeekPlans bounds the weeks a terminal accepts.
const MaxWeekPlans = 12

// ValidateWeekPlans checks weeks received from a registry.
func ValidateWeekPlans(weeks []WeekPlan) error {
	if len(weeks) > MaxWeekPlans {
		return fmt.Errorf("%d coming weeks: at most %d", len(weeks), MaxWeekPlans)
	}
	var errs []error
	for _, w := range weeks {
		if len(w.Week) > 10 || w.End.Before(w.Start) || w.Parcels < 0 || len(w.Groups) > 200 || len(w.Items) > 50 {
			errs = append(errs, fmt.Errorf("week %q invalid", w.Week))
			continue
		}
		for _, g := range w.Groups {
			if !ValidID(g.Campaign) || !ValidID(g.Profession) || g.Parcels < 0 {
				errs = append(errs, fmt.Errorf("week %s: group %q invalid", w.Week, g.Profession))
			}
		}
		for _, l := range w.Items {
			if !ValidID(l.Item) || len(l.Size) > 8 || l.Qty < 0 {
				errs = append(errs, fmt.Errorf("week %s: item %q invalid", w.Week, l.Item))
			}
		}
	}
	return errors.Join(errs...)
}
