package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/rowdigest"
)

// pickupObjects lists the triggers and explicit indexes of the pickups
// table, with their SQL.
func pickupObjects(t *testing.T, s *Store) map[string]string {
	t.Helper()
	rows, err := s.db.Query("SELECT name, sql FROM sqlite_schema WHERE tbl_name = 'pickups' AND type IN ('trigger', 'index') AND sql IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			t.Fatal(err)
		}
		out[name] = text
	}
	return out
}

// TestBulkDeferredIsEveryPickupObject: a bulk load sets aside every
// trigger and index of the pickups table; one added later must be added
// to bulkDeferred, with the rebuild of what it keeps in endBulk.
func TestBulkDeferredIsEveryPickupObject(t *testing.T) {
	t.Parallel()
	f := enrolled(t)
	var got []string
	for name := range pickupObjects(t, f.s) {
		got = append(got, name)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(bulkDeferred))
	if !slices.Equal(got, want) {
		t.Errorf("the pickups table's triggers and indexes are %v; bulkDeferred sets aside %v", got, want)
	}
}

// checkDerived checks what the set-aside objects keep against the rows:
// the forecast's groups, the digest of this centre and of another, and
// that no change waits in the digest's log.
func checkDerived(t *testing.T, s *Store, step string) {
	t.Helper()
	ctx := context.Background()
	checkGroups(t, s)
	for _, centre := range []string{"here", "elsewhere"} {
		got, err := rowdigest.Centre(ctx, s.db, centre)
		if err != nil {
			t.Fatal(err)
		}
		want := rowdigest.Buckets{}
		if err := scanPickups(ctx, s.db, "WHERE centre_id = ?", []any{centre}, func(p pickup.Pickup) { want.Add(p, 1) }); err != nil {
			t.Fatal(err)
		}
		if g, w := got.Total(), want.Total(); g != w {
			t.Errorf("%s: centre %s: kept digest of %d rows, the rows' %d (sums differ: %v)", step, centre, g.Count, w.Count, g.Hex() != w.Hex())
		}
	}
}

// bulkPage is a page of n new pickups (some collected or cancelled) and,
// from old, changes to codes already sent: a new status, a move away.
func bulkPage(rng *rand.Rand, src *rand.ChaCha8, after int64, n int, old []pickup.Code) (*Page, []pickup.Code) {
	w := pickup.Window{Start: pickup.MustDate("2026-11-01"), End: pickup.MustDate("2027-01-31")}
	p := &Page{DatasetID: "ds-1", CentreID: "here", After: after, Cursor: after + int64(n), More: true}
	var codes []pickup.Code
	for i := range n {
		code, _ := pickup.NewCode(src)
		if len(old) > 0 && i%7 == 0 {
			code = old[rng.IntN(len(old))]
		} else {
			codes = append(codes, code)
		}
		status := []pickup.Status{pickup.StatusExpected, pickup.StatusExpected, pickup.StatusCollected, pickup.StatusCancelled}[rng.IntN(4)]
		p.Pickups = append(p.Pickups, PickupRow{Seq: after + int64(i) + 1, Pickup: pickup.Pickup{Code: code, Name: fmt.Sprintf("Person %d", rng.IntN(500)),
			Profession: []string{"nurse", "dentist"}[rng.IntN(2)], ParcelKind: []string{"close_contact", "masks_only"}[rng.IntN(2)],
			CentreID: "here", CampaignID: pickup.DefaultCampaignID, Window: w, Status: status}})
	}
	if len(old) > 0 {
		p.Reassigned = append(p.Reassigned, Reassignment{Code: old[0], CentreID: "elsewhere", Seq: after + int64(n)})
	}
	return p, codes
}

// TestBulkLoadRebuildsWhatItSetAside: a reset page of many pickups with
// more to come sets the triggers and the name index aside; pages of new
// and changed rows and a volunteer's handover in between follow; the last
// page restores the objects as they were and rebuilds the counts and the
// digest from the rows, which the triggers then keep again.
func TestBulkLoadRebuildsWhatItSetAside(t *testing.T) {
	t.Parallel()
	f := enrolled(t)
	ctx := context.Background()
	before := pickupObjects(t, f.s)
	rng := rand.New(rand.NewPCG(5, 6))
	src := rand.NewChaCha8([32]byte{7})
	p, codes := bulkPage(rng, src, 0, bulkMinRows+200, nil)
	p.Reset = true
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	if on, err := inBulk(ctx, f.s.db); err != nil || !on {
		t.Fatalf("after a large reset page with more to come: bulk load %v (%v), want on", on, err)
	}
	if got := pickupObjects(t, f.s); len(got) != 0 {
		t.Errorf("during the load the pickups table keeps %d triggers or indexes, want none", len(got))
	}
	// A volunteer's handover while the pull goes on.
	var code pickup.Code
	if err := f.s.db.QueryRow("SELECT code FROM pickups WHERE status = 'expected' AND parcel_kind = 'masks_only' LIMIT 1").Scan(&code); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Handover(ctx, HandoverRequest{Input: string(code)}); err != nil {
		t.Fatal(err)
	}
	after := p.Cursor
	for range 2 {
		var more []pickup.Code
		p, more = bulkPage(rng, src, after, 300, codes)
		codes = append(codes, more...)
		if _, err := f.s.ApplyPage(ctx, p); err != nil {
			t.Fatal(err)
		}
		after = p.Cursor
	}
	p, _ = bulkPage(rng, src, after, 50, codes)
	p.More = false
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	if on, err := inBulk(ctx, f.s.db); err != nil || on {
		t.Fatalf("after the last page: bulk load %v (%v), want off", on, err)
	}
	if got := pickupObjects(t, f.s); !maps(got, before) {
		t.Errorf("after the load the pickups table's objects are\n%v\nwant\n%v", got, before)
	}
	checkDerived(t, f.s, "end of the load")
	if _, err := f.s.db.Exec("UPDATE pickups SET status = 'cancelled' WHERE rowid % 5 = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ApplyPage(ctx, &Page{DatasetID: "ds-1", CentreID: "here", After: p.Cursor, Cursor: p.Cursor + 1}); err != nil {
		t.Fatal(err)
	}
	checkDerived(t, f.s, "changes after the load")
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestBulkLoadEndedByOpenAndByFinishLoad: a pull killed during a bulk load
// leaves the objects set aside; the next Open restores and rebuilds them.
// A pull that fails ends its load with FinishLoad.
func TestBulkLoadEndedByOpenAndByFinishLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, how := range []string{"reopen", "FinishLoad"} {
		t.Run(how, func(t *testing.T) {
			f := enrolled(t)
			before := pickupObjects(t, f.s)
			rng := rand.New(rand.NewPCG(8, 9))
			src := rand.NewChaCha8([32]byte{10})
			p, _ := bulkPage(rng, src, 0, bulkMinRows, nil)
			p.Reset = true
			if _, err := f.s.ApplyPage(ctx, p); err != nil {
				t.Fatal(err)
			}
			s := f.s
			if how == "reopen" {
				s.Close()
				var err error
				if s, err = Open(ctx, f.dir); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
			} else if err := s.FinishLoad(ctx); err != nil {
				t.Fatal(err)
			}
			if on, err := inBulk(ctx, s.db); err != nil || on {
				t.Fatalf("bulk load %v (%v), want off", on, err)
			}
			if got := pickupObjects(t, s); !maps(got, before) {
				t.Errorf("the pickups table's objects are\n%v\nwant\n%v", got, before)
			}
			checkDerived(t, s, how)
			if err := s.FinishLoad(ctx); err != nil {
				t.Errorf("FinishLoad with no load under way: %v", err)
			}
		})
	}
}

// TestSmallResetPageKeepsTriggers: a reset page below bulkMinRows, or one
// with nothing after it, loads with the triggers on.
func TestSmallResetPageKeepsTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		rows int
		more bool
	}{{"small", bulkMinRows - 1, true}, {"last page", bulkMinRows + 1, false}} {
		t.Run(c.name, func(t *testing.T) {
			f := enrolled(t)
			before := pickupObjects(t, f.s)
			p, _ := bulkPage(rand.New(rand.NewPCG(1, 1)), rand.NewChaCha8([32]byte{1}), 0, c.rows, nil)
			p.Reset, p.More = true, c.more
			if _, err := f.s.ApplyPage(ctx, p); err != nil {
				t.Fatal(err)
			}
			if got := pickupObjects(t, f.s); !maps(got, before) {
				t.Errorf("the pickups table lost objects: %d of %d left", len(got), len(before))
			}
			checkDerived(t, f.s, c.name)
		})
	}
}

// TestBulkLoadStagesTheLocator: the same pages of locator entries (codes
// of two other centres, some moved between them, some forgotten) applied
// to a terminal in a bulk load and to one without: during the load the
// staged entries answer lookups as the other terminal's locator does, and
// after it both locators hold the same entries, with nothing left staged.
func TestBulkLoadStagesTheLocator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bulk, plain := enrolled(t), enrolled(t)
	key := make([]byte, pickup.LocatorKeySize)
	key[0] = 7
	for _, s := range []*Store{bulk.s, plain.s} {
		if err := s.PutCentres(ctx, pickup.Centre{ID: "gent", Name: "Gent"}, pickup.Centre{ID: "liege", Name: "Liège"}); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	src := rand.NewChaCha8([32]byte{13})
	var codes []pickup.Code
	locPage := func() *Locator {
		l := &Locator{Key: key, CentreIDs: []string{"gent", "liege"}}
		for range 400 {
			var c pickup.Code
			if len(codes) > 0 && rng.IntN(3) == 0 {
				c = codes[rng.IntN(len(codes))] // moved or forgotten
			} else {
				c, _ = pickup.NewCode(src)
				codes = append(codes, c)
			}
			l.Hashes = append(l.Hashes, pickup.LocatorHash(key, c))
			l.Centres = append(l.Centres, int32(rng.IntN(3)-1)) // -1: forgotten
		}
		return l
	}
	compare := func(step string) {
		t.Helper()
		for _, c := range codes {
			a, err := locate(ctx, bulk.s.db, c)
			if err != nil {
				t.Fatal(err)
			}
			b, err := locate(ctx, plain.s.db, c)
			if err != nil {
				t.Fatal(err)
			}
			if (a == nil) != (b == nil) || a != nil && a.ID != b.ID {
				t.Fatalf("%s: code %s located at %v in a bulk load, at %v without", step, c.Masked(), a, b)
			}
		}
	}
	var after int64
	for i := range 4 {
		p, _ := bulkPage(rng, src, after, bulkMinRows, nil)
		p.Reset, p.More, p.Locator = i == 0, i < 3, locPage()
		q := *p
		q.More = false // the plain terminal ends every page: no bulk load
		if _, err := plain.s.ApplyPage(ctx, &q); err != nil {
			t.Fatal(err)
		}
		if _, err := bulk.s.ApplyPage(ctx, p); err != nil {
			t.Fatal(err)
		}
		after = p.Cursor
		if on, _ := inBulk(ctx, bulk.s.db); on != (i < 3) {
			t.Fatalf("page %d: bulk load %v", i, on)
		}
		compare(fmt.Sprintf("page %d", i))
	}
	var staged int
	if err := bulk.s.db.QueryRow("SELECT count(*) FROM locator_stage").Scan(&staged); err != nil || staged != 0 {
		t.Errorf("after the load %d entries are left staged (%v)", staged, err)
	}
	nb, err := bulk.s.LocatorSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	np, err := plain.s.LocatorSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if nb != np {
		t.Errorf("the bulk-loaded locator names %d codes, the other %d", nb, np)
	}
}
