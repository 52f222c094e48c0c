package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/uuid"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// ErrBundleRefused wraps why a bundle was refused before anything in it
// was applied (tampered, for another centre, of the wrong kind).
var ErrBundleRefused = errors.New("bundle refused, nothing applied")

// ExportBundle writes every fact waiting for the registry to a facts
// bundle at path (a USB stick), signed with the terminal's secret, and
// returns how many facts it holds. The bundle is written next to path and
// renamed, so a pulled-out stick never holds half a bundle under the final
// name; path may only replace a regular file. The facts stay in the outbox
// until the registry's pull confirms them.
func ExportBundle(ctx context.Context, s *store.Store, path string) (int, error) {
	n, err := interruptible(ctx, "bundle export", func() (int, error) { return exportBundle(ctx, s, path) })
	if err != nil {
		return 0, fmt.Errorf("bundle export: %w", err)
	}
	return n, nil
}

func exportBundle(ctx context.Context, s *store.Store, path string) (int, error) {
	cfg, err := s.SyncConfig(ctx)
	if err != nil {
		return 0, err
	}
	evs, err := s.Outbox(ctx, -1)
	if err != nil {
		return 0, err
	}
	err = atomicfile.WriteFile(path, 0o600, func(w io.Writer) error {
		bw, err := protocol.NewBundleWriter(w, protocol.BundleHeader{Format: protocol.BundleFormat, Kind: protocol.BundleFacts,
			ID: uuid.NewString(), DatasetID: cfg.DatasetID, CentreID: cfg.CentreID, TerminalID: cfg.TerminalID,
			CreatedAt: s.Now().UTC()})
		if err != nil {
			return err
		}
		for i := 0; i < len(evs); i += protocol.DefaultPushBatch {
			if err := bw.Push(&protocol.PushRequest{Events: evs[i:min(i+protocol.DefaultPushBatch, len(evs))]}); err != nil {
				return err
			}
		}
		return bw.Close(protocol.HMACSigner(cfg.TerminalID, cfg.Secret))
	})
	if err != nil {
		return 0, err
	}
	return len(evs), nil
}

// BundleImport says what ImportBundle applied.
type BundleImport struct {
	Pages   int `json:"pages"`
	Skipped int `json:"skipped"` // pages already applied
	Pickups int `json:"pickups"`
}

// ImportBundle applies the registry's signed pull bundle at path (a
// regular file). It reads the file once, into a private copy beside the
// terminal's database, checking every page, the signature against the
// registry keys this terminal trusts, its kind and its centre, applying
// nothing: a failed check returns an error wrapping ErrBundleRefused.
// Then it applies the copy's pages — the bytes that were verified, even if
// the file changed since — each page in its own transaction, skipping
// pages already applied, so importing the same bundle again is safe.
// Memory is bounded by one page. A path that hangs (a dead network share)
// does not hold the terminal: ctx's end (SIGTERM) interrupts the import.
func ImportBundle(ctx context.Context, s *store.Store, path string) (BundleImport, error) {
	return interruptible(ctx, "bundle import", func() (BundleImport, error) { return importBundle(ctx, s, path) })
}

// interruptible runs fn, returning early with an error when ctx ends
// first: a file operation blocked in the kernel cannot be cancelled, but
// the program must still stop when asked (the abandoned work is in
// transactions, and repeating it is safe).
func interruptible[T any](ctx context.Context, what string, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%s interrupted (%w): nothing half-applied; run it again", what, ctx.Err())
	}
}

func importBundle(ctx context.Context, s *store.Store, path string) (BundleImport, error) {
	var out BundleImport
	cfg, err := s.SyncConfig(ctx)
	if err != nil {
		return out, fmt.Errorf("bundle import: %w", err)
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		return out, fmt.Errorf("bundle import: %w", err)
	}
	verify := protocol.Ed25519Verifier(keys)
	checkHeader := func(r protocol.BundleRecord) error {
		switch h := r.Header; {
		case h == nil:
			return ctx.Err()
		case h.Kind != protocol.BundlePull:
			return fmt.Errorf("this is a %s bundle (from a terminal): it goes to the registry, not to a terminal", h.Kind)
		case h.CentreID != cfg.CentreID:
			return fmt.Errorf("this bundle is meant for centre %s, and this terminal serves %s", h.CentreID, cfg.CentreID)
		}
		return nil
	}
	apply := func(r protocol.BundleRecord) error {
		if r.Page == nil {
			return nil
		}
		res, applied, err := s.ApplyBundlePage(ctx, storePage(r.Page))
		if err != nil {
			return err
		}
		if applied {
			out.Pages++
			out.Pickups += res.Pickups
		} else {
			out.Skipped++
		}
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return out, fmt.Errorf("bundle import: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return out, fmt.Errorf("%w: %s is not a regular file (copy the bundle onto the stick as a file)", ErrBundleRefused, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return out, fmt.Errorf("bundle import: %w", err)
	}
	defer f.Close()
	_, applied, err := protocol.ReadBundleOnce(f, filepath.Dir(s.Path()), verify, checkHeader, apply)
	switch {
	case err == nil:
		return out, nil
	case !applied:
		var pe *os.PathError
		if errors.As(err, &pe) {
			return out, fmt.Errorf("bundle import: %w", err)
		}
		return out, fmt.Errorf("%w: %s: %w", ErrBundleRefused, path, err)
	}
	return out, fmt.Errorf("bundle import %s: %w (pages before this one are applied; importing again is safe)", path, err)
}
