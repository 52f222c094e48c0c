package cmdkit

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// An Opt completes a command Command builds: a flag, the arguments it
// takes and how they bind, its long help, its subcommands.
type Opt func(*cobra.Command)

// Command builds a command on its options o (a pointer to a struct the
// flags and arguments bind to): use and short are what --help shows, run
// is its body. It takes no positional argument unless an Args or Arg opt
// says otherwise. A test of the parsing replaces the body (ParseWith).
func Command[O any](o O, run func(context.Context, O) error, use, short string, opts ...Opt) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return run(c.Context(), o) }}
	Opts(opts...)(cmd)
	return cmd
}

// Opts is several opts as one (the flags that commands share).
func Opts(opts ...Opt) Opt {
	return func(c *cobra.Command) {
		for _, opt := range opts {
			opt(c)
		}
	}
}

// Flag adds the flag --name, bound to p, with value as its default.
func Flag[T string | bool | int | int64 | time.Duration](p *T, name string, value T, usage string) Opt {
	return func(c *cobra.Command) {
		f := c.Flags()
		switch p := any(p).(type) {
		case *string:
			f.StringVar(p, name, any(value).(string), usage)
		case *bool:
			f.BoolVar(p, name, any(value).(bool), usage)
		case *int:
			f.IntVar(p, name, any(value).(int), usage)
		case *int64:
			f.Int64Var(p, name, any(value).(int64), usage)
		case *time.Duration:
			f.DurationVar(p, name, any(value).(time.Duration), usage)
		}
	}
}

// Text adds the flag --name of a string type of its own (a state, a
// kind), bound to p; its value is taken as given.
func Text[T ~string](p *T, name string, value T, usage string) Opt {
	*p = value
	return Var(text[T]{p}, name, usage)
}

// text is a pflag.Value of a string type.
type text[T ~string] struct{ p *T }

func (v text[T]) String() string     { return string(*v.p) }
func (v text[T]) Set(s string) error { *v.p = T(s); return nil }
func (text[T]) Type() string         { return "string" }

// Var adds the flag --name, held by v (a value of its own type: a date).
func Var(v pflag.Value, name, usage string) Opt {
	return func(c *cobra.Command) { c.Flags().Var(v, name, usage) }
}

// Required adds the string flag --name, bound to p, that must be given:
// left empty, it is a usage error ("--name is required", see NeedFlags).
func Required(p *string, name, usage string) Opt {
	return Opts(Flag(p, name, "", usage), Bind(NeedFlags(name)))
}

// Bind adds a step that runs once the flags are parsed and before the
// body: it binds the positional arguments and checks the flags (a usage
// error from Usagef exits 2 with the command's usage). Binds run in the
// order given.
func Bind(bind func(cmd *cobra.Command, args []string) error) Opt {
	return func(c *cobra.Command) {
		before := c.PreRunE
		c.PreRunE = func(cmd *cobra.Command, args []string) error {
			if before != nil {
				if err := before(cmd, args); err != nil {
					return err
				}
			}
			return bind(cmd, args)
		}
	}
}

// Arg makes the command take one positional argument, named what in the
// messages (OneArg), bound to p.
func Arg(p *string, what string) Opt {
	return Opts(Args(OneArg(what)), Bind(func(_ *cobra.Command, args []string) error { *p = args[0]; return nil }))
}

// Args sets how the positional arguments are checked.
func Args(check cobra.PositionalArgs) Opt { return func(c *cobra.Command) { c.Args = check } }

// Long sets the text --help shows above the usage.
func Long(text string) Opt { return func(c *cobra.Command) { c.Long = text } }

// Complete registers fixed completions for a flag's value.
func Complete(flag string, values ...string) Opt {
	return func(c *cobra.Command) {
		c.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
}

// Exclusive makes the flags exclusive of each other.
func Exclusive(flags ...string) Opt {
	return func(c *cobra.Command) { c.MarkFlagsMutuallyExclusive(flags...) }
}

// Dirname makes a flag's value complete to folders.
func Dirname(flag string) Opt { return func(c *cobra.Command) { c.MarkFlagDirname(flag) } }

// Sub adds subcommands.
func Sub(subs ...*cobra.Command) Opt { return func(c *cobra.Command) { c.AddCommand(subs...) } }

// ParseWith runs args on root with cmd in place of root's command of the
// same name and every body replaced by nothing: the flags and arguments
// bind (binds run) and the exit code says whether the line parsed. It is
// for the tests of a program's command line.
func ParseWith(root, cmd *cobra.Command, args []string) int {
	for _, sub := range root.Commands() {
		if sub.Name() == cmd.Name() {
			root.RemoveCommand(sub)
		}
	}
	root.AddCommand(cmd)
	var quiet func(*cobra.Command)
	quiet = func(c *cobra.Command) {
		if c.RunE != nil && c.Annotations[annotBare] == "" {
			c.RunE = func(*cobra.Command, []string) error { return nil }
		}
		for _, sub := range c.Commands() {
			quiet(sub)
		}
	}
	quiet(root)
	return Execute(context.Background(), root, args, Policy{})
}
