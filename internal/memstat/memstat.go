// Package memstat reads the memory figures the benchmarks report: the
// resident set and its peak of a running process (/proc/PID/status), and
// the peak of an ended process or of this one (rusage). Three benchmarks
// read them (the window's, the registry's attacks, the end-to-end ones);
// the figures are Linux's, as on the counters and the registry's server.
package memstat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Of returns the resident set and its peak so far (VmRSS, VmHWM) of the
// running process pid, 0 for this one, in bytes.
func Of(pid int) (rss, peak int64, err error) {
	path := "/proc/self/status"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/status"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("memory of process %d: %w", pid, err)
	}
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, kib, ok := field(sc.Bytes())
		switch {
		case !ok:
		case name == "VmRSS:":
			rss, found = kib<<10, found+1
		case name == "VmHWM:":
			peak, found = kib<<10, found+1
		}
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("memory of process %d: no VmRSS and VmHWM in %s", pid, path)
	}
	return rss, peak, nil
}

// field reads a "Name:   1234 kB" line of /proc/PID/status.
func field(line []byte) (string, int64, bool) {
	f := bytes.Fields(line)
	if len(f) != 3 || string(f[2]) != "kB" {
		return "", 0, false
	}
	n, err := strconv.ParseInt(string(f[1]), 10, 64)
	return string(f[0]), n, err == nil
}
