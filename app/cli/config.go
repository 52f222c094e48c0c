package cli

import (
	"context"
	"strconv"
	"time"

	"github.com/pickup-terminal/pickup/store"
)

func init() {
	register(&command{name: "config", args: "[KEY [VALUE]]",
		summary: "show or change a setting: undo-window (e.g. 2m), lang (fr, nl, de, en)", run: runConfig})
}

// configKeys are the settings a technician may change, with how to read a
// value and store it (the store's typed setters check it).
var configKeys = map[string]struct {
	key  string
	set  func(context.Context, *store.Store, string) error
	show func(string) string
}{
	"undo-window": {store.KeyUndoWindow, func(ctx context.Context, s *store.Store, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return usagef("undo-window %q: want a duration from 0s to %s, e.g. 2m or 90s", v, store.MaxUndoWindow)
		}
		return s.SetUndoWindow(ctx, d)
	}, func(v string) string {
		if n, err := strconv.Atoi(v); err == nil {
			return (time.Duration(n) * time.Second).String()
		}
		return store.DefaultUndoWindow.String() + " (default)"
	}},
	"lang": {store.KeyLang, func(ctx context.Context, s *store.Store, v string) error {
		return s.SetLang(ctx, v)
	}, func(v string) string {
		if v == "" {
			return "(from the system)"
		}
		return v
	}},
}

func runConfig(ctx context.Context, c *ctx, args []string) error {
	if len(args) > 2 {
		return usagef("want 'config', 'config KEY' or 'config KEY VALUE'")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Identity(ctx); err != nil {
		return err
	}
	names := []string{"lang", "undo-window"}
	if len(args) > 0 {
		if _, ok := configKeys[args[0]]; !ok {
			return usagef("unknown setting %q (settings: %v)", args[0], names)
		}
		names = args[:1]
	}
	if len(args) == 2 {
		if err := configKeys[args[0]].set(ctx, s, args[1]); err != nil {
			if store.CodeOf(err) == store.CodeInvalid {
				return usagef("%v", err)
			}
			return err
		}
	}
	out := map[string]string{}
	for _, n := range names {
		v, err := s.Setting(ctx, configKeys[n].key)
		if err != nil {
			return err
		}
		out[n] = configKeys[n].show(v)
		if !c.json {
			c.printf("%-12s %s\n", n, out[n])
		}
	}
	if c.json {
		c.printJSON(out)
	}
	return nil
}
