package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pickup-terminal/pickup"
)

// A typed code of another centre answers wrong_centre with that centre's
// address at an enrolled counter, online and with the registry stopped;
// a moved code follows its new centre, a cancelled one stops resolving;
// the counter's files never hold another centre's code in clear.
func TestLocatorWrongCentreOffline(t *testing.T) {
	t.Parallel()
	reg := startDemo(t, 3, 90)
	a := enrol(t, reg, reg.URL(), "namur", "A")
	a.mustSync(t)
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

	reg.stop(t, syscall.SIGTERM)
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
		b, err := os.ReadFile(filepath.Join(a.dir, "pickup.db"+suffix))
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
	reg.stop(t, syscall.SIGTERM) // no link from here on; the registry's CLI works on its folder
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
