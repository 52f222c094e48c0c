package registry

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// scheduleT returns the schedule's text for key in lang (English when the
// language has none), with {name} placeholders filled from kv: the
// catalogue's schedule.* keys (assets/translation).
func scheduleT(lang, key string, kv ...string) string {
	return i18n.For(lang).T("schedule."+key, kv...)
}

// parcelsIn prints a parcel count to one decimal in the language.
func parcelsIn(v float64, lang string) string {
	s := FormatParcels(v)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// RenderSchedulePDF writes the schedule as an A4 landscape PDF in lang
// (fr, nl, de or en): a page (or more) per week with, per centre, the
// professional groups whose window is open, the parcels expected and the
// items they need.
func RenderSchedulePDF(w io.Writer, sch *Schedule, lang string) error {
	lang = i18n.Normalize(lang)
	cat := i18n.For(lang)
	date := func(d pickup.Date) string { return cat.Date(d.Year, d.Month, d.Day) }
	short := func(d pickup.Date) string { return fmt.Sprintf("%02d/%02d", d.Day, int(d.Month)) }

	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetMargins(12, 12, 12)
	pdf.SetAutoPageBreak(true, 16)
	pdf.SetTitle(scheduleT(lang, "title"), true)
	pdf.SetCreator("pickup-registry", true)
	pdf.SetCreationDate(sch.GeneratedAt)
	pdf.SetModificationDate(sch.GeneratedAt)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("go", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, scheduleT(lang, "generated", "date", cat.DateTime(sch.GeneratedAt, time.Local))+" · "+
			scheduleT(lang, "page", "n", strconv.Itoa(pdf.PageNo())), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})

	// The item columns: every item and size of the schedule, in order.
	var cols []ItemNeed
	seen := map[[2]string]bool{}
	for _, wk := range sch.Weeks {
		for _, c := range wk.Centres {
			for _, it := range c.Items {
				if k := [2]string{it.Item, it.Size}; !seen[k] {
					seen[k] = true
					cols = append(cols, ItemNeed{Item: it.Item, Size: it.Size})
				}
			}
		}
	}
	sortItems(cols)
	const pageW, margin = 297.0, 12.0
	centreW, parcelsW := 42.0, 17.0
	itemW := 19.0
	groupsW := pageW - 2*margin - centreW - parcelsW - itemW*float64(len(cols))
	if groupsW < 80 {
		groupsW = 80
		itemW = max(10, (pageW-2*margin-centreW-parcelsW-groupsW)/float64(max(len(cols), 1)))
	}
	itemName := func(it ItemNeed) string {
		name := sch.ItemNames[it.Item].In(lang)
		if name == "" {
			name = it.Item
		}
		if it.Size != "" {
			name += " " + it.Size
		}
		return name
	}
	const lineH = 4.2
	header := func(wk ScheduleWeek) {
		pdf.SetFont("go", "B", 13)
		_, wn := wk.Start.Time(time.UTC).ISOWeek()
		pdf.CellFormat(0, 7, scheduleT(lang, "week", "n", strconv.Itoa(wn), "start", date(wk.Start), "end", date(wk.End)), "", 1, "L", false, 0, "")
		pdf.SetFont("go", "B", 7.5)
		pdf.SetFillColor(225, 225, 225)
		y := pdf.GetY()
		x := margin
		cell := func(w float64, text, align string) {
			pdf.SetXY(x, y)
			pdf.MultiCell(w, lineH, text, "", align, true)
			x += w
		}
		// Header cells of equal height: the tallest decides.
		hlines := 1
		for _, c := range cols {
			hlines = max(hlines, len(pdf.SplitText(itemName(c), itemW-1)))
		}
		hh := float64(hlines) * lineH
		pdf.Rect(margin, y, pageW-2*margin, hh, "F")
		cell(centreW, scheduleT(lang, "centre"), "L")
		cell(groupsW, scheduleT(lang, "groups"), "L")
		cell(parcelsW, scheduleT(lang, "parcels"), "R")
		for _, c := range cols {
			cell(itemW, itemName(c), "R")
		}
		pdf.SetXY(margin, y+hh)
	}
	row := func(wk ScheduleWeek, name string, groups []string, parcels float64, items map[[2]string]int, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont("go", style, 8)
		nameLines := pdf.SplitText(name, centreW-1)
		var groupLines []string
		for _, g := range groups {
			groupLines = append(groupLines, pdf.SplitText(g, groupsW-1)...)
		}
		h := float64(max(len(nameLines), len(groupLines), 1))*lineH + 1.5
		if pdf.GetY()+h > 210-16 {
			pdf.AddPage()
			header(wk)
			pdf.SetFont("go", style, 8)
		}
		y := pdf.GetY()
		pdf.SetDrawColor(200, 200, 200)
		pdf.Line(margin, y+h, pageW-margin, y+h)
		x := margin
		put := func(w float64, lines []string, align string) {
			for i, l := range lines {
				pdf.SetXY(x, y+0.7+float64(i)*lineH)
				pdf.CellFormat(w, lineH, l, "", 0, align, false, 0, "")
			}
			x += w
		}
		put(centreW, nameLines, "L")
		put(groupsW, groupLines, "L")
		put(parcelsW, []string{parcelsIn(parcels, lang)}, "R")
		for _, c := range cols {
			v := ""
			if n, ok := items[[2]string{c.Item, c.Size}]; ok {
				v = i18n.For(lang).Number(n)
			}
			put(itemW, []string{v}, "R")
		}
		pdf.SetXY(margin, y+h)
	}

	for _, wk := range sch.Weeks {
		pdf.AddPage()
		pdf.SetFont("go", "B", 15)
		pdf.CellFormat(0, 8, scheduleT(lang, "title"), "", 1, "L", false, 0, "")
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(0, 5, scheduleT(lang, "subtitle"), "", 1, "L", false, 0, "")
		pdf.Ln(2)
		header(wk)
		if len(wk.Centres) == 0 {
			pdf.SetFont("go", "", 9)
			pdf.CellFormat(0, 8, scheduleT(lang, "none"), "", 1, "L", false, 0, "")
		}
		totals := map[[2]string]int{}
		var total float64
		anyPace := false
		for _, c := range wk.Centres {
			name := c.CentreName
			if name == "" {
				name = c.CentreID
			}
			if c.Pace == SpreadPace {
				name += " *"
				anyPace = true
			}
			var groups []string
			for _, g := range c.Groups {
				gname := g.Names.In(lang)
				if gname == "" {
					gname = g.Name
				}
				groups = append(groups, fmt.Sprintf("%s (%s – %s): %s", gname, short(g.Window.Start), short(g.Window.End), parcelsIn(g.Parcels, lang)))
			}
			items := map[[2]string]int{}
			for _, it := range c.Items {
				items[[2]string{it.Item, it.Size}] = it.Qty
				totals[[2]string{it.Item, it.Size}] += it.Qty
			}
			total += c.Parcels
			row(wk, name, groups, c.Parcels, items, false)
		}
		if len(wk.Centres) > 1 {
			row(wk, scheduleT(lang, "total"), nil, round1(total), totals, true)
		}
		pdf.Ln(3)
		pdf.SetFont("go", "", 7.5)
		if anyPace {
			pdf.MultiCell(0, 3.6, scheduleT(lang, "pace"), "", "L", false)
		}
		pdf.MultiCell(0, 3.6, scheduleT(lang, "note", "today", date(sch.Today)), "", "L", false)
	}
	if len(sch.Weeks) == 0 {
		pdf.AddPage()
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("schedule PDF: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("schedule PDF: %w", err)
	}
	return nil
}
