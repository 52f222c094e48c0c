package cli

import (
	"context"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/app/diag"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/store"
)

type diagOptions struct {
	*ctx
	out string
}

func newCmdDiagnostics(c *ctx, runF func(context.Context, *diagOptions) error) *cobra.Command {
	o := &diagOptions{ctx: c}
	cmd := cmdkit.New(&cobra.Command{Use: "diagnostics --out FILE",
		Short: "write a diagnostics file for support: versions, settings, sync state, counts, the end of the log (no names, no codes)",
		Args:  cmdkit.NoArgs}, o, cmdkit.NeedFlags("out"), runF, withStore(runDiagnostics))
	cmd.Flags().StringVar(&o.out, "out", "", "the file to write (required)")
	return cmd
}

func runDiagnostics(ctx context.Context, o *diagOptions, s *store.Store) error {
	logPath := filepath.Join(filepath.Dir(s.Path()), diag.LogName)
	if err := atomicfile.WriteFile(o.out, 0o600, func(w io.Writer) error { return diag.Write(ctx, w, s, logPath) }); err != nil {
		return err
	}
	if o.json {
		o.printJSON(map[string]any{"file": o.out})
		return nil
	}
	o.printf("✔ Diagnostics written to %s (no names, no codes): send it to support.\n", o.out)
	return nil
}
