package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// recommendOptions are those of config recommended-version.
type recommendOptions struct {
	*globals
	version string // the argument; "" to show the current one
	clear   bool   // --clear
}

func newCmdConfigRecommendedVersion(o *recommendOptions) *cobra.Command {
	return cmdkit.Command(o, configRecommendedVersionRun, "recommended-version [VERSION | --clear] [--json]",
		"show or set the counter version the registry recommends (the counters running an older one say so; nothing installs by itself)", withJSON,
		cmdkit.Args(func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cmdkit.Usagef("want at most one version, got %d arguments", len(args))
			}
			return nil
		}),
		cmdkit.Bind(func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.version = args[0]
			}
			if o.clear && o.version != "" {
				return cmdkit.Usagef("give a version or --clear, not both")
			}
			return nil
		}),
		cmdkit.Flag(&o.clear, "clear", false, "recommend no version any more"))
}

func configRecommendedVersionRun(ctx context.Context, o *recommendOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		if o.version != "" || o.clear {
			if err := reg.SetRecommendedVersion(ctx, o.version); err != nil {
				return err
			}
		}
		v, err := reg.RecommendedVersion(ctx)
		if err != nil {
			return err
		}
		if o.json {
			return cmdkit.PrintJSON(o.stdout, map[string]string{"recommended_version": v})
		}
		if v == "" {
			_, err = fmt.Fprintln(o.stdout, "no version recommended")
		} else {
			_, err = fmt.Fprintf(o.stdout, "version %s recommended: the counters running an older one say so at their next sync\n", v)
		}
		return err
	})
}
