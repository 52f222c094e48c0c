package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/campaigntest"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// pilotCampaignJSON is a campaign the administration writes: nurses pick
// up from three days ago, dietitians from next week.
func pilotCampaignJSON(day pickup.Date) string { return campaigntest.Pilot("pilot-winter", day) }

// The administration's own campaign reaches the counters: imported with
// phases around today, requests imported for it, codes issued; an enrolled
// counter answers ok for the open phase today and "not yet open" for the
// next one, and hands over.
func TestOwnCampaignReachesCounter(t *testing.T) {
	t.Parallel()
	files := t.TempDir()
	today := pickup.DateOf(time.Now())
	reg := newRegistry(t)
	reg.must(t, "centre", "add", "--id", "namur", "--name", "Croix-Rouge Namur", "--address", "Rue de Fer 68, 5000 Namur", "--hours", "Mon-Fri 9:00-17:00")
	out := reg.must(t, "campaign", "import", registrytest.WriteFile(t, files, "pilot.json", pilotCampaignJSON(today))).stdout
	if !strings.Contains(out, "campaign pilot-winter added") {
		t.Errorf("campaign import printed %q", out)
	}

	// A file with three bad rows lists all three and imports nothing,
	// in text and in JSON.
	bad := registrytest.WriteFile(t, files, "bad.csv", "professional_id,name,profession,centre_id,lang\n"+
		"N1,Anne Dupont,nurse,namur,fr\n"+
		"N2,Jan Peeters,astronaut,namur,nl\n"+
		"N3,Erik Schmitz,nurse,mars,de\n"+
		"N4,Lotte Maes,nurse,namur,nl\n"+
		"N1,Anne Dupont,nurse,namur,fr\n")
	res := reg.cli(t, "request", "import", "--campaign", "pilot-winter", bad)
	if res.code != 1 {
		t.Errorf("import of a bad file: %s; want exit 1", res)
	}
	for _, want := range []string{"line 3:", `"astronaut"`, "line 4:", `"mars"`, "line 6:", "twice", "nothing imported"} {
		if !strings.Contains(res.stdout+res.stderr, want) {
			t.Errorf("import of a bad file does not say %q:\n%s%s", want, res.stdout, res.stderr)
		}
	}
	var report struct {
		Imported int `json:"imported"`
		Problems []struct {
			Line int `json:"line"`
		} `json:"problems"`
	}
	res = reg.cli(t, "request", "import", "--json", "--campaign", "pilot-winter", bad)
	decodeJSON(t, res, &report)
	if res.code != 1 || report.Imported != 0 || len(report.Problems) != 3 ||
		report.Problems[0].Line != 3 || report.Problems[1].Line != 4 || report.Problems[2].Line != 6 {
		t.Errorf("import --json of a bad file: exit %d, %+v; want lines 3, 4, 6", res.code, report)
	}
	if codes := reg.must(t, "codes", "--centre", "namur").stdout; strings.Count(codes, "\n") != 1 {
		t.Errorf("a refused file issued codes:\n%s", codes)
	}

	// The good file.
	good := registrytest.WriteFile(t, files, "good.csv", "professional_id,name,profession,centre_id,lang\n"+
		"N1,Anne Dupont,nurse,namur,fr\n"+
		"N2,Lotte Maes,nurse,namur,nl\n"+
		"D1,Jan Peeters,dietitian,namur,nl\n")
	res = reg.cli(t, "request", "import", "--json", "--campaign", "pilot-winter", good)
	decodeJSON(t, res, &report)
	if res.code != 0 || report.Imported != 3 {
		t.Fatalf("import of the good file: %s, %+v", res, report)
	}
	var nurses, dietitians []pickup.Code
	err := pickup.ReadPickupCSV(strings.NewReader(reg.must(t, "codes", "--centre", "namur").stdout), func(_ int, p pickup.Pickup) error {
		switch p.Profession {
		case "nurse":
			nurses = append(nurses, p.Code)
		case "dietitian":
			dietitians = append(dietitians, p.Code)
		}
		return nil
	})
	if err != nil || len(nurses) != 2 || len(dietitians) != 1 {
		t.Fatalf("codes: %d nurses, %d dietitians, %v", len(nurses), len(dietitians), err)
	}

	reg.start(t)
	tm := enrol(t, reg, reg.URL(), "namur", "A")
	tm.receive(t, "gloves", "M", 1000)
	tm.receive(t, "masks", "", 1000)
	tm.mustSync(t)
	for _, c := range nurses {
		if v := tm.lookup(t, c); v.Verdict != string(pickup.VerdictOK) {
			t.Errorf("nurse's code of the open phase: %s, want ok", v.Verdict)
		}
	}
	if v := tm.lookup(t, dietitians[0]); v.Verdict != string(pickup.VerdictNotYetOpen) {
		t.Errorf("dietitian's code of the next phase: %s, want not_yet_open", v.Verdict)
	}
	h := tm.handover(t, nurses[0])
	items := map[string]int{}
	for _, l := range h.Items {
		items[l.Item+l.Size] += l.Qty
	}
	if items["glovesM"] != 200 || items["masks"] != 100 {
		t.Errorf("handed over %v, want the campaign's parcel: 200 gloves M and 100 masks", h.Items)
	}
	tm.mustSync(t)
	if got := reg.report(t).centre("namur").Collected; got != 1 {
		t.Errorf("registry report: %d collected, want 1", got)
	}

	// The administration brings the second phase forward: the counter
	// learns it at its next sync, and the dietitian may come today.
	earlier := strings.Replace(pilotCampaignJSON(today), fmt.Sprintf(`"start": %q`, today.AddDays(7)), fmt.Sprintf(`"start": %q`, today), 1)
	out = reg.must(t, "campaign", "import", registrytest.WriteFile(t, files, "pilot2.json", earlier)).stdout
	if !strings.Contains(out, "1 pickup(s) moved") {
		t.Errorf("campaign update printed %q, want 1 pickup moved", out)
	}
	tm.mustSync(t)
	if v := tm.lookup(t, dietitians[0]); v.Verdict != string(pickup.VerdictOK) {
		t.Errorf("dietitian's code after the phase moved to today: %s, want ok", v.Verdict)
	}
}

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

	out := reg.must(t, "schedule", "--weeks", "3", "--csv").stdout
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
	table := reg.must(t, "schedule", "--weeks", "3").stdout
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
	if err := sqliteRO(t, tm.db()).QueryRow("SELECT value FROM settings WHERE key = 'coming_weeks'").Scan(&text); err != nil {
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
