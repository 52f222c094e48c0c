package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

func init() {
	register(
		&command{name: "enrol", summary: "enrol this terminal with a registry (once per terminal)",
			flags: func(fs *flag.FlagSet, c *ctx) {
				c.strFlag(fs, "registry", "", "the registry's address, e.g. https://registry.example:8443 (required)")
				c.strFlag(fs, "code", "", "the enrolment code 'pickup-registry terminal enrol' printed (required)")
			}, run: runEnrol},
		&command{name: "sync", summary: "one sync round: push what is pending, pull to the head; exit 0 only when both are done",
			flags: func(fs *flag.FlagSet, c *ctx) {
				c.vals["check"] = fs.Bool("check", false, "compare digests with the registry now and repair any drift (done hourly otherwise)")
			}, run: runSync},
		&command{name: "bundle", args: "export|import FILE", summary: "move sync data by USB stick: 'bundle export FILE' writes pending facts, 'bundle import FILE' applies the registry's bundle", run: runBundle},
	)
}

func runEnrol(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if c.str("registry") == "" || c.str("code") == "" {
		return usagef("--registry and --code are required")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := client.Enrol(ctx, s, c.str("registry"), c.str("code"))
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return refused(err)
		}
		return err
	}
	if c.json {
		c.printJSON(map[string]any{"terminal_id": id.TerminalID, "centre": id.Centre, "registry": c.str("registry")})
		return nil
	}
	c.printf("✔ Enrolled as terminal %s for centre %s (%s).\nNext: pickup sync\n", id.TerminalID, id.Centre.ID, id.Centre.Name)
	return nil
}

func runSync(ctx context.Context, c *ctx, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.SyncConfig(ctx); err != nil {
		return err
	}
	y := &client.Syncer{Store: s, Log: slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if *c.vals["check"].(*bool) {
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
	}
	if err != nil {
		if errors.Is(err, store.ErrNotEnrolled) {
			return err
		}
		if c.json {
			return refused(nil)
		}
		return refused(syncHint(err))
	}
	if rep.Pending > 0 {
		return refused(fmt.Errorf("%d facts recorded during the sync are still waiting", rep.Pending))
	}
	return nil
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func runBundle(ctx context.Context, c *ctx, args []string) error {
	if len(args) != 2 || (args[0] != "export" && args[0] != "import") {
		return usagef("want 'bundle export FILE' or 'bundle import FILE'")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	cfg, err := s.SyncConfig(ctx)
	if err != nil {
		return err
	}
	if args[0] == "export" {
		return bundleExport(ctx, c, s, cfg, args[1])
	}
	return bundleImport(ctx, c, s, cfg, args[1])
}

func bundleExport(ctx context.Context, c *ctx, s *store.Store, cfg store.SyncConfig, path string) error {
	evs, err := s.Outbox(ctx, -1)
	if err != nil {
		return err
	}
	// Write next to the target and rename, so a pulled-out stick never
	// holds half a bundle under the final name.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pickup-bundle-*")
	if err != nil {
		return fmt.Errorf("bundle export: %w", err)
	}
	defer os.Remove(tmp.Name())
	bw, err := protocol.NewBundleWriter(tmp, protocol.BundleHeader{Format: protocol.BundleFormat, Kind: protocol.BundleFacts,
		ID: uuid.NewString(), DatasetID: cfg.DatasetID, CentreID: cfg.Creds.CentreID, TerminalID: cfg.Creds.TerminalID,
		CreatedAt: c.Now().UTC()})
	if err != nil {
		tmp.Close()
		return fmt.Errorf("bundle export: %w", err)
	}
	for i := 0; i < len(evs); i += protocol.DefaultPushBatch {
		if err := bw.Push(&protocol.PushRequest{Events: evs[i:min(i+protocol.DefaultPushBatch, len(evs))]}); err != nil {
			tmp.Close()
			return fmt.Errorf("bundle export: %w", err)
		}
	}
	if err := bw.Close(protocol.HMACSigner(cfg.Creds.TerminalID, cfg.Creds.Secret)); err != nil {
		tmp.Close()
		return fmt.Errorf("bundle export: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("bundle export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("bundle export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("bundle export: %w", err)
	}
	if c.json {
		c.printJSON(map[string]any{"file": path, "facts": len(evs)})
		return nil
	}
	c.printf("✔ Wrote %d pending facts to %s.\nTake it to the registry: pickup-registry bundle import %s\n", len(evs), path, filepath.Base(path))
	return nil
}

func bundleImport(ctx context.Context, c *ctx, s *store.Store, cfg store.SyncConfig, path string) error {
	open := func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("bundle import: %w", err)
		}
		return f, nil
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		return err
	}
	verify := protocol.Ed25519Verifier(keys)
	checkHeader := func(h protocol.BundleHeader) error {
		switch {
		case h.Kind != protocol.BundlePull:
			return fmt.Errorf("this is a %s bundle (from a terminal): it goes to the registry, not to a terminal", h.Kind)
		case h.CentreID != cfg.Creds.CentreID:
			return fmt.Errorf("this bundle is meant for centre %s, and this terminal serves %s", h.CentreID, cfg.Creds.CentreID)
		}
		return nil
	}
	// First pass: check everything, apply nothing.
	f, err := open()
	if err != nil {
		return err
	}
	_, err = protocol.ReadBundle(f, verify, func(r protocol.BundleRecord) error {
		if r.Header != nil {
			return checkHeader(*r.Header)
		}
		return nil
	})
	f.Close()
	if err != nil {
		return refused(fmt.Errorf("bundle %s refused, nothing applied: %w", path, err))
	}
	f, err = open()
	if err != nil {
		return err
	}
	defer f.Close()
	pages, skipped, pickups := 0, 0, 0
	_, err = protocol.ReadBundle(f, verify, func(r protocol.BundleRecord) error {
		if r.Page == nil {
			return nil
		}
		out, applied, err := s.ApplyBundlePage(ctx, r.Page)
		if err != nil {
			return err
		}
		if applied {
			pages++
			pickups += out.Pickups
		} else {
			skipped++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bundle import %s: %w (pages before this one are applied; importing again is safe)", path, err)
	}
	if c.json {
		c.printJSON(map[string]any{"file": path, "pages": pages, "skipped": skipped, "pickups": pickups})
		return nil
	}
	c.printf("✔ Applied %d pages (%d pickups) from %s; %d pages were already here.\n", pages, pickups, path, skipped)
	return nil
}

// syncHint says what a failed round means for the technician, keeping the
// cause for the log.
func syncHint(err error) error {
	var pe *protocol.Error
	var what string
	switch {
	case errors.As(err, &pe) && (pe.Code == protocol.CodeTerminalRevoked || pe.Code == protocol.CodeUnauthenticated || pe.Code == protocol.CodeBadSignature):
		what = "the registry no longer accepts this terminal: ask for a new enrolment code ('pickup-registry terminal enrol') and run 'pickup enrol' again; nothing recorded here is lost"
	case errors.As(err, &pe) && pe.Retryable():
		what = "the registry is busy or restarting: try again in a minute; nothing recorded here is lost"
	case errors.As(err, &pe):
		what = "the registry refused the sync (" + string(pe.Code) + "): keep this message for the technician; nothing recorded here is lost"
	default:
		what = "the registry cannot be reached: check the network or the registry's address; handovers keep working offline and go at the next sync"
	}
	return fmt.Errorf("sync incomplete: %s\n  (%v)", what, err)
}
