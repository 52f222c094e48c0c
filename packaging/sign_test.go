package packaging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSignedChecksums: sign-sums.sh lists every package in SHA256SUMS and,
// given a GnuPG key (a throwaway one here), signs it so that gpg --verify
// accepts it and rejects a changed list; without a key it says "UNSIGNED".
func TestSignedChecksums(t *testing.T) {
	needTools(t, "gpg", "sha256sum")
	dist := t.TempDir()
	for name, body := range map[string]string{"pickup_1_amd64.deb": "a", "windows/pickup.exe": "b", "notes.txt": "c"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dist, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dist, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := run(t, nil, "./sign-sums.sh", dist)
	if !strings.Contains(out, "UNSIGNED checksums") {
		t.Errorf("without a key: %q, want it to say UNSIGNED", out)
	}
	sums := readFile(t, filepath.Join(dist, "SHA256SUMS"))
	if got := string(sums); !strings.Contains(got, "  pickup_1_amd64.deb\n") || !strings.Contains(got, "  windows/pickup.exe\n") || strings.Contains(got, "notes.txt") {
		t.Errorf("SHA256SUMS:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dist, "SHA256SUMS.asc")); err == nil {
		t.Error("SHA256SUMS.asc without a key")
	}

	home := t.TempDir()
	gpgEnv := []string{"GNUPGHOME=" + home}
	t.Cleanup(func() { runErr(gpgEnv, "gpgconf", "--kill", "gpg-agent") }) // gpg started it
	run(t, gpgEnv, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Pickup test <test@pickup.invalid>", "ed25519", "sign", "1d")
	out = run(t, append(gpgEnv, "PICKUP_GPG_KEY=test@pickup.invalid"), "./sign-sums.sh", dist)
	if !strings.Contains(out, "signed with GnuPG key") {
		t.Errorf("with a key: %q", out)
	}
	asc, sumsPath := filepath.Join(dist, "SHA256SUMS.asc"), filepath.Join(dist, "SHA256SUMS")
	if out, err := runErr(gpgEnv, "gpg", "--batch", "--verify", asc, sumsPath); err != nil {
		t.Errorf("gpg --verify: %v\n%s", err, out)
	}
	if err := os.WriteFile(sumsPath, append([]byte("0000  evil.deb\n"), sums...), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runErr(gpgEnv, "gpg", "--batch", "--verify", asc, sumsPath); err == nil {
		t.Errorf("gpg --verify accepted a changed SHA256SUMS:\n%s", out)
	}
}
