package packaging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unpack extracts a .deb into a new folder and returns it.
func unpack(t *testing.T, deb string) string {
	t.Helper()
	dir := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", deb, dir)
	run(t, nil, "dpkg-deb", "-e", deb, filepath.Join(dir, "DEBIAN"))
	return dir
}

// TestLintian: both packages are lintian-clean but for the tags overridden
// (and justified) in packaging/linux/lintian/ (see packaging/README.md).
func TestLintian(t *testing.T) {
	d := dist(t)
	needTools(t, "lintian")
	for _, p := range []string{"pickup", "pickup-registry"} {
		t.Run(p, func(t *testing.T) {
			deb := one(t, d, p+"_*_amd64.deb")
			out, err := runErr(nil, "lintian", "--fail-on", "error,warning,info", "--display-info", "--tag-display-limit", "0", deb)
			out = strings.TrimSpace(strings.ReplaceAll(out, "running with root privileges is not recommended!", ""))
			if err != nil || out != "" {
				t.Errorf("lintian %s: %v\n%s", filepath.Base(deb), err, out)
			}
		})
	}
}

// TestDesktopEntry: the menu entry and the AppStream metadata validate,
// and the icon they name is in the package.
func TestDesktopEntry(t *testing.T) {
	d := dist(t)
	needTools(t, "desktop-file-validate", "appstreamcli", "dpkg-deb")
	root := unpack(t, one(t, d, "pickup_*_amd64.deb"))
	id := "io.github.pickup_terminal.pickup"
	desktop := filepath.Join(root, "usr/share/applications", id+".desktop")
	if out, err := runErr(nil, "desktop-file-validate", desktop); err != nil || out != "" {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
	meta := filepath.Join(root, "usr/share/metainfo", id+".metainfo.xml")
	if out, err := runErr(nil, "appstreamcli", "validate", "--no-net", "--pedantic", meta); err != nil {
		t.Errorf("appstreamcli validate: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/share/icons/hicolor/512x512/apps", id+".png")); err != nil {
		t.Errorf("icon: %v", err)
	}
	holdsAll(t, desktop, "Exec=pickup\n", "Icon="+id+"\n", "Terminal=false\n")
	// The libraries pickup depends on.
	holdsAll(t, filepath.Join(root, "DEBIAN/control"), "libc6 (>= 2.34)", "libgl1", "libx11-6", "libxcursor1", "libxrandr2", "libxinerama1", "libxi6", "libxxf86vm1")
	for _, page := range []string{"pickup.1.gz", "pickup-lookup.1.gz", "pickup-sync.1.gz"} {
		if _, err := os.Stat(filepath.Join(root, "usr/share/man/man1", page)); err != nil {
			t.Errorf("man page: %v", err)
		}
	}
	if other, _ := filepath.Glob(filepath.Join(root, "usr/share/man/man1/pickup-registry*")); len(other) > 0 {
		t.Errorf("the counter's package holds the registry's pages: %v", other)
	}
}

// TestSystemdUnit: the registry's unit passes systemd-analyze verify, is
// hardened (the exposure systemd-analyze security computes stays low), runs
// as its own user, restarts on failure and waits for its configuration.
func TestSystemdUnit(t *testing.T) {
	d := dist(t)
	needTools(t, "systemd-analyze", "dpkg-deb")
	root := unpack(t, one(t, d, "pickup-registry_*_amd64.deb"))
	for _, page := range []string{"pickup-registry.1.gz", "pickup-registry-serve.1.gz"} {
		if _, err := os.Stat(filepath.Join(root, "usr/share/man/man1", page)); err != nil {
			t.Errorf("man page: %v", err)
		}
	}
	unit := filepath.Join(root, "lib/systemd/system/pickup-registry.service")
	holdsAll(t, unit, "User=pickup-registry\n", "Restart=on-failure\n", "ProtectSystem=strict\n",
		"StateDirectory=pickup-registry\n", "ConditionPathExists=/etc/pickup-registry/pickup-registry.conf\n",
		"--data /var/lib/pickup-registry")
	// verify resolves the unit's dependencies (sysinit.target…): give it
	// this machine's targets and slices beside the unit.
	for _, pattern := range []string{"*.target", "*.slice"} {
		m, _ := filepath.Glob(filepath.Join("/lib/systemd/system", pattern))
		for _, f := range m {
			run(t, nil, "cp", "-a", f, filepath.Join(root, "lib/systemd/system"))
		}
	}
	if out, err := runErr(nil, "systemd-analyze", "verify", "--root="+root, "--man=no", "/lib/systemd/system/pickup-registry.service"); err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := runErr(nil, "systemd-analyze", "security", "--offline=yes", "--root="+root, "--threshold=20", "--no-pager", "pickup-registry.service")
	if err != nil {
		t.Errorf("systemd-analyze security: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	t.Logf("systemd-analyze security: %s", lines[len(lines)-1])
}
