package counter

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"
)

// TestReportButtonWritesFile: the manager screen's Report button opens the
// form; Write puts the day's report into the chosen folder, says where,
// and the spreadsheet holds the store's handovers of the day.
func TestReportButtonWritesFile(t *testing.T) {
	f := newFixture(t, setup{demo: true})
	f.openManager()
	var btn *widget.Button
	for _, o := range f.ui.manager.top.Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == "Report" {
			btn = b
		}
	}
	if btn == nil {
		t.Fatal("the manager screen has no Report button")
	}
	test.Tap(btn)
	p := f.ui.reportPanel
	if p == nil || f.ui.dialog == nil {
		t.Fatal("the Report button opened no form")
	}
	if want := filepath.Join(f.ui.opt.DataDir, "reports"); len(removableDrives()) == 0 && p.folder.Text != want {
		t.Errorf("the form proposes %q, want the data folder's reports/ %q", p.folder.Text, want)
	}
	// A date that is not one is refused in words, nothing written.
	dir := t.TempDir()
	p.folder.SetText(dir)
	p.from.SetText("yesterday")
	test.Tap(p.write)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || !strings.Contains(p.msg.Text, "yesterday") || !strings.Contains(p.msg.Text, "2020-11-20") {
		t.Errorf("bad date: %d files, message %q", len(entries), p.msg.Text)
	}
	p.from.SetText(f.st.Today().String())
	p.format.SetSelected("xlsx")
	test.Tap(p.write)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".xlsx") {
		t.Fatalf("the folder holds %v, want one .xlsx (message %q)", entries, p.msg.Text)
	}
	path := filepath.Join(dir, entries[0].Name())
	if !strings.Contains(p.msg.Text, path) {
		t.Errorf("the form says %q, not where it wrote (%s)", p.msg.Text, path)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows(x.GetSheetList()[0], excelize.Options{RawCellValue: true})
	want := strconv.Itoa(f.status().HandedOverToday)
	found := false
	for _, r := range rows {
		found = found || len(r) > 1 && r[0] == "Parcels handed over" && r[1] == want
	}
	if !found {
		t.Errorf("the spreadsheet does not hold today's %s handovers: %v", want, rows)
	}
	f.capture("manager-report")
}
