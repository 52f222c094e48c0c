package pickup

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SignedPrefix starts every signed payload; the digit is the format version.
const SignedPrefix = "PU1"

// MaxScanLen bounds the text accepted from a scanner or a QR code.
const MaxScanLen = 512

// SignedCode is the registry-signed payload a QR code may carry instead of a
// bare code: enough for a terminal holding the registry's public key to hand
// over a parcel its local copy does not know yet.
//
// Wire form (ASCII, fields separated by dots):
//
//	PU1.<key id>.<code>.<centre>.<campaign>.<parcel kind>.<YYYYMMDD>.<YYYYMMDD>.<signature>
//
// The signature is Ed25519 over every byte before the last dot, in unpadded
// base64url.
type SignedCode struct {
	KeyID      string
	Code       Code
	CentreID   string
	CampaignID string
	ParcelKind string
	Window     Window
	Sig        []byte
	message    string // the signed bytes, kept from parsing
}

// ErrBadSignature is returned for a signed payload that is malformed, made
// with an unknown key, or whose signature does not verify.
var ErrBadSignature = errors.New("bad signature")

// ErrRevoked is returned by Keyring.Verify for a code on the revoked list.
var ErrRevoked = errors.New("code revoked")

// ValidID reports whether s may be used as an identifier (centre, campaign,
// parcel kind, key id): 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.
func ValidID(s string) bool {
	return len(s) > 0 && len(s) <= 64 && AlnumOr(s, "_-")
}

func compactDate(d Date) string { return fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day) }

func parseCompactDate(s string) (Date, error) {
	if len(s) != 8 {
		return Date{}, fmt.Errorf("date %q", s)
	}
	return ParseDate(s[0:4] + "-" + s[4:6] + "-" + s[6:8])
}

func (s SignedCode) messageText() string {
	return strings.Join([]string{SignedPrefix, s.KeyID, string(s.Code), s.CentreID, s.CampaignID, s.ParcelKind,
		compactDate(s.Window.Start), compactDate(s.Window.End)}, ".")
}

// Sign returns the wire form of s signed with priv under s.KeyID.
func Sign(priv ed25519.PrivateKey, s SignedCode) (string, error) {
	for _, id := range []string{s.KeyID, s.CentreID, s.CampaignID, s.ParcelKind} {
		if !ValidID(id) {
			return "", fmt.Errorf("sign code: invalid identifier %q", id)
		}
	}
	if _, err := ParseCode(string(s.Code)); err != nil {
		return "", fmt.Errorf("sign code: %w", err)
	}
	if !s.Window.Valid() {
		return "", errors.New("sign code: invalid window")
	}
	msg := s.messageText()
	sig := ed25519.Sign(priv, []byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// Scan is what a scanner, a QR code or the keyboard gave: always a code, and
// for a signed payload the parsed (not yet verified) signed code.
type Scan struct {
	Code   Code
	Signed *SignedCode
}

// ParseScan accepts a bare code (in any of the forgiving forms ParseCode
// takes) or a signed payload. A bare code error is a *CodeError; a signed
// payload that is malformed wraps ErrBadSignature.
func ParseScan(text string) (Scan, error) {
	text = strings.TrimSpace(text)
	if len(text) > MaxScanLen {
		// Not a typo: no code or registry payload is that long (another
		// QR code was scanned, or a scanner sent garbage).
		return Scan{}, &CodeError{Input: text[:64], Reason: "too_long", Got: len(text)}
	}
	if len(text) >= len(SignedPrefix)+1 && strings.EqualFold(text[:len(SignedPrefix)+1], SignedPrefix+".") {
		sc, err := parseSigned(text)
		if err != nil {
			return Scan{}, err
		}
		return Scan{Code: sc.Code, Signed: &sc}, nil
	}
	c, err := ParseCode(text)
	if err != nil {
		return Scan{}, err
	}
	return Scan{Code: c}, nil
}

func parseSigned(text string) (SignedCode, error) {
	parts := strings.Split(text, ".")
	if len(parts) != 9 || parts[0] != SignedPrefix {
		return SignedCode{}, fmt.Errorf("%w: malformed payload", ErrBadSignature)
	}
	var s SignedCode
	s.KeyID, s.CentreID, s.CampaignID, s.ParcelKind = parts[1], parts[3], parts[4], parts[5]
	for _, id := range []string{s.KeyID, s.CentreID, s.CampaignID, s.ParcelKind} {
		if !ValidID(id) {
			return SignedCode{}, fmt.Errorf("%w: malformed identifier", ErrBadSignature)
		}
	}
	// The code inside a signed payload must already be canonical.
	c, err := ParseCode(parts[2])
	if err != nil || string(c) != parts[2] {
		return SignedCode{}, fmt.Errorf("%w: malformed code", ErrBadSignature)
	}
	s.Code = c
	if s.Window.Start, err = parseCompactDate(parts[6]); err != nil {
		return SignedCode{}, fmt.Errorf("%w: malformed window", ErrBadSignature)
	}
	if s.Window.End, err = parseCompactDate(parts[7]); err != nil || !s.Window.Valid() {
		return SignedCode{}, fmt.Errorf("%w: malformed window", ErrBadSignature)
	}
	s.Sig, err = base64.RawURLEncoding.DecodeString(parts[8])
	if err != nil || len(s.Sig) != ed25519.SignatureSize {
		return SignedCode{}, fmt.Errorf("%w: malformed signature", ErrBadSignature)
	}
	s.message = text[:strings.LastIndexByte(text, '.')]
	return s, nil
}

// Keyring holds the registry's public keys a terminal trusts, by key id
// (several at once during a rotation), and the codes the registry revoked.
type Keyring struct {
	Keys    map[string]ed25519.PublicKey
	Revoked map[Code]bool
}

// Verify checks s's signature against the key it names, and the revoked
// list. The error wraps ErrBadSignature or ErrRevoked.
func (k Keyring) Verify(s SignedCode) error {
	pub, ok := k.Keys[s.KeyID]
	if !ok || len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: unknown key %q", ErrBadSignature, s.KeyID)
	}
	msg := s.message
	if msg == "" {
		msg = s.messageText()
	}
	if !ed25519.Verify(pub, []byte(msg), s.Sig) {
		return fmt.Errorf("%w: signature does not verify", ErrBadSignature)
	}
	if k.Revoked[s.Code] {
		return ErrRevoked
	}
	return nil
}

// KeyID derives a short, stable key id from a public key: "k" followed by
// the 32-bit FNV-1a hash of the key bytes in base 36.
func KeyID(pub ed25519.PublicKey) string {
	var sum uint32 = 2166136261
	for _, b := range pub {
		sum ^= uint32(b)
		sum *= 16777619
	}
	return "k" + strconv.FormatUint(uint64(sum), 36)
}
