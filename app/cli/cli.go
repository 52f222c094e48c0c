// Package cli is the technician's command line of the counter terminal:
// `pickup init`, `import-pickups`, `lookup`, `handover`, `undo`, `stock`,
// `status`, `demo`, `verify-log` and the rest. It needs no display and no
// cgo; the window (package main) calls Run for every subcommand.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

// Exit codes, as the README documents them.
const (
	ExitOK      = 0 // done
	ExitRefused = 1 // refused by a verdict (or a check that failed)
	ExitError   = 2 // usage or system error
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
	Now            func() time.Time
}

// OSEnv returns the process's real environment.
func OSEnv() Env {
	return Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv, Now: time.Now}
}

// refusal is an error that exits with ExitRefused.
type refusal struct{ error }

func refused(err error) error { return refusal{err} }

// usageError is an error that exits with ExitError after printing usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one subcommand.
type command struct {
	name    string
	args    string // positional arguments, for usage
	summary string
	flags   func(fs *flag.FlagSet, c *ctx)
	run     func(ctx context.Context, c *ctx, args []string) error
}

// ctx carries a command's parsed common flags and environment.
type ctx struct {
	Env
	data string
	json bool
	tr   *i18n.Catalog
	vals map[string]any
}

func (c *ctx) str(name string) string { return *c.vals[name].(*string) }
func (c *ctx) num(name string) int    { return *c.vals[name].(*int) }

func (c *ctx) strFlag(fs *flag.FlagSet, name, def, usage string) {
	c.vals[name] = fs.String(name, def, usage)
}

func (c *ctx) intFlag(fs *flag.FlagSet, name string, def int, usage string) {
	c.vals[name] = fs.Int(name, def, usage)
}

var commands []*command

func register(cmds ...*command) { commands = append(commands, cmds...) }

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// IsCommand reports whether name is a subcommand of the command line (the
// window opens when there is none).
func IsCommand(name string) bool {
	return find(name) != nil || name == "help" || name == "-h" || name == "--help" || name == "-help"
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

// Run runs the command line with args (without the program name) and
// returns the exit code.
func Run(ctx0 context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	c := &ctx{Env: env, tr: i18n.For(envLang(env.Getenv)), vals: map[string]any{}}
	// Common flags may also stand before the subcommand.
	pre := flag.NewFlagSet("pickup", flag.ContinueOnError)
	pre.SetOutput(io.Discard)
	data := pre.String("data", "", "")
	jsonOut := pre.Bool("json", false, "")
	if err := pre.Parse(args); err != nil {
		fmt.Fprintf(env.Stderr, "pickup: %v\n\n", err)
		usage(env.Stderr)
		return ExitError
	}
	args = pre.Args()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if cmd := find(args[1]); cmd != nil {
				cmdUsage(env.Stdout, cmd)
				return ExitOK
			}
		}
		usage(env.Stdout)
		if len(args) == 0 {
			return ExitError
		}
		return ExitOK
	}
	cmd := find(args[0])
	if cmd == nil {
		fmt.Fprintf(env.Stderr, "pickup: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return ExitError
	}
	fs := flag.NewFlagSet("pickup "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.data, "data", *data, "data folder (default: the per-user application data folder, or $PICKUP_DATA)")
	fs.BoolVar(&c.json, "json", *jsonOut, "print machine-readable JSON")
	if cmd.flags != nil {
		cmd.flags(fs, c)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			cmdUsage(env.Stdout, cmd)
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "pickup %s: %v\n", cmd.name, err)
		cmdUsage(env.Stderr, cmd)
		return ExitError
	}
	if c.data == "" {
		c.data = DefaultDataDir(env.Getenv)
	}
	err := cmd.run(ctx0, c, fs.Args())
	var r refusal
	var u usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &r):
		if r.error != nil && r.Error() != "" {
			c.fail(r.error)
		}
		return ExitRefused
	case errors.As(err, &u):
		fmt.Fprintf(env.Stderr, "pickup %s: %s\n", cmd.name, u.msg)
		cmdUsage(env.Stderr, cmd)
		return ExitError
	default:
		c.fail(err)
		return ExitError
	}
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

func (c *ctx) printJSON(v any) {
	enc := json.NewEncoder(c.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func (c *ctx) printJSONLine(v any) {
	enc := json.NewEncoder(c.Stdout)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func (c *ctx) printf(format string, args ...any) { fmt.Fprintf(c.Stdout, format, args...) }

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

func usage(w io.Writer) {
	fmt.Fprintln(w, `pickup — the Red Cross pickup counter.

With no command, pickup opens the counter window. Commands (no display needed):`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Common flags (before the command's arguments):
  --data DIR   the terminal's data folder (default: per-user application data, or $PICKUP_DATA)
  --json       machine-readable output

Exit codes: 0 done, 1 refused by a verdict or a check, 2 usage or system error.
'pickup help COMMAND' describes one command.`)
}

func cmdUsage(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "usage: pickup %s [flags] %s\n  %s\n\nflags:\n", cmd.name, cmd.args, cmd.summary)
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	c := &ctx{vals: map[string]any{}}
	fs.String("data", "", "data folder (default: the per-user application data folder, or $PICKUP_DATA)")
	fs.Bool("json", false, "print machine-readable JSON")
	if cmd.flags != nil {
		cmd.flags(fs, c)
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
}
