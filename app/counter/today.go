package counter

import (
	"fmt"
	"strconv"
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
	weeksTitle                            *widget.Label
	rows, stock, weeks                    *fyne.Container
	outlook                               *fyne.Container // what runs short, in words
	basis                                 *fyne.Container // how the need was reckoned, under the stock
	obj                                   *fyne.Container
}

func newTodayPanel() *todayPanel {
	p := &todayPanel{title: widget.NewLabel(""), summary: widget.NewLabel(""), handTitle: widget.NewLabel(""),
		stockTitle: widget.NewLabel(""), weeksTitle: widget.NewLabel(""), rows: container.NewVBox(), stock: container.NewVBox(),
		weeks: container.NewVBox(), outlook: container.NewVBox(), basis: container.NewVBox()}
	p.title.SizeName = theme.SizeNameHeadingText
	p.title.TextStyle.Bold = true
	p.summary.Wrapping = fyne.TextWrapWord
	p.handTitle.TextStyle.Bold = true
	p.stockTitle.TextStyle.Bold = true
	p.weeksTitle.TextStyle.Bold = true
	for _, l := range []*widget.Label{p.handTitle, p.stockTitle, p.weeksTitle} {
		l.Truncation = fyne.TextTruncateEllipsis // the columns are narrow at 1024×768
	}
	left := container.NewBorder(p.handTitle, nil, nil, nil, container.NewVScroll(p.rows))
	stock := container.NewBorder(p.stockTitle, nil, nil, nil, container.NewVScroll(container.NewVBox(p.stock, p.basis)))
	weeks := container.NewBorder(p.weeksTitle, nil, nil, nil, container.NewVScroll(p.weeks))
	right := container.NewHSplit(stock, weeks)
	right.Offset = 0.5
	split := container.NewHSplit(left, right)
	split.Offset = 0.4
	p.obj = container.NewBorder(container.NewVBox(p.title, p.summary, p.outlook), nil, nil, nil, split)
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

	p.renderForecast(tr, s.camp, s.forecast, s.forecastErr)
	p.stock.RemoveAll()
	need := map[string]pickup.ItemForecast{}
	for _, f := range s.forecast.Lines {
		need[f.Key()] = f
	}
	for _, l := range st.Stock {
		p.stock.Add(stockRow(tr, s.camp, l, need[l.Key()]))
	}
	p.weeksTitle.SetText(tr.T("ui.today.weeks"))
	p.weeks.RemoveAll()
	if len(s.weeks) == 0 {
		p.weeks.Add(wrapped(tr.T("ui.today.weeks.none")))
	}
	for _, w := range s.weeks {
		p.weeks.Add(weekRow(tr, s.camp, w))
	}
	p.obj.Refresh() // lay out the scrolls' new content
}

// weekRow shows one coming week: the parcels expected, the groups whose
// window is open and the items needed.
func weekRow(tr *i18n.Catalog, camp *pickup.Campaign, w pickup.WeekPlan) fyne.CanvasObject {
	_, n := w.Start.Time(time.UTC).ISOWeek()
	parcels := strconv.FormatFloat(w.Parcels, 'f', 1, 64)
	if tr.Lang != "en" {
		parcels = strings.Replace(parcels, ".", ",", 1)
	}
	short := func(d pickup.Date) string { return fmt.Sprintf("%02d/%02d", d.Day, int(d.Month)) }
	text := tr.T("ui.today.week", "n", strconv.Itoa(n), "start", short(w.Start), "end", short(w.End), "parcels", parcels)
	var groups []string
	for _, g := range w.Groups {
		groups = append(groups, tr.Profession(camp, g.Profession))
	}
	var items []string
	for _, l := range w.Items {
		name := tr.ItemName(camp, l.Item)
		if l.Size != "" {
			name += " " + l.Size
		}
		items = append(items, name+" "+tr.Number(l.Qty))
	}
	lines := []string{text}
	if len(groups) > 0 {
		lines = append(lines, strings.Join(groups, ", "))
	}
	if len(items) > 0 {
		lines = append(lines, strings.Join(items, " · "))
	}
	return wrapped(strings.Join(lines, "\n"))
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
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
