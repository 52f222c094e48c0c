package protocol

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type goldenCase struct {
	name   string
	value  func() any
	decode func([]byte) (any, error)
}

// goldenCases are the wire bodies kept in testdata/<name>.json, with the
// decoder each side uses for them.
var goldenCases = []goldenCase{
	golden("enrol_request", fixtureEnrolRequest, DecodeEnrolRequest),
	golden("enrol_response", fixtureEnrolResponse, DecodeEnrolResponse),
	golden("pull_response", fixturePull, DecodePullResponse),
	golden("push_request", fixturePush, DecodePushRequest),
	golden("push_request_stock", fixturePushStock, DecodePushRequest),
	golden("push_request_review", fixturePushReview, DecodePushRequest),
	golden("push_request_owed", fixturePushOwed, DecodePushRequest),
	golden("push_response", fixturePushResponse, func(b []byte) (*PushResponse, error) {
		req := fixturePush()
		return DecodePushResponse(b, &req)
	}),
	golden("digest_response", fixtureDigest, DecodeDigestResponse),
	golden("pickups_response", fixturePickups, DecodePickupsResponse),
	golden("time_response", func() TimeResponse { return TimeResponse{ServerTime: t0} }, DecodeTimeResponse),
	golden("error_clock_skew", fixtureError, func(b []byte) (*ErrorBody, error) {
		v := DecodeError(401, b).Body()
		return &v, nil
	}),
}

// golden is the case of the fixture's value, kept as name, read back with
// decode.
func golden[T any, R any](name string, fixture func() T, decode func([]byte) (R, error)) goldenCase {
	return goldenCase{name, func() any { v := fixture(); return &v }, func(b []byte) (any, error) { return decode(b) }}
}

func goldenPath(name string) string { return filepath.Join("testdata", name+".json") }

// indent makes the compact wire JSON readable in review; decoding it gives
// the same value.
func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.value()
			wire, err := Encode(v)
			if err != nil {
				t.Fatal(err)
			}
			want, path := checkGolden(t, tc.name, wire)
			back, err := tc.decode(want)
			if err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			if !reflect.DeepEqual(back, v) {
				t.Errorf("decode(%s) = %+v, want %+v", path, back, v)
			}
		})
	}
}

// TestGoldenAuth pins the string to sign and the Authorization header.
func TestGoldenAuth(t *testing.T) {
	nonce := "AAECAwQFBgcICQoLDA0ODw"
	a := SignParts(creds0, "GET", RequestTarget("/v1/pull", "after=10&dataset=ds-3f9a1c0b7e2d4a68&limit=2000"), t0, nonce, nil)
	got := map[string]string{
		"string_to_sign": StringToSign("GET", "/v1/pull?after=10&dataset=ds-3f9a1c0b7e2d4a68&limit=2000", creds0.TerminalID, t0.UnixMilli(), nonce, nil),
		"authorization":  a.String(),
		"secret":         "32 bytes of 0x5a",
	}
	wire, err := Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "auth", wire)
}

// checkGolden compares wire, indented, with the golden file name (written
// first under -update) and returns the file's content and path.
func checkGolden(t *testing.T, name string, wire []byte) (want []byte, path string) {
	t.Helper()
	got := indent(t, wire)
	path = goldenPath(name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./sync/protocol -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the wire JSON; if the change is meant, run go test ./sync/protocol -update\ngot:\n%s", path, got)
	}
	return want, path
}

// TestPullQueryGolden: the query of GET /v1/pull, kept in
// testdata/pull_query.txt (the pending parameter is optional: a terminal
// of an older version sends none).
func TestPullQueryGolden(t *testing.T) {
	pending := 3
	req := PullRequest{DatasetID: "ds-0123456789abcdef", After: 120, Limit: 500, Pending: &pending}
	path := filepath.Join("testdata", "pull_query.txt")
	got := req.Query().Encode() + "\n"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sync/protocol -update)", err)
	}
	if got != string(want) {
		t.Errorf("pull query %q, golden %q", got, want)
	}
	q, err := url.ParseQuery(string(bytes.TrimSpace(want)))
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePullQuery(q)
	if err != nil || back.Pending == nil || *back.Pending != pending || back.After != req.After || back.Limit != req.Limit || back.DatasetID != req.DatasetID {
		t.Errorf("golden pull query parses as %+v, %v", back, err)
	}
}
