package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/internal/qrprint"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// The centres, the terminals of their counters and the signing keys.

type centreAddOptions struct {
	*globals
	centre pickup.Centre
}

func newCmdCentreAdd(o *centreAddOptions) *cobra.Command {
	return cmdkit.Command(o, centreAddRun, "add --id ID --name NAME [--address TEXT] [--hours TEXT]", "add a distribution centre",
		cmdkit.Required(&o.centre.ID, "id", "centre id (A-Z a-z 0-9 _ -)"),
		cmdkit.Required(&o.centre.Name, "name", "display name"),
		cmdkit.Flag(&o.centre.Address, "address", "", "address shown in the wrong-centre answer"),
		cmdkit.Flag(&o.centre.Hours, "hours", "", "opening hours"))
}

func centreAddRun(ctx context.Context, o *centreAddOptions) error {
	return act(ctx, o.globals, func(reg *registry.Registry) error { return reg.AddCentre(ctx, o.centre) }, "centre %s added: %s\n", o.centre.ID, o.centre.Name)
}

func newCmdCentreImport(g *globals) *cobra.Command {
	return newArgCmd(g, "import FILE.csv", "add or update centres from a CSV file with columns id,name,address,hours", centreImportRun)
}

func centreImportRun(ctx context.Context, o *argOptions) error {
	return withFile(ctx, o.globals, o.arg, func(reg *registry.Registry, f *os.File) error {
		n, err := reg.ImportCentres(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "%d centre(s) added or updated\n", n)
		return nil
	})
}

func newCmdCentreList(g *globals) *cobra.Command {
	return newShowCmd(g, "list [--json]", "list the centres", (*registry.Registry).Centres,
		func(cs []pickup.Centre) any { return cmdkit.List("centres", cs) },
		table("ID\tNAME\tADDRESS\tHOURS", func(c pickup.Centre) []any { return []any{c.ID, c.Name, c.Address, c.Hours} }))
}

type terminalEnrolOptions struct {
	*globals
	centre  string
	ttl     time.Duration
	url, qr string
}

func newCmdTerminalEnrol(o *terminalEnrolOptions) *cobra.Command {
	return cmdkit.Command(o, terminalEnrolRun, "enrol --centre ID [--url URL [--qr FILE.png]] [--ttl 24h] [--json]",
		"print a one-time, expiring enrolment code for a new terminal of the centre", withJSON,
		cmdkit.Long("Prints a one-time, expiring enrolment code for a new terminal of the centre. With --url (the\n"+
			"registry's address as the counters reach it) it also prints the whole enrolment as one line\n"+
			"of text (enrolment_uri: address, code and TLS pin) that the counter window takes from its\n"+
			"scanner or a paste, and with --qr writes that line as a QR code (PNG, 0600: it enrols a terminal)."),
		cmdkit.Required(&o.centre, "centre", "centre id"),
		cmdkit.Flag(&o.ttl, "ttl", registry.DefaultEnrolmentTTL, "how long the code stays valid"),
		cmdkit.Flag(&o.url, "url", "", "the registry's address as the counters reach it (https://HOST:PORT): adds the one-line enrolment text"),
		cmdkit.Flag(&o.qr, "qr", "", "write the enrolment text as a QR code to this PNG file (needs --url)"))
}

// enrolmentOut is a fresh code and, with --url, its one-line text.
type enrolmentOut struct {
	registry.Enrolment
	URI string
}

func terminalEnrolRun(ctx context.Context, o *terminalEnrolOptions) error {
	if o.qr != "" && o.url == "" {
		return cmdkit.Usagef("--qr needs --url (the registry's address as the counters reach it)")
	}
	get := func(reg *registry.Registry) (enrolmentOut, error) {
		en, err := reg.NewEnrolment(ctx, o.centre, o.ttl)
		if err != nil || o.url == "" {
			return enrolmentOut{Enrolment: en}, err
		}
		u, err := protocol.NewEnrolmentURI(o.url, en.Code)
		if err != nil {
			return enrolmentOut{}, cmdkit.Usagef("--url: %v", err)
		}
		out := enrolmentOut{Enrolment: en, URI: u.String()}
		if o.qr != "" {
			png, err := qrprint.PNG(out.URI, 600)
			if err != nil {
				return out, fmt.Errorf("enrolment QR code: %w", err)
			}
			if err := atomicfile.WriteBytes(o.qr, png, 0o600); err != nil {
				return out, fmt.Errorf("enrolment QR code: %w", err)
			}
		}
		return out, nil
	}
	return show(ctx, o.globals, get,
		func(en enrolmentOut) any {
			m := map[string]any{"enrolment_code": en.Code.String(), "centre_id": en.CentreID, "expires_at": en.ExpiresAt, "tls_pin": en.Code.Pin}
			if en.URI != "" {
				m["enrolment_uri"] = en.URI
			}
			if o.qr != "" {
				m["qr_file"] = o.qr
			}
			return m
		},
		func(w io.Writer, en enrolmentOut) error {
			fmt.Fprintf(w, "%s\n", en.Code)
			fmt.Fprintf(o.stderr, "one-time enrolment code for a terminal of centre %s, valid until %s:\n  pickup enrol --registry URL --code %s\n",
				en.CentreID, en.ExpiresAt.Local().Format("2006-01-02 15:04"), en.Code)
			if en.URI != "" {
				fmt.Fprintf(w, "%s\n", en.URI)
				fmt.Fprintf(o.stderr, "or scan (or paste) this line into the code field of a counter window that is not set up:\n  %s\n", en.URI)
			}
			if o.qr != "" {
				fmt.Fprintf(o.stderr, "QR code of it written to %s (print it or show it on a screen; it works once)\n", o.qr)
			}
			return nil
		})
}

func newCmdTerminalList(g *globals) *cobra.Command {
	return newShowCmd(g, "list [--json]", "list the enrolled terminals", (*registry.Registry).Terminals,
		func(ts []registry.Terminal) any { return map[string]any{"terminals": ts} },
		table("ID\tCENTRE\tHOST\tENROLLED\tLAST SEEN\tPENDING\tSTATE", func(t registry.Terminal) []any {
			seen, state, pending := "-", "active", "-"
			if t.Pending != nil {
				pending = fmt.Sprint(*t.Pending)
			}
			if t.LastSeen != nil {
				seen = t.LastSeen.Local().Format("2006-01-02 15:04")
			}
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Local().Format("2006-01-02 15:04")
			}
			return []any{t.ID, t.CentreID, t.Hostname, t.EnrolledAt.Local().Format("2006-01-02 15:04"), seen, pending, state}
		}))
}

func newCmdTerminalRevoke(g *globals) *cobra.Command {
	return newArgCmd(g, "revoke ID", "revoke a terminal: its credentials are refused from now on", terminalRevokeRun)
}

func terminalRevokeRun(ctx context.Context, o *argOptions) error {
	return act(ctx, o.globals, func(reg *registry.Registry) error { return reg.RevokeTerminal(ctx, o.arg) }, "terminal %s revoked\n", o.arg)
}

func newCmdKeysRotate(g *globals) *cobra.Command {
	return newShowCmd(g, "rotate [--json]", "make a new signing key current (earlier keys stay valid)", (*registry.Registry).RotateKey,
		func(id string) any { return map[string]string{"key_id": id} },
		func(w io.Writer, id string) error {
			_, err := fmt.Fprintf(w, "new signing key %s is current; earlier keys stay valid\n", id)
			return err
		})
}

func newCmdKeysList(g *globals) *cobra.Command {
	return newShowCmd(g, "list [--json]", "list the signing keys", (*registry.Registry).Keys,
		func(keys []protocol.SigningKey) any { return map[string]any{"keys": keys} },
		func(w io.Writer, keys []protocol.SigningKey) error {
			for _, k := range keys {
				cur := ""
				if k.Current {
					cur = " (current)"
				}
				fmt.Fprintf(w, "%s  created %s%s\n", k.KeyID, k.CreatedAt.Local().Format("2006-01-02 15:04"), cur)
			}
			return nil
		})
}
