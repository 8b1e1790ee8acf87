// Package password hashes and verifies passwords with argon2id, as PHC
// strings. The cloud hashes its users' passwords with it (cloud/auth) and
// publishes the hashes to the sites' agents, which verify them with the
// same code to sign users in while offline.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id parameters of new hashes. A stored hash carries
// its own parameters, so changing these affects new hashes only.
type Params struct {
	// Memory in KiB, Time the number of passes, Threads the parallelism.
	Memory  uint32
	Time    uint32
	Threads uint8
}

// Default are RFC 9106's second recommended option with two lanes: 64 MiB
// of memory, 3 passes, 2 threads. About 100 ms on one core of the
// development machine; every check (also of an unknown user) costs that
// much, which is the point.
var Default = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
	// maxMemory bounds the memory a stored hash may ask for (1 GiB), so a
	// corrupted row cannot exhaust the host.
	maxMemory = 1 << 20
)

var errBadHash = errors.New("malformed password hash")

// Hash returns the argon2id hash of password with a new random 16-byte
// salt, as a PHC string:
//
//	$argon2id$v=19$m=65536,t=3,p=2$<salt, base64 without padding>$<32-byte key>
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string hash, in time
// that does not depend on where they differ. A hash that is not an
// argon2id PHC string (or asks for more than 1 GiB) never matches. Stale
// reports whether the hash was made with other parameters than p, so the
// caller may store a new one.
func Verify(hash, password string, p Params) (ok, stale bool) {
	got, err := parse(hash)
	if err != nil {
		return false, false
	}
	key := argon2.IDKey([]byte(password), got.salt, got.p.Time, got.p.Memory, got.p.Threads, uint32(len(got.key)))
	ok = subtle.ConstantTimeCompare(key, got.key) == 1
	return ok, got.p != p || len(got.key) != keyLen
}

type parsed struct {
	p         Params
	salt, key []byte
}

func parse(s string) (parsed, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return parsed{}, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return parsed{}, errBadHash
	}
	var h parsed
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.p.Memory, &h.p.Time, &h.p.Threads); err != nil || n != 3 {
		return parsed{}, errBadHash
	}
	if h.p.Memory == 0 || h.p.Memory > maxMemory || h.p.Time == 0 || h.p.Time > 100 || h.p.Threads == 0 {
		return parsed{}, errBadHash
	}
	var err error
	b64 := base64.RawStdEncoding
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return parsed{}, errBadHash
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return parsed{}, errBadHash
	}
	return h, nil
}
