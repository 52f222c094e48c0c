package counter

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// TestLayoutShots renders the main screens with the test driver into
// $PICKUP_TEST_SHOTS, to look at the layout without a display (the real
// window's screenshots are scripts/screenshots.sh).
func TestLayoutShots(t *testing.T) {
	if os.Getenv("PICKUP_TEST_SHOTS") == "" {
		t.Skip("set PICKUP_TEST_SHOTS=DIR to write PNGs")
	}
	for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 1024, Height: 768}} {
		f := newFixture(t, setup{demo: true, size: size})
		p := "w" + itoaT(int(size.Width)) + "-"
		f.capture(p + "idle")
		f.scan(f.sample(pickup.VerdictOK))
		f.capture(p + "ok")
		f.typeText("2")
		f.capture(p + "ok-m")
		f.key(fyne.KeyReturn)
		f.capture(p + "handed")
		f.shortcut(&fyne.ShortcutUndo{})
		f.capture(p + "undone")
		for _, k := range []pickup.VerdictKind{pickup.VerdictWrongCentre, pickup.VerdictAlreadyCollected, pickup.VerdictNotYetOpen, pickup.VerdictInvalidCode} {
			f.scan(f.sample(k))
			f.capture(p + string(k))
		}
		f.openManager()
		f.capture(p + "today")
		f.key(fyne.KeyEscape)
		for i, k := range []fyne.KeyName{fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4} {
			f.key(k)
			f.scan(f.sample(pickup.VerdictOK))
			f.capture(p + "ok-" + i18n.Languages[i])
		}
		f.key(fyne.KeyF8)
		f.scan(f.sample(pickup.VerdictOK))
		f.capture(p + "ok-contrast")
	}
	f := newFixture(t, setup{})
	f.capture("setup")
}
