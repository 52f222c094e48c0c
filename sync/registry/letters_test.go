package registry

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/scan"
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// needTool returns the path of an external program a test reads its
// output with. As root (CI), scripts/deps.sh installs it, so a missing one
// fails; otherwise the test is skipped, saying what to install.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Geteuid() == 0 {
		t.Fatalf("%s is missing: scripts/deps.sh installs %s", name, pkg)
	}
	t.Skipf("%s is missing (install %s, e.g. with scripts/deps.sh as root)", name, pkg)
	return ""
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out)
}

var spaces = regexp.MustCompile(`\s+`)

// letterFixture is a registry with a campaign around today and one
// request per language at namur.
func letterFixture(t *testing.T) (*fixture, map[string]pickup.Code) {
	t.Helper()
	f := newFixture(t)
	today := pickup.DateOf(time.Now())
	if _, err := f.reg.ImportCampaign(f.ctx, strings.NewReader(pilotCampaign("winter", today))); err != nil {
		t.Fatal(err)
	}
	csv := "professional_id,name,profession,centre_id,lang\n" +
		"P-FR,Anne-Françoise Dupont,nurse,namur,fr\n" +
		"P-NL,Lotte Vermeulen,dietitian,namur,nl\n" +
		"P-DE,Jürgen Schmitz,nurse,namur,de\n" +
		"P-EN,Łukasz Nowak,nurse,namur,en\n" +
		"P-GENT,Jan Peeters,nurse,gent,nl\n"
	if _, err := f.reg.ImportRequestFile(f.ctx, RequestImport{Campaign: "winter"}, strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	codes := map[string]pickup.Code{}
	rows, err := f.reg.r.Query("SELECT professional_id, code FROM pickups")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var c pickup.Code
		rows.Scan(&id, &c)
		codes[id] = c
	}
	return f, codes
}

func TestLettersSayWhatAProfessionalNeeds(t *testing.T) {
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	f, codes := letterFixture(t)
	dir := t.TempDir()
	res, err := f.reg.WriteLetters(f.ctx, LetterOptions{CentreID: "namur", Contact: "pickup@health.example"}, filepath.Join(dir, "mail"))
	if err != nil || res.Letters != 4 || res.ByLang["fr"] != 1 || res.ByLang["en"] != 1 {
		t.Fatalf("WriteLetters = %+v, %v; want 4 letters, one per language", res, err)
	}
	index, err := os.ReadFile(filepath.Join(dir, "mail", "index.csv"))
	if err != nil || !strings.Contains(string(index), "P-NL,Lotte Vermeulen,nl,namur,"+codes["P-NL"].String()+","+string(codes["P-NL"])+".pdf") {
		t.Errorf("index.csv: %v\n%s", err, index)
	}
	camp, _ := f.reg.Campaign(f.ctx, "winter")
	centre, _ := f.reg.Centre(f.ctx, "namur")
	for _, tc := range []struct {
		pro, lang, name, profID, profession, bring string
	}{
		{"P-FR", "fr", "Anne-Françoise Dupont", "nurse", "Infirmier", "grande boîte ou un grand sac"},
		{"P-NL", "nl", "Lotte Vermeulen", "dietitian", "Diëtist", "grote doos of tas"},
		{"P-DE", "de", "Jürgen Schmitz", "nurse", "Krankenpfleger", "großen Karton oder eine große Tasche"},
		{"P-EN", "en", "Łukasz Nowak", "nurse", "Nurse", "large box or bag"},
	} {
		file := filepath.Join(dir, "mail", string(codes[tc.pro])+".pdf")
		if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want a 0600 file", tc.pro, err, fi.Mode())
			continue
		}
		text := spaces.ReplaceAllString(runTool(t, pdftotext, "-enc", "UTF-8", file, "-"), " ")
		w, _ := camp.WindowFor(tc.profID)
		tr := i18n.For(tc.lang)
		wants := []string{
			codes[tc.pro].String(), tc.name, tc.profession, centre.Name, centre.Address, centre.Hours,
			tr.Date(w.Start.Year, w.Start.Month, w.Start.Day), tr.Date(w.End.Year, w.End.Month, w.End.Day),
			tc.bring, lt(tc.lang, "cannot"), "pickup@health.example", tr.ItemName(camp, "masks"),
		}
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("letter %s (%s) lacks %q:\n%s", tc.pro, tc.lang, want, text)
			}
		}
	}

	// One merged file for printing: a page per professional.
	merged := filepath.Join(dir, "namur.pdf")
	if res, err := f.reg.WriteLetters(f.ctx, LetterOptions{}, merged); err != nil || res.Letters != 5 {
		t.Fatalf("merged letters = %+v, %v", res, err)
	}
	text := runTool(t, pdftotext, "-enc", "UTF-8", merged, "-")
	if pages := strings.Count(text, "\f"); pages != 5 {
		t.Errorf("merged PDF has %d pages, want 5", pages)
	}
	// Letters of collected or cancelled pickups are not printed again.
	if err := f.reg.CancelCode(f.ctx, codes["P-DE"]); err != nil {
		t.Fatal(err)
	}
	if ls, _ := f.reg.Letters(f.ctx, LetterOptions{CentreID: "namur"}); len(ls) != 3 {
		t.Errorf("%d letters after a cancellation, want 3", len(ls))
	}
	if _, err := f.reg.WriteLetters(f.ctx, LetterOptions{CentreID: "mars"}, merged); err == nil {
		t.Error("letters of an unknown centre: no error")
	}
	// A path that is not a regular file is not replaced.
	if err := os.Mkdir(filepath.Join(dir, "taken.pdf"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.WriteLetters(f.ctx, LetterOptions{}, filepath.Join(dir, "taken.pdf")); err == nil {
		t.Error("letters over a folder named .pdf: no error")
	}
}

// The QR code on the printed page, rendered at 150 dpi, reads with the
// terminal's own decoder and with zbar, and holds the signed payload.
func TestLetterQRReads(t *testing.T) {
	pdftoppm := needTool(t, "pdftoppm", "poppler-utils")
	zbarimg := needTool(t, "zbarimg", "zbar-tools")
	f, codes := letterFixture(t)
	dir := t.TempDir()
	if _, err := f.reg.WriteLetters(f.ctx, LetterOptions{CentreID: "namur"}, dir); err != nil {
		t.Fatal(err)
	}
	for _, pro := range []string{"P-FR", "P-EN"} {
		code := codes[pro]
		payload, err := f.reg.SignedPayload(f.ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		prefix := filepath.Join(dir, "page-"+pro)
		runTool(t, pdftoppm, "-r", "150", "-png", "-singlefile", filepath.Join(dir, string(code)+".pdf"), prefix)
		page := prefix + ".png"
		got, err := scan.DecodeFile(context.Background(), page)
		if err != nil || got != payload {
			t.Errorf("%s: app/scan read %q, %v; want the signed payload", pro, got, err)
		}
		zb := strings.TrimSpace(runTool(t, zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", page))
		if zb != payload {
			t.Errorf("%s: zbarimg read %q, want %q", pro, zb, payload)
		}
	}
}

// codes --qr-dir images carry the code in text under the QR, and the QR
// still reads.
func TestQRImageCarriesCode(t *testing.T) {
	f, codes := letterFixture(t)
	dir := t.TempDir()
	var csv bytes.Buffer
	if _, err := f.reg.WriteCodes(f.ctx, "namur", &csv, dir); err != nil {
		t.Fatal(err)
	}
	code := codes["P-FR"]
	b, err := os.ReadFile(filepath.Join(dir, string(code)+".png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := img.Bounds()
	if r.Dx() != QRPixels || r.Dy() <= r.Dx()+20 {
		t.Fatalf("QR image is %v, want %d wide with a caption strip under it", r, QRPixels)
	}
	dark := 0
	for y := r.Dx(); y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			if g, _, _, _ := img.At(x, y).RGBA(); g < 0x8000 {
				dark++
			}
		}
	}
	if dark < 500 {
		t.Errorf("caption strip has %d dark pixels: no text", dark)
	}
	payload, _ := f.reg.SignedPayload(f.ctx, code)
	if got, err := scan.Decode(context.Background(), img); err != nil || got != payload {
		t.Errorf("scan of the captioned image: %q, %v", got, err)
	}
	if zbarimg, err := exec.LookPath("zbarimg"); err == nil {
		if out, _ := exec.Command(zbarimg, "--quiet", "--raw", filepath.Join(dir, string(code)+".png")).Output(); strings.TrimSpace(string(out)) != payload {
			t.Errorf("zbarimg of the captioned image: %q", out)
		}
	}
}

// TestLetterAndScheduleKeysExist: every text the letters and the
// schedule ask for (lt, scheduleT with a literal key) is in the catalogue;
// assets/i18n's tests check that each is in the four languages with the
// same placeholders.
func TestLetterAndScheduleKeysExist(t *testing.T) {
	t.Parallel()
	call := regexp.MustCompile(`\b(lt|scheduleT)\([\w.]+, "([a-z.]+)"`)
	prefix := map[string]string{"lt": "letter.", "scheduleT": "schedule."}
	files, _ := filepath.Glob("*.go")
	en := i18n.For(i18n.Default)
	used := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			used++
			if key := prefix[m[1]] + m[2]; !en.Has(key) {
				t.Errorf("%s: %s(…, %q): no %s in assets/translation/en.json", f, m[1], m[2], key)
			}
		}
	}
	if used < 20 {
		t.Errorf("found %d texts asked for, want the letters' and the schedule's (the pattern no longer matches the calls?)", used)
	}
}

// BenchmarkLetters renders a merged PDF of 1,000 letters (one centre's
// print run); it reports the bytes per letter.
func BenchmarkLetters(b *testing.B) {
	reg, err := Open(context.Background(), b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	ctx := context.Background()
	if _, err := reg.Demo(ctx, 1, 1000); err != nil {
		b.Fatal(err)
	}
	letters, err := reg.Letters(ctx, LetterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := RenderLetters(&buf, letters, LetterOptions{}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/float64(len(letters)), "bytes/letter")
	b.ReportMetric(float64(len(letters)), "letters")
}

// The longest texts the registry accepts (200-byte name, centre name,
// address and hours) and a parcel of eight items still fit on one page:
// the letter is set tighter rather than cut or spread over two pages.
func TestLongLetterFitsOnePage(t *testing.T) {
	t.Parallel()
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	camp := &pickup.Campaign{ID: "big", Names: pickup.Names{"en": "Big"}}
	kind := pickup.ParcelKind{ID: "all", Names: pickup.Names{"en": "All"}}
	for i := range 8 {
		id := fmt.Sprintf("item%d", i)
		camp.Items = append(camp.Items, pickup.Item{ID: id, Names: pickup.Names{"en": fmt.Sprintf("Protective item number %d", i)}, Sizes: []string{"S", "M", "L", "XL"}})
		kind.Contents = append(kind.Contents, pickup.ContentLine{Item: id, Qty: 100 + i})
	}
	camp.ParcelKinds = []pickup.ParcelKind{kind}
	long := func(word string) string { return strings.TrimSpace(strings.Repeat(word+" ", 200/(len(word)+1))) }
	code, _ := pickup.ParseCode("7KQ4-M2XD-9PZC-H3W8")
	if code == "" {
		var err error
		if code, err = pickup.NewCode(nil); err != nil {
			t.Fatal(err)
		}
	}
	l := Letter{Code: code, Payload: string(code), Name: long("Wolfeschlegelsteinhausen"), Profession: "nurse", Lang: "de",
		Centre:   pickup.Centre{ID: "c", Name: long("Rotkreuz-Zentrum"), Address: long("Hauptstraße"), Hours: long("Mo–Fr 9:00–17:00")},
		Window:   pickup.Window{Start: pickup.MustDate("2026-12-01"), End: pickup.MustDate("2027-01-31")},
		Campaign: camp, ParcelKind: "all"}
	if !l.long() {
		t.Fatal("the letter is not seen as long")
	}
	file := filepath.Join(t.TempDir(), "long.pdf")
	if err := WriteWhole(file, func(w io.Writer) error {
		return RenderLetters(w, []Letter{l}, LetterOptions{Contact: long("pickup@health.example")})
	}); err != nil {
		t.Fatal(err)
	}
	text := runTool(t, pdftotext, "-enc", "UTF-8", file, "-")
	if pages := strings.Count(text, "\f"); pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}
	// Its smaller QR code still reads at 150 dpi.
	pdftoppm := needTool(t, "pdftoppm", "poppler-utils")
	prefix := filepath.Join(filepath.Dir(file), "long")
	runTool(t, pdftoppm, "-r", "150", "-png", "-singlefile", file, prefix)
	if got, err := scan.DecodeFile(context.Background(), prefix+".png"); err != nil || got != string(code) {
		t.Errorf("QR of the compact letter: %q, %v", got, err)
	}
	flat := spaces.ReplaceAllString(text, " ")
	for _, want := range []string{code.String(), "Protective item number 7", lt("de", "bring"), "pickup@health.example", lt("de", "keep")[:40]} {
		if !strings.Contains(flat, want) {
			t.Errorf("long letter lacks %q", want)
		}
	}
}
