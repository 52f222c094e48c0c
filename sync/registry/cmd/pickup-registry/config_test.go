package main

import (
	"strings"
	"testing"
)

// config recommended-version shows, sets, refuses and clears the version
// the registry recommends to its counters.
func TestConfigRecommendedVersion(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"config", "recommended-version"}, 0, "no version recommended"},
		{[]string{"config", "recommended-version", "0.2.0"}, 0, "version 0.2.0 recommended"},
		{[]string{"config", "recommended-version", "--json"}, 0, `"recommended_version": "0.2.0"`},
		{[]string{"config", "recommended-version", "v0.3;rm"}, 1, "refused"},
		{[]string{"config", "recommended-version"}, 0, "version 0.2.0 recommended"},
		{[]string{"config", "recommended-version", "0.3.0", "--clear"}, 2, "not both"},
		{[]string{"config", "recommended-version", "0.3.0", "0.4.0"}, 2, "at most one"},
		{[]string{"config", "recommended-version", "--clear"}, 0, "no version recommended"},
	} {
		code, out, errs := cli(t, dir, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d, %q %q; want exit %d and %q", c.args, code, out, errs, c.code, c.want)
		}
	}
}
