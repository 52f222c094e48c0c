package registry

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/pickup-terminal/pickup"
)

// The schedule and the plan as a table for people, and as CSV for Belgian
// Excel: UTF-8 with a byte-order mark, ';' between fields, decimal commas.

// paceText and sizesText say in words what CentreWeek.Pace and Sizes mean.
var paceText = map[string]string{
	SpreadPace: "spread by the centre's handovers per day of the week so far",
	SpreadEven: "spread evenly over the window's days (too few handovers here for a pace)",
}

var sizesText = map[string]string{
	SizesCentre:   "glove sizes by the centre's mix so far",
	SizesNational: "glove sizes by the national mix (none chosen here yet)",
	SizesEven:     "glove sizes evenly (none chosen anywhere yet)",
}

// FormatParcels prints a parcel count to one decimal.
func FormatParcels(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// decimalComma prints v to one decimal with a comma, as Belgian Excel reads it.
func decimalComma(v float64) string { return pickup.DecimalComma(v, 1) }

func itemLabel(item, size string) string {
	if size == "" {
		return item
	}
	return item + " " + size
}

// WriteScheduleTable prints the schedule for people: per week, per centre,
// the groups open and the items needed.
func WriteScheduleTable(w io.Writer, sch *Schedule) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Schedule %s to %s (parcels still expected are spread from %s on)\n", sch.From, sch.To, sch.Today)
	for _, wk := range sch.Weeks {
		fmt.Fprintf(bw, "\n%s: Monday %s to Sunday %s\n", wk.Week, wk.Start, wk.End)
		if len(wk.Centres) == 0 {
			fmt.Fprintln(bw, "  no pickup window open")
			continue
		}
		for _, c := range wk.Centres {
			fmt.Fprintf(bw, "\n  %s (%s): %s parcels expected; %s; %s\n", c.CentreID, c.CentreName, FormatParcels(c.Parcels),
				paceText[c.Pace], sizesText[c.Sizes])
			tw := tabwriter.NewWriter(bw, 2, 8, 2, ' ', 0)
			if len(c.Groups) > 0 {
				fmt.Fprintln(tw, "    GROUP\tCAMPAIGN\tWINDOW\tPARCELS")
			}
			for _, g := range c.Groups {
				fmt.Fprintf(tw, "    %s\t%s\t%s to %s\t%s\n", g.Name, g.Campaign, g.Window.Start, g.Window.End, FormatParcels(g.Parcels))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			tw = tabwriter.NewWriter(bw, 2, 8, 2, ' ', 0)
			if len(c.Items) > 0 {
				fmt.Fprintln(tw, "    ITEM\tUNITS")
			}
			for _, it := range c.Items {
				fmt.Fprintf(tw, "    %s\t%d\n", itemLabel(it.Item, it.Size), it.Qty)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// ScheduleCSVHeader names the columns of the schedule's CSV. Each row is
// one figure: kind "parcels" (the centre's week), "group" (a professional
// group's parcels) or "item" (units of an item and size).
var ScheduleCSVHeader = []string{"week", "week_start", "week_end", "centre_id", "centre_name", "pace", "sizes",
	"kind", "campaign", "profession", "window_start", "window_end", "item", "size", "quantity"}

// excelText keeps a text cell from being read as a formula by Excel (a
// centre named "=HYPERLINK(…)" stays text).
func excelText(s string) string { return pickup.EscapeCSVField(s) }

// WriteScheduleCSV writes the schedule as CSV for Belgian Excel.
func WriteScheduleCSV(w io.Writer, sch *Schedule) error {
	return writeExcelCSV(w, ScheduleCSVHeader, func(write func([]string) error) {
		for _, wk := range sch.Weeks {
			for _, c := range wk.Centres {
				head := []string{wk.Week, wk.Start.String(), wk.End.String(), excelText(c.CentreID), excelText(c.CentreName), c.Pace, c.Sizes}
				row := func(rest ...string) { write(append(append([]string(nil), head...), rest...)) }
				row("parcels", "", "", "", "", "", "", decimalComma(c.Parcels))
				for _, g := range c.Groups {
					row("group", excelText(g.Campaign), excelText(g.Profession), g.Window.Start.String(), g.Window.End.String(), "", "", decimalComma(g.Parcels))
				}
				for _, it := range c.Items {
					row("item", "", "", "", "", excelText(it.Item), excelText(it.Size), strconv.Itoa(it.Qty))
				}
			}
		}
	})
}

// writeExcelCSV writes header, then the records rows writes, as CSV for
// Belgian Excel.
func writeExcelCSV(w io.Writer, header []string, rows func(write func([]string) error)) error {
	cw, err := pickup.NewExcelCSV(w)
	if err != nil {
		return err
	}
	cw.Write(header)
	rows(cw.Write)
	cw.Flush()
	return cw.Error()
}

// boxText is a box size's cell: empty when items do not come in boxes.
func boxText(box int) string {
	if box > 0 {
		return strconv.Itoa(box)
	}
	return ""
}

// WritePlanTable prints the shipment plan for people.
func WritePlanTable(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Shipment plan %s to %s: what to send so that each centre covers its expected parcels\n", p.From, p.To)
	fmt.Fprintln(bw, "(available = on hand and in transit now, plus the plan's earlier shipments, minus the earlier weeks' needs)")
	for _, wk := range p.Weeks {
		fmt.Fprintf(bw, "\n%s: Monday %s to Sunday %s\n", wk.Week, wk.Start, wk.End)
		tw := tabwriter.NewWriter(bw, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "  CENTRE\tITEM\tNEED\tAVAILABLE\tSHIP\tBOX")
		lines := 0
		for _, c := range wk.Centres {
			for _, l := range c.Lines {
				fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%s\n", c.CentreID, itemLabel(l.Item, l.Size), l.Need, l.Available, l.Ship, boxText(l.Box))
				lines++
			}
		}
		if lines == 0 {
			fmt.Fprintln(tw, "  nothing expected")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// PlanCSVHeader names the columns of the plan's CSV.
var PlanCSVHeader = []string{"week", "week_start", "week_end", "centre_id", "centre_name", "item", "size", "need", "available", "ship", "box_size"}

// WritePlanCSV writes the shipment plan as CSV for Belgian Excel.
func WritePlanCSV(w io.Writer, p *Plan) error {
	return writeExcelCSV(w, PlanCSVHeader, func(write func([]string) error) {
		for _, wk := range p.Weeks {
			for _, c := range wk.Centres {
				for _, l := range c.Lines {
					write([]string{wk.Week, wk.Start.String(), wk.End.String(), excelText(c.CentreID), excelText(c.CentreName), excelText(l.Item), excelText(l.Size),
						strconv.Itoa(l.Need), strconv.Itoa(l.Available), strconv.Itoa(l.Ship), boxText(l.Box)})
				}
			}
		}
	})
}
