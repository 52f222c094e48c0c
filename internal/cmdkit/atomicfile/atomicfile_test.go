package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

func TestWriteFileReplacesRegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(name, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(name, []byte("new"), 0o600); err != nil {
		t.Fatalf("WriteBytes over a regular file: %v", err)
	}
	got, _ := os.ReadFile(name)
	if string(got) != "new" {
		t.Errorf("content = %q, want %q", got, "new")
	}
	fi, _ := os.Stat(name)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	assertNoTemp(t, dir, 1)
}

func TestWriteFileFailureKeepsOld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "out.bundle")
	os.WriteFile(name, []byte("old"), 0o644)
	boom := errors.New("boom")
	err := WriteFile(name, 0o644, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteFile = %v, want the writer's error", err)
	}
	if got, _ := os.ReadFile(name); string(got) != "old" {
		t.Errorf("after a failed write the file holds %q, want the old %q", got, "old")
	}
	assertNoTemp(t, dir, 1)
}

func TestWriteFileRefusesNonRegular(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symlinks and FIFOs need a Unix system")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("keep me"), 0o600)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o700)
	tests := []struct{ name, path string }{
		{"symlink", link},
		{"fifo", fifo},
		{"directory", folder},
	}
	for _, tt := range tests {
		err := WriteBytes(tt.path, []byte("planted"), 0o600)
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("WriteBytes(%s) = %v, want ErrNotRegular", tt.name, err)
		}
	}
	if got, _ := os.ReadFile(victim); string(got) != "keep me" {
		t.Errorf("the symlink's target was written: %q", got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced")
	}
	assertNoTemp(t, dir, 4)
}

func TestWriteFileMissingFolder(t *testing.T) {
	t.Parallel()
	err := WriteBytes(filepath.Join(t.TempDir(), "no", "such", "file"), nil, 0o600)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteBytes into a missing folder = %v, want ErrNotExist", err)
	}
}

// assertNoTemp checks the folder holds exactly n entries: no temporary
// file was left behind.
func assertNoTemp(t *testing.T, dir string, n int) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	if len(ents) != n {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want %d entries (a temporary file left behind?)", names, n)
	}
}
