//go:build !unix

package sqlkittest

func setUmask(int) int { return 0 }
