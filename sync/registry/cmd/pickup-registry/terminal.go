package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type terminalEnrolOptions struct {
	*globals
	centre string
	ttl    time.Duration
}

func newCmdTerminalEnrol(g *globals, runF func(context.Context, *terminalEnrolOptions) error) *cobra.Command {
	o := &terminalEnrolOptions{globals: g}
	cmd := withJSON(&cobra.Command{
		Use:   "enrol --centre ID [--ttl 24h] [--json]",
		Short: "print a one-time, expiring enrolment code for a new terminal of the centre",
		Args:  cmdkit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdkit.RequireFlags(cmd, "centre"); err != nil {
				return err
			}
			return cmdkit.Pick(runF, terminalEnrolRun)(cmd.Context(), o)
		},
	})
	cmd.Flags().StringVar(&o.centre, "centre", "", "centre id")
	cmd.Flags().DurationVar(&o.ttl, "ttl", registry.DefaultEnrolmentTTL, "how long the code stays valid")
	return cmd
}

func terminalEnrolRun(ctx context.Context, o *terminalEnrolOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		en, err := reg.NewEnrolment(ctx, o.centre, o.ttl)
		if err != nil {
			return err
		}
		if o.json {
			return cmdkit.PrintJSON(o.stdout, map[string]any{"enrolment_code": en.Code.String(), "centre_id": en.CentreID,
				"expires_at": en.ExpiresAt, "tls_pin": en.Code.Pin})
		}
		fmt.Fprintf(o.stdout, "%s\n", en.Code)
		fmt.Fprintf(o.stderr, "one-time enrolment code for a terminal of centre %s, valid until %s:\n  pickup enrol --registry URL --code %s\n",
			en.CentreID, en.ExpiresAt.Local().Format("2006-01-02 15:04"), en.Code)
		return nil
	})
}

func newCmdTerminalList(g *globals, runF func(context.Context, *globals) error) *cobra.Command {
	return newListCmd(g, "list [--json]", "list the enrolled terminals", runF, terminalListRun)
}

func terminalListRun(ctx context.Context, g *globals) error {
	return withRegistry(ctx, g, func(reg *registry.Registry) error {
		ts, err := reg.Terminals(ctx)
		if err != nil {
			return err
		}
		if g.json {
			return cmdkit.PrintJSON(g.stdout, map[string]any{"terminals": ts})
		}
		tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCENTRE\tHOST\tENROLLED\tLAST SEEN\tSTATE")
		for _, t := range ts {
			seen, state := "-", "active"
			if t.LastSeen != nil {
				seen = t.LastSeen.Local().Format("2006-01-02 15:04")
			}
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.CentreID, t.Hostname, t.EnrolledAt.Local().Format("2006-01-02 15:04"), seen, state)
		}
		return tw.Flush()
	})
}

func newCmdTerminalRevoke(g *globals, runF func(context.Context, *argOptions) error) *cobra.Command {
	return newArgCmd(g, "revoke ID", "revoke a terminal: its credentials are refused from now on", runF, terminalRevokeRun)
}

func terminalRevokeRun(ctx context.Context, o *argOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		if err := reg.RevokeTerminal(ctx, o.arg); err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "terminal %s revoked\n", o.arg)
		return nil
	})
}
