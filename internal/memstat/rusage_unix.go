//go:build unix

package memstat

import (
	"os"
	"runtime"
	"syscall"
)

// PeakOf returns the peak resident set of the ended process ps, in bytes;
// 0 when it is not known.
func PeakOf(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	return maxrss(ru)
}

// PeakSelf returns this process's peak resident set so far, in bytes; 0
// when it is not known.
func PeakSelf() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return maxrss(&ru)
}

// maxrss is ru_maxrss in bytes: Linux and the BSDs count it in KiB, macOS
// in bytes.
func maxrss(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) << 10
}
