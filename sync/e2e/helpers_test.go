package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/registry"

	_ "modernc.org/sqlite" // read-only checks of the processes' databases
)

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

// folder is a data folder of one of the two programs, which its commands
// take as --data.
type folder struct {
	program string // bin.pickup or bin.registry
	dir     string
	file    string // the program's database in dir
	who     string // for failure messages: "registry", "terminal A"
}

// db is the path of the program's database.
func (f *folder) db() string { return filepath.Join(f.dir, f.file) }

// cli runs a command of the program on the folder.
func (f *folder) cli(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, f.program, append([]string{"--data", f.dir}, args...)...)
}

// must runs a command that must exit 0.
func (f *folder) must(t testing.TB, args ...string) result {
	t.Helper()
	res := f.cli(t, args...)
	if res.code != 0 {
		t.Fatalf("%s: %s", f.who, res)
	}
	return res
}

// registryProc is a pickup-registry data folder and, while it serves, its
// serve process on a fixed 127.0.0.1 port.
type registryProc struct {
	folder
	addr  string
	serve *child // nil while it does not serve
}

// registryIn is a registry of the folder dir, not serving.
func registryIn(t testing.TB, dir string) *registryProc {
	t.Helper()
	return &registryProc{folder: folder{program: bin.registry, dir: dir, file: registry.FileName, who: "registry"}, addr: freeAddr(t)}
}

func newRegistry(t testing.TB) *registryProc {
	t.Helper()
	r := registryIn(t, filepath.Join(t.TempDir(), "registry"))
	t.Cleanup(r.kill)
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

// demo is the opening most tests share: a demo registry of centres and
// requests, and terminals each given gloves in M (none when 0).
type demo struct {
	centres, requests, gloves int
}

// setUp starts the demo's registry, enrols a terminal for each
// "centre/name" of terminals, then gives each its gloves and runs its
// first sync round.
func setUp(t testing.TB, d demo, terminals ...string) (*registryProc, []*terminal) {
	t.Helper()
	reg := startDemo(t, d.centres, d.requests)
	var tms []*terminal
	for _, spec := range terminals {
		centre, name, _ := strings.Cut(spec, "/")
		tms = append(tms, enrol(t, reg, reg.URL(), centre, name))
	}
	for _, tm := range tms {
		if d.gloves > 0 {
			tm.receive(t, "gloves", "M", d.gloves)
		}
		tm.mustSync(t)
	}
	return reg, tms
}

// URL is the registry's address as terminals know it.
func (r *registryProc) URL() string { return "http://" + r.addr }

// start runs serve and waits until it answers GET /v1/time.
func (r *registryProc) start(t testing.TB) {
	t.Helper()
	if r.serve != nil {
		t.Fatal("registry already serving")
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(filepath.Dir(r.dir), "serve.log")
	r.serve = spawnLogged(t, log, bin.registry, "serve", "--data", r.dir, "--listen", r.addr, "--log-level", "warn")
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
		case <-r.serve.exited:
			r.serve = nil
			t.Fatalf("registry exited at start: %s", tail(log, 2000))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry does not answer on %s", r.addr)
		}
	}
}

// stop ends serve gracefully (SIGTERM) and waits.
func (r *registryProc) stop(t testing.TB) {
	t.Helper()
	if r.serve == nil {
		t.Fatal("registry not serving")
	}
	if !r.serve.stop() {
		t.Error("registry did not stop on SIGTERM")
	}
	r.serve = nil
}

// crash kills serve (SIGKILL), as a power cut would, and waits.
func (r *registryProc) crash(t testing.TB) {
	t.Helper()
	if r.serve == nil {
		t.Fatal("registry not serving")
	}
	r.kill()
}

func (r *registryProc) kill() {
	if r.serve != nil {
		r.serve.kill()
		r.serve = nil
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

// open opens the registry's folder in this process, beside serve, for
// what its Go API does that the command line does not; the caller closes
// it.
func (r *registryProc) open(t testing.TB) *registry.Registry {
	t.Helper()
	reg, err := registry.Open(context.Background(), r.dir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// signedPayload returns what a code's QR holds, through the registry's Go
// API (the command line only writes it into PNG images).
func (r *registryProc) signedPayload(t testing.TB, code pickup.Code) string {
	t.Helper()
	reg := r.open(t)
	defer reg.Close()
	s, err := reg.SignedPayload(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// report is what `pickup-registry report --json` prints (the registry's
// Report), with the look-ups the tests make.
type report struct{ registry.Report }

type centreReport struct{ registry.CentreReport }

func (r *registryProc) report(t testing.TB) report {
	t.Helper()
	var rep report
	decodeJSON(t, r.cli(t, "report", "--json"), &rep)
	return rep
}

func (rep report) centre(id string) centreReport {
	for _, c := range rep.Centres {
		if c.ID == id {
			return centreReport{c}
		}
	}
	return centreReport{registry.CentreReport{ID: id}}
}

// item returns the line of an item and size ("" for unsized).
func (c centreReport) item(item, size string) registry.ItemReport {
	for _, it := range c.Items {
		if it.Item == item && it.Size == size {
			return it
		}
	}
	return registry.ItemReport{Item: item, Size: size}
}

// openCodes lists a centre's pickups that a terminal hands over today:
// expected, window open, with a day of margin at the start so that a run
// across midnight changes nothing.
func (r *registryProc) openCodes(t testing.TB, centre string) []pickup.Pickup {
	t.Helper()
	res := r.must(t, "codes", "--centre", centre)
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
	folder
	name   string // for messages: A, B, …
	id     string // terminal id given by the registry
	centre string
}

// newTerminal is a terminal of centre whose folder is dir, not enrolled.
func newTerminal(name, dir, centre string) *terminal {
	return &terminal{folder: folder{program: bin.pickup, dir: dir, file: store.FileName, who: "terminal " + name}, name: name, centre: centre}
}

// enrol sets up a terminal of centre with the registry at url.
func enrol(t testing.TB, r *registryProc, url, centre, name string) *terminal {
	t.Helper()
	return enrolIn(t, r, url, filepath.Join(t.TempDir(), "terminal-"+name), centre, name)
}

// enrolIn is enrol into the folder dir (outside any test's temporary
// folder for fixtures that outlive one benchmark, or a terminal's own
// folder to enrol it again).
func enrolIn(t testing.TB, r *registryProc, url, dir, centre, name string) *terminal {
	t.Helper()
	tm := newTerminal(name, dir, centre)
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
	// Owed are the items owed (every size out); OwedHandover says the
	// handover gave what a code's earlier handover owed.
	Owed         []pickup.Line `json:"owed"`
	OwedHandover bool          `json:"owed_handover"`
}

// handover hands over code's parcel (gloves in M) and requires it to be
// recorded.
func (tm *terminal) handover(t testing.TB, code pickup.Code) handed {
	t.Helper()
	h := tm.handoverArgs(t, "--glove-size", "M", string(code))
	h.Code = code
	return h
}

// handoverArgs runs `pickup handover` with args and requires the handover
// to be recorded.
func (tm *terminal) handoverArgs(t testing.TB, args ...string) handed {
	t.Helper()
	h := handed{Terminal: tm}
	res := tm.cli(t, append([]string{"--json", "handover"}, args...)...)
	decodeJSON(t, res, &h)
	if res.code != 0 || !h.HandedOver || h.EventID == "" {
		t.Fatalf("terminal %s: %s: exit %d, verdict %s %s, not recorded", tm.name, maskArgs(args), res.code, h.Verdict, h.Error)
	}
	return h
}

// openStore opens the terminal store of the folder dir in this process
// (beside the folder's processes, as the window and the command line
// share a folder); the caller closes it.
func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// handoverInProcess records handovers of codes through the terminal's
// store in this process (the same transaction the CLI runs, without a
// process per parcel), gloves in M.
func handoverInProcess(t testing.TB, tm *terminal, codes []pickup.Pickup) []handed {
	t.Helper()
	ctx := context.Background()
	s := openStore(t, tm.dir)
	defer s.Close()
	out := make([]handed, 0, len(codes))
	for _, p := range codes {
		res, err := s.Handover(ctx, store.HandoverRequest{Input: string(p.Code), GloveSize: "M", Volunteer: "e2e"})
		if err != nil || res.EventID == "" {
			t.Fatalf("terminal %s: handover of %s: verdict %s, %v", tm.name, p.Code.Masked(), res.Verdict.Kind, err)
		}
		out = append(out, handed{Code: p.Code, Terminal: tm, EventID: res.EventID, Items: res.Items, HandedOver: true})
	}
	return out
}

// verdict is the part of `pickup lookup --json` the tests read.
type verdict struct {
	Verdict     string              `json:"verdict"`
	Collected   []pickup.Collection `json:"collected"`
	RightCentre *pickup.Centre      `json:"right_centre"`
}

// collectedOnce reports whether the verdict is kind, for a code handed
// over once, at the terminal terminalID.
func (v verdict) collectedOnce(kind pickup.VerdictKind, terminalID string) bool {
	return v.Verdict == string(kind) && len(v.Collected) == 1 && v.Collected[0].TerminalID == terminalID
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
