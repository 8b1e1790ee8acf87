package password_test

import (
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/internal/password"
)

func TestHashVerify(t *testing.T) {
	cheap := password.Params{Memory: 1024, Time: 1, Threads: 1}
	h, err := password.Hash("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	tests := []struct {
		name      string
		hash, pw  string
		p         password.Params
		ok, stale bool
	}{
		{"right", h, "correct horse", cheap, true, false},
		{"wrong", h, "correct horsE", cheap, false, false},
		{"other params", h, "correct horse", password.Default, true, true},
		{"not a hash", "plain", "plain", cheap, false, false},
		{"too much memory", strings.Replace(h, "m=1024", "m=2000000", 1), "correct horse", cheap, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, stale := password.Verify(tt.hash, tt.pw, tt.p)
			if ok != tt.ok || stale != tt.stale {
				t.Errorf("Verify = %v, %v; want %v, %v", ok, stale, tt.ok, tt.stale)
			}
		})
	}
}
