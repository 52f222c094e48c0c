package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The PDF: A4 portrait, the Go fonts embedded (UTF-8: é, ü, −), the
// handovers per hour drawn as a bar chart, then each section as a table.

const (
	pageW, pageH = 210.0, 297.0
	margin       = 14.0
	bottom       = 16.0
	lineH        = 5.0
)

func writePDF(w io.Writer, d *doc) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, bottom)
	pdf.AliasNbPages("{nb}")
	pdf.SetTitle(d.title, true)
	pdf.SetCreator("pickup", true)
	pdf.SetCreationDate(d.rep.GeneratedAt)
	pdf.SetModificationDate(d.rep.GeneratedAt)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("go", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, d.made, "", 0, "L", false, 0, "")
		pdf.SetX(margin)
		pdf.CellFormat(0, 5, d.tr.T("report.page", "n", strconv.Itoa(pdf.PageNo()), "total", "{nb}"), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	pdf.SetFont("go", "B", 16)
	pdf.MultiCell(0, 7, d.title, "", "L", false)
	pdf.SetFont("go", "", 11)
	pdf.MultiCell(0, 6, d.subtitle, "", "L", false)
	pdf.Ln(3)
	for _, s := range d.sections {
		if s.chart {
			drawHours(pdf, d, s)
			continue
		}
		table(pdf, d, s)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return pdf.Output(w)
}

// sectionTitle prints a section's title (and note), starting a page when
// less than need millimetres are left under it.
func sectionTitle(pdf *fpdf.Fpdf, s section, need float64) {
	if pdf.GetY()+need+12 > pageH-bottom {
		pdf.AddPage()
	}
	pdf.Ln(2)
	pdf.SetFont("go", "B", 12)
	pdf.MultiCell(0, 6, s.title, "", "L", false)
	if s.note != "" {
		pdf.SetFont("go", "", 8.5)
		pdf.SetTextColor(60, 60, 60)
		pdf.MultiCell(0, 4.2, s.note, "", "L", false)
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.Ln(1)
}

// drawHours draws the handovers per hour as bars, with the count over
// each bar, between the first and the last hour with handovers (at least
// 08:00 to 18:00).
func drawHours(pdf *fpdf.Fpdf, d *doc, s section) {
	const chartH = 62.0
	sectionTitle(pdf, s, chartH+12)
	hours := d.rep.Hours
	first, last := 8, 17
	peak := 0
	for h, n := range hours {
		if n > 0 {
			first, last = min(first, h), max(last, h)
		}
		peak = max(peak, n)
	}
	x0, y0 := margin+10, pdf.GetY()+4
	w := pageW - 2*margin - 10
	barW := w / float64(last-first+1)
	base := y0 + chartH
	// Axis and grid lines at a round step.
	step := niceStep(peak)
	top := max(step, (peak+step-1)/step*step)
	pdf.SetFont("go", "", 7)
	pdf.SetDrawColor(210, 210, 210)
	for v := 0; v <= top; v += step {
		y := base - chartH*float64(v)/float64(top)
		pdf.Line(x0, y, x0+w, y)
		pdf.SetXY(margin-2, y-2)
		pdf.CellFormat(11, 4, d.tr.Number(v), "", 0, "R", false, 0, "")
	}
	pdf.SetFillColor(204, 0, 0) // Red Cross red
	for h := first; h <= last; h++ {
		x := x0 + float64(h-first)*barW
		n := hours[h]
		if n > 0 {
			bh := chartH * float64(n) / float64(top)
			pdf.Rect(x+barW*0.15, base-bh, barW*0.7, bh, "F")
			pdf.SetXY(x, base-bh-4.2)
			pdf.SetFont("go", "B", 7)
			pdf.CellFormat(barW, 4, d.tr.Number(n), "", 0, "C", false, 0, "")
		}
		pdf.SetFont("go", "", 7)
		pdf.SetXY(x, base+0.8)
		pdf.CellFormat(barW, 4, fmt.Sprintf("%02dh", h), "", 0, "C", false, 0, "")
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.Line(x0, base, x0+w, base)
	pdf.SetXY(margin, base+5)
	pdf.SetFont("go", "", 8.5)
	pdf.CellFormat(0, 5, d.tr.T("report.hour")+" · "+d.tr.T("report.handovers")+" · "+d.tr.T("report.total")+": "+d.tr.Number(d.rep.Handovers),
		"", 1, "L", false, 0, "")
	pdf.Ln(2)
}

// niceStep is a round step (1, 2, 5 × 10ⁿ) giving about five grid lines
// up to peak.
func niceStep(peak int) int {
	if peak <= 5 {
		return 1
	}
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			if s := m * mag; peak/s <= 5 {
				return s
			}
		}
	}
}

// table prints a section as a table: the first column takes what the
// others (numbers) leave.
func table(pdf *fpdf.Fpdf, d *doc, s section) {
	cols := len(s.header)
	full := pageW - 2*margin
	numW := 0.0
	if cols > 1 {
		numW = min(30, (full-40)/float64(cols-1))
		if cols == 2 {
			numW = 80 // a figure and its value: the value may be a name
		}
	}
	widths := make([]float64, cols)
	widths[0] = full - numW*float64(cols-1)
	for i := 1; i < cols; i++ {
		widths[i] = numW
	}
	numeric := make([]bool, cols) // a column of numbers: its header right-aligned
	for _, row := range s.rows {
		for i, c := range row {
			numeric[i] = numeric[i] || i > 0 && i < cols && c.isNum
		}
	}
	align := func(i int) string {
		if numeric[i] {
			return "R"
		}
		return "L"
	}
	headSize := 8.5
	if cols > 5 {
		headSize = 7.5 // narrow columns: whole words on each line
	}
	header := func() {
		// Each header's size: the largest (up to headSize) at which its
		// longest word fits its column (German compounds are long).
		sizes := make([]float64, cols)
		lines := 1
		for i, h := range s.header {
			sizes[i] = headSize
			for _, word := range strings.Fields(h) {
				for pdf.SetFont("go", "B", sizes[i]); sizes[i] > 5.5 && pdf.GetStringWidth(word) > widths[i]-1.5; {
					sizes[i] -= 0.5
					pdf.SetFont("go", "B", sizes[i])
				}
			}
			pdf.SetFont("go", "B", sizes[i])
			lines = max(lines, len(pdf.SplitText(h, widths[i]-1.5)))
		}
		hh := float64(lines)*3.8 + 1
		y := pdf.GetY()
		pdf.SetFillColor(225, 225, 225)
		pdf.Rect(margin, y, full, hh, "F")
		x := margin
		for i, h := range s.header {
			pdf.SetFont("go", "B", sizes[i])
			pdf.SetXY(x, y+0.5)
			pdf.MultiCell(widths[i], 3.8, h, "", align(i), false)
			x += widths[i]
		}
		pdf.SetXY(margin, y+hh)
	}
	sectionTitle(pdf, s, 20)
	header()
	if len(s.rows) == 0 || s.total && len(s.rows) == 1 && d.rep.Handovers == 0 {
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(0, lineH+1, s.empty, "", 1, "L", false, 0, "")
		if len(s.rows) == 0 {
			return
		}
	}
	for r, row := range s.rows {
		last := s.total && r == len(s.rows)-1
		style := ""
		if last {
			style = "B"
		}
		pdf.SetFont("go", style, 9)
		nameLines := pdf.SplitText(d.text(row[0]), widths[0]-1.5)
		h := float64(max(len(nameLines), 1))*lineH + 0.8
		if pdf.GetY()+h > pageH-bottom {
			pdf.AddPage()
			header()
			pdf.SetFont("go", style, 9)
		}
		y := pdf.GetY()
		pdf.SetDrawColor(200, 200, 200)
		if last {
			pdf.SetDrawColor(0, 0, 0)
			pdf.Line(margin, y, margin+full, y)
		}
		pdf.Line(margin, y+h, margin+full, y+h)
		x := margin
		for i, c := range row {
			lines := []string{d.text(c)}
			if i == 0 {
				lines = nameLines
			}
			for j, l := range lines {
				pdf.SetXY(x, y+0.4+float64(j)*lineH)
				a := "L"
				if c.isNum {
					a = "R"
				}
				pdf.CellFormat(widths[i], lineH, l, "", 0, a, false, 0, "")
			}
			x += widths[i]
		}
		pdf.SetXY(margin, y+h)
	}
	pdf.Ln(2)
}
