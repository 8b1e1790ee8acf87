package auth

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jxc-edge/jxc/internal/password"
)

// HashParams are the argon2id parameters of new password hashes
// (internal/password, shared with the agents, which verify the hashes the
// cloud publishes). A stored hash carries its own parameters, so changing
// these affects new hashes only (a user's hash is renewed at the next
// sign-in).
type HashParams = password.Params

// DefaultHashParams are password.Default: 64 MiB of memory, 3 passes, 2
// threads.
var DefaultHashParams = password.Default

const (
	// MinPasswordLen is the least number of characters of a password.
	MinPasswordLen = 10
	// MaxPasswordLen is the most bytes of a password.
	MaxPasswordLen = 256
)

// HashPassword returns the argon2id PHC string of pw (password.Hash).
func HashPassword(pw string, p HashParams) (string, error) { return password.Hash(pw, p) }

// VerifyPassword reports whether pw matches hash and whether the hash
// was made with other parameters than p (password.Verify).
func VerifyPassword(hash, pw string, p HashParams) (ok, stale bool) {
	return password.Verify(hash, pw, p)
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
