package counter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/scan"
	"github.com/pickup-terminal/pickup/internal/qrprint"
	"github.com/pickup-terminal/pickup/store"
)

// pickerHome makes a personal folder with Pictures/letters/code.png (the QR
// code of text), a text file and a hidden image, and points $HOME at it.
func pickerHome(t *testing.T, text string) string {
	home := t.TempDir()
	letters := filepath.Join(home, "Pictures", "letters")
	if err := os.MkdirAll(letters, 0o700); err != nil {
		t.Fatal(err)
	}
	png, err := qrprint.PNG(text, 400)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"code.png": png, "notes.txt": []byte("x"), ".hidden.png": png} {
		if err := os.WriteFile(filepath.Join(letters, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, "Pictures", "Photo.JPG"), []byte("not really"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	return home
}

// pickerButton is the picker's button labelled text.
func pickerButton(t testing.TB, p *filePicker, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(p.obj, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q in the picker (folder %s: %s)", text, p.dir, p.msg.Text)
	}
	return found
}

// The image picker speaks the counter's language, lists folders and
// images only, and reads the code of the image tapped into the counter.
func TestImagePicker(t *testing.T) {
	f := newFixture(t, setup{demo: true, size: fyne.NewSize(1024, 768), opt: func(o *Options) { o.Decode = scan.Decode }})
	code := f.sample(pickup.VerdictWrongCentre)
	home := pickerHome(t, code)
	f.ui.SetLang("nl")
	f.key(fyne.KeyF7)
	p := f.ui.picker
	if p == nil || f.ui.dialog == nil {
		t.Fatal("F7 did not open the image picker")
	}
	if got, want := p.dir, filepath.Join(home, "Pictures"); got != want {
		t.Errorf("picker opens on %s, want %s", got, want)
	}
	relayout(f)
	checkFits(t, f, "picker")
	markup := test.RenderToMarkup(f.win.Canvas())
	for _, want := range []string{"Afbeelding van een QR-code openen", "Map hoger", "Persoonlijke map", "Sluiten", "letters", "Photo.JPG"} {
		if !strings.Contains(markup, want) {
			t.Errorf("picker in Dutch lacks %q", want)
		}
	}
	for _, english := range []string{"Cancel", "Open", "Up one folder"} {
		if strings.Contains(markup, ">"+english+"<") {
			t.Errorf("picker in Dutch shows %q", english)
		}
	}
	test.Tap(pickerButton(t, p, "letters"))
	var names []string
	for _, e := range p.entries {
		names = append(names, e.name)
	}
	if got := strings.Join(names, ","); got != "code.png" {
		t.Errorf("letters/ lists %q, want only code.png (no text file, no hidden file)", got)
	}
	test.Tap(pickerButton(t, p, "code.png"))
	deadline := time.Now().Add(30 * time.Second)
	for f.ui.model.Verdict().Kind != pickup.VerdictWrongCentre {
		if time.Now().After(deadline) {
			t.Fatalf("verdict after picking the image = %q, want wrong_centre (info %q)", f.ui.model.Verdict().Kind, f.ui.info.Text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if f.ui.dialog != nil {
		t.Error("the picker stays open after an image was picked")
	}
	// Next time it opens where the image was.
	f.key(fyne.KeyF7)
	if got, want := f.ui.picker.dir, filepath.Join(home, "Pictures", "letters"); got != want {
		t.Errorf("picker reopens on %s, want %s", got, want)
	}
	// A folder that cannot be read says so in the counter's language.
	f.ui.picker.open(filepath.Join(home, "nowhere"))
	if got := f.ui.picker.msg.Text; got != f.ui.tr().T("ui.picker.unreadable") {
		t.Errorf("unreadable folder: %q", got)
	}
}

// The conflicts list says what the registry answered in the counter's
// language (the store keeps it in words of no language).
func TestConflictNotesTranslated(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.scan(f.sample(pickup.VerdictOK))
	f.typeText("2")
	f.key(fyne.KeyReturn)
	f.scan(f.demo.Samples["ok_masks_only"])
	f.key(fyne.KeyReturn)
	evs, err := f.st.Outbox(f.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var handovers []pickup.Event
	for _, e := range evs {
		if e.Type == pickup.EventHandover {
			handovers = append(handovers, e)
		}
	}
	if len(handovers) != 2 {
		t.Fatalf("outbox holds %d handovers, want 2", len(handovers))
	}
	earlier := pickup.Collection{EventID: "00000000-0000-4000-8000-0000000000aa", TerminalID: "t-other", CentreID: handovers[0].CentreID,
		At: start.Add(-time.Hour), GloveSize: "L"}
	if _, err := f.st.ApplyPushResults(f.ctx, handovers, []store.PushAnswer{
		{ID: handovers[0].ID, Result: store.PushConflict, Earlier: []pickup.Collection{earlier}},
		{ID: handovers[1].ID, Result: store.PushFlagged, Flag: "outside_window"},
	}); err != nil {
		t.Fatal(err)
	}
	f.ui.Refresh(f.ctx)
	for _, lang := range []string{"fr", "nl", "de"} {
		f.ui.SetLang(lang)
		f.key(fyne.KeyF9)
		markup := test.RenderToMarkup(f.win.Canvas())
		tr := f.ui.tr()
		for _, want := range []string{tr.T("ui.mgr.conflicts.detail.pushed"), tr.T("ui.mgr.conflicts.detail.earlier"), tr.T("ui.mgr.conflicts.flag.outside_window")} {
			if !strings.Contains(markup, want) {
				t.Errorf("%s: the conflicts list lacks %q", lang, want)
			}
		}
		for _, english := range []string{store.ConflictPushed, store.ConflictEarlier, store.ConflictFlagged} {
			if strings.Contains(markup, english) {
				t.Errorf("%s: the conflicts list shows %q in English", lang, english)
			}
		}
		f.ui.closeDialog()
	}
}
