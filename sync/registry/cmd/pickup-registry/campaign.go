package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

func newCmdCampaignImport(g *globals, runF func(context.Context, *argOptions) error) *cobra.Command {
	return withJSON(newArgCmd(g, "import [--json] FILE.json",
		"add a campaign (phases with request and pickup dates, parcel kinds, professions) or update one imported before; every problem of the file is listed with its line and nothing is stored unless the whole file is valid (exit 1)",
		runF, campaignImportRun))
}

func campaignImportRun(ctx context.Context, o *argOptions) error {
	return withFile(ctx, o.globals, o.arg, func(reg *registry.Registry, f *os.File) error {
		res, err := reg.ImportCampaign(ctx, f)
		var pe *registry.ProblemsError
		if err != nil && !errors.As(err, &pe) {
			return err
		}
		if o.json {
			if err := cmdkit.PrintJSON(o.stdout, res); err != nil {
				return err
			}
		} else {
			for _, p := range res.Problems {
				fmt.Fprintf(o.stdout, "  %s\n", p)
			}
		}
		switch {
		case pe != nil:
			return fmt.Errorf("%w: campaign file %s: %d problem(s), nothing stored", registry.ErrRefused, o.arg, len(res.Problems))
		case o.json:
		case res.Created:
			fmt.Fprintf(o.stdout, "campaign %s added; terminals receive it at their next sync\n", res.Campaign)
		case res.Unchanged:
			fmt.Fprintf(o.stdout, "campaign %s unchanged\n", res.Campaign)
		default:
			fmt.Fprintf(o.stdout, "campaign %s updated: %d pickup(s) moved to their phase's new dates; terminals receive it at their next sync\n", res.Campaign, res.Moved)
		}
		return nil
	})
}

func newCmdCampaignList(g *globals, runF func(context.Context, *globals) error) *cobra.Command {
	return newListCmd(g, "list [--json]", "list the campaigns with their phases, where each stands today, and their requests", runF, campaignListRun)
}

func campaignListRun(ctx context.Context, g *globals) error {
	return withRegistry(ctx, g, func(reg *registry.Registry) error {
		cs, err := reg.Campaigns(ctx)
		if err != nil {
			return err
		}
		if g.json {
			sums := make([]registry.CampaignSummary, len(cs))
			for i, c := range cs {
				sums[i] = c.CampaignSummary
			}
			return cmdkit.PrintJSON(g.stdout, map[string]any{"campaigns": sums})
		}
		tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CAMPAIGN\tPHASE\tREQUESTS OPEN\tPICKUP\tTODAY\tREQUESTS\tCOLLECTED\tNAME")
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s – %s\t%s\t%d\t%d\t%s\n", id, ph.ID, ph.RequestsOpen, ph.Pickup.Start, ph.Pickup.End,
					strings.ReplaceAll(string(ph.State), "_", " "), ph.Requests, ph.Collected, name)
			}
		}
		return tw.Flush()
	})
}

func newCmdCampaignShow(g *globals, runF func(context.Context, *argOptions) error) *cobra.Command {
	return withJSON(newArgCmd(g, "show [--json] ID",
		"one campaign: phases, professions, parcel contents and figures (--json: the full definition)", runF, campaignShowRun))
}

func campaignShowRun(ctx context.Context, o *argOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		c, err := reg.CampaignInfo(ctx, o.arg)
		if err != nil {
			return err
		}
		if o.json {
			return cmdkit.PrintJSON(o.stdout, c)
		}
		w, d := o.stdout, c.Definition
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
	})
}
