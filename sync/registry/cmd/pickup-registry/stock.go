package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// Stock sent to the centres, the campaign's figures and demo data.

type shipOptions struct {
	*globals
	shipment protocol.Shipment
	plan     string // --plan WEEK: the shipment plan's shipments through WEEK
	yes      bool
	dryRun   bool
}

func newCmdShip(o *shipOptions) *cobra.Command {
	need := cmdkit.NeedFlags("centre", "item")
	return cmdkit.Command(o, shipRun, "ship --centre ID --item ITEM [--size S] --qty N [--ref R] | ship --plan WEEK [--centre ID] [--yes|--dry-run]",
		"record a shipment of stock to a centre, or the shipment plan's shipments through a week in one step",
		withJSON, cmdkit.Bind(func(cmd *cobra.Command, args []string) error {
			if o.plan != "" {
				if o.shipment.Item != "" || o.shipment.Size != "" || o.shipment.Qty != 0 || o.shipment.Ref != "" {
					return cmdkit.Usagef("--plan takes the items and quantities from the plan: not with --item, --size, --qty or --ref")
				}
				return nil
			}
			if o.yes || o.dryRun {
				return cmdkit.Usagef("--yes and --dry-run go with --plan")
			}
			return need(cmd, args)
		}),
		cmdkit.Flag(&o.plan, "plan", "", "record the shipment plan's shipments through WEEK (2020-W47 or a day), after showing them"),
		cmdkit.Flag(&o.yes, "yes", false, "with --plan: record without asking"),
		cmdkit.Flag(&o.dryRun, "dry-run", false, "with --plan: only show what would be shipped"),
		cmdkit.Flag(&o.shipment.CentreID, "centre", "", "centre id"),
		cmdkit.Flag(&o.shipment.Item, "item", "", "item id: gloves, masks, gowns, glasses, ffp2_masks"),
		cmdkit.Flag(&o.shipment.Size, "size", "", "size, for sized items (gloves: S, M, L, XL)"),
		cmdkit.Flag(&o.shipment.Qty, "qty", 0, "units shipped"),
		cmdkit.Flag(&o.shipment.Ref, "ref", "", "delivery reference"),
		cmdkit.Complete("item", itemIDs...), cmdkit.Complete("size", sizeNames...))
}

func shipRun(ctx context.Context, o *shipOptions) error {
	if o.plan != "" {
		return shipPlanRun(ctx, o)
	}
	return show(ctx, o.globals, func(reg *registry.Registry) (protocol.Shipment, error) { return reg.Ship(ctx, o.shipment) }, nil,
		func(w io.Writer, s protocol.Shipment) error {
			_, err := fmt.Fprintf(w, "shipment %s recorded: %d × %s to centre %s\n", s.ID, s.Qty, itemSize(s.Item, s.Size), s.CentreID)
			return err
		})
}

type shipmentsOptions struct {
	*globals
	filter registry.ShipmentFilter
}

func newCmdShipments(o *shipmentsOptions) *cobra.Command {
	return cmdkit.Command(o, shipmentsRun, "shipments [--centre ID] [--state in_transit|received|discrepancy] [--json]",
		"list the shipments, newest first: in transit, received, or received otherwise than sent (discrepancy), with their receptions",
		withJSON, cmdkit.Flag(&o.filter.CentreID, "centre", "", "only this centre's shipments"),
		cmdkit.Text(&o.filter.State, "state", "", "only shipments in this state"),
		cmdkit.Complete("state", "in_transit", "received", "discrepancy"))
}

func shipmentsRun(ctx context.Context, o *shipmentsOptions) error {
	return show(ctx, o.globals, func(reg *registry.Registry) ([]registry.ShipmentStatus, error) { return reg.Shipments(ctx, o.filter) },
		func(ss []registry.ShipmentStatus) any { return map[string]any{"shipments": ss} },
		table("SHIPMENT\tCENTRE\tITEM\tQTY\tSENT\tSTATE\tRECEIVED\tREF", func(s registry.ShipmentStatus) []any {
			state := strings.ReplaceAll(string(s.State), "_", " ")
			switch s.State {
			case registry.ShipmentInTransit:
				state += fmt.Sprintf(" (%d day(s))", s.Days)
			case registry.ShipmentDiscrepancy:
				state += ": " + strings.Join(s.Discrepancies, "; ")
			}
			return []any{s.ID, s.CentreID, itemSize(s.Item, s.Size), s.Qty, s.SentAt.Local().Format("2006-01-02 15:04"), state, s.Received, s.Ref}
		}))
}

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

func newCmdReport(o *reportOptions) *cobra.Command {
	return cmdkit.Command(o, reportRun, "report [--from DATE] [--to DATE] [--csv | --json]",
		"per centre: expected, collected, double handovers, shipped vs handed over per item; per day of the period (default: from the first handover to today) the handovers, and the double handovers with both sides; --csv: the days, then the double handovers",
		withJSON, cmdkit.Bind(cmdkit.Require(func() bool { return !o.csv || !o.json }, "--csv or --json, not both")),
		cmdkit.Var(dateValue{&o.from}, "from", "first day, YYYY-MM-DD (default: the day of the first handover)"),
		cmdkit.Var(dateValue{&o.to}, "to", "last day, YYYY-MM-DD (default: today)"),
		cmdkit.Flag(&o.csv, "csv", false, "print CSV: one row per day and centre, then one per double handover"))
}

func reportRun(ctx context.Context, o *reportOptions) error {
	text := printReport
	if o.csv {
		text = func(w io.Writer, rep *registry.Report) error { return rep.WriteCSV(w) }
	}
	return show(ctx, o.globals, func(reg *registry.Registry) (*registry.Report, error) { return reg.Report(ctx, o.from, o.to) }, nil, text)
}

// printReport is report's text: the figures per centre, then per item,
// then per day, then the double handovers.
func printReport(w io.Writer, rep *registry.Report) error {
	// Right-aligned columns, each cell ended by a tab (the last one too).
	var rows [][]any
	for _, c := range append(rep.Centres, rep.Totals) {
		rows = append(rows, []any{c.ID, c.Expected, c.Collected, c.DoubleHandovers, c.Cancelled, c.Terminals, ""})
	}
	if err := writeTable(w, true, "CENTRE\tEXPECTED\tCOLLECTED\tDOUBLE\tCANCELLED\tTERMINALS\t", rows); err != nil {
		return err
	}
	if t := rep.Totals; t.Owed > 0 || t.OwedHandovers > 0 || t.DoubleOwedHandovers > 0 {
		fmt.Fprintf(w, "owed items (every glove size was out): %d handover(s) left them owed, %d owed handover(s) gave them, %d still owed, %d double owed handover(s)\n",
			t.Owed, t.OwedHandovers, t.StillOwed, t.DoubleOwedHandovers)
	}
	fmt.Fprintln(w)
	rows = nil
	for _, c := range rep.Centres {
		for _, it := range c.Items {
			rows = append(rows, []any{c.ID, it.Item, it.Size, it.Shipped, it.Received, it.HandedOver, it.Lost, ""})
		}
	}
	if err := writeTable(w, true, "CENTRE\tITEM\tSIZE\tSHIPPED\tRECEIVED\tHANDED OVER\tLOST\t", rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nfrom %s to %s: %d handover(s), %d code(s) collected for the first time, %d double handover(s), %d undone\n",
		rep.From, rep.To, rep.Period.Handovers, rep.Period.Collected, rep.Period.DoubleHandovers, rep.Period.Undone)
	rows = nil
	for _, d := range rep.Days {
		rows = append(rows, []any{d.Day, d.Handovers, d.Collected, d.DoubleHandovers, d.Undone, ""})
	}
	if err := writeTable(w, true, "DAY\tHANDOVERS\tCOLLECTED\tDOUBLE\tUNDONE\t", rows); err != nil {
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
}

type demoOptions struct {
	*globals
	centres, requests int
}

func newCmdDemo(o *demoOptions) *cobra.Command {
	return cmdkit.Command(o, demoRun, "demo --centres K --requests N", "fill the registry with realistic synthetic centres, requests around today and shipments",
		withJSON, cmdkit.Flag(&o.centres, "centres", 3, "number of centres"), cmdkit.Flag(&o.requests, "requests", 200, "number of requests"))
}

func demoRun(ctx context.Context, o *demoOptions) error {
	var dir string
	return show(ctx, o.globals, func(reg *registry.Registry) (registry.DemoSummary, error) {
		dir = reg.Dir()
		return reg.Demo(ctx, o.centres, o.requests)
	}, nil, func(w io.Writer, s registry.DemoSummary) error {
		kinds := make([]string, 0, len(s.ByKind))
		for k, n := range s.ByKind {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		fmt.Fprintf(w, "demo data in %s:\n", dir)
		fmt.Fprintf(w, "  %d centre(s): %s\n", len(s.Centres), strings.Join(s.Centres, ", "))
		fmt.Fprintf(w, "  %d request(s) of campaign %s: %s\n", s.Requests, pickup.DefaultCampaignID, strings.Join(kinds, ", "))
		fmt.Fprintf(w, "  pickup windows: %d open today, %d opening in a few days, %d closed; %d cancelled\n",
			s.OpenNow, s.NotYet, s.Closed, s.Cancelled)
		fmt.Fprintf(w, "  %d shipment(s) of gloves, masks, gowns and glasses\n", s.Shipments)
		if len(s.Centres) > 0 {
			fmt.Fprintf(w, "next: pickup-registry codes --centre %s; pickup-registry terminal enrol --centre %s\n", s.Centres[0], s.Centres[0])
		}
		return nil
	})
}
