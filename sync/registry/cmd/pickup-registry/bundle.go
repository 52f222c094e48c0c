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

// The registry's data in files: the terminals' USB bundles, and backups.

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
		withJSON, argument(&o.file), cmdkit.Required(&o.centre, "centre", "centre id"),
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

func newCmdBackup(g *globals) *cobra.Command {
	return newArgCmd(g, "backup [--json] FILE", "write a consistent copy of the registry to FILE (0600), also while serve runs", backupRun, withJSON)
}

type backupJSON struct {
	File string `json:"file"`
	Head int64  `json:"head"`
}

func backupRun(ctx context.Context, o *argOptions) error {
	return show(ctx, o.globals, func(reg *registry.Registry) (backupJSON, error) {
		head, err := reg.Backup(ctx, o.arg)
		return backupJSON{File: o.arg, Head: head}, err
	}, nil, func(w io.Writer, v backupJSON) error {
		_, err := fmt.Fprintf(w, "backup written to %s (up to sequence %d)\n", v.File, v.Head)
		return err
	})
}

func newCmdRestore(g *globals) *cobra.Command {
	return newArgCmd(g, "restore [--json] FILE",
		"replace the registry's database with a backup (serve must be stopped); terminals resync and send back what the copy lacks", restoreRun, withJSON,
		cmdkit.Long(`Replace the registry's database with FILE, a copy written by backup.

Stop serve first: restore refuses while a serve holds the data folder.
FILE must be a pickup-registry database that passes SQLite's integrity
check; anything else is refused and the current database is left as it was.
The restored registry gets a new dataset id: at its next sync every
terminal notices, pushes its whole journal again (the registry keeps each
fact once, by its event id) and pulls from scratch, so handovers recorded
after the backup come back. Terminals enrolled after the backup must be
enrolled again.`))
}

func restoreRun(ctx context.Context, o *argOptions) error {
	res, err := registry.Restore(ctx, o.data, o.arg)
	if err != nil {
		return err
	}
	if o.json {
		return cmdkit.PrintJSON(o.stdout, res)
	}
	_, err = fmt.Fprintf(o.stdout, "restored %s (up to sequence %d); new dataset id %s: terminals resync at their next round\n", o.arg, res.Head, res.DatasetID)
	return err
}
