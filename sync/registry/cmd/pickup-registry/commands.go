package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
)

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type opts struct {
	data, id, name, address, hours string
	campaign, centre, qrDir, out   string
	item, size, ref, listen        string
	tlsCert, tlsKey, logLevel      string
	phase, lang, contact           string
	from, to, state                string
	json, devTLS, dryRun, csv      bool
	qty, centres, requests         int
	after                          int64
	ttl                            time.Duration
}

type command struct {
	path     string // e.g. "centre add"
	synopsis string
	doc      string
	jsonOut  bool
	nargs    int // exact number of positional arguments; -1 any
	flags    func(fs *flag.FlagSet, o *opts)
	check    func(o *opts) error
	run      func(ctx context.Context, e *env, o *opts, args []string) error
}

var commands []*command

func init() {
	commands = []*command{
		{path: "serve", synopsis: "--listen ADDR [--tls-cert F --tls-key F | --dev-tls]", nargs: 0,
			doc: "serve the sync protocol (/v1/) to the terminals until interrupted; plain HTTP only on a loopback address",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.listen, "listen", "127.0.0.1:8443", "address to listen on, host:port")
				fs.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate file (PEM)")
				fs.StringVar(&o.tlsKey, "tls-key", "", "TLS private key file (PEM)")
				fs.BoolVar(&o.devTLS, "dev-tls", false, "use a self-signed certificate kept in DATA/dev-tls (enrolment codes pin it)")
				fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
			},
			check: func(o *opts) error {
				if (o.tlsCert == "") != (o.tlsKey == "") {
					return usagef("--tls-cert and --tls-key go together")
				}
				if o.devTLS && o.tlsCert != "" {
					return usagef("--dev-tls or --tls-cert/--tls-key, not both")
				}
				return nil
			},
			run: runServe},
		{path: "centre add", synopsis: "--id ID --name NAME [--address TEXT] [--hours TEXT]", nargs: 0,
			doc: "add a distribution centre",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.id, "id", "", "centre id (A-Z a-z 0-9 _ -)")
				fs.StringVar(&o.name, "name", "", "display name")
				fs.StringVar(&o.address, "address", "", "address shown in the wrong-centre answer")
				fs.StringVar(&o.hours, "hours", "", "opening hours")
			},
			check: need("id", "name"), run: runCentreAdd},
		{path: "centre import", synopsis: "FILE.csv", nargs: 1,
			doc: "add or update centres from a CSV file with columns id,name,address,hours",
			run: runCentreImport},
		{path: "centre list", synopsis: "[--json]", nargs: 0, jsonOut: true, doc: "list the centres", run: runCentreList},
		{path: "campaign import", synopsis: "[--json] FILE.json", nargs: 1, jsonOut: true,
			doc: "add a campaign (phases with request and pickup dates, parcel kinds, professions) or update one imported before; every problem of the file is listed with its line and nothing is stored unless the whole file is valid (exit 1)",
			run: runCampaignImport},
		{path: "campaign list", synopsis: "[--json]", nargs: 0, jsonOut: true,
			doc: "list the campaigns with their phases, where each stands today, and their requests", run: runCampaignList},
		{path: "campaign show", synopsis: "[--json] ID", nargs: 1, jsonOut: true,
			doc: "one campaign: phases, professions, parcel contents and figures (--json: the full definition)", run: runCampaignShow},
		{path: "request import", synopsis: "--campaign ID [--phase ID] [--lang L] [--dry-run] FILE.csv", nargs: 1, jsonOut: true,
			doc: "import validated requests (professional_id,name,profession,centre_id[,lang]) and issue codes; every problem is listed with its line and nothing is imported unless the whole file is valid (exit 1)",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.campaign, "campaign", pickup.DefaultCampaignID, "campaign id")
				fs.StringVar(&o.phase, "phase", "", "the phase the file is for (every profession must belong to it; default: each profession's own)")
				fs.StringVar(&o.lang, "lang", "en", "letter language of rows without a lang column: fr, nl, de or en")
				fs.BoolVar(&o.dryRun, "dry-run", false, "check the file, import nothing")
			},
			run: runRequestImport},
		{path: "codes", synopsis: "--centre ID [--qr-dir DIR] [--out FILE]", nargs: 0,
			doc: "write a centre's pickups as CSV in the terminal's import format (with status), and QR images",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.centre, "centre", "", "centre id")
				fs.StringVar(&o.qrDir, "qr-dir", "", "also write one QR PNG per code (signed payload) into DIR")
				fs.StringVar(&o.out, "out", "", "write the CSV to FILE instead of standard output")
			},
			check: need("centre"), run: runCodes},
		{path: "letters", synopsis: "[--centre ID] [--campaign ID] [--contact TEXT] --out DIR|FILE.pdf [--json]", nargs: 0, jsonOut: true,
			doc: "the professionals' letters (code as text and QR, centre, hours, dates, parcel), one page each in the request's language, for the pickups still expected: FILE.pdf gets them all for printing, DIR one PDF each for e-mail and index.csv",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.centre, "centre", "", "only this centre's professionals")
				fs.StringVar(&o.campaign, "campaign", "", "only this campaign")
				fs.StringVar(&o.contact, "contact", "", "e-mail or phone printed under \"if you cannot come\"")
				fs.StringVar(&o.out, "out", "", "FILE.pdf (one merged PDF) or a folder (one PDF per professional)")
			},
			check: func(o *opts) error {
				if o.out == "" {
					return usagef("--out is required: a FILE.pdf or a folder")
				}
				return nil
			},
			run: runLetters},
		{path: "codes revoke", synopsis: "CODE", nargs: 1,
			doc: "cancel a pickup and revoke its code (terminals refuse its signed QR too)", run: runCodesRevoke},
		{path: "codes cancel", synopsis: "CODE", nargs: 1, doc: "cancel a pickup (request withdrawn)", run: runCodesCancel},
		{path: "codes move", synopsis: "--centre ID CODE", nargs: 1, doc: "reassign a pickup to another centre",
			flags: func(fs *flag.FlagSet, o *opts) { fs.StringVar(&o.centre, "centre", "", "the new centre id") },
			check: need("centre"), run: runCodesMove},
		{path: "terminal enrol", synopsis: "--centre ID [--ttl 24h] [--json]", nargs: 0, jsonOut: true,
			doc: "print a one-time, expiring enrolment code for a new terminal of the centre",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.centre, "centre", "", "centre id")
				fs.DurationVar(&o.ttl, "ttl", registry.DefaultEnrolmentTTL, "how long the code stays valid")
			},
			check: need("centre"), run: runTerminalEnrol},
		{path: "terminal list", synopsis: "[--json]", nargs: 0, jsonOut: true, doc: "list the enrolled terminals", run: runTerminalList},
		{path: "terminal revoke", synopsis: "ID", nargs: 1, doc: "revoke a terminal: its credentials are refused from now on", run: runTerminalRevoke},
		{path: "ship", synopsis: "--centre ID --item ITEM [--size S] --qty N [--ref R]", nargs: 0, jsonOut: true,
			doc: "record a shipment of stock to a centre",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.centre, "centre", "", "centre id")
				fs.StringVar(&o.item, "item", "", "item id: gloves, masks, gowns, glasses, ffp2_masks")
				fs.StringVar(&o.size, "size", "", "size, for sized items (gloves: S, M, L, XL)")
				fs.IntVar(&o.qty, "qty", 0, "units shipped")
				fs.StringVar(&o.ref, "ref", "", "delivery reference")
			},
			check: need("centre", "item"), run: runShip},
		{path: "report", synopsis: "[--from DATE] [--to DATE] [--csv | --json]", nargs: 0, jsonOut: true,
			doc: "per centre: expected, collected, double handovers, shipped vs handed over per item; per day of the period (default: from the first handover to today) the handovers, and the double handovers with both sides; --csv: the days, then the double handovers",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.from, "from", "", "first day, YYYY-MM-DD (default: the day of the first handover)")
				fs.StringVar(&o.to, "to", "", "last day, YYYY-MM-DD (default: today)")
				fs.BoolVar(&o.csv, "csv", false, "print CSV: one row per day and centre, then one per double handover")
			},
			check: func(o *opts) error {
				if o.csv && o.json {
					return usagef("--csv or --json, not both")
				}
				return nil
			},
			run: runReport},
		{path: "shipments", synopsis: "[--centre ID] [--state in_transit|received|discrepancy] [--json]", nargs: 0, jsonOut: true,
			doc: "list the shipments, newest first: in transit, received, or received otherwise than sent (discrepancy), with their receptions",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.centre, "centre", "", "only this centre's shipments")
				fs.StringVar(&o.state, "state", "", "only shipments in this state")
			},
			run: runShipments},
		{path: "demo", synopsis: "--centres K --requests N", nargs: 0, jsonOut: true,
			doc: "fill the registry with realistic synthetic centres, requests around today and shipments",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.IntVar(&o.centres, "centres", 3, "number of centres")
				fs.IntVar(&o.requests, "requests", 200, "number of requests")
			},
			run: runDemo},
		{path: "bundle import", synopsis: "FILE", nargs: 1, jsonOut: true,
			doc: "take a terminal's facts bundle (from pickup bundle export)", run: runBundleImport},
		{path: "bundle export", synopsis: "--centre ID [--after N] FILE", nargs: 1, jsonOut: true,
			doc: "write a centre's pull as a signed bundle for pickup bundle import",
			flags: func(fs *flag.FlagSet, o *opts) {
				fs.StringVar(&o.centre, "centre", "", "centre id")
				fs.Int64Var(&o.after, "after", 0, "the terminal's cursor (0: everything)")
			},
			check: need("centre"), run: runBundleExport},
		{path: "keys rotate", synopsis: "[--json]", nargs: 0, jsonOut: true,
			doc: "make a new signing key current (earlier keys stay valid)", run: runKeysRotate},
		{path: "keys list", synopsis: "[--json]", nargs: 0, jsonOut: true, doc: "list the signing keys", run: runKeysList},
	}
}

// findCommand matches the longest command path at the start of args.
func findCommand(args []string) (*command, []string) {
	if len(args) >= 2 {
		for _, c := range commands {
			if c.path == args[0]+" "+args[1] {
				return c, args[2:]
			}
		}
	}
	for _, c := range commands {
		if c.path == args[0] {
			return c, args[1:]
		}
	}
	return nil, nil
}

func groupOf(word string) []*command {
	var out []*command
	for _, c := range commands {
		if strings.HasPrefix(c.path, word+" ") {
			out = append(out, c)
		}
	}
	return out
}

func need(names ...string) func(o *opts) error {
	return func(o *opts) error {
		for _, n := range names {
			v := map[string]string{"id": o.id, "name": o.name, "centre": o.centre, "item": o.item}[n]
			if v == "" {
				return usagef("--%s is required", n)
			}
		}
		return nil
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `pickup-registry — the reference central registry of Pickup

Usage: pickup-registry COMMAND [--data DIR] [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n      %s\n", c.path, c.synopsis, c.doc)
	}
	fmt.Fprintf(w, `
Every command takes --data DIR (default %s) and works while serve runs on the
same folder. Flags come before arguments. "pickup-registry COMMAND --help" describes a command.
Exit codes: 0 done, 1 refused or not found, 2 usage or system error.
`, registry.DefaultDir())
}

func commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: pickup-registry %s %s\n\n%s\n\nFlags:\n", c.path, c.synopsis, c.doc)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func open(ctx context.Context, e *env, o *opts, level slog.Level) (*registry.Registry, error) {
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	return registry.Open(ctx, o.data, registry.Options{Log: log})
}

// withRegistry opens the registry quietly (warnings only), runs fn, closes.
func withRegistry(ctx context.Context, e *env, o *opts, fn func(reg *registry.Registry) error) error {
	reg, err := open(ctx, e, o, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer reg.Close()
	return fn(reg)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, usagef("--listen %q: want host:port", addr)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

func runServe(ctx context.Context, e *env, o *opts, _ []string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", o.logLevel)
	}
	loop, err := isLoopback(o.listen)
	if err != nil {
		return err
	}
	tlsOn := o.devTLS || o.tlsCert != ""
	if !tlsOn && !loop {
		return usagef("refusing plain HTTP on %s: it is not a loopback address; use --tls-cert/--tls-key or --dev-tls, or listen on 127.0.0.1", o.listen)
	}
	reg, err := open(ctx, e, o, level)
	if err != nil {
		return err
	}
	defer reg.Close()
	srv := registry.NewServer(reg, reg.Log)
	pin := ""
	switch {
	case o.devTLS:
		host, _, _ := net.SplitHostPort(o.listen)
		srv.TLS, pin, err = registry.DevTLS(reg.Dir(), host)
	case o.tlsCert != "":
		srv.TLS, pin, err = registry.LoadTLS(o.tlsCert, o.tlsKey)
	}
	if err != nil {
		return err
	}
	if err := reg.SetTLSPin(ctx, pin); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	scheme := "http"
	if tlsOn {
		scheme = "https"
	}
	ds, _ := reg.DatasetID(ctx)
	fmt.Fprintf(e.stdout, "pickup-registry: serving %s://%s (dataset %s", scheme, ln.Addr(), ds)
	if pin != "" {
		fmt.Fprintf(e.stdout, ", TLS pin %s", pin)
	}
	fmt.Fprintln(e.stdout, ")")
	if f, ok := e.stdout.(*os.File); ok {
		f.Sync()
	}
	reg.Log.Info("serving", "addr", ln.Addr().String(), "tls", tlsOn, "data", reg.Dir())
	err = srv.Serve(ctx, ln)
	reg.Log.Info("stopped")
	return err
}

func runCentreAdd(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		c := pickup.Centre{ID: o.id, Name: o.name, Address: o.address, Hours: o.hours}
		if err := reg.AddCentre(ctx, c); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "centre %s added: %s\n", c.ID, c.Name)
		return nil
	})
}

func openFile(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", registry.ErrNotFound, err)
	}
	return f, nil
}

func runCentreImport(ctx context.Context, e *env, o *opts, args []string) error {
	f, err := openFile(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		n, err := reg.ImportCentres(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d centre(s) added or updated\n", n)
		return nil
	})
}

func runCentreList(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		cs, err := reg.Centres(ctx)
		if err != nil {
			return err
		}
		if o.json {
			if cs == nil {
				cs = []pickup.Centre{}
			}
			return printJSON(e.stdout, map[string]any{"centres": cs})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tADDRESS\tHOURS")
		for _, c := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Name, c.Address, c.Hours)
		}
		return tw.Flush()
	})
}

func runCampaignImport(ctx context.Context, e *env, o *opts, args []string) error {
	f, err := openFile(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		res, err := reg.ImportCampaign(ctx, f)
		var pe *registry.ProblemsError
		if err != nil && !errors.As(err, &pe) {
			return err
		}
		if o.json {
			if err := printJSON(e.stdout, res); err != nil {
				return err
			}
		} else {
			for _, p := range res.Problems {
				fmt.Fprintf(e.stdout, "  %s\n", p)
			}
		}
		switch {
		case pe != nil:
			return fmt.Errorf("%w: campaign file %s: %d problem(s), nothing stored", registry.ErrRefused, args[0], len(res.Problems))
		case o.json:
		case res.Created:
			fmt.Fprintf(e.stdout, "campaign %s added; terminals receive it at their next sync\n", res.Campaign)
		case res.Unchanged:
			fmt.Fprintf(e.stdout, "campaign %s unchanged\n", res.Campaign)
		default:
			fmt.Fprintf(e.stdout, "campaign %s updated: %d pickup(s) moved to their phase's new dates; terminals receive it at their next sync\n", res.Campaign, res.Moved)
		}
		return nil
	})
}

func runCampaignList(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		cs, err := reg.Campaigns(ctx)
		if err != nil {
			return err
		}
		if o.json {
			sums := make([]registry.CampaignSummary, len(cs))
			for i, c := range cs {
				sums[i] = c.CampaignSummary
			}
			return printJSON(e.stdout, map[string]any{"campaigns": sums})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CAMPAIGN\tPHASE\tREQUESTS OPEN\tPICKUP\tTODAY\tREQUESTS\tCOLLECTED\tNAME")
		for _, c := range cs {
			name := c.Names.In("en")
			if c.Builtin {
				name += " (built-in example)"
			}
			for i, ph := range c.Phases {
				id := c.ID
				if i > 0 {
					id, name = "", ""
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s – %s\t%s\t%d\t%d\t%s\n", id, ph.ID, ph.RequestsOpen, ph.Pickup.Start, ph.Pickup.End,
					strings.ReplaceAll(string(ph.State), "_", " "), ph.Requests, ph.Collected, name)
			}
		}
		return tw.Flush()
	})
}

func runCampaignShow(ctx context.Context, e *env, o *opts, args []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		c, err := reg.CampaignInfo(ctx, args[0])
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, c)
		}
		d := c.Definition
		fmt.Fprintf(e.stdout, "campaign %s: %s\n", c.ID, c.Names.In("en"))
		if c.Builtin {
			fmt.Fprintln(e.stdout, "  built-in example (cannot be replaced)")
		} else if c.ImportedAt != nil {
			fmt.Fprintf(e.stdout, "  imported %s\n", c.ImportedAt.Local().Format("2006-01-02 15:04"))
		}
		fmt.Fprintf(e.stdout, "  requests %d: expected %d, collected %d, cancelled %d\n", c.Requests, c.Expected, c.Collected, c.Cancelled)
		fmt.Fprintln(e.stdout, "phases:")
		for _, ph := range c.Phases {
			fmt.Fprintf(e.stdout, "  %s: requests from %s, pickup %s to %s (%s); %d request(s), %d collected; professions: %s\n",
				ph.ID, ph.RequestsOpen, ph.Pickup.Start, ph.Pickup.End, strings.ReplaceAll(string(ph.State), "_", " "),
				ph.Requests, ph.Collected, strings.Join(ph.Professions, ", "))
		}
		fmt.Fprintln(e.stdout, "parcel kinds:")
		for _, k := range d.ParcelKinds {
			var lines []string
			for _, l := range k.Contents {
				it, _ := d.Item(l.Item)
				q := fmt.Sprint(l.Qty)
				if l.PerDay {
					q = "per day ×" + fmt.Sprint(d.PeriodDays)
				}
				lines = append(lines, q+" "+it.Names.In("en"))
			}
			fmt.Fprintf(e.stdout, "  %s (%s): %s\n", k.ID, k.Names.In("en"), strings.Join(lines, ", "))
		}
		fmt.Fprintln(e.stdout, "professions:")
		for _, p := range d.Professions {
			fmt.Fprintf(e.stdout, "  %s (%s): %s, phase %s\n", p.ID, p.Names.In("en"), p.ParcelKind, p.Phase)
		}
		return nil
	})
}

func runRequestImport(ctx context.Context, e *env, o *opts, args []string) error {
	f, err := openFile(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		res, err := reg.ImportRequestFile(ctx, registry.RequestImport{Campaign: o.campaign, Phase: o.phase, Lang: o.lang, DryRun: o.dryRun}, f)
		var pe *registry.ProblemsError
		if err != nil && !errors.As(err, &pe) {
			return err
		}
		if o.json {
			if err := printJSON(e.stdout, res); err != nil {
				return err
			}
		} else {
			printRequestImport(e.stdout, res)
		}
		if pe != nil {
			return fmt.Errorf("%w: request file %s: %d problem(s), nothing imported", registry.ErrRefused, args[0], len(res.Problems))
		}
		return nil
	})
}

func printRequestImport(w io.Writer, res registry.ImportResult) {
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if res.Truncated {
		fmt.Fprintf(w, "  … more problems not listed (the first %d are)\n", registry.MaxRequestProblems)
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	switch {
	case len(res.Problems) > 0:
		fmt.Fprintf(w, "%d row(s) read, %d problem(s): nothing imported into campaign %s; fix the file and import it again\n", res.Rows, len(res.Problems), res.Campaign)
	case res.DryRun:
		fmt.Fprintf(w, "%d request(s) checked for campaign %s: the file is valid (dry run, nothing imported)\n", res.Rows, res.Campaign)
	default:
		fmt.Fprintf(w, "%d request(s) imported into campaign %s, a code issued for each\n", res.Imported, res.Campaign)
	}
}

// createAtomic writes a file whole or not at all (see registry.WriteWhole).
func createAtomic(name string, fn func(w io.Writer) error) error {
	return registry.WriteWhole(name, fn)
}

func runCodes(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		write := func(w io.Writer) error {
			n, err := reg.WriteCodes(ctx, o.centre, w, o.qrDir)
			if err == nil && (o.out != "" || o.qrDir != "") {
				fmt.Fprintf(e.stderr, "%d code(s) of centre %s written\n", n, o.centre)
			}
			return err
		}
		if o.out != "" {
			return createAtomic(o.out, write)
		}
		return write(e.stdout)
	})
}

func parseCodeArg(s string) (pickup.Code, error) {
	c, err := pickup.ParseCode(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", registry.ErrRefused, err)
	}
	return c, nil
}

func runLetters(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		res, err := reg.WriteLetters(ctx, registry.LetterOptions{CentreID: o.centre, CampaignID: o.campaign, Contact: o.contact}, o.out)
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, res)
		}
		where := o.out + " (one PDF per professional, and index.csv)"
		if len(res.Files) == 1 && strings.HasSuffix(strings.ToLower(o.out), ".pdf") {
			where = o.out + " (one page per professional)"
		}
		fmt.Fprintf(e.stdout, "%d letter(s) written to %s\n", res.Letters, where)
		if o.contact == "" && res.Letters > 0 {
			fmt.Fprintln(e.stderr, "hint: --contact \"e-mail or phone\" prints whom to call when a professional cannot come")
		}
		return nil
	})
}

func runCodesRevoke(ctx context.Context, e *env, o *opts, args []string) error {
	c, err := parseCodeArg(args[0])
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		if err := reg.RevokeCode(ctx, c); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "code %s cancelled and revoked\n", c.Masked())
		return nil
	})
}

func runCodesCancel(ctx context.Context, e *env, o *opts, args []string) error {
	c, err := parseCodeArg(args[0])
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		if err := reg.CancelCode(ctx, c); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "code %s cancelled\n", c.Masked())
		return nil
	})
}

func runCodesMove(ctx context.Context, e *env, o *opts, args []string) error {
	c, err := parseCodeArg(args[0])
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		if err := reg.MoveCode(ctx, c, o.centre); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "code %s moved to centre %s\n", c.Masked(), o.centre)
		return nil
	})
}

func runTerminalEnrol(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		en, err := reg.NewEnrolment(ctx, o.centre, o.ttl)
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, map[string]any{"enrolment_code": en.Code.String(), "centre_id": en.CentreID,
				"expires_at": en.ExpiresAt, "tls_pin": en.Code.Pin})
		}
		fmt.Fprintf(e.stdout, "%s\n", en.Code)
		fmt.Fprintf(e.stderr, "one-time enrolment code for a terminal of centre %s, valid until %s:\n  pickup enrol --registry URL --code %s\n",
			en.CentreID, en.ExpiresAt.Local().Format("2006-01-02 15:04"), en.Code)
		return nil
	})
}

func runTerminalList(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		ts, err := reg.Terminals(ctx)
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, map[string]any{"terminals": ts})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCENTRE\tHOST\tENROLLED\tLAST SEEN\tSTATE")
		for _, t := range ts {
			seen, state := "-", "active"
			if t.LastSeen != nil {
				seen = t.LastSeen.Local().Format("2006-01-02 15:04")
			}
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.CentreID, t.Hostname, t.EnrolledAt.Local().Format("2006-01-02 15:04"), seen, state)
		}
		return tw.Flush()
	})
}

func runTerminalRevoke(ctx context.Context, e *env, o *opts, args []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		if err := reg.RevokeTerminal(ctx, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "terminal %s revoked\n", args[0])
		return nil
	})
}

func runShip(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		s, err := reg.Ship(ctx, protocol.Shipment{CentreID: o.centre, Item: o.item, Size: o.size, Qty: o.qty, Ref: o.ref})
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, s)
		}
		what := s.Item
		if s.Size != "" {
			what += " " + s.Size
		}
		fmt.Fprintf(e.stdout, "shipment %s recorded: %d × %s to centre %s\n", s.ID, s.Qty, what, s.CentreID)
		return nil
	})
}

func parseDay(flagName, s string) (pickup.Date, error) {
	if s == "" {
		return pickup.Date{}, nil
	}
	d, err := pickup.ParseDate(s)
	if err != nil {
		return d, usagef("--%s %q: want a date YYYY-MM-DD", flagName, s)
	}
	return d, nil
}

func runReport(ctx context.Context, e *env, o *opts, _ []string) error {
	from, err := parseDay("from", o.from)
	if err != nil {
		return err
	}
	to, err := parseDay("to", o.to)
	if err != nil {
		return err
	}
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		rep, err := reg.Report(ctx, from, to)
		if err != nil {
			return err
		}
		switch {
		case o.json:
			return printJSON(e.stdout, rep)
		case o.csv:
			return writeReportCSV(e.stdout, rep)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CENTRE\tEXPECTED\tCOLLECTED\tDOUBLE\tCANCELLED\tTERMINALS\t")
		for _, c := range append(rep.Centres, rep.Totals) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", c.ID, c.Expected, c.Collected, c.DoubleHandovers, c.Cancelled, c.Terminals)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout)
		tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CENTRE\tITEM\tSIZE\tSHIPPED\tRECEIVED\tHANDED OVER\t")
		for _, c := range rep.Centres {
			for _, it := range c.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t\n", c.ID, it.Item, it.Size, it.Shipped, it.Received, it.HandedOver)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nfrom %s to %s: %d handover(s), %d code(s) collected for the first time, %d double handover(s), %d undone\n",
			rep.From, rep.To, rep.Period.Handovers, rep.Period.Collected, rep.Period.DoubleHandovers, rep.Period.Undone)
		tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "DAY\tHANDOVERS\tCOLLECTED\tDOUBLE\tUNDONE\t")
		for _, d := range rep.Days {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", d.Day, d.Handovers, d.Collected, d.DoubleHandovers, d.Undone)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(rep.Doubles) > 0 {
			fmt.Fprintf(e.stdout, "\ndouble handovers (%d code(s)):\n", len(rep.Doubles))
		}
		for _, d := range rep.Doubles {
			fmt.Fprintf(e.stdout, "  %s  %s (%s), pickup of centre %s:\n", d.Code, d.Name, d.Profession, d.CentreID)
			for _, h := range d.Handovers {
				size := ""
				if h.GloveSize != "" {
					size = ", gloves " + h.GloveSize
				}
				fmt.Fprintf(e.stdout, "    %s at centre %s by terminal %s%s\n", h.At.Local().Format("2006-01-02 15:04"), h.CentreID, h.TerminalID, size)
			}
		}
		return nil
	})
}

// writeReportCSV writes the days (one row per day and centre, and a
// "total" row per day), a blank line, then one row per handover of a
// double handover.
func writeReportCSV(w io.Writer, rep *registry.Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"day", "centre_id", "handovers", "collected", "double_handovers", "undone"})
	row := func(centre string, d registry.DayFigures) {
		cw.Write([]string{d.Day.String(), centre, fmt.Sprint(d.Handovers), fmt.Sprint(d.Collected), fmt.Sprint(d.DoubleHandovers), fmt.Sprint(d.Undone)})
	}
	for i, d := range rep.Days {
		for _, c := range rep.Centres {
			row(c.ID, c.Days[i])
		}
		row("total", d)
	}
	cw.Write(nil)
	cw.Write([]string{"code", "name", "profession", "pickup_centre_id", "handover", "at", "centre_id", "terminal_id", "glove_size", "event_id"})
	for _, d := range rep.Doubles {
		for i, h := range d.Handovers {
			cw.Write([]string{d.Code.String(), d.Name, d.Profession, d.CentreID, fmt.Sprint(i + 1), h.At.Format(time.RFC3339),
				h.CentreID, h.TerminalID, h.GloveSize, h.EventID})
		}
	}
	cw.Flush()
	return cw.Error()
}

func runShipments(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		ss, err := reg.Shipments(ctx, registry.ShipmentFilter{CentreID: o.centre, State: registry.ShipmentState(o.state)})
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, map[string]any{"shipments": ss})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SHIPMENT\tCENTRE\tITEM\tQTY\tSENT\tSTATE\tRECEIVED\tREF")
		for _, s := range ss {
			state := strings.ReplaceAll(string(s.State), "_", " ")
			switch s.State {
			case registry.ShipmentInTransit:
				state += fmt.Sprintf(" (%d day(s))", s.Days)
			case registry.ShipmentDiscrepancy:
				state += ": " + strings.Join(s.Discrepancies, "; ")
			}
			what := s.Item
			if s.Size != "" {
				what += " " + s.Size
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", s.ID, s.CentreID, what, s.Qty, s.SentAt.Local().Format("2006-01-02 15:04"), state, s.Received, s.Ref)
		}
		return tw.Flush()
	})
}

func runDemo(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		s, err := reg.Demo(ctx, o.centres, o.requests)
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, s)
		}
		kinds := make([]string, 0, len(s.ByKind))
		for k, n := range s.ByKind {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		fmt.Fprintf(e.stdout, "demo data in %s:\n", reg.Dir())
		fmt.Fprintf(e.stdout, "  %d centre(s): %s\n", len(s.Centres), strings.Join(s.Centres, ", "))
		fmt.Fprintf(e.stdout, "  %d request(s) of campaign %s: %s\n", s.Requests, pickup.DefaultCampaignID, strings.Join(kinds, ", "))
		fmt.Fprintf(e.stdout, "  pickup windows: %d open today, %d opening in a few days, %d closed; %d cancelled\n",
			s.OpenNow, s.NotYet, s.Closed, s.Cancelled)
		fmt.Fprintf(e.stdout, "  %d shipment(s) of gloves, masks, gowns and glasses\n", s.Shipments)
		if len(s.Centres) > 0 {
			fmt.Fprintf(e.stdout, "next: pickup-registry codes --centre %s; pickup-registry terminal enrol --centre %s\n", s.Centres[0], s.Centres[0])
		}
		return nil
	})
}

func runBundleImport(ctx context.Context, e *env, o *opts, args []string) error {
	f, err := openFile(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		res, err := reg.ImportBundle(ctx, f)
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, res)
		}
		again := ""
		if res.Again {
			again = " (imported before: nothing new)"
		}
		fmt.Fprintf(e.stdout, "bundle of terminal %s (centre %s): %d event(s): %d accepted, %d already known, %d double handover(s)%s\n",
			res.TerminalID, res.CentreID, res.Events, res.Accepted, res.Duplicate, res.Conflict, again)
		for _, c := range res.Conflicts {
			for _, x := range c.Earlier {
				fmt.Fprintf(e.stdout, "  double handover of %s: already handed over at %s by terminal %s on %s\n",
					c.Code, x.CentreID, x.TerminalID, x.At.Local().Format("2006-01-02 15:04"))
			}
		}
		return nil
	})
}

func runBundleExport(ctx context.Context, e *env, o *opts, args []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		var res registry.BundleExport
		err := createAtomic(args[0], func(w io.Writer) error {
			var err error
			res, err = reg.ExportBundle(ctx, o.centre, o.after, w)
			return err
		})
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, res)
		}
		fmt.Fprintf(e.stdout, "bundle for centre %s written to %s: %d row(s) in %d page(s), cursor %d → %d\n",
			res.CentreID, args[0], res.Rows, res.Pages, res.After, res.Cursor)
		return nil
	})
}

func runKeysRotate(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		id, err := reg.RotateKey(ctx)
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, map[string]string{"key_id": id})
		}
		fmt.Fprintf(e.stdout, "new signing key %s is current; earlier keys stay valid\n", id)
		return nil
	})
}

func runKeysList(ctx context.Context, e *env, o *opts, _ []string) error {
	return withRegistry(ctx, e, o, func(reg *registry.Registry) error {
		keys, err := reg.Keys(ctx)
		if err != nil {
			return err
		}
		if o.json {
			return printJSON(e.stdout, map[string]any{"keys": keys})
		}
		for _, k := range keys {
			cur := ""
			if k.Current {
				cur = " (current)"
			}
			fmt.Fprintf(e.stdout, "%s  created %s%s\n", k.KeyID, k.CreatedAt.Local().Format("2006-01-02 15:04"), cur)
		}
		return nil
	})
}
