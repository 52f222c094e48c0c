// Package campaigntest gives tests a campaign that runs now: the default
// campaign with its dates moved so that every pickup window holds the
// thirty days either side of a given day. The registry flags a handover
// dated outside its code's pickup window, so tests whose handovers are
// dated now issue their codes in this campaign rather than in the
// built-in October 2020 one.
package campaigntest

import (
	"encoding/json"
	"fmt"

	"github.com/pickup-terminal/pickup"
)

// ID is the id of the campaign Definition describes.
const ID = "strategic-now"

// Definition returns the campaign file (the JSON of assets/campaigns) of
// the default campaign, renamed ID, with every date shifted by as many
// days as make its last phase open 30 days before day.
func Definition(day pickup.Date) ([]byte, error) {
	all, err := pickup.BuiltinCampaigns()
	if err != nil {
		return nil, err
	}
	var c pickup.Campaign
	for _, b := range all {
		if b.ID == pickup.DefaultCampaignID {
			c = *b
		}
	}
	if len(c.Phases) == 0 {
		return nil, fmt.Errorf("campaign %s: no phases", pickup.DefaultCampaignID)
	}
	last := c.Phases[0].Pickup.Start
	for _, ph := range c.Phases {
		if ph.Pickup.Start.After(last) {
			last = ph.Pickup.Start
		}
	}
	shift := last.DaysUntil(day.AddDays(-30))
	c.ID = ID
	c.Phases = append([]pickup.Phase(nil), c.Phases...)
	for i, ph := range c.Phases {
		c.Phases[i] = pickup.Phase{ID: ph.ID, RequestsOpen: ph.RequestsOpen.AddDays(shift),
			Pickup: pickup.Window{Start: ph.Pickup.Start.AddDays(shift), End: ph.Pickup.End.AddDays(shift)}}
	}
	return json.Marshal(c)
}
