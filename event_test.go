package pickup

import (
	"testing"
	"time"
)

// Stock facts: a reception of nothing is only a shipment line that did not
// come, said why; a loss needs a reason; a count may be 0.
func TestValidateStockFacts(t *testing.T) {
	t.Parallel()
	base := Event{ID: "00000000-0000-4000-8000-000000000001", TerminalID: "t-1", CentreID: "c-1",
		At: time.Date(2020, 11, 20, 10, 0, 0, 0, time.UTC), Item: "masks"}
	tests := []struct {
		name   string
		typ    EventType
		qty    int
		reason string
		ref    string
		ok     bool
	}{
		{"reception", EventStockReceive, 50, "", "", true},
		{"reception of nothing", EventStockReceive, 0, "", "", false},
		{"shipment line that did not come", EventStockReceive, 0, "not delivered", "shipment s-1", true},
		{"shipment line of nothing, no reason", EventStockReceive, 0, "", "shipment s-1", false},
		{"nothing, reason but no shipment", EventStockReceive, 0, "lost", "delivery note 7", false},
		{"short shipment line", EventStockReceive, 90, "one box missing", "shipment s-1", true},
		{"count of zero", EventStockCount, 0, "weekly count", "", true},
		{"negative count", EventStockCount, -1, "x", "", false},
		{"loss", EventStockLoss, 20, "box damaged by water", "", true},
		{"loss without reason", EventStockLoss, 20, "", "", false},
		{"loss of nothing", EventStockLoss, 0, "nothing", "", false},
		{"huge loss", EventStockLoss, MaxQty + 1, "x", "", false},
	}
	for _, tt := range tests {
		e := base
		e.Type, e.Qty, e.Reason, e.Ref = tt.typ, tt.qty, tt.reason, tt.ref
		if got := e.Validate() == nil; got != tt.ok {
			t.Errorf("%s: valid = %v, want %v (%v)", tt.name, got, tt.ok, e.Validate())
		}
	}
}

func TestIsShipmentRef(t *testing.T) {
	t.Parallel()
	for ref, want := range map[string]bool{"shipment s-1": true, "shipment ": false, "shipments": false, "": false, "plan 2020-W47": false} {
		if got := IsShipmentRef(ref); got != want {
			t.Errorf("IsShipmentRef(%q) = %v, want %v", ref, got, want)
		}
	}
}
