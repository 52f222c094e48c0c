package counter

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

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
