package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup/internal/passhash"
)

// pinCases: PINs and whether CheckPIN takes them.
var pinCases = []struct {
	pin  string
	want bool
}{
	{"1234", true},
	{"00000000", true},
	{"123", false},
	{"123456789", false},
	{"12a4", false},
	{" 1234", false},
	{"", false},
	{"１２３４", false}, // full-width digits
}

func TestCheckPIN(t *testing.T) {
	t.Parallel()
	for _, tt := range pinCases {
		if got := CheckPIN(tt.pin) == nil; got != tt.want {
			t.Errorf("CheckPIN(%q) ok = %v, want %v", tt.pin, got, tt.want)
		}
	}
}

// pinDelayCases: the wait after so many wrong PINs.
var pinDelayCases = []struct {
	fails int
	want  time.Duration
}{
	{0, 0}, {2, 0}, {3, PINDelay}, {4, 2 * PINDelay}, {5, 4 * PINDelay}, {30, PINMaxDelay},
}

func TestPINDelay(t *testing.T) {
	t.Parallel()
	for _, tt := range pinDelayCases {
		if got := pinDelay(tt.fails); got != tt.want {
			t.Errorf("pinDelay(%d) = %s, want %s", tt.fails, got, tt.want)
		}
	}
}

// The PIN is kept as an argon2id hash with its salt and parameters; a
// wrong PIN is refused, repeated wrong PINs wait longer, the right one
// resets the count.
func TestManagerPIN(t *testing.T) {
	f, ctx := setup(t)
	if got, err := f.s.CheckManagerPIN(ctx, "1234"); err != nil || !got.NotSet || got.OK {
		t.Fatalf("check with no PIN set = %+v, %v; want NotSet", got, err)
	}
	if has, _ := f.s.HasManagerPIN(ctx); has {
		t.Fatal("HasManagerPIN before any was set")
	}
	for _, bad := range []string{"12", "abcd", "123456789"} {
		if err := f.s.SetManagerPIN(ctx, bad); CodeOf(err) != CodeInvalid {
			t.Errorf("SetManagerPIN(%q) = %v, want invalid", bad, err)
		}
	}
	if err := f.s.SetSetting(ctx, KeyManagerPIN, "1234"); err == nil {
		t.Error("SetSetting wrote the manager PIN past its setter")
	}
	if err := f.s.SetManagerPIN(ctx, "4711"); err != nil {
		t.Fatal(err)
	}
	enc, _ := f.s.Setting(ctx, KeyManagerPIN)
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(enc, "4711") || len(strings.Split(enc, "$")) != 6 {
		t.Errorf("stored PIN = %q, want an argon2id hash with its parameters and salt", enc)
	}
	if err := f.s.SetManagerPIN(ctx, "4711"); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.s.Setting(ctx, KeyManagerPIN); again == enc {
		t.Error("the same PIN set twice gave the same hash: no fresh salt")
	}
	if got, err := f.s.CheckManagerPIN(ctx, "4711"); err != nil || !got.OK {
		t.Fatalf("right PIN = %+v, %v", got, err)
	}

	steps := []struct {
		pin     string
		advance time.Duration
		ok      bool
		early   bool
		wait    time.Duration
	}{
		{"0000", 0, false, false, 0},
		{"1111", 0, false, false, 0},
		{"2222", 0, false, false, PINDelay},                        // third wrong try: wait from now on
		{"4711", time.Second, false, true, PINDelay - time.Second}, // even the right one waits
		{"3333", PINDelay, false, false, 2 * PINDelay},
		{"4711", PINDelay, false, true, PINDelay},
		{"4711", PINDelay, true, false, 0},
		{"0000", 0, false, false, 0}, // the count started again
	}
	for i, s := range steps {
		f.now = f.now.Add(s.advance)
		got, err := f.s.CheckManagerPIN(ctx, s.pin)
		if err != nil {
			t.Fatal(err)
		}
		if got.OK != s.ok || got.Early != s.early || got.Wait != s.wait {
			t.Errorf("step %d (%s after %s) = %+v; want ok %v, early %v, wait %s", i, s.pin, s.advance, got, s.ok, s.early, s.wait)
		}
	}
	// The count of wrong tries is kept in the database, not in memory.
	if fails, _, _ := pinFails(ctx, f.s.db); fails != 1 {
		t.Errorf("wrong tries kept = %d, want 1", fails)
	}
	// A damaged hash matches nothing.
	for _, enc := range []string{"", "$argon2id$v=19$m=0,t=2,p=1$AAAA$AAAA", "$argon2id$v=19$m=19456,t=2,p=1$!!$AAAA", "plain"} {
		if passhash.Verify(enc, "4711") {
			t.Errorf("passhash.Verify(%q) matched", enc)
		}
	}
}

func TestTypedSettings(t *testing.T) {
	f, ctx := setup(t)
	undo := []struct {
		d    time.Duration
		ok   bool
		want time.Duration
	}{
		{5 * time.Minute, true, 5 * time.Minute},
		{0, true, 0},
		{90*time.Second + 400*time.Millisecond, true, 90 * time.Second},
		{MaxUndoWindow, true, MaxUndoWindow},
		{MaxUndoWindow + time.Second, false, 0},
		{-time.Second, false, 0},
	}
	for _, tt := range undo {
		err := f.s.SetUndoWindow(ctx, tt.d)
		if (err == nil) != tt.ok || !tt.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("SetUndoWindow(%s) = %v, want ok %v", tt.d, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		id, _ := f.s.Identity(ctx)
		if id.UndoWindow != tt.want {
			t.Errorf("SetUndoWindow(%s): identity says %s, want %s", tt.d, id.UndoWindow, tt.want)
		}
	}
	langs := []struct {
		lang string
		ok   bool
	}{{"fr", true}, {"nl", true}, {"de", true}, {"en", true}, {"", true}, {"FR", false}, {"es", false}, {"fr_BE", false}}
	for _, tt := range langs {
		err := f.s.SetLang(ctx, tt.lang)
		if (err == nil) != tt.ok || !tt.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("SetLang(%q) = %v, want ok %v", tt.lang, err, tt.ok)
			continue
		}
		if got, _ := f.s.Lang(ctx); tt.ok && got != tt.lang {
			t.Errorf("SetLang(%q): Lang = %q", tt.lang, got)
		}
	}
}

// counterNameCases: counter names and what is stored ("" for refused).
var counterNameCases = []struct {
	name, want string
}{
	{"Counter 2", "Counter 2"},
	{"  Guichet 1\t", "Guichet 1"},
	{"Schalter Nürnberg-Süd", "Schalter Nürnberg-Süd"},
	{strings.Repeat("é", MaxCounterName), strings.Repeat("é", MaxCounterName)},
	{strings.Repeat("é", MaxCounterName+1), ""},
	{"", ""},
	{"   ", ""},
	{"Counter\x1b[2J", ""},
	{"Counter\n2", ""},
	{"Counter\u202e2", ""}, // right-to-left override
	{"Counter\xff", ""},
}

func TestSetTerminalName(t *testing.T) {
	f, ctx := setup(t)
	for _, tt := range counterNameCases {
		err := f.s.SetTerminalName(ctx, tt.name)
		id, _ := f.s.Identity(ctx)
		switch {
		case tt.want == "" && CodeOf(err) != CodeInvalid:
			t.Errorf("SetTerminalName(%q) = %v, want refused (invalid)", tt.name, err)
		case tt.want != "" && (err != nil || id.TerminalName != tt.want):
			t.Errorf("SetTerminalName(%q) = %v, name %q; want %q", tt.name, err, id.TerminalName, tt.want)
		}
	}
	if _, err := openIn(t, t.TempDir()).Init(ctx, InitOptions{CentreID: "here", CentreName: "Here", TerminalName: "a\x07b"}); CodeOf(err) != CodeInvalid {
		t.Errorf("Init with a bell in the counter's name = %v, want invalid", err)
	}
}
