package client

import (
	"errors"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// FailureKind is what a failed sync round means for the people at the
// terminal.
type FailureKind string

// Failure kinds.
const (
	FailureNone        FailureKind = ""             // the round worked
	FailureNotEnrolled FailureKind = "not_enrolled" // a stand-alone terminal
	FailureUnreachable FailureKind = "unreachable"  // no answer: the network, the address, the registry down
	FailureEnrolAgain  FailureKind = "enrol_again"  // the registry no longer accepts this terminal
	FailureBusy        FailureKind = "busy"         // the registry is busy or restarting
	FailureRefused     FailureKind = "refused"      // the registry refused for another reason (Code says which)
	FailurePinMismatch FailureKind = "pin_mismatch" // the registry's TLS certificate is not the pinned one
)

// Failure explains a failed sync round. It is the one explanation both the
// command line and the counter window show.
type Failure struct {
	Kind FailureKind `json:"kind,omitempty"`
	// Code is the registry's error code when it answered.
	Code string `json:"code,omitempty"`
}

// Explain says what a sync error means.
func Explain(err error) Failure {
	var pe *protocol.Error
	switch {
	case err == nil:
		return Failure{}
	case errors.Is(err, store.ErrNotEnrolled):
		return Failure{Kind: FailureNotEnrolled}
	case errors.Is(err, protocol.ErrPinMismatch):
		return Failure{Kind: FailurePinMismatch}
	case !errors.As(err, &pe):
		return Failure{Kind: FailureUnreachable}
	case pe.Code == protocol.CodeTerminalRevoked || pe.Code == protocol.CodeUnauthenticated || pe.Code == protocol.CodeBadSignature:
		return Failure{Kind: FailureEnrolAgain, Code: string(pe.Code)}
	case pe.Retryable():
		return Failure{Kind: FailureBusy, Code: string(pe.Code)}
	}
	return Failure{Kind: FailureRefused, Code: string(pe.Code)}
}

// Short is the failure in a few words for a status bar ("" when none, or
// when the registry just could not be reached: the bar says offline).
func (f Failure) Short(c *i18n.Catalog) string {
	if f.Kind == FailureNone || f.Kind == FailureUnreachable {
		return ""
	}
	return c.T("sync.failure."+string(f.Kind)+".short", "code", f.Code)
}

// Text says what the failure means and what to do, and that nothing
// recorded is lost.
func (f Failure) Text(c *i18n.Catalog) string {
	if f.Kind == FailureNone {
		return ""
	}
	return c.T("sync.failure."+string(f.Kind), "code", f.Code)
}
