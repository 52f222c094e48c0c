package store

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/rowdigest"
)

// TestCentreDigestKeptEqualsFullRecomputation: after random pages of new
// and changed pickups, moves away, revocations, a bucket repair and a
// reset, the digest the store keeps equals one computed from every row.
func TestCentreDigestKeptEqualsFullRecomputation(t *testing.T) {
	f, ctx := setupEnrolled(t)
	check := func(step string) {
		t.Helper()
		got, err := f.s.CentreDigest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := rowdigest.Buckets{}
		if err := f.s.CentrePickups(ctx, func(p pickup.Pickup) { want.Add(p, 1) }); err != nil {
			t.Fatal(err)
		}
		if g, w := got.Total(), want.Total(); g != w {
			t.Errorf("%s: kept digest %s (%d rows), full recomputation %s (%d rows)", step, g.Hex(), g.Count, w.Hex(), w.Count)
		}
		for _, k := range want.Prefixes() {
			if got[k] != want[k] {
				t.Errorf("%s: bucket %c differs", step, k)
			}
		}
		var n int
		if err := f.s.db.QueryRow("SELECT count(*) FROM digest_log").Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d changes left in digest_log (%v)", step, n, err)
		}
	}
	check("fixture")
	rng := rand.New(rand.NewPCG(3, 4))
	src := rand.NewChaCha8([32]byte{9})
	var codes []pickup.Code
	var seq int64
	w := pickup.Window{Start: pickup.MustDate("2026-11-01"), End: pickup.MustDate("2027-01-31")}
	for step := range 30 {
		p := page(seq, seq+10)
		seq += 10
		for range 1 + rng.IntN(5) {
			var code pickup.Code
			if len(codes) > 0 && rng.IntN(3) == 0 {
				code = codes[rng.IntN(len(codes))] // a change of a row it holds
			} else {
				c, err := pickup.NewCode(src)
				if err != nil {
					t.Fatal(err)
				}
				code, codes = c, append(codes, c)
			}
			status := []pickup.Status{pickup.StatusExpected, pickup.StatusCollected, pickup.StatusCancelled}[rng.IntN(3)]
			p.Pickups = append(p.Pickups, PickupRow{Seq: seq, Pickup: pickup.Pickup{Code: code, Name: fmt.Sprintf("Person %d", rng.IntN(100)),
				Profession: "nurse", ParcelKind: "close_contact", CentreID: "here", CampaignID: pickup.DefaultCampaignID, Window: w, Status: status}})
		}
		if len(codes) > 3 && rng.IntN(3) == 0 {
			p.Reassigned = append(p.Reassigned, Reassignment{Code: codes[rng.IntN(len(codes))], CentreID: "elsewhere", Seq: seq})
		}
		if len(codes) > 3 && rng.IntN(4) == 0 {
			p.Revoked = append(p.Revoked, codes[rng.IntN(len(codes))])
		}
		if _, err := f.s.ApplyPage(ctx, p); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		check(fmt.Sprintf("page %d", step))
	}
	prefix := string(codes[0][:1])
	if err := f.s.ReplaceBucket(ctx, prefix, nil); err != nil {
		t.Fatal(err)
	}
	check("bucket repair")
	if _, err := f.s.db.Exec("UPDATE pickups SET name = 'Edited' WHERE centre_id = 'here'"); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.CentreDigest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := rowdigest.Buckets{}
	f.s.CentrePickups(ctx, func(p pickup.Pickup) { want.Add(p, 1) })
	if got.Total() != want.Total() {
		t.Errorf("with changes not folded yet: kept %s, full %s", got.Total().Hex(), want.Total().Hex())
	}
	reset := page(0, 5)
	reset.Reset = true
	if _, err := f.s.ApplyPage(ctx, reset); err != nil {
		t.Fatal(err)
	}
	check("reset")
}
