package report

import (
	"io"
	"strconv"

	"github.com/pickup-terminal/pickup"
)

// writeCSV writes the sections one under the other, as Belgian Excel
// opens them: UTF-8 with a byte-order mark, ';' between fields, decimal
// commas, whole numbers without grouping (so that they stay numbers), text
// that could start a formula escaped. Each section is its title row, its
// header row, its rows and a blank row.
func writeCSV(w io.Writer, d *doc) error {
	cw, err := pickup.NewExcelCSV(w)
	if err != nil {
		return err
	}
	esc := pickup.EscapeCSVField
	cw.Write([]string{esc(d.title)})
	cw.Write([]string{esc(d.subtitle)})
	cw.Write([]string{esc(d.made)})
	for _, s := range d.sections {
		cw.Write(nil)
		cw.Write([]string{esc(s.title)})
		if s.note != "" {
			cw.Write([]string{esc(s.note)})
		}
		head := make([]string, len(s.header))
		for i, h := range s.header {
			head[i] = esc(h)
		}
		cw.Write(head)
		if len(s.rows) == 0 || s.total && len(s.rows) == 1 && d.rep.Handovers == 0 {
			if s.empty != "" {
				cw.Write([]string{esc(s.empty)})
			}
		}
		for _, row := range s.rows {
			rec := make([]string, len(row))
			for i, c := range row {
				switch {
				case !c.isNum:
					rec[i] = esc(c.text)
				case c.share:
					rec[i] = pickup.DecimalComma(c.num, 1)
				default:
					rec[i] = strconv.Itoa(int(c.num))
				}
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}
