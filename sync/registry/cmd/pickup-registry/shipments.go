package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type shipmentsOptions struct {
	*globals
	filter registry.ShipmentFilter
	state  string
}

func newCmdShipments(g *globals, runF func(context.Context, *shipmentsOptions) error) *cobra.Command {
	o := &shipmentsOptions{globals: g}
	cmd := withJSON(cmdkit.New(&cobra.Command{
		Use:   "shipments [--centre ID] [--state in_transit|received|discrepancy] [--json]",
		Short: "list the shipments, newest first: in transit, received, or received otherwise than sent (discrepancy), with their receptions",
		Args:  cmdkit.NoArgs}, o,
		func(*cobra.Command, []string) error { o.filter.State = registry.ShipmentState(o.state); return nil }, runF, shipmentsRun))
	cmd.Flags().StringVar(&o.filter.CentreID, "centre", "", "only this centre's shipments")
	cmd.Flags().StringVar(&o.state, "state", "", "only shipments in this state")
	cmdkit.Complete(cmd, "state", "in_transit", "received", "discrepancy")
	return cmd
}

func shipmentsRun(ctx context.Context, o *shipmentsOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		ss, err := reg.Shipments(ctx, o.filter)
		if err != nil {
			return err
		}
		if o.json {
			return cmdkit.PrintJSON(o.stdout, map[string]any{"shipments": ss})
		}
		tw := tabwriter.NewWriter(o.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SHIPMENT\tCENTRE\tITEM\tQTY\tSENT\tSTATE\tRECEIVED\tREF")
		for _, s := range ss {
			state := strings.ReplaceAll(string(s.State), "_", " ")
			switch s.State {
			case registry.ShipmentInTransit:
				state += fmt.Sprintf(" (%d day(s))", s.Days)
			case registry.ShipmentDiscrepancy:
				state += ": " + strings.Join(s.Discrepancies, "; ")
			}
			what := s.Item
			if s.Size != "" {
				what += " " + s.Size
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", s.ID, s.CentreID, what, s.Qty, s.SentAt.Local().Format("2006-01-02 15:04"), state, s.Received, s.Ref)
		}
		return tw.Flush()
	})
}
