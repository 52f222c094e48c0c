package memstat

import (
	"os/exec"
	"runtime"
	"testing"
)

func TestOfSelfAndChild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/status is Linux's")
	}
	ballast := make([]byte, 64<<20)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	rss, peak, err := Of(0)
	if err != nil {
		t.Fatal(err)
	}
	if rss < 64<<20 || peak < rss {
		t.Errorf("Of(0) = rss %d, peak %d; want rss ≥ 64 MiB (the ballast) and peak ≥ rss", rss, peak)
	}
	if self := PeakSelf(); self < 64<<20 {
		t.Errorf("PeakSelf = %d, want ≥ 64 MiB", self)
	}
	runtime.KeepAlive(ballast)

	if _, _, err := Of(1 << 30); err == nil {
		t.Error("Of(no such process) gave no error")
	}
	cmd := exec.Command("sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	if _, peak, err := Of(cmd.Process.Pid); err != nil || peak <= 0 {
		t.Errorf("Of(child) = peak %d, %v", peak, err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if p := PeakOf(cmd.ProcessState); p <= 0 || p > PeakSelf() {
		t.Errorf("PeakOf(sleep) = %d, want > 0 and below this test's %d", p, PeakSelf())
	}
	if PeakOf(nil) != 0 {
		t.Error("PeakOf(nil) != 0")
	}
}

func TestFieldReadsStatusLines(t *testing.T) {
	for _, tc := range []struct {
		line string
		name string
		kib  int64
		ok   bool
	}{
		{"VmHWM:\t   81234 kB", "VmHWM:", 81234, true},
		{"VmRSS:        12 kB", "VmRSS:", 12, true},
		{"Threads:\t7", "", 0, false},
		{"VmRSS:   x kB", "VmRSS:", 0, false},
		{"VmRSS:   12 MB", "", 0, false},
	} {
		name, kib, ok := field([]byte(tc.line))
		if ok != tc.ok || (ok && (name != tc.name || kib != tc.kib)) {
			t.Errorf("field(%q) = %q, %d, %v; want %q, %d, %v", tc.line, name, kib, ok, tc.name, tc.kib, tc.ok)
		}
	}
}
