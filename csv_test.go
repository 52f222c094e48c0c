package pickup

import (
	csvpkg "encoding/csv"
	"errors"
	"strings"
	"testing"
)

func TestReadPickupCSV(t *testing.T) {
	t.Parallel()
	c1, c2 := mustCode(t, 1), mustCode(t, 2)
	in := "\ufeffname,code,profession,parcel_kind,centre_id,window_start,window_end,extra\n" +
		"Anne Peeters," + c1.String() + ",physiotherapist,close_contact,bru,2020-11-09,2021-01-08,x\n" +
		"\"Dupont, Jean\"," + strings.ToLower(string(c2)) + ",pharmacist,masks_only,gent,2020-12-07,2021-01-08,y\n"
	var got []Pickup
	var lines []int
	err := ReadPickupCSV(strings.NewReader(in), func(line int, p Pickup) error {
		got = append(got, p)
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Code != c1 || got[1].Name != "Dupont, Jean" || got[1].Code != c2 || got[1].CentreID != "gent" {
		t.Fatalf("got %+v", got)
	}
	if lines[0] != 2 || lines[1] != 3 {
		t.Errorf("lines %v, want [2 3]", lines)
	}
	if got[0].Window.End.String() != "2021-01-08" || got[0].Status != StatusExpected {
		t.Errorf("row 1 = %+v", got[0])
	}
}

func TestReadPickupCSVBadRows(t *testing.T) {
	t.Parallel()
	c := mustCode(t, 1).String()
	header := "code,name,profession,parcel_kind,centre_id,window_start,window_end\n"
	good := c + ",A,physiotherapist,close_contact,bru,2020-11-09,2021-01-08\n"
	tests := []struct {
		name string
		in   string
		line int
	}{
		{"empty file", "", 1},
		{"missing column", "code,name\n", 1},
		{"typo in code", header + good + "A" + c[1:] + ",A,p,k,bru,2020-11-09,2021-01-08\n", 3},
		{"bad date", header + strings.Replace(good, "2021-01-08", "2021-01-32", 1), 2},
		{"end before start", header + strings.Replace(good, "2021-01-08", "2020-01-08", 1), 2},
		{"empty name", header + strings.Replace(good, ",A,", ",,", 1), 2},
		{"bad centre", header + strings.Replace(good, ",bru,", ",b r u,", 1), 2},
		{"bad quote", header + good + "\"x,A\n", 3},
		{"bad status", "code,name,profession,parcel_kind,centre_id,window_start,window_end,status\n" + strings.TrimSuffix(good, "\n") + ",lost\n", 2},
		{"name only of control characters", header + strings.Replace(good, ",A,", ",\x01\u202e\u200b,", 1), 2},
		{"line over MaxCSVLine", header + good + strings.Repeat("x", MaxCSVLine+1) + "\n", 3},
	}
	for _, tt := range tests {
		err := ReadPickupCSV(strings.NewReader(tt.in), func(int, Pickup) error { return nil })
		var re *RowError
		if !errors.As(err, &re) || re.Line != tt.line {
			t.Errorf("%s: err = %v, want a RowError at line %d", tt.name, err, tt.line)
		}
	}
}

func FuzzReadPickupCSV(f *testing.F) {
	c := string(Code("000000000000000") + Code(CheckChar("000000000000000")))
	f.Add("code,name,profession,parcel_kind,centre_id,window_start,window_end\n" + c + ",A,p,k,bru,2020-11-09,2021-01-08\n")
	f.Add("code\n\"")
	f.Fuzz(func(t *testing.T, in string) {
		n := 0
		err := ReadPickupCSV(strings.NewReader(in), func(line int, p Pickup) error {
			n++
			if _, err := ParseCode(string(p.Code)); err != nil || !p.Window.Valid() || !ValidID(p.CentreID) || p.Name == "" {
				t.Fatalf("accepted an invalid row at line %d: %+v", line, p)
			}
			return nil
		})
		var re *RowError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("error %v is not a RowError", err)
		}
	})
}

// TestNamesCleanedOfDisguisingCharacters: control, direction, zero-width
// and NUL characters are removed from names at import (U+202E showed
// "Anne" as "ennA" at the counter).
func TestNamesCleanedOfDisguisingCharacters(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Anne", "Anne"},
		{"\u202eAnne", "Anne"},
		{"An\u200bne", "Anne"},
		{"An\x00ne\x01", "Anne"},
		{"Anne  \u2066Dupont\u2069", "Anne Dupont"},
		{"Zoë Lefèvre", "Zoë Lefèvre"},
	}
	for _, tc := range tests {
		csv := "code,name,profession,parcel_kind,centre_id,window_start,window_end\n" +
			"ABCD-EFGH-JKMN-PQRT,\"" + tc.in + "\",nurse,close_contact,namur,2020-10-05,2020-12-31\n"
		code, _ := NewCode(nil)
		csv = strings.Replace(csv, "ABCD-EFGH-JKMN-PQRT", code.String(), 1)
		var got string
		err := ReadPickupCSV(strings.NewReader(csv), func(_ int, p Pickup) error { got = p.Name; return nil })
		if err != nil || got != tc.want {
			t.Errorf("name %q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestCSVFormulaInjectionEscaped: names that would run as spreadsheet
// formulas are written escaped and read back as they were.
func TestCSVFormulaInjectionEscaped(t *testing.T) {
	for _, name := range []string{`=HYPERLINK("http://x","y")`, "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "'=already", "Anne"} {
		code, _ := NewCode(nil)
		var b strings.Builder
		w := csvpkg.NewWriter(&b)
		WritePickupCSVHeader(w)
		WritePickupCSVRow(w, Pickup{Code: code, Name: name, Profession: "nurse", ParcelKind: "close_contact", CentreID: "namur",
			Window: Window{Start: Date{2020, 10, 5}, End: Date{2020, 12, 31}}, Status: StatusExpected})
		w.Flush()
		for _, rec := range strings.Split(b.String(), "\n")[1:] {
			f := strings.SplitN(rec, ",", 3)
			if len(f) > 1 && f[1] != "" && strings.ContainsRune("=+-@", rune(strings.TrimPrefix(f[1], `"`)[0])) {
				t.Errorf("name %q written as %q: a spreadsheet runs it", name, f[1])
			}
		}
		var got string
		if err := ReadPickupCSV(strings.NewReader(b.String()), func(_ int, p Pickup) error { got = p.Name; return nil }); err != nil || got != name {
			t.Errorf("name %q read back as %q, %v", name, got, err)
		}
	}
}

// TestSemicolonCSVSaysSo: a list saved by a Belgian Excel (';' between
// columns) is refused with what to do, not "header lacks column code".
func TestSemicolonCSVSaysSo(t *testing.T) {
	t.Parallel()
	in := "\ufeffcode;name;profession;parcel_kind;centre_id;window_start;window_end\r\nX;Y;Z;k;c;2020-11-09;2021-01-08\r\n"
	err := ReadPickupCSV(strings.NewReader(in), func(int, Pickup) error { return nil })
	var re *RowError
	if !errors.As(err, &re) || re.Line != 1 || !errors.Is(err, ErrSemicolonCSV) || !strings.Contains(err.Error(), "this file uses ';'") ||
		strings.Contains(err.Error(), "lacks") {
		t.Errorf("err = %v, want a line-1 error saying the file uses ';'", err)
	}
	// A header with commas but a column missing still names the column.
	err = ReadPickupCSV(strings.NewReader("code,name\n"), func(int, Pickup) error { return nil })
	if errors.Is(err, ErrSemicolonCSV) || err == nil || !strings.Contains(err.Error(), `lacks column "profession"`) {
		t.Errorf("comma header: err = %v", err)
	}
}

// unprintableCases: characters and whether they would act on a terminal
// or a label rather than show.
var unprintableCases = []struct {
	r    rune
	want bool
}{
	{'a', false}, {'é', false}, {'—', false}, {'✔', false}, {'\uFFFD', false},
	{'\t', false}, {'\n', false}, {'\r', false}, {'\ufeff', false},
	{0x00, true}, {0x07, true}, {0x1b, true}, {0x7f, true}, {0x9b, true},
	{'\u202e', true}, {'\u2066', true}, {'\u200b', true}, {'\u00ad', true},
}

func TestUnprintable(t *testing.T) {
	for _, tt := range unprintableCases {
		if got := Unprintable(tt.r); got != tt.want {
			t.Errorf("Unprintable(%U) = %v, want %v", tt.r, got, tt.want)
		}
	}
}
