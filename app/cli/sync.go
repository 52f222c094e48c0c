package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

type enrolOptions struct {
	*ctx
	registry, code string
}

func newCmdEnrol(o *enrolOptions) *cobra.Command {
	return cmdkit.Command(o, withStore(runEnrol), "enrol --registry URL --code CODE | --code PICKUP-ENROL-…",
		"enrol this terminal with a registry (once per terminal; a code ending in @pin pins the registry's TLS certificate; the one-line enrolment text carries the address too)",
		cmdkit.Bind(cmdkit.Require(func() bool { return o.code != "" && (o.registry != "" || protocol.LooksLikeEnrolmentURI(o.code)) }, "--registry and --code are required (or --code with the one-line PICKUP-ENROL-… text)")),
		cmdkit.Flag(&o.registry, "registry", "", "the registry's address, e.g. https://registry.example:8443 (required)"),
		cmdkit.Flag(&o.code, "code", "", "the enrolment code 'pickup-registry terminal enrol' printed (required)"))
}

func runEnrol(ctx context.Context, c *enrolOptions, s *store.Store) error {
	if protocol.LooksLikeEnrolmentURI(c.code) {
		u, err := protocol.ParseEnrolmentURI(c.code)
		if err != nil {
			return usagef("--code: %v", err)
		}
		if c.registry != "" && strings.TrimRight(c.registry, "/") != u.URL {
			return usagef("--registry %s differs from the address in the enrolment text (%s): give one of them", c.registry, u.URL)
		}
		c.registry, c.code = u.URL, u.Code.String()
	}
	id, err := client.Enrol(ctx, s, c.registry, c.code)
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return refused(err)
		}
		return err
	}
	return c.result(map[string]any{"terminal_id": id.TerminalID, "centre": id.Centre, "registry": c.registry},
		"✔ Enrolled as terminal %s for centre %s (%s).\nNext: pickup sync\n", id.TerminalID, id.Centre.ID, id.Centre.Name)
}

type syncOptions struct {
	*ctx
	check bool
}

func newCmdSync(o *syncOptions) *cobra.Command {
	return cmdkit.Command(o, withStore(runSync), "sync [--check]", "one sync round: push what is pending, pull to the head; exit 0 only when both are done",
		cmdkit.Flag(&o.check, "check", false, "compare digests with the registry now and repair any drift (done hourly otherwise)"))
}

func runSync(ctx context.Context, c *syncOptions, s *store.Store) error {
	if _, err := s.SyncConfig(ctx); err != nil {
		return err
	}
	y := &client.Syncer{Store: s, Log: slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if c.check {
		y.DriftEvery = -1
	}
	rep, err := y.Round(ctx)
	st, serr := s.Status(ctx)
	if serr == nil {
		rep.Pending = st.PendingUpload
	}
	if c.json {
		m := map[string]any{"ok": err == nil, "report": rep, "pending_upload": rep.Pending, "conflicts": st.Conflicts}
		if err != nil {
			m["error"] = err.Error()
		}
		c.printJSON(m)
	} else {
		c.printf("Pushed %d facts (%d accepted, %d already there, %d double handovers).\n", rep.Pushed, rep.Accepted, rep.Duplicate, rep.Conflicts)
		c.printf("Pulled %d pages: %d pickups, %d handovers%s; cursor %d.\n", rep.Pages, rep.Pulled, rep.Redeemed, map[bool]string{true: " (full resync: the registry was reset)"}[rep.Reset], rep.Cursor)
		if rep.NewDoubles > 0 || st.Conflicts > 0 {
			c.printf("Double handovers known: %d codes (pickup conflicts lists them).\n", st.Conflicts)
		}
		if len(rep.Repaired) > 0 {
			c.printf("Drift repaired in %d buckets.\n", len(rep.Repaired))
		}
		if abs(rep.ClockSkew) > client.SkewWarning {
			c.printf("⚠ This computer's clock is %s off the registry's: set the date and time.\n", abs(rep.ClockSkew).Round(time.Second))
		}
		c.printf("Waiting to upload: %d.\n", rep.Pending)
		if note := versionNote(c.ctx, rep.RecommendedVersion); note != "" {
			c.printf("%s\n", note)
		}
	}
	if err != nil {
		if errors.Is(err, store.ErrNotEnrolled) {
			return err
		}
		if c.json {
			return refused(nil)
		}
		return refused(syncHint(c.tr, err))
	}
	if rep.Pending > 0 {
		return refused(fmt.Errorf("%d facts recorded during the sync are still waiting", rep.Pending))
	}
	return nil
}

// versionNote says which counter version the registry recommends when
// this build is older ("" otherwise): "Version 0.2.0 is recommended (this
// is 0.1.0)". Nothing installs by itself.
func versionNote(c *ctx, recommended string) string {
	if !buildinfo.Behind(recommended) {
		return ""
	}
	this, _ := buildinfo.Info()
	return c.tr.T("ui.status.update", "version", recommended, "this", this)
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func newCmdBundleExport(c *ctx) *cobra.Command {
	return argCmd(c, "export FILE", "write the facts waiting to upload to FILE (a USB stick) for pickup-registry bundle import", "FILE", withStore(runBundleExport))
}

func runBundleExport(ctx context.Context, c *argOptions, s *store.Store) error {
	path := c.arg
	n, err := client.ExportBundle(ctx, s, path)
	if err != nil {
		return err
	}
	return c.result(map[string]any{"file": path, "facts": n},
		"✔ Wrote %d pending facts to %s.\nTake it to the registry: pickup-registry bundle import %s\n", n, path, filepath.Base(path))
}

func newCmdBundleImport(c *ctx) *cobra.Command {
	return argCmd(c, "import FILE", "apply the registry's signed bundle (pickup-registry bundle export); a tampered one or one for another centre is refused", "FILE", withStore(runBundleImport))
}

func runBundleImport(ctx context.Context, c *argOptions, s *store.Store) error {
	path := c.arg
	res, err := client.ImportBundle(ctx, s, path)
	if errors.Is(err, client.ErrBundleRefused) {
		return refused(err)
	}
	if err != nil {
		return err
	}
	return c.result(map[string]any{"file": path, "pages": res.Pages, "skipped": res.Skipped, "pickups": res.Pickups},
		"✔ Applied %d pages (%d pickups) from %s; %d pages were already here.\n", res.Pages, res.Pickups, path, res.Skipped)
}

// syncHint says what a failed round means for the technician (the one
// explanation the window shows too), with the commands that help, keeping
// the cause for the log.
func syncHint(tr *i18n.Catalog, err error) error {
	f := client.Explain(err)
	what := f.Text(tr)
	if f.Kind == client.FailureEnrolAgain {
		what += "\n  next: 'pickup-registry terminal enrol' on the registry, then 'pickup enrol --registry URL --code CODE' here"
	}
	return fmt.Errorf("sync incomplete: %s\n  (%v)", what, err)
}
