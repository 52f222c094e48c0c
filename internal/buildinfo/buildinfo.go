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
