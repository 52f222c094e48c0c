package counter

import (
	"fmt"
	"slices"
	"strconv"
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

// The manager screen's stock: the Today tab (the day's handovers, the
// stock left with the shortage forecast, the coming weeks; the forecast's
// line in the counter's status bar too), then the Receive, Count and Moves
// tabs.

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

// The shortage forecast in the window: on the Today panel, each item and
// size that runs short in words ("Gloves M: 120 short on 14 December
// 2020"), with the stock table's need column; at the counter, a line in the
// status bar when an item will run out within store.WarnDays days, or
// when what is on hand does not cover today's share of the pickups still
// expected. The rule is pickup.ForecastShortage's.

// maxWarnItems bounds the items the counter's warning names (the rest
// are counted): the line shares the status bar with the sync state.
const maxWarnItems = 1

// maxPanelShort bounds the shortage lines at the top of the Today panel
// (the stock column lists every line).
const maxPanelShort = 3

// shortWords says one shortage: "Gloves M: 120 short on 14 December 2020"
// (and the shipment on the way that was counted).
func shortWords(tr *i18n.Catalog, camp *pickup.Campaign, f pickup.ItemForecast) string {
	kv := []string{"item", tr.ItemSize(camp, f.Item, f.Size), "n", tr.Number(f.ShortBy),
		"date", tr.Date(f.RunsOut.Year, f.RunsOut.Month, f.RunsOut.Day)}
	if f.InTransit > 0 {
		return tr.T("ui.forecast.short_transit", append(kv, "transit", tr.Number(f.InTransit))...)
	}
	return tr.T("ui.forecast.short", kv...)
}

// shortages returns the lines that run short, soonest first.
func shortages(fc pickup.Forecast) []pickup.ItemForecast {
	var out []pickup.ItemForecast
	for _, f := range fc.Lines {
		if f.Short() {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b pickup.ItemForecast) int { return a.RunsOut.Compare(b.RunsOut) })
	return out
}

// forecastBasis says how the need was reckoned, in the manager's words:
// the spread, then the glove-size split (when a sized item is needed).
func forecastBasis(tr *i18n.Catalog, fc pickup.Forecast) []string {
	out := []string{tr.T("ui.forecast.basis", "pace", tr.T("ui.forecast.pace."+fc.Pace))}
	for _, f := range fc.Lines {
		if f.Mix != "" {
			return append(out, tr.T("ui.forecast.mix."+f.Mix))
		}
	}
	return out
}

// renderForecast fills the panel's shortage lines.
func (p *todayPanel) renderForecast(tr *i18n.Catalog, camp *pickup.Campaign, fc pickup.Forecast, err error) {
	p.outlook.RemoveAll()
	if err != nil {
		l := wrapped(tr.T("ui.forecast.error", "err", err.Error()))
		l.Importance = widget.DangerImportance
		p.outlook.Add(l)
		return
	}
	short := shortages(fc)
	if len(short) == 0 {
		l := widget.NewLabel(tr.T("ui.forecast.enough"))
		l.Importance = widget.SuccessImportance
		l.TextStyle.Bold = true
		p.outlook.Add(l)
	}
	for i, f := range short {
		if i == maxPanelShort && len(short) > maxPanelShort+1 {
			l := widget.NewLabel(tr.T("ui.forecast.more", "n", tr.Number(len(short)-i)))
			l.Importance = widget.DangerImportance
			p.outlook.Add(l)
			break
		}
		l := widget.NewLabel("⚠ " + shortWords(tr, camp, f))
		l.Importance = widget.DangerImportance
		l.TextStyle.Bold = true
		l.Truncation = fyne.TextTruncateEllipsis
		p.outlook.Add(l)
	}
	p.basis.RemoveAll()
	for _, text := range forecastBasis(tr, fc) {
		l := wrapped(text)
		l.SizeName = theme.SizeNameCaptionText
		p.basis.Add(l)
	}
}

// stockRow is one line of the panel's stock: the item and size, the
// quantity on hand, and under them what the pickups still expected need.
func stockRow(tr *i18n.Catalog, camp *pickup.Campaign, l store.StockLine, f pickup.ItemForecast) fyne.CanvasObject {
	qty := widget.NewLabel(tr.Number(l.Qty))
	qty.Alignment = fyne.TextAlignTrailing
	qty.TextStyle.Bold = true
	if l.Qty <= 0 {
		qty.Importance = widget.DangerImportance
	}
	text, imp := needWords(tr, f)
	need := widget.NewLabel(text)
	need.Importance = imp
	need.TextStyle.Bold = imp == widget.DangerImportance
	need.Truncation = fyne.TextTruncateEllipsis
	need.SizeName = theme.SizeNameCaptionText
	return container.NewVBox(container.NewBorder(nil, nil, nil, qty, widget.NewLabel(tr.ItemSize(camp, l.Item, l.Size))), need)
}

// needWords is the stock table's forecast cell of one line.
func needWords(tr *i18n.Catalog, f pickup.ItemForecast) (string, widget.Importance) {
	switch {
	case f.Short():
		return tr.T("ui.forecast.cell.short", "need", tr.Number(f.Need), "n", tr.Number(f.ShortBy)), widget.DangerImportance
	case f.Need > 0:
		return tr.T("ui.forecast.cell.enough", "need", tr.Number(f.Need)), widget.MediumImportance
	}
	return tr.T("ui.forecast.cell.none"), widget.LowImportance
}

// counterWarning is the counter's short line about stock running out
// ("⚠ Running out: Gloves M today · Masks on 23/11"), "" when nothing runs
// out within store.WarnDays days and what is on hand covers today's share
// of the pickups still expected. The Today panel gives the numbers.
func counterWarning(tr *i18n.Catalog, camp *pickup.Campaign, fc pickup.Forecast) string {
	var today, soon []string
	for _, f := range fc.Lines {
		if f.NeedToday > max(f.OnHand, 0) {
			today = append(today, tr.T("ui.forecast.warn.today_item", "item", tr.ItemSize(camp, f.Item, f.Size)))
		}
	}
	for _, f := range shortages(fc) {
		if f.DaysLeft >= 0 && f.DaysLeft <= store.WarnDays && f.NeedToday <= max(f.OnHand, 0) {
			soon = append(soon, tr.T("ui.forecast.warn.soon_item", "item", tr.ItemSize(camp, f.Item, f.Size),
				"date", fmt.Sprintf("%02d/%02d", f.RunsOut.Day, int(f.RunsOut.Month))))
		}
	}
	items := append(today, soon...)
	if len(items) == 0 {
		return ""
	}
	more := ""
	if len(items) > maxWarnItems {
		more = " " + tr.T("ui.forecast.warn.more", "n", tr.Number(len(items)-maxWarnItems))
		items = items[:maxWarnItems]
	}
	return tr.T("ui.forecast.warn", "items", strings.Join(items, " · ")+more)
}

// The manager's stock tabs: shipments to receive, line by line with the
// quantity that came and why it differs; counts and losses with their
// reasons; the movement history. Every action is one store call; the
// window then reads the store again (status bar, Today panel).

// maxMoveRows bounds the movement history on screen (`pickup stock
// history --limit N` lists more).
const maxMoveRows = 200

// stockSay is a tab's last result, in the current language.
type stockSay struct {
	label *widget.Label
}

func newStockSay() stockSay {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Bold = true
	l.Hide()
	return stockSay{l}
}

func (s stockSay) set(imp widget.Importance, text string) {
	s.label.Importance = imp
	s.label.SetText(text)
	s.label.Show()
}

// parseQty reads a quantity typed by a person ("1000", "1 000", "1.000").
func parseQty(text string) (int, bool) {
	text = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ".", "", ",", "", "'", "", "_", "").Replace(text)
	n, err := strconv.Atoi(text)
	return n, err == nil && n >= 0 && n <= store.MaxStockQty
}

// stockError says why the store refused, in the manager's words.
func stockError(tr *i18n.Catalog, err error) string {
	switch store.CodeOf(err) {
	case store.CodeReasonRequired:
		return tr.T("ui.stock.need_reason")
	case store.CodeAlreadyReceived:
		return tr.T("ui.stock.already_received", "err", err.Error())
	case store.CodeInvalid:
		return tr.T("ui.stock.invalid", "err", err.Error())
	}
	return errorHint(tr, err)
}

// newReceiveTab lists the shipments not yet received, one line each: the
// quantity that came (what was sent, until changed) and, when it differs,
// the reason.
func (u *UI) newReceiveTab() fyne.CanvasObject {
	tr := u.tr()
	say := newStockSay()
	list := container.NewVBox()
	intro := wrapped(tr.T("ui.stock.receive.intro"))
	var fill func()
	fill = func() {
		list.RemoveAll()
		shs, err := u.opt.Store.Shipments(u.ctx)
		if err != nil {
			say.set(widget.DangerImportance, errorHint(tr, err))
			return
		}
		n := 0
		for _, sh := range shs {
			if sh.Received {
				continue
			}
			n++
			list.Add(u.shipmentRow(tr, sh, say, fill))
			list.Add(widget.NewSeparator())
		}
		if n == 0 {
			list.Add(wrapped(tr.T("ui.stock.receive.none")))
		}
		list.Refresh()
	}
	fill()
	obj := container.NewBorder(container.NewVBox(intro, say.label), nil, nil, nil, container.NewVScroll(list))
	u.onTabShown(obj, fill)
	return obj
}

// shipmentRow is one shipment line to receive.
func (u *UI) shipmentRow(tr *i18n.Catalog, sh store.Shipment, say stockSay, done func()) fyne.CanvasObject {
	camp := u.snap.camp
	head := widget.NewLabel(tr.ItemSize(camp, sh.Item, sh.Size))
	head.TextStyle.Bold = true
	detail := tr.T("ui.stock.receive.sent", "n", tr.Number(sh.Qty), "date", tr.DateTime(sh.SentAt, u.opt.Loc), "id", sh.ID)
	if sh.Ref != "" {
		detail += " · " + sh.Ref
	}
	qty := u.newFormEntry()
	qty.SetText(strconv.Itoa(sh.Qty))
	reason := u.newFormEntry()
	reason.SetPlaceHolder(tr.T("ui.stock.receive.reason"))
	receive := widget.NewButtonWithIcon(tr.T("ui.stock.receive.button"), theme.DownloadIcon(), nil)
	receive.Importance = widget.HighImportance
	refusal := newStockSay() // under the line it is about
	receive.OnTapped = func() {
		n, ok := parseQty(qty.Text)
		switch {
		case !ok:
			refusal.set(widget.DangerImportance, tr.T("ui.stock.bad_qty", "text", qty.Text))
			u.win.Canvas().Focus(qty)
			return
		case n != sh.Qty && strings.TrimSpace(reason.Text) == "":
			refusal.set(widget.DangerImportance, tr.T("ui.stock.receive.why", "n", tr.Number(n), "sent", tr.Number(sh.Qty)))
			u.win.Canvas().Focus(reason)
			return
		}
		res, err := u.opt.Store.ReceiveShipmentLine(u.ctx, sh.ID, n, reason.Text)
		if err != nil {
			u.log.Warn("receive shipment", "shipment", sh.ID, "err", err)
			refusal.set(widget.DangerImportance, stockError(tr, err))
			return
		}
		u.log.Info("shipment received", "shipment", sh.ID, "qty", n, "sent", sh.Qty)
		name := tr.ItemSize(camp, res.Item, res.Size)
		if n == sh.Qty {
			say.set(widget.SuccessImportance, tr.T("ui.stock.receive.done", "item", name, "n", tr.Number(n), "on_hand", tr.Number(res.OnHand)))
		} else {
			say.set(widget.WarningImportance, tr.T("ui.stock.receive.done_short", "item", name, "n", tr.Number(n),
				"sent", tr.Number(sh.Qty), "on_hand", tr.Number(res.OnHand)))
		}
		u.Refresh(u.ctx)
		done()
	}
	qty.onEnter = receive.OnTapped
	reason.onEnter = receive.OnTapped
	qtyLabel := widget.NewLabel(tr.T("ui.stock.receive.qty"))
	form := container.NewBorder(nil, nil,
		container.NewHBox(qtyLabel, container.NewGridWrap(fyne.NewSize(130, qty.MinSize().Height), qty)),
		receive, reason)
	return container.NewVBox(container.NewHBox(head, widget.NewLabel(detail)), form, refusal.label)
}

// newCountTab records a count (the stock becomes what was counted) or a
// loss (taken off), each with its reason, for one item and size.
func (u *UI) newCountTab() fyne.CanvasObject {
	tr := u.tr()
	say := newStockSay()
	camp := u.snap.camp
	var lines []store.StockLine
	var names []string
	for _, l := range u.snap.status.Stock {
		lines = append(lines, l)
		names = append(names, tr.ItemSize(camp, l.Item, l.Size))
	}
	onHand := widget.NewLabel("")
	pick := widget.NewSelect(names, nil)
	pick.PlaceHolder = tr.T("ui.stock.count.pick")
	chosen := func() (store.StockLine, bool) {
		i := pick.SelectedIndex()
		if i < 0 || i >= len(lines) {
			return store.StockLine{}, false
		}
		return lines[i], true
	}
	showOnHand := func() {
		if l, ok := chosen(); ok {
			if st, err := u.opt.Store.Stock(u.ctx); err == nil {
				for _, s := range st {
					if s.Item == l.Item && s.Size == l.Size {
						l.Qty = s.Qty
					}
				}
			}
			onHand.SetText(tr.T("ui.stock.count.on_hand", "n", tr.Number(l.Qty)))
		} else {
			onHand.SetText("")
		}
	}
	pick.OnChanged = func(string) { showOnHand() }
	qty := u.newFormEntry()
	qty.SetPlaceHolder(tr.T("ui.stock.count.qty"))
	reason := u.newFormEntry()
	reason.SetPlaceHolder(tr.T("ui.stock.count.reason"))
	record := func(loss bool) {
		l, ok := chosen()
		n, okQty := parseQty(qty.Text)
		switch {
		case !ok:
			say.set(widget.DangerImportance, tr.T("ui.stock.count.pick_first"))
			return
		case !okQty || loss && n == 0:
			say.set(widget.DangerImportance, tr.T("ui.stock.bad_qty", "text", qty.Text))
			u.win.Canvas().Focus(qty)
			return
		case strings.TrimSpace(reason.Text) == "":
			say.set(widget.DangerImportance, tr.T("ui.stock.need_reason"))
			u.win.Canvas().Focus(reason)
			return
		}
		var res store.StockResult
		var err error
		if loss {
			res, err = u.opt.Store.RecordLoss(u.ctx, l.Item, l.Size, n, reason.Text)
		} else {
			res, err = u.opt.Store.CountStock(u.ctx, l.Item, l.Size, n, reason.Text)
		}
		if err != nil {
			u.log.Warn("stock count or loss", "loss", loss, "err", err)
			say.set(widget.DangerImportance, stockError(tr, err))
			return
		}
		name := tr.ItemSize(camp, res.Item, res.Size)
		if loss {
			u.log.Info("stock loss recorded", "item", res.Item, "size", res.Size, "qty", n)
			say.set(widget.SuccessImportance, tr.T("ui.stock.loss.done", "item", name, "n", tr.Number(n), "on_hand", tr.Number(res.OnHand)))
		} else {
			u.log.Info("stock count recorded", "item", res.Item, "size", res.Size, "delta", res.Delta)
			say.set(widget.SuccessImportance, tr.T("ui.stock.count.done", "item", name, "on_hand", tr.Number(res.OnHand),
				"delta", signed(tr, res.Delta)))
		}
		qty.SetText("")
		reason.SetText("")
		u.Refresh(u.ctx)
		showOnHand()
	}
	countBtn := widget.NewButtonWithIcon(tr.T("ui.stock.count.button"), theme.ConfirmIcon(), func() { record(false) })
	countBtn.Importance = widget.HighImportance
	lossBtn := widget.NewButtonWithIcon(tr.T("ui.stock.loss.button"), theme.DeleteIcon(), func() { record(true) })
	lossBtn.Importance = widget.WarningImportance
	qty.onEnter = func() { u.win.Canvas().Focus(reason) }
	form := widget.NewForm(
		widget.NewFormItem(tr.T("ui.stock.count.item"), container.NewBorder(nil, nil, nil, onHand, pick)),
		widget.NewFormItem(tr.T("ui.stock.count.qty_label"), container.NewGridWrap(fyne.NewSize(180, qty.MinSize().Height), qty)),
		widget.NewFormItem(tr.T("ui.stock.count.reason_label"), reason),
	)
	obj := container.NewVScroll(container.NewVBox(wrapped(tr.T("ui.stock.count.intro")), form,
		container.NewHBox(countBtn, lossBtn), say.label))
	u.onTabShown(obj, showOnHand)
	return obj
}

// signed writes a change with its sign: "+20", "−5", "0".
func signed(tr *i18n.Catalog, n int) string {
	switch {
	case n > 0:
		return "+" + tr.Number(n)
	case n < 0:
		return "−" + tr.Number(-n)
	}
	return "0"
}

// newMovesTab is the stock movement history, newest first: when, which
// counter, what, the change and why.
func (u *UI) newMovesTab() fyne.CanvasObject {
	tr := u.tr()
	camp := u.snap.camp
	rows := container.NewVBox()
	var handovers bool
	fill := func() {
		rows.RemoveAll()
		moves, err := u.opt.Store.StockMoves(u.ctx, store.MovesFilter{Handovers: handovers, Limit: maxMoveRows})
		if err != nil {
			rows.Add(wrapped(errorHint(tr, err)))
			return
		}
		if len(moves) == 0 {
			rows.Add(wrapped(tr.T("ui.stock.moves.none")))
		}
		for _, m := range moves {
			rows.Add(moveRow(tr, camp, m, u))
		}
		rows.Refresh()
	}
	check := widget.NewCheck(tr.T("ui.stock.moves.handovers"), func(on bool) { handovers = on; fill() })
	fill()
	obj := container.NewBorder(container.NewVBox(wrapped(tr.T("ui.stock.moves.intro", "n", tr.Number(maxMoveRows))), check),
		nil, nil, nil, container.NewVScroll(rows))
	u.onTabShown(obj, fill)
	return obj
}

func moveRow(tr *i18n.Catalog, camp *pickup.Campaign, m store.StockMove, u *UI) fyne.CanvasObject {
	counter := m.TerminalID
	if m.Local {
		counter = tr.T("ui.conflicts.here")
	}
	change := signed(tr, m.Delta)
	if m.Level != nil {
		change = tr.T("ui.stock.moves.level", "n", tr.Number(*m.Level), "delta", change)
	}
	parts := []string{tr.DateTime(m.At, u.opt.Loc), counter, tr.T("ui.stock.kind." + m.Kind), tr.ItemSize(camp, m.Item, m.Size), change}
	why := m.Reason
	if m.Ref != "" {
		ref := m.Ref
		if id, ok := strings.CutPrefix(ref, pickup.ShipmentRefPrefix); ok {
			ref = tr.T("ui.stock.moves.shipment", "id", id)
		}
		why = strings.TrimSpace(ref + " " + why)
	}
	if why != "" {
		parts = append(parts, why)
	}
	// The reason, reference and size may come from another counter: what
	// would disguise them (a U+202E reversing the line) is dropped.
	l := widget.NewLabel(pickup.CleanName(strings.Join(parts, " · ")))
	l.Wrapping = fyne.TextWrapWord
	if m.Delta < 0 && m.Kind != store.MoveHandover {
		l.Importance = widget.WarningImportance
	}
	return l
}
