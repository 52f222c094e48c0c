package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup/internal/memstat"
)

// The programs under test: TestMain builds them, run runs one to its end,
// spawn in the background (child). What the tests drive with them, the
// registry's and the terminals' folders, is in helpers_test.go.

// bin holds the programs TestMain builds without cgo.
var bin struct {
	pickup, registry string
}

// cmdTimeout bounds one command of a child process, so that a hang fails
// the test instead of the whole run (it is never an assertion).
const cmdTimeout = 3 * time.Minute

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pickup-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin.pickup = filepath.Join(dir, "pickup")
	bin.registry = filepath.Join(dir, "pickup-registry")
	err = buildAll(map[string]string{
		bin.pickup:   "github.com/pickup-terminal/pickup/app/cmd/pickup-cli",
		bin.registry: "github.com/pickup-terminal/pickup/sync/registry/cmd/pickup-registry",
	})
	code := 2
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	cleanupsMu.Lock()
	for _, f := range slices.Backward(cleanups) {
		f()
	}
	cleanupsMu.Unlock()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Process-wide clean-ups (fixtures shared by benchmarks), run by TestMain.
var (
	cleanupsMu sync.Mutex
	cleanups   []func()
)

func atExit(f func()) {
	cleanupsMu.Lock()
	cleanups = append(cleanups, f)
	cleanupsMu.Unlock()
}

// buildAll builds each package into its output path with CGO_ENABLED=0,
// in parallel.
func buildAll(targets map[string]string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	errs := make(chan error, len(targets))
	for out, pkg := range targets {
		go func() {
			cmd := exec.Command(goBin, "build", "-o", out, pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("build %s: %w\n%s", pkg, err, b)
				return
			}
			errs <- nil
		}()
	}
	var all []error
	for range targets {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// childEnv is the environment of every child: English messages, and no
// default data folders that could point outside the test's.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PICKUP_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PICKUP_LANG=en", "LANG=C.UTF-8")
}

// result is what a finished command printed and its exit code.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

// String describes the command for a failure message: its arguments with
// codes masked, its exit code and its standard error (which carries no
// names; standard output may, so it is left out).
func (r result) String() string {
	return fmt.Sprintf("%s: exit %d: %s", maskArgs(r.args), r.code, strings.TrimSpace(r.stderr))
}

// run runs a program to its end. It is safe from any goroutine.
func run(t testing.TB, program string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = childEnv()
	cmd.WaitDelay = 5 * time.Second
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	res := result{args: append([]string{filepath.Base(program)}, args...), stdout: so.String(), stderr: se.String()}
	// Errorf, not Fatalf: run may be called from other goroutines; a
	// command that could not run or did not end counts as failed (-1).
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Errorf("%s: no end after %s", maskArgs(res.args), cmdTimeout)
		res.code = -1
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Errorf("%s: %v", maskArgs(res.args), err)
		res.code = -1
	}
	return res
}

// child is a program running in the background (serve, `pickup run`, a
// command a test interrupts), with the children's environment; a
// goroutine waits for its end.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once it ended
	err    error         // what Wait returned, once exited is closed
}

// spawn starts argv in the background, its standard output and error to
// stdout and stderr (nil: discarded).
func spawn(t testing.TB, stdout, stderr io.Writer, argv ...string) *child {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", maskArgs(argv), err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{})}
	go func() { c.err = cmd.Wait(); close(c.exited) }()
	return c
}

// spawnLogged is spawn with both outputs appended to the file log.
func spawnLogged(t testing.TB, log string, argv ...string) *child {
	t.Helper()
	logf, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	return spawn(t, logf, logf, argv...)
}

// stopGrace is how long a process asked to stop may take before it is
// killed: a guard against a hang, not a timing.
const stopGrace = 30 * time.Second

// stop asks the process to end (SIGTERM) unless it already did, and waits
// for its end, killing it after stopGrace; it reports whether it ended
// without the kill.
func (c *child) stop() bool {
	select {
	case <-c.exited:
		return true
	default:
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		return true
	case <-time.After(stopGrace):
		c.kill()
		return false
	}
}

// kill ends the process at once (SIGKILL: a crash, a power cut) and
// waits for its end.
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.exited
}

// killed reports whether the ended process was ended by a signal rather
// than exiting by itself.
func (c *child) killed() bool { return !c.cmd.ProcessState.Exited() }

// maxRSS is the ended process's peak resident set, in bytes.
func (c *child) maxRSS() int64 { return memstat.PeakOf(c.cmd.ProcessState) }

// tail returns the last n bytes of a file, for a failure message.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		f.Seek(-n, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}
