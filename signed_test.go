package pickup

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

func testKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

func signedFixture(t *testing.T, key ed25519.PrivateKey) (SignedCode, string) {
	t.Helper()
	sc := SignedCode{KeyID: KeyID(key.Public().(ed25519.PublicKey)), Code: mustCode(t, 11), CentreID: "bru-centre",
		CampaignID: "oct2020-strategic", ParcelKind: "close_contact",
		Window: Window{Start: MustDate("2020-11-09"), End: MustDate("2021-01-08")}}
	text, err := Sign(key, sc)
	if err != nil {
		t.Fatal(err)
	}
	return sc, text
}

func TestSignedRoundTrip(t *testing.T) {
	t.Parallel()
	key := testKey(1)
	sc, text := signedFixture(t, key)
	scan, err := ParseScan(text)
	if err != nil {
		t.Fatalf("ParseScan(%q): %v", text, err)
	}
	if scan.Signed == nil || scan.Code != sc.Code {
		t.Fatalf("ParseScan = %+v, want signed code %s", scan, sc.Code)
	}
	got := *scan.Signed
	if got.CentreID != sc.CentreID || got.CampaignID != sc.CampaignID || got.ParcelKind != sc.ParcelKind || got.Window != sc.Window || got.KeyID != sc.KeyID {
		t.Errorf("parsed %+v, want %+v", got, sc)
	}
	kr := Keyring{Keys: map[string]ed25519.PublicKey{sc.KeyID: key.Public().(ed25519.PublicKey)}}
	if err := kr.Verify(got); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if len(text) > 200 {
		t.Errorf("signed payload is %d bytes, want a compact one (≤ 200)", len(text))
	}
}

func TestSignedVerifyFailures(t *testing.T) {
	t.Parallel()
	key, other := testKey(1), testKey(2)
	sc, text := signedFixture(t, key)
	pub := key.Public().(ed25519.PublicKey)
	otherID := KeyID(other.Public().(ed25519.PublicKey))
	rotated, err := Sign(other, SignedCode{KeyID: otherID, Code: sc.Code, CentreID: sc.CentreID, CampaignID: sc.CampaignID, ParcelKind: sc.ParcelKind, Window: sc.Window})
	if err != nil {
		t.Fatal(err)
	}
	both := Keyring{Keys: map[string]ed25519.PublicKey{sc.KeyID: pub, otherID: other.Public().(ed25519.PublicKey)}}
	onlyOld := Keyring{Keys: map[string]ed25519.PublicKey{sc.KeyID: pub}}
	// Tamper: move the code to another centre, keeping the signature.
	tampered := strings.Replace(text, ".bru-centre.", ".gent-noord.", 1)
	// A key id that claims the old key but the signature of the other.
	forged := strings.Replace(rotated, "."+otherID+".", "."+sc.KeyID+".", 1)
	tests := []struct {
		name string
		text string
		kr   Keyring
		want error
	}{
		{"valid", text, onlyOld, nil},
		{"rotated key, both valid", rotated, both, nil},
		{"old key still valid during rotation", text, both, nil},
		{"unknown key", rotated, onlyOld, ErrBadSignature},
		{"tampered centre", tampered, onlyOld, ErrBadSignature},
		{"forged key id", forged, both, ErrBadSignature},
		{"revoked code", text, Keyring{Keys: onlyOld.Keys, Revoked: map[Code]bool{sc.Code: true}}, ErrRevoked},
		{"no keys", text, Keyring{}, ErrBadSignature},
	}
	for _, tt := range tests {
		scan, err := ParseScan(tt.text)
		if err != nil {
			t.Fatalf("%s: ParseScan: %v", tt.name, err)
		}
		err = tt.kr.Verify(*scan.Signed)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestParseScanMalformedSigned(t *testing.T) {
	t.Parallel()
	_, text := signedFixture(t, testKey(1))
	parts := strings.Split(text, ".")
	tests := []struct{ name, in string }{
		{"too few fields", strings.Join(parts[:8], ".")},
		{"too many fields", text + ".x"},
		{"bad code check", strings.Join(append(append([]string{}, parts[:2]...), append([]string{"0000000000000001"}, parts[3:]...)...), ".")},
		{"bad date", strings.Replace(text, "."+parts[6]+".", ".20201399.", 1)},
		{"end before start", strings.Join(append(append([]string{}, parts[:6]...), parts[7], parts[6], parts[8]), ".")},
		{"short signature", strings.Join(append(append([]string{}, parts[:8]...), "AAAA"), ".")},
		{"bad base64", strings.Join(append(append([]string{}, parts[:8]...), strings.Repeat("!", 86)), ".")},
		{"bad id", strings.Replace(text, ".bru-centre.", ".bru centre.", 1)},
		{"grouped code", strings.Replace(text, "."+parts[2]+".", "."+Code(parts[2]).String()+".", 1)},
	}
	for _, tt := range tests {
		_, err := ParseScan(tt.in)
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: ParseScan = %v, want ErrBadSignature", tt.name, err)
		}
	}
	if _, err := ParseScan(strings.Repeat("A", MaxScanLen+1)); !errors.Is(err, ErrInvalidCode) {
		t.Errorf("oversized scan: %v, want ErrInvalidCode", err)
	}
}

func TestInvalidVerdict(t *testing.T) {
	t.Parallel()
	_, err := ParseScan("1234")
	if v := InvalidVerdict(err); v.Kind != VerdictInvalidCode || v.Reason != "length" || v.ReasonN != 4 {
		t.Errorf("InvalidVerdict(short) = %+v", v)
	}
	_, err = ParseScan("PU1.garbage")
	if v := InvalidVerdict(err); v.Kind != VerdictBadSignature {
		t.Errorf("InvalidVerdict(bad payload) = %+v", v)
	}
	if v := InvalidVerdict(ErrRevoked); v.Kind != VerdictCancelled || v.Reason != "revoked" {
		t.Errorf("InvalidVerdict(revoked) = %+v", v)
	}
}

func FuzzParseScan(f *testing.F) {
	key := testKey(1)
	sc := SignedCode{KeyID: "k1", Code: Code("7KQ4M2XD9PZCH3W8"), CentreID: "c", CampaignID: "x", ParcelKind: "p",
		Window: Window{Start: MustDate("2020-11-09"), End: MustDate("2021-01-08")}}
	if _, err := ParseCode(string(sc.Code)); err != nil {
		sc.Code = Code("000000000000000" + string(CheckChar("000000000000000")))
	}
	text, err := Sign(key, sc)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(text)
	f.Add("7KQ4-M2XD-9PZC-H3W8")
	f.Add("PU1.....")
	kr := Keyring{Keys: map[string]ed25519.PublicKey{"k1": key.Public().(ed25519.PublicKey)}}
	f.Fuzz(func(t *testing.T, s string) {
		scan, err := ParseScan(s)
		if err != nil {
			v := InvalidVerdict(err)
			if v.Kind != VerdictInvalidCode && v.Kind != VerdictBadSignature {
				t.Fatalf("ParseScan(%q) error %v maps to %s", s, err, v.Kind)
			}
			return
		}
		if scan.Signed != nil {
			// Anything that verifies must be exactly what was signed.
			if kr.Verify(*scan.Signed) == nil && strings.TrimSpace(s) != text {
				t.Fatalf("ParseScan(%q) verified but differs from the signed text", s)
			}
		}
	})
}

func TestAlnumOr(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"": true, "aZ09": true, "a-b_c": true, "a.b": false, "é": false, "a b": false, "\x00": false} {
		if got := AlnumOr(s, "-_"); got != want {
			t.Errorf("AlnumOr(%q, \"-_\") = %v, want %v", s, got, want)
		}
	}
}
