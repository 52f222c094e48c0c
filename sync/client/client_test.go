package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRoundNeedsEnrolment(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	if _, err := s.Init(context.Background(), store.InitOptions{CentreID: "c", CentreName: "C"}); err != nil {
		t.Fatal(err)
	}
	y := &Syncer{Store: s}
	if _, err := y.Round(context.Background()); !errors.Is(err, store.ErrNotEnrolled) {
		t.Errorf("Round on a stand-alone terminal = %v, want ErrNotEnrolled", err)
	}
	if y.Online() {
		t.Error("a terminal that never synced says online")
	}
	// Run returns when its context ends, even while not enrolled.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- y.Run(ctx, nil) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after cancel, want nil", err)
	}
}

func TestEnrolRefusesBadCodeOffline(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	// A typo in the enrolment code is caught before anything is sent (the
	// address is unreachable on purpose).
	_, err := Enrol(context.Background(), s, "http://127.0.0.1:1", "AAAA-AAAA-AAAA-AAAA-AAAB")
	if !errors.Is(err, protocol.ErrEnrolmentCode) {
		t.Errorf("Enrol with a typo = %v, want ErrEnrolmentCode", err)
	}
	if _, err := s.Identity(context.Background()); !errors.Is(err, store.ErrNotInitialised) {
		t.Errorf("a refused enrolment set the terminal up: %v", err)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	en := i18n.For("en")
	tests := []struct {
		err   error
		want  Failure
		short string
	}{
		{nil, Failure{}, ""},
		{errors.New("dial tcp: connection refused"), Failure{Kind: FailureUnreachable}, ""},
		{fmt.Errorf("sync: %w", store.ErrNotEnrolled), Failure{Kind: FailureNotEnrolled}, "not enrolled"},
		{protocol.Errorf(protocol.CodeTerminalRevoked, "revoked"), Failure{Kind: FailureEnrolAgain, Code: "terminal_revoked"}, "enrol again"},
		{fmt.Errorf("push: %w", protocol.Errorf(protocol.CodeUnavailable, "busy")), Failure{Kind: FailureBusy, Code: "unavailable"}, "registry busy"},
		{protocol.Errorf(protocol.CodeBadRequest, "no"), Failure{Kind: FailureRefused, Code: "bad_request"}, "refused: bad_request"},
	}
	for _, tt := range tests {
		y := &Syncer{lastErr: tt.err}
		got := y.LastFailure()
		if got != tt.want {
			t.Errorf("LastFailure(%v) = %+v, want %+v", tt.err, got, tt.want)
		}
		if s := got.Short(en); s != tt.short {
			t.Errorf("Short(%v) = %q, want %q", tt.err, s, tt.short)
		}
		for _, lang := range i18n.Languages {
			text := got.Text(i18n.For(lang))
			if (text == "") != (tt.err == nil) || strings.Contains(text, "sync.failure") {
				t.Errorf("Text(%v) in %s = %q", tt.err, lang, text)
			}
		}
	}
}

func TestDriftDue(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := context.Background()
	if _, err := s.Init(ctx, store.InitOptions{CentreID: "c", CentreName: "C"}); err != nil {
		t.Fatal(err)
	}
	y := &Syncer{Store: s}
	if y.driftDue(ctx, store.SyncConfig{Cursor: 0}, &Report{}) {
		t.Error("drift check due right after a first pull")
	}
	if y.driftDue(ctx, store.SyncConfig{Cursor: 5}, &Report{}) {
		t.Error("drift check due again within the hour")
	}
	s.SetSetting(ctx, keyLastDrift, time.Now().Add(-2*time.Hour).UTC().Format(time.RFC3339))
	if !y.driftDue(ctx, store.SyncConfig{Cursor: 5}, &Report{}) {
		t.Error("drift check not due after two hours")
	}
	y.DriftEvery = -1
	s.SetSetting(ctx, keyLastDrift, time.Now().UTC().Format(time.RFC3339))
	if !y.driftDue(ctx, store.SyncConfig{Cursor: 5}, &Report{}) {
		t.Error("--check did not force the drift check")
	}
}

// TestEnrolPinOverHTTPRefused: an enrolment code carrying "@pin" used with
// an http:// address is refused before anything is sent (the pin was
// silently dropped and the terminal synced in clear).
func TestEnrolPinOverHTTPRefused(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	tok, _ := protocol.NewEnrolmentToken(nil)
	code := protocol.EnrolmentCode{Token: tok, Pin: protocol.CertPin([]byte("cert"))}.String()
	if _, err := Enrol(context.Background(), s, "http://127.0.0.1:1", code); !errors.Is(err, protocol.ErrPinOverHTTP) {
		t.Errorf("pinned code over http:// = %v, want ErrPinOverHTTP", err)
	}
}

// TestPinnedCertificateMismatchExplained: a registry that shows another
// certificate than the pinned one is explained as such, not as "check the
// network".
func TestPinnedCertificateMismatchExplained(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, err := protocol.NewClient(srv.URL, protocol.Credentials{}, protocol.CertPin([]byte("another certificate")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Time(context.Background())
	if f := Explain(err); f.Kind != FailurePinMismatch {
		t.Errorf("Explain(%v) = %+v, want pin_mismatch", err, f)
	}
	for _, lang := range i18n.Languages {
		if text := (Failure{Kind: FailurePinMismatch}).Text(i18n.For(lang)); text == "" || strings.Contains(text, "sync.failure") {
			t.Errorf("pin mismatch in %s: %q", lang, text)
		}
	}
}
