package counter

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
)

// The whole flow for a parcel with gloves, size chosen by key: lookup,
// size, confirm, then undo; each step checked against what the store
// recorded.
func TestGlovesByKeyThenUndo(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	code := f.sample(pickup.VerdictOK)
	before := f.status()
	stockM := f.stock("gloves-M")

	f.scan(code)
	if got := f.ui.model.Phase(); got != PhaseOK {
		t.Fatalf("phase after Enter = %v, want ok", got)
	}
	if got, want := f.title(), i18n.For("en").T("verdict.ok.title"); got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got := f.ui.entry.Text; got != "" {
		t.Errorf("scan field after Enter = %q, want empty", got)
	}
	if len(f.ui.sizeButtons) != 4 {
		t.Fatalf("size buttons = %d, want 4", len(f.ui.sizeButtons))
	}
	if got := f.ui.buttons["confirm"].Disabled(); !got {
		t.Errorf("confirm enabled before a size is chosen")
	}

	// Enter without a size records nothing and asks for one.
	f.key(fyne.KeyReturn)
	if got := f.status().HandedOverToday; got != before.HandedOverToday {
		t.Fatalf("handed over today = %d after Enter without size, want %d", got, before.HandedOverToday)
	}
	if got := richText(f.ui.notice); !strings.Contains(got, "Choose a glove size") {
		t.Errorf("notice = %q, want it to ask for a size", got)
	}

	f.typeText("2") // M
	if got := f.ui.model.Chosen(); got != "M" {
		t.Fatalf("chosen after key 2 = %q, want M", got)
	}
	if f.ui.buttons["confirm"].Disabled() {
		t.Errorf("confirm disabled after a size is chosen")
	}
	f.key(fyne.KeyReturn)
	if got := f.ui.model.Phase(); got != PhaseHanded {
		t.Fatalf("phase after confirm = %v, want handed (notice %q)", got, richText(f.ui.notice))
	}
	after := f.status()
	if got, want := after.HandedOverToday, before.HandedOverToday+1; got != want {
		t.Errorf("handed over today = %d, want %d", got, want)
	}
	if got, want := f.stock("gloves-M"), stockM-500; got != want {
		t.Errorf("gloves M = %d, want %d", got, want)
	}
	hs := f.handovers()
	if hs[0].Code != code || hs[0].GloveSize != "M" || hs[0].Undone {
		t.Errorf("latest handover = %+v, want %s size M not undone", hs[0], code)
	}
	if !f.ui.buttons["undo"].Visible() || f.ui.buttons["undo"].Disabled() {
		t.Errorf("undo button not live after handover")
	}
	if f.win.Canvas().Focused() != f.ui.entry {
		t.Errorf("focus is not in the scan field after handover")
	}

	f.shortcut(&fyne.ShortcutUndo{})
	if got := f.ui.model.Phase(); got != PhaseUndone {
		t.Fatalf("phase after Ctrl+Z = %v, want undone (notice %q)", got, richText(f.ui.notice))
	}
	if got := f.status().HandedOverToday; got != before.HandedOverToday {
		t.Errorf("handed over today after undo = %d, want %d", got, before.HandedOverToday)
	}
	if got := f.stock("gloves-M"); got != stockM {
		t.Errorf("gloves M after undo = %d, want %d", got, stockM)
	}
	if hs := f.handovers(); !hs[0].Undone {
		t.Errorf("latest handover after undo = %+v, want undone", hs[0])
	}
	// The code is free again: a new scan says ok.
	f.scan(code)
	if got := f.ui.model.Phase(); got != PhaseOK {
		t.Errorf("phase of the code after undo = %v, want ok", got)
	}
}

// Size by tap, confirm by tap, undo by tap.
func TestGlovesByTap(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	code := f.sample(pickup.VerdictOK)
	stockL := f.stock("gloves-L")

	f.scan(code)
	test.Tap(f.ui.sizeButtons["L"].btn)
	if got := f.ui.model.Chosen(); got != "L" {
		t.Fatalf("chosen after tap = %q, want L", got)
	}
	if f.win.Canvas().Focused() != f.ui.entry {
		t.Errorf("focus left the scan field after tapping a size")
	}
	f.press("confirm")
	if got := f.ui.model.Phase(); got != PhaseHanded {
		t.Fatalf("phase after tapping confirm = %v, want handed", got)
	}
	if got, want := f.stock("gloves-L"), stockL-500; got != want {
		t.Errorf("gloves L = %d, want %d", got, want)
	}
	if hs := f.handovers(); hs[0].GloveSize != "L" {
		t.Errorf("latest handover size = %q, want L", hs[0].GloveSize)
	}
	f.press("undo")
	if got := f.stock("gloves-L"); got != stockL {
		t.Errorf("gloves L after undo = %d, want %d", got, stockL)
	}
}

// Masks only: Enter looks up, Enter alone confirms.
func TestMasksOnlyEnterConfirms(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	masks := f.stock("masks")
	before := f.status().HandedOverToday

	f.scan(f.demo.Samples["ok_masks_only"])
	if got := f.ui.model.Phase(); got != PhaseOK {
		t.Fatalf("phase = %v, want ok", got)
	}
	if f.ui.sizesBox.Visible() {
		t.Errorf("size buttons shown for a masks-only parcel")
	}
	f.key(fyne.KeyReturn)
	if got := f.ui.model.Phase(); got != PhaseHanded {
		t.Fatalf("phase after Enter = %v, want handed", got)
	}
	if got, want := f.stock("masks"), masks-500; got != want {
		t.Errorf("masks = %d, want %d", got, want)
	}
	if got := f.status().HandedOverToday; got != before+1 {
		t.Errorf("handed over today = %d, want %d", got, before+1)
	}
	// A second Enter on the empty field records nothing more.
	f.key(fyne.KeyReturn)
	if got := f.status().HandedOverToday; got != before+1 {
		t.Errorf("handed over today after a second Enter = %d, want %d", got, before+1)
	}
}

// Each refusal shows the catalogue's words and records nothing.
func TestRefusals(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	en := i18n.For("en")
	wrong := store.DemoCentres
	tests := []struct {
		kind     pickup.VerdictKind
		tone     Tone
		contains []string // in the detail lines
	}{
		{pickup.VerdictAlreadyCollected, ToneStop, []string{"counter-2"}},
		{pickup.VerdictNotYetOpen, ToneStop, []string{en.Date(2020, time.November, 23)}},
		{pickup.VerdictWindowClosed, ToneStop, []string{en.Date(2020, time.November, 18)}},
		{pickup.VerdictWrongCentre, ToneStop, []string{"Address:", "Opening hours:"}},
		{pickup.VerdictCancelled, ToneStop, nil},
		{pickup.VerdictUnknownCode, ToneWarn, nil},
		{pickup.VerdictInvalidCode, ToneWarn, []string{"check character"}},
	}
	before := f.status()
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			f.scan(f.sample(tt.kind))
			v := f.ui.model.View()
			if v.Phase != PhaseRefused || f.ui.model.Verdict().Kind != tt.kind {
				t.Fatalf("phase, verdict = %v, %s; want refused, %s", v.Phase, f.ui.model.Verdict().Kind, tt.kind)
			}
			if got, want := f.title(), en.T("verdict."+string(tt.kind)+".title"); got != want {
				t.Errorf("title = %q, want %q", got, want)
			}
			if v.Tone != tt.tone {
				t.Errorf("tone = %v, want %v", v.Tone, tt.tone)
			}
			if got := richText(f.ui.next); !strings.Contains(got, en.T("verdict." + string(tt.kind) + ".next")[:10]) {
				t.Errorf("next step = %q, want the catalogue's", got)
			}
			lines := richText(f.ui.lines)
			for _, s := range tt.contains {
				if !strings.Contains(lines, s) {
					t.Errorf("detail %q does not contain %q", lines, s)
				}
			}
			if f.ui.buttons["confirm"].Visible() {
				t.Errorf("confirm shown for %s", tt.kind)
			}
			// Enter on the empty field after a refusal hands nothing over.
			f.key(fyne.KeyReturn)
		})
	}
	if got := f.status(); got.HandedOverToday != before.HandedOverToday || got.PendingUpload != before.PendingUpload {
		t.Errorf("after refusals: today %d, pending %d; want %d, %d (nothing recorded)",
			got.HandedOverToday, got.PendingUpload, before.HandedOverToday, before.PendingUpload)
	}
	// The wrong centre's name is one of the directory's other centres.
	f.scan(f.sample(pickup.VerdictWrongCentre))
	found := false
	for _, c := range wrong[1:] {
		found = found || strings.Contains(richText(f.ui.lines), c.Name)
	}
	if !found {
		t.Errorf("wrong-centre detail %q names no centre of the directory", richText(f.ui.lines))
	}
}

// A size with too little stock is disabled, and a size that ran out
// between the lookup and Enter is refused with the sizes left.
func TestOutOfStock(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	if _, err := f.st.CountStock(f.ctx, "gloves", "XL", 100, "test"); err != nil {
		t.Fatal(err)
	}
	f.scan(f.sample(pickup.VerdictOK))
	if !f.ui.sizeButtons["XL"].btn.Disabled() {
		t.Errorf("XL (100 left, 500 needed) is enabled")
	}
	f.typeText("4")
	if got := f.ui.model.Chosen(); got != "" {
		t.Errorf("key 4 chose %q, want nothing (no stock)", got)
	}
	if got := richText(f.ui.notice); !strings.Contains(got, "XL") {
		t.Errorf("notice = %q, want it to name XL", got)
	}
	f.key(fyne.KeyReturn) // no size chosen: nothing recorded

	// The technician counts L down to nothing from the command line while
	// the volunteer has chosen L.
	f.typeText("3")
	other := f.otherProcess()
	if _, err := other.CountStock(f.ctx, "gloves", "L", 0, "broken box"); err != nil {
		t.Fatal(err)
	}
	before := f.status().HandedOverToday
	f.key(fyne.KeyReturn)
	if got := f.ui.model.Phase(); got != PhaseOK {
		t.Fatalf("phase after out-of-stock confirm = %v, want ok (still waiting)", got)
	}
	if got := f.status().HandedOverToday; got != before {
		t.Errorf("handed over today = %d, want %d (nothing recorded)", got, before)
	}
	notice := richText(f.ui.notice)
	for _, want := range []string{"size L", "S (20,000)", "M (60,000)"} {
		if !strings.Contains(notice, want) {
			t.Errorf("notice %q does not contain %q", notice, want)
		}
	}
	if !f.ui.sizeButtons["L"].btn.Disabled() {
		t.Errorf("L still enabled after it ran out")
	}
}

// A scanner typing a code that starts with a digit while sizes wait: the
// digit first chooses a size, then goes back in front of the code.
func TestScannerDigitsAreNotLost(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.scan(f.sample(pickup.VerdictOK))
	next := f.sample(pickup.VerdictAlreadyCollected)
	f.typeText("2" + next[1:])
	if got := f.ui.model.Chosen(); got != "" {
		t.Errorf("chosen = %q after a code was typed, want none", got)
	}
	if got, want := f.ui.entry.Text, "2"+next[1:]; got != want {
		t.Errorf("scan field = %q, want %q", got, want)
	}
	f.key(fyne.KeyReturn)
	if got := f.ui.model.Phase(); got == PhaseHanded {
		t.Errorf("a scanned code confirmed the parcel on screen")
	}

	// A person presses 1, then, seconds later, scans the next code
	// instead of confirming: the 1 was a size, not part of the code.
	f.scan(f.sample(pickup.VerdictOK))
	f.typeText("1")
	f.clock.Add(2 * time.Second)
	f.scan(f.sample(pickup.VerdictWrongCentre))
	if got := f.ui.model.Verdict().Kind; got != pickup.VerdictWrongCentre {
		t.Errorf("verdict = %s (input %q), want wrong_centre", got, f.ui.model.Input())
	}
	if got := f.status().HandedOverToday; got != 10 {
		t.Errorf("handed over today = %d, want 10 (nothing recorded)", got)
	}
}

// Escape clears and returns to the scan field from anywhere.
func TestEscape(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.scan(f.sample(pickup.VerdictOK))
	f.typeText("1")
	f.key(fyne.KeyEscape)
	if got := f.ui.model.Phase(); got != PhaseIdle {
		t.Errorf("phase after Escape = %v, want idle", got)
	}
	if got := f.title(); got != i18n.For("en").T("ui.idle.title") {
		t.Errorf("title after Escape = %q", got)
	}
	// From the Today panel with half a code typed.
	f.openManager()
	if !f.ui.today.obj.Visible() {
		t.Fatalf("the manager screen did not open on the Today panel")
	}
	f.focusScan()
	f.typeText("ABC")
	f.key(fyne.KeyEscape)
	if f.ui.today.obj.Visible() || f.ui.entry.Text != "" {
		t.Errorf("after Escape: today visible %v, field %q; want counter, empty", f.ui.today.obj.Visible(), f.ui.entry.Text)
	}
	// From the conflicts dialog, with nothing focused.
	f.key(fyne.KeyF9)
	if f.ui.dialog == nil {
		t.Fatalf("F9 did not open the conflicts list")
	}
	f.win.Canvas().Unfocus()
	f.canvasKey(fyne.KeyEscape)
	if f.ui.dialog != nil {
		t.Errorf("Escape did not close the conflicts list")
	}
	if f.win.Canvas().Focused() != f.ui.entry {
		t.Errorf("focus not back in the scan field after Escape")
	}
}

// Characters typed while nothing has the focus still reach the scan field.
func TestScannerNeverLosesInput(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.win.Canvas().Unfocus()
	test.TypeOnCanvas(f.win.Canvas(), f.sample(pickup.VerdictOK))
	f.key(fyne.KeyReturn)
	if got := f.ui.model.Phase(); got != PhaseOK {
		t.Errorf("phase = %v, want ok", got)
	}
}

// The language switches in one tap, is remembered, and dates follow it.
func TestLanguageSwitch(t *testing.T) {
	f := newFixture(t, setup{demo: true, opt: func(o *Options) { o.Lang = "" }})
	f.scan(f.sample(pickup.VerdictNotYetOpen))
	tests := []struct {
		lang, title, month string
	}{
		{"fr", "Pas encore ouvert", "novembre"},
		{"nl", "Nog niet open", "november"},
		{"de", "Noch nicht geöffnet", "November"},
		{"en", "Not open yet", "November"},
	}
	for _, tt := range tests {
		f.press("lang." + tt.lang)
		if got := f.title(); got != i18n.For(tt.lang).T("verdict.not_yet_open.title") {
			t.Errorf("%s: title = %q", tt.lang, got)
		}
		if got := richText(f.ui.lines); !strings.Contains(got, tt.month) {
			t.Errorf("%s: detail %q does not contain %q", tt.lang, got, tt.month)
		}
		if got, _ := f.st.Setting(f.ctx, store.KeyLang); got != tt.lang {
			t.Errorf("%s: remembered language = %q", tt.lang, got)
		}
		if f.win.Canvas().Focused() != f.ui.entry {
			t.Errorf("%s: focus left the scan field", tt.lang)
		}
	}
	f.key(fyne.KeyF3)
	if got := f.ui.model.Lang(); got != "de" {
		t.Errorf("F3 chose %q, want de", got)
	}
	// A new window on the same store speaks the remembered language.
	w2 := test.NewWindow(nil)
	defer w2.Close()
	u2 := New(f.ctx, w2, Options{Store: f.st, Log: f.ui.log})
	if got := u2.model.Lang(); got != "de" {
		t.Errorf("new window language = %q, want the remembered de", got)
	}
}

// High contrast is a toggle and is remembered.
func TestHighContrast(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.press("contrast")
	if !f.ui.HighContrast() {
		t.Fatal("contrast toggle did nothing")
	}
	if got, _ := f.st.Setting(f.ctx, KeyHighContrast); got != "1" {
		t.Errorf("remembered contrast = %q, want 1", got)
	}
	if got := fyne.CurrentApp().Settings().Theme().Color("background", 0); got != contrastColors["background"] {
		t.Errorf("background = %v, want black", got)
	}
	f.key(fyne.KeyF8)
	if f.ui.HighContrast() {
		t.Errorf("F8 did not switch contrast off")
	}
}

// The undo window closes: the button goes grey and the store is untouched.
func TestUndoWindowPasses(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.scan(f.demo.Samples["ok_masks_only"])
	f.key(fyne.KeyReturn)
	count := f.status().HandedOverToday
	f.clock.Add(store.DefaultUndoWindow + time.Second)
	f.ui.tick()
	if !f.ui.buttons["undo"].Disabled() {
		t.Errorf("undo enabled after the undo window")
	}
	f.shortcut(&fyne.ShortcutUndo{})
	if got := f.ui.model.Phase(); got != PhaseHanded {
		t.Errorf("phase = %v, want still handed", got)
	}
	if got := f.status().HandedOverToday; got != count {
		t.Errorf("handed over today = %d, want %d", got, count)
	}
	if got := richText(f.ui.notice); !strings.Contains(got, "call the centre manager") {
		t.Errorf("notice = %q", got)
	}
}

// What the command line changes shows in the window after a refresh.
func TestRefreshShowsOtherProcess(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.scan(f.sample(pickup.VerdictOK))
	if f.ui.sizeButtons["XL"].btn.Disabled() {
		t.Fatalf("XL disabled with 500 in stock")
	}
	other := f.otherProcess()
	if _, err := other.CountStock(f.ctx, "gloves", "XL", 0, "count"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Handover(f.ctx, store.HandoverRequest{Input: f.demo.Samples["ok_masks_only"]}); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	if !f.ui.sizeButtons["XL"].btn.Disabled() {
		t.Errorf("XL enabled after the CLI counted it to zero")
	}
	if got, want := f.ui.summary.Text, "Today: 11 handed over"; got != want {
		t.Errorf("status summary = %q, want prefix %q", got, want)
	}
	if got := f.ui.pending.Text; !strings.HasSuffix(got, ": "+itoaT(f.status().PendingUpload)) {
		t.Errorf("pending = %q, want %d", got, f.status().PendingUpload)
	}
}

func itoaT(n int) string { return i18n.For("en").Number(n) }

// The status bar says honestly that there is no registry, or what sync
// reports when one is set up.
type fakeSync struct {
	online bool
	err    client.Failure
}

func (s fakeSync) Online() bool                { return s.online }
func (s fakeSync) LastFailure() client.Failure { return s.err }

func TestStatusBarSync(t *testing.T) {
	tests := []struct {
		name     string
		registry string
		sync     SyncState
		want     string
	}{
		{"no registry", "", nil, "No registry connected"},
		{"registry, no sync", "https://registry.example", nil, "Registry set up, sync not running"},
		{"online", "https://registry.example", fakeSync{online: true}, "Online"},
		{"offline", "https://registry.example", fakeSync{err: client.Failure{Kind: client.FailureUnreachable}}, "Offline: never synced"},
		{"revoked", "https://registry.example", fakeSync{online: true, err: client.Failure{Kind: client.FailureEnrolAgain, Code: "terminal_revoked"}}, "Revoked at the registry: enrol again"},
		{"busy", "https://registry.example", fakeSync{online: true, err: client.Failure{Kind: client.FailureBusy}}, "Registry busy: retrying"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{demo: true, opt: func(o *Options) { o.Sync = tt.sync }})
			if err := f.st.SetSetting(f.ctx, KeyRegistryURL, tt.registry); err != nil {
				t.Fatal(err)
			}
			f.ui.Refresh(f.ctx)
			if got := f.ui.online.Text; got != tt.want {
				t.Errorf("status = %q, want %q", got, tt.want)
			}
			if got := f.ui.lastSync.Text; got != "Last sync: never" {
				t.Errorf("last sync = %q", got)
			}
		})
	}
}

// Conflicts: the status bar counts them and the button opens their list.
func TestConflictsList(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	// The demo's other counter handed this code over; record it here too,
	// as two counters out of touch would.
	code := f.sample(pickup.VerdictAlreadyCollected)
	c, err := pickup.ParseCode(code)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.st.ApplyPage(f.ctx, &store.Page{CentreID: f.status().Identity.Centre.ID, Cursor: 1, Redemptions: []store.Redemption{{Code: c,
		Collection: pickup.Collection{EventID: "00000000-0000-4000-8000-000000000001", TerminalID: "t-x", CentreID: "bru-centre", At: time.Date(2020, 11, 20, 9, 0, 0, 0, time.UTC), GloveSize: "S"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	if got := f.ui.buttons["conflicts"].Text; got != "Conflicts: 1" {
		t.Errorf("conflicts button = %q", got)
	}
	f.press("conflicts")
	if f.ui.dialog == nil {
		t.Fatal("conflicts list did not open")
	}
	if got := f.markup(); !strings.Contains(got, code) {
		t.Errorf("conflicts list does not show %s", code)
	}
}

// The Today panel lists the day's handovers and the stock.
func TestTodayPanel(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.scan(f.demo.Samples["ok_masks_only"])
	f.key(fyne.KeyReturn)
	f.openManager()
	if !f.ui.today.obj.Visible() {
		t.Fatal("Today panel hidden")
	}
	if got, want := len(f.ui.today.rows.Objects), f.status().HandedOverToday; got != want {
		t.Errorf("rows = %d, want %d", got, want)
	}
	markup := f.markup()
	name := f.handovers()[0].Name
	for _, want := range []string{name, "Gloves XL", "500", "149,500"} {
		if !strings.Contains(markup, want) {
			t.Errorf("Today panel does not show %q", want)
		}
	}
	// A scan goes back to the counter.
	f.focusScan()
	f.scan(f.sample(pickup.VerdictOK))
	if f.ui.today.obj.Visible() {
		t.Errorf("Today panel still shown after a scan")
	}
}

// A terminal with no data shows what to do, and the demo button sets it up.
func TestFirstRun(t *testing.T) {
	f := newFixture(t, setup{})
	if !f.ui.setup.obj.Visible() || f.ui.counterView.Visible() {
		t.Fatal("first-run screen not shown on an empty terminal")
	}
	if got := f.ui.setup.enrolCmd.Text; !strings.Contains(got, "enrol --registry URL --code CODE") || !strings.Contains(got, f.dir) {
		t.Errorf("enrol command = %q", got)
	}
	test.Tap(f.ui.setup.demo)
	if _, err := f.st.Identity(f.ctx); err != nil {
		t.Fatalf("Identity after demo: %v", err)
	}
	if f.ui.setup.obj.Visible() || !f.ui.counterView.Visible() {
		t.Errorf("counter not shown after the demo started")
	}
	if f.status().Expected == 0 {
		t.Errorf("demo made no pickups")
	}
	if f.win.Canvas().Focused() != f.ui.entry {
		t.Errorf("focus not in the scan field after the demo started")
	}
}

// A terminal set up from the command line leaves the first-run screen.
func TestFirstRunThenCLIInit(t *testing.T) {
	f := newFixture(t, setup{})
	other, err := store.Open(f.ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Init(f.ctx, store.InitOptions{CentreID: "gent", CentreName: "Rode Kruis Gent"}); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	if !f.ui.counterView.Visible() {
		t.Fatal("counter not shown after init")
	}
	if got := f.ui.header.Text; !strings.HasPrefix(got, "Rode Kruis Gent") {
		t.Errorf("header = %q", got)
	}
}

// The window fits at 1024×768: the verdict, the sizes and the confirm
// button are all on screen.
func TestFitsSmallScreen(t *testing.T) {
	f := newFixture(t, setup{demo: true, size: fyne.NewSize(1024, 768)})
	for _, lang := range i18n.Languages {
		f.ui.SetLang(lang)
		f.scan(f.sample(pickup.VerdictOK))
		f.typeText("2")
		f.win.Resize(fyne.NewSize(1024, 768))
		confirm := f.ui.buttons["confirm"]
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(confirm)
		if bottom := pos.Y + confirm.Size().Height; bottom > 768 || pos.X+confirm.Size().Width > 1024 {
			t.Errorf("%s: confirm button ends at %v, outside 1024×768", lang, pos.Add(confirm.Size()))
		}
		for size, b := range f.ui.sizeButtons {
			p := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.obj)
			if p.Y+b.obj.Size().Height > 768 {
				t.Errorf("%s: size %s ends at y=%v, outside 768", lang, size, p.Y+b.obj.Size().Height)
			}
		}
		if f.ui.title.MinSize().Width > 1024 {
			t.Errorf("%s: title wider than the screen", lang)
		}
	}
}

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

// Every store error code has the window's own words, in every language.
func TestStoreErrorTexts(t *testing.T) {
	t.Parallel()
	for _, lang := range i18n.Languages {
		tr := i18n.For(lang)
		other := tr.T("ui.error.other")
		seen := map[string]store.Code{}
		for _, code := range store.Codes {
			if !tr.Has("ui.error." + string(code)) {
				t.Errorf("%s: no window text for %s", lang, code)
				continue
			}
			got := errorHint(tr, fmt.Errorf("hand over: %w", &store.Error{Code: code, Msg: "x"}))
			if got == other || got == "" {
				t.Errorf("%s: %s shown as %q", lang, code, got)
			}
			if prev, dup := seen[got]; dup {
				t.Errorf("%s: %s and %s read the same: %q", lang, prev, code, got)
			}
			seen[got] = code
		}
		if got := errorHint(tr, fmt.Errorf("disk exploded")); got != other {
			t.Errorf("%s: a plain error shown as %q, want the general text", lang, got)
		}
	}
}

// The status bar says when the registry recommends a newer version than
// this one, and nothing when this one is as new or none is recommended.
func TestStatusBarRecommendedVersion(t *testing.T) {
	old := buildinfo.Version
	t.Cleanup(func() { buildinfo.Version = old })
	buildinfo.Version = "0.1.0"
	for _, tt := range []struct {
		recommended, want string
	}{
		{"", "Last sync: never"},
		{"0.1.0", "Last sync: never"},
		{"0.0.9", "Last sync: never"},
		{"0.2.0", "Last sync: never · Version 0.2.0 is recommended (this is 0.1.0)"},
	} {
		f := newFixture(t, setup{demo: true})
		if err := f.st.SetSetting(f.ctx, client.KeyRecommendedVersion, tt.recommended); err != nil {
			t.Fatal(err)
		}
		f.ui.Refresh(f.ctx)
		if got := f.ui.lastSync.Text; got != tt.want {
			t.Errorf("recommended %q: status bar %q, want %q", tt.recommended, got, tt.want)
		}
	}
}

func TestWindowSize(t *testing.T) {
	tests := []struct {
		name         string
		screen, work fyne.Size
		want         fyne.Size
		full         bool
	}{
		{"unknown", fyne.Size{}, fyne.Size{}, UnknownScreenSize, false},
		{"1024x768", fyne.NewSize(1024, 768), fyne.NewSize(1024, 740), fyne.NewSize(1024, 768), true},
		{"800x600", fyne.NewSize(800, 600), fyne.NewSize(800, 600), fyne.NewSize(800, 600), true},
		{"1280x800 with a panel", fyne.NewSize(1280, 800), fyne.NewSize(1280, 772), fyne.NewSize(1280, 732), false},
		{"1366x768", fyne.NewSize(1366, 768), fyne.NewSize(1366, 740), fyne.NewSize(1366, 768), true},
		{"1920x1080", fyne.NewSize(1920, 1080), fyne.NewSize(1920, 1050), PreferredSize, false},
		{"no work area", fyne.NewSize(1920, 1080), fyne.Size{}, PreferredSize, false},
	}
	for _, tt := range tests {
		size, full := WindowSize(tt.screen, tt.work)
		if size != tt.want || full != tt.full {
			t.Errorf("%s: WindowSize(%v, %v) = %v, %v; want %v, %v", tt.name, tt.screen, tt.work, size, full, tt.want, tt.full)
		}
	}
}
