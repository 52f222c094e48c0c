package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type shipOptions struct {
	*globals
	shipment protocol.Shipment
}

func newCmdShip(g *globals, runF func(context.Context, *shipOptions) error) *cobra.Command {
	o := &shipOptions{globals: g}
	cmd := withJSON(&cobra.Command{
		Use:   "ship --centre ID --item ITEM [--size S] --qty N [--ref R]",
		Short: "record a shipment of stock to a centre",
		Args:  cmdkit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdkit.RequireFlags(cmd, "centre", "item"); err != nil {
				return err
			}
			return cmdkit.Pick(runF, shipRun)(cmd.Context(), o)
		},
	})
	f := cmd.Flags()
	f.StringVar(&o.shipment.CentreID, "centre", "", "centre id")
	f.StringVar(&o.shipment.Item, "item", "", "item id: gloves, masks, gowns, glasses, ffp2_masks")
	f.StringVar(&o.shipment.Size, "size", "", "size, for sized items (gloves: S, M, L, XL)")
	f.IntVar(&o.shipment.Qty, "qty", 0, "units shipped")
	f.StringVar(&o.shipment.Ref, "ref", "", "delivery reference")
	cmdkit.Complete(cmd, "item", itemIDs...)
	cmdkit.Complete(cmd, "size", sizeNames...)
	return cmd
}

func shipRun(ctx context.Context, o *shipOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		s, err := reg.Ship(ctx, o.shipment)
		if err != nil {
			return err
		}
		if o.json {
			return cmdkit.PrintJSON(o.stdout, s)
		}
		what := s.Item
		if s.Size != "" {
			what += " " + s.Size
		}
		fmt.Fprintf(o.stdout, "shipment %s recorded: %d × %s to centre %s\n", s.ID, s.Qty, what, s.CentreID)
		return nil
	})
}
