package e2e

import (
	"bytes"
	"os"
	"path/filepath"
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
	if decodeJSON(t, reg.must(t, "--json", "ship", "--centre", "namur", "--item", "gloves", "--size", "M", "--qty", "500"), &sh); sh.ID == "" {
		t.Fatal("ship printed no id")
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
	if v := a.lookup(t, code); !v.collectedOnce(pickup.VerdictAlreadyCollected, b.id) {
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

// Gloves out in every size at counter A: the rest of the parcel goes, the
// gloves are owed. Stock comes to counter B, which learns of it through
// the registry: the next scan there says owed, and B hands the gloves
// over; the registry counts one handover and one owed handover, no
// double. Counter C, offline, learnt of A's handover from a USB bundle and
// hands the gloves over too: the registry answers conflict, reports a
// double owed handover, and the counters show the conflict.
func TestOwedGlovesAcrossCounters(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 2, requests: 60}, "namur/A", "namur/B", "namur/C")
	a, b, c := tms[0], tms[1], tms[2]
	code := withGloves(t, reg.openCodes(t, "namur"))[0]
	for _, sz := range []string{"S", "M", "L", "XL"} {
		if n := a.status(t).Stock["gloves-"+sz]; n != 0 {
			t.Fatalf("A has %d gloves %s; the test wants none", n, sz)
		}
	}
	// Without --owe the parcel is refused for its size, as before.
	if res := a.cli(t, "handover", string(code)); res.code != 1 {
		t.Errorf("handover without a size or --owe: %s; want refused", res)
	}
	h := a.handoverArgs(t, "--owe", string(code))
	if len(h.Owed) != 1 || h.Owed[0].Item != "gloves" {
		t.Fatalf("A: handover owes %v, want the gloves", h.Owed)
	}
	for _, l := range h.Items {
		if l.Item == "gloves" {
			t.Errorf("A: gloves handed over (%v) though every size is out", h.Items)
		}
	}
	a.mustSync(t)

	// C has no link: A's facts reach it by USB stick.
	pull := filepath.Join(t.TempDir(), "pull.bundle")
	reg.must(t, "bundle", "export", "--centre", "namur", pull)
	c.must(t, "bundle", "import", pull)
	if v := c.lookup(t, code); v.Verdict != string(pickup.VerdictOwed) {
		t.Fatalf("C after the bundle: %s, want owed", v.Verdict)
	}

	// B, through the registry.
	b.mustSync(t)
	if v := b.lookup(t, code); !v.collectedOnce(pickup.VerdictOwed, a.id) {
		t.Fatalf("B: %s %+v, want owed, handed over at A", v.Verdict, v.Collected)
	}
	b.receive(t, "gloves", "L", 2000)
	d := b.handoverArgs(t, "--glove-size", "L", string(code))
	if !d.OwedHandover || len(d.Items) != 1 || d.Items[0].Size != "L" {
		t.Fatalf("B: owed handover %+v, want the gloves in L", d)
	}
	if got, want := b.status(t).Stock["gloves-L"], 2000-d.Items[0].Qty; got != want {
		t.Errorf("B: gloves L %d, want %d (the owed handover counts in stock)", got, want)
	}
	if v := b.lookup(t, code); v.Verdict != string(pickup.VerdictAlreadyCollected) {
		t.Errorf("B after the owed handover: %s, want already_collected", v.Verdict)
	}
	b.mustSync(t)
	if cr := reg.report(t).centre("namur"); cr.Handovers != 1 || cr.DoubleHandovers != 0 || cr.Owed != 1 || cr.OwedHandovers != 1 || cr.DoubleOwedHandovers != 0 || cr.StillOwed != 0 {
		t.Errorf("registry: handovers %d double %d owed %d owed handovers %d double owed %d still owed %d; want 1 0 1 1 0 0",
			cr.Handovers, cr.DoubleHandovers, cr.Owed, cr.OwedHandovers, cr.DoubleOwedHandovers, cr.StillOwed)
	}
	if st := b.status(t); st.Conflicts != 0 {
		t.Errorf("B: %d conflicts, want none", st.Conflicts)
	}

	// C, still unaware, hands them over too, then its link comes back.
	c.receive(t, "gloves", "M", 2000)
	c.handoverArgs(t, "--glove-size", "M", string(code))
	c.mustSync(t)
	if cr := reg.report(t).centre("namur"); cr.Handovers != 1 || cr.DoubleHandovers != 0 || cr.OwedHandovers != 1 || cr.DoubleOwedHandovers != 1 {
		t.Errorf("registry after C: handovers %d double %d owed handovers %d double owed %d; want 1 0 1 1", cr.Handovers, cr.DoubleHandovers, cr.OwedHandovers, cr.DoubleOwedHandovers)
	}
	if st := c.status(t); st.Conflicts != 1 {
		t.Errorf("C: %d conflicts, want the double owed handover", st.Conflicts)
	}
	b.mustSync(t)
	a.mustSync(t)
	for _, tm := range tms[:2] {
		if st := tm.status(t); st.Conflicts != 1 {
			t.Errorf("%s: %d conflicts, want the double owed handover", tm.name, st.Conflicts)
		}
	}
}

// A typed code of another centre answers wrong_centre with that centre's
// address at an enrolled counter, online and with the registry stopped;
// a moved code follows its new centre, a cancelled one stops resolving;
// the counter's files never hold another centre's code in clear.
func TestLocatorWrongCentreOffline(t *testing.T) {
	t.Parallel()
	reg, tms := setUp(t, demo{centres: 3, requests: 90}, "namur/A")
	a := tms[0]
	gent := reg.openCodes(t, "gent")
	if len(gent) < 3 {
		t.Fatalf("%d open codes at gent, want 3", len(gent))
	}
	stay, moved, cancelled := gent[0].Code, gent[1].Code, gent[2].Code
	want := func(when string, code pickup.Code, centre, address string) {
		t.Helper()
		v := a.lookup(t, code)
		if centre == "" {
			if v.Verdict != string(pickup.VerdictUnknownCode) {
				t.Errorf("%s: lookup of %s: %s, want unknown_code", when, code.Masked(), v.Verdict)
			}
			return
		}
		if v.Verdict != string(pickup.VerdictWrongCentre) || v.RightCentre == nil || v.RightCentre.ID != centre ||
			!strings.Contains(v.RightCentre.Address, address) || v.RightCentre.Hours == "" {
			t.Errorf("%s: lookup of %s: %s %+v; want wrong_centre at %s, %s, with hours", when, code.Masked(), v.Verdict, v.RightCentre, centre, address)
		}
	}
	want("online", stay, "gent", "Kortrijksesteenweg 788")
	// Typed with a typo of case and spaces, as a volunteer would.
	if v := a.lookupRaw(t, " "+strings.ToLower(string(stay))+" "); v.Verdict != string(pickup.VerdictWrongCentre) {
		t.Errorf("typed in lower case: %s, want wrong_centre", v.Verdict)
	}
	if res := a.cli(t, "--json", "handover", "--glove-size", "M", string(stay)); res.code == 0 || !strings.Contains(res.stdout, "wrong_centre") {
		t.Errorf("handover of another centre's code: %s; want refused as wrong_centre", res)
	}

	reg.must(t, "codes", "move", "--centre", "liege", string(moved))
	reg.must(t, "codes", "cancel", string(cancelled))
	a.mustSync(t)
	want("after the move", moved, "liege", "Boulevard d'Avroy 112")
	want("after the cancel", cancelled, "", "")

	reg.stop(t)
	want("offline", stay, "gent", "Kortrijksesteenweg 788")
	want("offline, moved", moved, "liege", "Boulevard d'Avroy 112")

	// The demo draws names from a small pool: a name a Namur professional
	// also carries is rightly in the file, so only gent-only names count.
	namur := map[string]bool{}
	res := reg.cli(t, "codes", "--centre", "namur")
	if err := pickup.ReadPickupCSV(strings.NewReader(res.stdout), func(_ int, p pickup.Pickup) error {
		namur[p.Name] = true
		return nil
	}); err != nil || len(namur) == 0 {
		t.Fatalf("codes --centre namur: %v (%d names)", err, len(namur))
	}
	var files []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(a.db() + suffix)
		if err != nil && suffix == "" {
			t.Fatal(err)
		}
		files = append(files, b...)
	}
	for _, p := range gent[:3] {
		if bytes.Contains(files, []byte(p.Code)) || (!namur[p.Name] && bytes.Contains(files, []byte(p.Name))) {
			t.Errorf("the terminal's database holds a code or name of gent in clear (%s)", p.Code.Masked())
		}
	}
}

// A counter that never synced over the network — enrolled, then fed only
// by the registry's pull bundles on a USB stick — answers wrong_centre
// with the right centre's address for another centre's code, and a code
// moved since follows its new centre with the next bundle.
func TestLocatorByBundleOnly(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 3, 90)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	reg.stop(t) // no link from here on; the registry's CLI works on its folder
	gent := reg.openCodes(t, "gent")
	if len(gent) < 2 {
		t.Fatalf("%d open codes at gent, want 2", len(gent))
	}
	stay, moved := gent[0].Code, gent[1].Code
	if v := a.lookup(t, stay); v.Verdict == string(pickup.VerdictWrongCentre) {
		t.Fatalf("before any bundle the counter already locates %s: %+v", stay.Masked(), v)
	}
	dir := t.TempDir()
	carry := func(name string) {
		t.Helper()
		path := filepath.Join(dir, name)
		reg.must(t, "bundle", "export", "--centre", "namur", path)
		a.must(t, "bundle", "import", path)
	}
	want := func(when string, code pickup.Code, centre, address string) {
		t.Helper()
		v := a.lookup(t, code)
		if v.Verdict != string(pickup.VerdictWrongCentre) || v.RightCentre == nil || v.RightCentre.ID != centre ||
			!strings.Contains(v.RightCentre.Address, address) || v.RightCentre.Hours == "" {
			t.Errorf("%s: lookup of %s: %s %+v; want wrong_centre at %s, %s, with hours", when, code.Masked(), v.Verdict, v.RightCentre, centre, address)
		}
	}
	carry("first.bundle")
	if st := a.status(t); st.Expected == 0 {
		t.Fatalf("the bundle brought no pickup of namur: %+v", st)
	}
	want("first bundle", stay, "gent", "Kortrijksesteenweg 788")
	want("first bundle", moved, "gent", "Kortrijksesteenweg 788")

	reg.must(t, "codes", "move", "--centre", "liege", string(moved))
	carry("second.bundle")
	want("second bundle, moved", moved, "liege", "Boulevard d'Avroy 112")
	want("second bundle", stay, "gent", "Kortrijksesteenweg 788")
}
