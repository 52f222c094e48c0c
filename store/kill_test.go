package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The child side of TestKillDuringHandover: hand over every listed code it
// can, printing each event id once committed ("the volunteer saw it");
// otherwise the tests, then the benchmarks' big store removed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PICKUP_KILL_CHILD"); dir != "" {
		os.Exit(killChild(dir))
	}
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir) // the benchmarks' 1,000,000-pickup store: 400 MB
	}
	os.Exit(code)
}

const childReady = "ready"

func killChild(dir string) int {
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	s.Now = func() time.Time { return testNow }
	s.Loc = time.UTC
	codes, err := os.ReadFile(filepath.Join(dir, "codes.txt"))
	if err != nil {
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	// Say when the store is open, so that the parent's random delay before
	// the kill is spent handing over, not starting (a loaded machine takes
	// longer to start a process than the delay).
	fmt.Fprintln(out, childReady)
	out.Flush()
	sizes := []string{"S", "M", "L", "XL"}
	for i, c := range strings.Fields(string(codes)) {
		res, err := s.Handover(ctx, HandoverRequest{Input: c, GloveSize: sizes[i%4], Volunteer: "kill test"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if res.EventID != "" {
			fmt.Fprintln(out, res.EventID)
			out.Flush()
		}
		if i%7 == 0 { // undo some, so compensating events are cut too
			if _, err := s.Undo(ctx, res.EventID); err != nil && res.EventID != "" {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
		}
		if i%11 == 0 {
			s.ReceiveStock(ctx, "masks", "", 500, "kill test")
		}
	}
	return 0
}

// A process killed at any instant during a handover leaves all of it or
// none of it, and every handover it reported is there.
func TestKillDuringHandover(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test skipped in -short mode")
	}
	rounds := 200
	if s := os.Getenv("PICKUP_KILL_ROUNDS"); s != "" {
		fmt.Sscan(s, &rounds)
	}
	f := newFixture(t)
	ctx := context.Background()
	for _, sz := range []string{"S", "M", "L", "XL"} {
		f.receive(t, "gloves", sz, 10_000_000)
	}
	f.receive(t, "masks", "", 10_000_000)
	// Many pickups, mixed parcel kinds.
	var b strings.Builder
	var codes []string
	b.WriteString("code,name,profession,parcel_kind,centre_id,window_start,window_end\n")
	for i := range 4000 {
		c := codeFor(t, 10_000+i)
		kind := "close_contact"
		if i%3 == 0 {
			kind = "masks_only"
		}
		fmt.Fprintf(&b, "%s,P %d,x,%s,here,2020-11-09,2021-01-08\n", c, i, kind)
		codes = append(codes, string(c))
	}
	if _, err := f.s.ImportPickups(ctx, strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	f.s.Close()
	if err := os.WriteFile(filepath.Join(f.dir, "codes.txt"), []byte(strings.Join(codes, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	reported := map[string]bool{}
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PICKUP_KILL_CHILD="+f.dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done, ready := make(chan struct{}), make(chan struct{})
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if sc.Text() == childReady {
					close(ready)
					continue
				}
				reported[sc.Text()] = true
			}
			close(done)
		}()
		select {
		case <-ready:
		case <-done:
		case <-time.After(30 * time.Second):
		}
		time.Sleep(time.Duration(5+rng.IntN(60)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			if err != nil || strings.TrimSpace(stderr.String()) != "" {
				t.Fatalf("round %d: child failed before the kill: %v %s", round, err, stderr.String())
			}
		}
	}
	s, err := Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var integrity string
	s.db.QueryRow("PRAGMA integrity_check").Scan(&integrity)
	if integrity != "ok" {
		t.Fatalf("integrity_check: %s", integrity)
	}
	one := func(q string, args ...any) int {
		var n int
		if err := s.db.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	handovers := one("SELECT count(*) FROM journal WHERE type = 'handover'")
	if handovers < 50 {
		t.Fatalf("only %d handovers in %d rounds: the children did too little to test anything", handovers, rounds)
	}
	checks := []struct {
		name string
		q    string
	}{
		{"handovers without a redemption", "SELECT count(*) FROM journal j WHERE type = 'handover' AND NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.event_id = j.id)"},
		{"redemptions without a journal entry", "SELECT count(*) FROM redemptions r WHERE local = 1 AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.id = r.event_id)"},
		{"journal entries without an outbox entry", "SELECT count(*) FROM journal j WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = j.id)"},
		{"outbox entries without a journal entry", "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.id = o.event_id)"},
		{"handovers without stock movements", "SELECT count(*) FROM journal j WHERE type = 'handover' AND (SELECT count(*) FROM stock_moves m WHERE m.event_id = j.id) != (SELECT count(*) FROM pickups p WHERE p.code = j.code AND p.parcel_kind = 'close_contact') * 3 + 1"},
		{"undos without their stock back", "SELECT count(*) FROM journal j WHERE type = 'undo' AND (SELECT coalesce(sum(delta), 0) FROM stock_moves m WHERE m.event_id = j.id) != -(SELECT sum(delta) FROM stock_moves m JOIN journal h ON h.id = m.event_id WHERE h.id = json_extract(j.body, '$.undoes'))"},
		{"undos not marked on their handover", "SELECT count(*) FROM journal j WHERE type = 'undo' AND NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.undone_by = j.id)"},
		{"stock rows off their movements", "SELECT count(*) FROM stock s WHERE qty != (SELECT sum(delta) FROM stock_moves m WHERE m.item = s.item AND m.size = s.size)"},
		{"codes handed over twice", "SELECT count(*) FROM (SELECT code FROM redemptions WHERE undone_by = '' GROUP BY code HAVING count(*) > 1)"},
	}
	for _, c := range checks {
		if n := one(c.q); n != 0 {
			t.Errorf("%s: %d", c.name, n)
		}
	}
	for id := range reported {
		if one("SELECT count(*) FROM journal WHERE id = ?", id) != 1 {
			t.Errorf("handover %s was reported to the volunteer but is not recorded", id)
		}
	}
	if res, err := s.VerifyLog(ctx); err != nil || !res.OK {
		t.Errorf("VerifyLog after the kills: %+v, %v", res, err)
	}
	t.Logf("%d rounds: %d handovers recorded, %d reported before a kill, %d undos", rounds, handovers, len(reported), one("SELECT count(*) FROM journal WHERE type = 'undo'"))
}
