package pickup

import (
	"slices"
	"testing"
)

func builtin(t *testing.T, id string) *Campaign {
	t.Helper()
	c, err := BuiltinCampaign(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBuiltinCampaignsLoad(t *testing.T) {
	t.Parallel()
	all, err := BuiltinCampaigns()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range all {
		ids = append(ids, c.ID)
		for _, lang := range []string{"en", "fr", "nl", "de"} {
			if c.Names[lang] == "" {
				t.Errorf("campaign %s has no %s name", c.ID, lang)
			}
			for _, p := range c.Professions {
				if p.Names[lang] == "" {
					t.Errorf("campaign %s: profession %s has no %s name", c.ID, p.ID, lang)
				}
			}
			for _, it := range c.Items {
				if it.Names[lang] == "" {
					t.Errorf("campaign %s: item %s has no %s name", c.ID, it.ID, lang)
				}
			}
		}
	}
	if want := []string{"may2020-masks", "oct2020-strategic"}; !slices.Equal(ids, want) {
		t.Errorf("built-in campaigns = %v, want %v", ids, want)
	}
	if _, err := BuiltinCampaign("nope"); err == nil {
		t.Error("BuiltinCampaign(nope) succeeded")
	}
}

// The October 2020 letter: two parcel kinds, their contents, who gets
// which, and the two phases' windows.
func TestOctober2020Facts(t *testing.T) {
	t.Parallel()
	c := builtin(t, DefaultCampaignID)
	if !c.OnePerPro {
		t.Error("one parcel per professional, ever: want one_parcel_per_professional")
	}
	contents := []struct {
		kind string
		want []Line
	}{
		{"close_contact", []Line{{Item: "gloves", Qty: 500}, {Item: "gowns", Qty: 50}, {Item: "glasses", Qty: 1}, {Item: "masks", Qty: 500}}},
		{"masks_only", []Line{{Item: "masks", Qty: 500}}},
	}
	for _, tt := range contents {
		got, err := c.Contents(tt.kind, "")
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Contents(%s) = %v, %v; want %v", tt.kind, got, err, tt.want)
		}
	}
	gloves, _ := c.Item("gloves")
	if !slices.Equal(gloves.Sizes, []string{"S", "M", "L", "XL"}) {
		t.Errorf("glove sizes = %v, want S M L XL", gloves.Sizes)
	}
	if got := c.SizedItems("close_contact"); !slices.Equal(got, []string{"gloves"}) {
		t.Errorf("SizedItems(close_contact) = %v", got)
	}
	phase1 := Window{MustDate("2020-11-09"), MustDate("2021-01-08")}
	phase2 := Window{MustDate("2020-12-07"), MustDate("2021-01-08")}
	// The professions of each parcel kind, with the window of its phase.
	byKind := []struct {
		kind   string
		window Window
		ids    []string
	}{
		{"close_contact", phase1, []string{
			"physiotherapist", "oral_hygienist", "podiatrist", "audiologist", "occupational_therapist",
			"orthoptist_optometrist", "bandagist_orthotist_prosthetist", "general_practitioner", "specialist",
			"dentist", "nurse", "care_assistant", "midwife", "gp_trainee",
		}},
		{"masks_only", phase2, []string{
			"pharmacist", "pharma_technical_assistant", "dietitian", "speech_therapist", "clinical_psychologist",
			"clinical_orthopedagogue",
		}},
	}
	want := 0
	for _, k := range byKind {
		want += len(k.ids)
		for _, id := range k.ids {
			p, ok := c.Profession(id)
			if !ok {
				t.Errorf("profession %s missing", id)
				continue
			}
			w, _ := c.WindowFor(id)
			if p.ParcelKind != k.kind || w != k.window {
				t.Errorf("%s: kind %s window %v, want %s %v", id, p.ParcelKind, w, k.kind, k.window)
			}
		}
	}
	if len(c.Professions) != want {
		t.Errorf("%d professions, want %d", len(c.Professions), want)
	}
	requests := map[string]string{"phase1": "2020-11-06", "phase2": "2020-12-01"}
	for id, want := range requests {
		ph, _ := c.Phase(id)
		if ph.RequestsOpen.String() != want {
			t.Errorf("%s requests open %s, want %s", id, ph.RequestsOpen, want)
		}
	}
}

// The May 2020 letter: 2, 4 or 8 masks a day over an 8-week period,
// rounded up to whole boxes; dentists get FFP2 instead.
func TestMay2020Facts(t *testing.T) {
	t.Parallel()
	c := builtin(t, "may2020-masks")
	if c.PeriodDays != 56 {
		t.Errorf("period = %d days, want 8 weeks", c.PeriodDays)
	}
	masks, _ := c.Item("masks")
	ffp2, _ := c.Item("ffp2")
	tests := []struct {
		profession string
		perDay     int
		item       string
		qty        int
	}{
		{"specialist", 2, "masks", RoundUpToBox(2*56, masks.Box)},
		{"general_practitioner", 4, "masks", RoundUpToBox(4*56, masks.Box)},
		{"home_nurse", 8, "masks", RoundUpToBox(8*56, masks.Box)},
		{"dentist", 2, "ffp2", RoundUpToBox(2*56, ffp2.Box)},
	}
	for _, tt := range tests {
		p, _ := c.Profession(tt.profession)
		if p.PerDay != tt.perDay {
			t.Errorf("%s: %d a day, want %d", tt.profession, p.PerDay, tt.perDay)
		}
		got, err := c.Contents(p.ParcelKind, tt.profession)
		if err != nil || len(got) != 1 || got[0].Item != tt.item || got[0].Qty != tt.qty {
			t.Errorf("%s: contents %v, %v; want %d %s", tt.profession, got, err, tt.qty, tt.item)
		}
		if got[0].Qty%50 != 0 && tt.item == "masks" || got[0].Qty < tt.perDay*56 {
			t.Errorf("%s: %d is not whole boxes covering 56 days", tt.profession, got[0].Qty)
		}
	}
	rates := map[int]bool{}
	for _, p := range c.Professions {
		rates[p.PerDay] = true
	}
	if len(rates) != 3 || !rates[2] || !rates[4] || !rates[8] {
		t.Errorf("rates %v, want the three categories 2, 4, 8", rates)
	}
}

func TestRoundUpToBox(t *testing.T) {
	t.Parallel()
	tests := []struct{ units, box, want int }{{112, 50, 150}, {100, 50, 100}, {1, 50, 50}, {0, 50, 0}, {7, 0, 7}, {448, 50, 450}}
	for _, tt := range tests {
		if got := RoundUpToBox(tt.units, tt.box); got != tt.want {
			t.Errorf("RoundUpToBox(%d, %d) = %d, want %d", tt.units, tt.box, got, tt.want)
		}
	}
}

func TestCampaignValidate(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, json string }{
		{"bad id", `{"id":"a b","items":[],"parcel_kinds":[],"phases":[],"professions":[]}`},
		{"unknown item", `{"id":"x","items":[],"parcel_kinds":[{"id":"k","contents":[{"item":"gloves","qty":1}]}],"phases":[],"professions":[]}`},
		{"per day without period", `{"id":"x","items":[{"id":"m","box_size":50}],"parcel_kinds":[{"id":"k","contents":[{"item":"m","per_day":true}]}],"phases":[],"professions":[]}`},
		{"unknown phase", `{"id":"x","items":[{"id":"m"}],"parcel_kinds":[{"id":"k","contents":[{"item":"m","qty":1}]}],"phases":[],"professions":[{"id":"p","parcel_kind":"k","phase":"nope"}]}`},
		{"bad window", `{"id":"x","items":[],"parcel_kinds":[],"phases":[{"id":"p","pickup":{"start":"2020-12-01","end":"2020-11-01"}}],"professions":[]}`},
		{"not json", `{`},
	}
	for _, tt := range tests {
		if _, err := ParseCampaign([]byte(tt.json)); err == nil {
			t.Errorf("%s: ParseCampaign succeeded", tt.name)
		}
	}
}

// TestSizedLine: the line the counter asks a size for is the first whose
// item comes in sizes, wherever it sits in the parcel.
func TestSizedLine(t *testing.T) {
	t.Parallel()
	c := &Campaign{ID: "c", Items: []Item{{ID: "masks"}, {ID: "gloves", Sizes: []string{"S", "M"}}, {ID: "shoes", Sizes: []string{"40", "42"}}}}
	tests := []struct {
		name  string
		lines []Line
		want  int    // index, -1 for none
		item  string // the sized item
	}{
		{"no lines", nil, -1, ""},
		{"no sized item", []Line{{Item: "masks", Qty: 50}}, -1, ""},
		{"gloves first", []Line{{Item: "gloves", Qty: 100}, {Item: "masks", Qty: 50}}, 0, "gloves"},
		{"gloves after masks", []Line{{Item: "masks", Qty: 50}, {Item: "gloves", Qty: 100}}, 1, "gloves"},
		{"two sized items: the first", []Line{{Item: "masks", Qty: 5}, {Item: "shoes", Qty: 1}, {Item: "gloves", Qty: 100}}, 1, "shoes"},
		{"unknown item skipped", []Line{{Item: "visors", Qty: 1}, {Item: "gloves", Qty: 100}}, 1, "gloves"},
	}
	for _, tt := range tests {
		i, it, ok := c.SizedLine(tt.lines)
		if i != tt.want || ok != (tt.want >= 0) || it.ID != tt.item {
			t.Errorf("%s: SizedLine = %d, %q, %v; want %d, %q", tt.name, i, it.ID, ok, tt.want, tt.item)
		}
	}
	// The built-in campaign's close-contact parcel: the gloves.
	oct, err := BuiltinCampaign(DefaultCampaignID)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := oct.Contents("close_contact", "physiotherapist")
	if err != nil {
		t.Fatal(err)
	}
	if i, it, ok := oct.SizedLine(lines); !ok || it.ID != "gloves" || lines[i].Item != "gloves" {
		t.Errorf("close_contact: SizedLine = %d, %q, %v; want the gloves", i, it.ID, ok)
	}
}
