package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/uuid"
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
	n, err := exportBundle(ctx, s, path)
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
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%s exists and is not a regular file", path)
	}
	evs, err := s.Outbox(ctx, -1)
	if err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pickup-bundle-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw, err := protocol.NewBundleWriter(tmp, protocol.BundleHeader{Format: protocol.BundleFormat, Kind: protocol.BundleFacts,
		ID: uuid.NewString(), DatasetID: cfg.DatasetID, CentreID: cfg.CentreID, TerminalID: cfg.TerminalID,
		CreatedAt: s.Now().UTC()})
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(evs); i += protocol.DefaultPushBatch {
		if err := bw.Push(&protocol.PushRequest{Events: evs[i:min(i+protocol.DefaultPushBatch, len(evs))]}); err != nil {
			return 0, err
		}
	}
	if err := bw.Close(protocol.HMACSigner(cfg.TerminalID, cfg.Secret)); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
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

// ImportBundle applies the registry's signed pull bundle at path. It first
// reads the whole bundle and checks its signature against the registry
// keys this terminal trusts, its kind and its centre, applying nothing:
// a failed check returns an error wrapping ErrBundleRefused. Then it
// applies the pages in order, each in one transaction, skipping those
// already applied, so importing the same bundle again is safe.
func ImportBundle(ctx context.Context, s *store.Store, path string) (BundleImport, error) {
	var out BundleImport
	cfg, err := s.SyncConfig(ctx)
	if err != nil {
		return out, err
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		return out, err
	}
	verify := protocol.Ed25519Verifier(keys)
	checkHeader := func(r protocol.BundleRecord) error {
		switch h := r.Header; {
		case h == nil:
			return nil
		case h.Kind != protocol.BundlePull:
			return fmt.Errorf("this is a %s bundle (from a terminal): it goes to the registry, not to a terminal", h.Kind)
		case h.CentreID != cfg.CentreID:
			return fmt.Errorf("this bundle is meant for centre %s, and this terminal serves %s", h.CentreID, cfg.CentreID)
		}
		return nil
	}
	// First pass: check everything, apply nothing.
	if err := readBundle(path, verify, checkHeader); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return out, fmt.Errorf("bundle import: %w", err)
		}
		return out, fmt.Errorf("%w: %s: %w", ErrBundleRefused, path, err)
	}
	err = readBundle(path, verify, func(r protocol.BundleRecord) error {
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
	})
	if err != nil {
		return out, fmt.Errorf("bundle import %s: %w (pages before this one are applied; importing again is safe)", path, err)
	}
	return out, nil
}

func readBundle(path string, verify protocol.BundleVerifier, fn func(protocol.BundleRecord) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = protocol.ReadBundle(io.Reader(f), verify, fn)
	return err
}
