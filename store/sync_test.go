package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

func enrolled(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	_, err := f.s.Enrol(context.Background(), "http://127.0.0.1:1", Enrolment{
		TerminalID: "term-A", Secret: make([]byte, 32), Centre: pickup.Centre{ID: "here", Name: "Centre Here"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func page(after, cursor int64) *Page {
	return &Page{DatasetID: "ds-1", CentreID: "here", After: after, Cursor: cursor}
}

func TestEnrolKeepsStandAloneFacts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.receive(t, "masks", "", 100)
	if _, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes["masks"])}); err != nil {
		t.Fatal(err)
	}
	id, err := f.s.Enrol(ctx, "http://x", Enrolment{TerminalID: "term-B", Secret: []byte("s"), Centre: pickup.Centre{ID: "here", Name: "H"}})
	if err != nil || id.TerminalID != "term-B" {
		t.Fatalf("Enrol = %+v, %v", id, err)
	}
	evs, _ := f.s.Outbox(ctx, -1)
	if len(evs) != 2 {
		t.Fatalf("outbox has %d facts after enrolment, want 2", len(evs))
	}
	for _, e := range evs {
		if e.TerminalID != "term-B" {
			t.Errorf("fact %s still addressed from %s", e.Type, e.TerminalID)
		}
	}
	if res, _ := f.s.VerifyLog(ctx); !res.OK {
		t.Errorf("journal broken by enrolment: %+v", res)
	}
	_, err = f.s.Enrol(ctx, "http://x", Enrolment{TerminalID: "term-C", Secret: []byte("s"), Centre: pickup.Centre{ID: "elsewhere"}})
	if !errors.Is(err, ErrAlreadySetUp) {
		t.Errorf("enrol for another centre = %v, want ErrAlreadySetUp", err)
	}
}

func TestApplyPageDoubleHandoverAndConfirm(t *testing.T) {
	t.Parallel()
	f := enrolled(t)
	ctx := context.Background()
	code := f.codes["masks"]
	res, err := f.s.Handover(ctx, HandoverRequest{Input: string(code)})
	if err != nil {
		t.Fatal(err)
	}
	p := page(0, 10)
	p.Redemptions = []Redemption{
		{Collection: pickup.Collection{EventID: res.EventID, TerminalID: "term-A", CentreID: "here", At: f.now}, Code: code},
		{Collection: pickup.Collection{EventID: "11111111-1111-1111-1111-111111111111", TerminalID: "term-B", CentreID: "here", At: f.now.Add(time.Minute)}, Code: code},
	}
	out, err := f.s.ApplyPage(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if out.Conflicts != 2 {
		t.Errorf("conflicts recorded = %d, want 2", out.Conflicts)
	}
	cs, _ := f.s.Conflicts(ctx)
	if len(cs) != 2 {
		t.Errorf("Conflicts() = %+v, want both handovers", cs)
	}
	st, _ := f.s.Status(ctx)
	if st.Conflicts != 1 || st.PendingUpload != 0 {
		t.Errorf("status conflicts %d pending %d; want 1 code, 0 pending (the pulled redemption confirms the handover)", st.Conflicts, st.PendingUpload)
	}
	// The same page again does not follow the cursor and changes nothing.
	if _, err := f.s.ApplyPage(ctx, p); err == nil {
		t.Error("a page applied twice was accepted")
	}
	// A bundle page that overlaps is fine; one wholly behind is skipped.
	if _, applied, err := f.s.ApplyBundlePage(ctx, p); err != nil || applied {
		t.Errorf("bundle page behind the cursor: applied %v, %v", applied, err)
	}
	over := page(5, 12)
	if _, applied, err := f.s.ApplyBundlePage(ctx, over); err != nil || !applied {
		t.Errorf("overlapping bundle page: applied %v, %v", applied, err)
	}
}

func TestApplyPageResetKeepsOwnFacts(t *testing.T) {
	t.Parallel()
	f := enrolled(t)
	ctx := context.Background()
	code := f.codes["masks"]
	if _, err := f.s.Handover(ctx, HandoverRequest{Input: string(code)}); err != nil {
		t.Fatal(err)
	}
	p := page(0, 5)
	p.Pickups = []PickupRow{{Pickup: pickup.Pickup{Code: codeFor(t, 777), Name: "New", Profession: "pharmacist", ParcelKind: "masks_only",
		CentreID: "here", CampaignID: pickup.DefaultCampaignID, Window: pickup.Window{Start: pickup.MustDate("2020-11-01"), End: pickup.MustDate("2020-12-31")}, Status: pickup.StatusExpected}, Seq: 5}}
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	// The registry was restored: a reset page from another dataset.
	r := &Page{DatasetID: "ds-2", CentreID: "here", Reset: true, After: 0, Cursor: 3}
	out, err := f.s.ApplyPage(ctx, r)
	if err != nil || !out.Reset {
		t.Fatalf("reset page: %+v, %v", out, err)
	}
	if n := f.count(t, "SELECT count(*) FROM pickups"); n != 0 {
		t.Errorf("%d registry pickups survived the reset", n)
	}
	if v, _ := f.s.Lookup(ctx, string(code)); v.Kind != pickup.VerdictAlreadyCollected {
		t.Errorf("own handover lost in the reset: %s", v.Kind)
	}
	if st, _ := f.s.Status(ctx); st.PendingUpload != 1 {
		t.Errorf("outbox after reset = %d, want 1", st.PendingUpload)
	}
	cfg, _ := f.s.SyncConfig(ctx)
	if cfg.DatasetID != "ds-2" || cfg.Cursor != 3 {
		t.Errorf("cursor %d dataset %s after reset", cfg.Cursor, cfg.DatasetID)
	}
}

func TestApplyPageRows(t *testing.T) {
	t.Parallel()
	f := enrolled(t)
	ctx := context.Background()
	p := page(0, 20)
	p.Reassigned = []Reassignment{{Code: f.codes["ok"], CentreID: "there", Seq: 11}}
	p.Revoked = []pickup.Code{f.codes["ok2"]}
	p.Centres = []pickup.Centre{{ID: "there", Name: "Moved Centre", Address: "New street 1", Hours: "Sat"}}
	p.Shipments = []SentShipment{{ID: "ship-1", Item: "gloves", Size: "M", Qty: 1000, SentAt: f.now, Seq: 14}}
	if _, err := f.s.ApplyPage(ctx, p); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.s.Lookup(ctx, string(f.codes["ok"])); v.Kind != pickup.VerdictWrongCentre || v.RightCentre.Name != "Moved Centre" {
		t.Errorf("reassigned code: %s %+v", v.Kind, v.RightCentre)
	}
	if v, _ := f.s.Lookup(ctx, string(f.codes["ok2"])); v.Kind != pickup.VerdictCancelled {
		t.Errorf("revoked code: %s", v.Kind)
	}
	if _, err := f.s.ReceiveShipment(ctx, "ship-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ReceiveShipment(ctx, "ship-1"); !errors.Is(err, ErrAlreadyReceived) {
		t.Errorf("second reception: %v", err)
	}
	if got := f.stock(t)["gloves-M"]; got != 1000 {
		t.Errorf("gloves-M = %d after the shipment, want 1000", got)
	}
	wrong := page(20, 21)
	wrong.CentreID = "there"
	if _, err := f.s.ApplyPage(ctx, wrong); err == nil || !strings.Contains(err.Error(), "centre") {
		t.Errorf("page for another centre: %v", err)
	}
}

func TestApplyPushResults(t *testing.T) {
	t.Parallel()
	f := enrolled(t)
	ctx := context.Background()
	res, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes["masks"])})
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := f.s.Outbox(ctx, 10)
	earlier := pickup.Collection{EventID: "22222222-2222-2222-2222-222222222222", At: f.now.Add(-time.Hour), TerminalID: "term-Z", CentreID: "here"}
	out, err := f.s.ApplyPushResults(ctx, evs, []PushAnswer{
		{ID: res.EventID, Result: PushConflict, Earlier: []pickup.Collection{earlier}},
	})
	if err != nil || out.Conflict != 1 {
		t.Fatalf("ApplyPushResults = %+v, %v", out, err)
	}
	st, _ := f.s.Status(ctx)
	if st.PendingUpload != 0 || st.Conflicts != 1 {
		t.Errorf("pending %d conflicts %d, want 0 and 1", st.PendingUpload, st.Conflicts)
	}
	cs, _ := f.s.Conflicts(ctx)
	if len(cs) != 2 {
		t.Errorf("conflicts list %+v, want this handover and the earlier one", cs)
	}
}

func TestCentrePickupsAndReplaceBucket(t *testing.T) {
	t.Parallel()
	f := enrolled(t)
	ctx := context.Background()
	names := func() map[pickup.Code]string {
		m := map[pickup.Code]string{}
		if err := f.s.CentrePickups(ctx, func(p pickup.Pickup) { m[p.Code] = p.Name }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if n := len(names()); n != 7 { // the fixture's rows for "here"
		t.Errorf("CentrePickups lists %d rows, want 7", n)
	}
	// Replacing a bucket with the registry's rows leaves exactly those rows
	// whose code starts with the prefix.
	var rows []PickupRow
	for _, l := range []string{"ok", "masks"} {
		p, _ := getPickup(ctx, f.s.db, f.codes[l])
		p.Name = "Registry Name"
		rows = append(rows, PickupRow{Pickup: *p})
	}
	if err := f.s.ReplaceBucket(ctx, "0", rows); err != nil {
		t.Fatal(err)
	}
	got := names()
	for _, l := range []string{"ok", "masks"} {
		if got[f.codes[l]] != "Registry Name" {
			t.Errorf("%s after repair: %q", l, got[f.codes[l]])
		}
	}
	for c := range got {
		if c[0] == '0' && c != f.codes["ok"] && c != f.codes["masks"] {
			t.Errorf("code %s of bucket 0 survived the repair", c.Masked())
		}
	}
}
