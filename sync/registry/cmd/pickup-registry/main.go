// Command pickup-registry is the reference central registry of Pickup: it
// serves the sync protocol to the terminals and manages centres, requests
// and codes, terminals, shipments, signing keys, USB bundles and reports.
//
// Every command takes --data DIR (default: the per-user config folder's
// pickup-registry, or $PICKUP_REGISTRY_DATA) and works while serve runs on
// the same folder. Flags may stand before or after the command and its
// arguments. Exit codes: 0 done, 1 refused or not found, 2 usage or system
// error.
//
// Each command is built by a newCmd… function, one cmdkit.Command call
// on an options struct (its flags and arguments, typed), and runs in a
// …Run function, on the command kit internal/cmdkit (cobra). A new
// command goes in the file of its theme (centres.go: centres, terminals,
// keys; campaigns.go: campaigns, requests, codes, letters; stock.go:
// shipments and reports; bundle.go: bundles and backups; serve.go;
// operators.go: the web console's operators) or a new one, and is added
// in newRoot.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// On a terminal, the text printed (a stolen terminal's facts among it)
	// cannot drive the terminal (cmdkit.ForTerminal).
	code := run(ctx, os.Args[1:], os.Stdin, cmdkit.ForTerminal(os.Stdout), cmdkit.ForTerminal(os.Stderr))
	stop()
	os.Exit(code)
}

// globals is what every command gets: the standard streams and the flags
// every command takes.
type globals struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	data           string // --data
	json           bool   // --json
}

// annotJSON marks the commands that print JSON with --json.
const annotJSON = "json"

// withJSON marks cmd as one that prints JSON with --json (a cmdkit.Opt).
func withJSON(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[annotJSON] = "1"
}

const long = `pickup-registry — the reference central registry of Pickup.

Every command takes --data DIR and works while serve runs on the same
folder. Flags may stand before or after the arguments.
Exit codes: 0 done, 1 refused or not found, 2 usage or system error.`

// newRoot builds the command tree.
func newRoot(g *globals) *cobra.Command {
	root := cmdkit.NewRoot(cmdkit.Spec{Name: "pickup-registry", Short: "the reference central registry of Pickup",
		Long: long, Stdin: g.stdin, Stdout: g.stdout, Stderr: g.stderr})
	pf := root.PersistentFlags()
	pf.StringVar(&g.data, "data", registry.DefaultDir(), "registry data folder (or $PICKUP_REGISTRY_DATA)")
	pf.BoolVar(&g.json, "json", false, "print machine-readable JSON (the commands that show [--json])")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.json && cmd.Annotations[annotJSON] == "" {
			return cmdkit.Usagef("--json is not available for %q", cmd.CommandPath())
		}
		return nil
	}
	root.AddCommand(
		newCmdServe(&serveOptions{globals: g}),
		cmdkit.Group("centre", "the distribution centres",
			newCmdCentreAdd(&centreAddOptions{globals: g}), newCmdCentreImport(g), newCmdCentreList(g)),
		cmdkit.Group("campaign", "the campaigns: phases, parcel kinds, professions",
			newCmdCampaignImport(g), newCmdCampaignList(g), newCmdCampaignShow(g)),
		cmdkit.Group("request", "validated requests", newCmdRequestImport(&requestImportOptions{globals: g})),
		newCmdCodes(&codesOptions{globals: g}, newCmdCodesRevoke(g), newCmdCodesCancel(g), newCmdCodesMove(g)),
		newCmdLetters(&lettersOptions{globals: g}),
		cmdkit.Group("terminal", "the counters' terminals",
			newCmdTerminalEnrol(&terminalEnrolOptions{globals: g}), newCmdTerminalList(g), newCmdTerminalRevoke(g)),
		newCmdSchedule(&scheduleOptions{globals: g}),
		newCmdPlan(&scheduleOptions{globals: g}),
		newCmdShip(&shipOptions{globals: g}),
		newCmdReport(&reportOptions{globals: g}),
		newCmdShipments(&shipmentsOptions{globals: g}),
		newCmdDemo(&demoOptions{globals: g}),
		cmdkit.Group("bundle", "sync by USB stick", newCmdBundleImport(g), newCmdBundleExport(&bundleExportOptions{globals: g})),
		cmdkit.Group("keys", "the signing keys of the codes", newCmdKeysRotate(g), newCmdKeysList(g)),
		cmdkit.Group("operator", "the operators of the web console (/console/ of serve)",
			newCmdOperatorAdd(&operatorAddOptions{globals: g}), newCmdOperatorList(g), newCmdOperatorRemove(g)),
		cmdkit.Group("config", "the registry's settings", newCmdConfigRecommendedVersion(&recommendOptions{globals: g})),
		newCmdBackup(g),
		newCmdRestore(g),
	)
	return root
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	return cmdkit.Execute(ctx, newRoot(g), args, cmdkit.Policy{Refused: refused})
}

// refused reports whether a command's error is a refusal or a not-found
// (exit 1) rather than a usage or system error (exit 2).
func refused(err error) bool {
	var pe *protocol.Error
	switch {
	case errors.Is(err, registry.ErrNotFound), errors.Is(err, registry.ErrExists), errors.Is(err, registry.ErrRefused):
		return true
	case errors.As(err, &pe) && pe.HTTPStatus() < 500:
		return true
	}
	return false
}

// The values the item and size flags complete to.
var (
	itemIDs   = []string{"gloves", "masks", "gowns", "glasses", "ffp2_masks"}
	sizeNames = []string{"S", "M", "L", "XL"}
)

func open(ctx context.Context, g *globals, level slog.Level) (*registry.Registry, error) {
	log := slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
	return registry.Open(ctx, g.data, registry.Options{Log: log})
}

// withRegistry opens the registry quietly (warnings only), runs fn, closes.
func withRegistry(ctx context.Context, g *globals, fn func(reg *registry.Registry) error) error {
	reg, err := open(ctx, g, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer reg.Close()
	return fn(reg)
}

// withFile opens a command's input file (a missing one is "not found",
// exit 1), then the registry, runs fn and closes both.
func withFile(ctx context.Context, g *globals, name string, fn func(reg *registry.Registry, f *os.File) error) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("%w: %v", registry.ErrNotFound, err)
	}
	defer f.Close()
	return withRegistry(ctx, g, func(reg *registry.Registry) error { return fn(reg, f) })
}

func parseCodeArg(s string) (pickup.Code, error) {
	c, err := pickup.ParseCode(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", registry.ErrRefused, err)
	}
	return c, nil
}

// show opens the registry, gets a result and prints it: as JSON with
// --json (shaped by jsonOf, or the result itself when jsonOf is nil),
// else as text.
func show[T any](ctx context.Context, g *globals, get func(*registry.Registry) (T, error), jsonOf func(T) any, text func(w io.Writer, v T) error) error {
	return withRegistry(ctx, g, func(reg *registry.Registry) error {
		v, err := get(reg)
		switch {
		case err != nil:
			return err
		case !g.json:
			return text(g.stdout, v)
		case jsonOf != nil:
			return cmdkit.PrintJSON(g.stdout, jsonOf(v))
		}
		return cmdkit.PrintJSON(g.stdout, v)
	})
}

// table is show's text for a list: the header, then a row of cells per
// item, in aligned columns.
func table[T any](header string, row func(T) []any) func(io.Writer, []T) error {
	return func(w io.Writer, xs []T) error {
		rows := make([][]any, 0, len(xs))
		for _, x := range xs {
			rows = append(rows, row(x))
		}
		return writeTable(w, false, header, rows)
	}
}

// writeTable writes the header and the rows (their cells separated by
// tabs) in aligned columns, the cells aligned right when right is true.
func writeTable(w io.Writer, right bool, header string, rows [][]any) error {
	flags := uint(0)
	if right {
		flags = tabwriter.AlignRight
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', flags)
	fmt.Fprintln(tw, header)
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, cell)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// readLine reads the first line of r (at most 4 KiB) without its line
// ending; eof says r ended before any of it.
func readLine(r io.Reader) (line string, eof bool, err error) {
	s, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, err
	}
	return strings.TrimRight(s, "\r\n"), err == io.EOF && s == "", nil
}

// itemSize names an item with its size, if it has one: "gloves M".
func itemSize(item, size string) string {
	if size == "" {
		return item
	}
	return item + " " + size
}

// act opens the registry, makes one call and, when it succeeds, says so
// (format and args on standard output).
func act(ctx context.Context, g *globals, call func(*registry.Registry) error, format string, args ...any) error {
	return withRegistry(ctx, g, func(reg *registry.Registry) error {
		if err := call(reg); err != nil {
			return err
		}
		_, err := fmt.Fprintf(g.stdout, format, args...)
		return err
	})
}

// argOptions are those of a command with one argument (a file to read,
// a terminal's id) and no flags of its own.
type argOptions struct {
	*globals
	arg string
}

// newArgCmd builds a command with one argument and no flags of its own.
func newArgCmd(g *globals, use, short string, run func(context.Context, *argOptions) error, opts ...cmdkit.Opt) *cobra.Command {
	o := &argOptions{globals: g}
	return cmdkit.Command(o, run, use, short, append(opts, argument(&o.arg))...)
}

// argument makes a command take exactly one argument, bound to p.
func argument(p *string) cmdkit.Opt {
	return cmdkit.Opts(cmdkit.Args(cmdkit.ExactArgs(1)), cmdkit.Bind(func(_ *cobra.Command, args []string) error { *p = args[0]; return nil }))
}

// newShowCmd builds a command with no flags or arguments of its own that
// shows what one registry call gets (see show), JSON with --json.
func newShowCmd[T any](g *globals, use, short string, get func(*registry.Registry, context.Context) (T, error), jsonOf func(T) any, text func(io.Writer, T) error) *cobra.Command {
	return cmdkit.Command(g, func(ctx context.Context, g *globals) error {
		return show(ctx, g, func(reg *registry.Registry) (T, error) { return get(reg, ctx) }, jsonOf, text)
	}, use, short, withJSON)
}
