package registry

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/demo"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// DemoSummary says what Demo made.
type DemoSummary struct {
	Centres   []string       `json:"centres"`
	Requests  int            `json:"requests"`
	ByKind    map[string]int `json:"by_parcel_kind"`
	Cancelled int            `json:"cancelled"`
	OpenNow   int            `json:"open_today"`
	NotYet    int            `json:"not_yet_open"`
	Closed    int            `json:"window_closed"`
	Shipments int            `json:"shipments"`
}

// Demo fills the registry with realistic synthetic data: k centres with
// Belgian names, addresses and hours, n requests of the October 2020
// campaign (both parcel kinds, professions as the letter lists them) whose
// pickup windows lie around today — most open, some opening in a few days,
// a few already closed — a few cancellations, and a first shipment of
// stock to each centre. Running it again adds more.
func (reg *Registry) Demo(ctx context.Context, k, n int) (DemoSummary, error) {
	sum := DemoSummary{ByKind: map[string]int{}}
	if k < 1 || k > 500 || n < 0 || n > 5_000_000 {
		return sum, fmt.Errorf("demo: %w: want 1 to 500 centres and 0 to 5,000,000 requests", ErrRefused)
	}
	camp, err := reg.Campaign(ctx, pickup.DefaultCampaignID)
	if err != nil {
		return sum, err
	}
	rnd := func(m int) int {
		var b [8]byte
		io.ReadFull(reg.Rand, b[:])
		return int(binary.LittleEndian.Uint64(b[:]) % uint64(m))
	}
	var centres []pickup.Centre
	for i := 0; i < k; i++ {
		if i < len(demo.Centres) {
			centres = append(centres, demo.Centres[i])
			continue
		}
		centres = append(centres, pickup.Centre{ID: fmt.Sprintf("centre-%03d", i+1), Name: fmt.Sprintf("Croix-Rouge — Point de distribution %d", i+1),
			Address: fmt.Sprintf("Rue de la Station %d, 5000 Namur", i+1), Hours: "Mon–Fri 9:00–16:00"})
	}
	today := pickup.DateOf(reg.Now())
	items, err := reg.knownItems(ctx)
	if err != nil {
		return sum, err
	}
	// A first delivery per centre, for about its share of parcels (at most
	// 20,000 parcels' worth: the first weeks).
	per := min(max(n/k, 10), 20_000)
	shipments := []protocol.Shipment{
		{Item: "masks", Qty: per * 500}, {Item: "gowns", Qty: per * 50}, {Item: "glasses", Qty: per},
		{Item: "gloves", Size: "S", Qty: per * 500 / 5}, {Item: "gloves", Size: "M", Qty: per * 500 * 2 / 5},
		{Item: "gloves", Size: "L", Qty: per * 500 * 3 / 10}, {Item: "gloves", Size: "XL", Qty: per * 500 / 10},
	}
	for _, s := range shipments {
		if err := checkShipment(s, items); err != nil {
			return sum, fmt.Errorf("demo: %w", err)
		}
	}
	// Everything in one transaction: a demo is made whole or not at all.
	err = reg.write(ctx, func(tx *wtx) error {
		for _, c := range centres {
			if _, err := reg.upsertCentre(ctx, tx, c); err != nil {
				return err
			}
			sum.Centres = append(sum.Centres, c.ID)
		}
		is, err := reg.newIssuer(ctx, tx)
		if err != nil {
			return err
		}
		defer is.stmt.Close()
		batch := make([]byte, 6)
		for i := 0; i < n; i++ {
			prof := camp.Professions[rnd(len(camp.Professions))]
			var w pickup.Window
			switch r := rnd(100); {
			case r < 8: // already over
				w = pickup.Window{Start: today.AddDays(-40), End: today.AddDays(-1 - rnd(5))}
				sum.Closed++
			case r < 25: // opens in a few days, like phase 2
				w = pickup.Window{Start: today.AddDays(1 + rnd(6)), End: today.AddDays(35)}
				sum.NotYet++
			default:
				w = pickup.Window{Start: today.AddDays(-rnd(14)), End: today.AddDays(20 + rnd(40))}
				sum.OpenNow++
			}
			status := pickup.StatusExpected
			if rnd(100) < 3 {
				status = pickup.StatusCancelled
				sum.Cancelled++
			}
			c := centres[rnd(len(centres))]
			p := pickup.Pickup{Name: demo.Name(rnd), Profession: prof.ID,
				ParcelKind: prof.ParcelKind, CentreID: c.ID, CampaignID: camp.ID, Window: w, Status: status}
			io.ReadFull(reg.Rand, batch)
			proID := fmt.Sprintf("demo-%x", batch)
			if err := is.add(ctx, newPickup{p: p, professionalID: proID, phase: prof.Phase, lang: demoLang(c)}); err != nil {
				return err
			}
			sum.Requests++
			sum.ByKind[prof.ParcelKind]++
		}
		if err := is.flush(ctx); err != nil {
			return err
		}
		for _, c := range centres {
			for _, s := range shipments {
				s.CentreID, s.Ref = c.ID, "DEMO-"+c.ID
				if _, err := reg.insertShipment(ctx, tx, s); err != nil {
					return err
				}
				sum.Shipments++
			}
		}
		return nil
	})
	if err != nil {
		return DemoSummary{}, fmt.Errorf("demo: %w", err)
	}
	reg.Log.Info("demo data made", "centres", k, "requests", sum.Requests)
	return sum, nil
}

// demoLang is the language of a demo centre's region, for its
// professionals' letters.
func demoLang(c pickup.Centre) string {
	switch {
	case strings.HasPrefix(c.Name, "Rode Kruis"):
		return "nl"
	case strings.HasPrefix(c.Name, "Rotes Kreuz"):
		return "de"
	}
	return "fr"
}
