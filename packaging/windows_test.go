package packaging

import (
	"debug/pe"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWindowsPackage builds the Windows files with a throwaway Authenticode
// certificate (scripts/package.sh --windows into a folder of its own) and
// checks them: pickup.exe is a GUI-subsystem program and pickup-cli.exe a
// console one, the MSI's tables hold both, the shortcuts and the version,
// and osslsigncode verifies the signatures of all three. It needs
// PICKUP_TEST_WINDOWS=1 (the mingw build of the window takes minutes cold).
func TestWindowsPackage(t *testing.T) {
	if os.Getenv("PICKUP_TEST_WINDOWS") != "1" {
		t.Skip("set PICKUP_TEST_WINDOWS=1 to build and check the Windows installer (make packages-check)")
	}
	needTools(t, "openssl", "osslsigncode", "msiinfo", "wixl", "x86_64-w64-mingw32-gcc")
	tmp := t.TempDir()
	cert, key := filepath.Join(tmp, "cert.pem"), filepath.Join(tmp, "key.pem")
	run(t, nil, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
		"-subj", "/CN=Pickup test signing/O=Pickup tests", "-addext", "extendedKeyUsage=codeSigning",
		"-keyout", key, "-out", cert)
	out := filepath.Join(tmp, "dist")
	log := run(t, []string{"PICKUP_DIST=" + out, "PICKUP_SIGN_CERT=" + cert, "PICKUP_SIGN_KEY=" + key},
		"../scripts/package.sh", "--windows")
	if !strings.Contains(log, "signed with") || strings.Contains(log, "UNSIGNED Windows") {
		t.Errorf("package.sh did not say it signed:\n%s", log)
	}
	checkWindowsDist(t, out)

	for _, f := range []string{"windows/pickup.exe", "windows/pickup-cli.exe", "Pickup-*-x64.msi"} {
		path := one(t, out, f)
		got, err := runErr(nil, "osslsigncode", "verify", "-CAfile", cert, "-in", path)
		if err != nil || !strings.Contains(got, "Signature verification: ok") {
			t.Errorf("osslsigncode verify %s: %v\n%s", filepath.Base(path), err, got)
		}
	}
	// And a tampered executable fails the check.
	exe := one(t, out, "windows/pickup-cli.exe")
	b := readFile(t, exe)
	b[len(b)/2] ^= 0xff
	bad := filepath.Join(tmp, "tampered.exe")
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := runErr(nil, "osslsigncode", "verify", "-CAfile", cert, "-in", bad); err == nil {
		t.Errorf("osslsigncode verify accepted a tampered executable:\n%s", got)
	}
}

// TestWindowsDist checks the Windows files of an existing dist folder
// (PICKUP_DIST), unsigned, when package.sh built them.
func TestWindowsDist(t *testing.T) {
	d := dist(t)
	if _, err := os.Stat(filepath.Join(d, "windows", "pickup.exe")); err != nil {
		t.Skip("no Windows build in PICKUP_DIST (scripts/package.sh without --deb makes one)")
	}
	needTools(t, "msiinfo")
	checkWindowsDist(t, d)
}

func checkWindowsDist(t *testing.T, d string) {
	t.Helper()
	for _, c := range []struct {
		file string
		want uint16
	}{
		{"windows/pickup.exe", pe.IMAGE_SUBSYSTEM_WINDOWS_GUI},
		{"windows/pickup-cli.exe", pe.IMAGE_SUBSYSTEM_WINDOWS_CUI},
	} {
		f, err := pe.Open(filepath.Join(d, c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
		switch {
		case !ok || f.Machine != pe.IMAGE_FILE_MACHINE_AMD64:
			t.Errorf("%s: not a 64-bit x86 PE (machine %#x)", c.file, f.Machine)
		case oh.Subsystem != c.want:
			t.Errorf("%s: subsystem %d, want %d", c.file, oh.Subsystem, c.want)
		}
		f.Close()
	}

	msi := one(t, d, "Pickup-*-x64.msi")
	version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(msi), "Pickup-"), "-x64.msi")
	// msiinfo prints the tables' rows with CRLF line ends.
	msiinfo := func(sub string, table ...string) string {
		return strings.ReplaceAll(run(t, nil, "msiinfo", append([]string{sub, msi}, table...)...), "\r\n", "\n")
	}
	tables := msiinfo("tables")
	for _, table := range []string{"File", "Shortcut", "Property", "Upgrade", "Component"} {
		if !strings.Contains("\n"+tables, "\n"+table+"\n") {
			t.Errorf("the MSI has no %s table:\n%s", table, tables)
		}
	}
	files := msiinfo("export", "File")
	for _, f := range []string{"\tpickup.exe\t", "\tpickup-cli.exe\t"} {
		if !strings.Contains(files, f) {
			t.Errorf("the MSI's File table has no %s:\n%s", strings.Trim(f, "\t"), files)
		}
	}
	shortcuts := msiinfo("export", "Shortcut")
	for _, s := range []string{
		"MenuPickup\tPickupMenuFolder\tPickup\t", "DesktopPickup\tDesktopFolder\tPickup\t",
		"[INSTALLDIR]pickup.exe", `"[INSTALLDIR]pickup-cli.exe" help`,
	} {
		if !strings.Contains(shortcuts, s) {
			t.Errorf("the MSI's Shortcut table has no %q:\n%s", s, shortcuts)
		}
	}
	props := msiinfo("export", "Property")
	// The MSI's version is numeric: X.Y.Z of the package's, and for a
	// development build the commit count as a fourth part.
	numeric := version
	if i := strings.IndexAny(numeric, "~+-"); i >= 0 {
		numeric = numeric[:i]
	}
	if !strings.Contains(props, "ProductVersion\t"+numeric) || !strings.Contains(props, "ProductName\tPickup\n") {
		t.Errorf("the MSI's Property table does not say Pickup %s:\n%s", numeric, props)
	}
	// Per-user data is never the installer's: nothing of it is removed.
	for _, table := range []string{"RemoveFile", "Directory"} {
		rows := msiinfo("export", table)
		for _, w := range []string{"LocalAppDataFolder", "AppDataFolder", "PersonalFolder"} {
			if strings.Contains(rows, w) {
				t.Errorf("the MSI's %s table touches %s (per-user data):\n%s", table, w, rows)
			}
		}
	}
}
