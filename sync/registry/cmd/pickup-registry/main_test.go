package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// TestMain lets the test binary act as pickup-registry itself when
// PICKUP_REGISTRY_AS_MAIN is set: the end-to-end tests start it as a real
// process that way, without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("PICKUP_REGISTRY_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// cli runs one command line in-process.
func cli(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	return cliIn(t, dir, "", args...)
}

// cliIn runs one command line in-process with stdin, on the data folder
// dir (unless dir is empty or the line starts with a flag).
func cliIn(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{}, args...)
	if dir != "" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		full = append([]string{"--data", dir}, args...)
	}
	code := run(context.Background(), full, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := t.TempDir()
	reqs := registrytest.WriteFile(t, files, "requests.csv", "professional_id,name,profession,centre_id\n"+
		"P1,Anne Dupont,physiotherapist,namur\nP2,Jan Peeters,pharmacist,namur\nP1,Anne Dupont,physiotherapist,namur\n")
	centres := registrytest.WriteFile(t, files, "centres.csv", "id,name,address,hours\ngent,Rode Kruis Gent,Kortrijksesteenweg 788,ma-vr\n")
	badCentres := registrytest.WriteFile(t, files, "bad.csv", "id,name\n,No id\n")
	tests := []struct {
		args []string
		code int
		out  string // expected in stdout or stderr
	}{
		{[]string{"--help"}, 0, "Exit codes: 0 done"},
		{[]string{"serve", "--help"}, 0, "--listen"},
		{[]string{"centre", "--help"}, 0, "centre add"},
		{[]string{"request", "import", "-h"}, 0, "professional_id"},
		{[]string{"nonsense"}, 2, "unknown command"},
		{[]string{"centre", "add", "--name", "X"}, 2, "--id is required"},
		{[]string{"centre", "add", "--id", "namur", "--name", "Croix-Rouge Namur", "--address", "Rue de Fer 68", "--hours", "9-17"}, 0, "centre namur added"},
		{[]string{"centre", "add", "--id", "namur", "--name", "Again"}, 1, "already exists"},
		{[]string{"centre", "import", centres}, 0, "1 centre(s)"},
		{[]string{"centre", "import", badCentres}, 1, "line 2"},
		{[]string{"centre", "import", filepath.Join(files, "missing.csv")}, 1, "no such file"},
		{[]string{"centre", "list", "--json"}, 0, `"centres"`},
		{[]string{"request", "import", "--campaign", pickup.DefaultCampaignID, reqs}, 1, "line 4"},
		{[]string{"request", "import", reqs, "--campaign", "nope"}, 1, "not found"},
		{[]string{"request", "import", reqs}, 2, "--campaign is required"},
		{[]string{"request", "import", "--json", "--campaign", "nope", reqs}, 1, `"error": "import requests: campaign \"nope\": not found`},
		{[]string{"codes", "--centre", "namur"}, 0, "code,name,profession,parcel_kind,centre_id,window_start,window_end,status"},
		{[]string{"codes", "--centre", "mars"}, 1, "not found"},
		{[]string{"letters"}, 2, "--out is required"},
		{[]string{"letters", "--centre", "mars", "--out", filepath.Join(files, "l.pdf")}, 1, "not found"},
		{[]string{"letters", "--centre", "namur", "--out", filepath.Join(files, "l.pdf")}, 0, "letter(s) written"},
		{[]string{"campaign", "list"}, 0, "oct2020-strategic"},
		{[]string{"campaign", "show", "nope"}, 1, "not found"},
		{[]string{"campaign", "import", reqs}, 1, "not valid JSON"},
		{[]string{"codes", "revoke", "not-a-code"}, 1, "invalid pickup code"},
		{[]string{"terminal", "enrol", "--centre", "namur", "--json"}, 0, `"enrolment_code"`},
		{[]string{"terminal", "enrol", "--centre", "mars"}, 1, "not found"},
		{[]string{"terminal", "list", "--json"}, 0, `"terminals"`},
		{[]string{"terminal", "revoke", "term-NOPE"}, 1, "not found"},
		{[]string{"terminal", "revoke"}, 2, "want 1 argument"},
		{[]string{"ship", "--centre", "namur", "--item", "gloves", "--size", "M", "--qty", "1000"}, 0, "recorded"},
		{[]string{"ship", "--centre", "namur", "--item", "gloves", "--qty", "1000"}, 1, "needs --size"},
		{[]string{"ship", "--centre", "namur", "--item", "masks", "--qty", "x"}, 2, "invalid value"},
		{[]string{"report", "--json"}, 0, `"double_handovers"`},
		{[]string{"report"}, 0, "EXPECTED"},
		{[]string{"report", "--csv", "--from", "2026-01-01", "--to", "2026-01-03"}, 0, "2026-01-03,total,0,0,0,0"},
		{[]string{"report", "--from", "2026-13-01"}, 2, "want a date"},
		{[]string{"report", "--from", "2026-02-01", "--to", "2026-01-01"}, 1, "before it starts"},
		{[]string{"report", "--csv", "--json"}, 2, "not both"},
		{[]string{"shipments"}, 0, "in transit"},
		{[]string{"shipments", "--json", "--state", "in_transit"}, 0, `"state": "in_transit"`},
		{[]string{"shipments", "--state", "lost"}, 1, "want in_transit"},
		{[]string{"keys", "rotate", "--json"}, 0, `"key_id"`},
		{[]string{"keys", "list"}, 0, "(current)"},
		{[]string{"demo", "--centres", "2", "--requests", "40"}, 0, "40 request(s)"},
		{[]string{"demo", "--centres", "0"}, 1, "want 1 to 500"},
		{[]string{"serve", "--listen", "0.0.0.0:0"}, 2, "refusing plain HTTP"},
		{[]string{"serve", "--listen", "nonsense"}, 2, "host:port"},
		{[]string{"bundle", "export", "--centre", "namur", filepath.Join(files, "namur.bundle")}, 0, "bundle for centre namur"},
		{[]string{"bundle", "import", filepath.Join(files, "namur.bundle")}, 1, "made by a registry for terminals"},
	}
	for _, tc := range tests {
		code, out, errs := cli(t, dir, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.out) {
			t.Errorf("pickup-registry %s = exit %d\nstdout: %s\nstderr: %s\nwant exit %d with %q", strings.Join(tc.args, " "), code, out, errs, tc.code, tc.out)
		}
	}
	// --data before the command works too, and the JSON keys are stable.
	code, out, _ := cli(t, "", "--data", dir, "report", "--json")
	var rep struct {
		Centres []map[string]any `json:"centres"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Centres) < 2 {
		t.Fatalf("report --json = %d %s", code, out)
	}
	for _, k := range []string{"id", "expected", "collected", "double_handovers", "items"} {
		if _, ok := rep.Centres[0][k]; !ok {
			t.Errorf("report --json lacks %q", k)
		}
	}
	_, out, _ = cli(t, dir, "terminal", "enrol", "--centre", "namur", "--json")
	var en map[string]string
	json.Unmarshal([]byte(out), &en)
	if _, err := protocol.ParseEnrolmentCode(en["enrolment_code"]); err != nil {
		t.Errorf("enrolment code %q: %v", en["enrolment_code"], err)
	}
}

// TestCLIBundleRoundTrip: a terminal's facts bundle imports, twice
// harmlessly; codes revoke works on an issued code.
func TestCLIBundleRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	reg, err := registry.Open(ctx, dir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg.AddCentre(ctx, pickup.Centre{ID: "namur", Name: "Namur"})
	reg.ImportRequests(ctx, pickup.DefaultCampaignID, strings.NewReader("professional_id,name,profession,centre_id\nP1,Anne,nurse,namur\n"))
	en, _ := reg.NewEnrolment(ctx, "namur", time.Hour)
	rid, _ := protocol.NewRequestID(nil)
	creds, err := reg.Enrol(ctx, &protocol.EnrolRequest{EnrolmentCode: en.Code.String(), RequestID: rid})
	if err != nil {
		t.Fatal(err)
	}
	var csvOut bytes.Buffer
	reg.WriteCodes(ctx, "namur", &csvOut, "")
	reg.Close()
	var code pickup.Code
	var window pickup.Window
	pickup.ReadPickupCSV(&csvOut, func(_ int, p pickup.Pickup) error { code, window = p.Code, p.Window; return nil })
	// Handed over in the code's (2020) pickup window: outside it, the
	// registry would flag the handover.
	at := window.Start.Time(time.UTC).Add(10 * time.Hour)

	id, _ := protocol.NewRequestID(nil)
	evID, _ := protocol.NewRequestID(nil)
	var buf bytes.Buffer
	bw, _ := protocol.NewBundleWriter(&buf, protocol.BundleHeader{Kind: protocol.BundleFacts, ID: id, DatasetID: creds.DatasetID,
		CentreID: "namur", TerminalID: creds.TerminalID, CreatedAt: time.Now()})
	bw.Push(&protocol.PushRequest{Events: []pickup.Event{{ID: evID, Type: pickup.EventHandover, TerminalID: creds.TerminalID,
		CentreID: "namur", At: at, Code: code, GloveSize: "L"}}})
	bw.Close(protocol.HMACSigner(creds.TerminalID, creds.Secret))
	file := registrytest.WriteFile(t, t.TempDir(), "facts.bundle", buf.String())

	if c, out, errs := cli(t, dir, "bundle", "import", file); c != 0 || !strings.Contains(out, "1 accepted") {
		t.Errorf("bundle import = %d %s %s", c, out, errs)
	}
	if c, out, errs := cli(t, dir, "bundle", "import", "--json", file); c != 0 || !strings.Contains(out, `"again": true`) {
		t.Errorf("bundle import again = %d %s %s", c, out, errs)
	}
	_, out, _ := cli(t, dir, "report", "--json")
	if !strings.Contains(out, `"collected": 1`) || !strings.Contains(out, `"size": "L"`) {
		t.Errorf("report after the bundle: %s", out)
	}
	if c, out, errs := cli(t, dir, "codes", "revoke", code.String()); c != 0 || strings.Contains(out, string(code)) {
		t.Errorf("codes revoke = %d %s %s (the code must not be printed whole)", c, out, errs)
	}
	if c, _, errs := cli(t, dir, "codes", "revoke", code.String()); c != 0 {
		t.Errorf("codes revoke twice = %d %s", c, errs)
	}
}

// TestHelpAndUsage: --help lists every command, a command's --help its
// flags, a wrong flag is a usage error (exit 2) that shows the usage.
func TestHelpAndUsage(t *testing.T) {
	t.Parallel()
	code, out, _ := cli(t, "", "--help")
	for _, want := range []string{"serve --listen ADDR", "centre add", "request import", "codes revoke CODE", "terminal enrol",
		"ship --centre ID", "report", "bundle export", "keys rotate", "completion"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("--help = exit %d, lacks %q:\n%s", code, want, out)
		}
	}
	if code, out, _ := cli(t, "", "ship", "--help"); code != 0 || !strings.Contains(out, "--qty int") || !strings.Contains(out, "--data string") {
		t.Errorf("ship --help = %d:\n%s", code, out)
	}
	code, out, errs := cli(t, "", "report", "--bogus")
	if code != 2 || out != "" || !strings.Contains(errs, "flag provided but not defined: --bogus") || !strings.Contains(errs, "Usage:") {
		t.Errorf("report --bogus = %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if code, _, errs := cli(t, "", "serve", "--json"); code != 2 || !strings.Contains(errs, "--json is not available") {
		t.Errorf("serve --json = %d %s", code, errs)
	}
	if code, _, errs := cli(t, ""); code != 2 || !strings.Contains(errs, "Usage:") {
		t.Errorf("no command = %d %s", code, errs)
	}
	if code, out, _ := cli(t, "", "--version"); code != 0 || !strings.HasPrefix(out, "pickup-registry ") || !strings.Contains(out, "(commit ") {
		t.Errorf("--version = %d %q", code, out)
	}
	if code, out, _ := cli(t, "", "completion", "bash"); code != 0 || !strings.Contains(out, "pickup-registry") || len(out) < 1000 {
		t.Errorf("completion bash = %d, %d bytes", code, len(out))
	}
	if code, out, _ := cli(t, "", "__complete", "ship", "--item", ""); code != 0 || !strings.Contains(out, "ffp2_masks") {
		t.Errorf("completion of ship --item = %d %q", code, out)
	}
	man := t.TempDir()
	if code, _, errs := cli(t, "", "docs", "--out", man); code != 0 {
		t.Fatalf("docs = %d %s", code, errs)
	}
	if b, err := os.ReadFile(filepath.Join(man, "pickup-registry-centre-add.1")); err != nil || !strings.Contains(string(b), "add a distribution centre") {
		t.Errorf("man page of centre add: %v %.200s", err, b)
	}
}

// TestParse: flags and arguments land in a command's options wherever
// they stand, without running it.
func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want shipOptions
	}{
		{[]string{"ship", "--centre", "namur", "--item", "gloves", "--size", "M", "--qty", "10"},
			shipOptions{globals: &globals{data: "D"}, shipment: protocol.Shipment{CentreID: "namur", Item: "gloves", Size: "M", Qty: 10}}},
		{[]string{"--data", "E", "--json", "ship", "--qty=5", "--item", "masks", "--centre", "gent", "--ref", "R1"},
			shipOptions{globals: &globals{data: "E", json: true}, shipment: protocol.Shipment{CentreID: "gent", Item: "masks", Qty: 5, Ref: "R1"}}},
	}
	for _, tt := range tests {
		g := &globals{stdout: io.Discard, stderr: io.Discard}
		root := newRoot(g)
		root.PersistentFlags().Set("data", "D")
		got := &shipOptions{globals: g}
		if code := cmdkit.ParseWith(root, newCmdShip(got), tt.args); code != 0 {
			t.Fatalf("%q: exit %d", tt.args, code)
		}
		if got.shipment != tt.want.shipment || got.data != tt.want.data || got.json != tt.want.json {
			t.Errorf("%q parsed to %+v (data %q json %v), want %+v (data %q json %v)", tt.args, got.shipment, got.data, got.json,
				tt.want.shipment, tt.want.data, tt.want.json)
		}
	}
}

// TestNoWriteThroughLinks: the files the registry writes (codes --out,
// the QR images of codes --qr-dir, bundle export) never replace a
// symbolic link planted at their name, nor what it points to.
func TestNoWriteThroughLinks(t *testing.T) {
	t.Parallel()
	dir, files := t.TempDir(), t.TempDir()
	reqs := registrytest.WriteFile(t, files, "requests.csv", "professional_id,name,profession,centre_id\nP1,Anne Dupont,physiotherapist,namur\n")
	for _, args := range [][]string{
		{"centre", "add", "--id", "namur", "--name", "Namur"},
		{"request", "import", "--campaign", pickup.DefaultCampaignID, reqs},
	} {
		if code, _, errs := cli(t, dir, args...); code != 0 {
			t.Fatalf("%v = %d %s", args, code, errs)
		}
	}
	_, csvOut, _ := cli(t, dir, "codes", "--centre", "namur")
	var code pickup.Code
	pickup.ReadPickupCSV(strings.NewReader(csvOut), func(_ int, p pickup.Pickup) error { code = p.Code; return nil })
	if code == "" {
		t.Fatalf("no code in %q", csvOut)
	}
	victim := registrytest.WriteFile(t, files, "victim", "keep me")
	qrDir := filepath.Join(files, "qr")
	os.Mkdir(qrDir, 0o700)
	for _, link := range []string{filepath.Join(files, "codes.csv"), filepath.Join(qrDir, string(code)+".png"), filepath.Join(files, "namur.bundle")} {
		if err := os.Symlink(victim, link); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"codes", "--centre", "namur", "--out", filepath.Join(files, "codes.csv")},
		{"codes", "--centre", "namur", "--qr-dir", qrDir},
		{"bundle", "export", "--centre", "namur", filepath.Join(files, "namur.bundle")},
	} {
		if c, _, errs := cli(t, dir, args...); c != 2 || !strings.Contains(errs, "not a regular file") {
			t.Errorf("%v over a symlink = exit %d %s, want 2 and a refusal", args, c, errs)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("the symlink's target was written: %q", b)
	}
}

// TestImportProblemsInEnvLanguage: request import lists the problems in
// the environment's language (--lang being the letters').
func TestImportProblemsInEnvLanguage(t *testing.T) {
	t.Setenv("PICKUP_LANG", "de")
	dir, files := t.TempDir(), t.TempDir()
	if code, out, errs := cli(t, dir, "demo", "--centres", "1", "--requests", "1"); code != 0 {
		t.Fatalf("demo: %s %s", out, errs)
	}
	reqs := registrytest.WriteFile(t, files, "r.csv", "professional_id,name,profession,centre_id\n"+
		"P1,Anne Dupont,physiotherapist,namur\nP1,Anne Dupont,physiotherapist,mars\n")
	code, out, errs := cli(t, dir, "request", "import", "--lang", "fr", "--campaign", pickup.DefaultCampaignID, reqs)
	if code != 1 || !strings.Contains(out, "Zeile 3: Fachkraft P1 steht zweimal in der Datei (zuerst in Zeile 2)") ||
		!strings.Contains(out, `Zentrum "mars" unbekannt`) {
		t.Errorf("request import with PICKUP_LANG=de: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}
