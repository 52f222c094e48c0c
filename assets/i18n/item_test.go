package i18n

import (
	"testing"

	"github.com/pickup-terminal/pickup"
)

func TestItemSize(t *testing.T) {
	t.Parallel()
	camp, err := pickup.BuiltinCampaign(pickup.DefaultCampaignID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ lang, item, size, want string }{
		{"en", "gloves", "M", "Gloves M"},
		{"fr", "gloves", "XL", "Gants XL"},
		{"en", "gowns", "", "Gowns"},
		{"en", "visors", "", "visors"}, // not in the campaign: its id
	}
	for _, tt := range tests {
		if got := For(tt.lang).ItemSize(camp, tt.item, tt.size); got != tt.want {
			t.Errorf("%s ItemSize(%s, %q) = %q, want %q", tt.lang, tt.item, tt.size, got, tt.want)
		}
	}
}
