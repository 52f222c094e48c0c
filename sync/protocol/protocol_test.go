package protocol

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

func TestStatusTable(t *testing.T) {
	for _, c := range ErrorCodes {
		s := StatusOf(c)
		if s < 400 || s > 599 {
			t.Errorf("StatusOf(%q) = %d, want a 4xx or 5xx", c, s)
		}
		if got := CodeForStatus(s); StatusOf(got) != s {
			t.Errorf("CodeForStatus(%d) = %q with status %d", s, got, StatusOf(got))
		}
	}
	if len(statusTable) != len(ErrorCodes) {
		t.Errorf("ErrorCodes lists %d codes, the table %d", len(ErrorCodes), len(statusTable))
	}
	e := DecodeError(401, []byte(`{"error":{"code":"clock_skew","message":"m","server_time":"2020-11-09T09:30:00Z"}}`))
	if !errors.Is(e, ErrClockSkew) || !e.ServerTime.Equal(t0) {
		t.Errorf("DecodeError = %+v, want clock_skew at %v", e, t0)
	}
	if e := DecodeError(502, []byte("<html>bad gateway</html>")); !errors.Is(e, ErrUnavailable) || !e.Retryable() {
		t.Errorf("DecodeError(502 html) = %+v, want unavailable", e)
	}
}

func TestParseAuthorization(t *testing.T) {
	good := SignParts(creds0, "GET", "/v1/pull?after=0", t0, "AAECAwQFBgcICQoLDA0ODw", nil).String()
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"good", good, true},
		{"empty", "", false},
		{"scheme", strings.Replace(good, AuthScheme, "Bearer", 1), false},
		{"missing param", strings.Split(good, ",Signature=")[0], false},
		{"repeated", good + ",Nonce=AAECAwQFBgcICQoLDA0ODw", false},
		{"unknown", good + ",Extra=1", false},
		{"timestamp", strings.Replace(good, "Timestamp=1604914200000", "Timestamp=16049x", 1), false},
		{"timestamp leading zero", strings.Replace(good, "Timestamp=1604914200000", "Timestamp=01604914200000", 1), false},
		{"nonce short", strings.Replace(good, "Nonce=AAECAwQFBgcICQoLDA0ODw", "Nonce=abc", 1), false},
		{"terminal", strings.Replace(good, "Terminal=term-7KQ4M2XD", "Terminal=a b", 1), false},
		{"signature", good[:len(good)-2], false},
		{"too long", good + strings.Repeat(" ", MaxAuthHeader), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAuthorization(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseAuthorization(%q) error = %v, want ok %v", tc.in, err, tc.ok)
			}
			if tc.ok && a.String() != tc.in {
				t.Errorf("String() = %q, want %q", a.String(), tc.in)
			}
		})
	}
}

func TestSignatureCoversEverything(t *testing.T) {
	body := Gzip([]byte(`{"events":[]}`))
	a := SignParts(creds0, "POST", "/v1/push", t0, "AAECAwQFBgcICQoLDA0ODw", body)
	if !VerifySignature(a, secret0, "POST", "/v1/push", body) {
		t.Fatal("signature does not verify")
	}
	tests := []struct {
		name           string
		a              Auth
		secret         []byte
		method, target string
		body           []byte
	}{
		{"secret", a, bytes.Repeat([]byte{1}, 32), "POST", "/v1/push", body},
		{"method", a, secret0, "PUT", "/v1/push", body},
		{"target", a, secret0, "POST", "/v1/push?x=1", body},
		{"body", a, secret0, "POST", "/v1/push", append(append([]byte{}, body...), 0)},
		{"timestamp", func() Auth { b := a; b.Timestamp++; return b }(), secret0, "POST", "/v1/push", body},
		{"nonce", func() Auth { b := a; b.Nonce = "BAECAwQFBgcICQoLDA0ODw"; return b }(), secret0, "POST", "/v1/push", body},
		{"terminal", func() Auth { b := a; b.TerminalID = "term-OTHER"; return b }(), secret0, "POST", "/v1/push", body},
	}
	for _, tc := range tests {
		if VerifySignature(tc.a, tc.secret, tc.method, tc.target, tc.body) {
			t.Errorf("changed %s: signature still verifies", tc.name)
		}
	}
}

func TestCheckClock(t *testing.T) {
	tests := []struct {
		d  time.Duration
		ok bool
	}{{0, true}, {SkewWindow, true}, {-SkewWindow, true}, {SkewWindow + time.Millisecond, false}, {-time.Hour, false}}
	for _, tc := range tests {
		a := Auth{Timestamp: t0.Add(tc.d).UnixMilli()}
		err := CheckClock(a, t0, SkewWindow)
		if (err == nil) != tc.ok {
			t.Errorf("CheckClock(%v off) = %v, want ok %v", tc.d, err, tc.ok)
		}
		if err != nil && (!errors.Is(err, ErrClockSkew) || !err.ServerTime.Equal(t0)) {
			t.Errorf("CheckClock(%v off) = %+v, want clock_skew with server time", tc.d, err)
		}
	}
}

func TestNonceCache(t *testing.T) {
	var c NonceCache
	exp := t0.Add(NonceMemory)
	if ok, _ := c.Add("t1", "n1", t0, exp); !ok {
		t.Fatal("first nonce refused")
	}
	if ok, _ := c.Add("t1", "n1", t0.Add(time.Minute), exp); ok {
		t.Error("replayed nonce accepted")
	}
	if ok, _ := c.Add("t2", "n1", t0, exp); !ok {
		t.Error("same nonce of another terminal refused")
	}
	if ok, _ := c.Add("t1", "n1", exp.Add(time.Second), exp.Add(NonceMemory)); !ok {
		t.Error("expired nonce still remembered")
	}
	small := NonceCache{MaxSize: 1}
	small.Add("t", "a", t0, exp)
	if _, err := small.Add("t", "b", t0, exp); !errors.Is(err, ErrNonceCacheFull) {
		t.Errorf("full cache: err = %v, want ErrNonceCacheFull", err)
	}
}

func TestEnrolmentCode(t *testing.T) {
	tok, err := NewEnrolmentToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	pin := CertPin([]byte("cert"))
	for _, ec := range []EnrolmentCode{{Token: tok}, {Token: tok, Pin: pin}} {
		s := ec.String()
		got, err := ParseEnrolmentCode(strings.ToLower(s[:24]) + s[24:])
		if err != nil || got != ec {
			t.Errorf("ParseEnrolmentCode(%q) = %+v, %v; want %+v", s, got, err, ec)
		}
	}
	// Every single-character change of the token is caught.
	for i := 0; i < EnrolmentTokenLen; i++ {
		for _, c := range []byte(pickup.Alphabet) {
			if c == tok[i] {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			if _, err := ParseEnrolmentCode(bad); err == nil {
				t.Fatalf("ParseEnrolmentCode(%q) accepted a typo of %q", bad, tok)
			}
		}
	}
	for _, bad := range []string{"", "ABC", tok + "@notapin", tok + "!"} {
		if _, err := ParseEnrolmentCode(bad); !errors.Is(err, ErrEnrolmentCode) {
			t.Errorf("ParseEnrolmentCode(%q) = %v, want ErrEnrolmentCode", bad, err)
		}
	}
}

func TestDigest(t *testing.T) {
	p := fixturePull()
	rows := []pickup.Pickup{p.Pickups[0].Pickup, p.Pickups[1].Pickup}
	extra := rows[0]
	extra.Code = code(9)
	rows = append(rows, extra)
	var a, b Digest
	for _, r := range rows {
		a.Add(r)
	}
	for i := len(rows) - 1; i >= 0; i-- {
		b.Add(rows[i])
	}
	if a.Hex() != b.Hex() || a.Count() != 3 {
		t.Fatalf("digest depends on order: %s vs %s", a.Hex(), b.Hex())
	}
	changed := rows[1]
	changed.Status = pickup.StatusExpected
	b.Remove(rows[1])
	b.Add(changed)
	if a.Hex() == b.Hex() {
		t.Fatal("a status change left the digest unchanged")
	}
	if diff := Diff(a.Buckets(), b.Buckets()); len(diff) != 1 || diff[0] != string(rows[1].Code[0]) {
		t.Errorf("Diff = %v, want [%c]", diff, rows[1].Code[0])
	}
	b.Remove(changed)
	b.Add(rows[1])
	if a.Hex() != b.Hex() {
		t.Error("remove then add back does not restore the digest")
	}
	var twice, none Digest
	twice.Add(rows[0])
	twice.Add(rows[0])
	if twice.Hex() == none.Hex() {
		t.Error("two identical rows cancel out")
	}
	var under Digest
	under.Remove(rows[0])
	under.Add(rows[0])
	if under.Hex() != none.Hex() || under.Count() != 0 {
		t.Errorf("remove then add = %s, want zero", under.Hex())
	}
}

func writeFacts(t *testing.T, secret []byte, batches ...PushRequest) []byte {
	t.Helper()
	var buf bytes.Buffer
	bw, err := NewBundleWriter(&buf, BundleHeader{Kind: BundleFacts, ID: "3c1e2d4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
		DatasetID: "ds-3f9a1c0b7e2d4a68", CentreID: "namur", TerminalID: creds0.TerminalID, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	for i := range batches {
		if err := bw.Push(&batches[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Close(HMACSigner(creds0.TerminalID, secret)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func secretOf(id string) ([]byte, error) {
	if id != creds0.TerminalID {
		return nil, errors.New("unknown terminal")
	}
	return secret0, nil
}

func TestBundleFacts(t *testing.T) {
	b := writeFacts(t, secret0, fixturePush(), fixturePush())
	var got []PushRequest
	hd, err := ReadBundle(bytes.NewReader(b), HMACVerifier(secretOf), func(r BundleRecord) error {
		if r.Push != nil {
			got = append(got, *r.Push)
		}
		return nil
	})
	if err != nil || hd.TerminalID != creds0.TerminalID || len(got) != 2 || len(got[1].Events) != 3 {
		t.Fatalf("ReadBundle = %+v, %d batches, %v", hd, len(got), err)
	}

	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"other secret", writeFacts(t, bytes.Repeat([]byte{1}, 32), fixturePush()), ErrBundleTampered},
		{"truncated", b[:len(b)/2], ErrBundle},
		{"not gzip", []byte("hello"), ErrBundle},
		{"altered", alterBundle(t, b, "Marie", "Maria"), ErrBundleTampered},
		{"page in facts", alterBundle(t, b, `{"push":{"events"`, `{"page":{"events"`), ErrBundle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadBundle(bytes.NewReader(tc.b), HMACVerifier(secretOf), nil)
			if !errors.Is(err, tc.want) {
				t.Errorf("ReadBundle = %v, want %v", err, tc.want)
			}
		})
	}
}

// alterBundle decompresses, replaces text, and compresses again (as someone
// editing the file would).
func alterBundle(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	plain, err := Decompress(b, "gzip", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(plain, []byte(old)) {
		t.Fatalf("bundle lacks %q", old)
	}
	return Gzip(bytes.Replace(plain, []byte(old), []byte(new), 1))
}

func TestBundlePullRotatedKeys(t *testing.T) {
	oldPriv := priv0
	_, newPriv, _ := ed25519.GenerateKey(nil)
	var buf bytes.Buffer
	p := fixturePull()
	bw, err := NewBundleWriter(&buf, BundleHeader{Kind: BundlePull, ID: "3c1e2d4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
		DatasetID: p.DatasetID, CentreID: "namur", After: 10, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := bw.Page(&p); err != nil {
		t.Fatal(err)
	}
	if err := bw.Push(&PushRequest{}); err == nil {
		t.Error("facts accepted in a pull bundle")
	}
	keys := map[string]ed25519.PrivateKey{"kold": oldPriv, "knew": newPriv}
	if err := bw.Close(Ed25519Signer(keys)); err != nil {
		t.Fatal(err)
	}
	// A terminal that knows only the old key still verifies it.
	onlyOld := map[string]ed25519.PublicKey{"kold": pub0}
	pages := 0
	if _, err := ReadBundle(bytes.NewReader(buf.Bytes()), Ed25519Verifier(onlyOld), func(r BundleRecord) error {
		if r.Page != nil {
			pages++
		}
		return nil
	}); err != nil || pages != 1 {
		t.Fatalf("ReadBundle = %v with %d pages, want 1", err, pages)
	}
	unknown := map[string]ed25519.PublicKey{"kother": newPriv.Public().(ed25519.PublicKey)}
	if _, err := ReadBundle(bytes.NewReader(buf.Bytes()), Ed25519Verifier(unknown), nil); !errors.Is(err, ErrBundleTampered) {
		t.Errorf("unknown key: err = %v, want ErrBundleTampered", err)
	}
}

func TestDecodeStrict(t *testing.T) {
	good, _ := Encode(fixturePush())
	tests := []struct {
		name string
		body string
	}{
		{"unknown field", strings.Replace(string(good), `"events"`, `"extra":1,"events"`, 1)},
		{"unknown event field", strings.Replace(string(good), `"type"`, `"colour":"red","type"`, 1)},
		{"trailing", string(good) + "{}"},
		{"empty", ""},
		{"no events", `{"events":[]}`},
		{"bad code", strings.Replace(string(good), string(code(1)), "AAAAAAAAAAAAAAAA", 1)},
		{"duplicate id", `{"events":[` + strings.Repeat(eventJSON(t)+",", 1) + eventJSON(t) + `]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodePushRequest([]byte(tc.body)); !errors.Is(err, ErrBadRequest) {
				t.Errorf("DecodePushRequest = %v, want bad_request", err)
			}
		})
	}
	if _, err := DecodePushRequest(good); err != nil {
		t.Errorf("DecodePushRequest(good) = %v", err)
	}
}

func eventJSON(t *testing.T) string {
	b, err := Encode(fixturePush().Events[0])
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestDecompressLimits(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 1<<20)
	z := Gzip(big)
	if _, err := Decompress(z, "gzip", 1<<10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("gzip bomb: %v, want too_large", err)
	}
	if _, err := Decompress(z, "br", 1<<30); !errors.Is(err, ErrUnsupportedMedia) {
		t.Errorf("brotli: %v, want unsupported", err)
	}
	if _, err := ReadRaw(bytes.NewReader(big), 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadRaw over limit: %v, want too_large", err)
	}
	got, err := Decompress(z, "gzip", 1<<30)
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("Decompress round trip: %v", err)
	}
}

// TestDecompressSizeHint: the gzip trailer's size only sizes the buffer:
// a trailer that says too little, too much, or past the limit changes
// neither the bytes read nor the refusals (a trailer lie breaks the
// checksum's size check, as before).
func TestDecompressSizeHint(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte(`{"code":"ABCD-EFGH-JKLM-NPQR"},`), 3000)
	z := Gzip(body)
	lie := func(n uint32) []byte {
		b := bytes.Clone(z)
		binary.LittleEndian.PutUint32(b[len(b)-4:], n)
		return b
	}
	tests := []struct {
		name    string
		in      []byte
		max     int64
		want    []byte
		wantErr error
	}{
		{"true size", z, 1 << 20, body, nil},
		{"exactly the limit", z, int64(len(body)), body, nil},
		{"one byte over the limit", z, int64(len(body)) - 1, nil, ErrTooLarge},
		{"trailer says less", lie(10), 1 << 20, nil, ErrBadRequest},
		{"trailer says more", lie(uint32(len(body)) * 4), 1 << 20, nil, ErrBadRequest},
		{"trailer past the limit", lie(1 << 31), 1 << 20, nil, ErrBadRequest},
	}
	for _, tc := range tests {
		got, err := Decompress(tc.in, "gzip", tc.max)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: %d bytes, %v; want the %d bytes", tc.name, len(got), err, len(tc.want))
		}
	}
	if n := gzipSizeHint(z, 1<<20); n != len(body)+1 {
		t.Errorf("size hint %d, want %d", n, len(body)+1)
	}
	if n := gzipSizeHint(lie(1<<31), 1<<40); n != 512 {
		t.Errorf("size hint of a trailer past deflate's ratio: %d, want 512", n)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{{"gzip", true}, {"gzip, deflate", true}, {"br;q=1, gzip;q=0.5", true}, {"gzip;q=0", false}, {"", false}, {"identity", false}}
	for _, tc := range tests {
		if got := AcceptsGzip(tc.in); got != tc.want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestQueries(t *testing.T) {
	r := PullRequest{DatasetID: "ds-1", After: 42, Limit: 100}
	got, err := ParsePullQuery(r.Query())
	if err != nil || got != r {
		t.Errorf("ParsePullQuery(Query()) = %+v, %v; want %+v", got, err, r)
	}
	for _, q := range []string{"after=-1", "after=x", "limit=100000", "centre=other", "after=1&after=2", "dataset=a%20b"} {
		v, _ := url.ParseQuery(q)
		if _, err := ParsePullQuery(v); err == nil {
			t.Errorf("ParsePullQuery(%q) accepted", q)
		}
	}
	pr := PickupsRequest{Prefix: "7K", After: code(1), Limit: 10}
	got2, err := ParsePickupsQuery(pr.Query())
	if err != nil || got2 != pr {
		t.Errorf("ParsePickupsQuery(Query()) = %+v, %v; want %+v", got2, err, pr)
	}
	for _, q := range []string{"prefix=U", "prefix=ABCDE", "after=7kq4", "centre=x"} {
		v, _ := url.ParseQuery(q)
		if _, err := ParsePickupsQuery(v); err == nil {
			t.Errorf("ParsePickupsQuery(%q) accepted", q)
		}
	}
}

// fakeRegistry checks signatures like the registry does, with a clock of its
// own, and answers a fixed page.
type fakeRegistry struct {
	now    time.Time
	nonces NonceCache
	calls  atomic.Int32
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	fail := func(e *Error) {
		e.ServerTime = f.now
		b, _ := Encode(e.Body())
		w.Header().Set("Content-Type", ContentType)
		w.WriteHeader(e.HTTPStatus())
		w.Write(b)
	}
	raw, _ := io.ReadAll(r.Body)
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		fail(Errorf(CodeUnauthenticated, "%v", err))
		return
	}
	if !VerifySignature(a, secret0, r.Method, RequestTarget(r.URL.EscapedPath(), r.URL.RawQuery), raw) {
		fail(Errorf(CodeBadSignature, "no"))
		return
	}
	if e := CheckClock(a, f.now, SkewWindow); e != nil {
		fail(e)
		return
	}
	if ok, _ := f.nonces.Add(a.TerminalID, a.Nonce, f.now, f.now.Add(NonceMemory)); !ok {
		fail(Errorf(CodeReplayed, "nonce seen"))
		return
	}
	p := fixturePull()
	p.ServerTime = f.now
	b, _ := Encode(p)
	w.Header().Set("Content-Type", ContentType)
	if AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		w.Header().Set("Content-Encoding", "gzip")
		b = Gzip(b)
	}
	w.Write(b)
}

func TestClientCorrectsClockSkew(t *testing.T) {
	f := &fakeRegistry{now: t0}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, err := NewClient(srv.URL, creds0, "")
	if err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return t0.Add(-2 * time.Hour) } // terminal clock 2 h slow
	p, err := c.Pull(context.Background(), PullRequest{After: 10})
	if err != nil {
		t.Fatalf("Pull with a slow clock: %v", err)
	}
	if p.Cursor != 20 || f.calls.Load() != 2 {
		t.Errorf("Pull = cursor %d after %d calls, want 20 after 2 (skew, then corrected)", p.Cursor, f.calls.Load())
	}
	off, ok := c.ClockOffset()
	if !ok || off != 2*time.Hour {
		t.Errorf("ClockOffset = %v, %v; want 2h", off, ok)
	}
	// Wrong credentials give a definite, non-retryable refusal.
	c.Creds.Secret = bytes.Repeat([]byte{9}, 32)
	_, err = c.Pull(context.Background(), PullRequest{})
	var pe *Error
	if !errors.As(err, &pe) || !errors.Is(err, ErrBadSignature) || pe.Retryable() || pe.HTTPStatus() != 401 {
		t.Errorf("Pull with a wrong secret = %v, want invalid_signature 401", err)
	}
}

func TestNewRequestID(t *testing.T) {
	id, err := NewRequestID(nil)
	if err != nil || !validUUID(id) || id[14] != '4' {
		t.Errorf("NewRequestID = %q, %v", id, err)
	}
}

func TestEncodePullRaw(t *testing.T) {
	for _, p := range []PullResponse{fixturePull(), {DatasetID: "ds-1", CentreID: "namur", ServerTime: t0}} {
		want, err := Encode(&p)
		if err != nil {
			t.Fatal(err)
		}
		raw := []json.RawMessage{}
		for _, r := range p.Pickups {
			b, _ := json.Marshal(r)
			raw = append(raw, b)
		}
		q := p
		q.Pickups = nil
		got, err := EncodePull(&q, raw)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("EncodePull = %s, %v\nwant %s", got, err, want)
		}
	}
}

// TestPickupRowFastPath: the hand-written decoder of pickup rows gives what
// encoding/json gives, for rows it takes and rows it leaves to the slow
// path.
func TestPickupRowFastPath(t *testing.T) {
	type plain PickupRow
	rows := []string{
		`{"code":"13C13C13C13C13C3","name":"Anne Dupont","profession":"nurse","parcel_kind":"close_contact","centre_id":"namur","campaign_id":"oct2020-strategic","window":{"start":"2020-11-09","end":"2021-01-08"},"status":"expected","seq":11}`,
		`{"code":"13C13C13C13C13C3","name":"Zoë \"Zo\" \\ O'Brien","profession":"nurse","parcel_kind":"k","centre_id":"c","window":{"start":"2020-11-09","end":"2021-01-08"},"status":"collected","seq":1}`,
		`{"seq":5,"status":"cancelled","window":{"end":"2021-01-08","start":"2020-02-29"},"code":"X","name":"日本","profession":"p","parcel_kind":"k","centre_id":"c"}`,
		`{"code":"A","name":"\u2028x","profession":"p","parcel_kind":"k","centre_id":"c","window":{"start":"2020-11-09","end":"2021-01-08"},"status":"s","seq":1,"extra":true}`,
		`{"code":"A","name":"a","name":"b","window":null,"seq":1}`,
		` { "code" : "A" , "seq" : 7 } `,
	}
	for _, s := range rows {
		var fast PickupRow
		var slow plain
		errF := json.Unmarshal([]byte(s), &fast)
		errS := json.Unmarshal([]byte(s), &slow)
		if (errF == nil) != (errS == nil) || !reflect.DeepEqual(fast, PickupRow(slow)) {
			t.Errorf("row %s:\n fast %+v %v\n slow %+v %v", s, fast, errF, slow, errS)
		}
	}
	for _, bad := range []string{
		`{"code":"A","window":{"start":"2021-02-29","end":"2021-03-01"}}`,
		`{"code":"A","seq":"x"}`,
		`{"code":"A"`,
	} {
		var r PickupRow
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("row %s decoded: %+v", bad, r)
		}
	}
}

func FuzzPickupRow(f *testing.F) {
	p := fixturePull()
	for _, r := range p.Pickups {
		b, _ := json.Marshal(r)
		f.Add(b)
	}
	f.Add([]byte(`{"code":"A","window":{"start":"2020-02-30","end":"2021-01-08"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		type plain PickupRow
		var fast PickupRow
		var slow plain
		errF := json.Unmarshal(b, &fast)
		errS := json.Unmarshal(b, &slow)
		if (errF == nil) != (errS == nil) {
			t.Fatalf("fast error %v, slow error %v", errF, errS)
		}
		if errF == nil && !reflect.DeepEqual(fast, PickupRow(slow)) {
			t.Fatalf("fast %+v, slow %+v", fast, slow)
		}
	})
}

func TestFastPullResponse(t *testing.T) {
	golden, _ := os.ReadFile(goldenPath("pull_response"))
	for _, s := range []string{string(golden), `{"dataset_id":"d","centre_id":"c","pickups":[],"server_time":"2020-11-09T09:30:00Z"}`,
		`{"pickups":[{"code":"A","seq":1}, {"code":"B","seq":2}],"cursor":3}`} {
		var fast, slow PullResponse
		if !fastPullResponse([]byte(s), &fast) {
			t.Errorf("fast path refused %.60s", s)
		}
		if err := decode([]byte(s), &slow, false); err != nil || !reflect.DeepEqual(fast, slow) {
			t.Errorf("fast %+v\nslow %+v %v", fast, slow, err)
		}
	}
	for _, s := range []string{`{"pickups":[{"code":"A"},]}`, `{"pickups":[{"code":"A","seq":01}]}`, `{"cursor":1,"cursor":2}`, `{"Cursor":1}`, `{"cursor":1} x`} {
		var fast PullResponse
		if fastPullResponse([]byte(s), &fast) {
			t.Errorf("fast path took %s", s)
		}
	}
}
