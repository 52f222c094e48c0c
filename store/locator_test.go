package store

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

func TestLocatorLookup(t *testing.T) {
	f, ctx := setupEnrolled(t)
	key := make([]byte, pickup.LocatorKeySize)
	key[3] = 7
	gent := pickup.Centre{ID: "gent", Name: "Rode Kruis Gent", Address: "Kortrijksesteenweg 788, 9000 Gent", Hours: "ma-vr 8:30-16:30"}
	other, gone := benchCode(41), benchCode(42)
	p := page(0, 10)
	p.Centres = []pickup.Centre{gent}
	p.Locator = &Locator{Key: key, CentreIDs: []string{"gent"},
		Hashes: []int64{pickup.LocatorHash(key, other), pickup.LocatorHash(key, gone)}, Centres: []int32{0, 0}}
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, input := range []string{string(other), strings.ToLower(other.String())} {
		j, err := f.s.Lookup(ctx, input)
		if err != nil {
			t.Fatal(err)
		}
		if j.Kind != pickup.VerdictWrongCentre || j.RightCentre == nil || *j.RightCentre != gent {
			t.Errorf("lookup of a located code: %s %+v, want wrong_centre at %+v", j.Kind, j.RightCentre, gent)
		}
	}
	if res, err := f.s.Handover(ctx, HandoverRequest{Input: string(other), GloveSize: "M"}); err != nil || res.EventID != "" || res.Verdict.Kind != pickup.VerdictWrongCentre {
		t.Errorf("handover of another centre's code: %s recorded %q, %v; want wrong_centre, nothing recorded", res.Verdict.Kind, res.EventID, err)
	}
	p = page(10, 20)
	p.Locator = &Locator{Key: key, Hashes: []int64{pickup.LocatorHash(key, gone)}, Centres: []int32{-1}}
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	if j, _ := f.s.Lookup(ctx, string(gone)); j.Kind != pickup.VerdictUnknownCode {
		t.Errorf("lookup of a forgotten code: %s, want unknown_code", j.Kind)
	}
	if n, _ := f.s.LocatorSize(ctx); n != 1 {
		t.Errorf("locator of %d codes, want 1", n)
	}
	p = page(0, 5)
	p.Reset = true
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.s.LocatorSize(ctx); n != 0 {
		t.Errorf("after a reset the locator holds %d codes, want 0", n)
	}
}

// BenchmarkLocator1M applies the locator of 1,000,000 national codes to an
// empty terminal in pages of 10,000 (as a pull brings them) and reports
// the bytes it adds to the database per code, against 1,000,000 pickup
// rows applied the same way.
func BenchmarkLocator1M(b *testing.B) {
	const n, per = 1_000_000, 10_000
	ctx := context.Background()
	key := make([]byte, pickup.LocatorKeySize)
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		dir := b.TempDir()
		s := enrolledIn(b, dir)
		size := func() int64 {
			s.Close()
			n := dbSize(b, dir)
			var err error
			if s, err = Open(ctx, dir); err != nil {
				b.Fatal(err)
			}
			return n
		}
		before := size()
		start := time.Now()
		var cursor int64
		var h [8]byte
		for i := 0; i < n; i += per {
			p := &Page{DatasetID: "ds-1", CentreID: "here", After: cursor, Cursor: cursor + per}
			p.Locator = &Locator{Key: key, CentreIDs: []string{"gent", "liege", "namur"}, Hashes: make([]int64, per), Centres: make([]int32, per)}
			for j := range per {
				binary.LittleEndian.PutUint64(h[:], rng.Uint64())
				p.Locator.Hashes[j] = int64(binary.LittleEndian.Uint64(h[:]))
				p.Locator.Centres[j] = int32(j % 3)
			}
			if _, err := s.ApplyPage(ctx, p); err != nil {
				b.Fatal(err)
			}
			cursor += per
		}
		took := time.Since(start)
		locBytes := size() - before
		window := pickup.Window{Start: pickup.MustDate("2020-11-09"), End: pickup.MustDate("2021-01-08")}
		start = time.Now()
		for i := 0; i < n; i += per {
			p := &Page{DatasetID: "ds-1", CentreID: "here", After: cursor, Cursor: cursor + per}
			for j := range per {
				p.Pickups = append(p.Pickups, PickupRow{Pickup: pickup.Pickup{Code: benchCode(i + j), Name: "Dr Anne Janssens",
					Profession: "physiotherapist", ParcelKind: "close_contact", CentreID: "here", CampaignID: "covid19-2020",
					Window: window, Status: pickup.StatusExpected}, Seq: cursor + int64(j) + 1})
			}
			if _, err := s.ApplyPage(ctx, p); err != nil {
				b.Fatal(err)
			}
			cursor += per
		}
		rowsTook := time.Since(start)
		s.Close()
		b.ReportMetric(float64(locBytes)/n, "locator-bytes/code")
		b.ReportMetric(took.Seconds(), "locator-s")
		b.ReportMetric(rowsTook.Seconds(), "pickups-s")
		b.Logf("locator of %d codes: %.1f bytes/code (%.1f MB), applied in %s; %d pickup rows applied in %s",
			n, float64(locBytes)/n, float64(locBytes)/1e6, took.Round(time.Millisecond), n, rowsTook.Round(time.Millisecond))
	}
}

// TestLocatorPageOfManyEntries: a page of more entries than a statement
// carries, with a hash sent twice (the later entry wins, whether it puts
// or forgets) and an entry naming no centre of the page (refused, nothing
// applied).
func TestLocatorPageOfManyEntries(t *testing.T) {
	f, ctx := setupEnrolled(t)
	key := make([]byte, pickup.LocatorKeySize)
	const n = 3*locatorBatch + 5
	l := &Locator{Key: key, CentreIDs: []string{"gent", "liege"}}
	for i := range n {
		l.Hashes = append(l.Hashes, pickup.LocatorHash(key, benchCode(i)))
		l.Centres = append(l.Centres, int32(i%2))
	}
	// benchCode(0) moves to liege, benchCode(1) is forgotten, benchCode(2)
	// is forgotten then comes back at gent: later entries win.
	l.Hashes = append(l.Hashes, l.Hashes[0], l.Hashes[1], l.Hashes[2], l.Hashes[2])
	l.Centres = append(l.Centres, 1, -1, -1, 0)
	p := page(0, 10)
	p.Locator = l
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.LocatorSize(ctx); got != n-1 {
		t.Errorf("locator of %d codes, want %d", got, n-1)
	}
	for i, want := range map[int]string{0: "liege", 1: "", 2: "gent", 3: "liege", n - 1: []string{"gent", "liege"}[(n-1)%2]} {
		c, err := locate(ctx, f.s.db, benchCode(i))
		switch {
		case err != nil:
			t.Fatal(err)
		case want == "" && c != nil:
			t.Errorf("code %d located at %s, want forgotten", i, c.ID)
		case want != "" && (c == nil || c.ID != want):
			t.Errorf("code %d located at %+v, want %s", i, c, want)
		}
	}
	bad := page(10, 20)
	bad.Locator = &Locator{Key: key, CentreIDs: []string{"gent"}, Hashes: []int64{pickup.LocatorHash(key, benchCode(1)), 99}, Centres: []int32{0, 1}}
	if _, err := f.s.ApplyPage(ctx, bad); err == nil {
		t.Error("an entry naming centre 1 of 1 was applied")
	}
	if c, _ := locate(ctx, f.s.db, benchCode(1)); c != nil {
		t.Errorf("a refused page located code 1 at %s", c.ID)
	}
}
