package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// testNow is a fixed moment inside the October 2020 phase 1 window.
var testNow = time.Date(2020, 11, 20, 10, 0, 0, 0, time.UTC)

type fixture struct {
	s     *Store
	dir   string
	now   time.Time
	codes map[string]pickup.Code // by label
	key   ed25519.PrivateKey
}

func codeFor(t testing.TB, n int) pickup.Code {
	t.Helper()
	payload := fmt.Sprintf("%015d", n)
	return pickup.Code(payload + string(pickup.CheckChar(payload)))
}

// openIn opens the store in dir, closed when the test ends.
func openIn(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// enrolledIn opens a store in dir enrolled as terminal term-A of centre
// "here", for benchmarks that apply pages to it; the caller closes it.
func enrolledIn(tb testing.TB, dir string) *Store {
	tb.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Enrol(ctx, "http://127.0.0.1:1", Enrolment{TerminalID: "term-A", Secret: make([]byte, 32),
		Centre: pickup.Centre{ID: "here", Name: "Here"}}); err != nil {
		tb.Fatal(err)
	}
	return s
}

// newFixture opens a store in a temp folder, sets up centre "here" with the
// October 2020 campaign and imports one pickup per verdict.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s := openIn(t, dir)
	f := &fixture{s: s, dir: dir, now: testNow, codes: map[string]pickup.Code{}}
	s.Now = func() time.Time { return f.now }
	s.Loc = time.UTC
	if _, err := s.Init(ctx, InitOptions{CentreID: "here", CentreName: "Centre Here", TerminalID: "t-1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCentres(ctx, pickup.Centre{ID: "there", Name: "Croix-Rouge Liège", Address: "Rue X 1, 4000 Liège", Hours: "Mon–Fri 9–17"}); err != nil {
		t.Fatal(err)
	}
	rows := []struct{ label, kind, centre, start, end, status string }{
		{"ok", "close_contact", "here", "2020-11-09", "2021-01-08", ""},
		{"masks", "masks_only", "here", "2020-11-09", "2021-01-08", ""},
		{"later", "masks_only", "here", "2020-12-07", "2021-01-08", ""},
		{"closed", "masks_only", "here", "2020-11-01", "2020-11-19", ""},
		{"there", "close_contact", "there", "2020-11-09", "2021-01-08", ""},
		{"cancelled", "close_contact", "here", "2020-11-09", "2021-01-08", "cancelled"},
		{"collected", "close_contact", "here", "2020-11-09", "2021-01-08", "collected"},
		{"ok2", "close_contact", "here", "2020-11-09", "2021-01-08", ""},
	}
	var b strings.Builder
	b.WriteString("code,name,profession,parcel_kind,centre_id,window_start,window_end,status\n")
	for i, r := range rows {
		c := codeFor(t, i+1)
		f.codes[r.label] = c
		prof := "physiotherapist"
		if r.kind == "masks_only" {
			prof = "pharmacist"
		}
		fmt.Fprintf(&b, "%s,Person %d,%s,%s,%s,%s,%s,%s\n", c, i, prof, r.kind, r.centre, r.start, r.end, r.status)
	}
	if _, err := s.ImportPickups(ctx, strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	f.key = ed25519.NewKeyFromSeed(seed)
	if err := s.PutSigningKey(ctx, pickup.KeyID(f.key.Public().(ed25519.PublicKey)), f.key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	return f
}

// setup is how most tests begin: in parallel, with a new fixture.
func setup(t *testing.T) (*fixture, context.Context) {
	t.Helper()
	t.Parallel()
	return newFixture(t), context.Background()
}

// setupEnrolled is setup with the fixture enrolled at a registry.
func setupEnrolled(t *testing.T) (*fixture, context.Context) {
	t.Helper()
	t.Parallel()
	return enrolled(t), context.Background()
}

func (f *fixture) receive(t testing.TB, item, size string, qty int) {
	t.Helper()
	if _, err := f.s.ReceiveStock(context.Background(), item, size, qty, "test"); err != nil {
		t.Fatal(err)
	}
}

// handover records req, which must be taken.
func (f *fixture) handover(t testing.TB, req HandoverRequest) HandoverResult {
	t.Helper()
	res, err := f.s.Handover(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) stock(t testing.TB) map[string]int {
	t.Helper()
	st, err := f.s.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.StockMap()
}

func (f *fixture) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.s.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) signed(t testing.TB, code pickup.Code, centre string) string {
	t.Helper()
	text, err := pickup.Sign(f.key, pickup.SignedCode{KeyID: pickup.KeyID(f.key.Public().(ed25519.PublicKey)), Code: code,
		CentreID: centre, CampaignID: pickup.DefaultCampaignID, ParcelKind: "masks_only",
		Window: pickup.Window{Start: pickup.MustDate("2020-11-09"), End: pickup.MustDate("2021-01-08")}})
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestInitTwiceRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.s.Init(context.Background(), InitOptions{CentreID: "other", CentreName: "Other"})
	if !errors.Is(err, ErrAlreadySetUp) {
		t.Errorf("second Init = %v, want ErrAlreadySetUp", err)
	}
	for _, o := range []InitOptions{{CentreID: "", CentreName: "x"}, {CentreID: "a b", CentreName: "x"}, {CentreID: "a"}, {CentreID: "a", CentreName: "x", CampaignID: "nope"}} {
		s, _ := Open(context.Background(), t.TempDir())
		if _, err := s.Init(context.Background(), o); err == nil {
			t.Errorf("Init(%+v) succeeded", o)
		}
		s.Close()
	}
}

func TestLookupEveryVerdict(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "M", 1000)
	f.handover(t, HandoverRequest{Input: string(f.codes["ok2"]), GloveSize: "M"})
	typo := []byte(f.codes["ok"].String())
	typo[3] = map[bool]byte{true: 'A', false: 'B'}[typo[3] != 'A']
	unknown := codeFor(t, 999)
	tests := []struct {
		name  string
		input string
		want  pickup.VerdictKind
	}{
		{"ok", f.codes["ok"].String(), pickup.VerdictOK},
		{"ok typed loosely", strings.ToLower(string(f.codes["ok"])), pickup.VerdictOK},
		{"masks only", string(f.codes["masks"]), pickup.VerdictOK},
		{"not yet open", string(f.codes["later"]), pickup.VerdictNotYetOpen},
		{"window closed", string(f.codes["closed"]), pickup.VerdictWindowClosed},
		{"wrong centre", string(f.codes["there"]), pickup.VerdictWrongCentre},
		{"cancelled", string(f.codes["cancelled"]), pickup.VerdictCancelled},
		{"collected per registry", string(f.codes["collected"]), pickup.VerdictAlreadyCollected},
		{"collected here", string(f.codes["ok2"]), pickup.VerdictAlreadyCollected},
		{"unknown", string(unknown), pickup.VerdictUnknownCode},
		{"typo", string(typo), pickup.VerdictInvalidCode},
		{"signed, unknown locally", f.signed(t, unknown, "here"), pickup.VerdictOK},
		{"signed, tampered", strings.Replace(f.signed(t, unknown, "here"), ".here.", ".there.", 1), pickup.VerdictBadSignature},
		{"signed for another centre", f.signed(t, codeFor(t, 998), "there"), pickup.VerdictWrongCentre},
	}
	for _, tt := range tests {
		v, err := f.s.Lookup(ctx, tt.input)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if v.Kind != tt.want {
			t.Errorf("%s: Lookup = %s, want %s", tt.name, v.Kind, tt.want)
		}
		switch v.Kind {
		case pickup.VerdictWrongCentre:
			if tt.name == "wrong centre" && (v.RightCentre == nil || v.RightCentre.Name != "Croix-Rouge Liège" || v.RightCentre.Hours == "") {
				t.Errorf("%s: right centre %+v", tt.name, v.RightCentre)
			}
		case pickup.VerdictNotYetOpen:
			if v.Opens.String() != "2020-12-07" {
				t.Errorf("%s: opens %s", tt.name, v.Opens)
			}
		case pickup.VerdictUnknownCode:
			if v.LastRefresh.IsZero() {
				t.Errorf("%s: no last refresh time", tt.name)
			}
		case pickup.VerdictAlreadyCollected:
			if tt.name == "collected here" && (len(v.Collected) != 1 || v.Collected[0].TerminalID != "t-1" || v.Collected[0].CentreName != "Centre Here") {
				t.Errorf("%s: collected %+v", tt.name, v.Collected)
			}
		case pickup.VerdictOK:
			if len(v.Contents) == 0 {
				t.Errorf("%s: no contents", tt.name)
			}
		}
	}
	// A lookup records nothing.
	if n := f.count(t, "SELECT count(*) FROM redemptions"); n != 1 {
		t.Errorf("%d redemptions after lookups, want 1", n)
	}
}

func TestHandoverRecordsEverythingOnce(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "L", 600)
	f.receive(t, "masks", "", 2000)
	before := f.stock(t)
	res, err := f.s.Handover(ctx, HandoverRequest{Input: f.codes["ok"].String(), GloveSize: "l", Volunteer: "Anne"})
	if err != nil || !res.Verdict.OK() || res.EventID == "" {
		t.Fatalf("Handover = %+v, %v", res, err)
	}
	after := f.stock(t)
	for key, delta := range map[string]int{"gloves-L": -500, "masks": -500, "gowns": -50, "glasses": -1, "gloves-M": 0} {
		if got := after[key] - before[key]; got != delta {
			t.Errorf("stock %s moved %d, want %d", key, got, delta)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM journal WHERE id = ? AND type = 'handover'", res.EventID); n != 1 {
		t.Errorf("journal has %d handover rows for the event", n)
	}
	if n := f.count(t, "SELECT count(*) FROM outbox WHERE event_id = ?", res.EventID); n != 1 {
		t.Errorf("outbox has %d rows for the event", n)
	}
	// The same code again is refused and changes nothing.
	again, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "L"})
	if err != nil || again.Verdict.Kind != pickup.VerdictAlreadyCollected || again.EventID != "" {
		t.Errorf("second handover = %+v, %v; want already_collected", again, err)
	}
	if got := f.stock(t); got["gloves-L"] != after["gloves-L"] {
		t.Errorf("refused handover moved stock")
	}
	st, _ := f.s.Status(ctx)
	if st.Collected != 2 || st.HandedOverToday != 1 || st.PendingUpload != 3 { // 2 receptions + 1 handover pending
		t.Errorf("status collected %d today %d pending %d; want 2 1 3", st.Collected, st.HandedOverToday, st.PendingUpload)
	}
	// Refusals of every kind record nothing.
	for _, in := range []string{string(f.codes["there"]), string(f.codes["later"]), "nonsense"} {
		r, err := f.s.Handover(ctx, HandoverRequest{Input: in, GloveSize: "L"})
		if err != nil || r.Verdict.OK() || r.EventID != "" {
			t.Errorf("Handover(%q) = %+v, %v", in, r, err)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM journal"); n != 3 {
		t.Errorf("journal has %d rows, want 3", n)
	}
}

func TestGloveSizeRefusals(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "M", 499) // not enough for one parcel
	f.receive(t, "gloves", "L", 1000)
	f.receive(t, "gloves", "XL", 500)
	tests := []struct {
		size      string
		want      error
		available []string
	}{
		{"", ErrSizeRequired, []string{"L", "XL"}},
		{"M", ErrOutOfStock, []string{"L", "XL"}},
		{"S", ErrOutOfStock, []string{"L", "XL"}},
		{"XXL", ErrUnknownSize, []string{"L", "XL"}},
	}
	for _, tt := range tests {
		_, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: tt.size})
		var se *SizeError
		if !errors.As(err, &se) || !errors.Is(err, tt.want) {
			t.Errorf("size %q: err = %v, want %v", tt.size, err, tt.want)
			continue
		}
		var got []string
		for _, a := range se.Available {
			got = append(got, a.Size)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.available) {
			t.Errorf("size %q: sizes left %v, want %v", tt.size, got, tt.available)
		}
		if !strings.Contains(se.Error(), "L (1000)") {
			t.Errorf("size %q: message %q does not say which sizes remain", tt.size, se.Error())
		}
	}
	if n := f.count(t, "SELECT count(*) FROM redemptions"); n != 0 {
		t.Errorf("%d handovers recorded by refusals", n)
	}
	// XL has exactly one parcel's worth: the second XL is refused.
	f.handover(t, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "XL"})
	if _, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes["ok2"]), GloveSize: "XL"}); !errors.Is(err, ErrOutOfStock) {
		t.Errorf("XL after the last parcel: %v, want ErrOutOfStock", err)
	}
	// Masks-only parcels need no size.
	if r, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes["masks"])}); err != nil || !r.Verdict.OK() {
		t.Errorf("masks-only handover: %+v, %v", r, err)
	}
}

func TestUndo(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "S", 500)
	res := f.handover(t, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "S"})
	f.now = f.now.Add(90 * time.Second)
	u, err := f.s.Undo(ctx, strings.ToUpper(res.EventID))
	if err != nil || u.Undoes != res.EventID {
		t.Fatalf("Undo = %+v, %v", u, err)
	}
	if got := f.stock(t)["gloves-S"]; got != 500 {
		t.Errorf("gloves-S after undo = %d, want 500", got)
	}
	// Nothing deleted: the handover stays in the journal, with its undo.
	if n := f.count(t, "SELECT count(*) FROM journal WHERE type IN ('handover', 'undo')"); n != 2 {
		t.Errorf("journal holds %d handover/undo rows, want 2", n)
	}
	if n := f.count(t, "SELECT count(*) FROM outbox"); n != 3 {
		t.Errorf("outbox holds %d rows, want 3 (reception, handover, undo)", n)
	}
	if v, _ := f.s.Lookup(ctx, string(f.codes["ok"])); v.Kind != pickup.VerdictOK {
		t.Errorf("after undo the code is %s, want ok", v.Kind)
	}
	if _, err := f.s.Undo(ctx, res.EventID); !errors.Is(err, ErrAlreadyUndone) {
		t.Errorf("second undo = %v, want ErrAlreadyUndone", err)
	}
	// Hand over again, then wait past the window.
	res2 := f.handover(t, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "S"})
	f.now = f.now.Add(DefaultUndoWindow + time.Second)
	if _, err := f.s.Undo(ctx, res2.EventID); !errors.Is(err, ErrUndoExpired) {
		t.Errorf("late undo = %v, want ErrUndoExpired", err)
	}
	if _, err := f.s.Undo(ctx, "not-a-uuid"); err == nil {
		t.Error("undo of garbage succeeded")
	}
	if _, err := f.s.Undo(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("undo of unknown event = %v, want ErrNotFound", err)
	}
	// A configured window applies.
	if err := f.s.SetSetting(ctx, KeyUndoWindow, "600"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(-DefaultUndoWindow) // 1 s after the handover... plus 2 min
	f.now = res2.At.Add(5 * time.Minute)
	if _, err := f.s.Undo(ctx, res2.EventID); err != nil {
		t.Errorf("undo within a 10-minute window: %v", err)
	}
}

func TestSignedHandoverThenCollected(t *testing.T) {
	f, ctx := setup(t)
	unknown := codeFor(t, 4242)
	text := f.signed(t, unknown, "here")
	res, err := f.s.Handover(ctx, HandoverRequest{Input: text})
	if err != nil || !res.Verdict.OK() || !res.Verdict.OnSignature {
		t.Fatalf("signed handover = %+v, %v", res, err)
	}
	var body string
	f.s.db.QueryRow("SELECT body FROM outbox WHERE event_id = ?", res.EventID).Scan(&body)
	if !strings.Contains(body, `"on_signature":true`) || !strings.Contains(body, text) {
		t.Errorf("outbox body %s does not carry the signature", body)
	}
	for _, in := range []string{text, string(unknown)} {
		if v, _ := f.s.Lookup(ctx, in); v.Kind != pickup.VerdictAlreadyCollected {
			t.Errorf("Lookup(%.20s…) after signed handover = %s, want already_collected", in, v.Kind)
		}
	}
	// A revoked code is refused even with a valid signature.
	other := codeFor(t, 4343)
	if err := f.s.RevokeCodes(ctx, other); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.s.Lookup(ctx, f.signed(t, other, "here")); v.Kind != pickup.VerdictCancelled || v.Reason != "revoked" {
		t.Errorf("revoked signed code = %s (%s), want cancelled (revoked)", v.Kind, v.Reason)
	}
}

func TestImportAllOrNothing(t *testing.T) {
	f, ctx := setup(t)
	before := f.count(t, "SELECT count(*) FROM pickups")
	bad := "code,name,profession,parcel_kind,centre_id,window_start,window_end\n" +
		codeFor(t, 500).String() + ",A,p,masks_only,here,2020-11-09,2021-01-08\n" +
		codeFor(t, 501).String() + ",B,p,masks_only,here,2020-11-09,2021-31-08\n"
	_, err := f.s.ImportPickups(ctx, strings.NewReader(bad))
	var re *pickup.RowError
	if !errors.As(err, &re) || re.Line != 3 {
		t.Errorf("import = %v, want a row error at line 3", err)
	}
	dup := "code,name,profession,parcel_kind,centre_id,window_start,window_end\n" +
		codeFor(t, 500).String() + ",A,p,masks_only,here,2020-11-09,2021-01-08\n" +
		string(codeFor(t, 500)) + ",A,p,masks_only,here,2020-11-09,2021-01-08\n"
	var de *DuplicateRowError
	if _, err := f.s.ImportPickups(ctx, strings.NewReader(dup)); !errors.As(err, &de) || de.Line != 3 || de.First != 2 {
		t.Errorf("duplicate import = %v, want a duplicate at line 3 of line 2", err)
	}
	if after := f.count(t, "SELECT count(*) FROM pickups"); after != before {
		t.Errorf("%d pickups after failed imports, want %d", after, before)
	}
	// A good re-import updates in place and counts other centres.
	good := "code,name,profession,parcel_kind,centre_id,window_start,window_end\n" +
		f.codes["ok"].String() + ",Renamed,physiotherapist,close_contact,here,2020-11-09,2021-01-08\n" +
		codeFor(t, 600).String() + ",C,p,masks_only,elsewhere,2020-11-09,2021-01-08\n"
	res, err := f.s.ImportPickups(ctx, strings.NewReader(good))
	if err != nil || res != (ImportResult{Rows: 2, New: 1, Updated: 1, OtherCentres: 1}) {
		t.Errorf("import = %+v, %v", res, err)
	}
}

func TestStockMovements(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "masks", "", 12000)
	res, err := f.s.CountStock(ctx, "masks", "", 11950, "weekly count: one box damaged")
	if err != nil || res.Delta != -50 || res.OnHand != 11950 {
		t.Errorf("count = %+v, %v", res, err)
	}
	var reason string
	f.s.db.QueryRow("SELECT reason FROM stock_moves WHERE kind = 'count'").Scan(&reason)
	if reason == "" {
		t.Error("count adjustment lost its reason")
	}
	bad := []struct {
		name string
		fn   func() error
	}{
		{"unknown item", func() error { _, err := f.s.ReceiveStock(ctx, "helmets", "", 1, ""); return err }},
		{"gloves without size", func() error { _, err := f.s.ReceiveStock(ctx, "gloves", "", 1, ""); return err }},
		{"masks with size", func() error { _, err := f.s.ReceiveStock(ctx, "masks", "M", 1, ""); return err }},
		{"zero", func() error { _, err := f.s.ReceiveStock(ctx, "masks", "", 0, ""); return err }},
		{"negative", func() error { _, err := f.s.ReceiveStock(ctx, "masks", "", -5, ""); return err }},
		{"huge", func() error { _, err := f.s.ReceiveStock(ctx, "masks", "", MaxStockQty+1, ""); return err }},
		{"count without reason", func() error { _, err := f.s.CountStock(ctx, "masks", "", 3, " "); return err }},
		{"bad size", func() error { _, err := f.s.CountStock(ctx, "gloves", "XXL", 3, "r"); return err }},
	}
	for _, b := range bad {
		if err := b.fn(); err == nil {
			t.Errorf("%s: accepted", b.name)
		}
	}
	if got := f.stock(t)["masks"]; got != 11950 {
		t.Errorf("masks = %d after refused movements, want 11950", got)
	}
	// Stock equals the sum of its movements.
	if n := f.count(t, "SELECT count(*) FROM stock s WHERE qty != (SELECT sum(delta) FROM stock_moves m WHERE m.item = s.item AND m.size = s.size)"); n != 0 {
		t.Errorf("%d stock rows disagree with their movements", n)
	}
}

func TestVerifyLogNamesFirstBrokenEntry(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "M", 5000)
	var ids []string
	for _, l := range []string{"ok", "ok2", "masks"} {
		r := f.handover(t, HandoverRequest{Input: string(f.codes[l]), GloveSize: "M"})
		ids = append(ids, r.EventID)
	}
	res, err := f.s.VerifyLog(ctx)
	if err != nil || !res.OK || res.Entries != 4 {
		t.Fatalf("VerifyLog on an intact log = %+v, %v", res, err)
	}
	// The journal refuses changes through SQL...
	if _, err := f.s.db.Exec("UPDATE journal SET body = 'x' WHERE seq = 2"); err == nil {
		t.Error("journal accepted an update")
	}
	if _, err := f.s.db.Exec("DELETE FROM journal WHERE seq = 2"); err == nil {
		t.Error("journal accepted a delete")
	}
	// ...and someone who drops the guard is caught by the chain.
	if _, err := f.s.db.Exec("DROP TRIGGER journal_no_update"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.db.Exec(`UPDATE journal SET body = replace(body, '"glove_size":"M"', '"glove_size":"L"') WHERE id = ?`, ids[1]); err != nil {
		t.Fatal(err)
	}
	res, err = f.s.VerifyLog(ctx)
	if err != nil || res.OK || res.EventID != ids[1] || res.Seq != 3 {
		t.Errorf("VerifyLog after tampering = %+v, %v; want entry 3 (%s) broken", res, err, ids[1])
	}
	if _, err := f.s.db.Exec("DROP TRIGGER journal_no_delete"); err != nil {
		t.Fatal(err)
	}
	f.s.db.Exec("DELETE FROM journal WHERE seq = 4")
	res, _ = f.s.VerifyLog(ctx)
	if res.OK {
		t.Error("VerifyLog missed a removed last entry")
	}
}

// TestUndoRefusedWhenClockWentBackwards: setting the counter's clock back
// does not reopen the undo window of earlier handovers (it allowed undoing
// any of them).
func TestUndoRefusedWhenClockWentBackwards(t *testing.T) {
	f, ctx := setup(t)
	f.receive(t, "gloves", "S", 500)
	res := f.handover(t, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "S"})
	f.now = f.now.Add(time.Hour) // the handover's window is long over
	if _, err := f.s.ReceiveStock(ctx, "masks", "", 10, "later"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(-time.Hour + time.Minute) // set back to a minute after the handover
	if _, err := f.s.Undo(ctx, res.EventID); !errors.Is(err, ErrClockBackwards) {
		t.Errorf("undo after the clock was set back: %v, want ErrClockBackwards", err)
	}
	f.now = res.At.Add(-time.Hour) // before the handover itself
	if _, err := f.s.Undo(ctx, res.EventID); !errors.Is(err, ErrClockBackwards) {
		t.Errorf("undo with the clock before the handover: %v, want ErrClockBackwards", err)
	}
}

// TestDemoKeyRemovedAtEnrolment: the demo's signing key (its seed is in
// the source) stops verifying QR codes once the terminal is enrolled with
// a registry: a forged QR signed with it was genuine.
func TestDemoKeyRemovedAtEnrolment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Demo(ctx, 20); err != nil {
		t.Fatal(err)
	}
	demoID := pickup.KeyID(demoKey().Public().(ed25519.PublicKey))
	if keys, _ := s.SigningKeys(ctx); keys[demoID] == nil {
		t.Fatal("the demo has no key to remove")
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	id, err := s.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Enrol(ctx, "https://registry.example", Enrolment{TerminalID: "term-A", Secret: make([]byte, 32),
		Centre: id.Centre, Keys: []SigningKey{{KeyID: pickup.KeyID(pub), PublicKey: pub}}})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := s.SigningKeys(ctx)
	if keys[demoID] != nil || keys[pickup.KeyID(pub)] == nil {
		t.Errorf("keys after enrolment: %v; want the registry's only", keys)
	}
}
