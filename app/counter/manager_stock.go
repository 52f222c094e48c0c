package counter

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

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
	l := widget.NewLabel(strings.Join(parts, " · "))
	l.Wrapping = fyne.TextWrapWord
	if m.Delta < 0 && m.Kind != store.MoveHandover {
		l.Importance = widget.WarningImportance
	}
	return l
}
