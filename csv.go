package pickup

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PickupCSVColumns are the columns of a pickup list, in the order the
// registry writes them. Readers find them by header name; extra columns are
// ignored, except an optional "status" and "campaign_id".
var PickupCSVColumns = []string{"code", "name", "profession", "parcel_kind", "centre_id", "window_start", "window_end"}

// MaxNameLen bounds a display name or profession in a pickup list.
const MaxNameLen = 200

// RowError reports a bad row of an imported CSV file (a pickup list, the
// registry's centres and requests) by its line number.
type RowError struct {
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the row's error.
func (e *RowError) Unwrap() error { return e.Err }

// ReadPickupCSV reads a pickup list (UTF-8 CSV with a header row) and calls
// fn for each row in order. It stops at the first bad row with a *RowError
// naming its line, or at the first error fn returns.
//
// Lines are bounded (MaxCSVLine); names and professions are cleaned of
// control, direction and invisible characters (CleanName) and of the
// formula escape WritePickupCSVRow adds.
func ReadPickupCSV(r io.Reader, fn func(line int, p Pickup) error) error {
	return ReadCSV(r, PickupCSVColumns, func(line int, field func(string) string) error {
		p, err := pickupFromFields(field)
		if err == nil {
			p.Status, err = parseStatus(field("status"))
		}
		if id := field("campaign_id"); err == nil && id != "" {
			if !ValidID(id) {
				err = fmt.Errorf("campaign_id %q invalid", id)
			}
			p.CampaignID = id
		}
		if err != nil {
			return &RowError{Line: line, Err: err}
		}
		return fn(line, p)
	})
}

// ErrSemicolonCSV says a file read as CSV separates its columns with ';'
// (as Excel writes CSV in Belgium and France) where ',' is wanted.
var ErrSemicolonCSV = errors.New("this file uses ';' between columns, not ','")

// ErrStopCSV, returned by a row function of ScanCSV, ends the reading
// early without an error.
var ErrStopCSV = errors.New("stop reading")

// ReadCSV reads a UTF-8 CSV file with a header row (a byte-order mark
// allowed), finding columns by name, case-insensitive; extra columns are
// ignored. A missing required column, a line that does not parse or a line
// longer than MaxCSVLine (nothing after it can be trusted) is a *RowError.
// fn is called per row with its line number and the trimmed text of a
// named column ("" for a column the file or the row lacks); ReadCSV stops
// at the first error fn returns.
func ReadCSV(r io.Reader, required []string, fn func(line int, field func(name string) string) error) error {
	return ScanCSV(r, required, fn, func(line int, err error) error { return &RowError{Line: line, Err: err} })
}

// ScanCSV is ReadCSV that hands a line that does not parse (a stray
// quote) to bad and goes on with the next row unless bad returns an
// error. fn or bad returning ErrStopCSV stops quietly. A header that is
// not right is a *RowError of line 1.
func ScanCSV(r io.Reader, required []string, fn func(line int, field func(name string) string) error, bad func(line int, err error) error) error {
	cr := csv.NewReader(BoundLines(r, MaxCSVLine))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &RowError{Line: 1, Err: errors.New("empty file: want a header row " + strings.Join(required, ","))}
	}
	if err != nil {
		return &RowError{Line: 1, Err: fmt.Errorf("header: %w", err)}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, c := range required {
		if _, ok := col[c]; !ok {
			if len(header) == 1 && strings.Count(header[0], ";") >= len(required)-1 {
				return &RowError{Line: 1, Err: fmt.Errorf("%w: save it as CSV with commas (in Excel: \"CSV UTF-8 (comma delimited)\"), or export the list again from the registry; the columns are %s",
					ErrSemicolonCSV, strings.Join(required, ","))}
			}
			return &RowError{Line: 1, Err: fmt.Errorf("header lacks column %q (want %s)", c, strings.Join(required, ","))}
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			var re *RowError
			switch {
			case errors.As(err, &re):
				return re // a line over the bound
			case !errors.As(err, &pe):
				return err
			}
			err = bad(pe.Line, pe.Err)
		} else {
			line, _ := cr.FieldPos(0)
			err = fn(line, func(name string) string {
				i, ok := col[name]
				if !ok || i >= len(rec) {
					return ""
				}
				return strings.TrimSpace(rec[i])
			})
		}
		if errors.Is(err, ErrStopCSV) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func parseStatus(s string) (Status, error) {
	switch Status(s) {
	case "", StatusExpected:
		return StatusExpected, nil
	case StatusCollected, StatusCancelled:
		return Status(s), nil
	}
	return "", fmt.Errorf("status %q: want expected, collected or cancelled", s)
}

func pickupFromFields(field func(string) string) (Pickup, error) {
	var p Pickup
	code, err := ParseCode(field("code"))
	if err != nil {
		return p, fmt.Errorf("code: %w", err)
	}
	p.Code = code
	if !utf8.ValidString(field("name")) || !utf8.ValidString(field("profession")) {
		return p, errors.New("name or profession is not UTF-8")
	}
	p.Name, p.Profession = CleanName(UnescapeCSVField(field("name"))), CleanName(UnescapeCSVField(field("profession")))
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"profession", p.Profession}} {
		switch {
		case f.v == "":
			return p, fmt.Errorf("%s is empty", f.name)
		case len(f.v) > MaxNameLen:
			return p, fmt.Errorf("%s longer than %d bytes", f.name, MaxNameLen)
		case !utf8.ValidString(f.v):
			return p, fmt.Errorf("%s is not UTF-8", f.name)
		case strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return p, fmt.Errorf("%s has control characters", f.name)
		}
	}
	p.ParcelKind, p.CentreID = field("parcel_kind"), field("centre_id")
	if !ValidID(p.ParcelKind) {
		return p, fmt.Errorf("parcel_kind %q invalid", p.ParcelKind)
	}
	if !ValidID(p.CentreID) {
		return p, fmt.Errorf("centre_id %q invalid", p.CentreID)
	}
	if p.Window.Start, err = ParseDate(field("window_start")); err != nil {
		return p, fmt.Errorf("window_start: %w", err)
	}
	if p.Window.End, err = ParseDate(field("window_end")); err != nil {
		return p, fmt.Errorf("window_end: %w", err)
	}
	if p.Window.End.Before(p.Window.Start) {
		return p, fmt.Errorf("window_end %s before window_start %s", p.Window.End, p.Window.Start)
	}
	p.Status = StatusExpected
	return p, nil
}

// WritePickupCSVHeader writes the header of a pickup list, with status.
func WritePickupCSVHeader(w *csv.Writer) error {
	return w.Write(append(append([]string{}, PickupCSVColumns...), "status"))
}

// WritePickupCSVRow writes one pickup as a row under WritePickupCSVHeader;
// a name that would start a spreadsheet formula is escaped
// (EscapeCSVField), and read back as it was by ReadPickupCSV.
func WritePickupCSVRow(w *csv.Writer, p Pickup) error {
	return w.Write([]string{p.Code.String(), EscapeCSVField(p.Name), EscapeCSVField(p.Profession), p.ParcelKind, p.CentreID,
		p.Window.Start.String(), p.Window.End.String(), string(p.Status)})
}

// ExcelBOM starts the CSV files written for spreadsheets, so that Excel
// reads them as UTF-8.
const ExcelBOM = "\ufeff"

// NewExcelCSV starts a CSV file as Belgian Excel opens it: it writes the
// byte-order mark and returns a writer with ';' between fields and CRLF
// line ends. Text fields a spreadsheet could take for a formula go through
// EscapeCSVField; decimals through DecimalComma.
func NewExcelCSV(w io.Writer) (*csv.Writer, error) {
	if _, err := io.WriteString(w, ExcelBOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	return cw, nil
}

// DecimalComma prints v with prec decimals and a decimal comma (12,5), as
// Belgian Excel reads a number.
func DecimalComma(v float64, prec int) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', prec, 64), ".", ",", 1)
}
