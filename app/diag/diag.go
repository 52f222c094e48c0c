// Package diag holds the counter's log file (in the data folder, 0600,
// rotated by size) and the diagnostics file a technician sends to support:
// versions, settings, sync state, counts and the end of the log — never a
// name, a pickup code, an enrolment code or a secret. Pure Go: the window
// and the command line both use it.
package diag

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	stdsync "sync"
	"time"

	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
)

// LogName is the log file in the data folder; the previous one is
// LogName+".1".
const LogName = "pickup.log"

// MaxLogSize is the size at which the log file is rotated.
var MaxLogSize int64 = 1 << 20

// Log is a size-rotated log file (0600).
type Log struct {
	mu   stdsync.Mutex
	path string
	f    *os.File
	size int64
}

// OpenLog opens (or creates) the log file in dir. It refuses a log path
// that is not a regular file (a symbolic link, say).
func OpenLog(dir string) (*Log, error) {
	l := &Log{path: filepath.Join(dir, LogName)}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

// Path is the log file's path.
func (l *Log) Path() string { return l.path }

func (l *Log) open() error {
	if fi, err := os.Lstat(l.path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("log file %s is not a regular file", l.path)
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	l.f, l.size = f, fi.Size()
	return os.Chmod(l.path, 0o600)
}

// Write appends p, rotating first when the file is full.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, errors.New("log closed")
	}
	if l.size+int64(len(p)) > MaxLogSize && l.size > 0 {
		l.f.Close()
		old := l.path + ".1"
		if fi, err := os.Lstat(old); err == nil && !fi.Mode().IsRegular() {
			return 0, fmt.Errorf("rotate log: %s is not a regular file", old)
		}
		if err := os.Rename(l.path, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("rotate log: %w", err)
		}
		if err := l.open(); err != nil {
			l.f = nil
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Logger returns a text slog logger writing to l and also to also (the
// terminal's stderr, say) when not nil.
func (l *Log) Logger(also io.Writer) *slog.Logger {
	var w io.Writer = l
	if also != nil {
		w = io.MultiWriter(l, also)
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// codeLike matches what could be a pickup or enrolment code (16 or 20
// characters of the code alphabet, with or without dashes) and the secret
// part of a signed QR payload, so that none reaches a diagnostics file even
// if a log line held one by mistake.
var codeLike = regexp.MustCompile(`(?i)\b[0-9A-Z]{4}(-?[0-9A-Z]{4}){3,4}\b|PICKUP-ENROL-[0-9A-Z.\-]+|PU1\.[^\s"]+`)

// Scrub masks code-like text.
func Scrub(s string) string { return codeLike.ReplaceAllString(s, "[masked]") }

// safeSettings are the settings a diagnostics file shows; the rest (the
// secret, cursors of no use to support) are left out.
var safeSettings = []string{
	store.KeyTerminalID, store.KeyTerminalName, store.KeyCentreID, store.KeyRegistryURL, store.KeyCampaignID,
	store.KeyLang, store.KeyUndoWindow, store.KeyLastSync, store.KeyLastRefresh, store.KeyLastSyncErr,
	client.KeyRecommendedVersion,
}

// LogTail is how much of the log's end a diagnostics file holds.
const LogTail = 200

// Write writes the diagnostics of the terminal in s to w: versions,
// settings, sync state and counts, and the end of the log at logPath
// (scrubbed). It holds no name and no code.
func Write(ctx context.Context, w io.Writer, s *store.Store, logPath string) error {
	bw := bufio.NewWriter(w)
	version, commit := buildinfo.Info()
	fmt.Fprintf(bw, "Pickup diagnostics\nwritten   %s\nversion   %s (%s)\ngo        %s %s/%s\ndata      %s\n\n",
		time.Now().UTC().Format(time.RFC3339), version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, filepath.Dir(s.Path()))
	fmt.Fprintln(bw, "[settings]")
	for _, k := range safeSettings {
		v, err := s.Setting(ctx, k)
		if err != nil {
			v = "(unreadable: " + err.Error() + ")"
		}
		fmt.Fprintf(bw, "%-20s %s\n", k, Scrub(v))
	}
	fmt.Fprintln(bw, "\n[sync]")
	cfgErr := ""
	if _, err := s.SyncConfig(ctx); err != nil {
		cfgErr = err.Error()
	}
	last, _ := s.Setting(ctx, store.KeyLastSyncErr)
	f := client.Explain(errors.New(last))
	if last == "" {
		f = client.Failure{}
	}
	fmt.Fprintf(bw, "enrolled             %v %s\nlast failure         %s %s %s\n", cfgErr == "", Scrub(cfgErr), f.Kind, f.Code, f.Detail)
	fmt.Fprintln(bw, "\n[counts]")
	if st, err := s.Status(ctx); err != nil {
		fmt.Fprintf(bw, "unreadable: %s\n", Scrub(err.Error()))
	} else {
		fmt.Fprintf(bw, "expected %d, collected %d, remaining %d, cancelled %d, today %d, pending upload %d, conflicts %d\n",
			st.Expected, st.Collected, st.Remaining, st.Cancelled, st.HandedOverToday, st.PendingUpload, st.Conflicts)
		keys := make([]string, 0, len(st.Stock))
		m := st.StockMap()
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(bw, "stock %-14s %d\n", k, m[k])
		}
	}
	fmt.Fprintf(bw, "\n[log: last %d lines of %s]\n", LogTail, filepath.Base(logPath))
	for _, line := range tail(logPath, LogTail) {
		fmt.Fprintln(bw, Scrub(line))
	}
	return bw.Flush()
}

// tail returns the last n lines of the file (and of its rotated
// predecessor when it is short), or none.
func tail(path string, n int) []string {
	var lines []string
	for _, p := range []string{path + ".1", path} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lines = append(lines, strings.Split(strings.TrimRight(string(b), "\n"), "\n")...)
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
