package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/protocol"
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

// pullBundle writes a pull bundle for centre "here" of dataset ds-1 with
// one page holding pickups and keys, signed by priv.
func pullBundle(t *testing.T, priv ed25519.PrivateKey, pickups []pickup.Code, keys []protocol.SigningKey) []byte {
	t.Helper()
	var b bytes.Buffer
	bw, err := protocol.NewBundleWriter(&b, protocol.BundleHeader{Kind: protocol.BundlePull, ID: "6f1c2c52-0d7e-4a8e-9b43-2f0f3b1e9a01",
		DatasetID: "ds-1", CentreID: "here", After: 1, CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	page := &protocol.PullResponse{DatasetID: "ds-1", CentreID: "here", After: 1, Cursor: 10, Keys: keys, ServerTime: time.Now().UTC()}
	for i, c := range pickups {
		page.Pickups = append(page.Pickups, protocol.PickupRow{Seq: int64(2 + i), Pickup: pickup.Pickup{Code: c, Name: "Holder", Profession: "nurse",
			ParcelKind: "close_contact", CentreID: "here", CampaignID: pickup.DefaultCampaignID,
			Window: pickup.Window{Start: pickup.DateOf(time.Now()).AddDays(-1), End: pickup.DateOf(time.Now()).AddDays(30)}, Status: pickup.StatusExpected}})
	}
	for i := range page.Keys {
		page.Keys[i].Seq = int64(2 + len(pickups) + i)
	}
	if err := bw.Page(page); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(protocol.Ed25519Signer(map[string]ed25519.PrivateKey{pickup.KeyID(priv.Public().(ed25519.PublicKey)): priv})); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestH6BundleSwappedBetweenReadsNotApplied: a bundle path that gives the
// genuine bundle on the first read and a forged one (planting a signing
// key and a pickup) on the next — a named pipe, as a network share or a
// concurrent writer could — plants nothing: the bundle is read once.
func TestH6BundleSwappedBetweenReadsNotApplied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	regPub, regPriv, _ := ed25519.GenerateKey(nil)
	evilPub, evilPriv, _ := ed25519.GenerateKey(nil)
	s := openStore(t)
	_, err := s.Enrol(ctx, "http://127.0.0.1:1", store.Enrolment{TerminalID: "term-A", Secret: make([]byte, 32),
		Centre: pickup.Centre{ID: "here", Name: "Here"}, Keys: []store.SigningKey{{KeyID: pickup.KeyID(regPub), PublicKey: regPub}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyPage(ctx, &store.Page{DatasetID: "ds-1", CentreID: "here", Cursor: 1}); err != nil {
		t.Fatal(err)
	}
	genuineCode, _ := pickup.NewCode(nil)
	forgedCode, _ := pickup.NewCode(nil)
	genuine := pullBundle(t, regPriv, []pickup.Code{genuineCode}, nil)
	forged := pullBundle(t, evilPriv, []pickup.Code{forgedCode},
		[]protocol.SigningKey{{KeyID: pickup.KeyID(evilPub), PublicKey: evilPub, CreatedAt: time.Now().UTC()}})
	fifo := filepath.Join(t.TempDir(), "bundle")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			if i == 0 {
				f.Write(genuine)
			} else {
				f.Write(forged)
			}
			f.Close()
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	ImportBundle(ctx, s, fifo)
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, planted := keys[pickup.KeyID(evilPub)]; planted {
		t.Error("a forged bundle planted its signing key")
	}
	if v, err := s.Lookup(ctx, forgedCode.String()); err == nil && v.Kind != pickup.VerdictUnknownCode {
		t.Errorf("the forged pickup is known: %s", v.Kind)
	}
	// A regular file is imported once and verified.
	path := filepath.Join(t.TempDir(), "pull.bundle")
	if err := os.WriteFile(path, genuine, 0o600); err != nil {
		t.Fatal(err)
	}
	if res, err := ImportBundle(ctx, s, path); err != nil || res.Pages != 1 {
		t.Errorf("genuine bundle: %+v, %v", res, err)
	}
}

// TestBundleImportInterruptedWhilePathHangs: SIGTERM (ctx's end) stops an
// import whose path never answers (it was ignored).
func TestBundleImportInterruptedWhilePathHangs(t *testing.T) {
	t.Parallel()
	s := enrolledStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := interruptible(ctx, "bundle import", func() (int, error) { select {} })
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "interrupted") {
			t.Errorf("interrupted import: %v", err)
		}
	case <-time.After(time.Minute): // a guard against a hang, not a timing
		t.Fatal("the import did not stop when asked")
	}
	_ = s
}
