package pickup

import (
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
		{"control character", header + strings.Replace(good, ",A,", ",A\x01,", 1), 2},
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
