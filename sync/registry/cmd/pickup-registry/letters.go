package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type lettersOptions struct {
	*globals
	letters registry.LetterOptions
	out     string
}

func newCmdLetters(g *globals, runF func(context.Context, *lettersOptions) error) *cobra.Command {
	o := &lettersOptions{globals: g}
	cmd := withJSON(cmdkit.New(&cobra.Command{
		Use:   "letters [--centre ID] [--campaign ID] [--contact TEXT] --out DIR|FILE.pdf [--json]",
		Short: "the professionals' letters (code as text and QR, centre, hours, dates, parcel), one page each in the request's language, for the pickups still expected: FILE.pdf gets them all for printing, DIR one PDF each for e-mail and index.csv",
		Args:  cmdkit.NoArgs}, o,
		func(*cobra.Command, []string) error {
			if o.out == "" {
				return cmdkit.Usagef("--out is required: a FILE.pdf or a folder")
			}
			return nil
		}, runF, lettersRun))
	f := cmd.Flags()
	f.StringVar(&o.letters.CentreID, "centre", "", "only this centre's professionals")
	f.StringVar(&o.letters.CampaignID, "campaign", "", "only this campaign")
	f.StringVar(&o.letters.Contact, "contact", "", "e-mail or phone printed under \"if you cannot come\"")
	f.StringVar(&o.out, "out", "", "FILE.pdf (one merged PDF) or a folder (one PDF per professional)")
	return cmd
}

func lettersRun(ctx context.Context, o *lettersOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		res, err := reg.WriteLetters(ctx, o.letters, o.out)
		if err != nil {
			return err
		}
		if o.json {
			return cmdkit.PrintJSON(o.stdout, res)
		}
		where := o.out + " (one PDF per professional, and index.csv)"
		if len(res.Files) == 1 && strings.HasSuffix(strings.ToLower(o.out), ".pdf") {
			where = o.out + " (one page per professional)"
		}
		fmt.Fprintf(o.stdout, "%d letter(s) written to %s\n", res.Letters, where)
		if o.letters.Contact == "" && res.Letters > 0 {
			fmt.Fprintln(o.stderr, "hint: --contact \"e-mail or phone\" prints whom to call when a professional cannot come")
		}
		return nil
	})
}
