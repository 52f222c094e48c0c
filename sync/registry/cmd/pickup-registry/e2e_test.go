package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/campaigntest"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/protocol/protocoltest"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// proc is pickup-registry running as a real process (this test binary with
// PICKUP_REGISTRY_AS_MAIN=1).
type proc struct {
	cmd    *exec.Cmd
	url    string
	pin    string
	stderr *bytes.Buffer
}

func selfCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PICKUP_REGISTRY_AS_MAIN=1")
	return cmd
}

var serveLine = regexp.MustCompile(`serving (https?://\S+) \(dataset \S+?(?:, TLS pin (\S+))?\)`)

// serve starts `pickup-registry serve` and waits for its "serving" line.
func serve(t testing.TB, dir string, extra ...string) *proc {
	t.Helper()
	p := &proc{cmd: selfCmd(append([]string{"serve", "--data", dir, "--listen", "127.0.0.1:0", "--log-level", "warn"}, extra...)...), stderr: &bytes.Buffer{}}
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(t) })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
	}()
	// A guard against a hung child, not a timing assertion.
	select {
	case l, ok := <-line:
		m := serveLine.FindStringSubmatch(l)
		if !ok || m == nil {
			t.Fatalf("serve printed %q; stderr: %s", l, p.stderr)
		}
		p.url, p.pin = m[1], m[2]
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not start; stderr: %s", p.stderr)
	}
	return p
}

// stop sends SIGTERM (a graceful stop) and waits.
func (p *proc) stop(t testing.TB) {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("serve exited with %v; stderr: %s", err, p.stderr)
	}
}

// sub runs a pickup-registry subcommand as a process, while serve runs.
func sub(t testing.TB, args ...string) (int, string) {
	t.Helper()
	cmd := selfCmd(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String() + errb.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, out.String()
}

func enrolCode(t *testing.T, dir, centre string) string {
	t.Helper()
	code, out := sub(t, "terminal", "enrol", "--data", dir, "--centre", centre, "--json")
	var v map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("terminal enrol = %d %s", code, out)
	}
	return v["enrolment_code"]
}

func enrolOver(t *testing.T, url, pin, code string) (*protocol.Client, *protocol.EnrolResponse) {
	t.Helper()
	c, err := protocol.NewClient(url, protocol.Credentials{}, pin)
	if err != nil {
		t.Fatal(err)
	}
	rid, _ := protocol.NewRequestID(nil)
	resp, err := c.Enrol(context.Background(), code, rid, "e2e", "test")
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return c, resp
}

func ev(t *testing.T, c *protocol.Client, code pickup.Code) pickup.Event {
	id, _ := protocol.NewRequestID(nil)
	return pickup.Event{ID: id, Type: pickup.EventHandover, TerminalID: c.Creds.TerminalID, CentreID: c.Creds.CentreID,
		At: time.Now(), Code: code, GloveSize: "M", Items: []pickup.Line{{Item: "gloves", Size: "M", Qty: 500}, {Item: "masks", Qty: 500}}}
}

func codesOf(t *testing.T, c *protocol.Client) (map[pickup.Code]bool, int64, string) {
	t.Helper()
	out := map[pickup.Code]bool{}
	var after int64
	ds := ""
	for {
		p, err := c.Pull(context.Background(), protocol.PullRequest{DatasetID: ds, After: after, Limit: 50})
		if err != nil {
			t.Fatalf("pull: %v", err)
		}
		for _, r := range p.Pickups {
			if r.CentreID != c.Creds.CentreID {
				t.Errorf("terminal of %s read a pickup of %s", c.Creds.CentreID, r.CentreID)
			}
			out[r.Code] = true
		}
		after, ds = p.Cursor, p.DatasetID
		if !p.More {
			return out, after, ds
		}
	}
}

type reportJSON struct {
	Centres []struct {
		ID              string `json:"id"`
		Expected        int    `json:"expected"`
		Collected       int    `json:"collected"`
		DoubleHandovers int    `json:"double_handovers"`
		Handovers       int    `json:"handovers"`
	} `json:"centres"`
}

// TestEndToEnd runs the registry as a real process on 127.0.0.1 with the
// other subcommands as processes beside it, and three terminals speaking
// HTTP: enrolment once, isolation, handovers and a double handover,
// malformed, oversized and replayed requests, revocation, a restart.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := t.TempDir()
	srv := serve(t, dir)

	// Set up through the CLI while serve runs on the same folder, in a
	// campaign running now: the handovers are dated now.
	campaign, err := campaigntest.Definition(pickup.DateOf(time.Now().UTC()))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"campaign", "import", "--data", dir, registrytest.WriteFile(t, files, "campaign.json", string(campaign))},
		{"centre", "add", "--data", dir, "--id", "namur", "--name", "Croix-Rouge Namur", "--address", "Rue de Fer 68, 5000 Namur", "--hours", "9-17"},
		{"centre", "add", "--data", dir, "--id", "gent", "--name", "Rode Kruis Gent"},
		{"request", "import", "--data", dir, "--campaign", campaigntest.ID, registrytest.WriteFile(t, files, "r.csv", requestsCSV(60))},
		{"ship", "--data", dir, "--centre", "namur", "--item", "gloves", "--size", "M", "--qty", "10000"},
	} {
		if code, out := sub(t, args...); code != 0 {
			t.Fatalf("%v = %d: %s", args, code, out)
		}
	}

	// Enrolment works once.
	code := enrolCode(t, dir, "namur")
	a, ea := enrolOver(t, srv.url, "", code)
	other, _ := protocol.NewClient(srv.url, protocol.Credentials{}, "")
	rid, _ := protocol.NewRequestID(nil)
	if _, err := other.Enrol(context.Background(), code, rid, "thief", "x"); !errors.Is(err, protocol.ErrEnrolmentRefused) {
		t.Errorf("second use of an enrolment code: %v, want enrolment_refused", err)
	}
	b, _ := enrolOver(t, srv.url, "", enrolCode(t, dir, "namur"))
	g, _ := enrolOver(t, srv.url, "", enrolCode(t, dir, "gent"))

	// Initial pulls; each centre sees only its own pickups.
	na, _, _ := codesOf(t, a)
	nb, _, _ := codesOf(t, b)
	ng, _, _ := codesOf(t, g)
	if len(na) != 30 || len(nb) != 30 || len(ng) != 30 {
		t.Fatalf("pulled %d, %d, %d pickups; want 30 each", len(na), len(nb), len(ng))
	}
	for c := range ng {
		if na[c] {
			t.Fatal("namur's terminal holds a pickup of gent")
		}
	}
	var namurCodes, gentCodes []pickup.Code
	for c := range na {
		namurCodes = append(namurCodes, c)
	}
	for c := range ng {
		gentCodes = append(gentCodes, c)
	}

	// Handovers: A hands over 5, B hands over 3 others and one of A's (a
	// double handover, as if both were offline); G hands over 2.
	ctx := context.Background()
	pushOK := func(c *protocol.Client, evs ...pickup.Event) *protocol.PushResponse {
		t.Helper()
		r, err := c.Push(ctx, &protocol.PushRequest{Events: evs})
		if err != nil {
			t.Fatalf("push: %v", err)
		}
		return r
	}
	var aEvents []pickup.Event
	for _, c := range namurCodes[:5] {
		aEvents = append(aEvents, ev(t, a, c))
	}
	pushOK(a, aEvents...)
	r := pushOK(b, ev(t, b, namurCodes[5]), ev(t, b, namurCodes[6]), ev(t, b, namurCodes[7]), ev(t, b, namurCodes[0]))
	if r.Results[3].Result != protocol.ResultConflict || r.Results[3].Earlier[0].TerminalID != ea.TerminalID {
		t.Errorf("double handover answered %+v", r.Results[3])
	}
	pushOK(g, ev(t, g, gentCodes[0]), ev(t, g, gentCodes[1]))

	// A terminal of namur cannot write gent's facts.
	bad := ev(t, a, gentCodes[2])
	bad.CentreID = "gent"
	if _, err := a.Push(ctx, &protocol.PushRequest{Events: []pickup.Event{bad}}); !errors.Is(err, protocol.ErrForbidden) {
		t.Errorf("cross-centre push: %v, want forbidden", err)
	}

	// Malformed, oversized and replayed requests: clear 4xx, nothing stored.
	creds := ea.Credentials()
	body := protocol.Gzip(mustEncode(t, protocol.PushRequest{Events: []pickup.Event{ev(t, a, namurCodes[10])}}))
	replayable := rawSigned(t, srv.url, creds, "/v1/push", body, time.Now())
	tests := []struct {
		name   string
		req    *rawReq
		status int
	}{
		{"malformed", rawSigned(t, srv.url, creds, "/v1/push", protocol.Gzip([]byte(`{"events":[{"id":1}]}`)), time.Now()), 400},
		{"oversized", rawSigned(t, srv.url, creds, "/v1/push", make([]byte, protocol.MaxPushBody+1), time.Now()), 413},
		{"skewed", rawSigned(t, srv.url, creds, "/v1/push", body, time.Now().Add(-time.Hour)), 401},
	}
	for _, tc := range tests {
		if st, _ := send(t, tc.req); st != tc.status {
			t.Errorf("%s: HTTP %d, want %d", tc.name, st, tc.status)
		}
	}
	if st, _ := send(t, replayable); st != 200 {
		t.Fatalf("first send: %d", st)
	}
	if st, e := send(t, replayable); st != 409 || e != protocol.CodeReplayed {
		t.Errorf("replay: %d %s, want 409 replayed", st, e)
	}

	// The report (a process beside serve) equals the terminals' handovers.
	rep := report(t, dir)
	got := map[string][3]int{}
	for _, c := range rep.Centres {
		got[c.ID] = [3]int{c.Collected, c.DoubleHandovers, c.Handovers}
	}
	// namur: A 5 + the replayable push's 1, B 3 + 1 double.
	if got["namur"] != [3]int{9, 1, 10} || got["gent"] != [3]int{2, 0, 2} {
		t.Errorf("report = %v, want namur collected 9 double 1 handovers 10, gent 2 0 2", got)
	}

	// Revocation through the CLI takes effect at once.
	if code, out := sub(t, "terminal", "revoke", "--data", dir, g.Creds.TerminalID); code != 0 {
		t.Fatalf("terminal revoke: %d %s", code, out)
	}
	if _, err := g.Pull(ctx, protocol.PullRequest{}); !errors.Is(err, protocol.ErrTerminalRevoked) {
		t.Errorf("pull by a revoked terminal: %v", err)
	}

	// Stop the registry, start it again: the replayed push is still refused
	// (stored nonce), the terminals carry on from their cursors, the
	// double handover is listed to both namur terminals.
	srv.stop(t)
	srv2 := serve(t, dir)
	a.BaseURL, b.BaseURL = srv2.url, srv2.url
	replayable.url = srv2.url
	if st, e := send(t, replayable); st != 409 || e != protocol.CodeReplayed {
		t.Errorf("replay after restart: %d %s, want 409 replayed", st, e)
	}
	for _, c := range []*protocol.Client{a, b} {
		pages := 0
		n := 0
		var after int64
		ds := ""
		for {
			p, err := c.Pull(ctx, protocol.PullRequest{DatasetID: ds, After: after})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, rd := range p.Redemptions {
				if rd.Code == namurCodes[0] && !rd.Undone {
					n++
				}
			}
			after, ds = p.Cursor, p.DatasetID
			if !p.More {
				break
			}
		}
		if n != 2 {
			t.Errorf("terminal %s lists %d handovers of the double-handed code, want 2", c.Creds.TerminalID, n)
		}
	}
	// Concurrent pushes from both namur terminals while the CLI reads.
	var wg sync.WaitGroup
	for i, c := range []*protocol.Client{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				code := namurCodes[11+i*5+j]
				if _, err := c.Push(ctx, &protocol.PushRequest{Events: []pickup.Event{ev(t, c, code)}}); err != nil {
					t.Errorf("concurrent push: %v", err)
				}
			}
		}()
	}
	for i := 0; i < 3; i++ {
		if code, out := sub(t, "report", "--data", dir, "--json"); code != 0 {
			t.Errorf("report during pushes: %d %s", code, out)
		}
	}
	wg.Wait()
	if rep := report(t, dir); rep.Centres[1].ID != "namur" || rep.Centres[1].Handovers != 20 {
		t.Errorf("after concurrent pushes: %+v, want namur with 20 handovers", rep.Centres)
	}
}

func requestsCSV(n int) string {
	var b strings.Builder
	b.WriteString("professional_id,name,profession,centre_id\n")
	profs := []string{"physiotherapist", "pharmacist", "nurse", "dietitian", "dentist"}
	for i := 0; i < n; i++ {
		centre := "namur"
		if i%2 == 1 {
			centre = "gent"
		}
		fmt.Fprintf(&b, "INAMI-%05d,Person %d,%s,%s\n", i, i, profs[i%len(profs)], centre)
	}
	return b.String()
}

func report(t *testing.T, dir string) reportJSON {
	t.Helper()
	code, out := sub(t, "report", "--data", dir, "--json")
	var rep reportJSON
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("report = %d %s", code, out)
	}
	return rep
}

func mustEncode(t *testing.T, v any) []byte {
	b, err := protocol.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawReq is a signed request that can be sent again as it is.
type rawReq struct {
	url, path string
	body      []byte
	header    http.Header
}

func rawSigned(t *testing.T, url string, creds protocol.Credentials, path string, body []byte, at time.Time) *rawReq {
	req, _ := http.NewRequest("POST", url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	if err := protocol.SignRequest(req, creds, at, nil, body); err != nil {
		t.Fatal(err)
	}
	return &rawReq{url: url, path: path, body: body, header: req.Header}
}

func (r *rawReq) clone() *http.Request {
	req, _ := http.NewRequest("POST", r.url+r.path, bytes.NewReader(r.body))
	req.Header = r.header.Clone()
	return req
}

func send(t *testing.T, x any) (int, protocol.ErrorCode) {
	t.Helper()
	var req *http.Request
	switch v := x.(type) {
	case *http.Request:
		req = v
	case *rawReq:
		req = v.clone()
	}
	status, e := protocoltest.Send(t, req)
	if e == nil {
		return status, ""
	}
	return status, e.Code
}

// TestEndToEndDevTLS: serve --dev-tls; the enrolment code carries the
// certificate's pin; a client pinned to it enrols and pulls over HTTPS, one
// pinned to another certificate is refused before sending anything.
func TestEndToEndDevTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, out := sub(t, "centre", "add", "--data", dir, "--id", "namur", "--name", "Namur"); code != 0 {
		t.Fatal(out)
	}
	srv := serve(t, dir, "--dev-tls")
	if !strings.HasPrefix(srv.url, "https://") || srv.pin == "" {
		t.Fatalf("dev TLS serve: %s pin %q", srv.url, srv.pin)
	}
	code := enrolCode(t, dir, "namur")
	ec, err := protocol.ParseEnrolmentCode(code)
	if err != nil || ec.Pin != srv.pin {
		t.Fatalf("enrolment code %q does not carry the pin %s (%v)", code, srv.pin, err)
	}
	wrong, _ := protocol.NewClient(srv.url, protocol.Credentials{}, protocol.CertPin([]byte("another certificate")))
	rid, _ := protocol.NewRequestID(nil)
	if _, err := wrong.Enrol(context.Background(), ec.Token, rid, "x", "x"); !errors.Is(err, protocol.ErrPinMismatch) {
		t.Errorf("enrol with a wrong pin: %v, want a pin mismatch", err)
	}
	c, resp := enrolOver(t, srv.url, "", code) // the pin comes from the code
	if resp.TLSPin != srv.pin {
		t.Errorf("enrol answer pin %q, want %q", resp.TLSPin, srv.pin)
	}
	if _, err := c.Pull(context.Background(), protocol.PullRequest{}); err != nil {
		t.Errorf("pull over pinned TLS: %v", err)
	}
	// The same certificate (and pin) after a restart.
	srv.stop(t)
	srv2 := serve(t, dir, "--dev-tls")
	if srv2.pin != srv.pin {
		t.Errorf("pin changed across restarts: %s → %s", srv.pin, srv2.pin)
	}
}

// TestServeConsole: pickup-registry serve answers /console/, and an
// operator made with operator add signs in there (the password read
// from standard input, as piped).
func TestServeConsole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errs := cliIn(t, dir, "correct horse battery\n", "operator", "add", "--name", "anne"); code != 0 {
		t.Fatal(errs)
	}
	srv := serve(t, dir)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(srv.url + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" || !strings.Contains(string(body), `name="password"`) {
		t.Fatalf("GET /console/ = %d, want the login page", resp.StatusCode)
	}
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if tok == nil {
		t.Fatal("no CSRF token on the login page")
	}
	resp, err = c.PostForm(srv.url+"/console/login", url.Values{"csrf": {tok[1]}, "name": {"anne"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="fig-expected"`) {
		t.Errorf("after signing in = %d, want the progress page:\n%.400s", resp.StatusCode, body)
	}
	// The sync protocol is still there beside it.
	if resp, err := http.Get(srv.url + "/v1/time"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/time = %v, %v", resp, err)
	}
}
