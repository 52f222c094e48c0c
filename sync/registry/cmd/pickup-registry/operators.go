package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// The operators of the web console (/console/ of serve).

type operatorAddOptions struct {
	*globals
	name string
}

func newCmdOperatorAdd(o *operatorAddOptions) *cobra.Command {
	return cmdkit.Command(o, operatorAddRun, "add --name NAME",
		"add an operator of the web console; the password is read from standard input (its first line, 12 characters or more)",
		cmdkit.Required(&o.name, "name", "operator name (A-Z a-z 0-9 . _ -)"))
}

// readPassword reads the first line of r (without its line ending).
func readPassword(r io.Reader) (string, error) {
	pw, _, err := readLine(r)
	if err != nil {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	if pw == "" {
		return "", cmdkit.Usagef("no password on standard input: pipe it in, e.g. printf '%%s\\n' \"$PASSWORD\" | pickup-registry operator add --name NAME")
	}
	return pw, nil
}

func operatorAddRun(ctx context.Context, o *operatorAddOptions) error {
	pw, err := readPassword(o.stdin)
	if err != nil {
		return err
	}
	return act(ctx, o.globals, func(reg *registry.Registry) error { return reg.AddOperator(ctx, o.name, pw) },
		"operator %s added: they sign in at /console/ of pickup-registry serve\n", o.name)
}

func newCmdOperatorList(g *globals) *cobra.Command {
	return newShowCmd(g, "list [--json]", "list the operators of the web console, their open sessions and lockouts", (*registry.Registry).Operators,
		func(ops []registry.Operator) any { return cmdkit.List("operators", ops) },
		func(w io.Writer, ops []registry.Operator) error {
			if len(ops) == 0 {
				fmt.Fprintln(w, "no operator yet: add one with pickup-registry operator add --name NAME")
				return nil
			}
			return table("NAME\tCREATED\tSESSIONS\tLOCKED UNTIL", func(op registry.Operator) []any {
				locked := "-"
				if op.LockedUntil != nil {
					locked = op.LockedUntil.Local().Format("2006-01-02 15:04")
				}
				return []any{op.Name, op.CreatedAt.Local().Format("2006-01-02 15:04"), op.Sessions, locked}
			})(w, ops)
		})
}

func newCmdOperatorRemove(g *globals) *cobra.Command {
	return newArgCmd(g, "remove NAME", "remove an operator of the web console (their sessions end at once)", operatorRemoveRun)
}

func operatorRemoveRun(ctx context.Context, o *argOptions) error {
	return act(ctx, o.globals, func(reg *registry.Registry) error { return reg.RemoveOperator(ctx, o.arg) }, "operator %s removed\n", o.arg)
}
