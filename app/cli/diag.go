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

func newCmdDiagnostics(o *diagOptions) *cobra.Command {
	return cmdkit.Command(o, withStore(runDiagnostics), "diagnostics --out FILE",
		"write a diagnostics file for support: versions, settings, sync state, counts, the end of the log (no names, no codes)",
		cmdkit.Required(&o.out, "out", "the file to write (required)"))
}

func runDiagnostics(ctx context.Context, o *diagOptions, s *store.Store) error {
	logPath := filepath.Join(filepath.Dir(s.Path()), diag.LogName)
	if err := atomicfile.WriteFile(o.out, 0o600, func(w io.Writer) error { return diag.Write(ctx, w, s, logPath) }); err != nil {
		return err
	}
	return o.result(map[string]any{"file": o.out}, "✔ Diagnostics written to %s (no names, no codes): send it to support.\n", o.out)
}
