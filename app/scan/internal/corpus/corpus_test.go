package corpus

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

func TestDeterministic(t *testing.T) {
	t.Parallel()
	// Classes drawing on every source of randomness: geometry, noise,
	// occluders, clutter, JPEG.
	for _, class := range []string{"noisy", "occluded", "jpeg", "combined"} {
		a, err := One(1, qrprint.Level, class, 3)
		if err != nil {
			t.Fatal(err)
		}
		b, err := One(1, qrprint.Level, class, 3)
		if err != nil {
			t.Fatal(err)
		}
		var pa, pb bytes.Buffer
		if err := png.Encode(&pa, a.Image); err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(&pb, b.Image); err != nil {
			t.Fatal(err)
		}
		if a.Text != b.Text || !bytes.Equal(pa.Bytes(), pb.Bytes()) {
			t.Errorf("%s: two renderings of the same sample differ", class)
		}
		if _, err := pickup.ParseScan(a.Text); err != nil {
			t.Errorf("%s: payload %q does not parse: %v", class, a.Text, err)
		}
	}
}

// TestDump writes a few samples of every class to $PICKUP_CORPUS_DUMP for a
// person to look at.
func TestDump(t *testing.T) {
	dir := os.Getenv("PICKUP_CORPUS_DUMP")
	if dir == "" {
		t.Skip("set PICKUP_CORPUS_DUMP to a directory to look at samples")
	}
	ss, err := Generate(Options{Seed: 1, PerClass: 2, Level: qrprint.Level})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		f, err := os.Create(filepath.Join(dir, s.Name()+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, s.Image); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	ss, err := Generate(Options{Seed: 3, PerClass: 2, Level: qrprint.Level, Classes: []string{"clean", "inverted"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range ss {
		names = append(names, s.Name())
	}
	want := []string{"clean-000", "clean-001", "inverted-000", "inverted-001"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("Generate made %v, want %v", names, want)
	}
	if _, err := Generate(Options{PerClass: 1, Classes: []string{"nonsense"}}); err == nil {
		t.Error("Generate accepted an unknown class")
	}
}
