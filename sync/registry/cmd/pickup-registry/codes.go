package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type codesOptions struct {
	*globals
	centre, qrDir, out string
}

func newCmdCodes(g *globals, runF func(context.Context, *codesOptions) error) *cobra.Command {
	o := &codesOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "codes --centre ID [--qr-dir DIR] [--out FILE]",
		Short: "write a centre's pickups as CSV in the terminal's import format (with status), and QR images",
		Args:  cmdkit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdkit.RequireFlags(cmd, "centre"); err != nil {
				return err
			}
			return cmdkit.Pick(runF, codesRun)(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.centre, "centre", "", "centre id")
	f.StringVar(&o.qrDir, "qr-dir", "", "also write one QR PNG per code (signed payload) into DIR")
	f.StringVar(&o.out, "out", "", "write the CSV to FILE instead of standard output")
	cmd.MarkFlagDirname("qr-dir")
	return cmd
}

func codesRun(ctx context.Context, o *codesOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		write := func(w io.Writer) error {
			n, err := reg.WriteCodes(ctx, o.centre, w, o.qrDir)
			if err == nil && (o.out != "" || o.qrDir != "") {
				fmt.Fprintf(o.stderr, "%d code(s) of centre %s written\n", n, o.centre)
			}
			return err
		}
		if o.out != "" {
			return atomicfile.WriteFile(o.out, 0o600, write)
		}
		return write(o.stdout)
	})
}

// codeOptions are those of a command on one pickup code.
type codeOptions struct {
	*globals
	code   pickup.Code
	centre string // codes move
}

// newCodeCmd builds a command whose one argument is a pickup code.
func newCodeCmd(g *globals, use, short string, runF, run func(context.Context, *codeOptions) error) (*cobra.Command, *codeOptions) {
	o := &codeOptions{globals: g}
	return &cobra.Command{Use: use, Short: short, Args: cmdkit.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if cmd.Flags().Lookup("centre") != nil {
				if err := cmdkit.RequireFlags(cmd, "centre"); err != nil {
					return err
				}
			}
			if o.code, err = parseCodeArg(args[0]); err != nil {
				return err
			}
			return cmdkit.Pick(runF, run)(cmd.Context(), o)
		}}, o
}

func newCmdCodesRevoke(g *globals, runF func(context.Context, *codeOptions) error) *cobra.Command {
	cmd, _ := newCodeCmd(g, "revoke CODE", "cancel a pickup and revoke its code (terminals refuse its signed QR too)", runF,
		codeAction((*registry.Registry).RevokeCode, "code %s cancelled and revoked\n"))
	return cmd
}

func newCmdCodesCancel(g *globals, runF func(context.Context, *codeOptions) error) *cobra.Command {
	cmd, _ := newCodeCmd(g, "cancel CODE", "cancel a pickup (request withdrawn)", runF,
		codeAction((*registry.Registry).CancelCode, "code %s cancelled\n"))
	return cmd
}

// codeAction runs one registry call on the code and says it is done.
func codeAction(act func(*registry.Registry, context.Context, pickup.Code) error, done string) func(context.Context, *codeOptions) error {
	return func(ctx context.Context, o *codeOptions) error {
		return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
			if err := act(reg, ctx, o.code); err != nil {
				return err
			}
			fmt.Fprintf(o.stdout, done, o.code.Masked())
			return nil
		})
	}
}

func newCmdCodesMove(g *globals, runF func(context.Context, *codeOptions) error) *cobra.Command {
	cmd, o := newCodeCmd(g, "move --centre ID CODE", "reassign a pickup to another centre", runF, codesMoveRun)
	cmd.Flags().StringVar(&o.centre, "centre", "", "the new centre id")
	return cmd
}

func codesMoveRun(ctx context.Context, o *codeOptions) error {
	return withRegistry(ctx, o.globals, func(reg *registry.Registry) error {
		if err := reg.MoveCode(ctx, o.code, o.centre); err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "code %s moved to centre %s\n", o.code.Masked(), o.centre)
		return nil
	})
}
