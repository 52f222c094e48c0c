package registry

import (
	"errors"
	"testing"
)

// The version the operator recommends reaches the terminals on the last
// page of their pull; an invalid one is refused; clearing stops it.
func TestRecommendedVersionInPull(t *testing.T) {
	t.Parallel()
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
