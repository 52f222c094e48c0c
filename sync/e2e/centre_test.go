package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
)

// The centre as one, through the registry: counter A receives the
// centre's shipment; after a sync round counter B shows the same stock,
// is told the shipment was already received (by A), and can hand over
// gloves; A then shows B's handover in its stock too.
func TestCentreStockThroughRegistry(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 2, 60)
	var sh struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(reg.must(t, "--json", "ship", "--centre", "namur", "--item", "gloves", "--size", "M", "--qty", "500")), &sh); err != nil || sh.ID == "" {
		t.Fatalf("ship: %q, %v", sh.ID, err)
	}
	a := enrol(t, reg, reg.URL(), "namur", "A")
	b := enrol(t, reg, reg.URL(), "namur", "B")
	a.mustSync(t)
	a.must(t, "stock", "receive", "--shipment", sh.ID)
	a.mustSync(t)
	b.mustSync(t)
	if got, want := b.status(t).Stock["gloves-M"], a.status(t).Stock["gloves-M"]; got != 500 || want != 500 {
		t.Fatalf("gloves M: B %d, A %d; want 500 at both", got, want)
	}
	res := b.cli(t, "stock", "receive", "--shipment", sh.ID)
	if res.code == 0 || !strings.Contains(res.stdout+res.stderr, "already received at counter "+a.id) {
		t.Errorf("B receiving the shipment again: %s; want refused, naming counter %s", res, a.id)
	}
	code := withGloves(t, reg.openCodes(t, "namur"))[0]
	h := b.handover(t, code)
	left := 500 - itemsOf([]handed{h})["gloves/M"]
	if v := a.lookup(t, code); v.Verdict != "ok" {
		t.Fatalf("A before syncing: %s", v.Verdict) // the registry has not heard of it yet
	}
	b.mustSync(t)
	a.mustSync(t)
	if v := a.lookup(t, code); v.Verdict != "already_collected" || len(v.Collected) != 1 || v.Collected[0].TerminalID != b.id {
		t.Errorf("A after B's handover and a sync: %s %+v; want already_collected at B", v.Verdict, v.Collected)
	}
	sa, sb := a.status(t).Stock, b.status(t).Stock
	if sa["gloves-M"] != left || sb["gloves-M"] != left || left == 500 {
		t.Errorf("gloves M after B's handover: A %d, B %d; want %d at both", sa["gloves-M"], sb["gloves-M"], left)
	}
	for k, v := range sb {
		if sa[k] != v {
			t.Errorf("stock %s: A %d, B %d", k, sa[k], v)
		}
	}
	if cr := reg.report(t).centre("namur"); cr.Handovers != 1 || cr.DoubleHandovers != 0 {
		t.Errorf("registry: %d handovers, %d double; want 1, 0", cr.Handovers, cr.DoubleHandovers)
	}
}

// withGloves returns the codes whose parcels hold gloves, as the pickup's
// campaign (a built-in one: the demo's) defines its parcel kind.
func withGloves(t testing.TB, ps []pickup.Pickup) []pickup.Code {
	t.Helper()
	camps, err := pickup.BuiltinCampaigns()
	if err != nil {
		t.Fatal(err)
	}
	var out []pickup.Code
	for _, p := range ps {
		i := slices.IndexFunc(camps, func(c *pickup.Campaign) bool {
			return c.ID == p.CampaignID || p.CampaignID == "" && c.ID == pickup.DefaultCampaignID
		})
		if i >= 0 && slices.Contains(camps[i].SizedItems(p.ParcelKind), "gloves") {
			out = append(out, p.Code)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no open code of a parcel with gloves among %d", len(ps))
	}
	return out
}
