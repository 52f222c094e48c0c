package i18n

import (
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
)

// numberCases: numbers as each language writes them.
var numberCases = []struct {
	lang string
	n    int
	want string
}{
	{"en", 0, "0"},
	{"en", 999, "999"},
	{"en", 60000, "60,000"},
	{"en", -1234567, "-1,234,567"},
	{"de", 60000, "60.000"},
	{"nl", 1000, "1.000"},
}

func TestNumber(t *testing.T) {
	t.Parallel()
	for _, tt := range numberCases {
		if got := For(tt.lang).Number(tt.n); got != tt.want {
			t.Errorf("%s Number(%d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	// French groups with a (narrow) space, whatever the catalogue says.
	if got := For("fr").Number(60000); got == "60000" || !strings.HasPrefix(got, "60") || !strings.HasSuffix(got, "000") {
		t.Errorf("fr Number(60000) = %q", got)
	}
}

// TestSizeRefusal: one rendering of a refused size, in every language, for
// the counter window and the command line alike.
func TestSizeRefusal(t *testing.T) {
	t.Parallel()
	camp, err := pickup.BuiltinCampaign(pickup.DefaultCampaignID)
	if err != nil {
		t.Fatal(err)
	}
	left := []pickup.SizeStock{{Size: "S", Qty: 1500}, {Size: "L", Qty: 600}}
	tests := []struct {
		name      string
		r         pickup.SizeRefusal
		why, left []string // in English
	}{
		{"none chosen", pickup.SizeRefusal{Reason: "size_required", Item: "gloves", Need: 500, Available: left},
			[]string{"Choose a glove size"}, []string{"S (1,500)", "L (600)"}},
		{"no such size", pickup.SizeRefusal{Reason: "unknown_size", Item: "gloves", Size: "XXL", Need: 500, Available: left},
			[]string{"XXL"}, []string{"S (1,500)"}},
		{"out of stock", pickup.SizeRefusal{Reason: "out_of_stock", Item: "gloves", Size: "M", Have: 200, Need: 500},
			[]string{"Gloves", "M", "200", "500"}, []string{"No size left"}},
	}
	for _, tt := range tests {
		why, l := For("en").SizeRefusal(camp, tt.r)
		for _, w := range tt.why {
			if !strings.Contains(why, w) {
				t.Errorf("%s: %q does not say %q", tt.name, why, w)
			}
		}
		for _, w := range tt.left {
			if !strings.Contains(l, w) {
				t.Errorf("%s: %q does not say %q", tt.name, l, w)
			}
		}
		for _, lang := range Languages {
			why, l := For(lang).SizeRefusal(camp, tt.r)
			if why == "" || l == "" || strings.Contains(why+l, "{") || strings.Contains(why+l, "handover.") {
				t.Errorf("%s in %s: %q / %q", tt.name, lang, why, l)
			}
		}
	}
}
