package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The administration's schedule through the real binaries: --json, --csv
// and the table give the same figures; a counter of a centre syncs and
// keeps that centre's coming weeks for its Today panel.
func TestScheduleCommandAndCounterWeeks(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	reg.must(t, "demo", "--centres", "3", "--requests", "600")

	var sch struct {
		Weeks []struct {
			Week    string `json:"week"`
			Centres []struct {
				CentreID string  `json:"centre_id"`
				Parcels  float64 `json:"parcels"`
				Items    []struct {
					Item string `json:"item"`
					Size string `json:"size"`
					Qty  int    `json:"qty"`
				} `json:"items"`
			} `json:"centres"`
		} `json:"weeks"`
	}
	decodeJSON(t, reg.cli(t, "schedule", "--weeks", "3", "--json"), &sch)
	if len(sch.Weeks) != 3 || len(sch.Weeks[0].Centres) != 3 {
		t.Fatalf("schedule --json: %d weeks, %d centres in the first; want 3 and 3", len(sch.Weeks), len(sch.Weeks[0].Centres))
	}
	fromJSON := map[string]string{}
	for _, w := range sch.Weeks {
		for _, c := range w.Centres {
			fromJSON[w.Week+"/"+c.CentreID+"/parcels"] = strconv.FormatFloat(c.Parcels, 'f', 1, 64)
			for _, it := range c.Items {
				fromJSON[w.Week+"/"+c.CentreID+"/"+it.Item+it.Size] = strconv.Itoa(it.Qty)
			}
		}
	}

	out := reg.must(t, "schedule", "--weeks", "3", "--csv")
	if !strings.HasPrefix(out, "\ufeff") {
		t.Fatal("schedule --csv does not start with a UTF-8 BOM")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("schedule --csv: %v", err)
	}
	fromCSV := map[string]string{}
	for _, row := range rows[1:] {
		k := row[0] + "/" + row[3] + "/"
		q := strings.Replace(row[14], ",", ".", 1)
		switch row[7] {
		case "parcels":
			fromCSV[k+"parcels"] = q
		case "item":
			fromCSV[k+row[12]+row[13]] = q
		}
	}
	if fmt.Sprint(fromCSV) != fmt.Sprint(fromJSON) {
		t.Errorf("schedule --csv and --json differ:\n csv %v\njson %v", fromCSV, fromJSON)
	}
	table := reg.must(t, "schedule", "--weeks", "3")
	for _, w := range sch.Weeks {
		for _, c := range w.Centres {
			if want := fmt.Sprintf("%s (", c.CentreID); !strings.Contains(table, want) {
				t.Errorf("table has no line for %s", c.CentreID)
			}
			if want := strconv.FormatFloat(c.Parcels, 'f', 1, 64) + " parcels expected"; !strings.Contains(table, want) {
				t.Errorf("table does not say %q", want)
			}
		}
	}
	pdf := filepath.Join(t.TempDir(), "schedule.pdf")
	if res := reg.cli(t, "schedule", "--weeks", "2", "--pdf", pdf, "--lang", "nl"); res.code != 0 || !strings.Contains(res.stdout, pdf) {
		t.Errorf("schedule --pdf: %s", res)
	}
	if res := reg.cli(t, "schedule", "--weeks", "0"); res.code != 2 {
		t.Errorf("schedule --weeks 0: %s; want a usage error (2)", res)
	}
	if res := reg.cli(t, "schedule", "--centre", "nowhere"); res.code != 1 {
		t.Errorf("schedule --centre nowhere: %s; want not found (1)", res)
	}

	// A counter of namur syncs and keeps namur's coming weeks.
	reg.start(t)
	tm := enrol(t, reg, reg.URL(), "namur", "A")
	tm.mustSync(t)
	var text string
	if err := sqliteRO(t, filepath.Join(tm.dir, "pickup.db")).QueryRow("SELECT value FROM settings WHERE key = 'coming_weeks'").Scan(&text); err != nil {
		t.Fatalf("the counter kept no coming weeks: %v", err)
	}
	var weeks []struct {
		Week    string  `json:"week"`
		Parcels float64 `json:"parcels"`
	}
	if err := json.Unmarshal([]byte(text), &weeks); err != nil || len(weeks) != 4 {
		t.Fatalf("coming weeks %q: %v; want 4 weeks", text, err)
	}
	if got, want := strconv.FormatFloat(weeks[0].Parcels, 'f', 1, 64), fromJSON[weeks[0].Week+"/namur/parcels"]; got != want {
		t.Errorf("the counter's week %s: %s parcels, the registry's schedule %s", weeks[0].Week, got, want)
	}
}
