package registry

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

func TestOperators(t *testing.T) {
	f := newFixture(t)
	ctx, reg, clk := f.ctx, f.reg, f.clock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	bad := []struct{ name, pw string }{
		{"", "long enough password"},
		{"ann smith", "long enough password"},
		{"ann", "short"},
		{"ann", "has a\ttab in it!"},
	}
	for _, b := range bad {
		if err := reg.AddOperator(ctx, b.name, b.pw); !errors.Is(err, ErrRefused) {
			t.Errorf("AddOperator(%q, %q) = %v, want refused", b.name, b.pw, err)
		}
	}
	if err := reg.AddOperator(ctx, "ann", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := reg.AddOperator(ctx, "ann", "another long password"); !errors.Is(err, ErrExists) {
		t.Errorf("second ann = %v, want exists", err)
	}
	var hash string
	reg.r.QueryRow("SELECT password_hash FROM operators WHERE name = 'ann'").Scan(&hash)
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(hash, "horse") {
		t.Errorf("stored hash = %q, want an argon2id hash", hash)
	}

	s, err := reg.Login(ctx, "ann", "correct horse battery", "127.0.0.1")
	if err != nil || s.Token == "" || s.CSRF == "" || s.Operator != "ann" {
		t.Fatalf("Login = %+v, %v", s, err)
	}
	var stored int
	reg.r.QueryRow("SELECT count(*) FROM operator_sessions WHERE token_hash = ?", s.Token).Scan(&stored)
	if stored != 0 {
		t.Error("the session token is stored in clear")
	}
	if got, err := reg.Session(ctx, s.Token); err != nil || got.Operator != "ann" || got.CSRF != s.CSRF {
		t.Errorf("Session = %+v, %v", got, err)
	}
	clk.Add(SessionIdle + time.Minute)
	if _, err := reg.Session(ctx, s.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("idle session = %v, want not found", err)
	}

	// Lockout per account: AccountLockFailures wrong passwords, then even
	// the right one is refused until LockWindow has passed.
	for i := 1; i <= AccountLockFailures; i++ {
		_, err := reg.Login(ctx, "ann", "wrong password", "10.0.0.1")
		want := ErrBadLogin
		if i == AccountLockFailures {
			want = ErrLocked
		}
		if !errors.Is(err, want) {
			t.Fatalf("failure %d = %v, want %v", i, err, want)
		}
	}
	_, err = reg.Login(ctx, "ann", "correct horse battery", "10.0.0.2")
	var le *LockedError
	if !errors.As(err, &le) || le.Source || !le.Until.Equal(clk.Now().Add(LockWindow)) {
		t.Fatalf("right password while locked = %v, want account locked until %v", err, clk.Now().Add(LockWindow))
	}
	ops, _ := reg.Operators(ctx)
	if len(ops) != 1 || ops[0].LockedUntil == nil {
		t.Errorf("Operators = %+v, want ann locked", ops)
	}
	clk.Add(LockWindow + time.Second)
	s, err = reg.Login(ctx, "ann", "correct horse battery", "10.0.0.2")
	if err != nil {
		t.Fatalf("after the lockout: %v", err)
	}

	// Lockout per source, whatever names are tried (unknown ones too).
	for i := 0; i < SourceLockFailures; i++ {
		reg.Login(ctx, "nobody"+string(rune('a'+i)), "whatever password", "10.0.0.9")
	}
	_, err = reg.Login(ctx, "ann", "correct horse battery", "10.0.0.9")
	if !errors.As(err, &le) || !le.Source {
		t.Errorf("from a locked address = %v, want address locked", err)
	}
	if _, err := reg.Login(ctx, "ann", "correct horse battery", "10.0.0.3"); err != nil {
		t.Errorf("from another address = %v", err)
	}

	if err := reg.Logout(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Session(ctx, s.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("session after logout = %v", err)
	}
	s, _ = reg.Login(ctx, "ann", "correct horse battery", "10.0.0.3")
	if err := reg.RemoveOperator(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Session(ctx, s.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("session of a removed operator = %v", err)
	}
	if err := reg.RemoveOperator(ctx, "ann"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice = %v", err)
	}
}

func TestStagedImport(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	good := "professional_id,name,profession,centre_id\np1,Anne,nurse,namur\np2,Bert,pharmacist,gent\n"
	p, err := f.reg.StageImport(ctx, RequestImport{Campaign: pickup.DefaultCampaignID}, "good.csv", []byte(good), "ann")
	if err != nil || p.Status != ImportPending || p.Preview.Rows != 2 || len(p.Preview.Problems) != 0 {
		t.Fatalf("StageImport = %+v, %v", p, err)
	}
	if n := f.count("SELECT count(*) FROM pickups"); n != 0 {
		t.Fatalf("staging imported %d pickups", n)
	}
	if _, err := f.reg.ApproveImport(ctx, p.ID, "ann"); !errors.Is(err, ErrSameOperator) {
		t.Errorf("approval by the uploader = %v, want ErrSameOperator", err)
	}
	got, err := f.reg.ApproveImport(ctx, p.ID, "bob")
	if err != nil || got.Status != ImportApplied || got.Result == nil || got.Result.Imported != 2 || got.DecidedBy != "bob" {
		t.Fatalf("ApproveImport = %+v, %v", got, err)
	}
	if n := f.count("SELECT count(*) FROM pickups"); n != 2 {
		t.Errorf("pickups after approval = %d, want 2", n)
	}
	if _, err := f.reg.ApproveImport(ctx, p.ID, "carl"); !errors.Is(err, ErrRefused) {
		t.Errorf("second approval = %v, want refused", err)
	}

	bad := "professional_id,name,profession,centre_id\np3,Carl,astronaut,namur\np4,,nurse,nowhere\np5,Eve,nurse,gent\n"
	p, err = f.reg.StageImport(ctx, RequestImport{Campaign: pickup.DefaultCampaignID}, "bad.csv", []byte(bad), "ann")
	if err != nil || len(p.Preview.Problems) < 2 {
		t.Fatalf("StageImport(bad) = %+v, %v", p, err)
	}
	lines := map[int]bool{}
	for _, pr := range p.Preview.Problems {
		lines[pr.Line] = true
	}
	if !lines[2] || !lines[3] || lines[4] {
		t.Errorf("problems on lines %v, want 2 and 3", lines)
	}
	if _, err := f.reg.ApproveImport(ctx, p.ID, "bob"); !errors.Is(err, ErrRefused) {
		t.Errorf("approving a file with problems = %v, want refused", err)
	}
	if err := f.reg.RejectImport(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if n := f.count("SELECT length(content) FROM pending_imports WHERE id = ?", p.ID); n != 0 {
		t.Errorf("a rejected file keeps %d bytes", n)
	}
	list, _ := f.reg.PendingImports(ctx)
	if len(list) != 2 || list[0].Status != ImportRejected {
		t.Errorf("PendingImports = %+v", list)
	}
}

func TestConsoleQueries(t *testing.T) {
	f, codes, a, b := namurCounters(t, 2)
	code := codes["namur"][0]
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	push(t, a, handover(t, a, code, t0), handover(t, a, codes["namur"][1], t0))
	second := handover(t, b, code, t0.Add(10*time.Minute))
	second.GloveSize = "L"
	push(t, b, second)
	ds, err := f.reg.AllDoubleHandovers(f.ctx)
	if err != nil || len(ds) != 1 || ds[0].Code != code || len(ds[0].Handovers) != 2 {
		t.Fatalf("AllDoubleHandovers = %+v, %v", ds, err)
	}
	d := ds[0]
	if d.ConsoleID() != second.ID || d.Handovers[1].TerminalID != b.Creds.TerminalID || d.Handovers[1].GloveSize != "L" || d.Handovers[0].GloveSize != "M" {
		t.Errorf("sides = %+v", d.Handovers)
	}
	if err := f.reg.AddReviewNote(f.ctx, d.ConsoleID(), "ann", "  Same person came twice; called them.\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.AddReviewNote(f.ctx, d.ConsoleID(), "ann", "   "); !errors.Is(err, ErrRefused) {
		t.Errorf("empty note = %v", err)
	}
	if err := f.reg.AddReviewNote(f.ctx, "no-such-event", "ann", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("note on an unknown handover = %v", err)
	}
	got, notes, err := f.reg.DoubleHandoverByEvent(f.ctx, d.Handovers[0].EventID)
	if err != nil || got.Code != code || len(notes) != 1 || notes[0].Note != "Same person came twice; called them." || notes[0].Operator != "ann" {
		t.Errorf("DoubleHandoverByEvent = %+v, %+v, %v", got, notes, err)
	}
	if n, _ := f.reg.ReviewedCodes(f.ctx); n[code] != 1 {
		t.Errorf("ReviewedCodes = %v", n)
	}
	if _, _, err := f.reg.DoubleHandoverByEvent(f.ctx, handover(t, a, codes["namur"][1], t0).ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown event = %v", err)
	}

	ts, err := f.reg.TerminalStates(f.ctx)
	if err != nil || len(ts) != 2 {
		t.Fatalf("TerminalStates = %+v, %v", ts, err)
	}
	facts := map[string]int{}
	for _, s := range ts {
		facts[s.ID] = s.Facts
	}
	if facts[a.Creds.TerminalID] != 2 || facts[b.Creds.TerminalID] != 1 {
		t.Errorf("facts = %v, want 2 and 1", facts)
	}
}
