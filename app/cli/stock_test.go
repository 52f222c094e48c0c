package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup/store"
)

// The command line does what the manager's window does: a shipment line
// received short with its reason, a loss, the movement history.
func TestStockLossHistoryShortShipment(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	ctx := context.Background()
	s, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := s.Identity(ctx)
	_, err = s.ApplyPage(ctx, &store.Page{DatasetID: "ds", CentreID: id.Centre.ID, Cursor: 1, Shipments: []store.SentShipment{
		{ID: "sh-1", Item: "masks", Qty: 500, SentAt: time.Now(), Seq: 1},
		{ID: "sh-2", Item: "gowns", Qty: 50, SentAt: time.Now(), Seq: 2}}})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
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
