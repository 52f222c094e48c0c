package cli

import (
	"regexp"
	"testing"
)

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
