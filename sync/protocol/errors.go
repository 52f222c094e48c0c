package protocol

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ErrorCode is the stable, machine-readable reason of a refused call. It
// travels in the JSON error body {"error":{"code":"…","message":"…"}}.
type ErrorCode string

// The error codes of /v1/. Each has exactly one HTTP status (see StatusOf).
const (
	CodeBadRequest       ErrorCode = "bad_request"            // malformed body, query or header: fix the client
	CodeTooLarge         ErrorCode = "too_large"              // body over the limit: send smaller batches
	CodeUnsupportedMedia ErrorCode = "unsupported_media_type" // not JSON, or an encoding other than gzip
	CodeUnauthenticated  ErrorCode = "unauthenticated"        // no or unknown credentials: enrol again
	CodeBadSignature     ErrorCode = "invalid_signature"      // the request signature does not verify
	CodeClockSkew        ErrorCode = "clock_skew"             // timestamp outside the window; carries server_time
	CodeReplayed         ErrorCode = "replayed"               // this nonce was already used: sign again
	CodeTerminalRevoked  ErrorCode = "terminal_revoked"       // the terminal was revoked: enrol again
	CodeForbidden        ErrorCode = "forbidden"              // another centre's data, or another terminal's facts
	CodeEnrolmentRefused ErrorCode = "enrolment_refused"      // enrolment code unknown, used or expired
	CodeNotFound         ErrorCode = "not_found"              // no such endpoint
	CodeMethodNotAllowed ErrorCode = "method_not_allowed"     // wrong HTTP method
	CodeInternal         ErrorCode = "internal"               // the registry failed: retry later
	CodeUnavailable      ErrorCode = "unavailable"            // the registry is busy or stopping: retry later
)

// statusTable is the one table mapping error codes to HTTP statuses, used by
// the registry to answer and by the client to read answers.
var statusTable = map[ErrorCode]int{
	CodeBadRequest:       http.StatusBadRequest,
	CodeTooLarge:         http.StatusRequestEntityTooLarge,
	CodeUnsupportedMedia: http.StatusUnsupportedMediaType,
	CodeUnauthenticated:  http.StatusUnauthorized,
	CodeBadSignature:     http.StatusUnauthorized,
	CodeClockSkew:        http.StatusUnauthorized,
	CodeReplayed:         http.StatusConflict,
	CodeTerminalRevoked:  http.StatusForbidden,
	CodeForbidden:        http.StatusForbidden,
	CodeEnrolmentRefused: http.StatusForbidden,
	CodeNotFound:         http.StatusNotFound,
	CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	CodeInternal:         http.StatusInternalServerError,
	CodeUnavailable:      http.StatusServiceUnavailable,
}

// ErrorCodes lists every error code, in a stable order.
var ErrorCodes = []ErrorCode{
	CodeBadRequest, CodeTooLarge, CodeUnsupportedMedia, CodeUnauthenticated, CodeBadSignature,
	CodeClockSkew, CodeReplayed, CodeTerminalRevoked, CodeForbidden, CodeEnrolmentRefused,
	CodeNotFound, CodeMethodNotAllowed, CodeInternal, CodeUnavailable,
}

// StatusOf returns the HTTP status of an error code (500 for an unknown one).
func StatusOf(code ErrorCode) int {
	if s, ok := statusTable[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// CodeForStatus guesses the error code of an answer that carried no JSON
// error body (a proxy's 502, a load balancer's 413): the first code in
// ErrorCodes with that status, or internal / bad_request by class.
func CodeForStatus(status int) ErrorCode {
	for _, c := range ErrorCodes {
		if statusTable[c] == status {
			return c
		}
	}
	switch {
	case status == http.StatusTooManyRequests, status >= 500:
		return CodeUnavailable
	default:
		return CodeBadRequest
	}
}

// Error is a refused call: what the registry answered, or what a client
// read from the answer. Compare with errors.Is against the Err… sentinels,
// which match on Code alone.
type Error struct {
	Status     int       // HTTP status; StatusOf(Code) when zero
	Code       ErrorCode // stable reason
	Message    string    // for people; never contains a name or a whole code
	ServerTime time.Time // the registry's clock when it answered (always set by the registry)
}

// Sentinels for errors.Is.
var (
	ErrBadRequest       = &Error{Code: CodeBadRequest}
	ErrTooLarge         = &Error{Code: CodeTooLarge}
	ErrUnsupportedMedia = &Error{Code: CodeUnsupportedMedia}
	ErrUnauthenticated  = &Error{Code: CodeUnauthenticated}
	ErrBadSignature     = &Error{Code: CodeBadSignature}
	ErrClockSkew        = &Error{Code: CodeClockSkew}
	ErrReplayed         = &Error{Code: CodeReplayed}
	ErrTerminalRevoked  = &Error{Code: CodeTerminalRevoked}
	ErrForbidden        = &Error{Code: CodeForbidden}
	ErrEnrolmentRefused = &Error{Code: CodeEnrolmentRefused}
	ErrNotFound         = &Error{Code: CodeNotFound}
	ErrMethodNotAllowed = &Error{Code: CodeMethodNotAllowed}
	ErrInternal         = &Error{Code: CodeInternal}
	ErrUnavailable      = &Error{Code: CodeUnavailable}
)

// Errorf makes an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Status: StatusOf(code), Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "registry: " + string(e.Code)
	}
	return "registry: " + string(e.Code) + ": " + e.Message
}

// Is matches another *Error with the same Code, so that
// errors.Is(err, protocol.ErrClockSkew) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// HTTPStatus returns Status, or StatusOf(Code) when Status is zero.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return StatusOf(e.Code)
}

// Retryable reports whether the same call may succeed later without a
// change by a person: the registry was busy or failed, the clock was
// corrected, or a fresh nonce is needed. A client keeps its outbox entries
// on any error; Retryable only says whether to try again soon.
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeInternal, CodeUnavailable, CodeClockSkew, CodeReplayed:
		return true
	}
	return false
}

// ErrorBody is the JSON body of every refused call.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the content of ErrorBody.
type ErrorDetail struct {
	Code       ErrorCode `json:"code"`
	Message    string    `json:"message"`
	ServerTime time.Time `json:"server_time,omitzero"`
}

// Body returns the JSON error body of e.
func (e *Error) Body() ErrorBody {
	return ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, ServerTime: e.ServerTime}}
}

// DecodeError reads a JSON error body for an answer with HTTP status
// status. A body that is not a JSON error yields an *Error guessed from the
// status, with the start of the body as message.
func DecodeError(status int, body []byte) *Error {
	var eb ErrorBody
	if err := json.Unmarshal(body, &eb); err == nil && eb.Error.Code != "" && len(eb.Error.Code) <= 64 {
		return &Error{Status: status, Code: eb.Error.Code, Message: eb.Error.Message, ServerTime: eb.Error.ServerTime}
	}
	msg := string(body)
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return &Error{Status: status, Code: CodeForStatus(status), Message: fmt.Sprintf("HTTP %d: %q", status, msg)}
}
