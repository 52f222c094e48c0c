package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"image/png"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// terminal enrol --url --qr prints the one-line enrolment text and writes
// it as a QR code (0600) that decodes to the same text.
func TestTerminalEnrolURIAndQR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errs := cli(t, dir, "centre", "add", "--id", "namur", "--name", "Namur"); code != 0 {
		t.Fatal(errs)
	}
	qr := filepath.Join(t.TempDir(), "enrol.png")
	code, out, errs := cli(t, dir, "terminal", "enrol", "--centre", "namur", "--url", "http://127.0.0.1:8080", "--qr", qr, "--json")
	if code != 0 {
		t.Fatalf("terminal enrol: %d %s %s", code, out, errs)
	}
	var got struct {
		Code string `json:"enrolment_code"`
		URI  string `json:"enrolment_uri"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	u, err := protocol.ParseEnrolmentURI(got.URI)
	if err != nil || u.URL != "http://127.0.0.1:8080" || u.Code.String() != got.Code {
		t.Fatalf("enrolment_uri %q = %+v %v, want the code %s at http://127.0.0.1:8080", got.URI, u, err, got.Code)
	}
	fi, err := os.Stat(qr)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("QR file: %v %v, want 0600", fi, err)
	}
	f, err := os.Open(qr)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || res.GetText() != got.URI {
		t.Fatalf("QR decodes to %v %v, want %q", res, err, got.URI)
	}
	if code, _, errs := cli(t, dir, "terminal", "enrol", "--centre", "namur", "--qr", qr); code != 2 {
		t.Errorf("--qr without --url: %d %s, want a usage error", code, errs)
	}
}
