package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type centreAddOptions struct {
	*globals
	centre pickup.Centre
}

func newCmdCentreAdd(g *globals, runF func(context.Context, *centreAddOptions) error) *cobra.Command {
	o := &centreAddOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "add --id ID --name NAME [--address TEXT] [--hours TEXT]",
		Short: "add a distribution centre",
		Args:  cmdkit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdkit.RequireFlags(cmd, "id", "name"); err != nil {
				return err
			}
			return cmdkit.Pick(runF, centreAddRun)(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.centre.ID, "id", "", "centre id (A-Z a-z 0-9 _ -)")
	f.StringVar(&o.centre.Name, "name", "", "display name")
	f.StringVar(&o.centre.Address, "address", "", "address shown in the wrong-centre answer")
	f.StringVar(&o.centre.Hours, "hours", "", "opening hours")
	return cmd
}

func centreAddRun(ctx context.Context, o *centreAddOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		if err := reg.AddCentre(ctx, o.centre); err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "centre %s added: %s\n", o.centre.ID, o.centre.Name)
		return nil
	})
}

// argOptions are those of a command with one argument (a file to read,
// a terminal's id) and no flags of its own.
type argOptions struct {
	*globals
	arg string
}

// newArgCmd builds a command with one argument and no flags of its own.
func newArgCmd(g *globals, use, short string, runF, run func(context.Context, *argOptions) error) *cobra.Command {
	o := &argOptions{globals: g}
	return cmdkit.New(&cobra.Command{Use: use, Short: short, Args: cmdkit.ExactArgs(1)}, o,
		func(_ *cobra.Command, args []string) error { o.arg = args[0]; return nil }, runF, run)
}

func newCmdCentreImport(g *globals, runF func(context.Context, *argOptions) error) *cobra.Command {
	return newArgCmd(g, "import FILE.csv", "add or update centres from a CSV file with columns id,name,address,hours", runF, centreImportRun)
}

func centreImportRun(ctx context.Context, o *argOptions) error {
	return withFile(ctx, o.globals, o.arg, func(reg *registry.Registry, f *os.File) error {
		n, err := reg.ImportCentres(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "%d centre(s) added or updated\n", n)
		return nil
	})
}

// newListCmd builds a command with no flags or arguments of its own that
// prints JSON with --json.
func newListCmd(g *globals, use, short string, runF, run func(context.Context, *globals) error) *cobra.Command {
	return withJSON(cmdkit.New(&cobra.Command{Use: use, Short: short, Args: cmdkit.NoArgs}, g, nil, runF, run))
}

func newCmdCentreList(g *globals, runF func(context.Context, *globals) error) *cobra.Command {
	return newListCmd(g, "list [--json]", "list the centres", runF, centreListRun)
}

func centreListRun(ctx context.Context, g *globals) error {
	return withRegistry(ctx, g, func(reg *registry.Registry) error {
		cs, err := reg.Centres(ctx)
		if err != nil {
			return err
		}
		if g.json {
			if cs == nil {
				cs = []pickup.Centre{}
			}
			return cmdkit.PrintJSON(g.stdout, map[string]any{"centres": cs})
		}
		tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tADDRESS\tHOURS")
		for _, c := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Name, c.Address, c.Hours)
		}
		return tw.Flush()
	})
}
