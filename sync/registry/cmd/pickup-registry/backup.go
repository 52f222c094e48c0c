package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

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
