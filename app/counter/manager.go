package counter

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/report"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

// The manager screen: the "Manager" button of the top bar (or F5) asks for
// the manager PIN, then shows the manager's tabs in place of the verdict.
// The scan field stays above it: a scan goes back to the counter, and so
// do Escape, F5 and the "Counter" button; leaving locks the screen again.
//
// A counter with no manager PIN keeps the screen closed and says the
// technician must set one (`pickup config manager-pin`): the screen shows
// names of the day's handovers and changes the stock, which a volunteer's
// counter must not open by default.

// managerTab is one tab of the manager screen.
type managerTab struct {
	title string // its title's translation key
	icon  fyne.Resource
	// build makes its content, each time the screen is unlocked and when
	// the language changes while it shows (read the store there; keep no
	// state across builds).
	build func(u *UI) fyne.CanvasObject
}

// managerTabs are the manager screen's tabs, in order. To add a screen,
// write its constructor in the file of its theme (manager.go: the people,
// manager_stock.go: the stock; a method func (u *UI) newXxxTab()
// fyne.CanvasObject, or readTab over one that returns the tab's state) and
// add one line here.
func (u *UI) managerTabs() []managerTab {
	return []managerTab{
		{"ui.manager.tab.today", theme.HomeIcon(), (*UI).newTodayTab},
		{"ui.manager.tab.receive", theme.DownloadIcon(), (*UI).newReceiveTab},
		{"ui.manager.tab.count", theme.DocumentCreateIcon(), (*UI).newCountTab},
		{"ui.manager.tab.moves", theme.HistoryIcon(), (*UI).newMovesTab},
		{"ui.manager.tab.pickups", theme.AccountIcon(), readTab((*UI).newPickups)},
		{"ui.manager.tab.conflicts", theme.WarningIcon(), readTab((*UI).newConflicts)},
	}
}

// managerButtons are buttons on the manager screen's top row, left of
// "Back to the counter" (one line each, built like the tabs).
func (u *UI) managerButtons() []fyne.CanvasObject {
	return []fyne.CanvasObject{u.newReportButton()}
}

// newTodayTab is the Today panel: the day's handovers, the stock left,
// the coming weeks. The panel is rendered with every refresh of the window.
func (u *UI) newTodayTab() fyne.CanvasObject {
	u.today.obj.Show()
	return u.today.obj
}

// managerScreen is the PIN gate and, once unlocked, the tabs.
type managerScreen struct {
	u        *UI
	unlocked bool
	// say is the gate's last refusal, in the current language.
	say func(tr *i18n.Catalog) string

	gateTitle, gateHelp, gateMsg *widget.Label
	pin                          *formEntry
	pinOK                        *widget.Button
	gate                         *fyne.Container

	title    *widget.Label
	back     *widget.Button
	top      *fyne.Container
	tabs     *container.AppTabs
	builtIn  string // the language the tabs were built in ("" = not built)
	screen   *fyne.Container
	obj      *fyne.Container
	selected int
	// shown holds what a tab reads again each time it is selected.
	shown map[fyne.CanvasObject]func()
}

// onTabShown makes fn run each time the tab whose content is obj is
// selected (to read the store again); a tab's constructor calls it.
func (u *UI) onTabShown(obj fyne.CanvasObject, fn func()) { u.manager.shown[obj] = fn }

// readingTab is the state of a tab that reads the store again each time
// it is selected.
type readingTab interface {
	content() fyne.CanvasObject
	refresh()
}

// readTab is the constructor of a tab from its state's: the tab's content
// is refreshed each time the tab is selected.
func readTab[T readingTab](newT func(*UI) T) func(*UI) fyne.CanvasObject {
	return func(u *UI) fyne.CanvasObject {
		t := newT(u)
		u.onTabShown(t.content(), t.refresh)
		return t.content()
	}
}

func newManagerScreen(u *UI) *managerScreen {
	m := &managerScreen{u: u, gateTitle: widget.NewLabel(""), gateHelp: widget.NewLabel(""), gateMsg: widget.NewLabel(""),
		title: widget.NewLabel("")}
	m.gateTitle.SizeName = theme.SizeNameHeadingText
	m.gateTitle.TextStyle.Bold = true
	m.gateHelp.Wrapping = fyne.TextWrapWord
	m.gateMsg.Wrapping = fyne.TextWrapWord
	m.gateMsg.TextStyle.Bold = true
	m.pin = u.newFormEntry()
	m.pin.Password = true
	m.pin.onEnter = m.submit
	m.pinOK = widget.NewButtonWithIcon("", theme.LoginIcon(), m.submit)
	m.pinOK.Importance = widget.HighImportance
	pinRow := container.NewHBox(container.NewGridWrap(fyne.NewSize(260, m.pin.MinSize().Height), m.pin), m.pinOK)
	m.gate = container.NewVBox(m.gateTitle, m.gateHelp, pinRow, m.gateMsg)

	m.title.SizeName = theme.SizeNameSubHeadingText
	m.title.TextStyle.Bold = true
	m.title.Truncation = fyne.TextTruncateEllipsis
	m.back = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() {
		u.closeManager()
		u.renderBody()
		u.focusEntry()
	})
	m.top = container.NewHBox()
	m.screen = container.NewBorder(container.NewBorder(nil, nil, nil, m.top, m.title), nil, nil, nil)
	m.obj = container.NewStack(container.NewPadded(container.NewVBox(m.gate, layout.NewSpacer())), m.screen)
	return m
}

// lock closes the screen: the next entry asks for the PIN again, and the
// tabs are built afresh.
func (m *managerScreen) lock() {
	m.unlocked, m.say, m.builtIn = false, nil, ""
	m.pin.SetText("")
	m.u.today.obj.Hide() // shown again with the tabs
	if m.tabs != nil {
		m.screen.Remove(m.tabs)
		m.tabs = nil
	}
}

// gateOpen reports whether the PIN field waits for the PIN.
func (m *managerScreen) gateOpen() bool { return !m.unlocked && m.pin.Visible() }

func (m *managerScreen) submit() {
	u := m.u
	pin := m.pin.Text
	m.pin.SetText("")
	res, err := u.opt.Store.CheckManagerPIN(u.ctx, pin)
	switch {
	case err != nil:
		u.log.Error("check manager PIN", "err", err)
		m.say = func(tr *i18n.Catalog) string { return tr.T("ui.manager.pin.error", "err", err.Error()) }
	case res.OK:
		u.log.Info("manager screen opened")
		m.unlocked, m.say = true, nil
	case res.NotSet:
		m.say = nil
	default:
		u.log.Warn("manager PIN refused", "tries", res.Fails)
		secs := strconv.Itoa(int((res.Wait + 999_999_999) / 1_000_000_000))
		m.say = func(tr *i18n.Catalog) string {
			switch {
			case res.Early:
				return tr.T("ui.manager.pin.wait", "s", secs)
			case res.Wait > 0:
				return tr.T("ui.manager.pin.wrong") + " " + tr.T("ui.manager.pin.wait", "s", secs)
			}
			return tr.T("ui.manager.pin.wrong") + " " + tr.T("ui.manager.pin.again")
		}
	}
	u.renderBody()
	u.focusEntry()
}

// render shows the gate or the tabs in tr's language.
func (m *managerScreen) render(tr *i18n.Catalog) {
	u := m.u
	if !m.unlocked {
		m.screen.Hide()
		m.gateTitle.SetText(tr.T("ui.manager.title"))
		m.pinOK.SetText(tr.T("ui.manager.pin.enter"))
		m.pin.SetPlaceHolder(tr.T("ui.manager.pin.placeholder"))
		has, err := u.opt.Store.HasManagerPIN(u.ctx)
		switch {
		case err != nil:
			m.gateHelp.SetText(tr.T("ui.manager.pin.error", "err", err.Error()))
		case !has:
			m.gateHelp.SetText(tr.T("ui.manager.pin.not_set"))
		default:
			m.gateHelp.SetText(tr.T("ui.manager.pin.help"))
		}
		if has && err == nil {
			m.pin.Show()
			m.pinOK.Show()
		} else {
			m.pin.Hide()
			m.pinOK.Hide()
		}
		if m.say != nil {
			m.gateMsg.SetText(m.say(tr))
			m.gateMsg.Importance = widget.DangerImportance
			m.gateMsg.Show()
		} else {
			m.gateMsg.Hide()
		}
		m.gate.Show()
		return
	}
	m.gate.Hide()
	m.title.SetText(tr.T("ui.manager.screen", "centre", u.snap.status.Centre.Name))
	m.back.SetText(tr.T("ui.manager.back"))
	if m.builtIn != tr.Lang {
		m.build(tr)
	}
	m.screen.Show()
}

// build makes the tabs and the top row's buttons, keeping the tab chosen.
func (m *managerScreen) build(tr *i18n.Catalog) {
	u := m.u
	if m.tabs != nil {
		m.selected = m.tabs.SelectedIndex()
		m.screen.Remove(m.tabs)
	}
	m.shown = map[fyne.CanvasObject]func(){}
	var items []*container.TabItem
	for _, t := range u.managerTabs() {
		items = append(items, container.NewTabItemWithIcon(tr.T(t.title), t.icon, t.build(u)))
	}
	m.tabs = container.NewAppTabs(items...)
	if m.selected > 0 && m.selected < len(items) {
		m.tabs.SelectIndex(m.selected)
	}
	m.tabs.OnSelected = func(it *container.TabItem) {
		if fn := m.shown[it.Content]; fn != nil {
			fn()
		}
	}
	m.top.RemoveAll()
	for _, b := range u.managerButtons() {
		m.top.Add(b)
	}
	m.top.Add(m.back)
	m.screen.Add(m.tabs)
	m.builtIn = tr.Lang
}

// ToggleManager opens the manager screen (behind its PIN), or leaves it.
func (u *UI) ToggleManager() {
	if !u.snap.setUp {
		return
	}
	if u.showManager {
		u.closeManager()
	} else {
		u.showManager = true
		u.manager.lock()
		u.Refresh(u.ctx)
	}
	u.renderBody()
}

// closeManager leaves the manager screen and locks it.
func (u *UI) closeManager() {
	u.showManager = false
	u.manager.lock()
}

// ManagerOpen reports whether the manager screen shows, unlocked.
func (u *UI) ManagerOpen() bool { return u.showManager && u.manager.unlocked }

// renderManager shows the manager screen in place of the verdict, or
// hides it.
func (u *UI) renderManager(tr *i18n.Catalog) {
	b := u.buttons["manager"]
	if !u.showManager {
		b.SetText(tr.T("ui.manager.show"))
		u.manager.obj.Hide()
		u.verdictView.Show()
		return
	}
	b.SetText(tr.T("ui.counter.show"))
	u.verdictView.Hide()
	if u.manager.unlocked {
		u.today.render(tr, u.snap, u.opt.Loc, u.model.Now())
	}
	u.manager.render(tr)
	u.manager.obj.Show()
}

// formEntry is a text field of the manager's screens: Escape and the
// F-keys work in it as everywhere, and Enter runs onEnter when set.
type formEntry struct {
	widget.Entry
	u       *UI
	onEnter func()
}

func (u *UI) newFormEntry() *formEntry {
	e := &formEntry{u: u}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey handles Enter, then the window's keys, then editing.
func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if e.onEnter != nil {
			e.onEnter()
			return
		}
	case fyne.KeyEscape, fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4, fyne.KeyF5, fyne.KeyF6, fyne.KeyF7, fyne.KeyF8, fyne.KeyF9:
		if e.u.handleKey(k) {
			return
		}
	}
	e.Entry.TypedKey(k)
}

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
	p.folder.SetText(outFolder(filepath.Join(u.opt.DataDir, "reports")))
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
	content.SetMinSize(u.dialogSize(760, 470, 100, 160))
	u.showDialog(tr.T("report.dialog.title"), tr.T("report.dialog.close"), content, nil)
}

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
	words            texts // the fixed widgets' words

	day      pickup.Date
	expected store.ExpectedList
	handed   store.HandoverDay
}

// newPickups builds the Pickups tab over the counter's store, showing
// everyone still to come and today's handovers; both lists are read again
// each time the tab is selected (readTab).
func (u *UI) newPickups() *pickupsTab {
	p := &pickupsTab{u: u, expectedCount: widget.NewLabel(""), expectedRows: container.NewVBox(),
		daySummary: widget.NewLabel(""), dayRows: container.NewVBox()}
	w := &p.words
	p.expectedTitle = texted(w, "ui.mgr.pickups.expected", widget.NewLabel(""))
	p.search = hinted(w, "ui.mgr.pickups.search.hint", u.newFormEntry())
	p.searchBtn = texted(w, "ui.mgr.pickups.search", widget.NewButtonWithIcon("", theme.SearchIcon(), p.find))
	p.dayTitle = texted(w, "ui.mgr.handovers.title", widget.NewLabel(""))
	p.dayField = hinted(w, "ui.mgr.handovers.date.hint", u.newFormEntry())
	p.prev = texted(w, "ui.mgr.handovers.prev", widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { p.showDay(p.day.AddDays(-1)) }))
	p.next = texted(w, "ui.mgr.handovers.next", widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.showDay(p.day.AddDays(1)) }))
	p.toDy = texted(w, "ui.mgr.handovers.today", widget.NewButton("", func() { p.showDay(u.opt.Store.Today()) }))
	p.expectedTitle.TextStyle.Bold = true
	p.dayTitle.TextStyle.Bold = true
	p.expectedCount.Wrapping = fyne.TextWrapWord
	p.daySummary.Wrapping = fyne.TextWrapWord
	p.search.onEnter = p.find
	p.dayField.onEnter = func() { p.typedDay(p.dayField.Text) }
	p.next.IconPlacement = widget.ButtonIconTrailingText

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

func (p *pickupsTab) content() fyne.CanvasObject { return p.obj }

// refresh reads both lists again, in the counter's language.
func (p *pickupsTab) refresh() {
	p.find()
	p.showDay(p.day)
}

// find lists who is still to come, matching the search field.
func (p *pickupsTab) find() {
	u := p.u
	tr := u.tr()
	p.words.set(tr)
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
	p.words.set(tr)
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

// conflictsTab is the manager's Conflicts tab: each code handed over more
// than once (or whose handover the registry flagged) with both sides —
// counters, times, glove sizes — and its reviews; "Mark reviewed" records
// a review with a note, a fact that reaches the registry and the centre's
// other counters.
type conflictsTab struct {
	u     *UI
	intro *widget.Label
	rows  *fyne.Container
	obj   fyne.CanvasObject
	cases []store.ConflictCase
	// notes and said keep, per code, the note field and its message.
	notes map[string]*formEntry
	said  map[string]*widget.Label
	// last is the outcome of the last review, shown under its case.
	last map[string]func(*i18n.Catalog) (string, widget.Importance)
}

// newConflicts builds the Conflicts tab over the counter's store; it reads
// the cases again each time the tab is selected (readTab).
func (u *UI) newConflicts() *conflictsTab {
	c := &conflictsTab{u: u, intro: widget.NewLabel(""), rows: container.NewVBox(),
		last: map[string]func(*i18n.Catalog) (string, widget.Importance){}}
	c.intro.Wrapping = fyne.TextWrapWord
	c.obj = container.NewBorder(c.intro, nil, nil, nil, container.NewVScroll(c.rows))
	c.refresh()
	return c
}

func (c *conflictsTab) content() fyne.CanvasObject { return c.obj }

// refresh reads the cases and shows them in the counter's language.
func (c *conflictsTab) refresh() {
	u := c.u
	tr := u.tr()
	cases, err := u.opt.Store.ConflictCases(u.ctx)
	c.cases = cases
	c.rows.RemoveAll()
	c.notes, c.said = map[string]*formEntry{}, map[string]*widget.Label{}
	open := 0
	for _, cc := range cases {
		if !cc.Reviewed() {
			open++
		}
	}
	c.intro.Importance = widget.MediumImportance
	switch {
	case err != nil:
		u.log.Warn("manager: list conflicts", "err", err)
		c.intro.SetText(tr.T("ui.mgr.pickups.error", "err", err.Error()))
	case len(cases) == 0:
		c.intro.SetText(tr.T("ui.conflicts.none"))
	case open > 0:
		c.intro.SetText(tr.T("ui.mgr.conflicts.intro", "n", tr.Number(len(cases)), "open", tr.Number(open)))
		c.intro.Importance = widget.DangerImportance
	default:
		c.intro.SetText(tr.T("ui.mgr.conflicts.intro.done", "n", tr.Number(len(cases))))
	}
	c.intro.Refresh()
	for i, cc := range cases {
		if i > 0 {
			c.rows.Add(widget.NewSeparator())
		}
		c.rows.Add(c.caseBox(tr, cc))
	}
	c.rows.Refresh()
}

// caseBox shows one case: who, each side, the reviews, and the note field.
func (c *conflictsTab) caseBox(tr *i18n.Catalog, cc store.ConflictCase) fyne.CanvasObject {
	u := c.u
	camp, loc := u.snap.camp, u.opt.Loc
	code := pickup.Code(strings.ReplaceAll(cc.Code, "-", ""))
	who := tr.T("ui.mgr.conflicts.code", "code", code.Masked())
	if cc.Name != "" {
		who += " — " + cc.Name
		if cc.Profession != "" {
			who += " (" + tr.Profession(camp, cc.Profession) + ")"
		}
	}
	title := widget.NewLabel(who)
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	state := widget.NewLabel(tr.T("ui.mgr.conflicts.open"))
	state.Importance = widget.DangerImportance
	state.TextStyle.Bold = true
	if cc.Reviewed() {
		state.SetText(tr.T("ui.mgr.conflicts.reviewed"))
		state.Importance = widget.SuccessImportance
	}
	box := container.NewVBox(container.NewBorder(nil, nil, nil, state, title))
	for i, s := range cc.Sides {
		box.Add(wrapped(sideText(tr, i+1, s, loc)))
	}
	for _, r := range cc.Reviews {
		l := wrapped(tr.T("ui.mgr.conflicts.review", "counter", counterName(r.Counter, r.TerminalID),
			"when", tr.DateTime(r.At, loc), "note", r.Note))
		l.TextStyle.Italic = true
		box.Add(l)
	}
	note := u.newFormEntry()
	note.SetPlaceHolder(tr.T("ui.mgr.conflicts.note.hint"))
	mark := widget.NewButtonWithIcon(tr.T("ui.mgr.conflicts.mark"), theme.ConfirmIcon(), func() { c.review(cc.Code) })
	mark.Importance = widget.HighImportance
	note.onEnter = func() { c.review(cc.Code) }
	said := widget.NewLabel("")
	said.Wrapping = fyne.TextWrapWord
	said.Hide()
	if last := c.last[cc.Code]; last != nil {
		said.Text, said.Importance = last(tr)
		said.Show()
	}
	c.notes[cc.Code], c.said[cc.Code] = note, said
	box.Add(container.NewBorder(nil, nil, nil, mark, note))
	box.Add(said)
	return box
}

// sideText puts one handover of a case into words: when, at which
// counter, the glove size, and what the registry or this counter said.
func sideText(tr *i18n.Catalog, n int, s store.Conflict, loc *time.Location) string {
	counter := counterName(s.Counter, s.TerminalID)
	if s.Local {
		counter += " (" + tr.T("ui.conflicts.here") + ")"
	}
	parts := []string{tr.T("ui.mgr.conflicts.side", "n", tr.Number(n), "when", tr.DateTime(s.At, loc), "counter", counter)}
	if s.GloveSize != "" {
		parts = append(parts, tr.T("ui.today.size", "size", s.GloveSize))
	}
	if d := conflictDetail(tr, s.Detail); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, " · ")
}

// conflictDetail puts what the store noted of a side into words.
func conflictDetail(tr *i18n.Catalog, detail string) string {
	if flag, ok := strings.CutPrefix(detail, store.ConflictFlagged); ok {
		if k := "ui.mgr.conflicts.flag." + flag; tr.Has(k) {
			return tr.T(k)
		}
		return tr.T("ui.mgr.conflicts.flag", "flag", flag)
	}
	switch detail {
	case store.ConflictDouble:
		return ""
	case store.ConflictPushed:
		return tr.T("ui.mgr.conflicts.detail.pushed")
	case store.DetailDoubleOwed:
		return tr.T("ui.mgr.conflicts.detail.owed")
	case store.ConflictEarlier:
		return tr.T("ui.mgr.conflicts.detail.earlier")
	}
	return detail
}

// review records the review of a case with the note typed under it.
func (c *conflictsTab) review(code string) {
	u := c.u
	note := c.notes[code]
	if note == nil {
		return
	}
	r, err := u.opt.Store.ReviewConflict(u.ctx, code, note.Text)
	switch {
	case err != nil && errors.Is(err, store.ErrInvalid) && strings.TrimSpace(note.Text) == "":
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.conflicts.note.empty"), widget.DangerImportance
		}
	case err != nil && errors.Is(err, store.ErrInvalid):
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.conflicts.note.bad", "max", tr.Number(pickup.MaxNoteLen)), widget.DangerImportance
		}
	case err != nil:
		u.log.Error("manager: review conflict", "err", err)
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.pickups.error", "err", err.Error()), widget.DangerImportance
		}
	default:
		u.log.Info("conflict reviewed", "code", pickup.Code(strings.ReplaceAll(code, "-", "")).Masked(), "event", r.EventID)
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.conflicts.done"), widget.SuccessImportance
		}
		select { // the status bar counts it waiting to upload at once
		case u.kick <- struct{}{}:
		default:
		}
	}
	if err != nil {
		// Keep what was typed: show the refusal under it.
		say := c.said[code]
		say.Text, say.Importance = c.last[code](u.tr())
		say.Show()
		say.Refresh()
		return
	}
	c.refresh()
}
