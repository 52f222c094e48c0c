package counter

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/assets/i18n"
)

// setupPanel is what a terminal with no data shows: the three ways to get
// started, never an empty screen. The window leaves it by itself when a
// technician sets the terminal up from the command line.
type setupPanel struct {
	title, intro                    *widget.Label
	enrolText, importText, demoText *widget.Label
	enrolCmd, importCmd, dataDir    *widget.Label
	demo                            *widget.Button
	errLabel                        *widget.Label
	enrol                           *enrolBox
	err                             error
	obj                             fyne.CanvasObject
}

func newSetupPanel(startDemo func(), enrol *enrolBox) *setupPanel {
	p := &setupPanel{enrol: enrol}
	label := func(bold bool) *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.TextStyle.Bold = bold
		return l
	}
	cmd := func() *widget.Label {
		l := widget.NewLabel("")
		l.TextStyle.Monospace = true
		l.Selectable = true
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	p.title = label(true)
	p.title.SizeName = theme.SizeNameHeadingText
	p.intro = label(false)
	p.enrolText, p.importText, p.demoText = label(true), label(true), label(true)
	p.enrolCmd, p.importCmd = cmd(), cmd()
	p.dataDir = label(false)
	p.dataDir.Importance = widget.LowImportance
	p.errLabel = label(true)
	p.errLabel.Importance = widget.DangerImportance
	p.demo = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), startDemo)
	p.demo.Importance = widget.HighImportance
	p.obj = container.NewVScroll(container.NewPadded(container.NewVBox(
		p.title, p.intro, widget.NewSeparator(),
		enrol.obj, widget.NewSeparator(),
		p.enrolText, p.enrolCmd, widget.NewSeparator(),
		p.importText, p.importCmd, widget.NewSeparator(),
		p.demoText, container.NewHBox(p.demo), p.errLabel, widget.NewSeparator(),
		p.dataDir)))
	return p
}

func (p *setupPanel) render(tr *i18n.Catalog, opt Options) {
	data := ""
	if opt.DataFlag != "" {
		data = opt.DataFlag + " "
	}
	p.title.SetText(tr.T("ui.setup.title"))
	p.intro.SetText(tr.T("ui.setup.intro"))
	p.enrol.render(tr)
	p.enrolText.SetText(tr.T("ui.tech.enrol.cli"))
	p.enrolCmd.SetText("pickup " + data + "enrol --registry URL --code CODE")
	p.importText.SetText(tr.T("ui.setup.import"))
	p.importCmd.SetText("pickup " + data + "init --centre ID --name \"NAME\"\npickup " + data + "import-pickups FILE.csv")
	p.demoText.SetText(tr.T("ui.setup.demo"))
	p.demo.SetText(tr.T("ui.setup.demo_button"))
	p.dataDir.SetText(tr.T("ui.setup.data", "dir", opt.DataDir))
	if p.err != nil {
		p.errLabel.SetText(tr.T("ui.setup.demo_error", "err", p.err.Error()))
		p.errLabel.Show()
	} else {
		p.errLabel.Hide()
	}
}

// OpenErrorContent is the window's content when the data folder cannot be
// opened at all (read-only, full, not a Pickup database): what happened and
// whom to call, instead of a window that does not open.
func OpenErrorContent(lang, dir string, err error) fyne.CanvasObject {
	tr := i18n.For(lang)
	title := widget.NewLabel(tr.T("ui.open_error.title"))
	title.SizeName = theme.SizeNameHeadingText
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	lines := []fyne.CanvasObject{title}
	for _, s := range []string{errorHint(tr, err), tr.T("ui.setup.data", "dir", dir), err.Error(), tr.T("ui.open_error.next")} {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		lines = append(lines, l)
	}
	return container.NewPadded(container.NewVBox(lines...))
}
