package counter

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/assets/i18n"
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
// write its constructor in a file of its own (manager_<theme>.go, a method
// func (u *UI) newXxxTab() fyne.CanvasObject) and add one line here.
func (u *UI) managerTabs() []managerTab {
	return []managerTab{
		{"ui.manager.tab.today", theme.HomeIcon(), (*UI).newTodayTab},
		{"ui.manager.tab.receive", theme.DownloadIcon(), (*UI).newReceiveTab},
		{"ui.manager.tab.count", theme.DocumentCreateIcon(), (*UI).newCountTab},
		{"ui.manager.tab.moves", theme.HistoryIcon(), (*UI).newMovesTab},
		{"ui.manager.tab.pickups", theme.AccountIcon(), (*UI).newPickupsTab},
		{"ui.manager.tab.conflicts", theme.WarningIcon(), (*UI).newConflictsTab},
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
