package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
)

type configOptions struct {
	*ctx
	args []string // KEY [VALUE]
}

func newCmdConfig(o *configOptions) *cobra.Command {
	cmd := cmdkit.Command(o, withSetUpStore(runConfig), "config [KEY [VALUE]]",
		"show or change a setting: undo-window (e.g. 2m), lang (fr, nl, de, en), name (the counter's name, shown with its terminal id), peers (ADDR[,ADDR…]), peer-listen (ADDR), manager-pin (4 to 8 digits read from standard input, never on the command line: it guards the window's manager screen)",
		cmdkit.Args(func(_ *cobra.Command, args []string) error {
			if len(args) > 2 {
				return usagef("want 'config', 'config KEY' or 'config KEY VALUE'")
			}
			return nil
		}),
		cmdkit.Bind(func(_ *cobra.Command, args []string) error { o.args = args; return nil }))
	cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		switch {
		case len(args) == 0:
			return []cobra.Completion{"lang", "name", "undo-window", "peers", "peer-listen", "manager-pin"}, cobra.ShellCompDirectiveNoFileComp
		case len(args) == 1 && args[0] == "lang":
			return i18n.Languages, cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return cmd
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
	"name": {store.KeyTerminalName, func(ctx context.Context, s *store.Store, v string) error {
		return s.SetTerminalName(ctx, v)
	}, func(v string) string { return v }},
	"lang": {store.KeyLang, func(ctx context.Context, s *store.Store, v string) error {
		return s.SetLang(ctx, v)
	}, func(v string) string {
		if v == "" {
			return "(from the system)"
		}
		return v
	}},
	"peers": {store.KeyPeers, func(ctx context.Context, s *store.Store, v string) error { return s.SetPeers(ctx, v) },
		func(v string) string {
			if v == "" {
				return "(none listed: found on the LAN by mDNS)"
			}
			return v
		}},
	"manager-pin": {store.KeyManagerPIN, nil, func(v string) string {
		if v == "" {
			return "(not set: the window's manager screen stays closed)"
		}
		return "set"
	}},
	"peer-listen": {store.KeyPeerListen, func(ctx context.Context, s *store.Store, v string) error { return s.SetPeerListen(ctx, v) },
		func(v string) string {
			if v == "" {
				return store.DefaultPeerListen + " (default)"
			}
			return v
		}},
}

func runConfig(ctx context.Context, c *configOptions, s *store.Store) error {
	args := c.args
	names := []string{"lang", "name", "undo-window", "peers", "peer-listen", "manager-pin"}
	if len(args) > 0 && args[0] == "manager-pin" {
		if len(args) == 2 {
			return usagef("manager-pin: give the PIN on standard input, not on the command line (it would stay in the shell's history), e.g. 'pickup config manager-pin' then type it")
		}
		if err := readManagerPIN(ctx, c, s); err != nil {
			return err
		}
	}
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

// readManagerPIN reads the manager PIN from the first line of standard
// input and sets it.
func readManagerPIN(ctx context.Context, c *configOptions, s *store.Store) error {
	// Ask only a person at a terminal (a pipe gives the PIN at once).
	f, isFile := c.Stdin.(*os.File)
	tty := false
	if isFile {
		fi, err := f.Stat()
		tty = err == nil && fi.Mode()&os.ModeCharDevice != 0
	}
	if tty && !c.json {
		fmt.Fprintf(c.Stderr, "Manager PIN (%d to %d digits), then Enter: ", store.MinPINLen, store.MaxPINLen)
	}
	line, err := bufio.NewReader(io.LimitReader(c.Stdin, 256)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("manager-pin: read standard input: %w", err)
	}
	pin := strings.TrimSpace(line)
	if err := s.SetManagerPIN(ctx, pin); err != nil {
		if store.CodeOf(err) == store.CodeInvalid {
			return usagef("manager-pin: want %d to %d digits on standard input, e.g. echo 4711 | pickup config manager-pin", store.MinPINLen, store.MaxPINLen)
		}
		return err
	}
	return nil
}
