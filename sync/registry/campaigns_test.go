package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/campaigntest"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// pilotCampaign is a campaign file with two phases around day (see
// campaigntest.Pilot).
func pilotCampaign(id string, day pickup.Date) string { return campaigntest.Pilot(id, day) }

func TestImportCampaign(t *testing.T) {
	f := newFixture(t)
	today := pickup.DateOf(time.Now())
	res, err := f.reg.ImportCampaign(f.ctx, strings.NewReader(pilotCampaign("winter", today)))
	if err != nil || !res.Created || res.Campaign != "winter" {
		t.Fatalf("ImportCampaign = %+v, %v", res, err)
	}
	again, err := f.reg.ImportCampaign(f.ctx, strings.NewReader(pilotCampaign("winter", today)))
	if err != nil || again.Created || !again.Unchanged {
		t.Errorf("same file again = %+v, %v; want unchanged", again, err)
	}

	all, err := f.reg.Campaigns(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range all {
		ids = append(ids, fmt.Sprintf("%s/%v", c.ID, c.Builtin))
	}
	if got, want := strings.Join(ids, " "), "may2020-masks/true oct2020-strategic/true winter/false"; got != want {
		t.Errorf("campaigns = %s, want %s", got, want)
	}

	// Requests for it: each profession in its phase's window, the phase
	// and language stored.
	csv := "professional_id,name,profession,centre_id,lang\n" +
		"N1,Anne Dupont,nurse,namur,fr\n" +
		"D1,Jan Peeters,dietitian,gent,NL-be\n" +
		"N2,Erik Schmitz,Nurse,namur,\n"
	imp, err := f.reg.ImportRequestFile(f.ctx, RequestImport{Campaign: "winter", Lang: "de"}, strings.NewReader(csv))
	if err != nil || imp.Imported != 3 || imp.ByPhase["first"] != 2 || imp.ByPhase["second"] != 1 {
		t.Fatalf("ImportRequestFile = %+v, %v", imp, err)
	}
	rows, err := f.reg.r.Query("SELECT professional_id, phase, lang, window_start, window_end FROM pickups WHERE campaign_id = 'winter' ORDER BY professional_id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id, phase, lang, start, end string
		rows.Scan(&id, &phase, &lang, &start, &end)
		got = append(got, strings.Join([]string{id, phase, lang, start, end}, " "))
	}
	rows.Close()
	want := []string{
		fmt.Sprintf("D1 second nl %s %s", today.AddDays(7), today.AddDays(30)),
		fmt.Sprintf("N1 first fr %s %s", today.AddDays(-3), today.AddDays(30)),
		fmt.Sprintf("N2 first de %s %s", today.AddDays(-3), today.AddDays(30)),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pickups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A file for phase "first" refuses the dietitian.
	_, err = f.reg.ImportRequestFile(f.ctx, RequestImport{Campaign: "winter", Phase: "first"},
		strings.NewReader("professional_id,name,profession,centre_id\nD2,X,dietitian,namur\n"))
	var pe *ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 || !strings.Contains(pe.Problems[0].Message, `phase "second"`) {
		t.Errorf("dietitian in phase first: %v", err)
	}
	if _, err := f.reg.ImportRequestFile(f.ctx, RequestImport{Campaign: "winter", Phase: "third"}, strings.NewReader(csv)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown phase: %v, want not found", err)
	}

	// Figures per phase.
	d, err := f.reg.CampaignInfo(f.ctx, "winter")
	if err != nil {
		t.Fatal(err)
	}
	if d.Requests != 3 || len(d.Phases) != 2 || d.Phases[0].Requests != 2 || d.Phases[0].State != PhasePickupOpen ||
		d.Phases[1].State != PhaseRequestsOpen || d.ImportedAt == nil {
		t.Errorf("CampaignInfo = %+v", d)
	}
	if _, err := f.reg.CampaignInfo(f.ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("CampaignInfo(nope) = %v", err)
	}

	// New dates for the first phase move its pickups (signed again) and
	// nothing else; terminals see the campaign change in the pull.
	_, headBefore, _ := f.reg.Head(f.ctx)
	moved := strings.Replace(pilotCampaign("winter", today), fmt.Sprintf(`"start": %q`, today.AddDays(-3)), fmt.Sprintf(`"start": %q`, today.AddDays(-5)), 1)
	up, err := f.reg.ImportCampaign(f.ctx, strings.NewReader(moved))
	if err != nil || up.Created || up.Moved != 2 {
		t.Fatalf("update = %+v, %v; want 2 pickups moved", up, err)
	}
	var start, signed string
	f.reg.r.QueryRow("SELECT window_start, signed FROM pickups WHERE professional_id = 'N1'").Scan(&start, &signed)
	sc, err := pickup.ParseScan(signed)
	if start != today.AddDays(-5).String() || err != nil || sc.Signed == nil || sc.Signed.Window.Start != today.AddDays(-5) {
		t.Errorf("moved pickup: start %s, signed %+v, %v", start, sc, err)
	}
	ds, _ := f.reg.DatasetID(f.ctx)
	page, err := f.reg.Pull(f.ctx, "namur", protocol.PullRequest{DatasetID: ds, After: headBefore})
	if err != nil || len(page.Campaigns) != 1 || page.Campaigns[0].Campaign.ID != "winter" || len(page.Pickups) != 2 {
		t.Errorf("pull after the update: %+v, %v; want the campaign and namur's 2 pickups", page, err)
	}

	// An update may not drop what requests use; built-ins stay as they are.
	dropped := strings.Replace(pilotCampaign("winter", today), `"phase": "second"`, `"phase": "first"`, 1)
	dropped = strings.Replace(dropped, `{"id": "second"`, `{"id": "later"`, 1)
	if _, err := f.reg.ImportCampaign(f.ctx, strings.NewReader(dropped)); !errors.As(err, &pe) || !strings.Contains(err.Error(), `phase "second" is missing`) {
		t.Errorf("update dropping a used phase: %v", err)
	}
	if _, err := f.reg.ImportCampaign(f.ctx, strings.NewReader(pilotCampaign(pickup.DefaultCampaignID, today))); !errors.Is(err, ErrRefused) ||
		!strings.Contains(err.Error(), "built-in") {
		t.Errorf("replacing a built-in: %v", err)
	}
}

func TestCampaignFileProblems(t *testing.T) {
	t.Parallel()
	today := pickup.MustDate("2026-12-02")
	good := pilotCampaign("winter", today)
	if _, probs := ParseCampaignFile([]byte(good)); len(probs) != 0 {
		t.Fatalf("good file: %v", probs)
	}
	// Every problem of a file at once, each with its line and path.
	bad := good
	bad = strings.Replace(bad, `"id": "winter"`, `"id": "winter campaign"`, 1)                                    // line 2
	bad = strings.Replace(bad, `{"item": "masks", "qty": 100}]},`, `{"item": "mask", "qty": 100}]},`, 1)          // line 10
	bad = strings.Replace(bad, fmt.Sprintf(`"end": %q}},`, today.AddDays(30)), `"end": "2026-13-01"}},`, 1)       // line 15
	bad = strings.Replace(bad, fmt.Sprintf(`"requests_open": %q`, today.AddDays(-1)), `"requests_opens": "x"`, 1) // line 16
	bad = strings.Replace(bad, `"parcel_kind": "masks_only"`, `"parcel_kind": "masks-only"`, 1)                   // line 20
	_, probs := ParseCampaignFile([]byte(bad))
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		`line 2: id: campaign id "winter campaign": want 1 to 64 of A-Z a-z 0-9 _ -`,
		`line 10: parcel_kinds[0].contents[1].item: item "mask" is not among the campaign's items`,
		`line 15: phases[0].pickup.end: date "2026-13-01": want YYYY-MM-DD`,
		`line 16: phases[1].requests_opens: unknown field "requests_opens" (known here: id, pickup, requests_open)`,
		`line 16: phases[1].requests_open: date missing (YYYY-MM-DD)`,
		`line 20: professions[1].parcel_kind: parcel kind "masks-only" is not among the campaign's parcel kinds`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The same problems in German, for an operator whose language it is.
	var de []string
	for _, p := range probs {
		de = append(de, p.In("de"))
	}
	wantDE := []string{
		`Zeile 2: id: Kennung (Kampagne) "winter campaign": 1 bis 64 Zeichen aus A-Z a-z 0-9 _ - erwartet`,
		`Zeile 10: parcel_kinds[0].contents[1].item: Artikel "mask" ist nicht unter den Artikeln der Kampagne`,
		`Zeile 15: phases[0].pickup.end: Datum "2026-13-01": JJJJ-MM-TT erwartet`,
		`Zeile 16: phases[1].requests_opens: unbekanntes Feld "requests_opens" (hier bekannt: id, pickup, requests_open)`,
		`Zeile 16: phases[1].requests_open: Datum fehlt (JJJJ-MM-TT)`,
		`Zeile 20: professions[1].parcel_kind: Paketart "masks-only" ist nicht unter den Paketarten der Kampagne`,
	}
	if strings.Join(de, "\n") != strings.Join(wantDE, "\n") {
		t.Errorf("problems in German:\n%s\nwant:\n%s", strings.Join(de, "\n"), strings.Join(wantDE, "\n"))
	}

	for _, tc := range []struct{ name, file, want string }{
		{"syntax", "{\n  \"id\": \"x\",\n  \"names\": {\"en\": \"X\"\n}", "line 4: not valid JSON"},
		{"type", "{\n \"id\": \"x\",\n \"period_days\": \"ten\"\n}", "line 3: period_days: want a whole number, not a JSON string"},
		{"empty object", "{}", "a campaign needs at least one phase"},
		{"window backwards", strings.Replace(good, fmt.Sprintf(`"start": %q`, today.AddDays(7)), `"start": "2027-06-01"`, 1), "pickup ends"},
	} {
		_, probs := ParseCampaignFile([]byte(tc.file))
		var all []string
		for _, p := range probs {
			all = append(all, p.String())
		}
		if !strings.Contains(strings.Join(all, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want %q", tc.name, all, tc.want)
		}
	}

	// The registry stores nothing of a bad file.
	reg := openTest(t)
	res, err := reg.ImportCampaign(context.Background(), strings.NewReader(bad))
	if !errors.Is(err, ErrRefused) || len(res.Problems) != len(want) {
		t.Errorf("ImportCampaign(bad) = %+v, %v", res, err)
	}
	if all, _ := reg.Campaigns(context.Background()); len(all) != 2 {
		t.Errorf("%d campaigns after a bad import, want the 2 built-ins", len(all))
	}
}
