package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// writeXLSX writes a workbook with a sheet per section: the report's title
// lines, the section's title (and note), its header and rows, numbers as
// number cells (whole numbers grouped by thousands, shares with one
// decimal, as the spreadsheet's locale shows them); the hours sheet holds
// a column chart of them.
func writeXLSX(w io.Writer, d *doc) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDDDDD"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	whole, err := f.NewStyle(&excelize.Style{NumFmt: 3})
	if err != nil {
		return err
	}
	oneDec := "0.0"
	share, err := f.NewStyle(&excelize.Style{CustomNumFmt: &oneDec})
	if err != nil {
		return err
	}
	wholeBold, err := f.NewStyle(&excelize.Style{NumFmt: 3, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	shareBold, err := f.NewStyle(&excelize.Style{CustomNumFmt: &oneDec, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, s := range d.sections {
		name := sheetName(s.sheet, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		set := func(col, row int, v any, style int) error {
			ref, err := excelize.CoordinatesToCellName(col, row)
			if err != nil {
				return err
			}
			if err := f.SetCellValue(name, ref, v); err != nil {
				return err
			}
			if style != 0 {
				return f.SetCellStyle(name, ref, ref, style)
			}
			return nil
		}
		row := 1
		for j, line := range []string{d.title, d.subtitle, d.made} {
			st := 0
			if j == 0 {
				st = title
			}
			if err := set(1, row, line, st); err != nil {
				return err
			}
			row++
		}
		row++
		if err := set(1, row, s.title, bold); err != nil {
			return err
		}
		row++
		if s.note != "" {
			if err := set(1, row, s.note, 0); err != nil {
				return err
			}
			row++
		}
		for c, h := range s.header {
			if err := set(c+1, row, h, head); err != nil {
				return err
			}
		}
		headRow := row
		row++
		if len(s.rows) == 0 && s.empty != "" {
			if err := set(1, row, s.empty, 0); err != nil {
				return err
			}
		}
		firstRow := row
		for r, cells := range s.rows {
			last := s.total && r == len(s.rows)-1
			for c, v := range cells {
				st := 0
				switch {
				case !v.isNum && last:
					st = bold
				case v.share && last:
					st = shareBold
				case v.share:
					st = share
				case v.isNum && last:
					st = wholeBold
				case v.isNum:
					st = whole
				}
				var val any = v.text
				if v.isNum {
					val = v.num
					if !v.share {
						val = int(v.num)
					}
				}
				if err := set(c+1, row, val, st); err != nil {
					return err
				}
			}
			row++
		}
		// Widths: the first column fits its longest text, the others their header.
		width := 12.0
		for _, cells := range s.rows {
			if len(cells) > 0 && !cells[0].isNum {
				width = max(width, float64(utf8.RuneCountInString(cells[0].text))+2)
			}
		}
		if err := f.SetColWidth(name, "A", "A", min(width, 60)); err != nil {
			return err
		}
		if len(s.header) > 1 {
			last, _ := excelize.ColumnNumberToName(len(s.header))
			if err := f.SetColWidth(name, "B", last, 17); err != nil {
				return err
			}
		}
		if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: headRow, TopLeftCell: fmt.Sprintf("A%d", headRow+1), ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if s.chart {
			end := firstRow + 23 // the 24 hours, not the total
			q := quoteSheet(name)
			if err := f.AddChart(name, "D"+fmt.Sprint(headRow), &excelize.Chart{
				Type: excelize.Col,
				Series: []excelize.ChartSeries{{Name: q + "!$B$" + fmt.Sprint(headRow),
					Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q, firstRow, end), Values: fmt.Sprintf("%s!$B$%d:$B$%d", q, firstRow, end)}},
				Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s.title}}},
				Legend:    excelize.ChartLegend{Position: "none"},
				Dimension: excelize.ChartDimension{Width: 720, Height: 360},
			}); err != nil {
				return fmt.Errorf("hours chart: %w", err)
			}
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: d.title, Creator: "pickup", Created: d.rep.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z")}); err != nil {
		return err
	}
	return f.Write(w)
}

// sheetName makes a valid sheet name of s (at most 31 characters, none
// of : \ / ? * [ ]), unique among used.
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = strings.TrimSpace(string(r[:31]))
	}
	base := s
	for n := 2; used[strings.ToLower(s)]; n++ {
		suffix := fmt.Sprintf(" %d", n)
		r := []rune(base)
		s = string(r[:min(len(r), 31-len(suffix))]) + suffix
	}
	used[strings.ToLower(s)] = true
	return s
}

// quoteSheet quotes a sheet name for a formula reference.
func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }
