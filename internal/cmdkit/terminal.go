package cmdkit

import (
	"io"
	"os"
	"sync"
	"unicode/utf8"

	"github.com/pickup-terminal/pickup"
)

// ForTerminal returns w as the programs print to it: when w is a terminal,
// a writer that shows the characters that would drive the terminal as
// U+FFFD — escape sequences, other control characters but tab, line end
// and carriage return, DEL, C1 controls, and the invisible format
// characters (bidirectional overrides, zero-width) — so that text from
// elsewhere (a counter's stock reason, a name a peer gives, a glove size
// in a stolen terminal's fact) cannot move the cursor, retitle the window
// or reorder what the technician reads. A file or a pipe gets the bytes as
// they are (a CSV keeps its BOM and line ends).
func ForTerminal(w io.Writer) io.Writer {
	f, ok := w.(*os.File)
	if !ok {
		return w
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return w
	}
	return &safeWriter{w: w}
}

// safeWriter replaces unsafe characters (see ForTerminal) on their way to
// w. A character split across two writes is held back until it is whole.
// It is safe for concurrent use (a command's logs and its output share
// standard error).
type safeWriter struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte // the start of a character the last write cut
	out     []byte
}

func (s *safeWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := p
	if len(s.pending) > 0 {
		in = append(s.pending, p...)
		s.pending = nil
	}
	s.out = s.out[:0]
	for len(in) > 0 {
		r, n := utf8.DecodeRune(in)
		if r == utf8.RuneError && n == 1 && !utf8.FullRune(in) && len(in) < utf8.UTFMax {
			s.pending = append(s.pending[:0], in...) // completed by the next write
			break
		}
		if r != utf8.RuneError && pickup.Unprintable(r) {
			s.out = utf8.AppendRune(s.out, utf8.RuneError)
		} else {
			s.out = append(s.out, in[:n]...)
		}
		in = in[n:]
	}
	if _, err := s.w.Write(s.out); err != nil {
		return 0, err
	}
	return len(p), nil
}
