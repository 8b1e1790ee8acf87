package auth

import (
	"errors"
	"time"
)

var (
	// ErrInvalid means the caller's input was refused (a malformed name, a
	// weak password, an unknown permission); the *Error says why.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound means the user, role, token or lockout does not exist in
	// the tenant.
	ErrNotFound = errors.New("not found")
	// ErrExists means a user or role of that name exists already (names of
	// users are compared without regard to case).
	ErrExists = errors.New("already exists")
	// ErrBadCredentials means a sign-in failed: unknown user or wrong
	// password, deliberately not told apart.
	ErrBadCredentials = errors.New("wrong username or password")
	// ErrLocked means sign-in is locked for the user or the client address
	// after repeated failures; *Error.RetryAfter says for how long.
	ErrLocked = errors.New("sign-in locked")
	// ErrDisabled means the user (or the user owning a token) is disabled.
	ErrDisabled = errors.New("user disabled")
	// ErrUnauthenticated means a session or API token is unknown, expired
	// or revoked: the caller must sign in again (HTTP 401).
	ErrUnauthenticated = errors.New("not signed in")
	// ErrForbidden means the principal lacks a permission or the site is
	// outside its data scope (HTTP 403); *Error names which.
	ErrForbidden = errors.New("forbidden")
	// ErrPasswordChange means the user must change the password before
	// anything else (a generated or reset password).
	ErrPasswordChange = errors.New("password change required")
	// ErrCSRF means a browser write came without the session's CSRF token.
	ErrCSRF = errors.New("missing or wrong CSRF token")
)

// Error is an error a person sees: the reason in English and Chinese, and
// what the HTTP layer needs to answer. errors.Is(err, Err) holds for its
// sentinel.
type Error struct {
	// Err is one of the sentinel errors above.
	Err error
	// Msg is the reason in English, MsgZH in Chinese.
	Msg, MsgZH string
	// Permission is the missing permission (ErrForbidden), Site the site
	// outside the scope (ErrForbidden).
	Permission Permission
	Site       string
	// RetryAfter is how long a lock lasts (ErrLocked).
	RetryAfter time.Duration
	// Delay is how long the caller should wait before answering a failed
	// sign-in (ErrBadCredentials, ErrLocked), so that guessing is slow. The
	// Service never sleeps itself.
	Delay time.Duration
}

// Error returns the sentinel's text and the English reason.
func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Msg
}

// ErrorZH returns the Chinese reason.
func (e *Error) ErrorZH() string { return e.MsgZH }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func newErr(sentinel error, msg, msgZH string) *Error {
	return &Error{Err: sentinel, Msg: msg, MsgZH: msgZH}
}

func invalid(msg, msgZH string) error { return newErr(ErrInvalid, msg, msgZH) }
