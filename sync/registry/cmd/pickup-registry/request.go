package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type requestImportOptions struct {
	*globals
	req  registry.RequestImport
	file string
}

func newCmdRequestImport(g *globals, runF func(context.Context, *requestImportOptions) error) *cobra.Command {
	o := &requestImportOptions{globals: g}
	cmd := withJSON(&cobra.Command{
		Use:   "import --campaign ID [--phase ID] [--lang L] [--dry-run] FILE.csv",
		Short: "import validated requests (professional_id,name,profession,centre_id[,lang]) and issue codes; every problem is listed with its line and nothing is imported unless the whole file is valid (exit 1)",
		Args:  cmdkit.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return cmdkit.Pick(runF, requestImportRun)(cmd.Context(), o)
		},
	})
	f := cmd.Flags()
	f.StringVar(&o.req.Campaign, "campaign", pickup.DefaultCampaignID, "campaign id")
	f.StringVar(&o.req.Phase, "phase", "", "the phase the file is for (every profession must belong to it; default: each profession's own)")
	f.StringVar(&o.req.Lang, "lang", "en", "letter language of rows without a lang column: fr, nl, de or en")
	f.BoolVar(&o.req.DryRun, "dry-run", false, "check the file, import nothing")
	cmdkit.Complete(cmd, "lang", "fr", "nl", "de", "en")
	return cmd
}

func requestImportRun(ctx context.Context, o *requestImportOptions) error {
	return withFile(ctx, o.globals, o.file, func(reg *registry.Registry, f *os.File) error {
		res, err := reg.ImportRequestFile(ctx, o.req, f)
		var pe *registry.ProblemsError
		if err != nil && !errors.As(err, &pe) {
			return err
		}
		if o.json {
			if err := cmdkit.PrintJSON(o.stdout, res); err != nil {
				return err
			}
		} else {
			printRequestImport(o.stdout, res)
		}
		if pe != nil {
			return fmt.Errorf("%w: request file %s: %d problem(s), nothing imported", registry.ErrRefused, o.file, len(res.Problems))
		}
		return nil
	})
}

func printRequestImport(w io.Writer, res registry.ImportResult) {
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if res.Truncated {
		fmt.Fprintf(w, "  … more problems not listed (the first %d are)\n", registry.MaxRequestProblems)
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	switch {
	case len(res.Problems) > 0:
		fmt.Fprintf(w, "%d row(s) read, %d problem(s): nothing imported into campaign %s; fix the file and import it again\n", res.Rows, len(res.Problems), res.Campaign)
	case res.DryRun:
		fmt.Fprintf(w, "%d request(s) checked for campaign %s: the file is valid (dry run, nothing imported)\n", res.Rows, res.Campaign)
	default:
		fmt.Fprintf(w, "%d request(s) imported into campaign %s, a code issued for each\n", res.Imported, res.Campaign)
	}
}
