package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type reportOptions struct {
	*globals
	from, to pickup.Date
	csv      bool
}

// dateValue is a flag holding a day, YYYY-MM-DD (empty: not given).
type dateValue struct{ d *pickup.Date }

func (v dateValue) String() string {
	if v.d == nil || *v.d == (pickup.Date{}) {
		return ""
	}
	return v.d.String()
}

func (v dateValue) Set(s string) error {
	d, err := pickup.ParseDate(s)
	if err != nil {
		return fmt.Errorf("want a date YYYY-MM-DD")
	}
	*v.d = d
	return nil
}

func (dateValue) Type() string { return "date" }

func newCmdReport(g *globals, runF func(context.Context, *reportOptions) error) *cobra.Command {
	o := &reportOptions{globals: g}
	cmd := withJSON(cmdkit.New(&cobra.Command{
		Use:   "report [--from DATE] [--to DATE] [--csv | --json]",
		Short: "per centre: expected, collected, double handovers, shipped vs handed over per item; per day of the period (default: from the first handover to today) the handovers, and the double handovers with both sides; --csv: the days, then the double handovers",
		Args:  cmdkit.NoArgs}, o,
		func(*cobra.Command, []string) error {
			if o.csv && o.json {
				return cmdkit.Usagef("--csv or --json, not both")
			}
			return nil
		}, runF, reportRun))
	f := cmd.Flags()
	f.Var(dateValue{&o.from}, "from", "first day, YYYY-MM-DD (default: the day of the first handover)")
	f.Var(dateValue{&o.to}, "to", "last day, YYYY-MM-DD (default: today)")
	f.BoolVar(&o.csv, "csv", false, "print CSV: one row per day and centre, then one per double handover")
	return cmd
}

func reportRun(ctx context.Context, o *reportOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		rep, err := reg.Report(ctx, o.from, o.to)
		if err != nil {
			return err
		}
		switch {
		case o.json:
			return cmdkit.PrintJSON(o.stdout, rep)
		case o.csv:
			return writeReportCSV(o.stdout, rep)
		}
		w := o.stdout
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CENTRE\tEXPECTED\tCOLLECTED\tDOUBLE\tCANCELLED\tTERMINALS\t")
		for _, c := range append(rep.Centres, rep.Totals) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", c.ID, c.Expected, c.Collected, c.DoubleHandovers, c.Cancelled, c.Terminals)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CENTRE\tITEM\tSIZE\tSHIPPED\tRECEIVED\tHANDED OVER\t")
		for _, c := range rep.Centres {
			for _, it := range c.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t\n", c.ID, it.Item, it.Size, it.Shipped, it.Received, it.HandedOver)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nfrom %s to %s: %d handover(s), %d code(s) collected for the first time, %d double handover(s), %d undone\n",
			rep.From, rep.To, rep.Period.Handovers, rep.Period.Collected, rep.Period.DoubleHandovers, rep.Period.Undone)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "DAY\tHANDOVERS\tCOLLECTED\tDOUBLE\tUNDONE\t")
		for _, d := range rep.Days {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", d.Day, d.Handovers, d.Collected, d.DoubleHandovers, d.Undone)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(rep.Doubles) > 0 {
			fmt.Fprintf(w, "\ndouble handovers (%d code(s)):\n", len(rep.Doubles))
		}
		for _, d := range rep.Doubles {
			fmt.Fprintf(w, "  %s  %s (%s), pickup of centre %s:\n", d.Code, d.Name, d.Profession, d.CentreID)
			for _, h := range d.Handovers {
				size := ""
				if h.GloveSize != "" {
					size = ", gloves " + h.GloveSize
				}
				fmt.Fprintf(w, "    %s at centre %s by terminal %s%s\n", h.At.Local().Format("2006-01-02 15:04"), h.CentreID, h.TerminalID, size)
			}
		}
		return nil
	})
}

// writeReportCSV writes the days (one row per day and centre, and a
// "total" row per day), a blank line, then one row per handover of a
// double handover.
func writeReportCSV(w io.Writer, rep *registry.Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"day", "centre_id", "handovers", "collected", "double_handovers", "undone"})
	row := func(centre string, d registry.DayFigures) {
		cw.Write([]string{d.Day.String(), centre, fmt.Sprint(d.Handovers), fmt.Sprint(d.Collected), fmt.Sprint(d.DoubleHandovers), fmt.Sprint(d.Undone)})
	}
	for i, d := range rep.Days {
		for _, c := range rep.Centres {
			row(c.ID, c.Days[i])
		}
		row("total", d)
	}
	cw.Write(nil)
	cw.Write([]string{"code", "name", "profession", "pickup_centre_id", "handover", "at", "centre_id", "terminal_id", "glove_size", "event_id"})
	for _, d := range rep.Doubles {
		for i, h := range d.Handovers {
			cw.Write([]string{d.Code.String(), d.Name, d.Profession, d.CentreID, fmt.Sprint(i + 1), h.At.Format(time.RFC3339),
				h.CentreID, h.TerminalID, h.GloveSize, h.EventID})
		}
	}
	cw.Flush()
	return cw.Error()
}
