package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// TestUndoRefusedWhenClockWentBackwards: setting the counter's clock back
// does not reopen the undo window of earlier handovers (it allowed undoing
// any of them).
func TestUndoRefusedWhenClockWentBackwards(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.receive(t, "gloves", "S", 500)
	res, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes["ok"]), GloveSize: "S"})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour) // the handover's window is long over
	if _, err := f.s.ReceiveStock(ctx, "masks", "", 10, "later"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(-time.Hour + time.Minute) // set back to a minute after the handover
	if _, err := f.s.Undo(ctx, res.EventID); !errors.Is(err, ErrClockBackwards) {
		t.Errorf("undo after the clock was set back: %v, want ErrClockBackwards", err)
	}
	f.now = res.At.Add(-time.Hour) // before the handover itself
	if _, err := f.s.Undo(ctx, res.EventID); !errors.Is(err, ErrClockBackwards) {
		t.Errorf("undo with the clock before the handover: %v, want ErrClockBackwards", err)
	}
}

// TestDemoKeyRemovedAtEnrolment: the demo's signing key (its seed is in
// the source) stops verifying QR codes once the terminal is enrolled with
// a registry: a forged QR signed with it was genuine.
func TestDemoKeyRemovedAtEnrolment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Demo(ctx, 20); err != nil {
		t.Fatal(err)
	}
	demoID := pickup.KeyID(demoKey().Public().(ed25519.PublicKey))
	if keys, _ := s.SigningKeys(ctx); keys[demoID] == nil {
		t.Fatal("the demo has no key to remove")
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	id, err := s.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Enrol(ctx, "https://registry.example", Enrolment{TerminalID: "term-A", Secret: make([]byte, 32),
		Centre: id.Centre, Keys: []SigningKey{{KeyID: pickup.KeyID(pub), PublicKey: pub}}})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := s.SigningKeys(ctx)
	if keys[demoID] != nil || keys[pickup.KeyID(pub)] == nil {
		t.Errorf("keys after enrolment: %v; want the registry's only", keys)
	}
}
