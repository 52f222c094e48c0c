// Package report writes the centre's report for the regional office
// (`pickup report` and the manager screen's Report button) as XLSX, PDF or
// CSV, in the counter's language, from one store.Report: the three formats
// show the same sections with the same figures.
package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/store"
)

// Formats are the file formats a report is written in.
var Formats = []string{"xlsx", "pdf", "csv"}

// Options say how a report is written.
type Options struct {
	Lang     string           // fr, nl, de or en
	Loc      *time.Location   // the centre's time zone (times and the hours)
	Campaign *pickup.Campaign // names the parcel kinds, professions and items
}

// Write writes rep to w in format (xlsx, pdf or csv).
func Write(w io.Writer, format string, rep store.Report, opt Options) error {
	if opt.Loc == nil {
		opt.Loc = time.Local
	}
	d := newDoc(rep, opt)
	switch format {
	case "xlsx":
		return writeXLSX(w, d)
	case "pdf":
		return writePDF(w, d)
	case "csv":
		return writeCSV(w, d)
	}
	return fmt.Errorf("report format %q: want %s", format, strings.Join(Formats, ", "))
}

// WriteFile writes rep to the file path (whole or not at all, never over
// anything but a regular file).
func WriteFile(path, format string, rep store.Report, opt Options) error {
	if !slices.Contains(Formats, format) {
		return fmt.Errorf("report format %q: want %s", format, strings.Join(Formats, ", "))
	}
	if err := atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return Write(w, format, rep, opt) }); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// FormatOf returns the format a file name's extension names ("" if none).
func FormatOf(path string) string {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return ""
	}
	if f := strings.ToLower(path[i+1:]); slices.Contains(Formats, f) {
		return f
	}
	return ""
}

// cell is one value of a table: text, or a number (a whole one, or a
// share in percent with one decimal).
type cell struct {
	text  string
	num   float64
	isNum bool
	share bool
}

func txt(s string) cell  { return cell{text: s} }
func num(n int) cell     { return cell{num: float64(n), isNum: true} }
func pct(v float64) cell { return cell{num: v, isNum: true, share: true} }

// section is one part of the report: a sheet of the XLSX, a block of the
// CSV, a table of the PDF.
type section struct {
	sheet  string // the XLSX sheet's name (≤ 31 characters)
	title  string
	note   string
	header []string
	rows   [][]cell
	total  bool // the last row is a total (bold)
	empty  string
	chart  bool // the hours: drawn as a bar chart too
}

// doc is the report put into words: its title lines and its sections.
type doc struct {
	rep      store.Report
	tr       *i18n.Catalog
	loc      *time.Location
	title    string
	subtitle string // centre and period
	made     string // made on, at which counter
	sections []section
}

func newDoc(rep store.Report, opt Options) *doc {
	tr := i18n.For(i18n.Normalize(opt.Lang))
	d := &doc{rep: rep, tr: tr, loc: opt.Loc}
	camp := opt.Campaign
	date := func(x pickup.Date) string { return tr.Date(x.Year, x.Month, x.Day) }
	period := date(rep.From)
	if rep.To != rep.From {
		period = tr.T("report.period.range", "from", date(rep.From), "to", date(rep.To))
	}
	d.title = tr.T("report.title") + " — " + rep.Centre.Name
	d.subtitle = tr.T("report.period") + ": " + period
	counter := rep.TerminalID
	if rep.TerminalName != "" && rep.TerminalName != rep.TerminalID {
		counter = rep.TerminalName + " (" + rep.TerminalID + ")"
	}
	d.made = tr.T("report.generated", "date", tr.DateTime(rep.GeneratedAt, opt.Loc)) + " · " + tr.T("report.counter") + " " + counter
	share := func(n int) cell {
		if rep.Handovers == 0 {
			return pct(0)
		}
		return pct(float64(n) * 100 / float64(rep.Handovers))
	}
	sizeName := func(sz string) string {
		if sz == "" {
			return tr.T("report.size.none")
		}
		return sz
	}

	d.sections = append(d.sections, section{sheet: tr.T("report.summary"), title: tr.T("report.summary"),
		header: []string{tr.T("report.figure"), tr.T("report.value")},
		rows: [][]cell{
			{txt(tr.T("report.centre")), txt(rep.Centre.Name + " (" + rep.Centre.ID + ")")},
			{txt(tr.T("report.period")), txt(period)},
			{txt(tr.T("report.summary.handovers")), num(rep.Handovers)},
			{txt(tr.T("report.summary.undone")), num(rep.Undone)},
			{txt(tr.T("report.summary.conflicts")), num(rep.ConflictCodes)},
			{txt(tr.T("report.summary.owed")), num(rep.Owed.Outstanding)},
			{txt(tr.T("report.summary.expected")), num(rep.Expected)},
			{txt(tr.T("report.summary.collected")), num(rep.Collected)},
			{txt(tr.T("report.summary.remaining")), num(rep.Remaining)},
		}})

	hours := section{sheet: tr.T("report.hours"), title: tr.T("report.hours"), chart: true, total: true,
		header: []string{tr.T("report.hour"), tr.T("report.handovers")}}
	for h, n := range rep.Hours {
		hours.rows = append(hours.rows, []cell{txt(fmt.Sprintf("%02d:00–%02d:00", h, (h+1)%24)), num(n)})
	}
	hours.rows = append(hours.rows, []cell{txt(tr.T("report.total")), num(rep.Handovers)})
	d.sections = append(d.sections, hours)

	kinds := section{sheet: tr.T("report.kind"), title: tr.T("report.kinds"), total: true, empty: tr.T("report.none"),
		header: []string{tr.T("report.kind"), tr.T("report.handovers"), tr.T("report.share")}}
	for _, k := range rep.Kinds {
		kinds.rows = append(kinds.rows, []cell{txt(tr.ParcelKind(camp, k.Key)), num(k.Count), share(k.Count)})
	}
	kinds.rows = append(kinds.rows, []cell{txt(tr.T("report.total")), num(rep.Handovers), share(rep.Handovers)})
	d.sections = append(d.sections, kinds)

	profs := section{sheet: tr.T("report.profession"), title: tr.T("report.professions"), total: true, empty: tr.T("report.none"),
		header: []string{tr.T("report.profession")}}
	for _, sz := range rep.Sizes {
		if sz == "" {
			profs.header = append(profs.header, sizeName(sz))
		} else {
			profs.header = append(profs.header, sz)
		}
	}
	profs.header = append(profs.header, tr.T("report.total"), tr.T("report.share"))
	for _, p := range rep.Professions {
		row := []cell{txt(tr.Profession(camp, p.Profession))}
		for _, n := range p.BySize {
			row = append(row, num(n))
		}
		profs.rows = append(profs.rows, append(row, num(p.Count), share(p.Count)))
	}
	totalRow := []cell{txt(tr.T("report.total"))}
	for _, g := range rep.GloveSizes {
		totalRow = append(totalRow, num(g.Count))
	}
	profs.rows = append(profs.rows, append(totalRow, num(rep.Handovers), share(rep.Handovers)))
	d.sections = append(d.sections, profs)

	sizes := section{sheet: tr.T("report.size"), title: tr.T("report.sizes"), total: true, empty: tr.T("report.none"),
		header: []string{tr.T("report.size"), tr.T("report.handovers"), tr.T("report.share")}}
	for _, g := range rep.GloveSizes {
		sizes.rows = append(sizes.rows, []cell{txt(sizeName(g.Key)), num(g.Count), share(g.Count)})
	}
	sizes.rows = append(sizes.rows, []cell{txt(tr.T("report.total")), num(rep.Handovers), share(rep.Handovers)})
	d.sections = append(d.sections, sizes)

	stock := section{sheet: tr.T("report.sheet.stock"), title: tr.T("report.stock"), note: tr.T("report.stock.note"),
		header: []string{tr.T("report.item"), tr.T("report.size.col"), tr.T("report.opening"), tr.T("report.received"),
			tr.T("report.handed"), tr.T("report.lost"), tr.T("report.counted"), tr.T("report.closing")}}
	for _, b := range rep.Stock {
		stock.rows = append(stock.rows, []cell{txt(tr.ItemName(camp, b.Item)), txt(b.Size), num(b.Opening), num(b.Received),
			num(b.HandedOver), num(b.Lost), num(b.Counted), num(b.Closing)})
	}
	d.sections = append(d.sections, stock)

	ships := section{sheet: tr.T("report.shipments"), title: tr.T("report.shipments"), empty: tr.T("report.none"),
		header: []string{tr.T("report.shipment"), tr.T("report.sent"), tr.T("report.item"), tr.T("report.size.col"),
			tr.T("report.qty_sent"), tr.T("report.qty_received"), tr.T("report.received_on")}}
	for _, sh := range rep.Shipments {
		on := tr.T("report.awaited")
		if sh.Received {
			on = tr.DateTime(sh.ReceivedAt, opt.Loc)
		}
		ships.rows = append(ships.rows, []cell{txt(sh.ID), txt(tr.DateTime(sh.SentAt, opt.Loc)), txt(tr.ItemName(camp, sh.Item)),
			txt(sh.Size), num(sh.Qty), num(sh.ReceivedQty), txt(on)})
	}
	d.sections = append(d.sections, ships)

	confl := section{sheet: tr.T("report.sheet.conflicts"), title: tr.T("report.conflicts"), empty: tr.T("report.none"),
		header: []string{tr.T("report.code"), tr.T("report.at"), tr.T("report.counter.col"), tr.T("report.centre")}}
	for _, c := range rep.Conflicts {
		who := c.TerminalID
		if c.TerminalID == rep.TerminalID {
			who = tr.T("report.this_counter", "id", c.TerminalID)
		}
		confl.rows = append(confl.rows, []cell{txt(c.Code), txt(tr.DateTime(c.At, opt.Loc)), txt(who), txt(c.CentreID)})
	}
	d.sections = append(d.sections, confl)

	ow := rep.Owed
	owed := section{sheet: tr.T("report.sheet.owed"), title: tr.T("report.owed"), note: tr.T("report.owed.note"),
		header: []string{tr.T("report.item"), tr.T("report.owed.recorded"), tr.T("report.owed.delivered"), tr.T("report.owed.outstanding")}}
	owed.rows = append(owed.rows, []cell{txt(tr.T("report.owed.handovers")), num(ow.Recorded), num(ow.Delivered), num(ow.Outstanding)})
	for _, it := range ow.Items {
		owed.rows = append(owed.rows, []cell{txt(tr.ItemName(camp, it.Item)), num(it.Recorded), num(it.Delivered), num(it.Outstanding)})
	}
	d.sections = append(d.sections, owed)
	return d
}

// text is a cell as people read it in the language: 12 500, 33,3.
func (d *doc) text(c cell) string {
	switch {
	case !c.isNum:
		return c.text
	case c.share:
		s := strconv.FormatFloat(c.num, 'f', 1, 64)
		if d.tr.Lang != "en" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	return d.tr.Number(int(c.num))
}

// ToFolder writes the report of the days from to to of s into the folder
// dir (made if missing) under its usual name (store.ReportFileName) in
// format and lang, and returns the file's path: the manager screen's
// Report button.
func ToFolder(ctx context.Context, s *store.Store, dir, format string, from, to pickup.Date, lang string) (string, error) {
	rep, err := s.Report(ctx, from, to)
	if err != nil {
		return "", err
	}
	camp, _ := s.Campaign(ctx, "")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write report: %w", err)
	}
	path := filepath.Join(dir, store.ReportFileName(rep.Centre.ID, from, to, format))
	if err := WriteFile(path, format, rep, Options{Lang: lang, Loc: s.Loc, Campaign: camp}); err != nil {
		return "", err
	}
	return path, nil
}
