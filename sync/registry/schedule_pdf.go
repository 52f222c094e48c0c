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

// scheduleText holds the words of the published schedule in the four
// languages (only the registry prints it); dates and month names come from
// assets/i18n.
var scheduleText = map[string]map[string]string{
	"en": {
		"title":     "Pickup schedule of protective equipment",
		"subtitle":  "Which professional groups collect their parcel at which Red Cross centre, week by week",
		"week":      "Week {n}: {start} to {end}",
		"centre":    "Centre",
		"groups":    "Professional groups (pickup window) and parcels expected",
		"parcels":   "Parcels",
		"none":      "No pickup window is open this week.",
		"total":     "All centres",
		"pace":      "* spread by the centre's pace so far",
		"note":      "Parcels still expected are spread over the days of their pickup window from {today} on: by each centre's pace so far where it has one (*), evenly otherwise; glove sizes follow the sizes chosen so far. The figures are estimates for planning, not appointments: every professional may come on any day of their window, during the centre's opening hours.",
		"generated": "Made on {date}",
		"page":      "Page {n}",
	},
	"fr": {
		"title":     "Planning des retraits d'équipement de protection",
		"subtitle":  "Quels groupes professionnels retirent leur colis dans quel centre de la Croix-Rouge, semaine par semaine",
		"week":      "Semaine {n} : du {start} au {end}",
		"centre":    "Centre",
		"groups":    "Groupes professionnels (période de retrait) et colis attendus",
		"parcels":   "Colis",
		"none":      "Aucune période de retrait n'est ouverte cette semaine.",
		"total":     "Tous les centres",
		"pace":      "* réparti selon le rythme observé du centre",
		"note":      "Les colis encore attendus sont répartis sur les jours de leur période de retrait à partir du {today} : selon le rythme observé de chaque centre lorsqu'il en a un (*), uniformément sinon ; les tailles de gants suivent les tailles choisies jusqu'ici. Ces chiffres sont des estimations pour la planification, pas des rendez-vous : chaque professionnel peut venir n'importe quel jour de sa période, pendant les heures d'ouverture du centre.",
		"generated": "Établi le {date}",
		"page":      "Page {n}",
	},
	"nl": {
		"title":     "Afhaalplanning van beschermingsmateriaal",
		"subtitle":  "Welke beroepsgroepen hun pakket in welk Rode Kruis-centrum afhalen, week per week",
		"week":      "Week {n}: {start} tot {end}",
		"centre":    "Centrum",
		"groups":    "Beroepsgroepen (afhaalperiode) en verwachte pakketten",
		"parcels":   "Pakketten",
		"none":      "Deze week is er geen afhaalperiode open.",
		"total":     "Alle centra",
		"pace":      "* verdeeld volgens het tempo van het centrum tot nu toe",
		"note":      "Pakketten die nog verwacht worden, zijn vanaf {today} verdeeld over de dagen van hun afhaalperiode: volgens het tempo van elk centrum tot nu toe als het er een heeft (*), anders gelijkmatig; de handschoenmaten volgen de tot nu toe gekozen maten. De cijfers zijn ramingen voor de planning, geen afspraken: elke zorgverlener mag op elke dag van zijn periode komen, tijdens de openingsuren van het centrum.",
		"generated": "Opgemaakt op {date}",
		"page":      "Pagina {n}",
	},
	"de": {
		"title":     "Abholplan für Schutzausrüstung",
		"subtitle":  "Welche Berufsgruppen ihr Paket in welchem Zentrum des Roten Kreuzes abholen, Woche für Woche",
		"week":      "Woche {n}: {start} bis {end}",
		"centre":    "Zentrum",
		"groups":    "Berufsgruppen (Abholzeitraum) und erwartete Pakete",
		"parcels":   "Pakete",
		"none":      "Diese Woche ist kein Abholzeitraum offen.",
		"total":     "Alle Zentren",
		"pace":      "* nach dem bisherigen Tempo des Zentrums verteilt",
		"note":      "Noch erwartete Pakete werden ab dem {today} auf die Tage ihres Abholzeitraums verteilt: nach dem bisherigen Tempo jedes Zentrums, wo es eines gibt (*), sonst gleichmäßig; die Handschuhgrößen folgen den bisher gewählten Größen. Die Zahlen sind Schätzungen für die Planung, keine Termine: jede Fachkraft kann an jedem Tag ihres Zeitraums kommen, während der Öffnungszeiten des Zentrums.",
		"generated": "Erstellt am {date}",
		"page":      "Seite {n}",
	},
}

// scheduleT returns the schedule's text for key in lang (English when the
// language is unknown), with {name} placeholders filled from kv.
func scheduleT(lang, key string, kv ...string) string {
	m, ok := scheduleText[lang]
	if !ok {
		m = scheduleText["en"]
	}
	s := m[key]
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}

// thousands prints n with the language's digit grouping: 12,500 in
// English, 12.500 in Dutch and German, 12 500 in French.
func thousands(n int, lang string) string {
	sep := map[string]string{"en": ",", "fr": "\u00a0", "nl": ".", "de": "."}[lang]
	if sep == "" {
		sep = ","
	}
	return i18n.GroupDigits(n, sep)
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
				v = thousands(n, lang)
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
