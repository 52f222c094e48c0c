// Package cenv replaces a "C" or "POSIX" locale in the environment with
// en_US.UTF-8 before Fyne's lang package reads it at initialisation (it
// logs an error for every command otherwise). Import it first, for its
// side effect; it depends on nothing but the standard library, so Go's
// initialisation order runs it before Fyne's packages.
package cenv

import (
	"os"
	"strings"
)

func isC(v string) bool {
	v = strings.ToUpper(v)
	return v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.")
}

func init() {
	fixed := false
	for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v, ok := os.LookupEnv(k); ok && isC(v) {
			os.Unsetenv(k)
			fixed = true
		}
	}
	if fixed && os.Getenv("LANG") == "" && os.Getenv("LC_ALL") == "" && os.Getenv("LC_MESSAGES") == "" && os.Getenv("LANGUAGE") == "" {
		os.Setenv("LANG", "en_US.UTF-8")
	}
}
