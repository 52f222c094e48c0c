// Package cli is the technician's command line of the counter terminal:
// `pickup init`, `import-pickups`, `lookup`, `handover`, `undo`, `stock`,
// `status`, `demo`, `verify-log` and the rest. It needs no display and no
// cgo; the window (package main) calls Run whenever OpensWindow says the
// command line is not for the window, and app/cmd/pickup-cli always does.
//
// It is built on the command kit internal/cmdkit (cobra): each command is
// a newCmd… constructor in the file of its body, one cmdkit.Command call on
// an options struct holding its typed flags and arguments (embedding ctx:
// the environment, --data, --json), with a run… function that calls the
// store or the sync client. A new command is added in newRoot.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
)

// Exit codes, as the README documents them (cmdkit's policy).
const (
	ExitOK      = cmdkit.ExitOK      // done
	ExitRefused = cmdkit.ExitRefused // refused by a verdict (or a check that failed)
	ExitError   = cmdkit.ExitError   // usage or system error
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
	Now            func() time.Time
}

// OSEnv returns the process's real environment; on a terminal, its output
// cannot be driven by the text it prints (cmdkit.ForTerminal).
func OSEnv() Env {
	return Env{Stdout: cmdkit.ForTerminal(os.Stdout), Stderr: cmdkit.ForTerminal(os.Stderr), Stdin: os.Stdin, Getenv: os.Getenv, Now: time.Now}
}

// refused marks err as a refusal (exit 1); refused(nil) is one already
// shown (a verdict printed).
func refused(err error) error { return cmdkit.Refused(err) }

func usagef(format string, args ...any) error { return cmdkit.Usagef(format, args...) }

// ctx carries what every command gets: the environment, the flags every
// command takes (--data, --json) and the catalog of the terminal's
// language. Each command's options struct embeds it.
type ctx struct {
	Env
	data string
	json bool
	tr   *i18n.Catalog
}

// DefaultDataDir is the OS's per-user application data folder for Pickup;
// PICKUP_DATA overrides it.
func DefaultDataDir(getenv func(string) string) string {
	if d := getenv("PICKUP_DATA"); d != "" {
		return d
	}
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Pickup")
		}
	case "darwin":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support", "Pickup")
		}
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "pickup")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "pickup")
	}
	return "pickup-data"
}

const long = `pickup — the Red Cross pickup counter.

With no command, pickup opens the counter window:
  pickup [--data DIR] [--fullscreen] [--lang fr|nl|de|en]
The commands below need no display. Flags may stand before or after the
command; --data and --json go with every command.

Exit codes: 0 done, 1 refused by a verdict or a check, 2 usage or system error.`

// newRoot builds the command tree on c.
func newRoot(c *ctx) *cobra.Command {
	root := cmdkit.NewRoot(cmdkit.Spec{Name: "pickup", Short: "the Red Cross pickup counter", Long: long,
		Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr})
	pf := root.PersistentFlags()
	pf.StringVar(&c.data, "data", "", "the terminal's data folder (default: the per-user application data folder, or $PICKUP_DATA)")
	pf.BoolVar(&c.json, "json", false, "print machine-readable JSON")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		if c.data == "" {
			c.data = DefaultDataDir(c.Getenv)
		}
	}
	root.AddCommand(
		newCmdInit(&initOptions{ctx: c}),
		newCmdImport(c),
		newCmdLookup(c),
		newCmdHandover(&handoverOptions{ctx: c}),
		newCmdUndo(c),
		newCmdStock(c),
		newCmdStatus(c),
		newCmdHandovers(&handoversOptions{ctx: c}),
		newCmdExpected(&expectedOptions{ctx: c}),
		newCmdShipments(c),
		newCmdConflicts(c),
		newCmdReviewConflict(&reviewOptions{ctx: c}),
		newCmdReport(&reportOptions{ctx: c}),
		newCmdDemo(&demoOptions{ctx: c}),
		newCmdVerifyLog(c),
		newCmdScanImage(&scanImageOptions{ctx: c}),
		newCmdConfig(&configOptions{ctx: c}),
		newCmdEnrol(&enrolOptions{ctx: c}),
		newCmdSync(&syncOptions{ctx: c}),
		newCmdRun(&runOptions{ctx: c}),
		newCmdPeers(c),
		newCmdDiagnostics(&diagOptions{ctx: c}),
		cmdkit.Group("bundle", "move sync data by USB stick", newCmdBundleExport(c), newCmdBundleImport(c)),
	)
	return root
}

// Run runs the command line with args (without the program name) and
// returns the exit code.
func Run(ctx0 context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	c := &ctx{Env: env, tr: i18n.For(envLang(env.Getenv))}
	return cmdkit.Execute(ctx0, newRoot(c), args, cmdkit.Policy{Report: func(_ *cobra.Command, err error) { c.fail(err) }})
}

// OpensWindow reports whether args ask for the counter window: no
// command, only the window's flags (--data DIR, --fullscreen, --lang L).
// Anything else (a command, --help, --version) is for Run.
func OpensWindow(args []string) bool {
	for i := 0; i < len(args); i++ {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") {
			return false
		}
		switch name {
		case "fullscreen":
		case "data", "lang":
			if !hasValue {
				i++
				if i == len(args) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// fail prints an error, as JSON when --json was given.
func (c *ctx) fail(err error) {
	if c.json {
		c.printJSON(map[string]any{"error": errorCode(err), "message": err.Error()})
		return
	}
	fmt.Fprintf(c.Stderr, "pickup: %v\n", err)
	if hint := hintFor(err); hint != "" {
		fmt.Fprintf(c.Stderr, "  → %s\n", hint)
	}
}

func errorCode(err error) string { return storeErrorCode(err) }

func hintFor(err error) string { return storeHint(err) }

func (c *ctx) printJSON(v any) { cmdkit.PrintJSON(c.Stdout, v) }

// result prints what a command did: v as JSON with --json, else the text
// (format and args).
func (c *ctx) result(v any, format string, args ...any) error {
	if c.json {
		c.printJSON(v)
		return nil
	}
	c.printf(format, args...)
	return nil
}

func (c *ctx) printJSONLine(v any) { cmdkit.PrintJSONLine(c.Stdout, v) }

func (c *ctx) printf(format string, args ...any) { fmt.Fprintf(c.Stdout, format, args...) }

// cliCtx gives the ctx that every command's options embed.
func (c *ctx) cliCtx() *ctx { return c }

type hasCtx interface{ cliCtx() *ctx }

// withStore adapts a command body that works on the terminal's store: the
// store is opened on --data before it runs and closed after.
func withStore[O hasCtx](run func(context.Context, O, *store.Store) error) func(context.Context, O) error {
	return func(ctx context.Context, o O) error {
		s, err := o.cliCtx().open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		return run(ctx, o, s)
	}
}

// withSetUpStore is withStore for bodies that need a terminal set up
// ("not set up" otherwise, with what to run).
func withSetUpStore[O hasCtx](run func(context.Context, O, *store.Store) error) func(context.Context, O) error {
	return withStore(func(ctx context.Context, o O, s *store.Store) error {
		if _, err := s.Identity(ctx); err != nil {
			return err
		}
		return run(ctx, o, s)
	})
}

// open opens the store in the data folder.
func (c *ctx) open(ctx0 context.Context) (*store.Store, error) {
	s, err := store.Open(ctx0, c.data)
	if err != nil {
		return nil, err
	}
	s.Now = c.Now
	return s, nil
}

func envLang(getenv func(string) string) string { return i18n.FromEnv(getenv) }
