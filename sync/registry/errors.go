package registry

import (
	"errors"

	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Sentinel errors callers branch on (the CLI maps ErrNotFound, ErrExists
// and ErrRefused to exit code 1).
var (
	// ErrNotRegistry: the folder holds a database that is not a registry's
	// (another program's SQLite file, or a terminal's); it is left
	// untouched.
	ErrNotRegistry = sqlkit.ErrForeign
	// ErrCorrupt: the database file is damaged; the error says what to do.
	ErrCorrupt = sqlkit.ErrCorrupt
	// ErrNotFound: no such centre, campaign, code, terminal or key.
	ErrNotFound = errors.New("not found")
	// ErrExists: an id already in use.
	ErrExists = errors.New("already exists")
	// ErrRefused: the operation is not allowed (bad input, a second request
	// of a professional, a bundle for another centre, a tampered bundle).
	ErrRefused = errors.New("refused")
)
