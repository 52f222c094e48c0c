package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// BenchmarkApplyPages1M applies an initial pull of 1,000,000 pickups in
// random code order (as the registry's pages bring them, 10,000 a page)
// to an empty enrolled terminal: the store's part of the end-to-end
// BenchmarkInitialPull (sync/e2e), without the network and the decoding.
func BenchmarkApplyPages1M(b *testing.B) { applyPages(b, false) }

// BenchmarkApplyPagesNational1M is BenchmarkApplyPages1M with as many
// locator entries (codes of two other centres), half of each page's
// size, as BenchmarkInitialPullNational brings.
func BenchmarkApplyPagesNational1M(b *testing.B) { applyPages(b, true) }

func applyPages(b *testing.B, national bool) {
	const n, per = 1_000_000, 10_000
	ctx := context.Background()
	names := []string{"Anne Peeters", "Luc Janssens", "Marie Dubois", "Jan Van den Broeck", "Sophie Lambert", "Koen Mertens"}
	window := pickup.Window{Start: pickup.MustDate("2026-11-10"), End: pickup.MustDate("2027-01-10")}
	for b.Loop() {
		b.StopTimer()
		s := enrolledIn(b, b.TempDir())
		src := rand.NewChaCha8([32]byte{1})
		rng := rand.New(rand.NewPCG(1, 2))
		pages := make([]*Page, 0, n/per)
		var cursor int64
		for i := 0; i < n; i += per {
			p := &Page{DatasetID: "ds-1", CentreID: "here", After: cursor, Cursor: cursor + per, Reset: i == 0, More: i+per < n}
			for j := range per {
				code, _ := pickup.NewCode(src)
				kind := "close_contact"
				if rng.IntN(4) == 0 {
					kind = "masks_only"
				}
				p.Pickups = append(p.Pickups, PickupRow{Pickup: pickup.Pickup{Code: code, Name: names[rng.IntN(len(names))] + fmt.Sprint(rng.IntN(100000)),
					Profession: "physiotherapist", ParcelKind: kind, CentreID: "here", CampaignID: pickup.DefaultCampaignID,
					Window: window, Status: pickup.StatusExpected}, Seq: cursor + int64(j) + 1})
			}
			if national {
				p.Locator = &Locator{Key: make([]byte, pickup.LocatorKeySize), CentreIDs: []string{"gent", "liege"},
					Hashes: make([]int64, per), Centres: make([]int32, per)}
				for j := range per {
					p.Locator.Hashes[j], p.Locator.Centres[j] = int64(rng.Uint64()), int32(j%2)
				}
			}
			pages = append(pages, p)
			cursor += per
		}
		b.StartTimer()
		start := time.Now()
		for _, p := range pages {
			if _, err := s.ApplyPage(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "apply-s")
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
