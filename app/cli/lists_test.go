package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

// What the manager reads: the lists (expected, handovers by day, conflicts
// and their reviews), the stock's movements and the status forecast.

// pickup expected lists who is still to come and searches by name or
// code; pickup handovers --date lists one day's handovers.
func TestExpectedAndHandoversByDate(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	if r := run(t, "--data", dir, "handover", code(2)); r.code != 0 {
		t.Fatalf("handover: %d %s", r.code, r.stderr)
	}
	names := func(r runResult) []string {
		t.Helper()
		var out []string
		for _, p := range jsonOf(t, r)["pickups"].([]any) {
			out = append(out, p.(map[string]any)["name"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Anne Peeters|Eva Maes"}, // Jean Dupont was handed over; Lena Schmitz is Eupen's
		{[]string{"--search", "PEET"}, "Anne Peeters"},
		{[]string{"--search", strings.ToLower(code(3))}, "Eva Maes"},
		{[]string{"--search", code(2)}, "Jean Dupont"}, // by code, whatever its state
		{[]string{"--search", "nobody"}, ""},
	} {
		r := run(t, append([]string{"--data", dir, "--json", "expected"}, tc.args...)...)
		if got := strings.Join(names(r), "|"); r.code != 0 || got != tc.want {
			t.Errorf("expected %v = exit %d %q, want %q (%s)", tc.args, r.code, got, tc.want, r.stderr)
		}
	}
	if r := run(t, "--data", dir, "expected", "--search", code(2)); r.code != 0 || !strings.Contains(r.stdout, "Jean Dupont") || !strings.Contains(r.stdout, "(collected)") {
		t.Errorf("expected --search CODE = %d %q", r.code, r.stdout)
	}
	if r := run(t, "--data", dir, "expected", "--search", strings.Repeat("x", 101)); r.code != 2 {
		t.Errorf("expected with a long search = exit %d, want 2", r.code)
	}

	today := pickup.DateOf(time.Now()).String()
	m := jsonOf(t, run(t, "--data", dir, "--json", "handovers", "--date", today))
	if hs := m["handovers"].([]any); m["total"] != 1.0 || len(hs) != 1 || hs[0].(map[string]any)["name"] != "Jean Dupont" {
		t.Errorf("handovers --date today = %v", m)
	}
	yesterday := pickup.DateOf(time.Now()).AddDays(-1).String()
	if m := jsonOf(t, run(t, "--data", dir, "--json", "handovers", "--date", yesterday)); m["total"] != 0.0 {
		t.Errorf("handovers --date yesterday = %v", m)
	}
	if r := run(t, "--data", dir, "handovers", "--date", today); r.code != 0 || !strings.Contains(r.stdout, "Jean Dupont") || !strings.Contains(r.stdout, "1 handovers") {
		t.Errorf("handovers --date = %d %q", r.code, r.stdout)
	}
	for _, args := range [][]string{{"--date", "20/11"}, {"--date", today, "--days", "2"}} {
		if r := run(t, append([]string{"--data", dir, "handovers"}, args...)...); r.code != 2 {
			t.Errorf("handovers %v = exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
}

// pickup review-conflict records a review of a double handover, listed by
// pickup conflicts; a code that is not double, or no note, is refused.
func TestReviewConflictCommand(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	if r := run(t, "--data", dir, "handover", code(2)); r.code != 0 {
		t.Fatalf("handover: %d %s", r.code, r.stderr)
	}
	c, _ := pickup.ParseCode(code(2))
	ev := pickup.Event{ID: "00000000-0000-4000-8000-000000000001", Type: pickup.EventHandover, TerminalID: "t-2", CentreID: "bru",
		At: time.Now().Add(-time.Minute), Code: c, Items: []pickup.Line{{Item: "masks", Qty: 1}}}
	inStore(t, dir, func(ctx context.Context, s *store.Store) {
		if out, err := s.IngestFacts(ctx, store.SourcePeer, []pickup.Event{ev}); err != nil || out.New != 1 {
			t.Fatalf("ingest: %+v %v", out, err)
		}
	})
	for _, args := range [][]string{{code(2)}, {"--note", " ", code(2)}, {"--note", "fine", code(1)}} {
		if r := run(t, append([]string{"--data", dir, "review-conflict"}, args...)...); r.code == 0 {
			t.Errorf("review-conflict %v = exit 0", args)
		}
	}
	r := run(t, "--data", dir, "--json", "review-conflict", "--note", "Same person twice: parcel asked back.", code(2))
	if m := jsonOf(t, r); r.code != 0 || m["note"] != "Same person twice: parcel asked back." || m["event_id"] == "" {
		t.Fatalf("review-conflict = %d %v %s", r.code, m, r.stderr)
	}
	if r := run(t, "--data", dir, "conflicts"); r.code != 0 || strings.Count(r.stdout, "reviewed ") != 1 || !strings.Contains(r.stdout, "parcel asked back") {
		t.Errorf("conflicts = %d %q", r.code, r.stdout)
	}
}

// The command line does what the manager's window does: a shipment line
// received short with its reason, a loss, the movement history.
func TestStockLossHistoryShortShipment(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	inStore(t, dir, func(ctx context.Context, s *store.Store) {
		id, _ := s.Identity(ctx)
		if _, err := s.ApplyPage(ctx, &store.Page{DatasetID: "ds", CentreID: id.Centre.ID, Cursor: 1, Shipments: []store.SentShipment{
			{ID: "sh-1", Item: "masks", Qty: 500, SentAt: time.Now(), Seq: 1},
			{ID: "sh-2", Item: "gowns", Qty: 50, SentAt: time.Now(), Seq: 2}}}); err != nil {
			t.Fatal(err)
		}
	})
	refusals := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"short without a reason", []string{"stock", "receive", "--shipment", "sh-1", "--qty", "450"}, 2, "say why"},
		{"all with a quantity", []string{"stock", "receive", "--shipment", "all", "--qty", "450", "--reason", "x"}, 2, "give one shipment id"},
		{"negative", []string{"stock", "receive", "--shipment", "sh-1", "--qty", "-3", "--reason", "x"}, 2, "0 when none did"},
		{"item with a shipment", []string{"stock", "receive", "--shipment", "sh-1", "--item", "masks"}, 2, "leave out --item"},
		{"loss without a reason", []string{"stock", "loss", "--item", "masks", "--qty", "5"}, 2, "reason"},
		{"loss of more than on hand", []string{"stock", "loss", "--item", "masks", "--qty", "5", "--reason", "wet"}, 2, "count the stock instead"},
	}
	for _, r := range refusals {
		got := run(t, append([]string{"--data", dir}, r.args...)...)
		if got.code != r.code || !strings.Contains(got.stderr, r.want) {
			t.Errorf("%s: exit %d %q; want %d, %q", r.name, got.code, got.stderr, r.code, r.want)
		}
	}
	if r := run(t, "--data", dir, "stock", "receive", "--shipment", "sh-1", "--qty", "450", "--reason", "one box missing"); r.code != 0 || !strings.Contains(r.stdout, "masks +450 → 450") {
		t.Fatalf("short shipment: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "--data", dir, "stock", "receive", "--shipment", "sh-2", "--qty", "0", "--reason", "not on the lorry"); r.code != 0 {
		t.Fatalf("shipment of nothing: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "--data", dir, "stock", "loss", "--item", "masks", "--qty", "50", "--reason", "box damaged by water"); r.code != 0 || !strings.Contains(r.stdout, "masks -50 → 400") {
		t.Fatalf("loss: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r := run(t, "--data", dir, "stock", "history")
	for _, want := range []string{"loss", "box damaged by water", "shipment sh-1 one box missing", "shipment sh-2 not on the lorry", "3 movements"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("history lacks %q: %d %s %s", want, r.code, r.stdout, r.stderr)
		}
	}
	m := jsonOf(t, run(t, "--data", dir, "--json", "stock", "history", "--limit", "1"))
	moves, _ := m["moves"].([]any)
	if len(moves) != 1 || moves[0].(map[string]any)["kind"] != "loss" || moves[0].(map[string]any)["delta"] != -50.0 {
		t.Errorf("history --json --limit 1 = %v", m)
	}
}

// TestStatusForecast: `pickup status` shows the shortage forecast from
// the parcels still expected (3 parcels of 500 masks) against the stock
// (700): 1,500 needed, 800 short, with the day they run out; text and
// JSON say the same.
func TestStatusForecast(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	if r := run(t, "stock", "receive", "--data", dir, "--item", "masks", "--qty", "700", "--ref", "D-1"); r.code != 0 {
		t.Fatalf("stock receive: %d %s", r.code, r.stderr)
	}
	st := jsonOf(t, run(t, "--data", dir, "--json", "status"))
	fc, _ := st["forecast"].(map[string]any)
	lines, _ := fc["lines"].([]any)
	var masks map[string]any
	for _, l := range lines {
		if m := l.(map[string]any); m["item"] == "masks" {
			masks = m
		}
	}
	if masks == nil || masks["on_hand"] != 700.0 || masks["need"] != 1500.0 || masks["short_by"] != 800.0 || masks["runs_out"] == nil {
		t.Fatalf("status --json forecast masks = %v (forecast %v)", masks, fc)
	}
	r := run(t, "--data", dir, "status")
	if !regexp.MustCompile(`Surgical masks\s+700\s+0\s+1500\s+800\s+\S`).MatchString(r.stdout) {
		t.Errorf("status text lacks the masks forecast (700 on hand, 1500 needed, 800 short):\n%s", r.stdout)
	}
}
