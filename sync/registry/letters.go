package registry

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/internal/qrprint"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Letter is what one professional's letter says.
type Letter struct {
	Code           pickup.Code      `json:"code"`
	Payload        string           `json:"-"` // what the QR code holds: the signed payload
	ProfessionalID string           `json:"professional_id"`
	Name           string           `json:"name"`
	Profession     string           `json:"profession"`
	Lang           string           `json:"lang"`
	Centre         pickup.Centre    `json:"centre"`
	Window         pickup.Window    `json:"window"`
	ParcelKind     string           `json:"parcel_kind"`
	Campaign       *pickup.Campaign `json:"-"`
}

// LetterOptions choose the letters to print.
type LetterOptions struct {
	CentreID   string // "" for every centre
	CampaignID string // "" for every campaign
	// Contact is printed under "if you cannot come" (an e-mail address or
	// a phone number of the service that validates requests).
	Contact string
}

// QRSizeMM is the printed width of a letter's QR code, quiet zone
// included. A signed payload is a version 11–12 symbol at level Q (61–65
// modules and 8 of quiet zone), so each module is about 0.7 mm: well above
// what a phone camera and a counter's 2D scanner resolve at arm's length
// (0.25–0.33 mm), and still read when printed by a worn office printer or
// photographed a little blurred.
const QRSizeMM = 50

// Letters returns the letters of the pickups still expected (not
// collected, not cancelled), by centre, then name.
func (reg *Registry) Letters(ctx context.Context, opt LetterOptions) ([]Letter, error) {
	if opt.CentreID != "" {
		if _, err := reg.Centre(ctx, opt.CentreID); err != nil {
			return nil, fmt.Errorf("letters: %w", err)
		}
	}
	if opt.CampaignID != "" {
		if _, err := reg.Campaign(ctx, opt.CampaignID); err != nil {
			return nil, fmt.Errorf("letters: %w", err)
		}
	}
	var out []Letter
	err := reg.read(ctx, func(tx *sql.Tx) error {
		centres := map[string]pickup.Centre{}
		if err := eachRow(ctx, tx, "SELECT id, name, address, hours FROM centres", func(r *sql.Rows) error {
			var c pickup.Centre
			if err := r.Scan(&c.ID, &c.Name, &c.Address, &c.Hours); err != nil {
				return err
			}
			centres[c.ID] = c
			return nil
		}); err != nil {
			return err
		}
		camps, err := campaignsByID(ctx, tx)
		if err != nil {
			return err
		}
		return eachRowArgs(ctx, tx, `SELECT `+sqlkit.PickupColumns+`, professional_id, signed, lang
			FROM pickups WHERE status = 'expected' AND (? = '' OR centre_id = ?) AND (? = '' OR campaign_id = ?)
			ORDER BY centre_id, name, code`, []any{opt.CentreID, opt.CentreID, opt.CampaignID, opt.CampaignID}, func(r *sql.Rows) error {
			var l Letter
			var p pickup.Pickup
			if err := sqlkit.ScanPickup(r, &p, &l.ProfessionalID, &l.Payload, &l.Lang); err != nil {
				return err
			}
			l.Code, l.Name, l.Profession, l.ParcelKind, l.Window = p.Code, p.Name, p.Profession, p.ParcelKind, p.Window
			centreID, campID := p.CentreID, p.CampaignID
			if l.Payload == "" {
				l.Payload = string(l.Code)
			}
			l.Lang = letterLang(l.Lang)
			l.Centre, l.Campaign = centres[centreID], camps[campID]
			if l.Centre.ID == "" {
				l.Centre.ID = centreID
			}
			out = append(out, l)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	return out, nil
}

// newLetterPDF is an A4 document with the fonts letters use: Go's own
// (embedded, with every Latin letter professionals' names need).
func newLetterPDF() *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.AddUTF8FontFromBytes("gomono", "B", gomonobold.TTF)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("pickup-registry", true)
	pdf.SetCreationDate(time.Unix(0, 0).UTC()) // the same letters give the same bytes
	pdf.SetCatalogSort(true)
	return pdf
}

// RenderLetters writes the letters as one PDF, a page each.
func RenderLetters(w io.Writer, letters []Letter, opt LetterOptions) error {
	pdf := newLetterPDF()
	pdf.SetTitle("Pickup letters", true)
	var scratch *fpdf.Fpdf // measures letters whose text may not fit
	for i, l := range letters {
		lay := normalLayout
		if l.long() {
			if scratch == nil || i%200 == 0 {
				scratch = newLetterPDF()
			}
			if end, err := letterPage(scratch, l, opt, lay, false); err != nil {
				return err
			} else if end > bodyBottom {
				lay = compactLayout
			}
		}
		end, err := letterPage(pdf, l, opt, lay, true)
		if err != nil {
			return err
		}
		if end > bodyBottom {
			return fmt.Errorf("render letters: the letter of %s does not fit on one page (its centre's name, address or hours, or the parcel's contents are too long)", l.Code.Masked())
		}
	}
	if len(letters) == 0 {
		pdf.AddPage()
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("render letters: %w", err)
	}
	return nil
}

// letterLayout sizes a letter's text (mm and points).
type letterLayout struct {
	body, line, gap, qr float64
}

var (
	normalLayout = letterLayout{body: 11, line: 5.5, gap: 3, qr: QRSizeMM}
	// compactLayout still prints the QR code 38 mm wide (0.5 mm a module).
	compactLayout = letterLayout{body: 9, line: 4.1, gap: 1.2, qr: 38}
)

// bodyBottom is where the footer starts.
const bodyBottom = 276.0

// long reports whether a letter's text may need more than the normal
// layout's page (long names, address, hours, or many items).
func (l Letter) long() bool {
	n := len(l.Name) + len(l.Centre.Name) + len(l.Centre.Address) + len(l.Centre.Hours)
	items := 0
	if l.Campaign != nil {
		if k, ok := l.Campaign.ParcelKind(l.ParcelKind); ok {
			items = len(k.Contents)
		}
	}
	return n > 200 || items > 4
}

// letterPage adds one professional's page and returns where its body
// ends. draw false leaves the QR code out (a measuring pass).
func letterPage(pdf *fpdf.Fpdf, l Letter, opt LetterOptions, lay letterLayout, draw bool) (float64, error) {
	lang := letterLang(l.Lang)
	tr := i18n.For(lang)
	date := func(d pickup.Date) string { return tr.Date(d.Year, d.Month, d.Day) }
	profession := l.Profession
	campaignName := ""
	if l.Campaign != nil {
		profession = tr.Profession(l.Campaign, l.Profession)
		campaignName = l.Campaign.Names.In(lang)
	}
	const left, width = 20.0, 170.0
	pdf.AddPage()
	// A red rule and the campaign across the top.
	pdf.SetFillColor(204, 0, 0)
	pdf.Rect(0, 0, 210, 6, "F")
	pdf.SetTextColor(90, 90, 90)
	pdf.SetFont("go", "", 9)
	pdf.SetXY(left, 10)
	pdf.CellFormat(width, 5, lt(lang, "campaign", "campaign", campaignName), "", 1, "L", false, 0, "")

	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("go", "B", 18)
	pdf.SetXY(left, 18)
	pdf.MultiCell(width, 8, lt(lang, "title"), "", "L", false)
	pdf.Ln(lay.gap)
	// Who: name and profession, as the volunteer will compare them with
	// the identity card.
	pdf.SetFont("go", "B", 13)
	pdf.MultiCell(width, 6, l.Name, "", "L", false)
	pdf.SetFont("go", "", lay.body)
	pdf.MultiCell(width, lay.line, profession, "", "L", false)
	pdf.Ln(lay.gap + 1)
	pdf.MultiCell(width, lay.line, lt(lang, "greeting", "name", l.Name), "", "L", false)
	pdf.Ln(1)
	pdf.MultiCell(width, lay.line, lt(lang, "intro"), "", "L", false)
	pdf.Ln(lay.gap + 2)

	// The code: the QR on the left with the 16 characters under it (as
	// the counter's hints say), and large on the right.
	top := pdf.GetY()
	box := lay.qr + 11
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.4)
	pdf.RoundedRect(left, top, width, box, 3, "1234", "D")
	if draw {
		if err := drawQR(pdf, l.Payload, left+3, top+3, lay.qr); err != nil {
			return 0, fmt.Errorf("letter of %s: %w", l.Code.Masked(), err)
		}
	}
	pdf.SetFont("gomono", "B", 9.5)
	pdf.SetXY(left+3, top+3+lay.qr)
	pdf.CellFormat(lay.qr, 4, l.Code.String(), "", 0, "C", false, 0, "")
	tx := left + lay.qr + 10
	tw := width - lay.qr - 14
	pdf.SetXY(tx, top+8)
	pdf.SetFont("go", "B", 12)
	pdf.CellFormat(tw, 6, lt(lang, "code"), "", 2, "L", false, 0, "")
	pdf.Ln(3)
	pdf.SetFont("gomono", "B", 21)
	pdf.SetX(tx)
	pdf.CellFormat(tw, 11, l.Code.String(), "", 2, "L", false, 0, "")
	pdf.Ln(3)
	pdf.SetFont("go", "", 10)
	pdf.SetX(tx)
	pdf.MultiCell(tw, 5, lt(lang, "code.hint"), "", "L", false)
	pdf.SetY(top + box + lay.gap + 3)

	// section prints a heading and its lines, the first in bold when
	// boldFirst (the centre's name).
	section := func(title string, boldFirst bool, body ...string) {
		pdf.SetFont("go", "B", lay.body+1)
		pdf.SetX(left)
		pdf.CellFormat(width, lay.line+1, title, "", 1, "L", false, 0, "")
		for i, b := range body {
			pdf.SetFont("go", "", lay.body)
			if i == 0 && boldFirst {
				pdf.SetFont("go", "B", lay.body)
			}
			pdf.SetX(left)
			pdf.MultiCell(width, lay.line, b, "", "L", false)
		}
		pdf.Ln(lay.gap)
	}
	address, hours := l.Centre.Address, l.Centre.Hours
	if address == "" {
		address = lt(lang, "unknown.street")
	}
	if hours == "" {
		hours = lt(lang, "unknown.hours")
	}
	section(lt(lang, "where"), true, l.Centre.Name, address)
	section(lt(lang, "when"), false, lt(lang, "dates", "start", date(l.Window.Start), "end", date(l.Window.End)),
		lt(lang, "hours", "hours", hours))
	section(lt(lang, "contents"), false, contentLines(l, lang)...)

	// The box or bag, where it cannot be missed.
	y := pdf.GetY()
	pdf.SetFillColor(255, 236, 179)
	pdf.Rect(left, y, width, 10, "F")
	pdf.SetXY(left+3, y+2)
	pdf.SetFont("go", "B", 11.5)
	pdf.CellFormat(width-6, 6, lt(lang, "bring"), "", 1, "L", false, 0, "")
	pdf.SetY(y + 10 + lay.gap + 1)

	cannot := []string{lt(lang, "cannot.text", "end", date(l.Window.End))}
	if opt.Contact != "" {
		cannot = append(cannot, lt(lang, "contact", "contact", opt.Contact))
	}
	section(lt(lang, "cannot"), false, cannot...)
	end := pdf.GetY()

	pdf.SetFont("go", "", 9)
	pdf.SetTextColor(90, 90, 90)
	pdf.SetXY(left, bodyBottom+2)
	pdf.MultiCell(width, 4.5, lt(lang, "keep"), "", "L", false)
	return end, pdf.Error()
}

// contentLines lists the parcel, an item a line, sized items saying the
// size is chosen at the counter.
func contentLines(l Letter, lang string) []string {
	if l.Campaign == nil {
		return []string{l.ParcelKind}
	}
	lines, err := l.Campaign.Contents(l.ParcelKind, l.Profession)
	if err != nil {
		return []string{l.ParcelKind}
	}
	tr := i18n.For(lang)
	var out []string
	for _, ln := range lines {
		s := fmt.Sprintf("•  %d %s", ln.Qty, tr.ItemName(l.Campaign, ln.Item))
		if it, ok := l.Campaign.Item(ln.Item); ok && it.Sized() {
			s += fmt.Sprintf(" (%s, %s)", strings.Join(it.Sizes, "/"), lt(lang, "size.chosen"))
		}
		out = append(out, s)
	}
	return out
}

// drawQR draws text's QR code (level Q, with its quiet zone) as vector
// squares, size mm wide, at x, y.
func drawQR(pdf *fpdf.Fpdf, text string, x, y, size float64) error {
	bits, err := qrprint.Symbol(text, qrprint.Level)
	if err != nil {
		return err
	}
	q := qrprint.QuietZone
	n := len(bits) + 2*q
	m := size / float64(n)
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(x, y, size, size, "F")
	pdf.SetFillColor(0, 0, 0)
	for row, line := range bits {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			run := col
			for run < len(line) && line[run] {
				run++
			}
			// A hair of overlap, so that no rasteriser leaves a seam
			// between neighbouring dark modules.
			pdf.Rect(x+float64(q+col)*m, y+float64(q+row)*m, float64(run-col)*m+0.02, m+0.02, "F")
			col = run
		}
	}
	return nil
}

// LettersResult says what WriteLetters wrote.
type LettersResult struct {
	Letters int            `json:"letters"`
	Files   []string       `json:"files"`
	ByLang  map[string]int `json:"by_lang"`
}

// WriteLetters renders the letters to out: a file ending in .pdf gets
// them all, a page each, for printing; any other path is a folder that
// gets one PDF per professional (CODE.pdf, for e-mail) and index.csv
// saying whose each file is. Files are written whole or not at all, and
// readable by their owner only (they hold names and codes).
func (reg *Registry) WriteLetters(ctx context.Context, opt LetterOptions, out string) (LettersResult, error) {
	res := LettersResult{Files: []string{}, ByLang: map[string]int{}}
	letters, err := reg.Letters(ctx, opt)
	if err != nil {
		return res, err
	}
	for _, l := range letters {
		res.ByLang[l.Lang]++
	}
	if strings.EqualFold(filepath.Ext(out), ".pdf") {
		if err := WriteWhole(out, func(w io.Writer) error { return RenderLetters(w, letters, opt) }); err != nil {
			return res, fmt.Errorf("letters: %w", err)
		}
		res.Letters, res.Files = len(letters), []string{out}
		return res, nil
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return res, fmt.Errorf("letters: folder: %w", err)
	}
	var index bytes.Buffer
	cw := csv.NewWriter(&index)
	cw.Write([]string{"professional_id", "name", "lang", "centre_id", "code", "file"})
	for _, l := range letters {
		name := filepath.Join(out, string(l.Code)+".pdf")
		if err := WriteWhole(name, func(w io.Writer) error { return RenderLetters(w, []Letter{l}, opt) }); err != nil {
			return res, fmt.Errorf("letters: %w", err)
		}
		cw.Write([]string{SpreadsheetSafe(l.ProfessionalID), SpreadsheetSafe(l.Name), l.Lang, l.Centre.ID, l.Code.String(), filepath.Base(name)})
		res.Files = append(res.Files, name)
		res.Letters++
	}
	cw.Flush()
	if err := WriteWhole(filepath.Join(out, "index.csv"), func(w io.Writer) error { _, err := w.Write(index.Bytes()); return err }); err != nil {
		return res, fmt.Errorf("letters: %w", err)
	}
	reg.Log.Info("letters written", "letters", res.Letters, "centre", opt.CentreID)
	return res, nil
}

// WriteWhole writes name through a temporary sibling renamed at the end
// (mode 0600), so that a cut leaves the earlier file or none. It refuses
// to replace anything but a regular file.
func WriteWhole(name string, fn func(w io.Writer) error) error {
	return atomicfile.WriteFile(name, 0o600, fn)
}
