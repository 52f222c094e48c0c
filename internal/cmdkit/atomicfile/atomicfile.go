// Package atomicfile writes a file so that a cut (a killed process, a
// pulled-out USB stick, a full disk) leaves either the old file or the
// whole new one under its name, never half of one, and never replaces
// anything but a regular file: a symlink, a folder, a FIFO or a device at
// the target is refused, so a file planted there cannot redirect a write.
//
// It has no dependency beyond the standard library, so that the sync
// client and the stores can use it as well as the command lines.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular is returned when the target exists and is not a regular
// file.
var ErrNotRegular = errors.New("not a regular file")

// WriteFile writes name with what fn writes: into a temporary file in the
// same folder (so the rename stays on one file system), synced to disk,
// given mode perm (0600 for secrets), then renamed over name. The folder
// is synced after the rename where the system allows it. When fn or any
// step fails, the temporary file is removed and name is left as it was.
func WriteFile(name string, perm fs.FileMode, fn func(w io.Writer) error) (err error) {
	if err := checkTarget(name); err != nil {
		return err
	}
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if err := fn(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	// Again just before the rename: the window in which something else
	// can appear at the target is as short as it can be.
	if err := checkTarget(name); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	syncDir(dir)
	return nil
}

// WriteBytes writes data to name atomically (see WriteFile).
func WriteBytes(name string, data []byte, perm fs.FileMode) error {
	return WriteFile(name, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// checkTarget refuses a target that exists and is not a regular file
// (Lstat: a symlink is refused, not followed).
func checkTarget(name string) error {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("write %s: %w", name, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("write %s: %w (%s): refusing to replace it", name, ErrNotRegular, kind(fi.Mode()))
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// syncDir makes the rename durable. Not every system can sync a folder
// (Windows cannot open one for it); the rename has happened either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
