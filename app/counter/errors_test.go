package counter

import (
	"fmt"
	"testing"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

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
