package registry

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

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
	t.Parallel()
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
