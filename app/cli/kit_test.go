package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
)

// TestHelpListsCommands: --help at the root lists every command, a
// command's --help its flags, and an unknown flag is a usage error.
func TestHelpListsCommands(t *testing.T) {
	t.Parallel()
	r := run(t, "--help")
	for _, want := range []string{"init --centre ID", "import-pickups FILE.csv", "lookup CODE", "handover [--glove-size", "undo EVENT_ID",
		"stock receive", "stock count", "status", "handovers", "expected [--search", "conflicts", "review-conflict --note", "demo", "scan-image", "verify-log", "shipments", "config",
		"enrol --registry URL", "sync [--check]", "bundle export FILE", "bundle import FILE", "completion", "--fullscreen", "Exit codes"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("pickup --help = exit %d, lacks %q", r.code, want)
		}
	}
	r = run(t, "sync", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "--check") || !strings.Contains(r.stdout, "--data") || !strings.Contains(r.stdout, "--json") {
		t.Errorf("pickup sync --help = exit %d:\n%s", r.code, r.stdout)
	}
	if r := run(t, "stock", "receive", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--shipment") {
		t.Errorf("pickup stock receive --help = exit %d:\n%s", r.code, r.stdout)
	}
	r = run(t, "status", "--frobnicate")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "flag provided but not defined: --frobnicate") || !strings.Contains(r.stderr, "Usage:\n  pickup status") {
		t.Errorf("pickup status --frobnicate = exit %d\nstdout %q\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "bundle"); r.code != 2 || !strings.Contains(r.stderr, "bundle export FILE") {
		t.Errorf("pickup bundle = exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "bundle", "send", "x"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "send"`) {
		t.Errorf("pickup bundle send = exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "stock", "steal"); r.code != 2 || !strings.Contains(r.stderr, `unknown stock command "steal"`) {
		t.Errorf("pickup stock steal = exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "pickup ") || !strings.Contains(r.stdout, "(commit ") {
		t.Errorf("pickup --version = %d %q", r.code, r.stdout)
	}
}

func TestCompletionAndDocs(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if r := run(t, "completion", shell); r.code != 0 || len(r.stdout) < 1000 || !strings.Contains(r.stdout, "pickup") {
			t.Errorf("pickup completion %s = exit %d, %d bytes", shell, r.code, len(r.stdout))
		}
	}
	if r := run(t, "__complete", "handover", "--glove-size", ""); r.code != 0 || !strings.Contains(r.stdout, "XL") {
		t.Errorf("completion of --glove-size = %d %q", r.code, r.stdout)
	}
	if r := run(t, "__complete", "config", ""); r.code != 0 || !strings.Contains(r.stdout, "undo-window") {
		t.Errorf("completion of config = %d %q", r.code, r.stdout)
	}
	dir := t.TempDir()
	if r := run(t, "docs", "--out", dir); r.code != 0 {
		t.Fatalf("pickup docs = %d %s", r.code, r.stderr)
	}
	for _, page := range []string{"pickup.1", "pickup-sync.1", "pickup-stock-receive.1", "pickup-bundle-import.1"} {
		if b, err := os.ReadFile(filepath.Join(dir, page)); err != nil || !bytes.Contains(b, []byte(".SH NAME")) {
			t.Errorf("man page %s: %v", page, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "pickup-sync.1")); !bytes.Contains(b, []byte("check")) {
		t.Errorf("pickup-sync.1 lacks --check:\n%s", b)
	}
}

func TestOpensWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--data", "/tmp/t"}, true},
		{[]string{"--data=/tmp/t", "--fullscreen", "--lang", "fr"}, true},
		{[]string{"-data", "d", "-fullscreen", "-lang=nl"}, true},
		{[]string{"--data", "/tmp/t", "status"}, false},
		{[]string{"status"}, false},
		{[]string{"--help"}, false},
		{[]string{"-h"}, false},
		{[]string{"--version"}, false},
		{[]string{"help"}, false},
		{[]string{"--json"}, false},
		{[]string{"--data"}, false},
		{[]string{"--fullscreen", "lookup", "X"}, false},
		{[]string{"frobnicate"}, false},
	}
	for _, tt := range tests {
		if got := OpensWindow(tt.args); got != tt.want {
			t.Errorf("OpensWindow(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

// TestParse: flags land in a command's options wherever they stand,
// --data and --json before or after the command, without running it.
func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want handoverOptions
	}{
		{[]string{"--data", "D", "handover", "--glove-size", "M", "--volunteer", "Anne", "CODE1"},
			handoverOptions{ctx: &ctx{data: "D"}, gloveSize: "M", volunteer: "Anne", code: "CODE1"}},
		{[]string{"handover", "CODE2", "--json", "--data=E", "--glove-size=XL"},
			handoverOptions{ctx: &ctx{data: "E", json: true}, gloveSize: "XL", code: "CODE2"}},
		{[]string{"-json", "handover", "-data", "F", "CODE3"},
			handoverOptions{ctx: &ctx{data: "F", json: true}, code: "CODE3"}},
	}
	for _, tt := range tests {
		c := &ctx{Env: Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}}
		got := &handoverOptions{ctx: c}
		if code := cmdkit.ParseWith(newRoot(c), newCmdHandover(got), tt.args); code != 0 {
			t.Fatalf("%q: exit %d", tt.args, code)
		}
		if got.gloveSize != tt.want.gloveSize || got.volunteer != tt.want.volunteer || got.code != tt.want.code ||
			got.data != tt.want.data || got.json != tt.want.json {
			t.Errorf("%q parsed to %+v (data %q json %v), want %+v (data %q json %v)", tt.args, *got, got.data, got.json, tt.want, tt.want.data, tt.want.json)
		}
	}
}

// Every store error code has a hint at the command line, and the JSON
// error key is the code.
func TestStoreErrorHints(t *testing.T) {
	t.Parallel()
	for _, code := range store.Codes {
		err := fmt.Errorf("doing something: %w", &store.Error{Code: code, Msg: "detail"})
		if h := storeHint(err); h == "" {
			t.Errorf("%s: no command-line hint", code)
		}
		if got := storeErrorCode(err); got != string(code) {
			t.Errorf("%s: JSON error key %q", code, got)
		}
	}
	if got := storeErrorCode(fmt.Errorf("plain")); got != "error" {
		t.Errorf("a plain error has key %q, want error", got)
	}
	if len(storeHints) != len(store.Codes) {
		t.Errorf("%d hints for %d codes", len(storeHints), len(store.Codes))
	}
	// The hints name commands; the store's own messages do not.
	if !strings.Contains(storeHint(store.ErrNotInitialised), "pickup init") {
		t.Errorf("not set up: hint %q does not say how to set up", storeHint(store.ErrNotInitialised))
	}
}
