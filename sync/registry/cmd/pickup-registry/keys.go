package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

func newCmdKeysRotate(g *globals, runF func(context.Context, *globals) error) *cobra.Command {
	return newListCmd(g, "rotate [--json]", "make a new signing key current (earlier keys stay valid)", runF, keysRotateRun)
}

func keysRotateRun(ctx context.Context, g *globals) error {
	return withRegistry(ctx, g, func(reg *registry.Registry) error {
		id, err := reg.RotateKey(ctx)
		if err != nil {
			return err
		}
		if g.json {
			return cmdkit.PrintJSON(g.stdout, map[string]string{"key_id": id})
		}
		fmt.Fprintf(g.stdout, "new signing key %s is current; earlier keys stay valid\n", id)
		return nil
	})
}

func newCmdKeysList(g *globals, runF func(context.Context, *globals) error) *cobra.Command {
	return newListCmd(g, "list [--json]", "list the signing keys", runF, keysListRun)
}

func keysListRun(ctx context.Context, g *globals) error {
	return withRegistry(ctx, g, func(reg *registry.Registry) error {
		keys, err := reg.Keys(ctx)
		if err != nil {
			return err
		}
		if g.json {
			return cmdkit.PrintJSON(g.stdout, map[string]any{"keys": keys})
		}
		for _, k := range keys {
			cur := ""
			if k.Current {
				cur = " (current)"
			}
			fmt.Fprintf(g.stdout, "%s  created %s%s\n", k.KeyID, k.CreatedAt.Local().Format("2006-01-02 15:04"), cur)
		}
		return nil
	})
}
