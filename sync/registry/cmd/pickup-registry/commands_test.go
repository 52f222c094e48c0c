package main

// Tests of single commands, run in-process (cli, cliIn).

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// config recommended-version shows, sets, refuses and clears the version
// the registry recommends to its counters.
func TestConfigRecommendedVersion(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"config", "recommended-version"}, 0, "no version recommended"},
		{[]string{"config", "recommended-version", "0.2.0"}, 0, "version 0.2.0 recommended"},
		{[]string{"config", "recommended-version", "--json"}, 0, `"recommended_version": "0.2.0"`},
		{[]string{"config", "recommended-version", "v0.3;rm"}, 1, "refused"},
		{[]string{"config", "recommended-version"}, 0, "version 0.2.0 recommended"},
		{[]string{"config", "recommended-version", "0.3.0", "--clear"}, 2, "not both"},
		{[]string{"config", "recommended-version", "0.3.0", "0.4.0"}, 2, "at most one"},
		{[]string{"config", "recommended-version", "--clear"}, 0, "no version recommended"},
	} {
		code, out, errs := cli(t, dir, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d, %q %q; want exit %d and %q", c.args, code, out, errs, c.code, c.want)
		}
	}
}

// terminal enrol --url --qr prints the one-line enrolment text and writes
// it as a QR code (0600) that decodes to the same text.
func TestTerminalEnrolURIAndQR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errs := cli(t, dir, "centre", "add", "--id", "namur", "--name", "Namur"); code != 0 {
		t.Fatal(errs)
	}
	qr := filepath.Join(t.TempDir(), "enrol.png")
	code, out, errs := cli(t, dir, "terminal", "enrol", "--centre", "namur", "--url", "http://127.0.0.1:8080", "--qr", qr, "--json")
	if code != 0 {
		t.Fatalf("terminal enrol: %d %s %s", code, out, errs)
	}
	var got struct {
		Code string `json:"enrolment_code"`
		URI  string `json:"enrolment_uri"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	u, err := protocol.ParseEnrolmentURI(got.URI)
	if err != nil || u.URL != "http://127.0.0.1:8080" || u.Code.String() != got.Code {
		t.Fatalf("enrolment_uri %q = %+v %v, want the code %s at http://127.0.0.1:8080", got.URI, u, err, got.Code)
	}
	fi, err := os.Stat(qr)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("QR file: %v %v, want 0600", fi, err)
	}
	f, err := os.Open(qr)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The file is a clean rendering, so it is read as one: ZXing's finder
	// search alone fails on about one such image in 130 (15 of 2,000 random
	// codes: a wrong symbol dimension), which is ZXing's, not the file's.
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil || res.GetText() != got.URI {
		t.Fatalf("QR decodes to %v %v, want %q", res, err, got.URI)
	}
	if code, _, errs := cli(t, dir, "terminal", "enrol", "--centre", "namur", "--qr", qr); code != 2 {
		t.Errorf("--qr without --url: %d %s, want a usage error", code, errs)
	}
}

// ship --plan shows the shipments, asks, and records them in one step
// only when told yes; the plan then has nothing more to ship.
func TestShipPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The demo ships gloves by a guessed size mix; with no size chosen
	// anywhere yet the schedule splits gloves evenly, so some size runs
	// short within eight weeks.
	if code, _, errs := cliIn(t, dir, "", "demo", "--centres", "2", "--requests", "400"); code != 0 {
		t.Fatalf("demo: %d %s", code, errs)
	}
	week := "" // eight weeks from now
	code, out, errs := cliIn(t, dir, "", "plan", "--weeks", "8", "--json")
	if code != 0 {
		t.Fatalf("plan --json: %d %s", code, errs)
	}
	var plan struct {
		Weeks []struct {
			Week    string `json:"week"`
			Centres []struct {
				Lines []struct {
					Ship int `json:"ship"`
				} `json:"lines"`
			} `json:"centres"`
		} `json:"weeks"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan.Weeks) != 8 {
		t.Fatalf("plan --json: %v, %d weeks", err, len(plan.Weeks))
	}
	week = plan.Weeks[7].Week
	planned := 0
	for _, w := range plan.Weeks {
		for _, c := range w.Centres {
			for _, l := range c.Lines {
				planned += l.Ship
			}
		}
	}
	if planned == 0 {
		t.Fatal("the plan ships nothing in eight weeks: the test shows nothing")
	}

	// No answer, or no: nothing recorded, exit 1.
	for _, in := range []string{"", "n\n", "maybe\n"} {
		code, out, _ = cliIn(t, dir, in, "ship", "--plan", week)
		if code != 1 || !strings.Contains(out, "record these") || !strings.Contains(out, "nothing recorded") {
			t.Errorf("ship --plan with answer %q: exit %d\n%s", in, code, out)
		}
	}
	if code, _, _ = cliIn(t, dir, "", "ship", "--plan", week, "--json"); code != 2 {
		t.Errorf("ship --plan --json without --yes: exit %d, want 2 (a script cannot answer)", code)
	}
	if code, _, _ = cliIn(t, dir, "", "ship", "--plan", "2020-W99"); code != 2 {
		t.Errorf("ship --plan 2020-W99: exit %d, want 2", code)
	}
	// Dry run: shown, not recorded.
	code, out, _ = cliIn(t, dir, "", "ship", "--plan", week, "--dry-run", "--json")
	var res struct {
		Recorded  bool `json:"recorded"`
		Shipments []struct {
			ID  string `json:"id"`
			Qty int    `json:"qty"`
		} `json:"shipments"`
	}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Recorded || len(res.Shipments) == 0 {
		t.Fatalf("ship --plan --dry-run --json: exit %d, %v, %+v", code, err, res)
	}
	total := 0
	for _, s := range res.Shipments {
		total += s.Qty
	}
	if total != planned {
		t.Errorf("ship --plan %s would ship %d units, the plan through that week %d", week, total, planned)
	}
	// Yes: recorded in one step.
	code, out, _ = cliIn(t, dir, "y\n", "ship", "--plan", week)
	if code != 0 || !strings.Contains(out, "shipments recorded") {
		t.Fatalf("ship --plan, yes: exit %d\n%s", code, out)
	}
	code, out, _ = cliIn(t, dir, "", "ship", "--plan", week, "--yes", "--json")
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || len(res.Shipments) != 0 {
		t.Errorf("ship --plan again: exit %d, %v, %d shipments; want nothing more to ship", code, err, len(res.Shipments))
	}
	code, out, _ = cliIn(t, dir, "", "plan", "--weeks", "8", "--csv")
	if code != 0 || !strings.HasPrefix(out, "\ufeffweek;") {
		t.Errorf("plan --csv: exit %d, %.40q", code, out)
	}
}

func TestOperatorCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, stdin string
		args        []string
		want        int
		say         string
	}{
		{"add", "a long passphrase\n", []string{"operator", "add", "--name", "anne"}, 0, "operator anne added"},
		{"add twice", "another passphrase\n", []string{"operator", "add", "--name", "anne"}, 1, "already exists"},
		{"short password", "short\n", []string{"operator", "add", "--name", "bert"}, 1, "shorter than 12"},
		{"no password", "", []string{"operator", "add", "--name", "bert"}, 2, "no password on standard input"},
		{"bad name", "a long passphrase\n", []string{"operator", "add", "--name", "bert smith"}, 1, "operator name"},
		{"no name", "a long passphrase\n", []string{"operator", "add"}, 2, "name"},
		{"second", "bert's passphrase\r\n", []string{"operator", "add", "--name", "bert"}, 0, "operator bert added"},
		{"list", "", []string{"operator", "list"}, 0, "anne"},
		{"remove", "", []string{"operator", "remove", "bert"}, 0, "operator bert removed"},
		{"remove twice", "", []string{"operator", "remove", "bert"}, 1, "not found"},
	}
	for _, tc := range tests {
		code, out, errs := cliIn(t, dir, tc.stdin, tc.args...)
		if code != tc.want || !strings.Contains(out+errs, tc.say) {
			t.Errorf("%s: %v = %d %q %q, want %d saying %q", tc.name, tc.args, code, out, errs, tc.want, tc.say)
		}
		if strings.Contains(out+errs, "passphrase") {
			t.Errorf("%s: the password is printed", tc.name)
		}
	}
	code, out, _ := cliIn(t, dir, "", "operator", "list", "--json")
	var v struct {
		Operators []struct {
			Name     string `json:"name"`
			Sessions int    `json:"sessions"`
		} `json:"operators"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v.Operators) != 1 || v.Operators[0].Name != "anne" {
		t.Errorf("operator list --json = %d %s", code, out)
	}
}
