package demo

import (
	"testing"

	"github.com/pickup-terminal/pickup"
)

// TestCentres: centres.csv reads whole, every centre with a valid and
// distinct id and all its fields, namur first (the terminal's demo centre).
func TestCentres(t *testing.T) {
	if got, want := len(Centres), 12; got != want {
		t.Fatalf("%d centres, want %d", got, want)
	}
	if got, want := Centres[0].ID, "namur"; got != want {
		t.Errorf("first centre %q, want %q", got, want)
	}
	seen := map[string]bool{}
	for _, c := range Centres {
		if !pickup.ValidID(c.ID) || seen[c.ID] || c.Name == "" || c.Address == "" || c.Hours == "" {
			t.Errorf("centre %+v: invalid, twice or incomplete", c)
		}
		seen[c.ID] = true
	}
}

// TestName draws from both lists.
func TestName(t *testing.T) {
	if got, want := Name(func(int) int { return 1 }), First[1]+" "+Last[1]; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
}
