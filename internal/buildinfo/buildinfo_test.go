package buildinfo

import "testing"

func TestInfoStamped(t *testing.T) {
	oldV, oldC := Version, Commit
	t.Cleanup(func() { Version, Commit = oldV, oldC })
	Version, Commit = "1.2.3", "0123456789abcdef0123"
	if got, want := String(), "1.2.3 (commit 0123456789ab)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestInfoUnstamped(t *testing.T) {
	oldV, oldC := Version, Commit
	t.Cleanup(func() { Version, Commit = oldV, oldC })
	Version, Commit = "", ""
	v, c := Info()
	if v == "" || c == "" {
		t.Errorf("Info() = %q, %q; want non-empty defaults", v, c)
	}
}
