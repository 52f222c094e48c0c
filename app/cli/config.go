package cli

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

func init() {
	register(&command{name: "config", args: "[KEY [VALUE]]",
		summary: "show or change a setting: undo-window (e.g. 2m), lang (fr, nl, de, en)", run: runConfig})
}

// configKeys are the settings a technician may change, with how to check
// and store a value.
var configKeys = map[string]struct {
	key   string
	parse func(string) (string, error)
	show  func(string) string
}{
	"undo-window": {store.KeyUndoWindow, func(v string) (string, error) {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 24*time.Hour {
			return "", fmt.Errorf("undo-window %q: want a duration from 0s to 24h, e.g. 2m or 90s", v)
		}
		return strconv.Itoa(int(d.Seconds())), nil
	}, func(v string) string {
		if n, err := strconv.Atoi(v); err == nil {
			return (time.Duration(n) * time.Second).String()
		}
		return store.DefaultUndoWindow.String() + " (default)"
	}},
	"lang": {store.KeyLang, func(v string) (string, error) {
		if l := i18n.Normalize(v); l == v {
			return l, nil
		}
		return "", fmt.Errorf("lang %q: want one of %v", v, i18n.Languages)
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
		k := configKeys[args[0]]
		v, err := k.parse(args[1])
		if err != nil {
			return usagef("%v", err)
		}
		if err := s.SetSetting(ctx, k.key, v); err != nil {
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
