package e2e

import (
	"path/filepath"
	"testing"

	"github.com/pickup-terminal/pickup"
)

// owedJSON is what `pickup handover --json` adds for owed gloves.
type owedJSON struct {
	handed
	Owed         []pickup.Line `json:"owed"`
	OwedHandover bool          `json:"owed_handover"`
}

func (tm *terminal) handoverOwed(t testing.TB, args ...string) owedJSON {
	t.Helper()
	var h owedJSON
	res := tm.cli(t, append([]string{"--json", "handover"}, args...)...)
	decodeJSON(t, res, &h)
	if res.code != 0 || !h.HandedOver || h.EventID == "" {
		t.Fatalf("terminal %s: handover %v: exit %d, verdict %s %s, not recorded", tm.name, args, res.code, h.Verdict, h.Error)
	}
	return h
}

// owedReport is the owed part of `pickup-registry report --json`.
type owedReport struct {
	Centres []struct {
		ID                  string `json:"id"`
		Handovers           int    `json:"handovers"`
		DoubleHandovers     int    `json:"double_handovers"`
		Owed                int    `json:"owed"`
		OwedHandovers       int    `json:"owed_handovers"`
		DoubleOwedHandovers int    `json:"double_owed_handovers"`
		StillOwed           int    `json:"still_owed"`
	} `json:"centres"`
}

func (r *registryProc) owedFigures(t testing.TB, centre string) (handovers, doubles, owed, owedHandovers, doubleOwed, stillOwed int) {
	t.Helper()
	var rep owedReport
	decodeJSON(t, r.cli(t, "report", "--json"), &rep)
	for _, c := range rep.Centres {
		if c.ID == centre {
			return c.Handovers, c.DoubleHandovers, c.Owed, c.OwedHandovers, c.DoubleOwedHandovers, c.StillOwed
		}
	}
	return
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
	reg := startDemo(t, 2, 60)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	b := enrol(t, reg, reg.URL(), "namur", "B")
	c := enrol(t, reg, reg.URL(), "namur", "C")
	for _, tm := range []*terminal{a, b, c} {
		tm.mustSync(t)
	}
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
	h := a.handoverOwed(t, "--owe", string(code))
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
	if v := b.lookup(t, code); v.Verdict != string(pickup.VerdictOwed) || len(v.Collected) != 1 || v.Collected[0].TerminalID != a.id {
		t.Fatalf("B: %s %+v, want owed, handed over at A", v.Verdict, v.Collected)
	}
	b.receive(t, "gloves", "L", 2000)
	d := b.handoverOwed(t, "--glove-size", "L", string(code))
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
	if hs, dh, ow, oh, do, still := reg.owedFigures(t, "namur"); hs != 1 || dh != 0 || ow != 1 || oh != 1 || do != 0 || still != 0 {
		t.Errorf("registry: handovers %d double %d owed %d owed handovers %d double owed %d still owed %d; want 1 0 1 1 0 0", hs, dh, ow, oh, do, still)
	}
	if st := b.status(t); st.Conflicts != 0 {
		t.Errorf("B: %d conflicts, want none", st.Conflicts)
	}

	// C, still unaware, hands them over too, then its link comes back.
	c.receive(t, "gloves", "M", 2000)
	c.handoverOwed(t, "--glove-size", "M", string(code))
	c.mustSync(t)
	if hs, dh, _, oh, do, _ := reg.owedFigures(t, "namur"); hs != 1 || dh != 0 || oh != 1 || do != 1 {
		t.Errorf("registry after C: handovers %d double %d owed handovers %d double owed %d; want 1 0 1 1", hs, dh, oh, do)
	}
	if st := c.status(t); st.Conflicts != 1 {
		t.Errorf("C: %d conflicts, want the double owed handover", st.Conflicts)
	}
	b.mustSync(t)
	a.mustSync(t)
	for _, tm := range []*terminal{a, b} {
		if st := tm.status(t); st.Conflicts != 1 {
			t.Errorf("%s: %d conflicts, want the double owed handover", tm.name, st.Conflicts)
		}
	}
}
