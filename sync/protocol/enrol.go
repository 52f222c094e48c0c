package protocol

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pickup-terminal/pickup"
)

// EnrolmentTokenLen is the length of an enrolment token: 19 random
// characters of pickup.Alphabet (95 bits) and one Luhn mod 32 check
// character, printed in groups of four.
const EnrolmentTokenLen = 20

// EnrolmentCode is what `pickup-registry terminal enrol` prints and a
// technician types or pastes into `pickup enrol --code`: a one-time token
// and, when the registry serves TLS, the pin of its certificate.
//
// Text form: XXXX-XXXX-XXXX-XXXX-XXXX, or XXXX-XXXX-XXXX-XXXX-XXXX@<pin>.
type EnrolmentCode struct {
	Token string // canonical: 20 characters of pickup.Alphabet, no dashes
	Pin   string // CertPin of the registry's TLS certificate, or ""
}

// ErrEnrolmentCode wraps every reason ParseEnrolmentCode refuses a text.
var ErrEnrolmentCode = errors.New("invalid enrolment code")

// NewEnrolmentToken draws a fresh token (from crypto/rand when r is nil).
func NewEnrolmentToken(r io.Reader) (string, error) {
	s, err := pickup.DrawChecked(r, EnrolmentTokenLen)
	if err != nil {
		return "", fmt.Errorf("draw enrolment token: %w", err)
	}
	return s, nil
}

// String prints the code in groups of four, with its pin if any.
func (e EnrolmentCode) String() string {
	var b strings.Builder
	for i := 0; i < len(e.Token); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(e.Token[i:min(i+4, len(e.Token))])
	}
	if e.Pin != "" {
		b.WriteString("@" + e.Pin)
	}
	return b.String()
}

// ParseEnrolmentCode normalises a typed or pasted enrolment code like a
// pickup code (case, dashes, spaces, O/I/L forgiven) and checks its check
// character and, if present, the pin's form.
func ParseEnrolmentCode(s string) (EnrolmentCode, error) {
	var e EnrolmentCode
	if len(s) > 200 {
		return e, fmt.Errorf("%w: too long", ErrEnrolmentCode)
	}
	tok, pin, hasPin := strings.Cut(strings.TrimSpace(s), "@")
	if hasPin {
		if !validPin(pin) {
			return e, fmt.Errorf("%w: the part after @ is not a certificate pin", ErrEnrolmentCode)
		}
		e.Pin = pin
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(tok) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 127 || !isAlphabet(byte(r)) {
			return e, fmt.Errorf("%w: character %q not allowed", ErrEnrolmentCode, r)
		}
		b.WriteRune(r)
	}
	t := b.String()
	if len(t) != EnrolmentTokenLen {
		return e, fmt.Errorf("%w: %d characters, want %d", ErrEnrolmentCode, len(t), EnrolmentTokenLen)
	}
	if pickup.CheckChar(t[:EnrolmentTokenLen-1]) != t[EnrolmentTokenLen-1] {
		return e, fmt.Errorf("%w: check character does not match (typo?)", ErrEnrolmentCode)
	}
	e.Token = t
	return e, nil
}

// TokenHash is how the registry stores a token: hex SHA-256, so that a copy
// of its database cannot enrol terminals.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return fmt.Sprintf("%x", sum)
}

// CertPin returns the pin of a certificate: unpadded base64url SHA-256 of
// its DER bytes (43 characters).
func CertPin(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func validPin(s string) bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

// ErrPinOverHTTP refuses an enrolment code that pins a TLS certificate
// used with a plain http:// address: the pin would be dropped and the
// terminal would sync in clear.
var ErrPinOverHTTP = errors.New("this enrolment code pins the registry's TLS certificate: use the registry's https:// address, not http://")

// ErrPinMismatch is returned by a pinned TLS connection whose server shows
// another certificate.
var ErrPinMismatch = errors.New("registry TLS certificate does not match the pinned one")

// PinnedTLSConfig returns a TLS client configuration that trusts exactly the
// certificate with this pin (a registry's self-signed --dev-tls certificate,
// or its real one), instead of the system roots. With pin "" it returns nil:
// ordinary verification.
func PinnedTLSConfig(pin string) *tls.Config {
	if pin == "" {
		return nil
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The chain is not checked against roots: the pin replaces it.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return ErrPinMismatch
			}
			if CertPin(cs.PeerCertificates[0].Raw) != pin {
				return ErrPinMismatch
			}
			return nil
		},
	}
}
