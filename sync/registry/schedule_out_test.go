package registry

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
)

// figures flattens a schedule into "week/centre/what" → figure, the way
// each output is read back.
func scheduleFigures(sch *Schedule) map[string]string {
	out := map[string]string{}
	for _, wk := range sch.Weeks {
		for _, c := range wk.Centres {
			k := wk.Week + "/" + c.CentreID + "/"
			out[k+"parcels"] = FormatParcels(c.Parcels)
			out[k+"basis"] = c.Pace + " " + c.Sizes
			for _, g := range c.Groups {
				out[k+"group "+g.Profession] = FormatParcels(g.Parcels)
			}
			for _, it := range c.Items {
				out[k+"item "+itemLabel(it.Item, it.Size)] = strconv.Itoa(it.Qty)
			}
		}
	}
	return out
}

func TestScheduleOutputsAgree(t *testing.T) {
	w := newSchedWorld(t)
	sch, err := w.f.reg.Schedule(w.f.ctx, ScheduleOptions{From: pickup.MustDate("2020-11-16"), Weeks: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := scheduleFigures(sch)
	if len(want) < 30 {
		t.Fatalf("only %d figures: the world is too small to compare outputs", len(want))
	}

	// JSON: decoded back, the same figures.
	b, err := json.Marshal(sch)
	if err != nil {
		t.Fatal(err)
	}
	var back Schedule
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := scheduleFigures(&back); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("JSON figures differ:\n got %v\nwant %v", got, want)
	}

	// CSV: a BOM, ';', decimal commas, and the same figures.
	text, ok := strings.CutPrefix(written(t, func(w io.Writer) error { return WriteScheduleCSV(w, sch) }), "\ufeff")
	if !ok {
		t.Fatal("CSV does not start with a UTF-8 BOM")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ";") != strings.Join(ScheduleCSVHeader, ";") {
		t.Fatalf("CSV header %v", rows[0])
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	got := map[string]string{}
	for _, row := range rows[1:] {
		k := row[col["week"]] + "/" + row[col["centre_id"]] + "/"
		q := strings.Replace(row[col["quantity"]], ",", ".", 1)
		got[k+"basis"] = row[col["pace"]] + " " + row[col["sizes"]]
		switch row[col["kind"]] {
		case "parcels":
			got[k+"parcels"] = q
			if !strings.Contains(row[col["quantity"]], ",") {
				t.Errorf("parcels %q: want a decimal comma", row[col["quantity"]])
			}
		case "group":
			got[k+"group "+row[col["profession"]]] = q
		case "item":
			got[k+"item "+itemLabel(row[col["item"]], row[col["size"]])] = q
		default:
			t.Errorf("CSV row of kind %q", row[col["kind"]])
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CSV figures differ:\n got %v\nwant %v", got, want)
	}

	// The table: every figure on its centre's lines of its week.
	table := written(t, func(w io.Writer) error { return WriteScheduleTable(w, sch) })
	for _, wk := range sch.Weeks {
		i := strings.Index(table, "\n"+wk.Week+": ")
		if i < 0 {
			t.Fatalf("table has no week %s:\n%s", wk.Week, table)
		}
		part := table[i+1:]
		if j := strings.Index(part, "\n20"); j > 0 {
			part = part[:j]
		}
		for _, c := range wk.Centres {
			if !strings.Contains(part, fmt.Sprintf("%s (%s): %s parcels expected", c.CentreID, c.CentreName, FormatParcels(c.Parcels))) {
				t.Errorf("table, %s %s: no line with %s parcels", wk.Week, c.CentreID, FormatParcels(c.Parcels))
			}
			cpart := part[strings.Index(part, "  "+c.CentreID+" ("):]
			if j := strings.Index(cpart[1:], "\n\n"); j > 0 {
				cpart = cpart[:j+1]
			}
			for _, g := range c.Groups {
				if !lineWith(cpart, g.Name, FormatParcels(g.Parcels)) {
					t.Errorf("table, %s %s: no line with group %s and %s parcels", wk.Week, c.CentreID, g.Name, FormatParcels(g.Parcels))
				}
			}
			for _, it := range c.Items {
				if !lineWith(cpart, itemLabel(it.Item, it.Size)+" ", strconv.Itoa(it.Qty)) {
					t.Errorf("table, %s %s: no line with %s %d", wk.Week, c.CentreID, itemLabel(it.Item, it.Size), it.Qty)
				}
			}
		}
	}
}

// lineWith reports whether a line of text holds both a label and, as its
// last field, a figure.
// written returns what write writes, failing the test on its error.
func written(t *testing.T, write func(io.Writer) error) string {
	t.Helper()
	var b strings.Builder
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func lineWith(text, label, figure string) bool {
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if strings.Contains(l, label) && len(f) > 0 && f[len(f)-1] == figure {
			return true
		}
	}
	return false
}

func TestPlanCSVAndExcelText(t *testing.T) {
	w := newSchedWorld(t)
	if err := w.f.reg.AddCentre(w.f.ctx, pickup.Centre{ID: "evil", Name: "=HYPERLINK(\"http://x\")"}); err != nil {
		t.Fatal(err)
	}
	insertRequest(t, w.f.reg, &schedReq{centre: "evil", campaign: pickup.DefaultCampaignID, profession: "pharmacist", kind: "masks_only",
		start: "2020-11-16", end: "2020-11-22"})
	p, err := w.f.reg.ShipmentPlan(w.f.ctx, ScheduleOptions{From: pickup.MustDate("2020-11-16"), Weeks: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(written(t, func(w io.Writer) error { return WritePlanCSV(w, p) }), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, wk := range p.Weeks {
		for _, c := range wk.Centres {
			for _, l := range c.Lines {
				want[wk.Week+"/"+c.CentreID+"/"+itemLabel(l.Item, l.Size)] = fmt.Sprint(l.Need, l.Available, l.Ship)
			}
		}
	}
	got := map[string]string{}
	for _, row := range rows[1:] {
		got[row[0]+"/"+row[3]+"/"+itemLabel(row[5], row[6])] = row[7] + " " + row[8] + " " + row[9]
		if row[3] == "evil" && !strings.HasPrefix(row[4], "'=") {
			t.Errorf("centre name %q reaches Excel as a formula", row[4])
		}
	}
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("plan CSV:\n got %v\nwant %v", got, want)
	}
	table := written(t, func(w io.Writer) error { return WritePlanTable(w, p) })
	for _, wk := range p.Weeks {
		part := table[strings.Index(table, "\n"+wk.Week+": "):]
		if j := strings.Index(part[1:], "\n20"); j > 0 {
			part = part[:j+1]
		}
		for _, c := range wk.Centres {
			for _, l := range c.Lines {
				want := strings.Join(append([]string{c.CentreID}, strings.Fields(fmt.Sprintf("%s %d %d %d", itemLabel(l.Item, l.Size), l.Need, l.Available, l.Ship))...), " ")
				if l.Box > 0 {
					want += " " + strconv.Itoa(l.Box)
				}
				found := false
				for _, line := range strings.Split(part, "\n") {
					found = found || strings.Join(strings.Fields(line), " ") == want
				}
				if !found {
					t.Errorf("plan table, %s: no line %q", wk.Week, want)
				}
			}
		}
	}
}

func TestSchedulePDF(t *testing.T) {
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	w := newSchedWorld(t)
	sch, err := w.f.reg.Schedule(w.f.ctx, ScheduleOptions{From: pickup.MustDate("2020-11-16"), Weeks: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, title, week, parcels string }{
		{"fr", "Planning des retraits", "Semaine 47 : du 16 novembre 2020 au 22 novembre 2020", "17,9"},
		{"nl", "Afhaalplanning", "Week 47: 16 november 2020 tot 22 november 2020", "17,9"},
		{"de", "Abholplan", "Woche 47: 16. November 2020 bis 22. November 2020", "17,9"},
		{"en", "Pickup schedule", "Week 47: 16 November 2020 to 22 November 2020", "17.9"},
	} {
		pdf := written(t, func(w io.Writer) error { return RenderSchedulePDF(w, sch, tc.lang) })
		file := filepath.Join(t.TempDir(), "schedule-"+tc.lang+".pdf")
		if err := os.WriteFile(file, []byte(pdf), 0o600); err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("PICKUP_SCHEDULE_PDF_DIR"); dir != "" {
			os.WriteFile(filepath.Join(dir, "schedule-"+tc.lang+".pdf"), []byte(pdf), 0o644)
		}
		out := runTool(t, pdftotext, "-enc", "UTF-8", file, "-")
		text := spaces.ReplaceAllString(strings.ReplaceAll(out, "\u00a0", " "), " ")
		for _, want := range []string{tc.title, tc.week, "Croix-Rouge Namur *", "Rode Kruis Gent", tc.parcels, "5" + map[string]string{"en": ",", "fr": " ", "nl": ".", "de": "."}[tc.lang] + "639"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the PDF does not say %q:\n%s", tc.lang, want, text)
			}
		}
		if got := strings.Count(text, scheduleT(tc.lang, "title")); got < 3 {
			t.Errorf("%s: the title appears %d times, want once per week (3)", tc.lang, got)
		}
	}
}
