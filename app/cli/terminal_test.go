package cli

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

// TestMain runs the test binary as the pickup command when asked to
// (PICKUP_CLI_AS_PICKUP=1), for the tests that need the real standard
// output: a terminal.
func TestMain(m *testing.M) {
	code := 0
	switch os.Getenv("PICKUP_CLI_AS_PICKUP") {
	case "1":
		code = Run(context.Background(), os.Args[1:], OSEnv())
	default:
		code = m.Run()
	}
	os.Exit(code)
}

// A stock loss that another counter of the centre sent, its reason an
// escape sequence (a modified counter's): on the technician's terminal
// `pickup stock history` shows it replaced, and cannot retitle the window
// or clear the screen; into a file the reason is printed as it is kept.
func TestTerminalNotDrivenByAPeersText(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give the command a terminal")
	}
	dir := t.TempDir()
	if r := run(t, "--data", dir, "init", "--centre", "here", "--name", "Here"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	evil := "\x1b]0;owned\x07\x1b[2Jbox damaged"
	out, err := s.IngestFacts(ctx, store.SourcePeer, []pickup.Event{{ID: "0b7c9d2e-8f41-4a6b-9e3d-5c1a2f4e6d80", Type: pickup.EventStockLoss,
		TerminalID: "t-peer", CentreID: "here", At: time.Now().UTC(), Item: "masks", Qty: 5, Reason: evil}})
	s.Close()
	if err != nil || out.New != 1 {
		t.Fatalf("ingest the peer's loss = %+v, %v", out, err)
	}

	cmd := exec.Command(script, "-qec", strings.Join([]string{quote(os.Args[0]), "--data", quote(dir), "stock", "history"}, " "), "/dev/null")
	cmd.Env = append(os.Environ(), "PICKUP_CLI_AS_PICKUP=1", "LANG=en_US.UTF-8")
	tty, err := cmd.Output()
	if err != nil {
		t.Fatalf("pickup stock history on a terminal: %v\n%s", err, tty)
	}
	if strings.ContainsAny(string(tty), "\x1b\x07") || !strings.Contains(string(tty), "\uFFFD]0;owned\uFFFD\uFFFD[2Jbox damaged") {
		t.Errorf("on a terminal: %q, want the escapes shown as U+FFFD", tty)
	}

	f, err := os.CreateTemp(t.TempDir(), "history-*.txt")
	if err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(os.Args[0], "--data", dir, "stock", "history")
	cmd.Env = append(os.Environ(), "PICKUP_CLI_AS_PICKUP=1")
	cmd.Stdout = f
	err = cmd.Run()
	f.Close()
	b, _ := os.ReadFile(f.Name())
	if err != nil || !strings.Contains(string(b), evil) {
		t.Errorf("into a file (%v): %q, want the reason as kept", err, b)
	}
}

// quote puts s in single quotes for the shell script(1) runs.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
