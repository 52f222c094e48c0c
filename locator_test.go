package pickup

import "testing"

func TestLocatorHash(t *testing.T) {
	t.Parallel()
	k1, k2 := make([]byte, LocatorKeySize), make([]byte, LocatorKeySize)
	k2[0] = 1
	a, b := Code("7KQ4M2XD9PZCH3W8"), Code("7KQ4M2XD9PZCH3W9")
	h := NewLocatorHasher(k1)
	if h.Hash(a) != LocatorHash(k1, a) || h.Hash(b) != NewLocatorHasher(k1).Hash(b) {
		t.Error("the hash of a code is not stable")
	}
	if h.Hash(a) == h.Hash(b) || LocatorHash(k1, a) == LocatorHash(k2, a) {
		t.Error("two codes, or two keys, give one hash")
	}
}
