package passhash

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	t.Parallel()
	enc := Hash("correct horse", []byte("0123456789abcdef"))
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash = %q, want the PHC string of argon2id with the parameters", enc)
	}
	if other := Hash("correct horse", []byte("fedcba9876543210")); other == enc {
		t.Errorf("two salts give the same hash %q", enc)
	}
	parts := strings.Split(enc, "$")
	tests := []struct {
		name, encoded, secret string
		want                  bool
	}{
		{"right secret", enc, "correct horse", true},
		{"wrong secret", enc, "correct horsf", false},
		{"empty secret", enc, "", false},
		{"not a hash", "plain text", "correct horse", false},
		{"argon2i", strings.Replace(enc, "argon2id", "argon2i", 1), "correct horse", false},
		{"other version", strings.Replace(enc, "v=19", "v=16", 1), "correct horse", false},
		{"memory 0", strings.Replace(enc, "m=19456", "m=0", 1), "correct horse", false},
		{"memory too large", strings.Replace(enc, "m=19456", "m=2000000", 1), "correct horse", false},
		{"too many passes", strings.Replace(enc, "t=2", "t=17", 1), "correct horse", false},
		{"salt not base64", strings.Join(append(parts[:4:4], "!!", parts[5]), "$"), "correct horse", false},
		{"key too short", strings.Join(append(parts[:5:5], parts[5][:8]), "$"), "correct horse", false},
	}
	for _, tc := range tests {
		if got := Verify(tc.encoded, tc.secret); got != tc.want {
			t.Errorf("%s: Verify(%q) = %v, want %v", tc.name, tc.encoded, got, tc.want)
		}
	}
}
