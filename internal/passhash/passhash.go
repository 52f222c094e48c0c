// Package passhash keeps secrets people type (the console operators'
// passwords, the counter's manager PIN) as argon2id hashes in the PHC
// string format, "$argon2id$v=19$m=…,t=…,p=…$salt$hash": each hash
// carries its salt and parameters, so the parameters of new hashes can
// change without invalidating those already stored.
package passhash

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters of new hashes (OWASP's minimum for argon2id).
const (
	Time    = 2
	Memory  = 19 * 1024 // KiB
	Threads = 1
	KeyLen  = 32
)

// Hash returns the encoded argon2id hash of secret with salt (16 random
// bytes, or a fixed one for a dummy hash) and the parameters above. It
// takes about 19 MiB for as long as it runs.
func Hash(secret string, salt []byte) string {
	key := argon2.IDKey([]byte(secret), salt, Time, Memory, Threads, KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, Memory, Time, Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify checks secret against an encoded hash, in constant time; a
// malformed hash, or one with parameters out of bounds, matches nothing.
func Verify(encoded, secret string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
