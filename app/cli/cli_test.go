package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/qrprint"
	"github.com/pickup-terminal/pickup/store"
)

type runResult struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, args ...string) runResult {
	t.Helper()
	return runIn(t, "", args...)
}

// runIn runs a command with stdin as its standard input.
func runIn(t *testing.T, stdin string, args ...string) runResult {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "LANG" {
			return "en_US.UTF-8"
		}
		return ""
	}, Now: time.Now}
	code := Run(context.Background(), args, env)
	return runResult{code, out.String(), errb.String()}
}

func jsonOf(t *testing.T, r runResult) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return m
}

func code(n int) string {
	p := fmt.Sprintf("%015d", n)
	return pickup.Code(p + string(pickup.CheckChar(p))).String()
}

// inStore opens the terminal's store in dir for what a test does behind
// the commands' back (facts from elsewhere, a check), then closes it.
func inStore(t *testing.T, dir string, fn func(ctx context.Context, s *store.Store)) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fn(ctx, s)
}

// setUp makes a stand-alone terminal with a list around today.
func setUp(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	if r := run(t, "init", "--data", dir, "--centre", "bru", "--name", "Croix-Rouge Bruxelles"); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	today := pickup.DateOf(time.Now())
	csv := "code,name,profession,parcel_kind,centre_id,window_start,window_end,extra\n" +
		fmt.Sprintf("%s,Anne Peeters,physiotherapist,close_contact,bru,%s,%s,x\n", code(1), today.AddDays(-3), today.AddDays(30)) +
		fmt.Sprintf("%s,Jean Dupont,pharmacist,masks_only,bru,%s,%s,x\n", code(2), today.AddDays(-3), today.AddDays(30)) +
		fmt.Sprintf("%s,Eva Maes,pharmacist,masks_only,bru,%s,%s,x\n", code(3), today.AddDays(4), today.AddDays(30)) +
		fmt.Sprintf("%s,Lena Schmitz,pharmacist,masks_only,eupen,%s,%s,x\n", code(4), today.AddDays(-3), today.AddDays(30))
	path := filepath.Join(dir, "list.csv")
	os.WriteFile(path, []byte(csv), 0o600)
	r := run(t, "--data", dir, "--json", "import-pickups", path)
	if r.code != 0 || jsonOf(t, r)["rows"] != 4.0 {
		t.Fatalf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	return dir
}

func TestCounterFlow(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	tests := []struct {
		name    string
		args    []string
		code    int
		verdict string
	}{
		{"lookup ok", []string{"lookup", code(1)}, 0, "ok"},
		{"lookup not yet open", []string{"lookup", code(3)}, 1, "not_yet_open"},
		{"lookup wrong centre", []string{"lookup", code(4)}, 1, "wrong_centre"},
		{"lookup unknown", []string{"lookup", code(99)}, 1, "unknown_code"},
		{"lookup typo", []string{"lookup", "0000-0000-0000-0009"}, 1, "invalid_code"},
		{"lookup forged QR", []string{"lookup", "PU1.k.000000000000000Y.bru.c.k.20200101.20200102.AAAA"}, 1, "bad_signature"},
	}
	for _, tt := range tests {
		r := run(t, append([]string{"--data", dir, "--json"}, tt.args...)...)
		if r.code != tt.code {
			t.Errorf("%s: exit %d, want %d (%s)", tt.name, r.code, tt.code, r.stderr)
		}
		if got := jsonOf(t, r)["verdict"]; got != tt.verdict {
			t.Errorf("%s: verdict %v, want %s", tt.name, got, tt.verdict)
		}
	}
	// Gloves: no stock yet, so the handover is refused with exit 1 and names the sizes.
	r := run(t, "--data", dir, "--json", "handover", "--glove-size", "M", code(1))
	if m := jsonOf(t, r); r.code != 1 || m["error"] != "out_of_stock" || m["handed_over"] != false {
		t.Errorf("handover without stock: %d %v", r.code, m)
	}
	if r := run(t, "stock", "receive", "--data", dir, "--item", "gloves", "--size", "M", "--qty", "1000", "--ref", "D-1"); r.code != 0 {
		t.Fatalf("stock receive: %d %s", r.code, r.stderr)
	}
	r = run(t, "--data", dir, "--json", "handover", "--glove-size", "m", "--volunteer", "Anne", code(1))
	m := jsonOf(t, r)
	if r.code != 0 || m["verdict"] != "ok" || m["handed_over"] != true || m["event_id"] == "" {
		t.Fatalf("handover: %d %v %s", r.code, m, r.stderr)
	}
	event := m["event_id"].(string)
	r = run(t, "--data", dir, "--json", "handover", "--glove-size", "M", code(1))
	if m := jsonOf(t, r); r.code != 1 || m["verdict"] != "already_collected" {
		t.Errorf("second handover: %d %v", r.code, m)
	}
	if r := run(t, "--data", dir, "handover", code(2)); r.code != 0 || !strings.Contains(r.stdout, "Handed over") {
		t.Errorf("masks-only handover without size: %d %s %s", r.code, r.stdout, r.stderr)
	}
	st := jsonOf(t, run(t, "--data", dir, "--json", "status"))
	stock := st["stock"].(map[string]any)
	if st["expected"] != 3.0 || st["collected"] != 2.0 || st["pending_upload"] != 3.0 || st["conflicts"] != 0.0 || stock["gloves-M"] != 500.0 || stock["masks"] != -1000.0 {
		t.Errorf("status = %v", st)
	}
	if r := run(t, "--data", dir, "undo", event); r.code != 0 {
		t.Errorf("undo: %d %s", r.code, r.stderr)
	}
	if r := run(t, "--data", dir, "undo", event); r.code != 1 {
		t.Errorf("second undo: exit %d, want 1", r.code)
	}
	st = jsonOf(t, run(t, "--data", dir, "--json", "status"))
	if st["collected"] != 1.0 || st["stock"].(map[string]any)["gloves-M"] != 1000.0 {
		t.Errorf("status after undo = %v", st)
	}
	if r := run(t, "--data", dir, "verify-log"); r.code != 0 || !strings.Contains(r.stdout, "intact") {
		t.Errorf("verify-log: %d %s", r.code, r.stdout)
	}
	if r := run(t, "--data", dir, "stock", "count", "--item", "masks", "--qty", "12000", "--reason", "first count"); r.code != 0 {
		t.Errorf("stock count: %d %s", r.code, r.stderr)
	}
	if m := jsonOf(t, run(t, "--data", dir, "--json", "stock")); m["stock"].(map[string]any)["masks"] != 12000.0 {
		t.Errorf("stock = %v", m)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("code,name,profession,parcel_kind,centre_id,window_start,window_end\n"+code(50)+",A,p,k,bru,2020-01-01,2020-01-02\nnot,a,row\n"), 0o600)
	binary := filepath.Join(dir, "binary.csv")
	os.WriteFile(binary, []byte{0, 1, 2, 0xff, 0xfe, '\n'}, 0o600)
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no command", nil, 2, ""},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", []string{"lookup", "--nope", code(1)}, 2, "flag provided but not defined"},
		{"missing code", []string{"lookup"}, 2, "missing CODE"},
		{"two codes", []string{"lookup", code(1), code(2)}, 2, "one CODE at a time"},
		{"missing file", []string{"import-pickups", filepath.Join(dir, "nope.csv")}, 2, "no such file"},
		{"folder as file", []string{"import-pickups", dir}, 2, "is a folder"},
		{"bad row", []string{"import-pickups", bad}, 2, "line 3"},
		{"binary file", []string{"import-pickups", binary}, 2, "line 1"},
		{"qty not a number", []string{"stock", "receive", "--item", "masks", "--qty", "lots"}, 2, "not a whole number"},
		{"unknown item", []string{"stock", "receive", "--item", "helmets", "--qty", "5"}, 2, "unknown item"},
		{"count without reason", []string{"stock", "count", "--item", "masks", "--qty", "5"}, 2, "reason"},
		{"undo garbage", []string{"undo", "xyz"}, 2, "not an event id"},
		{"init again", []string{"init", "--centre", "x", "--name", "X"}, 2, "already set up"},
		{"demo on a real terminal", []string{"demo"}, 2, "empty --data folder"},
	}
	before := run(t, "--data", dir, "--json", "status").stdout
	for _, tt := range tests {
		args := tt.args
		if len(args) > 0 {
			args = append([]string{"--data", dir}, args...)
		}
		r := run(t, args...)
		if r.code != tt.code || !strings.Contains(r.stderr+r.stdout, tt.want) {
			t.Errorf("%s: exit %d, want %d; output %q does not contain %q", tt.name, r.code, tt.code, r.stderr, tt.want)
		}
	}
	if after := run(t, "--data", dir, "--json", "status").stdout; after != before {
		t.Errorf("bad input changed the terminal:\n%s\n%s", before, after)
	}
	// A command on a folder with no terminal says what to do.
	r := run(t, "--data", t.TempDir(), "status")
	if r.code != 2 || !strings.Contains(r.stderr, "pickup init") {
		t.Errorf("status on an empty folder: %d %q", r.code, r.stderr)
	}
}

func TestDemoAndLanguages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := run(t, "--data", dir, "--json", "demo", "--pickups", "200")
	m := jsonOf(t, r)
	if r.code != 0 || m["created"] != true || m["pickups"] != 200.0 {
		t.Fatalf("demo: %d %v", r.code, m)
	}
	samples := m["samples"].(map[string]any)
	for _, k := range pickup.VerdictKinds {
		if k == pickup.VerdictBadSignature {
			continue
		}
		c, ok := samples[string(k)].(string)
		if !ok {
			t.Errorf("demo has no sample for %s", k)
			continue
		}
		if got := jsonOf(t, run(t, "--data", dir, "--json", "lookup", c))["verdict"]; got != string(k) {
			t.Errorf("demo sample for %s gives %v", k, got)
		}
	}
	signed := jsonOf(t, run(t, "--data", dir, "--json", "lookup", m["signed_sample"].(string)))
	if signed["verdict"] != "ok" || signed["on_signature"] != true {
		t.Errorf("signed sample: %v", signed)
	}
	// A second demo on the same folder only reports.
	if m := jsonOf(t, run(t, "--data", dir, "--json", "demo")); m["created"] != false {
		t.Errorf("second demo created again")
	}
	for lang, want := range map[string]string{"fr_BE.UTF-8": "Mauvais centre", "nl_BE": "Verkeerd centrum", "de": "Falsches Zentrum", "C": "Wrong centre"} {
		var out bytes.Buffer
		env := Env{Stdout: &out, Stderr: &out, Getenv: func(k string) string {
			if k == "LANG" {
				return lang
			}
			return ""
		}}
		Run(context.Background(), []string{"--data", dir, "lookup", samples["wrong_centre"].(string)}, env)
		if !strings.Contains(out.String(), want) {
			t.Errorf("LANG=%s: %q lacks %q", lang, out.String(), want)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	r := run(t, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "import-pickups") || !strings.Contains(r.stdout, "Exit codes") {
		t.Errorf("help: %d %s", r.code, r.stdout)
	}
	r = run(t, "handover", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "-glove-size") {
		t.Errorf("handover --help: %d %s", r.code, r.stdout)
	}
}

func TestConfigUndoWindow(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	if r := run(t, "--data", dir, "config", "undo-window", "5m"); r.code != 0 || !strings.Contains(r.stdout, "5m0s") {
		t.Fatalf("config undo-window: %d %s %s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range [][]string{{"undo-window", "soon"}, {"undo-window", "-1m"}, {"colour", "red"}, {"lang", "es"}} {
		if r := run(t, append([]string{"--data", dir, "config"}, bad...)...); r.code != 2 {
			t.Errorf("config %v: exit %d, want 2", bad, r.code)
		}
	}
	if m := jsonOf(t, run(t, "--data", dir, "--json", "config")); m["undo-window"] != "5m0s" || m["lang"] != "(from the system)" {
		t.Errorf("config = %v", m)
	}
}

// The technician sets the manager PIN on standard input; the store keeps
// its hash, and the listing says only whether one is set.
func TestConfigManagerPIN(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	if m := jsonOf(t, run(t, "--data", dir, "--json", "config")); m["manager-pin"] == "set" {
		t.Errorf("manager-pin before any was set: %v", m)
	}
	for _, bad := range []struct{ stdin, arg string }{{"12\n", ""}, {"abcd\n", ""}, {"", ""}, {"", "4711"}} {
		args := []string{"--data", dir, "config", "manager-pin"}
		if bad.arg != "" {
			args = append(args, bad.arg)
		}
		if r := runIn(t, bad.stdin, args...); r.code != 2 {
			t.Errorf("manager-pin %q %q: exit %d, want 2 (%s)", bad.stdin, bad.arg, r.code, r.stderr)
		}
	}
	r := runIn(t, "4711\n", "--data", dir, "config", "manager-pin")
	if r.code != 0 || !strings.Contains(r.stdout, "set") || strings.Contains(r.stdout+r.stderr, "4711") {
		t.Fatalf("config manager-pin: %d %q %q", r.code, r.stdout, r.stderr)
	}
	inStore(t, dir, func(ctx context.Context, s *store.Store) {
		if got, err := s.CheckManagerPIN(ctx, "4711"); err != nil || !got.OK {
			t.Errorf("the PIN set does not open: %+v, %v", got, err)
		}
	})
}

func TestScanImage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "letter.png")
	png, err := qrprint.PNG(code(7), 400)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(good, png, 0o600)
	notImage := filepath.Join(dir, "notes.png")
	os.WriteFile(notImage, []byte("this is not a picture"), 0o600)
	blank := filepath.Join(dir, "blank.png")
	blankPNG, _ := qrprint.PNG(code(8), 400)
	os.WriteFile(blank, blankPNG[:len(blankPNG)/3], 0o600) // cut short: damaged

	r := run(t, "--json", "scan-image", good)
	var got scanResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 || !got.OK || got.Code != code(7) || got.File != good {
		t.Errorf("scan-image good: %d %q %+v %v", r.code, r.stdout, got, err)
	}
	r = run(t, "--json", "scan-image", good, notImage, blank, filepath.Join(dir, "missing.png"))
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 1 || len(lines) != 4 {
		t.Fatalf("scan-image batch: exit %d, %d lines:\n%s", r.code, len(lines), r.stdout)
	}
	for i, want := range []bool{true, false, false, false} {
		var res scanResult
		json.Unmarshal([]byte(lines[i]), &res)
		if res.OK != want || (!want && res.Error == "") {
			t.Errorf("line %d: %+v, want ok=%v with a reason when not", i, res, want)
		}
	}
	if r := run(t, "scan-image"); r.code != 2 {
		t.Errorf("scan-image without files: exit %d, want 2", r.code)
	}
}

// pickup diagnostics --out writes the file (0600) with the counts and no
// name; pickup config name names the counter, and status shows it.
func TestDiagnosticsAndName(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, "--data", dir, "demo"); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	if r := run(t, "--data", dir, "config", "name", "Counter 2"); r.code != 0 {
		t.Fatalf("config name: %d %s", r.code, r.stderr)
	}
	if r := run(t, "--data", dir, "config", "name", ""); r.code != 2 {
		t.Errorf("empty name: %d %s", r.code, r.stderr)
	}
	if r := run(t, "--data", dir, "status"); !strings.Contains(r.stdout, "Counter 2") {
		t.Errorf("status does not show the name:\n%s", r.stdout)
	}
	out := filepath.Join(t.TempDir(), "diag.txt")
	if r := run(t, "--data", dir, "diagnostics", "--out", out); r.code != 0 {
		t.Fatalf("diagnostics: %d %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	fi, _ := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(b), "terminal_name        Counter 2") || !strings.Contains(string(b), "[counts]") {
		t.Errorf("diagnostics file (%v): %s", err, b)
	}
}
