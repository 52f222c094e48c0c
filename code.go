package pickup

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Alphabet is Crockford's base32 alphabet used by pickup codes.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// CodeLen is the length of a canonical code: 15 random characters (75 bits)
// followed by one Luhn mod 32 check character.
const CodeLen = 16

// Code is a pickup code in canonical form: 16 characters of Alphabet,
// without separators. The zero value is not a valid code.
type Code string

// ErrInvalidCode is wrapped by every CodeError, for callers that only need
// to know that the input is not a pickup code.
var ErrInvalidCode = errors.New("invalid pickup code")

// CodeError says why a typed or scanned text is not a pickup code.
type CodeError struct {
	Input  string // the text as given, truncated to 64 bytes
	Reason string // "empty", "length", "character", "check" or "too_long" (not a code at all)
	Pos    int    // 1-based position of the bad character, for "character"
	Got    int    // number of code characters found, for "length"
}

func (e *CodeError) Error() string {
	switch e.Reason {
	case "empty":
		return "invalid pickup code: empty"
	case "length":
		return fmt.Sprintf("invalid pickup code: %d characters, want %d", e.Got, CodeLen)
	case "character":
		return fmt.Sprintf("invalid pickup code: character %d is not allowed", e.Pos)
	case "too_long":
		return fmt.Sprintf("not a pickup code: %d characters scanned, more than any code or registry QR code holds", e.Got)
	default:
		return "invalid pickup code: check character does not match (typo?)"
	}
}

// Unwrap lets errors.Is(err, ErrInvalidCode) match.
func (e *CodeError) Unwrap() error { return ErrInvalidCode }

var alphaIndex = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(Alphabet); i++ {
		c := Alphabet[i]
		t[c] = int8(i)
		if c >= 'A' && c <= 'Z' {
			t[c+'a'-'A'] = int8(i)
		}
	}
	// Confusable letters, in both cases.
	for _, p := range [][2]byte{{'O', '0'}, {'o', '0'}, {'I', '1'}, {'i', '1'}, {'L', '1'}, {'l', '1'}} {
		t[p[0]] = int8(p[1] - '0')
	}
	return t
}()

// CheckChar returns the Luhn mod 32 check character for a payload written in
// Alphabet. It panics on a character outside Alphabet: callers pass
// normalised text.
func CheckChar(payload string) byte {
	const n = len(Alphabet)
	factor := 2
	sum := 0
	for i := len(payload) - 1; i >= 0; i-- {
		cp := int(alphaIndex[payload[i]])
		if cp < 0 {
			panic("pickup: CheckChar on non-alphabet character")
		}
		addend := factor * cp
		if factor == 2 {
			factor = 1
		} else {
			factor = 2
		}
		addend = addend/n + addend%n
		sum += addend
	}
	return Alphabet[(n-sum%n)%n]
}

// validCheck reports whether a normalised code's last character is its
// Luhn mod 32 check character.
func validCheck(s string) bool {
	const n = len(Alphabet)
	factor := 1
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		addend := factor * int(alphaIndex[s[i]])
		if factor == 2 {
			factor = 1
		} else {
			factor = 2
		}
		sum += addend/n + addend%n
	}
	return sum%n == 0
}

// NewCode draws a fresh code from r (crypto/rand.Reader when r is nil).
func NewCode(r io.Reader) (Code, error) {
	s, err := DrawChecked(r, CodeLen)
	if err != nil {
		return "", fmt.Errorf("draw code: %w", err)
	}
	return Code(s), nil
}

// DrawChecked draws n-1 characters of Alphabet from r (crypto/rand.Reader
// when r is nil), one byte each, and appends their CheckChar: a code's or
// an enrolment token's shape. n must be at least 1.
func DrawChecked(r io.Reader, n int) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	buf := make([]byte, n-1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(n)
	for _, c := range buf {
		b.WriteByte(Alphabet[c&31])
	}
	payload := b.String()
	return payload + string(CheckChar(payload)), nil
}

// ParseCode normalises a typed or scanned code: case, spaces, dashes and the
// confusable letters O, I and L are forgiven; anything else, a wrong length
// or a wrong check character is a *CodeError.
func ParseCode(s string) (Code, error) {
	in := s
	if len(in) > 64 {
		in = in[:64]
	}
	var out [CodeLen]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '-', '\t', '\r', '\n', '_', '.':
			continue
		}
		v := alphaIndex[c]
		if v < 0 {
			return "", &CodeError{Input: in, Reason: "character", Pos: n + 1}
		}
		if n < CodeLen {
			out[n] = Alphabet[v]
		}
		n++
	}
	switch {
	case n == 0:
		return "", &CodeError{Input: in, Reason: "empty"}
	case n != CodeLen:
		return "", &CodeError{Input: in, Reason: "length", Got: n}
	}
	if !validCheck(string(out[:])) {
		return "", &CodeError{Input: in, Reason: "check"}
	}
	return Code(out[:]), nil
}

// String prints the code as four groups of four: 7KQ4-M2XD-9PZC-H3W8.
func (c Code) String() string {
	if len(c) != CodeLen {
		return string(c)
	}
	s := string(c)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// Masked returns the code with all but its last four characters hidden, for
// logs and screens that must not show a whole code.
func (c Code) Masked() string {
	if len(c) < 4 {
		return "****"
	}
	return "****-****-****-" + string(c[len(c)-4:])
}
