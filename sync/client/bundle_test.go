package client

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

func enrolledStore(t *testing.T) *store.Store {
	t.Helper()
	s := openStore(t)
	_, err := s.Enrol(context.Background(), "http://127.0.0.1:1", store.Enrolment{
		TerminalID: "term-A", Secret: make([]byte, 32), Centre: pickup.Centre{ID: "here", Name: "Here"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyPage(context.Background(), &store.Page{DatasetID: "ds-1", CentreID: "here", Cursor: 1}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBundleExportAndRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := enrolledStore(t)
	if _, err := s.ReceiveStock(ctx, "masks", "", 10, "ref"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "facts.bundle")
	n, err := ExportBundle(ctx, s, path)
	if err != nil || n != 1 {
		t.Fatalf("ExportBundle = %d, %v; want 1 fact", n, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("bundle file: %v", err)
	}
	// A facts bundle goes to the registry: a terminal refuses it whole.
	if _, err := ImportBundle(ctx, s, path); !errors.Is(err, ErrBundleRefused) {
		t.Errorf("import of a facts bundle = %v, want ErrBundleRefused", err)
	}
	// A missing file is not a refusal but an error.
	if _, err := ImportBundle(ctx, s, filepath.Join(dir, "none")); err == nil || errors.Is(err, ErrBundleRefused) {
		t.Errorf("import of a missing file = %v", err)
	}
	// Only a regular file is replaced.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{sub, link} {
		if _, err := ExportBundle(ctx, s, target); err == nil {
			t.Errorf("export over %s replaced it", target)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".pickup-bundle-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
