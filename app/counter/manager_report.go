package counter

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/report"
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// The manager screen's Report button: the report for the regional office
// (the days, the format, the folder: a USB drive when one is plugged in,
// else the data folder's reports/), written by app/report as `pickup
// report` writes it, and where it went said in words.

// reportPanel is the Report button's form.
type reportPanel struct {
	u                     *UI
	folderLabel, fromLbl  *widget.Label
	toLbl, formatLbl, msg *widget.Label
	folder, from, to      *widget.Entry
	format                *widget.RadioGroup
	write                 *widget.Button
	say                   func(tr *i18n.Catalog) string
	obj                   fyne.CanvasObject
}

func newReportPanel(u *UI) *reportPanel {
	p := &reportPanel{u: u, folderLabel: widget.NewLabel(""), fromLbl: widget.NewLabel(""), toLbl: widget.NewLabel(""),
		formatLbl: widget.NewLabel(""), msg: widget.NewLabel(""), folder: widget.NewEntry(), from: widget.NewEntry(), to: widget.NewEntry()}
	dir := filepath.Join(u.opt.DataDir, "reports")
	if ds := removableDrives(); len(ds) > 0 {
		dir = ds[0]
	}
	p.folder.SetText(dir)
	today := u.opt.Store.Today().String()
	p.from.SetText(today)
	p.to.SetText(today)
	p.format = widget.NewRadioGroup(report.Formats, nil)
	p.format.Horizontal = true
	p.format.SetSelected("xlsx")
	p.msg.Wrapping = fyne.TextWrapWord
	p.msg.TextStyle.Bold = true
	p.write = widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), p.Write)
	p.write.Importance = widget.HighImportance
	p.obj = container.NewVBox(p.folderLabel, p.folder,
		container.NewGridWithColumns(2, container.NewVBox(p.fromLbl, p.from), container.NewVBox(p.toLbl, p.to)),
		p.formatLbl, p.format, p.write, p.msg)
	return p
}

func (p *reportPanel) render(tr *i18n.Catalog) {
	p.folderLabel.SetText(tr.T("report.dialog.folder"))
	p.fromLbl.SetText(tr.T("report.dialog.from"))
	p.toLbl.SetText(tr.T("report.dialog.to"))
	p.formatLbl.SetText(tr.T("report.dialog.format") + " — xlsx: " + tr.T("report.format.xlsx") + " · pdf: " + tr.T("report.format.pdf") +
		" · csv: " + tr.T("report.format.csv"))
	p.write.SetText(tr.T("report.dialog.write"))
	if p.say != nil {
		p.msg.SetText(p.say(tr))
		p.msg.Show()
	} else {
		p.msg.Hide()
	}
}

// Write writes the report with the form's days, format and folder, and
// says where it went (or why not).
func (p *reportPanel) Write() {
	u := p.u
	days := [2]pickup.Date{}
	for i, f := range []struct {
		entry *widget.Entry
		key   string
	}{{p.from, "report.dialog.from"}, {p.to, "report.dialog.to"}} {
		v := strings.TrimSpace(f.entry.Text)
		d, err := pickup.ParseDate(v)
		if err != nil {
			p.say = func(tr *i18n.Catalog) string {
				return tr.T("report.dialog.bad_date", "field", tr.T(f.key), "value", v)
			}
			p.msg.Importance = widget.DangerImportance
			p.render(u.tr())
			return
		}
		days[i] = d
	}
	tr := u.tr()
	path, err := report.ToFolder(context.WithoutCancel(u.ctx), u.opt.Store, strings.TrimSpace(p.folder.Text), p.format.Selected, days[0], days[1], tr.Lang)
	if err != nil {
		u.log.Error("write report", "err", err)
		p.say = func(tr *i18n.Catalog) string { return tr.T("report.failed", "err", err.Error()) }
		p.msg.Importance = widget.DangerImportance
	} else {
		u.log.Info("report written", "format", p.format.Selected)
		p.say = func(tr *i18n.Catalog) string { return tr.T("report.written", "file", path) }
		p.msg.Importance = widget.SuccessImportance
	}
	p.render(tr)
}

// newReportButton is the manager screen's Report button: it opens the
// report's form in a dialog.
func (u *UI) newReportButton() fyne.CanvasObject {
	tr := u.tr()
	return widget.NewButtonWithIcon(tr.T("report.button"), theme.DocumentPrintIcon(), u.ShowReport)
}

// ShowReport opens the report's form.
func (u *UI) ShowReport() {
	tr := u.tr()
	if u.reportPanel == nil {
		u.reportPanel = newReportPanel(u)
	}
	p := u.reportPanel
	p.say = nil
	p.render(tr)
	content := container.NewVScroll(p.obj)
	win := u.win.Canvas().Size()
	content.SetMinSize(fyne.NewSize(min(760, win.Width-100), min(470, win.Height-160)))
	d := dialog.NewCustom(tr.T("report.dialog.title"), tr.T("report.dialog.close"), content, u.win)
	d.SetOnClosed(func() {
		u.dialog = nil
		u.focusEntry()
	})
	u.closeDialog()
	u.dialog = d
	d.Show()
}
