// Command pickup-registry is the reference central registry of Pickup: it
// serves the sync protocol to the terminals and manages centres, requests
// and codes, terminals, shipments, signing keys, USB bundles and reports.
//
// Every subcommand takes --data DIR (default: the per-user config folder's
// pickup-registry, or $PICKUP_REGISTRY_DATA) and works while serve runs on
// the same folder. Flags come before positional arguments (after them is
// accepted too). Exit codes: 0 done, 1 refused or not found, 2 usage or
// system error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitRefused = 1
	exitError   = 2
)

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return exitError
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return exitOK
	}
	// --data may also come before the command.
	var global []string
	for len(args) > 0 {
		a := args[0]
		if (a == "--data" || a == "-data") && len(args) > 1 {
			global, args = append(global, a, args[1]), args[2:]
			continue
		}
		if strings.HasPrefix(a, "--data=") || strings.HasPrefix(a, "-data=") {
			global, args = append(global, a), args[1:]
			continue
		}
		break
	}
	if len(args) == 0 {
		printUsage(stderr)
		return exitError
	}
	c, rest := findCommand(args)
	rest = append(global, rest...)
	if c == nil {
		group := groupOf(args[0])
		if len(group) > 0 && (len(args) == 1 || isHelp(args[1])) {
			w, code := stderr, exitError
			if len(args) > 1 {
				w, code = stdout, exitOK
			}
			fmt.Fprintf(w, "pickup-registry %s: subcommands:\n", args[0])
			for _, g := range group {
				fmt.Fprintf(w, "  pickup-registry %s %s\n      %s\n", g.path, g.synopsis, g.doc)
			}
			return code
		}
		fmt.Fprintf(stderr, "pickup-registry: unknown command %q (see pickup-registry --help)\n", joinArgs(args, 2))
		return exitError
	}
	o := &opts{}
	fs := flag.NewFlagSet("pickup-registry "+c.path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.data, "data", registry.DefaultDir(), "registry data folder")
	if c.jsonOut {
		fs.BoolVar(&o.json, "json", false, "print machine-readable JSON")
	}
	if c.flags != nil {
		c.flags(fs, o)
	}
	pos, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		commandUsage(stdout, c, fs)
		return exitOK
	}
	if err == nil && c.nargs >= 0 && len(pos) != c.nargs {
		err = usagef("want %d argument(s), got %d", c.nargs, len(pos))
	}
	if err == nil && c.check != nil {
		err = c.check(o)
	}
	if err != nil {
		fmt.Fprintf(stderr, "pickup-registry %s: %v\n", c.path, err)
		commandUsage(stderr, c, fs)
		return exitError
	}
	if err := c.run(ctx, e, o, pos); err != nil {
		fmt.Fprintf(stderr, "pickup-registry: %v\n", err)
		return exitCode(err)
	}
	return exitOK
}

func isHelp(s string) bool { return s == "-h" || s == "-help" || s == "--help" || s == "help" }

func joinArgs(args []string, n int) string {
	s := ""
	for i, a := range args {
		if i == n {
			break
		}
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// exitCode maps an error to 1 (refused, not found) or 2 (usage, system).
func exitCode(err error) int {
	var ue *usageError
	var pe *protocol.Error
	switch {
	case errors.As(err, &ue):
		return exitError
	case errors.Is(err, registry.ErrNotFound), errors.Is(err, registry.ErrExists), errors.Is(err, registry.ErrRefused):
		return exitRefused
	case errors.As(err, &pe) && pe.HTTPStatus() < 500:
		return exitRefused
	}
	return exitError
}

// parseInterleaved parses flags wherever they appear among the positional
// arguments ("--" ends flags).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) > 0 && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
