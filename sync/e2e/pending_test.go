package e2e

import (
	"encoding/json"
	"syscall"
	"testing"
)

// TestTerminalReportsPending: a counter's round tells the registry how
// many facts it still holds after its push (none once they are all
// acknowledged); the registry lists it with the terminal, and a terminal
// that has not synced yet has nothing reported.
func TestTerminalReportsPending(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 1, 30)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	b := enrol(t, reg, reg.URL(), "namur", "B")
	a.receive(t, "gloves", "M", 1000)
	a.mustSync(t)
	reg.stop(t, syscall.SIGTERM) // a graceful stop writes what serve noted
	var out struct {
		Terminals []struct {
			ID        string  `json:"id"`
			Pending   *int    `json:"pending"`
			PendingAt *string `json:"pending_at"`
		} `json:"terminals"`
	}
	if err := json.Unmarshal([]byte(reg.must(t, "--json", "terminal", "list")), &out); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, x := range out.Terminals {
		switch x.ID {
		case a.id:
			seen++
			if x.Pending == nil || *x.Pending != 0 || x.PendingAt == nil {
				t.Errorf("terminal A after a round that pushed everything: pending %v at %v, want 0", x.Pending, x.PendingAt)
			}
		case b.id:
			seen++
			if x.Pending != nil {
				t.Errorf("terminal B never synced, pending %d", *x.Pending)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("terminal list shows %d of the two terminals: %+v", seen, out)
	}
}
