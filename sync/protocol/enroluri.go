package protocol

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
)

// EnrolmentURIPrefix starts every enrolment text (EnrolmentURI.String).
const EnrolmentURIPrefix = "PICKUP-ENROL-"

// EnrolmentURI is a whole enrolment in one line of text, for a QR code that
// the counter's USB scanner types into the window (or a paste): the
// registry's address, the one-time code and the TLS pin.
//
// Text form: PICKUP-ENROL-<S|H>-<token>-<pin|0>-<host>-<port>, where S is
// https and H plain http, the token is the enrolment code's 20 characters
// and the pin the certificate's SHA-256 in pickup.Alphabet (52 characters).
//
// It is made of upper-case letters, digits, '-' and '.' only: a scanner
// types those alike whatever keyboard layout the counter has (AZERTY's
// AltGr characters such as '@', '#' and '&' never appear), and case does
// not matter (a scanner typing with Caps Lock on is forgiven), nor do the
// code's O/I/L look-alikes.
type EnrolmentURI struct {
	URL  string // the registry's base address: https://host:port
	Code EnrolmentCode
}

var pinEncoding = base32.NewEncoding(pickup.Alphabet).WithPadding(base32.NoPadding)

// ErrEnrolmentURI wraps every reason ParseEnrolmentURI refuses a text.
var ErrEnrolmentURI = errors.New("invalid enrolment text")

// NewEnrolmentURI checks that registryURL is a bare http(s)://host[:port]
// address that a scanner can carry and puts it with code.
func NewEnrolmentURI(registryURL string, code EnrolmentCode) (EnrolmentURI, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(registryURL), "/"))
	if err != nil {
		return EnrolmentURI{}, fmt.Errorf("%w: registry address: %v", ErrEnrolmentURI, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return EnrolmentURI{}, fmt.Errorf("%w: registry address %q: want http(s)://HOST[:PORT] with no path", ErrEnrolmentURI, registryURL)
	}
	if code.Pin != "" && u.Scheme != "https" {
		return EnrolmentURI{}, ErrPinOverHTTP
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	if !validURIHost(host) {
		return EnrolmentURI{}, fmt.Errorf("%w: registry host %q: letters, digits, '.' and '-' only (a name or an IPv4 address)", ErrEnrolmentURI, host)
	}
	e := EnrolmentURI{URL: u.Scheme + "://" + net.JoinHostPort(strings.ToLower(host), port), Code: code}
	return e, nil
}

// String is the one line of text (see EnrolmentURI).
func (e EnrolmentURI) String() string {
	u, _ := url.Parse(e.URL)
	scheme := "H"
	if u != nil && u.Scheme == "https" {
		scheme = "S"
	}
	pin := "0"
	if b, err := base64.RawURLEncoding.DecodeString(e.Code.Pin); err == nil && e.Code.Pin != "" {
		pin = pinEncoding.EncodeToString(b)
	}
	host, port := "", ""
	if u != nil {
		host, port = strings.ToUpper(u.Hostname()), u.Port()
	}
	return EnrolmentURIPrefix + scheme + "-" + e.Code.Token + "-" + pin + "-" + host + "-" + port
}

// LooksLikeEnrolmentURI says whether s is meant as an enrolment text (it
// starts like one), so that a window can answer about it rather than about
// a pickup code.
func LooksLikeEnrolmentURI(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.HasPrefix(s, EnrolmentURIPrefix) || strings.HasPrefix(EnrolmentURIPrefix, s) && len(s) >= 6
}

// ParseEnrolmentURI reads an enrolment text, forgiving case, surrounding
// spaces and the code's look-alike letters.
func ParseEnrolmentURI(s string) (EnrolmentURI, error) {
	var e EnrolmentURI
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) > 300 {
		return e, fmt.Errorf("%w: too long", ErrEnrolmentURI)
	}
	rest, ok := strings.CutPrefix(s, EnrolmentURIPrefix)
	if !ok {
		return e, fmt.Errorf("%w: does not start with %s", ErrEnrolmentURI, EnrolmentURIPrefix)
	}
	parts := strings.SplitN(rest, "-", 4)
	if len(parts) != 4 {
		return e, fmt.Errorf("%w: incomplete (scheme, code, pin, host and port)", ErrEnrolmentURI)
	}
	scheme, tok, pin, hostPort := parts[0], parts[1], parts[2], parts[3]
	cut := strings.LastIndexByte(hostPort, '-')
	if cut <= 0 {
		return e, fmt.Errorf("%w: no port after the host", ErrEnrolmentURI)
	}
	host, port := strings.ToLower(hostPort[:cut]), hostPort[cut+1:]
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return e, fmt.Errorf("%w: port %q", ErrEnrolmentURI, port)
	}
	if !validURIHost(host) {
		return e, fmt.Errorf("%w: host %q", ErrEnrolmentURI, host)
	}
	code, err := ParseEnrolmentCode(tok)
	if err != nil {
		return e, fmt.Errorf("%w: %v", ErrEnrolmentURI, err)
	}
	if pin != "0" {
		b, err := pinEncoding.DecodeString(strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(pin))
		if err != nil || len(b) != 32 {
			return e, fmt.Errorf("%w: the certificate pin is damaged", ErrEnrolmentURI)
		}
		code.Pin = base64.RawURLEncoding.EncodeToString(b)
	}
	switch scheme {
	case "S":
		e.URL = "https://"
	case "H":
		if code.Pin != "" {
			return e, ErrPinOverHTTP
		}
		e.URL = "http://"
	default:
		return e, fmt.Errorf("%w: scheme %q (want S or H)", ErrEnrolmentURI, scheme)
	}
	e.URL += net.JoinHostPort(host, port)
	e.Code = code
	return e, nil
}

func validURIHost(h string) bool {
	return h != "" && len(h) <= 253 && h[0] != '-' && h[len(h)-1] != '-' && pickup.AlnumOr(h, ".-")
}

// EnrolPreviewRequest is the body of POST /v1/enrol/preview.
type EnrolPreviewRequest struct {
	EnrolmentCode string `json:"enrolment_code"`
}

// Validate checks a preview request's shape.
func (r *EnrolPreviewRequest) Validate() error {
	_, err := ParseEnrolmentCode(r.EnrolmentCode)
	return err
}

// EnrolPreviewResponse says which centre a code enrols into, without using
// the code up: the terminal checks it would accept that centre before it
// enrols (a refused enrolment then leaves no terminal on the registry).
type EnrolPreviewResponse struct {
	Centre    pickup.Centre `json:"centre"`
	ExpiresAt time.Time     `json:"expires_at"`
}

// Validate checks a preview answer's shape.
func (r *EnrolPreviewResponse) Validate() error {
	if !pickup.ValidID(r.Centre.ID) {
		return fmt.Errorf("centre id %q invalid", r.Centre.ID)
	}
	return nil
}

// DecodeEnrolPreviewRequest decodes and validates a preview body strictly.
func DecodeEnrolPreviewRequest(b []byte) (*EnrolPreviewRequest, error) {
	return decodeRequest[EnrolPreviewRequest](b, "enrol preview: ")
}

// DecodeEnrolPreviewResponse decodes and validates a preview answer.
func DecodeEnrolPreviewResponse(b []byte) (*EnrolPreviewResponse, error) {
	return decodeValidResponse[EnrolPreviewResponse](b, "enrol preview answer")
}

// PreviewEnrol asks which centre code enrols into, without using it up.
// A pin in the code is applied as in Enrol.
func (c *Client) PreviewEnrol(ctx context.Context, code string) (*EnrolPreviewResponse, error) {
	ec, err := c.pinnedCode(code)
	if err != nil {
		return nil, err
	}
	b, err := c.post(ctx, PathEnrolPreview, EnrolPreviewRequest{EnrolmentCode: ec.Token}, false)
	if err != nil {
		return nil, err
	}
	return DecodeEnrolPreviewResponse(b)
}

// pinnedCode parses an enrolment code and, when it carries a pin, applies
// it before anything is sent (refusing a pin with a plain http:// address).
func (c *Client) pinnedCode(code string) (EnrolmentCode, error) {
	ec, err := ParseEnrolmentCode(code)
	if err != nil {
		return ec, err
	}
	if ec.Pin != "" && !strings.HasPrefix(strings.ToLower(c.BaseURL), "https://") {
		return ec, ErrPinOverHTTP
	}
	if ec.Pin != "" {
		if err := c.pin(ec.Pin); err != nil {
			return ec, err
		}
	}
	return ec, nil
}
