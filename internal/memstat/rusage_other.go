//go:build !unix

package memstat

import "os"

// PeakOf returns 0: rusage is a Unix figure.
func PeakOf(*os.ProcessState) int64 { return 0 }

// PeakSelf returns 0: rusage is a Unix figure.
func PeakSelf() int64 { return 0 }
