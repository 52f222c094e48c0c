package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// The weekly schedule and the shipment plan (issue 14).

// scheduleOptions are the flags of schedule and plan.
type scheduleOptions struct {
	*globals
	from   string // a day or an ISO week
	weeks  int
	centre string
	csv    bool
	pdf    string // schedule only: write the PDF to this file
	lang   string // of the PDF
}

func (o *scheduleOptions) selection() (registry.ScheduleOptions, error) {
	opt := registry.ScheduleOptions{Weeks: o.weeks, CentreID: o.centre}
	if o.from != "" {
		d, err := registry.ParseWeek(o.from)
		if err != nil {
			return opt, cmdkit.Usagef("--from: %v", err)
		}
		opt.From = d
	}
	if o.weeks < 1 || o.weeks > registry.MaxScheduleWeeks {
		return opt, cmdkit.Usagef("--weeks %d: want 1 to %d", o.weeks, registry.MaxScheduleWeeks)
	}
	if o.csv && o.json {
		return opt, cmdkit.Usagef("--csv or --json, not both")
	}
	return opt, nil
}

// flags are the flags schedule and plan share.
func (o *scheduleOptions) flags() cmdkit.Opt {
	return cmdkit.Opts(withJSON,
		cmdkit.Flag(&o.from, "from", "", "first week: a day (YYYY-MM-DD) or an ISO week (2020-W47); default this week"),
		cmdkit.Flag(&o.weeks, "weeks", registry.DefaultScheduleWeeks, "number of weeks"),
		cmdkit.Flag(&o.centre, "centre", "", "one centre (default: every centre)"),
		cmdkit.Flag(&o.csv, "csv", false, "CSV for Excel (';', UTF-8 with BOM, decimal commas)"))
}

func newCmdSchedule(o *scheduleOptions) *cobra.Command {
	return cmdkit.Command(o, scheduleRun, "schedule [--from DATE|WEEK] [--weeks N] [--centre ID] [--json|--csv|--pdf FILE [--lang L]]",
		"the weekly schedule: per week and centre, the groups whose window is open, parcels expected and items needed",
		o.flags(), cmdkit.Long(`The weekly schedule: per week (Monday to Sunday) and centre, the
professional groups whose pickup window is open, the parcels still expected
(not collected, not cancelled) and the items they need per item and size.

A request still expected is spread over the days of its window from today
on: by the centre's handovers per day of the week so far ("pace"), or
evenly when the centre has fewer than 20 handovers ("even"). Glove sizes
follow the sizes chosen so far at the centre, or nationally when it has
none yet. --pdf writes the schedule an administration can publish, in
--lang (fr, nl, de, en).`),
		cmdkit.Bind(cmdkit.Require(func() bool { return o.pdf == "" || !o.csv && !o.json }, "--pdf writes a file: not with --csv or --json")),
		cmdkit.Flag(&o.pdf, "pdf", "", "write the schedule as a PDF to FILE"),
		cmdkit.Flag(&o.lang, "lang", "", "language of the PDF: fr, nl, de or en (default: from the environment)"),
		cmdkit.Complete("lang", "fr", "nl", "de", "en"))
}

func scheduleRun(ctx context.Context, o *scheduleOptions) error {
	opt, err := o.selection()
	if err != nil {
		return err
	}
	lang := o.lang
	if lang == "" {
		lang = i18n.FromEnv(nil)
	} else if n := i18n.Normalize(lang); n != strings.ToLower(lang) {
		return cmdkit.Usagef("--lang %q: want fr, nl, de or en", lang)
	}
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		sch, err := reg.Schedule(ctx, opt)
		if err != nil {
			return err
		}
		switch {
		case o.pdf != "":
			if err := atomicfile.WriteFile(o.pdf, 0o644, func(w io.Writer) error { return registry.RenderSchedulePDF(w, sch, lang) }); err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, "schedule of %d weeks (%s to %s) written to %s\n", len(sch.Weeks), sch.From, sch.To, o.pdf)
			return nil
		case o.json:
			return cmdkit.PrintJSON(o.stdout, sch)
		case o.csv:
			return registry.WriteScheduleCSV(o.stdout, sch)
		}
		return registry.WriteScheduleTable(o.stdout, sch)
	})
}

func newCmdPlan(o *scheduleOptions) *cobra.Command {
	return cmdkit.Command(o, planRun, "plan [--from DATE|WEEK] [--weeks N] [--centre ID] [--json|--csv]",
		"the shipment plan: per week and centre, what to ship beyond the stock on hand and in transit",
		o.flags(), cmdkit.Long(`The shipment plan: the schedule's needs, per week and centre, minus
the centre's stock on hand (as its terminals reported it) and in transit
(shipped, not yet received), as the quantities to ship, rounded up to whole
boxes where the campaign ships boxes. It runs from this week on: stock is
used up from today. 'ship --plan WEEK' records the shipments through WEEK.`))
}

func planRun(ctx context.Context, o *scheduleOptions) error {
	opt, err := o.selection()
	if err != nil {
		return err
	}
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		p, err := reg.ShipmentPlan(ctx, opt)
		if err != nil {
			return err
		}
		switch {
		case o.json:
			return cmdkit.PrintJSON(o.stdout, p)
		case o.csv:
			return registry.WritePlanCSV(o.stdout, p)
		}
		return registry.WritePlanTable(o.stdout, p)
	})
}

// shipPlanRun records the plan's shipments through a week, after showing
// them and asking (or with --yes).
func shipPlanRun(ctx context.Context, o *shipOptions) error {
	week, err := registry.ParseWeek(o.plan)
	if err != nil {
		return cmdkit.Usagef("--plan: %v", err)
	}
	if o.json && !o.yes && !o.dryRun {
		return cmdkit.Usagef("--json cannot answer the question: add --yes to record, or --dry-run to only show")
	}
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		ships, _, err := reg.PlanShipments(ctx, week, o.shipment.CentreID)
		if err != nil {
			return err
		}
		type result struct {
			Week      string                     `json:"week"`
			Recorded  bool                       `json:"recorded"`
			Shipments []registry.PlannedShipment `json:"shipments"`
		}
		res := result{Week: registry.ISOWeek(week), Shipments: ships}
		if !o.json {
			if len(ships) == 0 {
				fmt.Fprintf(o.stdout, "nothing to ship through %s: stock on hand and in transit covers the plan\n", res.Week)
				return nil
			}
			fmt.Fprintf(o.stdout, "shipments to cover the plan through %s:\n", res.Week)
			table("  CENTRE\tITEM\tQTY", func(s registry.PlannedShipment) []any {
				return []any{"  " + s.CentreID, itemSize(s.Item, s.Size), s.Qty}
			})(o.stdout, ships)
		}
		if o.dryRun || len(ships) == 0 {
			if o.json {
				return cmdkit.PrintJSON(o.stdout, res)
			}
			return nil
		}
		if !o.yes {
			ok, err := confirm(o.stdin, o.stdout, fmt.Sprintf("record these %d shipments? [y/N] ", len(ships)))
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintln(o.stdout, "nothing recorded")
				return cmdkit.Refused(nil)
			}
		}
		recorded, err := reg.ShipPlan(ctx, ships)
		if err != nil {
			return err
		}
		res.Shipments, res.Recorded = recorded, true
		if o.json {
			return cmdkit.PrintJSON(o.stdout, res)
		}
		fmt.Fprintf(o.stdout, "%d shipments recorded (reference %q); the centres' terminals see them at their next sync\n", len(recorded), "plan "+res.Week)
		return nil
	})
}

// confirm asks a yes/no question on in (a terminal, a pipe); no answer, or
// anything but y/yes (oui, ja), is no.
func confirm(in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question)
	line, eof, err := readLine(in)
	if err != nil || eof {
		fmt.Fprintln(out)
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes", "o", "oui", "j", "ja":
		return true, nil
	}
	return false, nil
}
