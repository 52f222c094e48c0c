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

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"0.1.0", "0.1.0", 0},
		{"0.1.0~git98.bed02b1", "0.1.0", -1},
		{"0.1.0~git98.bed02b1", "0.1.0~git99.0000000", -1},
		{"0.1.0~git100.a", "0.1.0~git99.b", 1},
		{"0.1.0", "0.1.0+1", -1},
		{"0.1.0", "0.1.1", -1},
		{"0.9.9", "0.10.0", -1},
		{"1.0", "1.0.0", -1},
		{"1.0~rc1", "1.0", -1},
		{"1.0a", "1.0+", -1},
		{"1.2.3", "1.2.3~", 1},
		{"01.2", "1.2", 0},
		{"0.1.0+dirty", "0.1.0", 1},
	} {
		if got := CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := CompareVersions(c.b, c.a); got != -c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestBehind(t *testing.T) {
	oldV := Version
	t.Cleanup(func() { Version = oldV })
	for _, c := range []struct {
		this, recommended string
		want              bool
	}{
		{"0.1.0", "0.2.0", true},
		{"0.1.0~git98.abc", "0.1.0", true},
		{"0.2.0", "0.1.0", false},
		{"0.2.0", "0.2.0", false},
		{"0.2.0", "", false},
		{"dev", "0.2.0", false},
	} {
		Version = c.this
		if got := Behind(c.recommended); got != c.want {
			t.Errorf("%s: Behind(%q) = %v, want %v", c.this, c.recommended, got, c.want)
		}
	}
}
