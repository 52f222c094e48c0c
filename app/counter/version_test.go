package counter

import (
	"testing"

	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/sync/client"
)

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
