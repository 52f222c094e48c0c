package registry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// BenchmarkSchedule12Weeks1M computes a 12-week schedule of 1,000,000
// requests over 150 centres (the October 2020 campaign's professions and
// phase windows; 10% collected, 3% cancelled) with 100,000 handovers
// behind the pace and the size mix. Figure in the note of issue 14.
func BenchmarkSchedule12Weeks1M(b *testing.B) {
	const requests, centres, handovers = 1_000_000, 150, 100_000
	ctx := context.Background()
	reg, err := Open(ctx, b.TempDir(), Options{Now: func() time.Time { return time.Date(2020, 11, 11, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	camp, err := reg.Campaign(ctx, pickup.DefaultCampaignID)
	if err != nil {
		b.Fatal(err)
	}
	src := rand.NewChaCha8([32]byte{14})
	rnd := rand.New(src)
	err = reg.write(ctx, func(tx *wtx) error {
		for i := 0; i < centres; i++ {
			if _, err := reg.upsertCentre(ctx, tx, pickup.Centre{ID: fmt.Sprintf("c%03d", i), Name: fmt.Sprintf("Centre %d", i)}); err != nil {
				return err
			}
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO pickups (code, campaign_id, professional_id, name, profession, parcel_kind,
			centre_id, window_start, window_end, cancelled, status, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		ev, err := tx.PrepareContext(ctx, `INSERT INTO events (id, type, terminal_id, centre_id, at, received_at, via, code, glove_size, result, seq)
			VALUES (?, 'handover', ?, ?, ?, ?, 'push', ?, ?, 'accepted', ?)`)
		if err != nil {
			return err
		}
		defer ev.Close()
		now := fmtTime(time.Now())
		sizes := []string{"S", "M", "M", "L", "XL"}
		for i := 0; i < requests; i++ {
			code, err := pickup.NewCode(src)
			if err != nil {
				return err
			}
			prof := camp.Professions[rnd.IntN(len(camp.Professions))]
			w, _ := camp.WindowFor(prof.ID)
			centre := fmt.Sprintf("c%03d", rnd.IntN(centres))
			status, cancelled := "expected", 0
			switch r := rnd.IntN(100); {
			case r < 3:
				status, cancelled = "cancelled", 1
			case r < 13:
				status = "collected"
			}
			if _, err := st.ExecContext(ctx, code, camp.ID, fmt.Sprint("p", i), "Professional", prof.ID, prof.ParcelKind, centre,
				w.Start.String(), w.End.String(), cancelled, status, now, tx.next()); err != nil {
				return err
			}
			if status == "collected" && i%10 == 0 || i < handovers && status == "collected" {
				at := time.Date(2020, 11, 9+rnd.IntN(3), 9+rnd.IntN(8), 0, 0, 0, time.UTC)
				if _, err := ev.ExecContext(ctx, fmt.Sprintf("%036d", i), "t-"+centre, centre, fmtTime(at), now, code,
					sizes[rnd.IntN(len(sizes))], tx.next()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		sch, err := reg.Schedule(ctx, ScheduleOptions{From: pickup.MustDate("2020-11-09"), Weeks: 12})
		if err != nil {
			b.Fatal(err)
		}
		if len(sch.Weeks) != 12 || len(sch.Weeks[1].Centres) != centres {
			b.Fatalf("schedule: %d weeks, %d centres in the second", len(sch.Weeks), len(sch.Weeks[1].Centres))
		}
	}
}
