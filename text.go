package pickup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
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
