package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/report"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
)

type reportOptions struct {
	*ctx
	from, to string
	format   string
	out      string
	lang     string
}

func newCmdReport(o *reportOptions) *cobra.Command {
	return cmdkit.Command(o, withSetUpStore(runReport), "report [--from DATE] [--to DATE] --format xlsx|pdf|csv --out FILE [--lang L]",
		"the centre's report for the regional office: handovers per hour, kind, profession and glove size; stock balance; shipments; conflicts",
		cmdkit.Bind(o.check),
		cmdkit.Flag(&o.from, "from", "", "first day, YYYY-MM-DD (default: today at the centre)"),
		cmdkit.Flag(&o.to, "to", "", "last day, YYYY-MM-DD (default: the first day)"),
		cmdkit.Flag(&o.format, "format", "", "xlsx, pdf or csv (default: the --out file's extension)"),
		cmdkit.Flag(&o.out, "out", "", "the file to write"),
		cmdkit.Flag(&o.lang, "lang", "", "fr, nl, de or en (default: the counter's language)"),
		cmdkit.Complete("format", report.Formats...), cmdkit.Complete("lang", i18n.Languages...))
}

func (o *reportOptions) check(*cobra.Command, []string) error {
	if o.out == "" {
		return usagef("--out FILE is required (e.g. --out report.xlsx)")
	}
	if o.format == "" {
		o.format = report.FormatOf(o.out)
	}
	o.format = strings.ToLower(o.format)
	if !slices.Contains(report.Formats, o.format) {
		return usagef("--format %q: want %s", o.format, strings.Join(report.Formats, ", "))
	}
	for _, d := range []struct{ flag, v string }{{"--from", o.from}, {"--to", o.to}} {
		if _, err := pickup.ParseDate(d.v); d.v != "" && err != nil {
			return usagef("%s %q: want a date as YYYY-MM-DD", d.flag, d.v)
		}
	}
	if o.lang != "" && !slices.Contains(i18n.Languages, o.lang) {
		return usagef("--lang %q: want %s", o.lang, strings.Join(i18n.Languages, ", "))
	}
	return nil
}

// reportDays returns the days a report covers: from and to as given
// (YYYY-MM-DD, either empty), today by default, to defaulting to from.
func reportDays(today pickup.Date, from, to string) (pickup.Date, pickup.Date, error) {
	f, t := today, pickup.Date{}
	var err error
	if from != "" {
		if f, err = pickup.ParseDate(from); err != nil {
			return f, t, fmt.Errorf("from: %w", err)
		}
	}
	t = f
	if to != "" {
		if t, err = pickup.ParseDate(to); err != nil {
			return f, t, fmt.Errorf("to: %w", err)
		}
	}
	return f, t, nil
}

func runReport(ctx context.Context, o *reportOptions, s *store.Store) error {
	from, to, err := reportDays(s.Today(), o.from, o.to)
	if err != nil {
		return err
	}
	rep, err := s.Report(ctx, from, to)
	if err != nil {
		return err
	}
	remembered, _ := s.Lang(ctx)
	lang := i18n.Choose(o.lang, remembered, envLang(o.Getenv))
	if err := report.WriteFile(o.out, o.format, rep, report.Options{Lang: lang, Loc: s.Loc, Campaign: o.labels(ctx, s).camp}); err != nil {
		return err
	}
	return o.result(map[string]any{"file": o.out, "format": o.format, "lang": lang, "report": rep},
		"Report of %s to %s written to %s (%s, %s): %d handovers, %d undone, %d conflicts.\n",
		from, to, o.out, o.format, lang, rep.Handovers, rep.Undone, rep.ConflictCodes)
}
