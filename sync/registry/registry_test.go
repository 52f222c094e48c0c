package registry

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/protocol/protocoltest"
)

func TestImportRequests(t *testing.T) {
	f := newFixture(t)
	good := "professional_id,name,profession,centre_id\n" +
		"P1,Anne Dupont,physiotherapist,namur\n" +
		"P2,Jan Peeters,Pharmacist,gent\n" // a name, any case
	res, err := f.reg.ImportRequests(f.ctx, pickup.DefaultCampaignID, strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || len(res.Problems) != 0 {
		t.Fatalf("ImportRequests = %+v, want 2 imported", res)
	}
	again, err := f.reg.ImportRequests(f.ctx, pickup.DefaultCampaignID, strings.NewReader("professional_id,name,profession,centre_id\nP2,Jan,pharmacist,gent\n"))
	if !errors.Is(err, ErrRefused) || again.Imported != 0 || len(again.Problems) != 1 || again.Problems[0].Line != 2 {
		t.Errorf("second import of P2 = %+v, %v; want refused on line 2", again, err)
	}
	// The other campaign is another campaign: P1 may request there.
	may, err := f.reg.ImportRequests(f.ctx, "may2020-masks", strings.NewReader("professional_id,name,profession,centre_id\nP1,Anne Dupont,physiotherapist,namur\n"))
	if err != nil || may.Imported != 1 {
		t.Errorf("P1 in may2020 = %+v, %v; want imported", may, err)
	}

	const header = "professional_id,name,profession,centre_id\n"
	bad := []struct {
		name, csv string
		lines     []int
	}{
		{"unknown profession", header + "P9,X,astronaut,namur\n", []int{2}},
		{"unknown centre", header + "P9,X,nurse,mars\n", []int{2}},
		{"empty name", header + "P9,,nurse,namur\n", []int{2}},
		{"twice in the file", header + "P8,X,nurse,namur\nP9,Y,nurse,namur\nP8,X,nurse,gent\n", []int{4}},
		{"bad language", "professional_id,name,profession,centre_id,lang\nP9,X,nurse,namur,es\n", []int{2}},
		{"stray quote", header + "P9,X\"Y,nurse,namur\nP10,Z,astronaut,namur\n", []int{2, 3}},
		{"missing column", "professional_id,name,centre_id\nP9,X,namur\n", []int{1}},
		{"header only", header, []int{2}},
		{"empty", "", []int{1}},
	}
	before := f.count("SELECT count(*) FROM pickups")
	for _, tc := range bad {
		res, err := f.reg.ImportRequests(f.ctx, pickup.DefaultCampaignID, strings.NewReader(tc.csv))
		var pe *ProblemsError
		if !errors.Is(err, ErrRefused) || !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want refused with problems", tc.name, err)
			continue
		}
		var lines []int
		for _, p := range res.Problems {
			lines = append(lines, p.Line)
		}
		if !slices.Equal(lines, tc.lines) || res.Imported != 0 {
			t.Errorf("%s: problems %+v (imported %d), want lines %v", tc.name, res.Problems, res.Imported, tc.lines)
		}
	}
	if _, err := f.reg.ImportRequests(f.ctx, "nope", strings.NewReader(good)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown campaign: err = %v, want ErrNotFound", err)
	}
	if got := f.count("SELECT count(*) FROM pickups"); got != before {
		t.Errorf("bad imports stored %d rows", got-before)
	}

	// Parcel kind and window come from the campaign; the signed payload
	// verifies with the registry's key.
	codes := f.codes()
	p, err := f.reg.Pickup(f.ctx, codes["gent"][0])
	if err != nil {
		t.Fatal(err)
	}
	if p.ParcelKind != "masks_only" || p.Window.Start != pickup.MustDate("2020-12-07") || p.Status != pickup.StatusExpected {
		t.Errorf("pharmacist pickup = %+v, want masks_only from 2020-12-07", p)
	}
	signed, _ := f.reg.SignedPayload(f.ctx, p.Code)
	scan, err := pickup.ParseScan(signed)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := f.reg.Keys(f.ctx)
	kr := pickup.Keyring{Keys: map[string]ed25519.PublicKey{keys[0].KeyID: keys[0].PublicKey}}
	if err := kr.Verify(*scan.Signed); err != nil || scan.Code != p.Code || scan.Signed.CentreID != "gent" {
		t.Errorf("signed payload: %v, %+v", err, scan.Signed)
	}
}

func TestWriteCodes(t *testing.T) {
	f, codes := requestFixture(t, 5)
	if err := f.reg.CancelCode(f.ctx, codes["namur"][0]); err != nil {
		t.Fatal(err)
	}
	var got []string
	QRdir := t.TempDir()
	var buf bytes.Buffer
	n, err := f.reg.WriteCodes(f.ctx, "namur", &buf, QRdir)
	if err != nil || n != 5 {
		t.Fatalf("WriteCodes = %d, %v", n, err)
	}
	statuses := map[pickup.Code]pickup.Status{}
	err = pickup.ReadPickupCSV(bytes.NewReader(buf.Bytes()), func(line int, p pickup.Pickup) error {
		statuses[p.Code] = p.Status
		got = append(got, string(p.Code))
		if p.CentreID != "namur" {
			t.Errorf("line %d: centre %s", line, p.CentreID)
		}
		return nil
	})
	if err != nil || len(got) != 5 {
		t.Fatalf("the terminal's reader: %v, %d rows", err, len(got))
	}
	if statuses[codes["namur"][0]] != pickup.StatusCancelled {
		t.Errorf("cancelled code has status %s", statuses[codes["namur"][0]])
	}
	header, _ := csv.NewReader(bytes.NewReader(buf.Bytes())).Read()
	if strings.Join(header, ",") != "code,name,profession,parcel_kind,centre_id,window_start,window_end,status" {
		t.Errorf("header = %v", header)
	}
	pngs, _ := filepath.Glob(filepath.Join(QRdir, "*.png"))
	if len(pngs) != 5 {
		t.Errorf("%d QR files, want 5", len(pngs))
	}
	if _, err := f.reg.WriteCodes(f.ctx, "mars", io.Discard, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown centre: %v", err)
	}
}

func TestEnrolment(t *testing.T) {
	f := newFixture(t)
	clock := f.clock(time.Now())
	en, err := f.reg.NewEnrolment(f.ctx, "namur", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req := &protocol.EnrolRequest{EnrolmentCode: en.Code.String(), RequestID: newID(t)}
	first, err := f.reg.Enrol(f.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if first.Centre.ID != "namur" || len(first.Secret) != 32 || len(first.Keys) != 1 || first.DatasetID == "" {
		t.Errorf("Enrol = %+v", first)
	}
	// The same request again (a lost answer): the same credentials.
	again, err := f.reg.Enrol(f.ctx, req)
	if err != nil || again.TerminalID != first.TerminalID || !bytes.Equal(again.Secret, first.Secret) {
		t.Errorf("repeat = %v, %v; want the same terminal", again, err)
	}
	// Another terminal with the same code: refused.
	other := &protocol.EnrolRequest{EnrolmentCode: en.Code.String(), RequestID: newID(t)}
	if _, err := f.reg.Enrol(f.ctx, other); !errors.Is(err, protocol.ErrEnrolmentRefused) {
		t.Errorf("second use: %v, want enrolment_refused", err)
	}
	// An expired code.
	en2, _ := f.reg.NewEnrolment(f.ctx, "gent", time.Minute)
	clock.Add(2 * time.Minute)
	if _, err := f.reg.Enrol(f.ctx, &protocol.EnrolRequest{EnrolmentCode: en2.Code.String(), RequestID: newID(t)}); !errors.Is(err, protocol.ErrEnrolmentRefused) {
		t.Errorf("expired: %v, want enrolment_refused", err)
	}
	// An unknown code.
	tok, _ := protocol.NewEnrolmentToken(nil)
	if _, err := f.reg.Enrol(f.ctx, &protocol.EnrolRequest{EnrolmentCode: tok, RequestID: newID(t)}); !errors.Is(err, protocol.ErrEnrolmentRefused) {
		t.Errorf("unknown: %v, want enrolment_refused", err)
	}
	if _, err := f.reg.NewEnrolment(f.ctx, "mars", time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("enrol for unknown centre: %v", err)
	}
	ts, _ := f.reg.Terminals(f.ctx)
	if len(ts) != 1 || ts[0].ID != first.TerminalID {
		t.Errorf("Terminals = %+v", ts)
	}
}

// TestPullPages checks paging: every row of the centre exactly once, none
// of another centre's, sequences increasing, cursors chaining.
func TestPullPages(t *testing.T) {
	f, codes := requestFixture(t, 57)
	c, enrol := f.terminal("namur")
	pages := pullAll(t, c, "", 0, 10)
	if !pages[0].Reset {
		t.Error("first pull (no dataset) is not a reset")
	}
	seen := map[pickup.Code]int{}
	var last int64
	var centres, campaigns, keys int
	for i, p := range pages {
		if p.After != last && !(i == 0 && p.Reset) {
			t.Errorf("page %d after %d, want %d", i, p.After, last)
		}
		if rows, loc := p.Rows()-p.Locator.Len(), p.Locator.Len(); rows > 10 || loc > 40 {
			t.Errorf("page %d has %d rows and %d locator entries, limit 10 and 40", i, rows, loc)
		}
		last = p.Cursor
		for _, r := range p.Pickups {
			seen[r.Code]++
			if r.CentreID != "namur" {
				t.Errorf("page %d holds a pickup of %s", i, r.CentreID)
			}
		}
		centres += len(p.Centres)
		campaigns += len(p.Campaigns)
		keys += len(p.Keys)
	}
	if len(seen) != len(codes["namur"]) {
		t.Errorf("pulled %d pickups, want %d", len(seen), len(codes["namur"]))
	}
	for c, n := range seen {
		if n != 1 {
			t.Errorf("%s pulled %d times", c.Masked(), n)
		}
	}
	// The campaigns: the two built-in ones and the fixture's, running now.
	if centres != 2 || campaigns != 3 || keys != 1 {
		t.Errorf("directory %d, campaigns %d, keys %d; want 2, 3, 1", centres, campaigns, keys)
	}
	_, head, _ := f.reg.Head(f.ctx)
	if last != head {
		t.Errorf("last cursor %d, head %d", last, head)
	}
	// At the head: an empty page, same cursor.
	p, err := c.Pull(f.ctx, protocol.PullRequest{DatasetID: enrol.DatasetID, After: last})
	if err != nil || p.Rows() != 0 || p.Cursor != last || p.More || p.Reset {
		t.Errorf("pull at head = %+v, %v", p, err)
	}
	// A foreign dataset id, or a cursor beyond the head: a reset from 0.
	for _, req := range []protocol.PullRequest{{DatasetID: "ds-other", After: last}, {DatasetID: enrol.DatasetID, After: head + 100}} {
		p, err := c.Pull(f.ctx, req)
		if err != nil || !p.Reset || p.After != 0 || len(p.Pickups) == 0 {
			t.Errorf("Pull(%+v) = reset %v after %d, %v; want a reset from 0", req, p.Reset, p.After, err)
		}
	}
}

func TestCentreIsolation(t *testing.T) {
	f, codes := requestFixture(t, 5)
	namur, _ := f.terminal("namur")
	gent, _ := f.terminal("gent")
	for _, p := range pullAll(t, namur, "", 0, 0) {
		for _, r := range p.Pickups {
			if r.CentreID != "namur" {
				t.Fatalf("namur's terminal read a pickup of %s", r.CentreID)
			}
		}
	}
	// Namur's terminal writing facts of gent: refused whole, nothing stored.
	e := handover(t, namur, codes["gent"][0], time.Now())
	e.CentreID = "gent"
	ok := handover(t, namur, codes["namur"][0], time.Now())
	_, err := namur.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{ok, e}})
	if !errors.Is(err, protocol.ErrForbidden) {
		t.Errorf("push of another centre's fact: %v, want forbidden", err)
	}
	// Or another terminal's.
	e2 := handover(t, namur, codes["namur"][1], time.Now())
	e2.TerminalID = gent.Creds.TerminalID
	if _, err := namur.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{e2}}); !errors.Is(err, protocol.ErrForbidden) {
		t.Errorf("push of another terminal's fact: %v, want forbidden", err)
	}
	if n := f.count("SELECT count(*) FROM events"); n != 0 {
		t.Errorf("%d events stored after refused pushes", n)
	}
	// The repair listing is scoped too.
	l, err := namur.Pickups(f.ctx, protocol.PickupsRequest{})
	if err != nil || len(l.Pickups) != 5 {
		t.Fatalf("Pickups = %d rows, %v", len(l.Pickups), err)
	}
	for _, r := range l.Pickups {
		if r.CentreID != "namur" {
			t.Errorf("listing holds %s's pickup", r.CentreID)
		}
	}
	d, err := gent.Digest(f.ctx)
	if err != nil || d.CentreID != "gent" || d.Count != 5 {
		t.Errorf("gent digest = %+v, %v", d, err)
	}
}

func TestRevokedTerminal(t *testing.T) {
	f := newFixture(t)
	c, enrol := f.terminal("namur")
	if _, err := c.Pull(f.ctx, protocol.PullRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.RevokeTerminal(f.ctx, enrol.TerminalID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Pull(f.ctx, protocol.PullRequest{})
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeTerminalRevoked || pe.HTTPStatus() != 403 {
		t.Errorf("pull by a revoked terminal: %v, want 403 terminal_revoked", err)
	}
	if err := f.reg.RevokeTerminal(f.ctx, "term-NOPE"); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}
}

// raw sends a hand-made request and returns the status and error code;
// every error answer carries the registry's time.
func raw(t *testing.T, f *fixture, req *http.Request) (int, protocol.ErrorCode) {
	t.Helper()
	status, e := protocoltest.Send(t, req)
	if e == nil {
		return status, ""
	}
	if e.ServerTime.IsZero() {
		t.Errorf("%d answer without server_time: %+v", status, e)
	}
	return status, e.Code
}

func signed(t *testing.T, f *fixture, creds protocol.Credentials, method, target string, body []byte, at time.Time, mutate func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
	}
	if mutate != nil {
		mutate(req)
	}
	if err := protocol.SignRequest(req, creds, at, nil, body); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestBadRequests: malformed, oversized, replayed, unsigned, skewed and
// wrongly typed requests get a clear 4xx and store nothing.
func TestBadRequests(t *testing.T) {
	f, codes := requestFixture(t, 3)
	c, enrol := f.terminal("namur")
	creds := enrol.Credentials()
	good, _ := protocol.Encode(protocol.PushRequest{Events: []pickup.Event{handover(t, c, codes["namur"][0], time.Now())}})
	now := time.Now()

	oversized := gz(bytes.Repeat([]byte(" "), protocol.MaxDecodedBody+10))
	big := make([]byte, protocol.MaxPushBody+1)
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   protocol.ErrorCode
	}{
		{"not JSON", func() *http.Request {
			return signed(t, f, creds, "POST", "/v1/push", gz([]byte("{not json")), now, nil)
		}, 400, protocol.CodeBadRequest},
		{"unknown field", func() *http.Request {
			return signed(t, f, creds, "POST", "/v1/push", gz(bytes.Replace(good, []byte(`"events"`), []byte(`"x":1,"events"`), 1)), now, nil)
		}, 400, protocol.CodeBadRequest},
		{"bad code", func() *http.Request {
			return signed(t, f, creds, "POST", "/v1/push", gz(bytes.Replace(good, []byte(codes["namur"][0]), []byte("AAAAAAAAAAAAAAAA"), 1)), now, nil)
		}, 400, protocol.CodeBadRequest},
		{"broken gzip", func() *http.Request {
			return signed(t, f, creds, "POST", "/v1/push", []byte{0x1f, 0x8b, 1, 2}, now, nil)
		}, 400, protocol.CodeBadRequest},
		{"gzip bomb", func() *http.Request { return signed(t, f, creds, "POST", "/v1/push", oversized, now, nil) }, 413, protocol.CodeTooLarge},
		{"oversized", func() *http.Request { return signed(t, f, creds, "POST", "/v1/push", big, now, nil) }, 413, protocol.CodeTooLarge},
		{"content type", func() *http.Request {
			return signed(t, f, creds, "POST", "/v1/push", gz(good), now, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") })
		}, 415, protocol.CodeUnsupportedMedia},
		{"encoding", func() *http.Request {
			return signed(t, f, creds, "POST", "/v1/push", gz(good), now, func(r *http.Request) { r.Header.Set("Content-Encoding", "br") })
		}, 415, protocol.CodeUnsupportedMedia},
		{"unsigned", func() *http.Request {
			r := signed(t, f, creds, "POST", "/v1/push", gz(good), now, nil)
			r.Header.Del("Authorization")
			return r
		}, 401, protocol.CodeUnauthenticated},
		{"wrong secret", func() *http.Request {
			bad := creds
			bad.Secret = bytes.Repeat([]byte{1}, 32)
			return signed(t, f, bad, "POST", "/v1/push", gz(good), now, nil)
		}, 401, protocol.CodeBadSignature},
		{"unknown terminal", func() *http.Request {
			bad := creds
			bad.TerminalID = "term-UNKNOWN1"
			return signed(t, f, bad, "POST", "/v1/push", gz(good), now, nil)
		}, 401, protocol.CodeUnauthenticated},
		{"body changed after signing", func() *http.Request {
			r := signed(t, f, creds, "POST", "/v1/push", gz(good), now, nil)
			other, _ := protocol.Encode(protocol.PushRequest{Events: []pickup.Event{handover(t, c, codes["namur"][1], now)}})
			r.Body = io.NopCloser(bytes.NewReader(gz(other)))
			r.ContentLength = int64(len(gz(other)))
			return r
		}, 401, protocol.CodeBadSignature},
		{"clock skew", func() *http.Request {
			return signed(t, f, creds, "POST", "/v1/push", gz(good), now.Add(-time.Hour), nil)
		}, 401, protocol.CodeClockSkew},
		{"unknown query", func() *http.Request { return signed(t, f, creds, "GET", "/v1/pull?centre=gent", nil, now, nil) }, 400, protocol.CodeBadRequest},
		{"wrong method", func() *http.Request { return signed(t, f, creds, "DELETE", "/v1/push", nil, now, nil) }, 405, protocol.CodeMethodNotAllowed},
		{"no such path", func() *http.Request { return signed(t, f, creds, "GET", "/v2/pull", nil, now, nil) }, 404, protocol.CodeNotFound},
		{"enrol junk", func() *http.Request {
			r, _ := http.NewRequest("POST", f.ts.URL+"/v1/enrol", strings.NewReader(`{"enrolment_code":1}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 400, protocol.CodeBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, code := raw(t, f, tc.req())
			if status != tc.status || code != tc.code {
				t.Errorf("got %d %s, want %d %s", status, code, tc.status, tc.code)
			}
		})
	}
	if n := f.count("SELECT count(*) FROM events"); n != 0 {
		t.Errorf("%d events stored by refused requests", n)
	}

	// A replay: the same signed request twice. The first is stored, the
	// second refused and changes nothing.
	req := signed(t, f, creds, "POST", "/v1/push", gz(good), now, nil)
	replay := req.Clone(context.Background())
	replay.Body = io.NopCloser(bytes.NewReader(gz(good)))
	if status, code := raw(t, f, req); status != 200 {
		t.Fatalf("first push: %d %s", status, code)
	}
	_, seq, _ := f.reg.Head(f.ctx)
	if status, code := raw(t, f, replay); status != 409 || code != protocol.CodeReplayed {
		t.Errorf("replay: %d %s, want 409 replayed", status, code)
	}
	if _, seq2, _ := f.reg.Head(f.ctx); seq2 != seq || f.count("SELECT count(*) FROM events") != 1 {
		t.Errorf("replay changed the registry")
	}
	// The replay is refused by the stored nonce too (a restarted server has
	// an empty cache).
	f.srv.nonces = protocol.NonceCache{}
	replay2 := req.Clone(context.Background())
	replay2.Body = io.NopCloser(bytes.NewReader(gz(good)))
	if status, code := raw(t, f, replay2); status != 409 || code != protocol.CodeReplayed {
		t.Errorf("replay after restart: %d %s, want 409 replayed", status, code)
	}
}

func TestClockSkewCorrected(t *testing.T) {
	f := newFixture(t)
	c, _ := f.terminal("namur")
	c.Now = func() time.Time { return time.Now().Add(-3 * time.Hour) }
	if _, err := c.Pull(f.ctx, protocol.PullRequest{}); err != nil {
		t.Fatalf("pull with a 3 h slow clock: %v", err)
	}
	off, _ := c.ClockOffset()
	if off < 2*time.Hour || off > 4*time.Hour {
		t.Errorf("ClockOffset = %v, want about 3h", off)
	}
}

func TestPushIdempotent(t *testing.T) {
	f, codes := requestFixture(t, 4)
	c, _ := f.terminal("namur")
	at := time.Now().UTC().Truncate(time.Millisecond)
	req := &protocol.PushRequest{Events: []pickup.Event{
		handover(t, c, codes["namur"][0], at),
		handover(t, c, codes["namur"][1], at),
		{ID: newID(t), Type: pickup.EventStockReceive, TerminalID: c.Creds.TerminalID, CentreID: "namur", At: at, Item: "gloves", Size: "M", Qty: 1000, Ref: "r1"},
	}}
	first, err := c.Push(f.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range first.Results {
		if r.Result != protocol.ResultAccepted {
			t.Errorf("result %d = %s, want accepted", i, r.Result)
		}
	}
	_, head, _ := f.reg.Head(f.ctx)
	second, err := c.Push(f.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range second.Results {
		if r.Result != protocol.ResultDuplicate || r.Stored != protocol.ResultAccepted {
			t.Errorf("repeat result %d = %+v, want duplicate of accepted", i, r)
		}
	}
	if _, h, _ := f.reg.Head(f.ctx); h != head || f.count("SELECT count(*) FROM events") != 3 {
		t.Error("a repeated push changed the registry")
	}
	p, _ := f.reg.Pickup(f.ctx, codes["namur"][0])
	if p.Status != pickup.StatusCollected {
		t.Errorf("status after handover = %s", p.Status)
	}
}

func TestUndo(t *testing.T) {
	f, codes := requestFixture(t, 2)
	c, enrol := f.terminal("namur")
	cursor := headCursor(t, c)
	h := handover(t, c, codes["namur"][0], time.Now())
	u := pickup.Event{ID: newID(t), Type: pickup.EventUndo, TerminalID: c.Creds.TerminalID, CentreID: "namur", At: time.Now(), Undoes: h.ID}
	push(t, c, h, u)
	p, _ := f.reg.Pickup(f.ctx, codes["namur"][0])
	if p.Status != pickup.StatusExpected {
		t.Errorf("status after undo = %s, want expected", p.Status)
	}
	delta := pullAll(t, c, enrol.DatasetID, cursor, 0)
	var undone bool
	for _, pg := range delta {
		for _, r := range pg.Redemptions {
			undone = undone || (r.EventID == h.ID && r.Undone)
		}
	}
	if !undone {
		t.Error("the delta does not carry the undone redemption")
	}
	// An undo that arrives before its handover (from a bundle, say).
	h2 := handover(t, c, codes["namur"][1], time.Now())
	u2 := pickup.Event{ID: newID(t), Type: pickup.EventUndo, TerminalID: c.Creds.TerminalID, CentreID: "namur", At: time.Now(), Undoes: h2.ID}
	c.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{u2}})
	c.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{h2}})
	p2, _ := f.reg.Pickup(f.ctx, codes["namur"][1])
	rep, _ := f.reg.Report(f.ctx, pickup.Date{}, pickup.Date{})
	if p2.Status != pickup.StatusExpected || rep.Totals.Collected != 0 {
		t.Errorf("undo before handover: status %s, collected %d", p2.Status, rep.Totals.Collected)
	}
}

func TestDigestAndRepair(t *testing.T) {
	f, codes := requestFixture(t, 40)
	c, _ := f.terminal("namur")
	local := map[pickup.Code]pickup.Pickup{}
	var cursor int64
	for _, p := range pullAll(t, c, "", 0, 7) {
		for _, r := range p.Pickups {
			local[r.Code] = r.Pickup
		}
		cursor = p.Cursor
	}
	digestOf := func() *protocol.Digest {
		var d protocol.Digest
		for _, p := range local {
			d.Add(p)
		}
		return &d
	}
	reg, err := c.Digest(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := digestOf(); reg.Cursor != cursor || reg.Digest != d.Hex() || reg.Count != d.Count() {
		t.Fatalf("digest: registry %s/%d at %d, local %s/%d at %d", reg.Digest, reg.Count, reg.Cursor, d.Hex(), d.Count(), cursor)
	}
	// A local drift (a row lost and one altered): the buckets say where,
	// the listing repairs it.
	lost := codes["namur"][3]
	delete(local, lost)
	alt := local[codes["namur"][7]]
	alt.Status = pickup.StatusCollected
	local[alt.Code] = alt
	d := digestOf()
	if d.Hex() == reg.Digest {
		t.Fatal("drift not seen")
	}
	for _, prefix := range protocol.Diff(reg.Buckets, d.Buckets()) {
		for k := range local {
			if string(k[0]) == prefix {
				delete(local, k)
			}
		}
		req := protocol.PickupsRequest{Prefix: prefix, Limit: 2}
		for {
			l, err := c.Pickups(f.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range l.Pickups {
				local[r.Code] = r.Pickup
			}
			if !l.More {
				break
			}
			req.After = l.Pickups[len(l.Pickups)-1].Code
		}
	}
	if d := digestOf(); d.Hex() != reg.Digest {
		t.Errorf("after repair: %s, want %s", d.Hex(), reg.Digest)
	}
}

func TestMoveAndRevoke(t *testing.T) {
	f, codes := requestFixture(t, 2)
	namur, enrol := f.terminal("namur")
	gent, _ := f.terminal("gent")
	cursor := headCursor(t, namur)
	code := codes["namur"][0]
	if err := f.reg.MoveCode(f.ctx, code, "gent"); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.RevokeCode(f.ctx, codes["namur"][1]); err != nil {
		t.Fatal(err)
	}
	delta := pullAll(t, namur, enrol.DatasetID, cursor, 0)
	var moved, revoked, cancelled bool
	for _, p := range delta {
		for _, r := range p.Reassigned {
			moved = moved || (r.Code == code && r.CentreID == "gent")
		}
		for _, r := range p.Revoked {
			revoked = revoked || r.Code == codes["namur"][1]
		}
		for _, r := range p.Pickups {
			cancelled = cancelled || (r.Code == codes["namur"][1] && r.Status == pickup.StatusCancelled)
			if r.Code == code {
				t.Error("namur still receives the moved pickup")
			}
		}
	}
	if !moved || !revoked || !cancelled {
		t.Errorf("namur's delta: moved %v revoked %v cancelled %v", moved, revoked, cancelled)
	}
	found := false
	for _, p := range pullAll(t, gent, "", 0, 0) {
		for _, r := range p.Pickups {
			found = found || r.Code == code
		}
	}
	if !found {
		t.Error("gent does not receive the moved pickup")
	}
	s, _ := f.reg.SignedPayload(f.ctx, code)
	if sc, err := pickup.ParseScan(s); err != nil || sc.Signed.CentreID != "gent" {
		t.Errorf("moved code's signed payload names %v (%v)", sc.Signed, err)
	}
	if err := f.reg.MoveCode(f.ctx, code, "mars"); !errors.Is(err, ErrNotFound) {
		t.Errorf("move to unknown centre: %v", err)
	}
	// Moved back: a full pull of namur holds the pickup, not the stale
	// reassignment, whatever order the lists are applied in.
	if err := f.reg.MoveCode(f.ctx, code, "namur"); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []bool{false, true} {
		page, _, err := f.reg.pull(f.ctx, "namur", protocol.PullRequest{}, raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Reassigned {
			if r.Code == code {
				t.Errorf("raw %v: page holds the stale reassignment of a code that came back", raw)
			}
		}
	}
}

func TestKeyRotation(t *testing.T) {
	f, _ := requestFixture(t, 1)
	old, _ := f.reg.Keys(f.ctx)
	id, err := f.reg.RotateKey(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	codes := f.requests2("P-after")
	keys, _ := f.reg.Keys(f.ctx)
	if len(keys) != 2 || keys[1].KeyID != id || !keys[1].Current || keys[0].Current || keys[0].KeyID != old[0].KeyID {
		t.Fatalf("keys after rotation = %+v", keys)
	}
	kr := pickup.Keyring{Keys: map[string]ed25519.PublicKey{}}
	for _, k := range keys {
		kr.Keys[k.KeyID] = k.PublicKey
	}
	s, _ := f.reg.SignedPayload(f.ctx, codes[0])
	sc, _ := pickup.ParseScan(s)
	if sc.Signed.KeyID != id || kr.Verify(*sc.Signed) != nil {
		t.Errorf("new code signed with %s, want %s", sc.Signed.KeyID, id)
	}
}

// requests2 imports one more namur request with the given professional id.
func (f *fixture) requests2(pro string) []pickup.Code {
	f.t.Helper()
	before := map[pickup.Code]bool{}
	for _, c := range f.codes()["namur"] {
		before[c] = true
	}
	if _, err := f.reg.ImportRequests(f.ctx, pickup.DefaultCampaignID, strings.NewReader("professional_id,name,profession,centre_id\n"+pro+",X,nurse,namur\n")); err != nil {
		f.t.Fatal(err)
	}
	var out []pickup.Code
	for _, c := range f.codes()["namur"] {
		if !before[c] {
			out = append(out, c)
		}
	}
	return out
}

func TestShipAndCentres(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		s    protocol.Shipment
		want error
	}{
		{protocol.Shipment{CentreID: "namur", Item: "gloves", Size: "M", Qty: 1000}, nil},
		{protocol.Shipment{CentreID: "namur", Item: "masks", Qty: 5000}, nil},
		{protocol.Shipment{CentreID: "namur", Item: "gloves", Qty: 10}, ErrRefused},
		{protocol.Shipment{CentreID: "namur", Item: "masks", Size: "M", Qty: 10}, ErrRefused},
		{protocol.Shipment{CentreID: "namur", Item: "caviar", Qty: 10}, ErrRefused},
		{protocol.Shipment{CentreID: "namur", Item: "masks", Qty: 0}, ErrRefused},
		{protocol.Shipment{CentreID: "mars", Item: "masks", Qty: 10}, ErrNotFound},
	}
	for _, tc := range tests {
		_, err := f.reg.Ship(f.ctx, tc.s)
		if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
			t.Errorf("Ship(%+v) = %v, want %v", tc.s, err, tc.want)
		}
	}
	if err := f.reg.AddCentre(f.ctx, pickup.Centre{ID: "namur", Name: "again"}); !errors.Is(err, ErrExists) {
		t.Errorf("AddCentre twice: %v, want ErrExists", err)
	}
	if err := f.reg.AddCentre(f.ctx, pickup.Centre{ID: "bad id", Name: "x"}); !errors.Is(err, ErrRefused) {
		t.Errorf("AddCentre bad id: %v", err)
	}
	n, err := f.reg.ImportCentres(f.ctx, strings.NewReader("id,name,address,hours\nnamur,Croix-Rouge Namur,Rue de Fer 68,Mon-Sat\nmons,Croix-Rouge Mons,,\n"))
	if err != nil || n != 2 {
		t.Errorf("ImportCentres = %d, %v; want 2 (one updated, one added)", n, err)
	}
	if _, err := f.reg.ImportCentres(f.ctx, strings.NewReader("id,name\nok,Fine\n,NoID\n")); !errors.Is(err, ErrRefused) {
		t.Errorf("ImportCentres bad row: %v", err)
	}
	cs, _ := f.reg.Centres(f.ctx)
	if len(cs) != 3 {
		t.Errorf("%d centres, want 3 (nothing of the bad file)", len(cs))
	}
	c, _ := f.terminal("namur")
	var shipments int
	for _, p := range pullAll(t, c, "", 0, 0) {
		shipments += len(p.Shipments)
	}
	if shipments != 2 {
		t.Errorf("namur pulled %d shipments, want 2", shipments)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	reg := openTest(t)
	s, err := reg.Demo(context.Background(), 4, 300)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Centres) != 4 || s.Requests != 300 || s.ByKind["close_contact"] == 0 || s.ByKind["masks_only"] == 0 || s.Cancelled == 0 && s.Requests > 200 {
		t.Errorf("Demo = %+v", s)
	}
	rep, _ := reg.Report(context.Background(), pickup.Date{}, pickup.Date{})
	if len(rep.Centres) != 4 || rep.Totals.Expected+rep.Totals.Cancelled != 300 {
		t.Errorf("report after demo = %+v", rep.Totals)
	}
	today := pickup.DateOf(time.Now())
	open := 0
	rows, _ := reg.r.Query("SELECT window_start, window_end FROM pickups")
	for rows.Next() {
		var a, b string
		rows.Scan(&a, &b)
		if (pickup.Window{Start: pickup.MustDate(a), End: pickup.MustDate(b)}).Contains(today) {
			open++
		}
	}
	rows.Close()
	if open < 100 {
		t.Errorf("only %d of 300 demo pickups open today", open)
	}
}

// TestPullRawMatchesTyped: the pickups SQLite encodes for the server are
// the bytes encoding/json writes for the typed page.
func TestPullRawMatchesTyped(t *testing.T) {
	f := newFixture(t)
	names := []string{`Zoë "Zo" O'Brien \ back`, "<b>&amp;</b>", "日本 Ünïcödé", "Jean-Pierre Dupont-Lefèvre"}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{"professional_id", "name", "profession", "centre_id"})
	for i, n := range names {
		cw.Write([]string{fmt.Sprint("P", i), n, "nurse", "namur"})
	}
	cw.Flush()
	if _, err := f.reg.ImportRequests(f.ctx, pickup.DefaultCampaignID, &b); err != nil {
		t.Fatal(err)
	}
	f.requests(20)
	for _, limit := range []int{3, 0} {
		typed, err := f.reg.Pull(f.ctx, "namur", protocol.PullRequest{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		page, raw, err := f.reg.PullRaw(f.ctx, "namur", protocol.PullRequest{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		page.ServerTime = typed.ServerTime
		want, _ := protocol.Encode(typed)
		got, err := protocol.EncodePull(page, raw)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("limit %d: raw page differs:\n got %s\nwant %s", limit, got, want)
		}
	}
}

func TestPullAllPipelined(t *testing.T) {
	f, codes := requestFixture(t, 95)
	c, _ := f.terminal("namur")
	var sequential []int64
	for _, p := range pullAll(t, c, "", 0, 10) {
		sequential = append(sequential, p.Cursor)
	}
	var cursors []int64
	seen := map[pickup.Code]bool{}
	last, err := c.PullAll(f.ctx, protocol.PullRequest{Limit: 10}, func(p *protocol.PullResponse) error {
		cursors = append(cursors, p.Cursor)
		for _, r := range p.Pickups {
			seen[r.Code] = true
		}
		return nil
	})
	if err != nil || len(seen) != len(codes["namur"]) || fmt.Sprint(cursors) != fmt.Sprint(sequential) || last.More {
		t.Errorf("PullAll: %v, %d pickups, cursors %v, want %v", err, len(seen), cursors, sequential)
	}
	// An error from apply stops the pull and is returned.
	stop := errors.New("disk full")
	n := 0
	_, err = c.PullAll(f.ctx, protocol.PullRequest{Limit: 10}, func(p *protocol.PullResponse) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("PullAll with a failing apply: %v after %d pages", err, n)
	}
}

// TestReceivedFacts: a pull tells the centre's terminals which of their
// facts other than handovers the registry holds.
func TestReceivedFacts(t *testing.T) {
	f, codes := requestFixture(t, 2)
	c, _ := f.terminal("namur")
	g, _ := f.terminal("gent")
	h := handover(t, c, codes["namur"][0], time.Now())
	recv := pickup.Event{ID: newID(t), Type: pickup.EventStockReceive, TerminalID: c.Creds.TerminalID, CentreID: "namur", At: time.Now(), Item: "masks", Qty: 5000}
	count := pickup.Event{ID: newID(t), Type: pickup.EventStockCount, TerminalID: c.Creds.TerminalID, CentreID: "namur", At: time.Now(), Item: "masks", Qty: 4000, Reason: "count"}
	undo := pickup.Event{ID: newID(t), Type: pickup.EventUndo, TerminalID: c.Creds.TerminalID, CentreID: "namur", At: time.Now(), Undoes: h.ID}
	push(t, c, h, recv, count, undo)
	got := map[string]pickup.EventType{}
	for _, p := range pullAll(t, c, "", 0, 2) {
		for _, r := range p.Received {
			got[r.EventID] = r.Type
		}
	}
	want := map[string]pickup.EventType{recv.ID: pickup.EventStockReceive, count.ID: pickup.EventStockCount, undo.ID: pickup.EventUndo}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("received = %v, want %v", got, want)
	}
	for _, p := range pullAll(t, g, "", 0, 0) {
		if len(p.Received) != 0 {
			t.Errorf("gent's terminal sees namur's facts: %+v", p.Received)
		}
	}
}

func TestEnrolmentPin(t *testing.T) {
	f := newFixture(t)
	en, _ := f.reg.NewEnrolment(f.ctx, "namur", time.Hour)
	if en.Code.Pin != "" {
		t.Errorf("no TLS anywhere: pin %q", en.Code.Pin)
	}
	_, pin, err := DevTLS(f.reg.Dir())
	if err != nil {
		t.Fatal(err)
	}
	// Before serve ever ran, the dev certificate's pin.
	if en, _ := f.reg.NewEnrolment(f.ctx, "namur", time.Hour); en.Code.Pin != pin {
		t.Errorf("dev TLS made, serve not run: pin %q, want %q", en.Code.Pin, pin)
	}
	// Once serve published plain HTTP, none.
	f.reg.SetTLSPin(f.ctx, "")
	if en, _ := f.reg.NewEnrolment(f.ctx, "namur", time.Hour); en.Code.Pin != "" {
		t.Errorf("serving plain HTTP: pin %q", en.Code.Pin)
	}
	f.reg.SetTLSPin(f.ctx, pin)
	if en, _ := f.reg.NewEnrolment(f.ctx, "namur", time.Hour); en.Code.Pin != pin {
		t.Errorf("serving TLS: pin %q, want %q", en.Code.Pin, pin)
	}
}
