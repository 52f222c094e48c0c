package i18n

import (
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// TestLongQRPayloadNotCalledATypo: a scan longer than any code or registry
// payload (another QR code) is not told to the volunteer as a typo in the
// code, in any language.
func TestLongQRPayloadNotCalledATypo(t *testing.T) {
	_, err := pickup.ParseScan("https://example.org/" + strings.Repeat("x", 600))
	v := pickup.InvalidVerdict(err)
	if v.Reason != "too_long" {
		t.Fatalf("a 620-character scan: reason %q, want too_long", v.Reason)
	}
	for _, lang := range Languages {
		c := For(lang)
		m := c.Describe(v, nil, time.UTC)
		typo := c.T("verdict.invalid_code.title")
		if m.Title == typo || strings.Contains(m.Title, "verdict.") || len(m.Detail) == 0 || !strings.Contains(m.Detail[0], "620") {
			t.Errorf("%s: %+v; want its own title (not %q) and the length", lang, m, typo)
		}
	}
}
