package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
)

// Session tokens and API tokens are random secrets of which only the
// SHA-256 is stored: a copy of the database does not let anyone sign in.
// SHA-256 suffices (no slow hash) because the secrets have 256 bits of
// entropy; there is nothing to guess.

const (
	// tokenPrefix starts every API token, so that secret scanners and
	// people recognise one.
	tokenPrefix = "jxc_"
	// prefixLen is the length of an API token's public prefix, the part
	// shown in lists to tell tokens apart.
	prefixLen = 8
)

// newSecret returns 32 random bytes, base64url without padding (43
// characters).
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand.Read never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret returns the SHA-256 of a session or API token: what the store
// keeps and looks up.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// newAPIToken returns a new API token "jxc_<prefix>_<secret>" and its
// prefix. The prefix is 8 lowercase letters and digits.
func newAPIToken() (token, prefix string) {
	prefix = randomString("abcdefghijklmnopqrstuvwxyz0123456789", prefixLen)
	return tokenPrefix + prefix + "_" + newSecret(), prefix
}

// IsAPIToken reports whether s has the form of an API token (not whether
// it is valid): the HTTP layer uses it to tell a bearer token from a
// session.
func IsAPIToken(s string) bool {
	rest, ok := strings.CutPrefix(s, tokenPrefix)
	return ok && len(rest) == prefixLen+1+43 && rest[prefixLen] == '_'
}

func randIntN(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}
