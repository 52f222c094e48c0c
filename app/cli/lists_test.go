package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

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
	ctx := context.Background()
	s, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := pickup.ParseCode(code(2))
	ev := pickup.Event{ID: "00000000-0000-4000-8000-000000000001", Type: pickup.EventHandover, TerminalID: "t-2", CentreID: "bru",
		At: time.Now().Add(-time.Minute), Code: c, Items: []pickup.Line{{Item: "masks", Qty: 1}}}
	if out, err := s.IngestFacts(ctx, store.SourcePeer, []pickup.Event{ev}); err != nil || out.New != 1 {
		t.Fatalf("ingest: %+v %v", out, err)
	}
	s.Close()
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
