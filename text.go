package pickup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanName removes from a display name what would disguise it at the
// counter or in a log: control characters (NUL included), bidirectional
// controls (U+202E turns "Anne" into "ennA"), zero-width and other
// invisible format characters; runs of white space become one space.
func CleanName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == unicode.ReplacementChar, unicode.IsControl(r) && !unicode.IsSpace(r), unicode.Is(unicode.Cf, r),
			r >= 0x2028 && r <= 0x2029:
			continue // invisible or disguising: dropped
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MaxCSVLine bounds one line of a CSV file a terminal or the registry
// reads (a 1 GB line once took 5 GB of memory).
const MaxCSVLine = 64 << 10

// ErrLineTooLong is the error of a CSV line over MaxCSVLine.
var ErrLineTooLong = fmt.Errorf("line longer than %d bytes", MaxCSVLine)

// BoundLines returns a reader of r that fails with a *RowError wrapping
// ErrLineTooLong as soon as a line grows over max bytes, so that a reader
// above it never holds more than that.
func BoundLines(r io.Reader, max int) io.Reader {
	return &lineBound{r: bufio.NewReaderSize(r, 64<<10), max: max, line: 1}
}

type lineBound struct {
	r    *bufio.Reader
	max  int
	n    int // bytes of the current line so far
	line int
	err  error
}

func (l *lineBound) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.n, l.line = 0, l.line+1
			continue
		}
		if l.n++; l.n > l.max {
			l.err = &RowError{Line: l.line, Err: ErrLineTooLong}
			return i, l.err
		}
	}
	return n, err
}

// formulaStart are the first characters a spreadsheet takes for a formula.
const formulaStart = "=+-@\t\r"

// EscapeCSVField makes a field safe to open in a spreadsheet: one that
// would start a formula (=HYPERLINK(…), +cmd|…, @SUM…) gets a leading
// apostrophe, which spreadsheets show as text and UnescapeCSVField removes.
func EscapeCSVField(s string) string {
	if s != "" && (strings.IndexByte(formulaStart, s[0]) >= 0 || s[0] == '\'' && len(s) > 1 && strings.IndexByte(formulaStart, s[1]) >= 0) {
		return "'" + s
	}
	return s
}

// UnescapeCSVField undoes EscapeCSVField.
func UnescapeCSVField(s string) string {
	if len(s) > 1 && s[0] == '\'' && (strings.IndexByte(formulaStart, s[1]) >= 0 || s[1] == '\'') {
		return s[1:]
	}
	return s
}

// IsLineTooLong reports whether err comes from BoundLines.
func IsLineTooLong(err error) bool { return errors.Is(err, ErrLineTooLong) }

// MaxNoteLen bounds a review note, in bytes.
const MaxNoteLen = 2000

// ErrBadNote refuses a review note: empty, too long, or with control
// characters.
var ErrBadNote = errors.New("bad note")

// CleanNote returns a review note as it is kept: line ends as "\n",
// spaces trimmed at both ends; it refuses an empty note, one longer than
// MaxNoteLen bytes, invalid UTF-8, control characters other than line
// ends and invisible format characters (bidirectional controls).
func CleanNote(s string) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case s == "":
		return "", fmt.Errorf("%w: empty", ErrBadNote)
	case len(s) > MaxNoteLen:
		return "", fmt.Errorf("%w: longer than %d bytes", ErrBadNote, MaxNoteLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 && r != '\n' || r == 0x7f || unicode.Is(unicode.Cf, r)
	}):
		return "", fmt.Errorf("%w: control characters", ErrBadNote)
	}
	return s, nil
}

// AlnumOr reports whether every byte of s is an ASCII letter or digit or
// one of the bytes of extra: the alphabet of identifiers, host names and
// version strings.
func AlnumOr(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// Unprintable reports whether r would act on what shows it rather than
// show: a control character other than tab, line end and carriage
// return, DEL, a C1 control, or an invisible format character (the
// bidirectional overrides and isolates, zero-width characters; not the
// byte-order mark).
func Unprintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	}
	return unicode.Is(unicode.Cf, r) && r != '\ufeff'
}
