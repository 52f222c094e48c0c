package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDebInstall installs both .debs in a fresh Debian root, as a
// technician would (apt resolves the libraries they depend on), and runs
// the programs there with no network but the loopback: the counter's
// command line gives the right verdict for every sample code of its demo,
// and a registry serving on 127.0.0.1 enrols and syncs a terminal.
func TestDebInstall(t *testing.T) {
	d := dist(t)
	needRoot(t)
	needTools(t, "unshare", "chroot", "tar", "ip", "mountpoint")
	pickupDeb := one(t, d, "pickup_*_amd64.deb")
	registryDeb := one(t, d, "pickup-registry_*_amd64.deb")
	version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(pickupDeb), "pickup_"), "_amd64.deb")

	root := debianRoot(t)
	for _, tool := range []string{"go", "gcc", "cc", "ld"} {
		if out, err := inRootErr(root, true, "command -v "+tool); err == nil {
			t.Fatalf("the fresh root has %s (%s): it must have no Go and no compiler", tool, out)
		}
	}
	debs := filepath.Join(root, "tmp", "debs")
	if err := os.MkdirAll(debs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{pickupDeb, registryDeb} {
		if err := os.WriteFile(filepath.Join(debs, filepath.Base(f)), readFile(t, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Install with the host's network (apt fetches libgl1, libx11-6…); the
	// package lists of the cached root may be stale: refresh and retry once.
	install := "apt-get install -y -qq --no-install-recommends /tmp/debs/*.deb"
	if out, err := inRootErr(root, false, install); err != nil {
		t.Logf("install failed, refreshing the package lists: %v\n%s", err, out)
		inRoot(t, root, false, "apt-get update -qq && "+install)
	}

	// What the registry's maintainer scripts did: a system user, its state
	// folder, the unit installed but neither configured nor enabled.
	got := inRoot(t, root, true, `
getent passwd pickup-registry | cut -d: -f6,7
stat -c '%U:%G %a' /var/lib/pickup-registry
test -f /lib/systemd/system/pickup-registry.service && echo unit
test ! -e /etc/pickup-registry/pickup-registry.conf && echo unconfigured
test ! -e /etc/systemd/system/multi-user.target.wants/pickup-registry.service && echo not-enabled
dpkg-query -W -f='${Version}\n' pickup pickup-registry
`)
	want := "/var/lib/pickup-registry:/usr/sbin/nologin\npickup-registry:pickup-registry 750\nunit\nunconfigured\nnot-enabled\n" +
		version + "\n" + version + "\n"
	if got != want {
		t.Errorf("after install:\n%s\nwant:\n%s", got, want)
	}

	// The counter's command line, no display, no network.
	for _, p := range []string{"pickup", "pickup-registry"} {
		out, err := inRootErr(root, true, p+" --version")
		if err != nil || !strings.Contains(out, version) {
			t.Errorf("%s --version: %v: %q, want the package's version %s", p, err, out, version)
		}
	}
	inRoot(t, root, true, "pickup --data /tmp/term demo --json > /tmp/demo.json")
	var demo struct {
		Samples map[string]string `json:"samples"`
	}
	b := readFile(t, filepath.Join(root, "tmp", "demo.json"))
	if err := json.Unmarshal(b, &demo); err != nil || len(demo.Samples) == 0 {
		t.Fatalf("pickup demo --json: %v\n%s", err, b)
	}
	for kind, code := range demo.Samples {
		if !regexp.MustCompile(`^[0-9A-Z-]+$`).MatchString(code) {
			t.Fatalf("sample %s: unexpected code %q", kind, code)
		}
		out, _ := inRootErr(root, true, "pickup --data /tmp/term --json lookup "+code)
		var res struct {
			Verdict string `json:"verdict"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Errorf("lookup %s (%s): %v\n%s", code, kind, err, out)
			continue
		}
		want := kind
		if kind == "ok_masks_only" {
			want = "ok"
		}
		if res.Verdict != want {
			t.Errorf("lookup %s (sample %s): verdict %q, want %q", code, kind, res.Verdict, want)
		}
	}

	// The registry: a demo, serve on 127.0.0.1, and a terminal enrolled and
	// synced against it. Run as the service's user, on its state folder.
	out := inRoot(t, root, true, `
as_user="setpriv --reuid=pickup-registry --regid=pickup-registry --init-groups"
reg() { $as_user pickup-registry --data /var/lib/pickup-registry "$@"; }
reg demo --centres 2 --requests 40 >/dev/null
$as_user pickup-registry --data /var/lib/pickup-registry serve --listen 127.0.0.1:8470 >/tmp/serve.log 2>&1 &
pid=$!
for i in $(seq 50); do grep -q serving /tmp/serve.log && break; sleep 0.2; done
centre=$(reg centre list --json | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -1)
code=$(reg terminal enrol --centre "$centre" --json | sed -n 's/.*"enrolment_code": *"\([^"]*\)".*/\1/p')
pickup --data /tmp/t2 enrol --registry http://127.0.0.1:8470 --code "$code"
pickup --data /tmp/t2 sync
pickup --data /tmp/t2 --json status
kill $pid; wait $pid || true
stat -c '%U' /var/lib/pickup-registry/registry.db
`)
	for _, w := range []string{"Enrolled", "Pulled", `"expected"`} {
		if !strings.Contains(out, w) {
			t.Errorf("enrol and sync against the installed registry: no %q in\n%s", w, out)
		}
	}
	if !strings.HasSuffix(out, "pickup-registry\n") {
		t.Errorf("the registry's database is not its user's:\n%s", out)
	}

	// Removal stops nothing that is not there and keeps the registry's data.
	out = inRoot(t, root, true, `
dpkg --purge pickup-registry pickup >/dev/null
test -d /var/lib/pickup-registry && echo data-kept
test ! -e /usr/bin/pickup && test ! -e /usr/bin/pickup-registry && echo removed
`)
	if out != "data-kept\nremoved\n" {
		t.Errorf("after purge: %q", out)
	}
}
