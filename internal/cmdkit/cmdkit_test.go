package cmdkit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

var errNotFound = errors.New("not found")

// tree is a small program: "tool greet [--loud] NAME", "tool fail",
// "tool box open ID", with --data and --json on every command.
type tree struct {
	data   string
	loud   bool
	jsonOn bool
	ran    []string
}

func newTree(t *tree, out, errw *bytes.Buffer) *cobra.Command {
	root := NewRoot(Spec{Name: "tool", Short: "a tool", Long: "tool — a test program.\nExit codes: 0, 1, 2.", Stdout: out, Stderr: errw})
	root.PersistentFlags().StringVar(&t.data, "data", "", "data folder")
	root.PersistentFlags().BoolVar(&t.jsonOn, "json", false, "JSON")
	greet := &cobra.Command{Use: "greet [--loud] NAME", Short: "say hello", Args: OneArg("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t.ran = append(t.ran, "greet "+args[0]+" data="+t.data)
			if t.jsonOn {
				return PrintJSON(cmd.OutOrStdout(), map[string]any{"hello": args[0], "html": "<&>"})
			}
			return nil
		}}
	greet.Flags().BoolVar(&t.loud, "loud", false, "shout")
	fail := &cobra.Command{Use: "fail KIND", Short: "fail in a given way", Args: ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch args[0] {
			case "usage":
				return Usagef("bad %s", "thing")
			case "refused":
				return Refused(errors.New("no, because"))
			case "verdict":
				return Refused(nil)
			case "notfound":
				return errNotFound
			}
			return errors.New("disk on fire")
		}}
	open := &cobra.Command{Use: "open ID", Short: "open a box", Args: ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { t.ran = append(t.ran, "open "+args[0]); return nil }}
	root.AddCommand(greet, fail, Group("box", "boxes", open))
	return root
}

func execute(t *testing.T, args ...string) (int, string, string, *tree) {
	t.Helper()
	var out, errw bytes.Buffer
	tr := &tree{}
	code := Execute(context.Background(), newTree(tr, &out, &errw), args, Policy{Refused: func(err error) bool { return errors.Is(err, errNotFound) }})
	return code, out.String(), errw.String(), tr
}

func TestExecute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    string // contained in stdout
		stderr    string // contained in stderr
		ran       string
		notStdout string
	}{
		{"root help lists nested commands", []string{"--help"}, 0, "box open ID", "", "", ""},
		{"root help keeps the long text", []string{"help"}, 0, "Exit codes", "", "", ""},
		{"command help lists its flags", []string{"greet", "--help"}, 0, "--loud", "", "", ""},
		{"group help", []string{"box", "-h"}, 0, "box open ID", "", "", ""},
		{"no command: usage, exit 2", nil, 2, "", "Usage:", "", "Usage:"},
		{"group alone: usage, exit 2", []string{"box"}, 2, "", "box open ID", "", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", "unknown command \"frobnicate\"", "", ""},
		{"unknown subcommand", []string{"box", "shut"}, 2, "", "unknown command \"shut\"", "", ""},
		{"unknown flag: exit 2 with usage", []string{"greet", "--nope", "Ann"}, 2, "", "flag provided but not defined: --nope", "", ""},
		{"unknown flag shows the command's usage", []string{"greet", "--nope", "Ann"}, 2, "", "tool greet [--loud] NAME", "", ""},
		{"missing argument", []string{"greet"}, 2, "", "missing NAME", "", ""},
		{"too many arguments", []string{"greet", "a", "b"}, 2, "", "one NAME at a time", "", ""},
		{"exact args", []string{"box", "open"}, 2, "", "want 1 argument(s), got 0", "", ""},
		{"data before the command", []string{"--data", "D", "greet", "Ann"}, 0, "", "", "greet Ann data=D", ""},
		{"data after the command", []string{"greet", "Ann", "--data", "D"}, 0, "", "", "greet Ann data=D", ""},
		{"data=value", []string{"greet", "--data=D", "Ann"}, 0, "", "", "greet Ann data=D", ""},
		{"single-dash long flag", []string{"-data", "D", "greet", "Ann"}, 0, "", "", "greet Ann data=D", ""},
		{"a flag's value is left alone", []string{"greet", "--data", "-json", "Ann"}, 0, "", "", "greet Ann data=-json", ""},
		{"after -- nothing is a flag", []string{"greet", "--", "-loud"}, 0, "", "", "greet -loud data=", ""},
		{"json printer", []string{"--json", "greet", "Ann"}, 0, `"html": "<&>"`, "", "", ""},
		{"usage error from a run", []string{"fail", "usage"}, 2, "", "tool fail: bad thing", "", ""},
		{"refusal", []string{"fail", "refused"}, 1, "", "tool: no, because", "", ""},
		{"refusal already shown", []string{"fail", "verdict"}, 1, "", "", "", ""},
		{"refusal by policy", []string{"fail", "notfound"}, 1, "", "tool: not found", "", ""},
		{"system error", []string{"fail", "fire"}, 2, "", "tool: disk on fire", "", ""},
		{"version", []string{"--version"}, 0, "tool ", "", "", ""},
		{"completion", []string{"completion", "bash"}, 0, "bash completion", "", "", ""},
	}
	for _, tt := range tests {
		code, out, errs, tr := execute(t, tt.args...)
		ran := strings.Join(tr.ran, ";")
		if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errs, tt.stderr) || (tt.ran != "" && ran != tt.ran) ||
			(tt.notStdout != "" && strings.Contains(out, tt.notStdout)) {
			t.Errorf("%s: tool %q = exit %d, ran %q\nstdout: %s\nstderr: %s\nwant exit %d, stdout with %q, stderr with %q, ran %q",
				tt.name, tt.args, code, ran, out, errs, tt.code, tt.stdout, tt.stderr, tt.ran)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errs, _ := execute(t, "completion", shell)
		if code != 0 || len(out) < 500 || !strings.Contains(out, "tool") {
			t.Errorf("completion %s = exit %d, %d bytes; stderr %s", shell, code, len(out), errs)
		}
	}
	// Dynamic completion lists the commands.
	code, out, _, _ := execute(t, "__complete", "")
	if code != 0 || !strings.Contains(out, "greet") || !strings.Contains(out, "box") {
		t.Errorf("__complete = %d %q", code, out)
	}
}

func TestWriteDocs(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"man", "markdown"} {
		dir := filepath.Join(t.TempDir(), "pages")
		code, out, errs, _ := execute(t, "docs", "--out", dir, "--format", format)
		if code != 0 {
			t.Fatalf("docs --format %s = %d %s %s", format, code, out, errs)
		}
		want := map[string]string{"man": "tool-box-open.1", "markdown": "tool_box_open.md"}[format]
		b, err := os.ReadFile(filepath.Join(dir, want))
		if err != nil || !bytes.Contains(b, []byte("open a box")) {
			t.Errorf("docs --format %s: %s = %q, %v", format, want, b, err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), "docs") {
				t.Errorf("the hidden docs command has a page: %s", e.Name())
			}
		}
	}
	if code, _, errs, _ := execute(t, "docs", "--out", t.TempDir(), "--format", "pdf"); code != 2 || !strings.Contains(errs, "want man or markdown") {
		t.Errorf("docs --format pdf = %d %s", code, errs)
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text  string
		width int
		want  string
	}{
		{"say hello", 80, "    say hello\n"},
		{"one two three four", 13, "    one two\n    three\n    four\n"},
		{"a verylongwordthatdoesnotfit b", 10, "    a\n    verylongwordthatdoesnotfit\n    b\n"},
		{"", 80, "    \n"},
	}
	for _, tt := range tests {
		if got := wrap(tt.text, "    ", tt.width); got != tt.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

// opts is what a command built by Command binds to.
type opts struct {
	name  string
	n     int
	big   int64
	on    bool
	wait  time.Duration
	kind  kind
	steps []string
}

type kind string

// TestCommand: Command's flags of every type (and of a string type of
// its own) bind with their defaults,
// Arg binds the argument, binds run in order before the body, a refusal
// from a bind is one, and ParseWith parses without running the body.
func TestCommand(t *testing.T) {
	t.Parallel()
	build := func(o *opts, ran *bool) *cobra.Command {
		return Command(o, func(context.Context, *opts) error { *ran = true; return nil }, "greet NAME", "say hello",
			Arg(&o.name, "NAME"),
			Flag(&o.n, "n", 3, "times"), Flag(&o.big, "big", 7, "big"), Flag(&o.on, "on", false, "on"), Flag(&o.wait, "wait", time.Second, "wait"),
			Text(&o.kind, "kind", "plain", "kind"),
			Bind(func(*cobra.Command, []string) error { o.steps = append(o.steps, "first"); return nil }),
			Bind(func(*cobra.Command, []string) error {
				o.steps = append(o.steps, "second")
				if o.name == "nobody" {
					return Refused(errors.New("no one to greet"))
				}
				return nil
			}))
	}
	tests := []struct {
		args []string
		code int
		want opts
	}{
		{[]string{"greet", "Ann"}, 0, opts{name: "Ann", n: 3, big: 7, wait: time.Second, kind: "plain", steps: []string{"first", "second"}}},
		{[]string{"greet", "--n", "5", "--big=9", "--on", "--wait", "2m", "--kind", "fancy", "Bob"}, 0, opts{name: "Bob", n: 5, big: 9, on: true, wait: 2 * time.Minute, kind: "fancy", steps: []string{"first", "second"}}},
		{[]string{"greet", "nobody"}, 1, opts{name: "nobody", n: 3, big: 7, wait: time.Second, kind: "plain", steps: []string{"first", "second"}}},
		{[]string{"greet"}, 2, opts{n: 3, big: 7, wait: time.Second, kind: "plain"}},
		{[]string{"greet", "--n", "x", "Ann"}, 2, opts{n: 0, big: 7, wait: time.Second, kind: "plain"}}, // pflag zeroes what it could not parse
	}
	for _, tt := range tests {
		var o opts
		var ran bool
		var out, errw bytes.Buffer
		root := NewRoot(Spec{Name: "tool", Stdout: &out, Stderr: &errw})
		root.AddCommand(build(&o, &ran))
		code := Execute(context.Background(), root, tt.args, Policy{})
		if code != tt.code || ran != (code == 0) || !reflect.DeepEqual(o, tt.want) {
			t.Errorf("tool %q = exit %d, ran %v, options %+v; want exit %d, options %+v\n%s", tt.args, code, ran, o, tt.code, tt.want, errw.String())
		}
		var p opts
		ran = false
		if code := ParseWith(NewRoot(Spec{Name: "tool", Stdout: &out, Stderr: &errw}), build(&p, &ran), tt.args); code != tt.code || ran || !reflect.DeepEqual(p, tt.want) {
			t.Errorf("ParseWith %q = exit %d, ran %v, options %+v; want exit %d without running, options %+v", tt.args, code, ran, p, tt.code, tt.want)
		}
	}
}

// TestRequired: a Required flag left out (or empty) is a usage error
// naming it; given, it binds.
func TestRequired(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"send"}, 2, ""},
		{[]string{"send", "--to="}, 2, ""},
		{[]string{"send", "--to", "Ann"}, 0, "Ann"},
	} {
		var to string
		var out, errw bytes.Buffer
		root := NewRoot(Spec{Name: "tool", Stdout: &out, Stderr: &errw})
		root.AddCommand(Command(&to, func(context.Context, *string) error { return nil }, "send --to NAME", "send", Required(&to, "to", "whom to")))
		code := Execute(context.Background(), root, tt.args, Policy{})
		if code != tt.code || to != tt.want || (code == 2 && !strings.Contains(errw.String(), "--to is required")) {
			t.Errorf("tool %q = exit %d, to %q; want exit %d, to %q\n%s", tt.args, code, to, tt.code, tt.want, errw.String())
		}
	}
}
