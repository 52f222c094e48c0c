package registry

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
)

func TestSchedulePDF(t *testing.T) {
	t.Parallel()
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
		var buf bytes.Buffer
		if err := RenderSchedulePDF(&buf, sch, tc.lang); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "schedule-"+tc.lang+".pdf")
		if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("PICKUP_SCHEDULE_PDF_DIR"); dir != "" {
			os.WriteFile(filepath.Join(dir, "schedule-"+tc.lang+".pdf"), buf.Bytes(), 0o644)
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

func TestScheduleTextInEveryLanguage(t *testing.T) {
	for key := range scheduleText["en"] {
		for _, lang := range []string{"fr", "nl", "de"} {
			if scheduleText[lang][key] == "" {
				t.Errorf("schedule text %q missing in %s", key, lang)
			}
		}
	}
	for lang, m := range scheduleText {
		if len(m) != len(scheduleText["en"]) {
			t.Errorf("%s has %d schedule texts, en %d", lang, len(m), len(scheduleText["en"]))
		}
	}
}
