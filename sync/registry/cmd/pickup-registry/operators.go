package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
		cmdkit.Bind(cmdkit.NeedFlags("name")), cmdkit.Flag(&o.name, "name", "", "operator name (A-Z a-z 0-9 . _ -)"))
}

// readPassword reads the first line of r (without its line ending).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
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
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		if err := reg.AddOperator(ctx, o.name, pw); err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "operator %s added: they sign in at /console/ of pickup-registry serve\n", o.name)
		return nil
	})
}

func newCmdOperatorList(g *globals) *cobra.Command {
	return newListCmd(g, "list [--json]", "list the operators of the web console, their open sessions and lockouts", operatorListRun)
}

func operatorListRun(ctx context.Context, g *globals) error {
	return show(ctx, g, func(reg *registry.Registry) ([]registry.Operator, error) { return reg.Operators(ctx) },
		func(ops []registry.Operator) any { return cmdkit.List("operators", ops) },
		func(w io.Writer, ops []registry.Operator) error {
			if len(ops) == 0 {
				fmt.Fprintln(w, "no operator yet: add one with pickup-registry operator add --name NAME")
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCREATED\tSESSIONS\tLOCKED UNTIL")
			for _, op := range ops {
				locked := "-"
				if op.LockedUntil != nil {
					locked = op.LockedUntil.Local().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", op.Name, op.CreatedAt.Local().Format("2006-01-02 15:04"), op.Sessions, locked)
			}
			return tw.Flush()
		})
}

func newCmdOperatorRemove(g *globals) *cobra.Command {
	return newArgCmd(g, "remove NAME", "remove an operator of the web console (their sessions end at once)", operatorRemoveRun)
}

func operatorRemoveRun(ctx context.Context, o *argOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		if err := reg.RemoveOperator(ctx, o.arg); err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "operator %s removed\n", o.arg)
		return nil
	})
}
