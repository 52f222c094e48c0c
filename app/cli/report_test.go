package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
)

// runAt runs a command with the clock at now.
func runAt(t *testing.T, now time.Time, args ...string) runResult {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "LANG" {
			return "en_US.UTF-8"
		}
		return ""
	}, Now: func() time.Time { return now }}
	code := Run(context.Background(), args, env)
	return runResult{code, out.String(), errb.String()}
}

// reportDay is a terminal with a day of handovers at several hours, of
// both parcel kinds, several professions and glove sizes, an undo, a
// reception and a count; it returns the folder and the day.
func reportDay(t *testing.T) (string, pickup.Date, time.Time) {
	t.Helper()
	dir := t.TempDir()
	day := pickup.DateOf(time.Now())
	at := func(h, m int) time.Time { return time.Date(day.Year, day.Month, day.Day, h, m, 0, 0, time.Local) }
	must := func(now time.Time, args ...string) runResult {
		t.Helper()
		r := runAt(t, now, append([]string{"--data", dir, "--json"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s %s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}
	must(at(7, 0), "init", "--centre", "bru", "--name", "Croix-Rouge Bruxelles")
	var csv strings.Builder
	csv.WriteString("code,name,profession,parcel_kind,centre_id,window_start,window_end\n")
	people := []struct{ prof, kind string }{
		{"physiotherapist", "close_contact"}, {"physiotherapist", "close_contact"}, {"nurse", "close_contact"},
		{"nurse", "close_contact"}, {"pharmacist", "masks_only"}, {"pharmacist", "masks_only"}, {"midwife", "close_contact"},
	}
	for i, p := range people {
		fmt.Fprintf(&csv, "%s,Person %d,%s,%s,bru,%s,%s\n", code(i+1), i, p.prof, p.kind, day.AddDays(-3), day.AddDays(30))
	}
	list := filepath.Join(dir, "list.csv")
	os.WriteFile(list, []byte(csv.String()), 0o600)
	must(at(7, 1), "import-pickups", list)
	for _, sz := range []string{"S", "M", "L", "XL"} {
		must(at(7, 30), "stock", "receive", "--item", "gloves", "--size", sz, "--qty", "2000", "--ref", "D-1")
	}
	must(at(7, 31), "stock", "receive", "--item", "masks", "--qty", "5000", "--ref", "D-1")
	hand := []struct {
		n, h, m int
		size    string
	}{{1, 9, 5, "M"}, {2, 9, 40, "L"}, {3, 10, 15, "M"}, {5, 10, 20, ""}, {4, 13, 30, "S"}, {7, 15, 40, "XL"}, {6, 15, 45, ""}}
	var undo string
	for _, h := range hand {
		args := []string{"handover", code(h.n)}
		if h.size != "" {
			args = []string{"handover", "--glove-size", h.size, code(h.n)}
		}
		r := must(at(h.h, h.m), args...)
		if h.n == 6 {
			undo = jsonOf(t, r)["event_id"].(string)
		}
	}
	must(at(15, 46), "undo", undo)
	must(at(16, 0), "stock", "count", "--item", "gloves", "--size", "M", "--qty", "1990", "--reason", "weekly count")
	return dir, day, at(17, 0)
}

// TestReportEqualsStatusAndHandovers: the report's figures are those of
// `pickup status --json` and `pickup handovers --json` for the same day,
// and the three files hold them: the XLSX reopened with excelize, the
// PDF's text through pdftotext, the CSV for Belgian Excel.
func TestReportEqualsStatusAndHandovers(t *testing.T) {
	t.Parallel()
	dir, day, now := reportDay(t)
	st := jsonOf(t, runAt(t, now, "--data", dir, "--json", "status"))
	hr := runAt(t, now, "--data", dir, "--json", "handovers")
	var list struct{ Handovers []store.Handed }
	if err := json.Unmarshal([]byte(hr.stdout), &list); err != nil {
		t.Fatal(err)
	}
	// The figures the handover list gives for the day.
	hours := make([]int, 24)
	kinds, profs, sizes := map[string]int{}, map[string]int{}, map[string]int{}
	active, undone := 0, 0
	for _, h := range list.Handovers {
		if h.Undone {
			undone++
			continue
		}
		active++
		hours[h.At.In(time.Local).Hour()]++
		kinds[h.ParcelKind]++
		profs[h.Profession]++
		sizes[h.GloveSize]++
	}
	if active != 6 || undone != 1 {
		t.Fatalf("fixture: %d handovers, %d undone in the list", active, undone)
	}
	for _, format := range []string{"csv", "xlsx", "pdf"} {
		out := filepath.Join(dir, "report."+format)
		r := runAt(t, now, "--data", dir, "--json", "report", "--from", day.String(), "--out", out)
		if r.code != 0 {
			t.Fatalf("report %s: %d %s", format, r.code, r.stderr)
		}
		var got struct{ Report store.Report }
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		rep := got.Report
		if rep.Handovers != int(st["handed_over_today"].(float64)) || rep.Handovers != active || rep.Undone != undone {
			t.Errorf("%s: %d handovers, %d undone; status says %v, the list %d and %d", format, rep.Handovers, rep.Undone, st["handed_over_today"], active, undone)
		}
		if rep.Owed.Outstanding != int(st["owed"].(float64)) {
			t.Errorf("%s: %d codes owed, status says %v", format, rep.Owed.Outstanding, st["owed"])
		}
		if rep.Expected != int(st["expected"].(float64)) || rep.Collected != int(st["collected"].(float64)) || rep.ConflictCodes != int(st["conflicts"].(float64)) {
			t.Errorf("%s: expected/collected/conflicts %d/%d/%d, status %v/%v/%v", format, rep.Expected, rep.Collected, rep.ConflictCodes, st["expected"], st["collected"], st["conflicts"])
		}
		for h := range 24 {
			if rep.Hours[h] != hours[h] {
				t.Errorf("%s: hour %d: %d, the list %d", format, h, rep.Hours[h], hours[h])
			}
		}
		for _, k := range rep.Kinds {
			if k.Count != kinds[k.Key] {
				t.Errorf("%s: kind %s: %d, the list %d", format, k.Key, k.Count, kinds[k.Key])
			}
		}
		for _, p := range rep.Professions {
			if p.Count != profs[p.Profession] {
				t.Errorf("%s: profession %s: %d, the list %d", format, p.Profession, p.Count, profs[p.Profession])
			}
		}
		for _, g := range rep.GloveSizes {
			if g.Count != sizes[g.Key] {
				t.Errorf("%s: size %q: %d, the list %d", format, g.Key, g.Count, sizes[g.Key])
			}
		}
		if len(rep.Kinds) != len(kinds) || len(rep.Professions) != len(profs) || len(rep.GloveSizes) != len(sizes) {
			t.Errorf("%s: %d kinds, %d professions, %d sizes; the list %d, %d, %d", format, len(rep.Kinds), len(rep.Professions), len(rep.GloveSizes), len(kinds), len(profs), len(sizes))
		}
		stock := st["stock"].(map[string]any)
		for _, b := range rep.Stock {
			key := b.Item
			if b.Size != "" {
				key += "-" + b.Size
			}
			if float64(b.Closing) != stock[key] {
				t.Errorf("%s: %s closes at %d, status has %v", format, key, b.Closing, stock[key])
			}
			if b.Opening+b.Received-b.HandedOver-b.Lost+b.Counted != b.Closing {
				t.Errorf("%s: %s does not balance: %+v", format, key, b)
			}
			if key == "gloves-M" && (b.Opening != 0 || b.Received != 2000 || b.HandedOver <= 0 || b.Counted != 1990-2000+b.HandedOver || b.Closing != 1990) {
				t.Errorf("%s: gloves M = %+v, want 0 + 2000 − handed over ± the count = 1990", format, b)
			}
		}
		checkReportFile(t, format, out, rep)
	}
}

// checkReportFile checks that the file holds the report's totals.
func checkReportFile(t *testing.T, format, path string, rep store.Report) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	total := strconv.Itoa(rep.Handovers)
	var glovesM []string // the stock line of gloves M
	for _, b := range rep.Stock {
		if b.Item == "gloves" && b.Size == "M" {
			glovesM = []string{"Gloves", "M"}
			for _, n := range []int{b.Opening, b.Received, b.HandedOver, b.Lost, b.Counted, b.Closing} {
				glovesM = append(glovesM, strconv.Itoa(n))
			}
		}
	}
	switch format {
	case "csv":
		if !bytes.HasPrefix(b, []byte("\ufeff")) {
			t.Errorf("csv: no byte-order mark: %q", b[:min(len(b), 10)])
		}
		text := string(b)
		for _, want := range []string{"Parcels handed over;" + total, "Total;" + total + ";100,0", "\r\n"} {
			if !strings.Contains(text, want) {
				t.Errorf("csv: no %q in\n%s", want, text)
			}
		}
		if strings.Contains(text, ",M,") || !strings.Contains(text, strings.Join(glovesM, ";")) {
			t.Errorf("csv: the stock line of gloves M is not ';'-separated:\n%s", text)
		}
	case "xlsx":
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("xlsx does not open: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) < 7 {
			t.Errorf("xlsx: sheets %v, want one per section", sheets)
		}
		rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for i, r := range rows {
			if len(r) > 1 && r[0] == "Parcels handed over" {
				found = r[1] == total
				typ, _ := f.GetCellType(sheets[0], "B"+strconv.Itoa(i+1))
				if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Errorf("xlsx: the handovers cell is of type %v, not a number", typ)
				}
			}
		}
		if !found {
			t.Errorf("xlsx: summary has no handovers = %s: %v", total, rows)
		}
		rows, _ = f.GetRows("Stock", excelize.Options{RawCellValue: true})
		if !slicesHasRow(rows, glovesM) {
			t.Errorf("xlsx: stock sheet lacks gloves M: %v", rows)
		}
	case "pdf":
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext not installed (scripts/deps.sh --pdf-tools)")
		}
		out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := string(out)
		for _, want := range []string{"Parcels handed over", "Handovers per hour", "Stock balance per item and size", "1,990"} {
			if !strings.Contains(text, want) {
				t.Errorf("pdf: no %q in\n%s", want, text)
			}
		}
		if !strings.Contains(strings.Join(strings.Fields(text), " "), "Total "+total+" 100.0") {
			t.Errorf("pdf: no total line of %s in\n%s", total, text)
		}
	}
}

func slicesHasRow(rows [][]string, want []string) bool {
	for _, r := range rows {
		if strings.Join(r, "|") == strings.Join(want, "|") {
			return true
		}
	}
	return false
}

// TestImportSemicolonCSV: import-pickups of a ';'-separated list says so
// and imports nothing.
func TestImportSemicolonCSV(t *testing.T) {
	t.Parallel()
	dir := setUp(t)
	path := filepath.Join(dir, "excel.csv")
	os.WriteFile(path, []byte("\ufeffcode;name;profession;parcel_kind;centre_id;window_start;window_end\r\n"+code(9)+";A B;nurse;close_contact;bru;2020-11-09;2021-01-08\r\n"), 0o600)
	r := run(t, "--data", dir, "import-pickups", path)
	if r.code == 0 || !strings.Contains(r.stderr, "this file uses ';'") || strings.Contains(r.stderr, "lacks column") || !strings.Contains(r.stderr, "nothing was imported") {
		t.Errorf("import of a ';' file: exit %d, %s", r.code, r.stderr)
	}
	if st := jsonOf(t, run(t, "--data", dir, "--json", "status")); st["expected"] != 3.0 {
		t.Errorf("expected after the refused import = %v, want 3", st["expected"])
	}
}
