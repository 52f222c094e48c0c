package protocol

import (
	"bytes"
	"net/url"
	"os"
	"reflect"
	"testing"
)

// Fuzz targets for every decoder of sync input. Plain `go test` runs their
// seed corpus (the golden files and a few hand-made cases); `go test -fuzz
// FuzzX -fuzztime 5s ./sync/protocol` explores further.

func seedGolden(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(goldenPath(n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(""))
	f.Add([]byte("{}"))
	f.Add([]byte("null"))
	f.Add([]byte(`{"events":[{}]}`))
	f.Add([]byte(`[1,2,3]`))
}

// fuzzDecode: a decoder that checks nothing more than its input's shape
// must not panic, whatever the bytes.
func fuzzDecode[T any](f *testing.F, golden string, decode func([]byte) (T, error)) {
	seedGolden(f, golden)
	f.Fuzz(func(t *testing.T, b []byte) { decode(b) })
}

func FuzzDecodeEnrolResponse(f *testing.F)  { fuzzDecode(f, "enrol_response", DecodeEnrolResponse) }
func FuzzDecodeDigestResponse(f *testing.F) { fuzzDecode(f, "digest_response", DecodeDigestResponse) }
func FuzzDecodePickupsResponse(f *testing.F) {
	fuzzDecode(f, "pickups_response", DecodePickupsResponse)
}
func FuzzDecodeTimeResponse(f *testing.F) { fuzzDecode(f, "time_response", DecodeTimeResponse) }

// fuzzRoundTrip: whatever text comes, parse answers without panicking,
// and what it accepts prints back to a text it parses the same.
func fuzzRoundTrip[T interface {
	comparable
	String() string
}](f *testing.F, parse func(string) (T, error)) {
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parse(s)
		if err != nil {
			return
		}
		again, err := parse(v.String())
		if err != nil || again != v {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, v, v.String(), again, err)
		}
	})
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(SignParts(creds0, "GET", "/v1/pull", t0, "AAECAwQFBgcICQoLDA0ODw", nil).String())
	f.Add(AuthScheme + " Terminal=a,Timestamp=1,Nonce=AAAAAAAAAAAAAAAA,Signature=")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			return
		}
		b, err := ParseAuthorization(a.String())
		if err != nil || b.String() != a.String() {
			t.Fatalf("round trip of %q: %q, %v", h, b.String(), err)
		}
	})
}

func FuzzDecodeEnrolRequest(f *testing.F) {
	seedGolden(f, "enrol_request")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeEnrolRequest(b)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("decoded request does not validate: %v", err)
		}
	})
}

func FuzzDecodePushRequest(f *testing.F) {
	seedGolden(f, "push_request", "push_request_stock", "push_request_review")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodePushRequest(b)
		if err != nil {
			return
		}
		again, err := Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodePushRequest(again); err != nil {
			t.Fatalf("re-encoded push does not decode: %v", err)
		}
	})
}

func FuzzDecodePullResponse(f *testing.F) {
	seedGolden(f, "pull_response")
	f.Fuzz(func(t *testing.T, b []byte) {
		peekPullHead(b)
		// The hand-written page decoder agrees with encoding/json.
		var fast, slow PullResponse
		if fastPullResponse(b, &fast) {
			if err := decode(b, &slow, false); err != nil || !reflect.DeepEqual(fast, slow) {
				t.Fatalf("fast decode %+v; encoding/json %+v, %v", fast, slow, err)
			}
		}
		p, err := DecodePullResponse(b)
		if err != nil {
			return
		}
		if p.Cursor < p.After {
			t.Fatalf("accepted a page going backwards")
		}
	})
}

func FuzzDecodePushResponse(f *testing.F) {
	seedGolden(f, "push_response")
	req := fixturePush()
	f.Fuzz(func(t *testing.T, b []byte) { DecodePushResponse(b, &req) })
}

func FuzzDecodeError(f *testing.F) {
	seedGolden(f, "error_clock_skew")
	f.Fuzz(func(t *testing.T, b []byte) {
		e := DecodeError(401, b)
		if e == nil || e.Code == "" {
			t.Fatal("DecodeError gave no code")
		}
	})
}

func FuzzDecompress(f *testing.F) {
	f.Add(Gzip([]byte(`{"events":[]}`)), "gzip")
	f.Add([]byte("plain"), "")
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, "gzip")
	f.Fuzz(func(t *testing.T, b []byte, enc string) {
		out, err := Decompress(b, enc, 1<<16)
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("Decompress returned %d bytes over the limit", len(out))
		}
	})
}

func FuzzParseQueries(f *testing.F) {
	f.Add(PullRequest{DatasetID: "ds-1", After: 10, Limit: 100}.Query().Encode())
	pending := 4
	f.Add(PullRequest{After: 10, Pending: &pending}.Query().Encode())
	f.Add("after=1&pending=-1")
	f.Add(PickupsRequest{Prefix: "7", After: code(1)}.Query().Encode())
	f.Add("after=1&after=2")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if r, err := ParsePullQuery(q); err == nil && (r.After < 0 || r.Limit < 0 || r.Limit > MaxPullLimit ||
			r.Pending != nil && (*r.Pending < 0 || *r.Pending > MaxPending)) {
			t.Fatalf("ParsePullQuery(%q) = %+v", raw, r)
		} else if err == nil {
			again, err := ParsePullQuery(r.Query())
			if err != nil || again.After != r.After || again.Limit != r.Limit || again.DatasetID != r.DatasetID ||
				(again.Pending == nil) != (r.Pending == nil) || r.Pending != nil && *again.Pending != *r.Pending {
				t.Fatalf("ParsePullQuery(%q) = %+v; its Query parses as %+v, %v", raw, r, again, err)
			}
		}
		if r, err := ParsePickupsQuery(q); err == nil && (r.Limit < 0 || r.Limit > MaxPickupsLimit) {
			t.Fatalf("ParsePickupsQuery(%q) = %+v", raw, r)
		}
	})
}

func FuzzParseEnrolmentCode(f *testing.F) {
	f.Add(fixtureEnrolRequest().EnrolmentCode)
	f.Add(fixtureEnrolRequest().EnrolmentCode + "@" + CertPin([]byte("x")))
	f.Add("oooo-iiii")
	fuzzRoundTrip(f, ParseEnrolmentCode)
}

func FuzzReadBundle(f *testing.F) {
	var facts bytes.Buffer
	bw, _ := NewBundleWriter(&facts, BundleHeader{Kind: BundleFacts, ID: "3c1e2d4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
		DatasetID: "ds-1", CentreID: "namur", TerminalID: creds0.TerminalID, CreatedAt: t0})
	p := fixturePush()
	bw.Push(&p)
	bw.Close(HMACSigner(creds0.TerminalID, secret0))
	f.Add(facts.Bytes())
	f.Add(Gzip([]byte(`{"header":{}}` + "\n")))
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadBundle(bytes.NewReader(b), HMACVerifier(secretOf), func(BundleRecord) error { return nil })
	})
}
