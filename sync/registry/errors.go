package registry

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on (the CLI maps ErrNotFound, ErrExists
// and ErrRefused to exit code 1).
var (
	// ErrNotRegistry: the folder holds a database that is not a registry's.
	ErrNotRegistry = errors.New("not a pickup-registry database")
	// ErrNotFound: no such centre, campaign, code, terminal or key.
	ErrNotFound = errors.New("not found")
	// ErrExists: an id already in use.
	ErrExists = errors.New("already exists")
	// ErrRefused: the operation is not allowed (bad input, a second request
	// of a professional, a bundle for another centre, a tampered bundle).
	ErrRefused = errors.New("refused")
)

// RowError reports a bad row of an imported file by its line number.
type RowError struct {
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the row's error.
func (e *RowError) Unwrap() error { return e.Err }
