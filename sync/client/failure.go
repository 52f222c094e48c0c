package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"syscall"

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
	// Detail says why the registry could not be reached, when that is
	// known: one of the Unreachable… constants.
	Detail string `json:"detail,omitempty"`
}

// Why an unreachable registry was not reached (Failure.Detail).
const (
	UnreachablePort        = "port"        // nothing listens there: wrong port, or the registry is not running
	UnreachableName        = "name"        // the host name is unknown
	UnreachableTimeout     = "timeout"     // no answer in time: network down, or a firewall
	UnreachableCertificate = "certificate" // the TLS certificate is not trusted (the pin is missing)
	UnreachableScheme      = "scheme"      // https:// to a plain-http registry
)

// unreachableDetail classifies a network error for the people at the
// terminal; "" when it is none of the known cases.
func unreachableDetail(err error) string {
	var dns *net.DNSError
	var ne net.Error
	var unknownCA x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return UnreachablePort
	case errors.As(err, &dns):
		return UnreachableName
	case errors.As(err, &unknownCA), errors.As(err, &invalid), errors.As(err, &hostname), errors.As(err, &verify):
		return UnreachableCertificate
	case errors.As(err, &record),
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"): // net/http flattens it into text

		return UnreachableScheme
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return UnreachableTimeout
	}
	return ""
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
	case strings.Contains(err.Error(), "Client sent an HTTP request to an HTTPS server"):
		// Go's TLS server answers plain http with a 400 of its own.
		return Failure{Kind: FailureUnreachable, Detail: UnreachableScheme}
	case !errors.As(err, &pe):
		return Failure{Kind: FailureUnreachable, Detail: unreachableDetail(err)}
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
	if f.Kind == FailureUnreachable && f.Detail != "" {
		return c.T("sync.failure.unreachable."+f.Detail) + "; " + c.T("sync.failure.unreachable.kept")
	}
	return c.T("sync.failure."+string(f.Kind), "code", f.Code)
}
