package protocol

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

// The one-line enrolment text carries address, code and pin, survives a
// scanner typing it in lower case, and uses only characters every keyboard
// layout types without AltGr.
func TestEnrolmentURIRoundTrip(t *testing.T) {
	tok, err := NewEnrolmentToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("cert"))
	pin := CertPin(sum[:])
	for _, tc := range []struct {
		url, pin, want string
	}{
		{"https://registry.example:8443/", pin, "https://registry.example:8443"},
		{"https://Registry.Example", pin, "https://registry.example:443"},
		{"http://127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"https://my-host.lan:9443", "", "https://my-host.lan:9443"},
	} {
		u, err := NewEnrolmentURI(tc.url, EnrolmentCode{Token: tok, Pin: tc.pin})
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		text := u.String()
		for _, r := range text {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
				t.Errorf("%s: character %q in %s", tc.url, r, text)
			}
		}
		for _, typed := range []string{text, strings.ToLower(text), " " + text + "\n"} {
			got, err := ParseEnrolmentURI(typed)
			if err != nil {
				t.Fatalf("parse %q: %v", typed, err)
			}
			if got.URL != tc.want || got.Code.Token != tok || got.Code.Pin != tc.pin {
				t.Errorf("parse %q = %+v, want %s %s %s", typed, got, tc.want, tok, tc.pin)
			}
		}
		if !LooksLikeEnrolmentURI(strings.ToLower(text)) {
			t.Errorf("LooksLikeEnrolmentURI(%q) = false", text)
		}
	}
	if LooksLikeEnrolmentURI("ABCD-EFGH-JKMN-PQRS") {
		t.Error("a pickup code looks like an enrolment text")
	}
}

func TestEnrolmentURIRefusals(t *testing.T) {
	tok, _ := NewEnrolmentToken(nil)
	good, _ := NewEnrolmentURI("http://127.0.0.1:8080", EnrolmentCode{Token: tok})
	text := good.String()
	sum := sha256.Sum256([]byte("cert"))
	for _, tc := range []struct{ name, url string }{
		{"path", "https://h:1/pickup"},
		{"ftp", "ftp://h:1"},
		{"ipv6", "https://[::1]:8443"},
		{"user", "https://u@h:1"},
	} {
		if _, err := NewEnrolmentURI(tc.url, EnrolmentCode{Token: tok}); !errors.Is(err, ErrEnrolmentURI) {
			t.Errorf("%s: NewEnrolmentURI(%q) = %v, want ErrEnrolmentURI", tc.name, tc.url, err)
		}
	}
	if _, err := NewEnrolmentURI("http://h:1", EnrolmentCode{Token: tok, Pin: CertPin(sum[:])}); !errors.Is(err, ErrPinOverHTTP) {
		t.Errorf("pin over http = %v", err)
	}
	for _, bad := range []string{
		"", "PICKUP-ENROL-", text[:len(text)-5], // cut off
		strings.Replace(text, "-H-", "-X-", 1),
		strings.Replace(text, tok, tok[:19]+otherChar(tok[19]), 1), // check character
		strings.Replace(text, "-0-", "-ABC-", 1),                   // damaged pin
		strings.Replace(text, "-8080", "-99999", 1),                // port
		strings.Replace(text, "127.0.0.1", "a_b", 1),               // host
		"PICKUP-ENROL-H-" + tok + "-0-" + strings.Repeat("a", 300) + "-1",
	} {
		if _, err := ParseEnrolmentURI(bad); err == nil {
			t.Errorf("ParseEnrolmentURI(%q) accepted", bad)
		}
	}
}

// FuzzParseEnrolmentURI: whatever a scanner types, the parser answers
// without panicking, and what it accepts prints back to a text it reads
// the same.
func FuzzParseEnrolmentURI(f *testing.F) {
	tok, _ := NewEnrolmentToken(nil)
	sum := sha256.Sum256([]byte("cert"))
	for _, c := range []EnrolmentCode{{Token: tok}, {Token: tok, Pin: CertPin(sum[:])}} {
		u, _ := NewEnrolmentURI("https://registry.example:8443", c)
		f.Add(u.String())
	}
	f.Add("PICKUP-ENROL-H-0-0-a-1")
	fuzzRoundTrip(f, ParseEnrolmentURI)
}

// otherChar is a character of the alphabet other than c.
func otherChar(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}
