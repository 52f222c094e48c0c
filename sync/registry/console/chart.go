package console

import (
	"strconv"

	"github.com/pickup-terminal/pickup/assets/i18n"

	"github.com/pickup-terminal/pickup/sync/registry"
)

// chart is a bar chart of handovers per day, drawn as inline SVG by the
// progress view (no script, no image request): one bar per day, the
// double handovers of the day as the bar's red top.
type chart struct {
	Width, Height int
	Left, Bottom  int // the plot area's left edge and baseline
	Bars          []bar
	Ticks         []tick
	Label         string // the chart's accessible description
	Empty         bool
}

type bar struct {
	X, Y, W, H    int
	DY, DH        int // the doubles' part
	LabelX        int
	Label         string // day of month, under the bar
	Month         string // the month's name, under the first bar and the 1st
	ShowLabel     bool
	Title         string // tooltip and accessible text
	Value         string
	ValueY        int
	ShowValue     bool
	Handovers, Dn int
}

type tick struct {
	Y     int
	Label string
}

const (
	chartWidth  = 960
	chartHeight = 306
	chartLeft   = 56
	chartRight  = 12
	chartTop    = 24
	chartBottom = 254
)

// niceStep returns a round step giving about 4 ticks up to max.
func niceStep(max int) int {
	for s := 1; ; s *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step := s * m; max/step <= 4 {
				return step
			}
		}
	}
}

func dayChart(days []registry.DayFigures, p *page) chart {
	ch := chart{Width: chartWidth, Height: chartHeight, Left: chartLeft, Bottom: chartBottom}
	top := 0
	total := 0
	for _, d := range days {
		top = max(top, d.Handovers)
		total += d.Handovers
	}
	ch.Empty = total == 0
	step := niceStep(max(top, 4))
	ceil := (max(top, 1) + step - 1) / step * step
	plotH := chartBottom - chartTop
	for v := 0; v <= ceil; v += step {
		ch.Ticks = append(ch.Ticks, tick{Y: chartBottom - v*plotH/ceil, Label: p.N(v)})
	}
	n := max(len(days), 1)
	slot := (chartWidth - chartLeft - chartRight) / n
	w := max(slot*7/10, 2)
	every := 1
	if slot < 28 {
		every = (28 + slot - 1) / slot
	}
	for i, d := range days {
		h := d.Handovers * plotH / ceil
		dh := d.DoubleHandovers * plotH / ceil
		if d.DoubleHandovers > 0 && dh < 3 {
			dh = 3
		}
		if h < dh {
			h = dh
		}
		x := chartLeft + i*slot + (slot-w)/2
		b := bar{X: x, Y: chartBottom - h, W: w, H: h, DY: chartBottom - h, DH: dh,
			LabelX: x + w/2, Label: strconv.Itoa(d.Day.Time(p.loc).Day()), ShowLabel: i%every == 0 || i == len(days)-1,
			Value: p.N(d.Handovers), ValueY: chartBottom - h - 6, ShowValue: slot >= 30 && d.Handovers > 0,
			Handovers: d.Handovers, Dn: d.DoubleHandovers}
		if i == 0 || d.Day.Time(p.loc).Day() == 1 {
			b.Month = i18n.For(p.Lang).T("month." + strconv.Itoa(int(d.Day.Time(p.loc).Month())))
		}
		b.Title = p.T("chart.bar", "date", d.Day.String(), "n", p.N(d.Handovers), "doubles", p.N(d.DoubleHandovers))
		ch.Bars = append(ch.Bars, b)
	}
	if len(days) > 0 {
		ch.Label = p.T("chart.label", "from", days[0].Day.String(), "to", days[len(days)-1].Day.String(), "n", p.N(total))
	}
	return ch
}
