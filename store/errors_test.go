package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
)

// errorCodeCases: errors, the sentinel each matches and its code.
var errorCodeCases = []struct {
	name string
	err  error
	is   error
	code Code
}{
	{"sentinel", ErrNotInitialised, ErrNotInitialised, CodeNotSetUp},
	{"wrapped sentinel", fmt.Errorf("status: %w", ErrNotInitialised), ErrNotInitialised, CodeNotSetUp},
	{"detailed", errorf(CodeNotFound, "handover %s not found", "x"), ErrNotFound, CodeNotFound},
	{"detailed, wrapped", fmt.Errorf("undo: %w", errorf(CodeUndoExpired, "late")), ErrUndoExpired, CodeUndoExpired},
	{"size refusal", sizeError(ErrOutOfStock, pickup.Item{ID: "gloves"}, "M", 0, 500, nil), ErrOutOfStock, CodeOutOfStock},
	{"disk full", classify(fmt.Errorf("write: %w", ErrDiskFull)), ErrDiskFull, CodeDiskFull},
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	for _, tt := range errorCodeCases {
		if !errors.Is(tt.err, tt.is) {
			t.Errorf("%s: errors.Is(%v, %v) = false", tt.name, tt.err, tt.is)
		}
		if got := CodeOf(tt.err); got != tt.code {
			t.Errorf("%s: CodeOf = %q, want %q", tt.name, got, tt.code)
		}
		for _, other := range []error{ErrAlreadySetUp, ErrInvalid} {
			if errors.Is(tt.err, other) {
				t.Errorf("%s: also matches %v", tt.name, other)
			}
		}
	}
	if CodeOf(errors.New("plain")) != "" {
		t.Error("a plain error has a code")
	}
	seen := map[Code]bool{}
	for _, c := range Codes {
		if seen[c] {
			t.Errorf("code %s listed twice", c)
		}
		seen[c] = true
	}
}

// The store's errors say nothing of any user interface: no command, no
// flag. The command line and the window add their own hints.
func TestErrorsNameNoCommand(t *testing.T) {
	f, ctx := setup(t)
	var errs []error
	_, err := f.s.Undo(ctx, "xyz")
	errs = append(errs, err)
	_, err = f.s.Init(ctx, InitOptions{CentreID: "x", CentreName: "X"})
	errs = append(errs, err)
	_, err = f.s.Demo(ctx, 10)
	errs = append(errs, err)
	_, err = f.s.ReceiveStock(ctx, "gloves", "", 5, "")
	errs = append(errs, err)
	_, err = f.s.ReceiveStock(ctx, "masks", "M", 5, "")
	errs = append(errs, err)
	_, err = f.s.CountStock(ctx, "masks", "", 5, "")
	errs = append(errs, err)
	_, err = f.s.ReceiveShipment(ctx, "none")
	errs = append(errs, err)
	_, err = f.s.SyncConfig(ctx)
	errs = append(errs, err)
	errs = append(errs, ErrNotInitialised)
	for _, err := range errs {
		if err == nil {
			t.Error("a bad call succeeded")
			continue
		}
		if CodeOf(err) == "" {
			t.Errorf("%q has no code", err)
		}
		if msg := err.Error(); strings.Contains(msg, "--") || strings.Contains(msg, "'pickup") || strings.Contains(msg, "run ") {
			t.Errorf("store error names a command: %q", msg)
		}
	}
}
