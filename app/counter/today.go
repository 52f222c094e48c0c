package counter

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// maxTodayRows bounds the list of the day's handovers on screen (the CLI's
// `pickup handovers` lists them all).
const maxTodayRows = 300

// todayPanel is the centre manager's view of the day: the handovers and
// the stock left per item and size. It has no focusable widget, so the
// scan field keeps the focus while it shows.
type todayPanel struct {
	title, summary, handTitle, stockTitle *widget.Label
	rows, stock                           *fyne.Container
	obj                                   *fyne.Container
}

func newTodayPanel() *todayPanel {
	p := &todayPanel{title: widget.NewLabel(""), summary: widget.NewLabel(""), handTitle: widget.NewLabel(""),
		stockTitle: widget.NewLabel(""), rows: container.NewVBox(), stock: container.NewGridWithColumns(2)}
	p.title.SizeName = theme.SizeNameHeadingText
	p.title.TextStyle.Bold = true
	p.summary.Wrapping = fyne.TextWrapWord
	p.handTitle.TextStyle.Bold = true
	p.stockTitle.TextStyle.Bold = true
	left := container.NewBorder(p.handTitle, nil, nil, nil, container.NewVScroll(p.rows))
	right := container.NewBorder(p.stockTitle, nil, nil, nil, container.NewVScroll(p.stock))
	split := container.NewHSplit(left, right)
	split.Offset = 0.64
	p.obj = container.NewBorder(container.NewVBox(p.title, p.summary), nil, nil, nil, split)
	return p
}

func (p *todayPanel) render(tr *i18n.Catalog, s snapshot, loc *time.Location, now time.Time) {
	now = now.In(loc)
	p.title.SetText(tr.T("ui.today.title", "date", tr.Date(now.Year(), now.Month(), now.Day())))
	st := s.status
	p.summary.SetText(tr.T("ui.today.summary", "n", tr.Number(st.HandedOverToday), "expected", tr.Number(st.Expected),
		"collected", tr.Number(st.Collected), "left", tr.Number(st.Remaining), "cancelled", tr.Number(st.Cancelled)))
	p.handTitle.SetText(tr.T("ui.today.handovers"))
	p.stockTitle.SetText(tr.T("ui.today.stock"))

	p.rows.RemoveAll()
	if len(s.today) == 0 {
		p.rows.Add(widget.NewLabel(tr.T("ui.today.none")))
	}
	for i, h := range s.today {
		if i == maxTodayRows {
			p.rows.Add(widget.NewLabel(tr.T("ui.today.more", "n", tr.Number(len(s.today)-maxTodayRows))))
			break
		}
		terminal := h.TerminalID
		if h.Local {
			terminal = tr.T("ui.conflicts.here")
		}
		p.rows.Add(handedRow(tr, s.camp, h.At.In(loc), h.Name, h.Profession, h.GloveSize, terminal, h.Undone))
	}

	p.stock.RemoveAll()
	for _, l := range st.Stock {
		name := tr.ItemName(s.camp, l.Item)
		if l.Size != "" {
			name += " " + l.Size
		}
		qty := widget.NewLabel(tr.Number(l.Qty))
		qty.Alignment = fyne.TextAlignTrailing
		if l.Qty <= 0 {
			qty.Importance = widget.DangerImportance
			qty.TextStyle.Bold = true
		}
		p.stock.Add(widget.NewLabel(name))
		p.stock.Add(qty)
	}
	p.obj.Refresh() // lay out the scrolls' new content
}

func handedRow(tr *i18n.Catalog, camp *pickup.Campaign, at time.Time, name, prof, size, terminal string, undone bool) fyne.CanvasObject {
	parts := []string{at.Format("15:04")}
	who := name
	if prof != "" {
		who += " — " + tr.Profession(camp, prof)
	}
	parts = append(parts, who)
	if size != "" {
		parts = append(parts, tr.T("ui.today.size", "size", size))
	}
	parts = append(parts, terminal)
	l := widget.NewLabel(strings.Join(parts, " · "))
	l.Truncation = fyne.TextTruncateEllipsis
	if undone {
		l.SetText(l.Text + " · " + tr.T("ui.today.undone"))
		l.Importance = widget.LowImportance
		l.TextStyle.Italic = true
	}
	return l
}
