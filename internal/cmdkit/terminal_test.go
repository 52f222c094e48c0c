package cmdkit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// safeCases: what a terminal is shown of what is written.
var safeCases = []struct {
	name, in, want string
}{
	{"plain", "Gloves M  20 000\tok\r\n", "Gloves M  20 000\tok\r\n"},
	{"accents and symbols", "Émilie Dupré — ✔ 3 décembre\n", "Émilie Dupré — ✔ 3 décembre\n"},
	{"escape sequence", "box \x1b[2J\x1b]0;owned\x07 damaged", "box \uFFFD[2J\uFFFD]0;owned\uFFFD damaged"},
	{"C1 CSI", "a\u009b31mb", "a\uFFFD31mb"},
	{"bidi override", "Counter\u202e1 tnuoc", "Counter\uFFFD1 tnuoc"},
	{"zero width", "co\u200bde", "co\uFFFDde"},
	{"DEL and NUL", "a\x7fb\x00c", "a\uFFFDb\uFFFDc"},
	{"BOM kept", "\ufeffday;centre\r\n", "\ufeffday;centre\r\n"},
}

// What a terminal is shown: the characters that would drive it replaced,
// the rest as written, whatever the writes' cuts.
func TestSafeWriter(t *testing.T) {
	t.Parallel()
	for _, tc := range safeCases {
		for cut := 0; cut <= len(tc.in); cut++ {
			var out bytes.Buffer
			w := &safeWriter{w: &out}
			for _, part := range []string{tc.in[:cut], tc.in[cut:]} {
				if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
					t.Fatalf("%s: Write(%q) = %d, %v", tc.name, part, n, err)
				}
			}
			if got := out.String(); got != tc.want {
				t.Errorf("%s, cut at %d: %q, want %q", tc.name, cut, got, tc.want)
			}
		}
	}
}

// A file or a pipe gets the bytes as they are.
func TestForTerminalLeavesFilesAlone(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "out.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if w := ForTerminal(f); w != f {
		t.Errorf("ForTerminal(a file) = %T, want the file", w)
	}
	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer pw.Close()
	if w := ForTerminal(pw); w != pw {
		t.Errorf("ForTerminal(a pipe) = %T, want the pipe", w)
	}
	var buf bytes.Buffer
	if w := ForTerminal(&buf); w != &buf {
		t.Errorf("ForTerminal(a buffer) = %T, want the buffer", w)
	}
}

// Writes from several goroutines (a command's logs and its output) each
// arrive whole.
func TestSafeWriterConcurrent(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := &safeWriter{w: &out}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				w.Write([]byte("Émilie \x1b[2J\n"))
			}
		})
	}
	wg.Wait()
	if got, want := out.String(), strings.Repeat("Émilie \uFFFD[2J\n", 800); got != want {
		t.Errorf("%d bytes written, want %d, each line whole", len(got), len(want))
	}
}
