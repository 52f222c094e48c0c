// Package buildinfo holds the version and commit a binary was built from,
// stamped by the linker (make build and scripts/package.sh pass
// -X github.com/pickup-terminal/pickup/internal/buildinfo.Version=… and
// ….Commit=…), and read from the module's VCS stamp otherwise, so that
// `pickup --version` and `pickup-registry --version` always say something
// true.
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Set by the linker; empty in a plain `go build`.
var (
	Version string
	Commit  string
)

// Info returns the version ("dev" when none was stamped) and the commit
// ("unknown" when neither the linker nor the Go toolchain recorded one).
func Info() (version, commit string) {
	version, commit = Version, Commit
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = strings.TrimPrefix(bi.Main.Version, "v")
		}
		if commit == "" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					commit = s.Value
				}
			}
		}
	}
	if version == "" {
		version = "dev"
	}
	if commit == "" {
		commit = "unknown"
	}
	return version, commit
}

// String is "VERSION (commit COMMIT)", what --version prints.
func String() string {
	v, c := Info()
	if len(c) > 12 {
		c = c[:12]
	}
	return v + " (commit " + c + ")"
}

// Behind reports whether this build's version is older than recommended
// (the version a registry recommends), in the order dpkg sorts versions:
// "0.1.0~git98.abc" < "0.1.0" < "0.1.0+1" < "0.1.1" < "0.10.0". A
// development build ("dev") or an empty recommendation is never behind.
func Behind(recommended string) bool {
	v, _ := Info()
	if recommended == "" || v == "dev" {
		return false
	}
	return CompareVersions(v, recommended) < 0
}

// CompareVersions compares two versions as dpkg compares upstream versions
// (without epoch or revision): runs of digits numerically, other characters
// by ASCII with letters before non-letters and "~" before anything, even
// the end. It returns -1, 0 or 1.
func CompareVersions(a, b string) int {
	for a != "" || b != "" {
		// The non-digit prefixes.
		for (a != "" && !isDigit(a[0])) || (b != "" && !isDigit(b[0])) {
			ca, cb := order(a), order(b)
			if ca != cb {
				if ca < cb {
					return -1
				}
				return 1
			}
			a, b = a[1:], b[1:]
		}
		// The digit runs.
		na, nb := digits(a), digits(b)
		a, b = a[len(na):], b[len(nb):]
		na, nb = strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
		if len(na) != len(nb) {
			if len(na) < len(nb) {
				return -1
			}
			return 1
		}
		if c := strings.Compare(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// order is dpkg's weight of the first character of s: the end of the
// string and digits 0, "~" lowest, letters by ASCII, then the others.
func order(s string) int {
	switch {
	case s == "" || isDigit(s[0]):
		return 0
	case s[0] == '~':
		return -1
	case 'A' <= s[0] && s[0] <= 'Z' || 'a' <= s[0] && s[0] <= 'z':
		return int(s[0])
	default:
		return int(s[0]) + 256
	}
}

func digits(s string) string {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i]
}
