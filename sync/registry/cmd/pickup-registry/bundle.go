package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/sync/registry"
)

func newCmdBundleImport(g *globals) *cobra.Command {
	return newArgCmd(g, "import FILE", "take a terminal's facts bundle (from pickup bundle export)", bundleImportRun, withJSON)
}

func bundleImportRun(ctx context.Context, o *argOptions) error {
	f, err := os.Open(o.arg)
	if err != nil {
		return fmt.Errorf("%w: %v", registry.ErrNotFound, err)
	}
	defer f.Close()
	return show(ctx, o.globals, func(reg *registry.Registry) (registry.BundleImport, error) { return reg.ImportBundle(ctx, f) }, nil,
		func(w io.Writer, res registry.BundleImport) error {
			again := ""
			if res.Again {
				again = " (imported before: nothing new)"
			}
			fmt.Fprintf(w, "bundle of terminal %s (centre %s): %d event(s): %d accepted, %d already known, %d double handover(s)%s\n",
				res.TerminalID, res.CentreID, res.Events, res.Accepted, res.Duplicate, res.Conflict, again)
			for _, c := range res.Conflicts {
				for _, x := range c.Earlier {
					fmt.Fprintf(w, "  double handover of %s: already handed over at %s by terminal %s on %s\n",
						c.Code, x.CentreID, x.TerminalID, x.At.Local().Format("2006-01-02 15:04"))
				}
			}
			return nil
		})
}

type bundleExportOptions struct {
	*globals
	centre string
	after  int64
	file   string
}

func newCmdBundleExport(o *bundleExportOptions) *cobra.Command {
	return cmdkit.Command(o, bundleExportRun, "export --centre ID [--after N] FILE", "write a centre's pull as a signed bundle for pickup bundle import",
		withJSON, cmdkit.Args(cmdkit.ExactArgs(1)),
		cmdkit.Bind(func(_ *cobra.Command, args []string) error { o.file = args[0]; return nil }), cmdkit.Bind(cmdkit.NeedFlags("centre")),
		cmdkit.Flag(&o.centre, "centre", "", "centre id"),
		cmdkit.Flag(&o.after, "after", 0, "the terminal's cursor (0: everything)"))
}

func bundleExportRun(ctx context.Context, o *bundleExportOptions) error {
	export := func(reg *registry.Registry) (res registry.BundleExport, err error) {
		err = atomicfile.WriteFile(o.file, 0o600, func(w io.Writer) error {
			res, err = reg.ExportBundle(ctx, o.centre, o.after, w)
			return err
		})
		return res, err
	}
	return show(ctx, o.globals, export, nil, func(w io.Writer, res registry.BundleExport) error {
		_, err := fmt.Fprintf(w, "bundle for centre %s written to %s: %d row(s) in %d page(s), cursor %d → %d\n",
			res.CentreID, o.file, res.Rows, res.Pages, res.After, res.Cursor)
		return err
	})
}
