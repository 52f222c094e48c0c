package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/store"
)

// Every store error code has a hint at the command line, and the JSON
// error key is the code.
func TestStoreErrorHints(t *testing.T) {
	t.Parallel()
	for _, code := range store.Codes {
		err := fmt.Errorf("doing something: %w", &store.Error{Code: code, Msg: "detail"})
		if h := storeHint(err); h == "" {
			t.Errorf("%s: no command-line hint", code)
		}
		if got := storeErrorCode(err); got != string(code) {
			t.Errorf("%s: JSON error key %q", code, got)
		}
	}
	if got := storeErrorCode(fmt.Errorf("plain")); got != "error" {
		t.Errorf("a plain error has key %q, want error", got)
	}
	if len(storeHints) != len(store.Codes) {
		t.Errorf("%d hints for %d codes", len(storeHints), len(store.Codes))
	}
	// The hints name commands; the store's own messages do not.
	if !strings.Contains(storeHint(store.ErrNotInitialised), "pickup init") {
		t.Errorf("not set up: hint %q does not say how to set up", storeHint(store.ErrNotInitialised))
	}
}
