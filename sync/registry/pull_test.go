package registry

import (
	"encoding/json"
	"errors"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// locatorOf folds the pages' locator entries: hash → centre ("" gone).
func locatorOf(t *testing.T, pages []*protocol.PullResponse) ([]byte, map[int64]string) {
	t.Helper()
	var key []byte
	out := map[int64]string{}
	for _, p := range pages {
		l := p.Locator
		if l == nil {
			continue
		}
		if key != nil && string(key) != string(l.Key) {
			t.Fatal("the locator key changed between pages")
		}
		key = l.Key
		for i := range l.Len() {
			h, c := l.Entry(i)
			if c == protocol.LocatorGone {
				out[h] = ""
			} else {
				out[h] = l.Centres[c]
			}
		}
	}
	return key, out
}

func TestPullLocator(t *testing.T) {
	f, _ := requestFixture(t, 30)
	codes := f.codes()
	c, en := f.terminal("namur")
	// Small pages: the locator's rows are cut with the others.
	pages := pullAll(t, c, "", 0, 7)
	key, loc := locatorOf(t, pages)
	if len(key) != pickup.LocatorKeySize {
		t.Fatalf("locator key of %d bytes", len(key))
	}
	if len(loc) != len(codes["gent"]) {
		t.Errorf("locator holds %d codes, want gent's %d", len(loc), len(codes["gent"]))
	}
	for _, code := range codes["gent"] {
		if got := loc[pickup.LocatorHash(key, code)]; got != "gent" {
			t.Errorf("code %s located at %q, want gent", code.Masked(), got)
		}
	}
	for _, code := range codes["namur"] {
		if _, ok := loc[pickup.LocatorHash(key, code)]; ok {
			t.Errorf("the terminal's own code %s is in its locator", code.Masked())
		}
	}
	for _, p := range pages {
		b, _ := json.Marshal(p.Locator)
		for _, code := range codes["gent"] {
			if strings.Contains(string(b), string(code)) {
				t.Fatal("a page's locator holds a code in clear")
			}
		}
	}

	// Pages of one row: the locator's own limit (four entries a row of
	// the limit) cuts pages too, and every code of gent still arrives.
	tiny := pullAll(t, c, "", 0, 1)
	if _, got := locatorOf(t, tiny); !maps.Equal(got, loc) {
		t.Errorf("pages of one row locate %d codes, want the same %d", len(got), len(loc))
	}
	full := 0
	for i, p := range tiny {
		if rows, n := p.Rows()-p.Locator.Len(), p.Locator.Len(); rows > 1 || n > 4 {
			t.Errorf("page %d of one row: %d rows, %d locator entries; want at most 1 and 4", i, rows, n)
		}
		if p.Locator.Len() == 4 {
			full++
		}
	}
	if full == 0 {
		t.Error("no page was cut at the locator's limit")
	}

	// A moved code follows its new centre; a cancelled one is forgotten.
	cursor := pages[len(pages)-1].Cursor
	moved, cancelled := codes["gent"][0], codes["gent"][1]
	if err := f.reg.AddCentre(f.ctx, pickup.Centre{ID: "liege", Name: "Liège", Address: "Bd d'Avroy 112", Hours: "9-16"}); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.MoveCode(f.ctx, moved, "liege"); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.CancelCode(f.ctx, cancelled); err != nil {
		t.Fatal(err)
	}
	_, delta := locatorOf(t, pullAll(t, c, en.DatasetID, cursor, 0))
	if got, ok := delta[pickup.LocatorHash(key, moved)]; got != "liege" {
		t.Errorf("moved code: %q %v, want liege", got, ok)
	}
	if got, ok := delta[pickup.LocatorHash(key, cancelled)]; !ok || got != "" {
		t.Errorf("cancelled code: %q %v, want an entry that forgets it", got, ok)
	}
	if len(delta) != 2 {
		t.Errorf("delta locator of %d entries, want 2", len(delta))
	}
	// A first pull does not send cancelled codes at all.
	_, first := locatorOf(t, pullAll(t, c, "", 0, 0))
	if _, ok := first[pickup.LocatorHash(key, cancelled)]; ok || len(first) != len(codes["gent"])-1 {
		t.Errorf("first pull after the cancel: %d entries (cancelled one sent: %v)", len(first), ok)
	}
}

// fullDigest recomputes a centre's digest from every row, as Digest did
// before the sums were kept.
func (f *fixture) fullDigest(centre string) *protocol.Digest {
	f.t.Helper()
	rows, err := f.reg.r.Query(`SELECT `+sqlkit.PickupColumns+` FROM pickups WHERE centre_id = ?`, centre)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	d := &protocol.Digest{}
	for rows.Next() {
		var p pickup.Pickup
		if err := sqlkit.ScanPickup(rows, &p); err != nil {
			f.t.Fatal(err)
		}
		d.Add(p)
	}
	return d
}

// checkDigests compares the kept digest of each centre with a full
// recomputation, and the log is empty after each write.
func (f *fixture) checkDigests(step string) {
	f.t.Helper()
	for _, c := range []string{"namur", "gent"} {
		got, err := f.reg.Digest(f.ctx, c)
		if err != nil {
			f.t.Fatal(err)
		}
		want := f.fullDigest(c)
		if got.Digest != want.Hex() || got.Count != want.Count() {
			f.t.Errorf("%s: centre %s digest %s (%d rows), full recomputation %s (%d rows)", step, c, got.Digest, got.Count, want.Hex(), want.Count())
		}
		if d := protocol.Diff(got.Buckets, want.Buckets()); len(d) > 0 {
			f.t.Errorf("%s: centre %s buckets %v differ from a full recomputation", step, c, d)
		}
	}
	if n := f.count("SELECT count(*) FROM digest_log"); n != 0 {
		f.t.Errorf("%s: %d changes left in digest_log after the write", step, n)
	}
}

// TestDigestKeptEqualsFullRecomputation: after random imports, handovers
// (status changes), undos, moves, cancellations, revocations and a
// campaign's new dates, the digest the registry keeps equals one computed
// from every row.
func TestDigestKeptEqualsFullRecomputation(t *testing.T) {
	f := newFixture(t)
	f.checkDigests("empty")
	codes := f.requests(40)
	f.checkDigests("import")
	cn, _ := f.terminal("namur")
	cg, _ := f.terminal("gent")
	rng := rand.New(rand.NewPCG(7, 12))
	now := time.Now()
	var handed []pickup.Event
	for step := range 60 {
		centre, c := "namur", cn
		if rng.IntN(2) == 0 {
			centre, c = "gent", cg
		}
		list := codes[centre]
		code := list[rng.IntN(len(list))]
		var what string
		var err error
		switch rng.IntN(6) {
		case 0, 1:
			what = "handover"
			e := handover(t, c, code, now)
			_, err = c.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{e}})
			handed = append(handed, e)
		case 2:
			what = "undo"
			if len(handed) == 0 {
				continue
			}
			h := handed[rng.IntN(len(handed))]
			u := pickup.Event{ID: newID(t), Type: pickup.EventUndo, TerminalID: h.TerminalID, CentreID: h.CentreID, At: now.Add(time.Second), Undoes: h.ID}
			cl := cn
			if h.CentreID == "gent" {
				cl = cg
			}
			_, err = cl.Push(f.ctx, &protocol.PushRequest{Events: []pickup.Event{u}})
		case 3:
			what = "move"
			other := map[string]string{"namur": "gent", "gent": "namur"}[centre]
			err = f.reg.MoveCode(f.ctx, code, other)
		case 4:
			what = "cancel"
			err = f.reg.CancelCode(f.ctx, code)
		case 5:
			what = "revoke"
			err = f.reg.RevokeCode(f.ctx, code)
		}
		if err != nil {
			t.Logf("step %d %s: %v (refused; the digest must still hold)", step, what, err)
		}
		f.checkDigests(what)
		codes = f.codes()
	}
	if _, err := f.reg.Demo(f.ctx, 2, 30); err != nil {
		t.Fatal(err)
	}
	f.checkDigests("demo")
	if _, err := f.reg.w.Exec("UPDATE pickups SET name = name || ' (edited)' WHERE rowid % 3 = 0"); err != nil {
		t.Fatal(err)
	}
	// A write outside Registry.write (say, a technician's sqlite3) leaves
	// the change in the log: the digest still counts it, and the next
	// write folds it.
	if n := f.count("SELECT count(*) FROM digest_log"); n == 0 {
		t.Fatal("an UPDATE of names logged no change for the digest")
	}
	got, err := f.reg.Digest(f.ctx, "namur")
	if err != nil {
		t.Fatal(err)
	}
	if want := f.fullDigest("namur"); got.Digest != want.Hex() {
		t.Errorf("digest with unfolded changes %s, full recomputation %s", got.Digest, want.Hex())
	}
	if err := f.reg.SetMeta(f.ctx, "test", "x"); err != nil {
		t.Fatal(err)
	}
	f.checkDigests("folded after an outside write")
}

// TestPullReportsPending: the pending count a terminal sends with its pull
// is stored for the list of terminals; a pull without it keeps the last
// one; a terminal that never sent one has none.
func TestPullReportsPending(t *testing.T) {
	f, _ := requestFixture(t, 3)
	c, resp := f.terminal("namur")
	_, other := f.terminal("namur")
	pending := func(id string) (*int, bool) {
		t.Helper()
		f.srv.FlushSeen(f.ctx)
		ts, err := f.reg.Terminals(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			if x.ID == id {
				return x.Pending, x.PendingAt != nil
			}
		}
		t.Fatalf("terminal %s not listed", id)
		return nil, false
	}
	for _, n := range []int{3, 0} {
		if _, err := c.Pull(f.ctx, protocol.PullRequest{Pending: &n}); err != nil {
			t.Fatal(err)
		}
		if got, at := pending(resp.TerminalID); got == nil || *got != n || !at {
			t.Errorf("after a pull reporting %d pending: stored %v (time set %v)", n, got, at)
		}
	}
	if _, err := c.Pull(f.ctx, protocol.PullRequest{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := pending(resp.TerminalID); got == nil || *got != 0 {
		t.Errorf("a pull without pending changed the stored count to %v", got)
	}
	if got, _ := pending(other.TerminalID); got != nil {
		t.Errorf("a terminal that never reported has pending %d", *got)
	}
	bad := protocol.PullRequest{}.Query()
	bad.Set("pending", "-1")
	if _, err := protocol.ParsePullQuery(bad); err == nil {
		t.Error("a negative pending count was accepted")
	}
}

// TestPullPendingFallsBackForAnOlderRegistry: a registry that predates the
// pending parameter refuses it (unknown parameter, as its query check
// does); the client asks again without it, and from then on.
func TestPullPendingFallsBackForAnOlderRegistry(t *testing.T) {
	f := newFixture(t)
	var refused atomic.Int32
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("pending") {
			refused.Add(1)
			f.srv.fail(w, r, protocol.Errorf(protocol.CodeBadRequest, "pull: unknown parameter %q", "pending"))
			return
		}
		f.srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(old.Close)
	c, _ := f.terminal("namur")
	c.BaseURL = old.URL
	n := 2
	for range 2 {
		if _, err := c.Pull(f.ctx, protocol.PullRequest{Pending: &n}); err != nil {
			t.Fatalf("pull from an older registry: %v", err)
		}
	}
	if _, err := c.PullAll(f.ctx, protocol.PullRequest{Pending: &n}, func(*protocol.PullResponse) error { return nil }); err != nil {
		t.Fatalf("PullAll from an older registry: %v", err)
	}
	if n := refused.Load(); n != 1 {
		t.Errorf("the older registry refused the parameter %d times, want once", n)
	}
}

// The version the operator recommends reaches the terminals on the last
// page of their pull; an invalid one is refused; clearing stops it.
func TestRecommendedVersionInPull(t *testing.T) {
	f := newFixture(t)
	c, _ := f.terminal("namur")
	last := func() string {
		pages := pullAll(t, c, "", 0, 2)
		for _, p := range pages[:len(pages)-1] {
			if p.RecommendedVersion != "" {
				t.Errorf("a page with more to come carries the recommended version")
			}
		}
		return pages[len(pages)-1].RecommendedVersion
	}
	if got := last(); got != "" {
		t.Errorf("none set: pull says %q", got)
	}
	if err := f.reg.SetRecommendedVersion(f.ctx, "0.2.0"); err != nil {
		t.Fatal(err)
	}
	if got := last(); got != "0.2.0" {
		t.Errorf("pull says %q, want 0.2.0", got)
	}
	for _, bad := range []string{"v0.2", "0.2 beta", "0.2;rm", "latest", string(make([]byte, 70))} {
		if err := f.reg.SetRecommendedVersion(f.ctx, bad); !errors.Is(err, ErrRefused) {
			t.Errorf("SetRecommendedVersion(%q) = %v, want refused", bad, err)
		}
	}
	if got, _ := f.reg.RecommendedVersion(f.ctx); got != "0.2.0" {
		t.Errorf("after refused changes: %q, want 0.2.0 kept", got)
	}
	if err := f.reg.SetRecommendedVersion(f.ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got := last(); got != "" {
		t.Errorf("cleared: pull says %q", got)
	}
}
