package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type demoOptions struct {
	*globals
	centres, requests int
}

func newCmdDemo(g *globals, runF func(context.Context, *demoOptions) error) *cobra.Command {
	o := &demoOptions{globals: g}
	cmd := withJSON(&cobra.Command{
		Use:   "demo --centres K --requests N",
		Short: "fill the registry with realistic synthetic centres, requests around today and shipments",
		Args:  cmdkit.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmdkit.Pick(runF, demoRun)(cmd.Context(), o) },
	})
	cmd.Flags().IntVar(&o.centres, "centres", 3, "number of centres")
	cmd.Flags().IntVar(&o.requests, "requests", 200, "number of requests")
	return cmd
}

func demoRun(ctx context.Context, o *demoOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		s, err := reg.Demo(ctx, o.centres, o.requests)
		if err != nil {
			return err
		}
		if o.json {
			return cmdkit.PrintJSON(o.stdout, s)
		}
		kinds := make([]string, 0, len(s.ByKind))
		for k, n := range s.ByKind {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		w := o.stdout
		fmt.Fprintf(w, "demo data in %s:\n", reg.Dir())
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
