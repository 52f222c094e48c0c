package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// The campaigns, the requests of professionals, their codes and letters.

func newCmdCampaignImport(g *globals) *cobra.Command {
	return newArgCmd(g, "import [--json] FILE.json",
		"add a campaign (phases with request and pickup dates, parcel kinds, professions) or update one imported before; every problem of the file is listed with its line and nothing is stored unless the whole file is valid (exit 1)",
		campaignImportRun, withJSON)
}

func campaignImportRun(ctx context.Context, o *argOptions) error {
	return withFile(ctx, o.globals, o.arg, func(reg *registry.Registry, f *os.File) error {
		res, err := reg.ImportCampaign(ctx, f)
		problems, err := printImport(o.globals, err, res, func(msg string) any {
			return struct {
				registry.CampaignImport
				Error string `json:"error"`
			}{res, msg}
		}, func() {
			lang := i18n.FromEnv(nil)
			for _, p := range res.Problems {
				fmt.Fprintf(o.stdout, "  %s\n", p.In(lang))
			}
		})
		switch {
		case err != nil:
			return err
		case problems:
			return fmt.Errorf("%w: campaign file %s: %d problem(s), nothing stored", registry.ErrRefused, o.arg, len(res.Problems))
		case o.json:
		case res.Created:
			fmt.Fprintf(o.stdout, "campaign %s added; terminals receive it at their next sync\n", res.Campaign)
		case res.Unchanged:
			fmt.Fprintf(o.stdout, "campaign %s unchanged\n", res.Campaign)
		default:
			fmt.Fprintf(o.stdout, "campaign %s updated: %d pickup(s) moved to their phase's new dates; terminals receive it at their next sync\n", res.Campaign, res.Moved)
			if res.Moved > 0 {
				fmt.Fprintf(o.stdout, "letters already sent show the old dates: print them again (pickup-registry letters --campaign %s --out …)\n", res.Campaign)
			}
		}
		return nil
	})
}

func newCmdCampaignList(g *globals) *cobra.Command {
	return newShowCmd(g, "list [--json]", "list the campaigns with their phases, where each stands today, and their requests", (*registry.Registry).Campaigns,
		func(cs []registry.CampaignDetail) any {
			sums := make([]registry.CampaignSummary, len(cs))
			for i, c := range cs {
				sums[i] = c.CampaignSummary
			}
			return map[string]any{"campaigns": sums}
		},
		func(w io.Writer, cs []registry.CampaignDetail) error {
			var rows [][]any // a row per phase
			for _, c := range cs {
				name := c.Names.In("en")
				if c.Builtin {
					name += " (built-in example)"
				}
				for i, ph := range c.Phases {
					id := c.ID
					if i > 0 {
						id, name = "", ""
					}
					rows = append(rows, []any{id, ph.ID, ph.RequestsOpen, fmt.Sprintf("%s – %s", ph.Pickup.Start, ph.Pickup.End),
						strings.ReplaceAll(string(ph.State), "_", " "), ph.Requests, ph.Collected, name})
				}
			}
			return writeTable(w, false, "CAMPAIGN\tPHASE\tREQUESTS OPEN\tPICKUP\tTODAY\tREQUESTS\tCOLLECTED\tNAME", rows)
		})
}

func newCmdCampaignShow(g *globals) *cobra.Command {
	return newArgCmd(g, "show [--json] ID", "one campaign: phases, professions, parcel contents and figures (--json: the full definition)", campaignShowRun, withJSON)
}

func campaignShowRun(ctx context.Context, o *argOptions) error {
	return show(ctx, o.globals, func(reg *registry.Registry) (registry.CampaignDetail, error) { return reg.CampaignInfo(ctx, o.arg) }, nil,
		printCampaign)
}

// printCampaign is campaign show's text.
func printCampaign(w io.Writer, c registry.CampaignDetail) error {
	d := c.Definition
	fmt.Fprintf(w, "campaign %s: %s\n", c.ID, c.Names.In("en"))
	if c.Builtin {
		fmt.Fprintln(w, "  built-in example (cannot be replaced)")
	} else if c.ImportedAt != nil {
		fmt.Fprintf(w, "  imported %s\n", c.ImportedAt.Local().Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(w, "  requests %d: expected %d, collected %d, cancelled %d\n", c.Requests, c.Expected, c.Collected, c.Cancelled)
	fmt.Fprintln(w, "phases:")
	for _, ph := range c.Phases {
		fmt.Fprintf(w, "  %s: requests from %s, pickup %s to %s (%s); %d request(s), %d collected; professions: %s\n",
			ph.ID, ph.RequestsOpen, ph.Pickup.Start, ph.Pickup.End, strings.ReplaceAll(string(ph.State), "_", " "),
			ph.Requests, ph.Collected, strings.Join(ph.Professions, ", "))
	}
	fmt.Fprintln(w, "parcel kinds:")
	for _, k := range d.ParcelKinds {
		var lines []string
		for _, l := range k.Contents {
			it, _ := d.Item(l.Item)
			q := fmt.Sprint(l.Qty)
			if l.PerDay {
				q = "per day ×" + fmt.Sprint(d.PeriodDays)
			}
			lines = append(lines, q+" "+it.Names.In("en"))
		}
		fmt.Fprintf(w, "  %s (%s): %s\n", k.ID, k.Names.In("en"), strings.Join(lines, ", "))
	}
	fmt.Fprintln(w, "professions:")
	for _, p := range d.Professions {
		fmt.Fprintf(w, "  %s (%s): %s, phase %s\n", p.ID, p.Names.In("en"), p.ParcelKind, p.Phase)
	}
	return nil
}

type requestImportOptions struct {
	*globals
	req  registry.RequestImport
	file string
}

func newCmdRequestImport(o *requestImportOptions) *cobra.Command {
	return cmdkit.Command(o, requestImportRun, "import --campaign ID [--phase ID] [--lang L] [--dry-run] FILE.csv",
		"import validated requests (professional_id,name,profession,centre_id[,lang]) and issue codes; every problem is listed with its line and nothing is imported unless the whole file is valid (exit 1)",
		withJSON, argument(&o.file),
		cmdkit.Bind(cmdkit.Require(func() bool { return o.req.Campaign != "" }, "--campaign is required (pickup-registry campaign list shows the campaigns)")),
		cmdkit.Flag(&o.req.Campaign, "campaign", "", "the campaign the requests are for (see campaign list)"),
		cmdkit.Flag(&o.req.Phase, "phase", "", "the phase the file is for (every profession must belong to it; default: each profession's own)"),
		cmdkit.Flag(&o.req.Lang, "lang", "en", "letter language of rows without a lang column: fr, nl, de or en"),
		cmdkit.Flag(&o.req.DryRun, "dry-run", false, "check the file, import nothing"),
		cmdkit.Complete("lang", "fr", "nl", "de", "en"))
}

func requestImportRun(ctx context.Context, o *requestImportOptions) error {
	return withFile(ctx, o.globals, o.file, func(reg *registry.Registry, f *os.File) error {
		res, err := reg.ImportRequestFile(ctx, o.req, f)
		problems, err := printImport(o.globals, err, res, func(msg string) any {
			return struct {
				registry.ImportResult
				Error string `json:"error"`
			}{res, msg}
		}, func() { printRequestImport(o.stdout, res) })
		if err != nil {
			return err
		}
		if problems {
			return fmt.Errorf("%w: request file %s: %d problem(s), nothing imported", registry.ErrRefused, o.file, len(res.Problems))
		}
		return nil
	})
}

// printRequestImport lists the problems in the environment's language
// (--lang is the letters' language), then what was imported.
func printRequestImport(w io.Writer, res registry.ImportResult) {
	lang := i18n.FromEnv(nil)
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  %s\n", p.In(lang))
	}
	if res.Truncated {
		fmt.Fprintf(w, "  … more problems not listed (the first %d are)\n", registry.MaxRequestProblems)
	}
	for _, warn := range res.WarningsIn(lang) {
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

type codesOptions struct {
	*globals
	centre, qrDir, out string
}

// newCmdCodes builds codes, with its subcommands (revoke, cancel, move).
func newCmdCodes(o *codesOptions, subs ...*cobra.Command) *cobra.Command {
	return cmdkit.Command(o, codesRun, "codes --centre ID [--qr-dir DIR] [--out FILE]",
		"write a centre's pickups as CSV in the terminal's import format (with status), and QR images",
		cmdkit.Required(&o.centre, "centre", "centre id"),
		cmdkit.Flag(&o.qrDir, "qr-dir", "", "also write one QR PNG per code (signed payload) into DIR"),
		cmdkit.Flag(&o.out, "out", "", "write the CSV to FILE instead of standard output"),
		cmdkit.Dirname("qr-dir"), cmdkit.Sub(subs...))
}

func codesRun(ctx context.Context, o *codesOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		write := func(w io.Writer) error {
			n, err := reg.WriteCodes(ctx, o.centre, w, o.qrDir)
			if err == nil && (o.out != "" || o.qrDir != "") {
				fmt.Fprintf(o.stderr, "%d code(s) of centre %s written\n", n, o.centre)
			}
			return err
		}
		if o.out != "" {
			return atomicfile.WriteFile(o.out, 0o600, write)
		}
		return write(o.stdout)
	})
}

// codeOptions are those of a command on one pickup code.
type codeOptions struct {
	*globals
	code   pickup.Code
	centre string // codes move
}

// newCodeCmd builds a command whose one argument is a pickup code; opts
// may add flags to o.
func newCodeCmd(o *codeOptions, use, short string, run func(context.Context, *codeOptions) error, opts ...cmdkit.Opt) *cobra.Command {
	return cmdkit.Command(o, run, use, short, append(opts, cmdkit.Args(cmdkit.ExactArgs(1)),
		cmdkit.Bind(func(_ *cobra.Command, args []string) (err error) {
			o.code, err = parseCodeArg(args[0])
			return err
		}))...)
}

func newCmdCodesRevoke(g *globals) *cobra.Command {
	return newCodeCmd(&codeOptions{globals: g}, "revoke CODE", "cancel a pickup and revoke its code (terminals refuse its signed QR too)",
		codeAction((*registry.Registry).RevokeCode, "code %s cancelled and revoked\n"))
}

func newCmdCodesCancel(g *globals) *cobra.Command {
	return newCodeCmd(&codeOptions{globals: g}, "cancel CODE", "cancel a pickup (request withdrawn)",
		codeAction((*registry.Registry).CancelCode, "code %s cancelled\n"))
}

// codeAction runs one registry call on the code and says it is done.
func codeAction(call func(*registry.Registry, context.Context, pickup.Code) error, done string) func(context.Context, *codeOptions) error {
	return func(ctx context.Context, o *codeOptions) error {
		return act(ctx, o.globals, func(reg *registry.Registry) error { return call(reg, ctx, o.code) }, done, o.code.Masked())
	}
}

func newCmdCodesMove(g *globals) *cobra.Command {
	o := &codeOptions{globals: g}
	return newCodeCmd(o, "move --centre ID CODE", "reassign a pickup to another centre", codesMoveRun, cmdkit.Required(&o.centre, "centre", "the new centre id"))
}

func codesMoveRun(ctx context.Context, o *codeOptions) error {
	return act(ctx, o.globals, func(reg *registry.Registry) error { return reg.MoveCode(ctx, o.code, o.centre) }, "code %s moved to centre %s\n", o.code.Masked(), o.centre)
}

type lettersOptions struct {
	*globals
	letters registry.LetterOptions
	out     string
}

func newCmdLetters(o *lettersOptions) *cobra.Command {
	return cmdkit.Command(o, lettersRun, "letters [--centre ID] [--campaign ID] [--contact TEXT] --out DIR|FILE.pdf [--json]",
		"the professionals' letters (code as text and QR, centre, hours, dates, parcel), one page each in the request's language, for the pickups still expected: FILE.pdf gets them all for printing, DIR one PDF each for e-mail and index.csv",
		withJSON, cmdkit.Bind(cmdkit.Require(func() bool { return o.out != "" }, "--out is required: a FILE.pdf or a folder")),
		cmdkit.Flag(&o.letters.CentreID, "centre", "", "only this centre's professionals"),
		cmdkit.Flag(&o.letters.CampaignID, "campaign", "", "only this campaign"),
		cmdkit.Flag(&o.letters.Contact, "contact", "", "e-mail or phone printed under \"if you cannot come\""),
		cmdkit.Flag(&o.out, "out", "", "FILE.pdf (one merged PDF) or a folder (one PDF per professional)"))
}

func lettersRun(ctx context.Context, o *lettersOptions) error {
	return show(ctx, o.globals, func(reg *registry.Registry) (registry.LettersResult, error) {
		return reg.WriteLetters(ctx, o.letters, o.out)
	}, nil,
		func(w io.Writer, res registry.LettersResult) error {
			where := o.out + " (one PDF per professional, and index.csv)"
			if len(res.Files) == 1 && strings.HasSuffix(strings.ToLower(o.out), ".pdf") {
				where = o.out + " (one page per professional)"
			}
			fmt.Fprintf(w, "%d letter(s) written to %s\n", res.Letters, where)
			if o.letters.Contact == "" && res.Letters > 0 {
				fmt.Fprintln(o.stderr, "hint: --contact \"e-mail or phone\" prints whom to call when a professional cannot come")
			}
			return nil
		})
}

// printImport prints the outcome of a file import. With --json there is a
// report either way: report itself, or failed(message) when the import
// failed for another reason than the file's problems; without it, text.
// It returns whether the file had problems (nothing was stored), or the
// failure.
func printImport(g *globals, err error, report any, failed func(string) any, text func()) (problems bool, _ error) {
	var pe *registry.ProblemsError
	if err != nil && !errors.As(err, &pe) {
		if g.json {
			cmdkit.PrintJSON(g.stdout, failed(err.Error()))
		}
		return false, err
	}
	if g.json {
		if err := cmdkit.PrintJSON(g.stdout, report); err != nil {
			return false, err
		}
	} else {
		text()
	}
	return pe != nil, nil
}
