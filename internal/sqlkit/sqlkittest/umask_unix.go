//go:build unix

package sqlkittest

import "syscall"

func setUmask(m int) int { return syscall.Umask(m) }
