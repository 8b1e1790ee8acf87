package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// HashParams are the argon2id parameters of new password hashes. A stored
// hash carries its own parameters, so changing these affects new hashes
// only (a user's hash is renewed at the next sign-in).
type HashParams struct {
	// Memory in KiB, Time the number of passes, Threads the parallelism.
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultHashParams are RFC 9106's second recommended option with two
// lanes: 64 MiB of memory, 3 passes, 2 threads. About 100 ms on one core
// of the development machine; every sign-in (also of an unknown user)
// costs that much, which is the point.
var DefaultHashParams = HashParams{Memory: 64 * 1024, Time: 3, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
	// maxMemory bounds the memory a stored hash may ask for (1 GiB), so a
	// corrupted row cannot exhaust the host.
	maxMemory = 1 << 20
	// MinPasswordLen is the least number of characters of a password.
	MinPasswordLen = 10
	// MaxPasswordLen is the most bytes of a password.
	MaxPasswordLen = 256
)

var errBadHash = errors.New("malformed password hash")

// HashPassword returns the argon2id hash of password with a new random
// 16-byte salt, as a PHC string:
//
//	$argon2id$v=19$m=65536,t=3,p=2$<salt, base64 without padding>$<32-byte key>
func HashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string hash, in
// time that does not depend on where they differ. A hash that is not an
// argon2id PHC string (or asks for more than 1 GiB) never matches. Stale
// reports whether the hash was made with other parameters than p, so the
// caller may store a new one.
func VerifyPassword(hash, password string, p HashParams) (ok, stale bool) {
	got, err := parseHash(hash)
	if err != nil {
		return false, false
	}
	key := argon2.IDKey([]byte(password), got.salt, got.p.Time, got.p.Memory, got.p.Threads, uint32(len(got.key)))
	ok = subtle.ConstantTimeCompare(key, got.key) == 1
	return ok, got.p != p || len(got.key) != keyLen
}

type parsedHash struct {
	p         HashParams
	salt, key []byte
}

func parseHash(s string) (parsedHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return parsedHash{}, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return parsedHash{}, errBadHash
	}
	var h parsedHash
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.p.Memory, &h.p.Time, &h.p.Threads); err != nil || n != 3 {
		return parsedHash{}, errBadHash
	}
	if h.p.Memory == 0 || h.p.Memory > maxMemory || h.p.Time == 0 || h.p.Time > 100 || h.p.Threads == 0 {
		return parsedHash{}, errBadHash
	}
	var err error
	b64 := base64.RawStdEncoding
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return parsedHash{}, errBadHash
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return parsedHash{}, errBadHash
	}
	return h, nil
}

// CheckPassword applies the password policy: at least MinPasswordLen
// characters and at most MaxPasswordLen bytes of valid UTF-8, not one
// character repeated, and not the username. The error (ErrInvalid) says
// what is wrong in English and Chinese.
func CheckPassword(password, username string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return invalid("the password is not valid UTF-8 text", "密码不是有效的 UTF-8 文本")
	case n < MinPasswordLen:
		return invalid(fmt.Sprintf("the password must have at least %d characters, it has %d", MinPasswordLen, n),
			fmt.Sprintf("密码至少需要 %d 个字符，当前为 %d 个", MinPasswordLen, n))
	case len(password) > MaxPasswordLen:
		return invalid(fmt.Sprintf("the password must have at most %d bytes", MaxPasswordLen),
			fmt.Sprintf("密码不能超过 %d 字节", MaxPasswordLen))
	case strings.Count(password, string([]rune(password)[:1])) == n:
		return invalid("the password must not be one character repeated", "密码不能是同一个字符的重复")
	case username != "" && strings.EqualFold(password, username):
		return invalid("the password must not be the username", "密码不能与用户名相同")
	}
	return nil
}

// GeneratePassword returns a random password of 16 characters from an
// alphabet without look-alikes (no 0/O, 1/l/I): about 90 bits.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	return randomString(alphabet, 16)
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[randIntN(len(alphabet))]
	}
	return string(b)
}
