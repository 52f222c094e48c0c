package counter

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

// pickupsTab is the manager's Pickups tab: who is still to come, searched
// by name or code, and the handovers of a chosen day with the double
// handovers marked.
type pickupsTab struct {
	u *UI

	search           *formEntry
	searchBtn        *widget.Button
	expectedTitle    *widget.Label
	expectedCount    *widget.Label
	expectedRows     *fyne.Container
	dayTitle         *widget.Label
	dayField         *formEntry
	prev, next, toDy *widget.Button
	daySummary       *widget.Label
	dayRows          *fyne.Container
	obj              fyne.CanvasObject

	day      pickup.Date
	expected store.ExpectedList
	handed   store.HandoverDay
}

// newPickupsTab builds the Pickups tab over the counter's store, showing
// everyone still to come and today's handovers; both lists are read again
// each time the tab is selected.
func (u *UI) newPickupsTab() fyne.CanvasObject {
	p := u.newPickups()
	u.onTabShown(p.obj, p.refresh)
	return p.obj
}

func (u *UI) newPickups() *pickupsTab {
	p := &pickupsTab{u: u, search: u.newFormEntry(), expectedTitle: widget.NewLabel(""), expectedCount: widget.NewLabel(""),
		expectedRows: container.NewVBox(), dayTitle: widget.NewLabel(""), dayField: u.newFormEntry(),
		daySummary: widget.NewLabel(""), dayRows: container.NewVBox()}
	p.expectedTitle.TextStyle.Bold = true
	p.dayTitle.TextStyle.Bold = true
	p.expectedCount.Wrapping = fyne.TextWrapWord
	p.daySummary.Wrapping = fyne.TextWrapWord
	p.search.onEnter = p.find
	p.searchBtn = widget.NewButtonWithIcon("", theme.SearchIcon(), p.find)
	p.dayField.onEnter = func() { p.typedDay(p.dayField.Text) }
	p.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { p.showDay(p.day.AddDays(-1)) })
	p.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.showDay(p.day.AddDays(1)) })
	p.next.IconPlacement = widget.ButtonIconTrailingText
	p.toDy = widget.NewButton("", func() { p.showDay(u.opt.Store.Today()) })

	searchRow := container.NewBorder(nil, nil, nil, p.searchBtn, p.search)
	left := container.NewBorder(container.NewVBox(p.expectedTitle, searchRow, p.expectedCount), nil, nil, nil,
		container.NewVScroll(p.expectedRows))
	dayRow := container.NewBorder(nil, nil, p.prev, p.next, p.dayField)
	right := container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, p.toDy, p.dayTitle), dayRow, p.daySummary), nil, nil, nil,
		container.NewVScroll(p.dayRows))
	split := container.NewHSplit(left, right)
	split.Offset = 0.5
	p.obj = split
	p.day = u.opt.Store.Today()
	p.refresh()
	return p
}

// refresh reads both lists again, in the counter's language.
func (p *pickupsTab) refresh() {
	p.find()
	p.showDay(p.day)
}

// labels puts the language's words on the tab's fixed widgets.
func (p *pickupsTab) labels(tr *i18n.Catalog) {
	p.expectedTitle.SetText(tr.T("ui.mgr.pickups.expected"))
	p.search.SetPlaceHolder(tr.T("ui.mgr.pickups.search.hint"))
	p.searchBtn.SetText(tr.T("ui.mgr.pickups.search"))
	p.dayTitle.SetText(tr.T("ui.mgr.handovers.title"))
	p.dayField.SetPlaceHolder(tr.T("ui.mgr.handovers.date.hint"))
	p.prev.SetText(tr.T("ui.mgr.handovers.prev"))
	p.next.SetText(tr.T("ui.mgr.handovers.next"))
	p.toDy.SetText(tr.T("ui.mgr.handovers.today"))
}

// find lists who is still to come, matching the search field.
func (p *pickupsTab) find() {
	u := p.u
	tr := u.tr()
	p.labels(tr)
	p.expectedRows.RemoveAll()
	l, err := u.opt.Store.Expected(u.ctx, p.search.Text, 0)
	p.expected = l
	search := strings.TrimSpace(p.search.Text)
	switch {
	case err != nil:
		u.log.Warn("manager: list expected pickups", "err", err)
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.error", "err", err.Error()))
	case l.ByCode && len(l.Pickups) == 0:
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.notfound"))
	case len(l.Pickups) == 0 && search != "":
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.nomatch", "search", search))
	case len(l.Pickups) == 0:
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.noone"))
	case l.More:
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.count.more", "shown", tr.Number(len(l.Pickups)), "total", tr.Number(l.Total)))
	case search != "" && !l.ByCode && len(l.Pickups) == l.Total:
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.count.search.all", "total", tr.Number(l.Total), "search", search))
	case search != "" && !l.ByCode:
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.count.search", "shown", tr.Number(len(l.Pickups)), "total", tr.Number(l.Total), "search", search))
	case !l.ByCode && len(l.Pickups) == l.Total:
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.count.all", "total", tr.Number(l.Total)))
	case !l.ByCode:
		p.expectedCount.SetText(tr.T("ui.mgr.pickups.count", "shown", tr.Number(len(l.Pickups)), "total", tr.Number(l.Total)))
	default:
		p.expectedCount.SetText("")
	}
	camp := u.snap.camp
	for _, e := range l.Pickups {
		p.expectedRows.Add(p.expectedRow(tr, camp, e))
	}
	p.expectedRows.Refresh()
}

func (p *pickupsTab) expectedRow(tr *i18n.Catalog, camp *pickup.Campaign, e store.ExpectedPickup) fyne.CanvasObject {
	lines := []string{e.Name + " — " + tr.Profession(camp, e.Profession),
		tr.T("ui.mgr.pickups.row", "kind", parcelName(tr, camp, e.ParcelKind), "start", shortDate(e.Window.Start),
			"end", shortDate(e.Window.End), "code", e.Code.Masked())}
	l := wrapped(strings.Join(lines, "\n"))
	switch {
	case e.Collected:
		l.SetText(l.Text + "\n" + tr.T("ui.mgr.pickups.collected"))
		l.Importance = widget.WarningImportance
	case e.Status == pickup.StatusCancelled:
		l.SetText(l.Text + "\n" + tr.T("ui.mgr.pickups.cancelled"))
		l.Importance = widget.LowImportance
	}
	return l
}

// parcelName is a parcel kind's name in the language.
func parcelName(tr *i18n.Catalog, camp *pickup.Campaign, id string) string {
	if camp != nil {
		if k, ok := camp.ParcelKind(id); ok {
			return k.Names.In(tr.Lang)
		}
	}
	return id
}

// shortDate prints a date as the centres write it: 20/11/2020.
func shortDate(d pickup.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// dayText prints a date for the date field, as the language writes it
// (20.11.2020 in German).
func dayText(tr *i18n.Catalog, d pickup.Date) string {
	if tr.Lang == "de" {
		return strings.ReplaceAll(shortDate(d), "/", ".")
	}
	return shortDate(d)
}

// parseDay reads a typed date: 20/11/2020, 20.11.2020, 20-11-2020 or
// 2020-11-20.
func parseDay(text string) (pickup.Date, error) {
	text = strings.TrimSpace(text)
	if d, err := pickup.ParseDate(text); err == nil {
		return d, nil
	}
	var day, month, year int
	norm := strings.NewReplacer(".", "/", "-", "/", " ", "").Replace(text)
	if n, err := fmt.Sscanf(norm, "%d/%d/%d", &day, &month, &year); err != nil || n != 3 {
		return pickup.Date{}, fmt.Errorf("date %q: want DD/MM/YYYY", text)
	}
	return pickup.ParseDate(fmt.Sprintf("%04d-%02d-%02d", year, month, day))
}

// typedDay shows the handovers of the day typed in the date field.
func (p *pickupsTab) typedDay(text string) {
	d, err := parseDay(text)
	if err != nil {
		p.daySummary.SetText(p.u.tr().T("ui.mgr.handovers.date.bad", "text", strings.TrimSpace(text), "example", dayText(p.u.tr(), p.u.opt.Store.Today())))
		p.daySummary.Importance = widget.DangerImportance
		p.daySummary.Refresh()
		return
	}
	p.showDay(d)
}

// showDay lists the handovers of day d.
func (p *pickupsTab) showDay(d pickup.Date) {
	u := p.u
	tr := u.tr()
	p.labels(tr)
	p.day = d
	p.dayField.SetText(dayText(tr, d))
	if today := u.opt.Store.Today(); d == today {
		p.next.Disable()
	} else {
		p.next.Enable()
	}
	p.dayRows.RemoveAll()
	p.daySummary.Importance = widget.MediumImportance
	day, err := u.opt.Store.HandoversOn(u.ctx, d, 0)
	p.handed = day
	date := tr.Date(d.Year, d.Month, d.Day)
	switch {
	case err != nil:
		u.log.Warn("manager: list handovers", "err", err)
		p.daySummary.SetText(tr.T("ui.mgr.pickups.error", "err", err.Error()))
	case day.Total == 0:
		p.daySummary.SetText(tr.T("ui.mgr.handovers.none", "date", date))
	default:
		text := tr.T("ui.mgr.handovers.summary", "date", date, "n", tr.Number(day.Total))
		if day.Doubles > 0 {
			text += " · " + tr.T("ui.mgr.handovers.doubles", "n", tr.Number(day.Doubles))
			p.daySummary.Importance = widget.DangerImportance
		}
		if len(day.Handovers) < day.Total {
			text += "\n" + tr.T("ui.mgr.handovers.more", "shown", tr.Number(len(day.Handovers)), "date", d.String())
		}
		p.daySummary.SetText(text)
	}
	p.daySummary.Refresh()
	for _, h := range day.Handovers {
		p.dayRows.Add(p.handedRow(tr, h, u.opt.Loc))
	}
	p.dayRows.Refresh()
}

// counterName names the counter of a handover: its name when known,
// else its terminal id.
func counterName(name, terminalID string) string {
	if name != "" {
		return name
	}
	return terminalID
}

func (p *pickupsTab) handedRow(tr *i18n.Catalog, h store.Handed, loc *time.Location) fyne.CanvasObject {
	camp := p.u.snap.camp
	who := h.Name
	if h.Profession != "" {
		who += " — " + tr.Profession(camp, h.Profession)
	}
	parts := []string{h.At.In(loc).Format("15:04"), who}
	if h.GloveSize != "" {
		parts = append(parts, tr.T("ui.today.size", "size", h.GloveSize))
	}
	parts = append(parts, counterName(h.Counter, h.TerminalID), pickup.Code(strings.ReplaceAll(h.Code, "-", "")).Masked())
	text := strings.Join(parts, " · ")
	if h.Undone {
		text += " · " + tr.T("ui.today.undone")
	}
	l := wrapped(text)
	switch {
	case h.Double:
		l.SetText(tr.T("ui.mgr.handovers.double") + " · " + text)
		l.Importance = widget.DangerImportance
		l.TextStyle.Bold = true
		return container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon())), nil, l)
	case h.Undone:
		l.Importance = widget.LowImportance
		l.TextStyle.Italic = true
	}
	return l
}
