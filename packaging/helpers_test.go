package packaging

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dist returns the folder scripts/package.sh wrote (PICKUP_DIST), or skips.
func dist(t *testing.T) string {
	t.Helper()
	d := os.Getenv("PICKUP_DIST")
	if d == "" {
		t.Skip("PICKUP_DIST is not set: build the packages first (scripts/package.sh), then PICKUP_DIST=dist go test ./packaging/")
	}
	if !filepath.IsAbs(d) { // relative to the repository, as scripts/package.sh takes it
		d = filepath.Join("..", d)
	}
	abs, err := filepath.Abs(d)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("installing packages in a Debian root needs root")
	}
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/deps.sh --packaging installs it)", tool)
		}
	}
}

// one returns the single file matching pattern in dir.
func one(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(m) != 1 {
		t.Fatalf("want exactly one %s in %s, found %v (%v)", pattern, dir, m, err)
	}
	return m[0]
}

// readFile returns the content of the file at path.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// holdsAll reports each of wants that the file at path does not hold.
func holdsAll(t *testing.T, path string, wants ...string) {
	t.Helper()
	b := readFile(t, path)
	for _, w := range wants {
		if !strings.Contains(string(b), w) {
			t.Errorf("%s has no %q:\n%s", filepath.Base(path), w, b)
		}
	}
}

// run runs a command and returns its combined output; it fails the test
// when the command fails.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	return b.String(), err
}

// lockFile holds an exclusive flock on path until the returned func runs.
func lockFile(t *testing.T, path string) func() {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	return func() { f.Close() }
}

// mountedUnder lists the mount points at or under dir (from
// /proc/self/mountinfo).
func mountedUnder(dir string) ([]string, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var m []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			m = append(m, f[4])
		}
	}
	return m, nil
}

// removeRoot deletes a Debian root made by the tests, but only once nothing
// is mounted in it (a still-mounted /dev would take the machine's own
// device files with it), and never across file systems.
func removeRoot(dir string) error {
	m, err := mountedUnder(dir)
	if err != nil {
		return err
	}
	for _, sub := range []string{"dev", "proc", "sys", "dev/pts", "var/cache/apt/archives"} {
		if exec.Command("mountpoint", "-q", filepath.Join(dir, sub)).Run() == nil {
			m = append(m, filepath.Join(dir, sub))
		}
	}
	if len(m) > 0 {
		return fmt.Errorf("not deleting %s: still mounted: %v", dir, m)
	}
	if out, err := exec.Command("rm", "-rf", "--one-file-system", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("rm %s: %v: %s", dir, err, out)
	}
	return nil
}

// debianMirror is the mirror this machine's apt uses (deb.debian.org if
// none is found).
func debianMirror() string {
	for _, f := range []string{"/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			fs := strings.Fields(line)
			switch {
			case len(fs) >= 2 && fs[0] == "URIs:" && !strings.Contains(fs[1], "security"):
				return fs[1]
			case len(fs) >= 3 && fs[0] == "deb" && !strings.Contains(line, "security"):
				for _, u := range fs[1:] {
					if strings.HasPrefix(u, "http") {
						return u
					}
				}
			}
		}
	}
	return "http://deb.debian.org/debian"
}

// testCache is the folder that keeps what the tests make once per machine
// ($PICKUP_TEST_CACHE, default /var/cache/pickup-test).
func testCache() string {
	if c := os.Getenv("PICKUP_TEST_CACHE"); c != "" {
		return c
	}
	return "/var/cache/pickup-test"
}

// baseRootVersion names the cached base root; change it when what goes
// into the root changes.
const baseRootVersion = "bookworm-minbase-1"

// debianRoot unpacks a fresh Debian bookworm minbase root (no Go, no
// compiler) into a new folder and returns it; it is deleted at the end of
// the test. The root is debootstrapped once per machine and kept as a
// tarball in the cache folder ($PICKUP_TEST_CACHE, default
// /var/cache/pickup-test).
func debianRoot(t *testing.T) string {
	t.Helper()
	cache := testCache()
	if err := os.MkdirAll(filepath.Join(cache, "apt-archives", "partial"), 0o755); err != nil {
		t.Fatal(err)
	}
	tarball := filepath.Join(cache, baseRootVersion+".tar")
	unlock := lockFile(t, filepath.Join(cache, "lock"))
	if _, err := os.Stat(tarball); errors.Is(err, os.ErrNotExist) {
		t.Logf("debootstrap of a bookworm minbase root (once per machine; cached in %s)", tarball)
		makeBaseTarball(t, tarball)
	}
	unlock()

	root, err := os.MkdirTemp("", "pickup-debroot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := removeRoot(root); err != nil {
			t.Error(err)
		}
	})
	run(t, nil, "tar", "--numeric-owner", "-xpf", tarball, "-C", root)
	// A root folder is 0755 (MkdirTemp made it 0700; users other than
	// root, _apt and the registry's, walk through it).
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

func makeBaseTarball(t *testing.T, tarball string) {
	t.Helper()
	needTools(t, "debootstrap", "unshare")
	dir, err := os.MkdirTemp(filepath.Dir(tarball), "root-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := removeRoot(dir); err != nil {
			t.Error(err)
		}
	}()
	// In a mount namespace of its own: whatever debootstrap mounts (proc,
	// a bind of /dev in a container) goes away with it, even if it fails.
	run(t, nil, "unshare", "--mount", "--propagation", "private", "--fork", "--",
		"debootstrap", "--variant=minbase", "bookworm", dir, debianMirror())
	// Package lists for installing the .debs' dependencies later.
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		os.WriteFile(filepath.Join(dir, "etc/resolv.conf"), b, 0o644)
	}
	inRoot(t, dir, false, "apt-get update -qq && apt-get clean")
	tmp := tarball + ".tmp"
	run(t, nil, "tar", "--numeric-owner", "-cpf", tmp, "-C", dir, ".")
	if err := os.Rename(tmp, tarball); err != nil {
		t.Fatal(err)
	}
}

// inRoot runs a shell script chrooted in root, in private mount and pid
// namespaces with /proc, the host's /dev and the shared apt download cache
// mounted (all gone, and every process it started killed, when it ends);
// with isolated, also in a network namespace of
// its own with only the loopback (what the programs under test use).
func inRoot(t *testing.T, root string, isolated bool, script string) string {
	t.Helper()
	out, err := inRootErr(root, isolated, script)
	if err != nil {
		t.Fatalf("in the Debian root: %v\n--- script:\n%s\n--- output:\n%s", err, script, out)
	}
	return out
}

func inRootErr(root string, isolated bool, script string) (string, error) {
	cache := testCache()
	// A pid namespace too: whatever the script leaves running dies with it.
	args := []string{"--mount", "--propagation", "private", "--pid", "--fork"}
	setup := `set -e
mount --bind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount --bind "$ARCHIVES" "$R/var/cache/apt/archives"
`
	if isolated {
		args = append(args, "--net")
		setup += "ip link set lo up\n"
	}
	setup += `exec chroot "$R" /bin/sh -ec "$SCRIPT"`
	args = append(args, "--", "/bin/sh", "-c", setup)
	return runErr([]string{
		"R=" + root, "ARCHIVES=" + filepath.Join(cache, "apt-archives"), "SCRIPT=" + script,
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
		"DEBIAN_FRONTEND=noninteractive", "DISPLAY=", "WAYLAND_DISPLAY=", "XDG_RUNTIME_DIR=",
	}, "unshare", args...)
}
