package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/registry"

	_ "modernc.org/sqlite" // read-only checks of the processes' databases
)

// bin holds the programs TestMain builds without cgo.
var bin struct {
	pickup, registry string
}

// cmdTimeout bounds one command of a child process, so that a hang fails
// the test instead of the whole run (it is never an assertion).
const cmdTimeout = 3 * time.Minute

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pickup-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin.pickup = filepath.Join(dir, "pickup")
	bin.registry = filepath.Join(dir, "pickup-registry")
	err = buildAll(map[string]string{
		bin.pickup:   "github.com/pickup-terminal/pickup/app/cmd/pickup-cli",
		bin.registry: "github.com/pickup-terminal/pickup/sync/registry/cmd/pickup-registry",
	})
	code := 2
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	cleanupsMu.Lock()
	for _, f := range slices.Backward(cleanups) {
		f()
	}
	cleanupsMu.Unlock()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Process-wide clean-ups (fixtures shared by benchmarks), run by TestMain.
var (
	cleanupsMu sync.Mutex
	cleanups   []func()
)

func atExit(f func()) {
	cleanupsMu.Lock()
	cleanups = append(cleanups, f)
	cleanupsMu.Unlock()
}

// buildAll builds each package into its output path with CGO_ENABLED=0,
// in parallel.
func buildAll(targets map[string]string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	errs := make(chan error, len(targets))
	for out, pkg := range targets {
		go func() {
			cmd := exec.Command(goBin, "build", "-o", out, pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("build %s: %w\n%s", pkg, err, b)
				return
			}
			errs <- nil
		}()
	}
	var all []error
	for range targets {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// childEnv is the environment of every child: English messages, and no
// default data folders that could point outside the test's.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PICKUP_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PICKUP_LANG=en", "LANG=C.UTF-8")
}

// result is what a finished command printed and its exit code.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

// String describes the command for a failure message: its arguments with
// codes masked, its exit code and its standard error (which carries no
// names; standard output may, so it is left out).
func (r result) String() string {
	return fmt.Sprintf("%s: exit %d: %s", maskArgs(r.args), r.code, strings.TrimSpace(r.stderr))
}

// maskArgs hides pickup codes among command arguments.
func maskArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if c, err := pickup.ParseCode(a); err == nil {
			a = c.Masked()
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// run runs a program to its end. It is safe from any goroutine.
func run(t testing.TB, program string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = childEnv()
	cmd.WaitDelay = 5 * time.Second
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	res := result{args: append([]string{filepath.Base(program)}, args...), stdout: so.String(), stderr: se.String()}
	// Errorf, not Fatalf: run may be called from other goroutines; a
	// command that could not run or did not end counts as failed (-1).
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Errorf("%s: no end after %s", maskArgs(res.args), cmdTimeout)
		res.code = -1
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Errorf("%s: %v", maskArgs(res.args), err)
		res.code = -1
	}
	return res
}

func decodeJSON(t testing.TB, r result, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("%s: output is not the expected JSON: %v", r, err)
	}
}

// freeAddr returns a free 127.0.0.1 address.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// registryProc is a pickup-registry data folder and, while it serves, its
// serve process on a fixed 127.0.0.1 port.
type registryProc struct {
	dir, addr string
	cmd       *exec.Cmd
	exited    chan struct{}
}

func newRegistry(t testing.TB) *registryProc {
	t.Helper()
	r := &registryProc{dir: filepath.Join(t.TempDir(), "registry"), addr: freeAddr(t)}
	t.Cleanup(func() { r.kill() })
	return r
}

// startDemo starts a registry on a demo campaign of the given number of
// centres and requests.
func startDemo(t testing.TB, centres, requests int) *registryProc {
	t.Helper()
	r := newRegistry(t)
	r.must(t, "demo", "--centres", strconv.Itoa(centres), "--requests", strconv.Itoa(requests))
	r.start(t)
	return r
}

// URL is the registry's address as terminals know it.
func (r *registryProc) URL() string { return "http://" + r.addr }

// cli runs a pickup-registry command on the data folder.
func (r *registryProc) cli(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, bin.registry, append([]string{"--data", r.dir}, args...)...)
}

// must runs a command that must exit 0 and returns its standard output.
func (r *registryProc) must(t testing.TB, args ...string) string {
	t.Helper()
	res := r.cli(t, args...)
	if res.code != 0 {
		t.Fatalf("%s", res)
	}
	return res.stdout
}

// start runs serve and waits until it answers GET /v1/time.
func (r *registryProc) start(t testing.TB) {
	t.Helper()
	if r.cmd != nil {
		t.Fatal("registry already serving")
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	logf, err := os.OpenFile(filepath.Join(filepath.Dir(r.dir), "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin.registry, "serve", "--data", r.dir, "--listen", r.addr, "--log-level", "warn")
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start registry: %v", err)
	}
	r.cmd, r.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(r.exited) }()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := hc.Get(r.URL() + "/v1/time")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-r.exited:
			r.cmd = nil
			t.Fatalf("registry exited at start: %s", tail(logf.Name(), 2000))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry does not answer on %s", r.addr)
		}
	}
}

// stop ends serve with sig (SIGTERM: graceful; SIGKILL: a crash) and waits.
func (r *registryProc) stop(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if r.cmd == nil {
		t.Fatal("registry not serving")
	}
	if !signalAndWait(r.cmd, r.exited, sig, 30*time.Second) {
		t.Errorf("registry did not stop on %v", sig)
	}
	r.cmd = nil
}

// signalAndWait sends sig to cmd and waits until exited is closed,
// killing the process after grace; it reports whether it stopped on sig.
func signalAndWait(cmd *exec.Cmd, exited <-chan struct{}, sig syscall.Signal, grace time.Duration) bool {
	cmd.Process.Signal(sig)
	select {
	case <-exited:
		return true
	case <-time.After(grace):
		cmd.Process.Kill()
		<-exited
		return false
	}
}

func (r *registryProc) kill() {
	if r.cmd != nil {
		r.cmd.Process.Kill()
		<-r.exited
		r.cmd = nil
	}
}

// enrolCode makes a one-time enrolment code for a terminal of centre.
func (r *registryProc) enrolCode(t testing.TB, centre string) string {
	t.Helper()
	var out struct {
		Code string `json:"enrolment_code"`
	}
	decodeJSON(t, r.cli(t, "terminal", "enrol", "--centre", centre, "--json"), &out)
	if out.Code == "" {
		t.Fatal("terminal enrol --json printed no enrolment_code")
	}
	return out.Code
}

// signedPayload returns what a code's QR holds, through the registry's Go
// API (the command line only writes it into PNG images).
func (r *registryProc) signedPayload(t testing.TB, code pickup.Code) string {
	t.Helper()
	ctx := context.Background()
	reg, err := registry.Open(ctx, r.dir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	s, err := reg.SignedPayload(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// itemReport and centreReport mirror `pickup-registry report --json`.
type itemReport struct {
	Item       string `json:"item"`
	Size       string `json:"size"`
	Shipped    int    `json:"shipped"`
	Received   int    `json:"received"`
	HandedOver int    `json:"handed_over"`
}

type centreReport struct {
	ID              string       `json:"id"`
	Expected        int          `json:"expected"`
	Cancelled       int          `json:"cancelled"`
	Collected       int          `json:"collected"`
	Handovers       int          `json:"handovers"`
	DoubleHandovers int          `json:"double_handovers"`
	Terminals       int          `json:"terminals"`
	Items           []itemReport `json:"items"`
}

// item returns the line of an item and size ("" for unsized).
func (c centreReport) item(item, size string) itemReport {
	for _, it := range c.Items {
		if it.Item == item && it.Size == size {
			return it
		}
	}
	return itemReport{Item: item, Size: size}
}

type report struct {
	DatasetID string         `json:"dataset_id"`
	Centres   []centreReport `json:"centres"`
	Totals    centreReport   `json:"totals"`
}

func (r *registryProc) report(t testing.TB) report {
	t.Helper()
	var rep report
	decodeJSON(t, r.cli(t, "report", "--json"), &rep)
	return rep
}

func (rep report) centre(id string) centreReport {
	for _, c := range rep.Centres {
		if c.ID == id {
			return c
		}
	}
	return centreReport{ID: id}
}

// openCodes lists a centre's pickups that a terminal hands over today:
// expected, window open, with a day of margin at the start so that a run
// across midnight changes nothing.
func (r *registryProc) openCodes(t testing.TB, centre string) []pickup.Pickup {
	t.Helper()
	res := r.cli(t, "codes", "--centre", centre)
	if res.code != 0 {
		t.Fatalf("%s", res)
	}
	today := pickup.DateOf(time.Now())
	var out []pickup.Pickup
	err := pickup.ReadPickupCSV(strings.NewReader(res.stdout), func(_ int, p pickup.Pickup) error {
		if p.Status == pickup.StatusExpected && !p.Window.Start.After(today) && p.Window.End.After(today.AddDays(1)) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("codes --centre %s: %v", centre, err)
	}
	return out
}

// terminal is one enrolled terminal's data folder.
type terminal struct {
	name   string // for messages: A, B, …
	dir    string
	id     string // terminal id given by the registry
	centre string
}

// enrol sets up a terminal of centre with the registry at url and gives it
// glove stock (every handover then goes through whatever the parcel).
func enrol(t testing.TB, r *registryProc, url, centre, name string) *terminal {
	t.Helper()
	tm := &terminal{name: name, dir: filepath.Join(t.TempDir(), "terminal-"+name), centre: centre}
	var out struct {
		TerminalID string `json:"terminal_id"`
		Centre     struct {
			ID string `json:"id"`
		} `json:"centre"`
	}
	decodeJSON(t, tm.must(t, "--json", "enrol", "--registry", url, "--code", r.enrolCode(t, centre)), &out)
	if out.TerminalID == "" || out.Centre.ID != centre {
		t.Fatalf("terminal %s enrolled as %q of centre %q, want centre %s", name, out.TerminalID, out.Centre.ID, centre)
	}
	tm.id = out.TerminalID
	return tm
}

// cli runs a pickup command on the terminal's folder.
func (tm *terminal) cli(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, bin.pickup, append([]string{"--data", tm.dir}, args...)...)
}

// must runs a command that must exit 0.
func (tm *terminal) must(t testing.TB, args ...string) result {
	t.Helper()
	res := tm.cli(t, args...)
	if res.code != 0 {
		t.Fatalf("terminal %s: %s", tm.name, res)
	}
	return res
}

func (tm *terminal) sync(t testing.TB) result {
	t.Helper()
	return tm.cli(t, "sync")
}

// mustSync runs one sync round that must exit 0.
func (tm *terminal) mustSync(t testing.TB) {
	t.Helper()
	tm.must(t, "sync")
}

// receive records a stock reception.
func (tm *terminal) receive(t testing.TB, item, size string, qty int) {
	t.Helper()
	args := []string{"stock", "receive", "--item", item, "--qty", fmt.Sprint(qty), "--ref", "e2e"}
	if size != "" {
		args = append(args, "--size", size)
	}
	tm.must(t, args...)
}

// statusJSON mirrors the keys of `pickup status --json` the tests read.
type statusJSON struct {
	TerminalID      string         `json:"terminal_id"`
	Expected        int            `json:"expected"`
	Collected       int            `json:"collected"`
	Cancelled       int            `json:"cancelled"`
	HandedOverToday int            `json:"handed_over_today"`
	PendingUpload   int            `json:"pending_upload"`
	Conflicts       int            `json:"conflicts"`
	Stock           map[string]int `json:"stock"`
	LastSync        *time.Time     `json:"last_sync"`
}

func (tm *terminal) status(t testing.TB) statusJSON {
	t.Helper()
	var st statusJSON
	decodeJSON(t, tm.must(t, "--json", "status"), &st)
	return st
}

// handed is one handover as `pickup handover --json` printed it.
type handed struct {
	Code       pickup.Code   `json:"-"`
	Terminal   *terminal     `json:"-"`
	Verdict    string        `json:"verdict"`
	HandedOver bool          `json:"handed_over"`
	EventID    string        `json:"event_id"`
	Items      []pickup.Line `json:"items"`
	Error      string        `json:"error"`
}

// handover hands over code's parcel (gloves in M) and requires it to be
// recorded.
func (tm *terminal) handover(t testing.TB, code pickup.Code) handed {
	t.Helper()
	h := handed{Code: code, Terminal: tm}
	res := tm.cli(t, "--json", "handover", "--glove-size", "M", string(code))
	decodeJSON(t, res, &h)
	if res.code != 0 || !h.HandedOver || h.EventID == "" {
		t.Fatalf("terminal %s: handover of %s: exit %d, verdict %s %s, not recorded", tm.name, code.Masked(), res.code, h.Verdict, h.Error)
	}
	return h
}

// verdict is the part of `pickup lookup --json` the tests read.
type verdict struct {
	Verdict     string              `json:"verdict"`
	Collected   []pickup.Collection `json:"collected"`
	RightCentre *pickup.Centre      `json:"right_centre"`
}

func (tm *terminal) lookup(t testing.TB, code pickup.Code) verdict {
	t.Helper()
	return tm.lookupRaw(t, string(code))
}

// lookupRaw looks up what a scanner would type: a code or a signed payload.
func (tm *terminal) lookupRaw(t testing.TB, input string) verdict {
	t.Helper()
	var v verdict
	decodeJSON(t, tm.cli(t, "--json", "lookup", input), &v)
	return v
}

// sqliteRO opens a SQLite file read-only.
func sqliteRO(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// integrityCheck runs PRAGMA integrity_check on a database file, read-only.
func integrityCheck(t testing.TB, path string) {
	t.Helper()
	db := sqliteRO(t, path)
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check %s: %v", filepath.Base(path), err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		msgs = append(msgs, s)
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		t.Errorf("integrity_check %s: %v", filepath.Base(path), msgs)
	}
}

// contentDigest hashes every row of every table of a SQLite file (read
// only): equal digests mean nothing was written.
func contentDigest(t testing.TB, path string) string {
	t.Helper()
	db := sqliteRO(t, path)
	var tables []string
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatalf("digest %s: %v", filepath.Base(path), err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, tab := range tables {
		fmt.Fprintf(h, "table %s\n", tab)
		rows, err := db.Query(`SELECT * FROM "` + tab + `"`)
		if err != nil {
			t.Fatalf("digest %s: %v", tab, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\n", vals)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// codesOf returns the codes of handovers, canonical.
func codesOf(hs []handed) map[pickup.Code]bool {
	m := map[pickup.Code]bool{}
	for _, h := range hs {
		m[h.Code] = true
	}
	return m
}

// itemsOf adds up the item lines of handovers, by "item/size".
func itemsOf(hs []handed) map[string]int {
	m := map[string]int{}
	for _, h := range hs {
		for _, l := range h.Items {
			m[l.Item+"/"+l.Size] += l.Qty
		}
	}
	return m
}

// handedOverItems returns a report line's handed-over items, by "item/size".
func handedOverItems(c centreReport) map[string]int {
	m := map[string]int{}
	for _, it := range c.Items {
		if it.HandedOver != 0 {
			m[it.Item+"/"+it.Size] = it.HandedOver
		}
	}
	return m
}

// tail returns the last n bytes of a file, for a failure message.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		f.Seek(-n, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}
