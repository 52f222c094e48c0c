package pickup

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustCode(t testing.TB, seed byte) Code {
	t.Helper()
	c, err := NewCode(bytes.NewReader(bytes.Repeat([]byte{seed, seed * 7, seed + 3}, 8)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewCodeParses(t *testing.T) {
	t.Parallel()
	for i := range 200 {
		c, err := NewCode(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != CodeLen {
			t.Fatalf("NewCode() = %q, want %d characters", c, CodeLen)
		}
		got, err := ParseCode(c.String())
		if err != nil || got != c {
			t.Fatalf("round %d: ParseCode(%q) = %q, %v; want %q", i, c.String(), got, err, c)
		}
	}
}

func TestCheckCharKnown(t *testing.T) {
	t.Parallel()
	// Worked by hand: the rightmost payload character is doubled, a doubled
	// value ≥ 32 adds its two base-32 digits, the check makes the sum ≡ 0.
	tests := []struct{ payload, want string }{
		{"0", "0"},  // sum 0
		{"1", "Y"},  // 2 → 30 = Y
		{"G", "Z"},  // G=16: 32 → 1+0 = 1 → 31 = Z
		{"11", "X"}, // 2 + 1 = 3 → 29 = X
		{"Z1", "Z"}, // 1×2 = 2, Z = 31: 33 ≡ 1 → 31 = Z
	}
	for _, tt := range tests {
		if got := string(CheckChar(tt.payload)); got != tt.want {
			t.Errorf("CheckChar(%q) = %q, want %q", tt.payload, got, tt.want)
		}
	}
}

// Every single-character substitution of a valid code is caught.
func TestEverySingleTypoCaught(t *testing.T) {
	t.Parallel()
	for seed := byte(1); seed < 40; seed++ {
		c := string(mustCode(t, seed))
		for pos := range CodeLen {
			for _, r := range Alphabet {
				if byte(r) == c[pos] {
					continue
				}
				typo := c[:pos] + string(r) + c[pos+1:]
				_, err := ParseCode(typo)
				var ce *CodeError
				if !errors.As(err, &ce) || ce.Reason != "check" {
					t.Fatalf("ParseCode(%q) (typo of %q at %d) = %v, want a check error", typo, c, pos, err)
				}
			}
		}
	}
}

// Most adjacent transpositions are caught too (Luhn mod N misses only a few pairs).
func TestAdjacentTranspositions(t *testing.T) {
	t.Parallel()
	caught, total := 0, 0
	for seed := byte(1); seed < 100; seed++ {
		c := string(mustCode(t, seed))
		for pos := 0; pos+1 < CodeLen; pos++ {
			if c[pos] == c[pos+1] {
				continue
			}
			b := []byte(c)
			b[pos], b[pos+1] = b[pos+1], b[pos]
			total++
			if _, err := ParseCode(string(b)); err != nil {
				caught++
			}
		}
	}
	if rate := float64(caught) / float64(total); rate < 0.9 {
		t.Errorf("adjacent transpositions caught: %d/%d = %.2f, want ≥ 0.90", caught, total, rate)
	}
}

func TestParseCodeNormalises(t *testing.T) {
	t.Parallel()
	c := mustCode(t, 9)
	s := c.String()
	lower := strings.ToLower(s)
	// Confusables: put an O for a 0 and an I or L for a 1 where the code has them.
	conf := strings.NewReplacer("0", "O", "1", "l").Replace(string(c))
	tests := []struct{ name, in string }{
		{"grouped", s},
		{"bare", string(c)},
		{"lower", lower},
		{"spaces", strings.ReplaceAll(s, "-", " ")},
		{"padded", "  " + s + "\n"},
		{"confusables", conf},
		{"mixed separators", string(c[:4]) + " - " + string(c[4:8]) + "_" + string(c[8:])},
	}
	for _, tt := range tests {
		got, err := ParseCode(tt.in)
		if err != nil || got != c {
			t.Errorf("%s: ParseCode(%q) = %q, %v; want %q", tt.name, tt.in, got, err, c)
		}
	}
}

func TestParseCodeRejects(t *testing.T) {
	t.Parallel()
	c := string(mustCode(t, 5))
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", "empty"},
		{"only dashes", "----", "empty"},
		{"short", c[:15], "length"},
		{"long", c + "0", "length"},
		{"U is not Crockford", "U" + c[1:], "character"},
		{"punctuation", c[:5] + "!" + c[6:], "character"},
		{"unicode", c[:5] + "é" + c[7:], "character"},
	}
	for _, tt := range tests {
		_, err := ParseCode(tt.in)
		var ce *CodeError
		if !errors.As(err, &ce) || ce.Reason != tt.reason || !errors.Is(err, ErrInvalidCode) {
			t.Errorf("%s: ParseCode(%q) = %v, want reason %q", tt.name, tt.in, err, tt.reason)
		}
	}
}

func TestCodeString(t *testing.T) {
	t.Parallel()
	c := Code("7KQ4M2XD9PZCH3W8")
	if got, want := c.String(), "7KQ4-M2XD-9PZC-H3W8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := c.Masked(), "****-****-****-H3W8"; got != want {
		t.Errorf("Masked() = %q, want %q", got, want)
	}
}

func FuzzParseCode(f *testing.F) {
	f.Add("7KQ4-M2XD-9PZC-H3W8")
	f.Add(string(mustCode(f, 3)))
	f.Add("oIl0 ----")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidCode) {
				t.Fatalf("ParseCode(%q) error %v does not wrap ErrInvalidCode", s, err)
			}
			return
		}
		if len(c) != CodeLen || !validCheck(string(c)) {
			t.Fatalf("ParseCode(%q) = %q: not a valid canonical code", s, c)
		}
		again, err := ParseCode(c.String())
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %q, %v", c, again, err)
		}
	})
}
