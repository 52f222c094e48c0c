// Package cmdkit is the command kit both of Pickup's command lines are
// built on (pickup, the terminal's, in app/cli, and pickup-registry): one
// way to build a root command on cobra, one usage-error type, one
// exit-code policy (0 done, 1 refused, 2 usage or system error), one JSON
// printer, shared argument checks, help that lists every command, shell
// completion and generated manual pages. Its subpackage atomicfile is the
// one atomic file writer.
//
// Command builds a command on an options struct from opts: its typed
// flags (Flag), its argument (Arg), the checks and bindings run before
// the body (Bind). A command is a cobra.Command whose RunE returns nil
// (done), a Refused error (exit 1), a usage error from Usagef (exit 2,
// with the command's usage) or any other error (exit 2, or 1 when the
// program's Policy says it is a refusal). Execute runs a root command and
// turns that into an exit code, printing what went wrong.
package cmdkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pickup-terminal/pickup/internal/buildinfo"
)

func init() {
	// Commands are listed in the order they are added: the order a
	// newcomer meets them in, not the alphabet's.
	cobra.EnableCommandSorting = false
}

// Exit codes, the same for both programs.
const (
	ExitOK      = 0 // done
	ExitRefused = 1 // refused: a verdict, a check that failed, not found
	ExitError   = 2 // usage or system error
)

// UsageError is a mistake in the command line: it exits with ExitError
// after the message and the command's usage.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Sprintf(format, args...)}
}

// errShowUsage prints the usage alone (a group named without its
// subcommand, a program run with no command).
var errShowUsage = &UsageError{}

// refusedError exits with ExitRefused; err (when not nil) is reported.
type refusedError struct{ err error }

func (r *refusedError) Error() string {
	if r.err == nil {
		return "refused"
	}
	return r.err.Error()
}

func (r *refusedError) Unwrap() error { return r.err }

// Refused marks err as a refusal (exit 1). Refused(nil) is a refusal that
// was already shown (a verdict printed on standard output).
func Refused(err error) error { return &refusedError{err} }

// PrintJSON writes v as indented JSON, with &, < and > as they are.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// PrintJSONLine writes v as JSON on one line (a stream of objects).
func PrintJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Spec describes a program's root command.
type Spec struct {
	Name  string // the program's name: "pickup"
	Short string // one line
	// Long is what --help shows above the usage: what the program is,
	// its common flags, its exit codes.
	Long   string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// annotation keys on commands.
const (
	annotWrapped = "cmdkit.wrapped"
	annotBare    = "cmdkit.bare" // runs only to print its usage
)

// NewRoot returns a program's root command: --version prints
// buildinfo.String(), --help lists every command, a run with no command
// prints the usage and exits 2, errors are printed by Execute (never by
// cobra), flag errors are usage errors, and a hidden `docs --out DIR`
// writes the manual pages. Add the commands, then call Execute.
func NewRoot(s Spec) *cobra.Command {
	root := &cobra.Command{
		Use:               s.Name,
		Short:             s.Short,
		Long:              s.Long,
		Version:           buildinfo.String(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
		Annotations:       map[string]string{annotBare: "1"},
		RunE:              func(*cobra.Command, []string) error { return errShowUsage },
	}
	root.SetIn(s.Stdin)
	root.SetOut(s.Stdout)
	root.SetErr(s.Stderr)
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.SetUsageFunc(usage)
	root.AddCommand(newDocsCmd())
	return root
}

// Group returns a command that only holds subcommands ("centre add",
// "centre list"): named alone it prints its usage and exits 2; with an
// unknown subcommand it says so.
func Group(use, short string, subs ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{
		Use:         use,
		Short:       short,
		Annotations: map[string]string{annotBare: "1"},
		Args:        NoArgs,
		RunE:        func(*cobra.Command, []string) error { return errShowUsage },
	}
	g.AddCommand(subs...)
	return g
}

// unknownSub is the error for an argument where a subcommand of cmd was
// expected.
func unknownSub(cmd *cobra.Command, arg string) error {
	return Usagef("unknown command %q for %q (see '%s --help')", arg, cmd.CommandPath(), cmd.CommandPath())
}

// NoArgs accepts no positional argument.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasAvailableSubCommands() {
			return unknownSub(cmd, args[0])
		}
		return Usagef("unexpected argument %q", args[0])
	}
	return nil
}

// ExactArgs accepts exactly n positional arguments.
func ExactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if n == 0 {
			return NoArgs(cmd, args)
		}
		if len(args) != n {
			return Usagef("want %d argument(s), got %d", n, len(args))
		}
		return nil
	}
}

// OneArg accepts one positional argument, named what in the messages.
func OneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return Usagef("missing %s", what)
		case len(args) > 1:
			return Usagef("one %s at a time (got %d arguments; flags go before the %s)", what, len(args), what)
		}
		return nil
	}
}

// MinArgs accepts one or more positional arguments, named what.
func MinArgs(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return Usagef("missing %s", what)
		}
		return nil
	}
}

// Policy is how a program reports a failed command.
type Policy struct {
	// Refused reports whether an error a command returned is a refusal
	// (exit 1) rather than a system error (exit 2). Refused(err) values
	// always are.
	Refused func(error) bool
	// Report prints an error a command returned (not a usage error). Nil
	// prints "NAME: ERROR" on standard error.
	Report func(cmd *cobra.Command, err error)
}

// runError marks an error returned by a command's RunE, to tell it from
// the errors cobra returns before the command runs (an unknown command
// or flag, wrong arguments), which are all usage errors.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// Execute runs the command line args (without the program's name) on
// root and returns the exit code.
func Execute(ctx context.Context, root *cobra.Command, args []string, p Policy) int {
	markRuns(root)
	root.SetArgs(normalizeArgs(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if cmd == nil {
		cmd = root
	}
	var re *runError
	if !errors.As(err, &re) {
		var ue *UsageError
		if !errors.As(err, &ue) {
			ue = &UsageError{Msg: err.Error()}
		}
		printUsageError(cmd, ue)
		return ExitError
	}
	err = re.err
	report := p.Report
	if report == nil {
		report = func(cmd *cobra.Command, err error) {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", cmd.Root().Name(), err)
		}
	}
	var ue *UsageError
	var rf *refusedError
	switch {
	case errors.As(err, &ue):
		printUsageError(cmd, ue)
		return ExitError
	case errors.As(err, &rf):
		if rf.err != nil {
			report(cmd, rf.err)
		}
		return ExitRefused
	}
	report(cmd, err)
	if p.Refused != nil && p.Refused(err) {
		return ExitRefused
	}
	return ExitError
}

// markRuns wraps every RunE and PreRunE (a command's binding, see Bind)
// of the tree so that Execute can tell the command's own errors from
// cobra's.
func markRuns(c *cobra.Command) {
	if c.Annotations[annotWrapped] == "" {
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations[annotWrapped] = "1"
		c.PreRunE, c.RunE = markRun(c.PreRunE), markRun(c.RunE)
	}
	for _, sub := range c.Commands() {
		markRuns(sub)
	}
}

func markRun(run func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	if run == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := run(cmd, args); err != nil {
			if errors.Is(err, errShowUsage) {
				return err
			}
			return &runError{err}
		}
		return nil
	}
}

func printUsageError(cmd *cobra.Command, ue *UsageError) {
	w := cmd.ErrOrStderr()
	if ue.Msg != "" {
		fmt.Fprintf(w, "%s: %s\n", cmd.CommandPath(), ue.Msg)
	}
	fmt.Fprint(w, cmd.UsageString())
}

// flagError words pflag's errors as the earlier command lines (Go's flag
// package) did, as usage errors.
func flagError(_ *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	var ve *pflag.InvalidValueError
	switch {
	case errors.As(err, &ne):
		if sh := ne.GetSpecifiedShortnames(); sh != "" {
			return Usagef("flag provided but not defined: -%s", sh)
		}
		return Usagef("flag provided but not defined: --%s", ne.GetSpecifiedName())
	case errors.As(err, &ve):
		return Usagef("invalid value %q for flag --%s: %v", ve.GetValue(), ve.GetFlag().Name, errors.Unwrap(ve))
	}
	return Usagef("%v", err)
}

var singleDash = regexp.MustCompile(`^-([a-zA-Z][a-zA-Z0-9-]+)(=.*)?$`)

// normalizeArgs turns the single-dash long flags Go's flag package took
// (-data DIR, -json) into pflag's double-dash form, for the flags the tree
// defines, leaving flag values and everything after "--" as they are.
func normalizeArgs(root *cobra.Command, args []string) []string {
	takesValue := map[string]bool{"help": false, "version": false}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.PersistentFlags(), c.Flags()} {
			fs.VisitAll(func(f *pflag.Flag) { takesValue[f.Name] = f.NoOptDefVal == "" })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name := strings.TrimLeft(a, "-")
		if k := strings.IndexByte(name, '='); k >= 0 {
			name = name[:k]
		}
		if m := singleDash.FindStringSubmatch(a); m != nil {
			if _, ok := takesValue[m[1]]; ok {
				a = "-" + a
			}
		}
		out = append(out, a)
		if strings.HasPrefix(a, "--") && !strings.Contains(a, "=") && takesValue[name] && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// NeedFlags is a bind (see Bind) that fails with a usage error naming
// the first of the flags left empty ("--id is required").
func NeedFlags(names ...string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		for _, n := range names {
			if f := cmd.Flags().Lookup(n); f == nil || f.Value.String() == "" {
				return Usagef("--%s is required", n)
			}
		}
		return nil
	}
}

// Require is a bind (see Bind) that, once the flags are parsed, fails
// with a usage error unless ok() holds.
func Require(ok func() bool, format string, args ...any) func(*cobra.Command, []string) error {
	return func(*cobra.Command, []string) error {
		if !ok() {
			return Usagef(format, args...)
		}
		return nil
	}
}

// List is the JSON object {key: xs}, with [] rather than null when xs is
// empty, so that a reader always finds a list.
func List[T any](key string, xs []T) map[string]any {
	if xs == nil {
		xs = []T{}
	}
	return map[string]any{key: xs}
}
