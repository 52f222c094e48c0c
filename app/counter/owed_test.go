package counter

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

// glovesOut counts every glove size to zero, as a counter does when the
// last box went.
func (f *fixture) glovesOut() {
	f.t.Helper()
	for _, sz := range []string{"S", "M", "L", "XL"} {
		if _, err := f.st.CountStock(f.ctx, "gloves", sz, 0, "last box gone"); err != nil {
			f.t.Fatal(err)
		}
	}
	f.ui.Refresh(f.ctx)
}

// feed hands every fact of from to to, as the counters' peer service does.
func feed(t *testing.T, from, to *fixture) {
	t.Helper()
	evs, _, _, err := from.st.Feed(from.ctx, store.FeedCursor{}, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := to.st.IngestFacts(to.ctx, store.SourcePeer, evs); err != nil {
		t.Fatal(err)
	}
	to.ui.Refresh(to.ctx)
}

// Every glove size is out at counter A: the verdict says so, and one key
// hands over the rest with the gloves owed. At counter B of the same
// centre the next scan of the code says the gloves are owed; one size key
// and Enter hand them over, counted in B's stock; back at A the code is
// collected, nothing owed.
func TestOwedGlovesHandedOverAtAnotherCounter(t *testing.T) {
	en := i18n.For("en")
	a := newFixture(t, setup{demo: true})
	b := newFixture(t, setup{demo: true}) // the same demo centre and list, another counter
	a.glovesOut()
	code := a.sample(pickup.VerdictOK)
	masks := a.stock("masks")
	owedBefore := a.status().Owed

	a.scan(code)
	if got := a.ui.model.Phase(); got != PhaseOK {
		t.Fatalf("phase = %v, want ok", got)
	}
	if got, want := a.title(), en.T("verdict.ok.owed.title"); got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if v := a.ui.model.View(); len(v.Lines) == 0 || v.Lines[0] != en.T("verdict.ok.owed") || !v.CanConfirm || v.Confirm != en.T("ui.confirm.owe") {
		t.Errorf("view = %+v; want the all-out line and the confirm of the rest", v)
	}
	if v := a.ui.model.View(); len(v.Sizes) != 0 {
		t.Errorf("size buttons %+v shown with every size out", v.Sizes)
	}
	if a.ui.buttons["confirm"].Disabled() {
		t.Error("confirm disabled: the volunteer is stuck")
	}
	a.key(fyne.KeyReturn) // the one key
	if got := a.ui.model.Phase(); got != PhaseHanded {
		t.Fatalf("phase after Enter = %v (notice %q), want handed", got, richText(a.ui.notice))
	}
	if v := a.ui.model.View(); !strings.Contains(strings.Join(v.Lines, "\n"), en.T("ui.handed.owed")) {
		t.Errorf("handed view lines %q do not say the gloves are owed", v.Lines)
	}
	st := a.status()
	if st.Owed != owedBefore+1 || st.StockMap()["masks"] >= masks {
		t.Errorf("after the handover: owed %d (was %d), masks %d (was %d)", st.Owed, owedBefore, st.StockMap()["masks"], masks)
	}
	for _, sz := range []string{"S", "M", "L", "XL"} {
		if n := st.StockMap()["gloves-"+sz]; n != 0 {
			t.Errorf("gloves %s = %d, want 0 (none handed over)", sz, n)
		}
	}
	if hs := a.handovers(); hs[0].Code != code || hs[0].GloveSize != "" {
		t.Errorf("latest handover = %+v, want %s without a size", hs[0], code)
	}

	// Counter B learns of it (peers on the LAN: the counts too), stock
	// comes, and B scans the code.
	feed(t, a, b)
	b.clock.Add(time.Hour)
	if _, err := b.st.ReceiveStock(b.ctx, "gloves", "L", 2000, "delivery"); err != nil {
		t.Fatal(err)
	}
	gloves := b.stock("gloves-L")
	b.scan(code)
	if got, want := b.title(), en.T("ui.owed.title"); got != want {
		t.Fatalf("B: title = %q, want %q", got, want)
	}
	if !b.ui.buttons["confirm"].Disabled() {
		t.Error("B: confirm enabled before a size is chosen")
	}
	b.typeText("3") // L
	if got := b.ui.model.Chosen(); got != "L" {
		t.Fatalf("B: chosen %q, want L", got)
	}
	b.key(fyne.KeyReturn)
	if got := b.ui.model.Phase(); got != PhaseHanded {
		t.Fatalf("B: phase = %v (notice %q), want handed", got, richText(b.ui.notice))
	}
	if got, want := b.title(), en.T("owed.handed.title"); got != want {
		t.Errorf("B: title = %q, want %q", got, want)
	}
	if !b.ui.buttons["undo"].Hidden {
		t.Error("B: an owed handover offers an undo")
	}
	if got := b.stock("gloves-L"); got != gloves-500 {
		t.Errorf("B: gloves L = %d, want %d", got, gloves-500)
	}
	if st := b.status(); st.Owed != owedBefore || st.Conflicts != 0 {
		t.Errorf("B: owed %d conflicts %d; want %d, 0", st.Owed, st.Conflicts, owedBefore)
	}
	figs, err := b.st.Owed(b.ctx, start.Add(-24*time.Hour), start.Add(24*time.Hour))
	// (The demo holds one code owed gloves already, at its counter-2.)
	if err != nil || figs.Delivered != 1 || figs.Recorded != 2 || figs.Outstanding != 1 {
		t.Errorf("B: owed figures %+v, %v; want 2 recorded, 1 delivered, the demo's still owed", figs, err)
	}

	// Back at A: collected, nothing owed any more.
	feed(t, b, a)
	a.scan(code)
	if got := a.ui.model.Verdict().Kind; got != pickup.VerdictAlreadyCollected {
		t.Errorf("A: verdict %s after the owed handover at B, want already_collected", got)
	}
}
