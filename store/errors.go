package store

import (
	"errors"
	"fmt"
)

// Code names a kind of store error. Codes are stable (the command line's
// JSON "error" key) and say nothing of any user interface: the command
// line and the counter window each map a code to their own words and hint.
type Code string

// Store error codes.
const (
	CodeNotSetUp        Code = "not_set_up"       // the terminal has no centre yet
	CodeAlreadySetUp    Code = "already_set_up"   // set up already (for another centre, or the demo needs an empty folder)
	CodeNotEnrolled     Code = "not_enrolled"     // no registry: sync needs an enrolment
	CodeNotFound        Code = "not_found"        // no such handover, shipment or campaign
	CodeInvalid         Code = "invalid"          // a value out of range or malformed (ids, names, quantities, settings)
	CodeUnknownItem     Code = "unknown_item"     // the campaign has no such item
	CodeSizeRequired    Code = "size_required"    // the item comes in sizes and none was given
	CodeUnknownSize     Code = "unknown_size"     // the item has no such size
	CodeNotSized        Code = "not_sized"        // the item does not come in sizes but one was given
	CodeOutOfStock      Code = "out_of_stock"     // too little stock of that size
	CodeReasonRequired  Code = "reason_required"  // a stock count needs a reason
	CodeUndoExpired     Code = "undo_expired"     // the undo window has passed
	CodeAlreadyUndone   Code = "already_undone"   // the handover was undone before
	CodeNotUndoable     Code = "not_undoable"     // a handover recorded elsewhere
	CodeClockBackwards  Code = "clock_backwards"  // the clock reads earlier than the last record: no undo
	CodeAlreadyReceived Code = "already_received" // a shipment received before
	CodeDiskFull        Code = "disk_full"        // nothing was recorded
	CodeReadOnly        Code = "read_only"        // the data folder cannot be written
	CodeNotOurs         Code = "not_ours"         // not a Pickup terminal database
	CodeTooNew          Code = "too_new"          // made by a newer Pickup
	CodeCorrupt         Code = "corrupt"          // the database file is damaged
)

// Codes lists every code, for the tests that check each has words.
var Codes = []Code{
	CodeNotSetUp, CodeAlreadySetUp, CodeNotEnrolled, CodeNotFound, CodeInvalid, CodeUnknownItem,
	CodeSizeRequired, CodeUnknownSize, CodeNotSized, CodeOutOfStock, CodeReasonRequired,
	CodeUndoExpired, CodeAlreadyUndone, CodeNotUndoable, CodeClockBackwards, CodeAlreadyReceived,
	CodeDiskFull, CodeReadOnly, CodeNotOurs, CodeTooNew, CodeCorrupt,
}

// Error is a store error with its code. errors.Is matches any two errors
// of the same code, so a detailed error (errorf) is still ErrNotFound.
type Error struct {
	Code Code
	Msg  string // what went wrong, with the values involved
	Err  error  // the cause, if any
}

func (e *Error) Error() string {
	switch {
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is a store error of the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the code of the first store error in err's chain, or ""
// when err is no store error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// errorf returns a store error of code with a formatted message.
func errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Msg: err.Error()}
}

func sentinel(code Code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Errors callers branch on (errors.Is), one per code that has one.
var (
	ErrNotInitialised = sentinel(CodeNotSetUp, "terminal not set up yet")
	ErrAlreadySetUp   = sentinel(CodeAlreadySetUp, "terminal already set up")
	ErrNotEnrolled    = sentinel(CodeNotEnrolled, "terminal not enrolled with a registry")
	ErrNotFound       = sentinel(CodeNotFound, "not found")
	ErrInvalid        = sentinel(CodeInvalid, "invalid")
	ErrUnknownItem    = sentinel(CodeUnknownItem, "unknown item")
	ErrSizeRequired   = sentinel(CodeSizeRequired, "choose a glove size")
	ErrUnknownSize    = sentinel(CodeUnknownSize, "unknown size")
	ErrNotSized       = sentinel(CodeNotSized, "does not come in sizes")
	ErrOutOfStock     = sentinel(CodeOutOfStock, "out of stock")
	ErrReasonRequired = sentinel(CodeReasonRequired, "a reason is required")
	ErrUndoExpired    = sentinel(CodeUndoExpired, "undo window has passed")
	ErrAlreadyUndone  = sentinel(CodeAlreadyUndone, "already undone")
	ErrNotUndoable    = sentinel(CodeNotUndoable, "only a handover recorded at this terminal can be undone")
	// ErrClockBackwards refuses an undo when the terminal's clock reads
	// earlier than a fact it already recorded, or than the handover: set
	// back, it would reopen the undo window of every earlier handover.
	ErrClockBackwards  = sentinel(CodeClockBackwards, "this terminal's clock went backwards (it reads earlier than its last record)")
	ErrAlreadyReceived = sentinel(CodeAlreadyReceived, "already received")
	ErrDiskFull        = sentinel(CodeDiskFull, "disk full")
	ErrReadOnly        = sentinel(CodeReadOnly, "data folder is read-only")
	ErrNotOurs         = sentinel(CodeNotOurs, "not a Pickup terminal database")
	ErrTooNew          = sentinel(CodeTooNew, "database made by a newer Pickup")
	ErrCorrupt         = sentinel(CodeCorrupt, "database file is damaged")
)
