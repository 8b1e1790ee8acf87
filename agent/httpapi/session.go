package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/agent/session"
	"github.com/jxc-edge/jxc/internal/password"
)

// Sign-in rules.
const (
	// DefaultSessionIdle ends a session unused for this long (sliding:
	// every request renews it).
	DefaultSessionIdle = 12 * time.Hour
	// MaxSignInFailures failed sign-ins of one user within
	// SignInFailureWindow lock the user out of this agent for LockoutFor.
	MaxSignInFailures   = 5
	SignInFailureWindow = 15 * time.Minute
	LockoutFor          = 15 * time.Minute
)

// SignInRequest is the body of POST /api/v1/session.
type SignInRequest struct {
	User     string `json:"user" minLength:"1" maxLength:"128" doc:"The user name, as in the console."`
	Password string `json:"password" minLength:"1" maxLength:"256"`
}

// SessionUser is the signed-in user (or the device) as the API shows it.
type SessionUser struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name"`
	Permissions []string `json:"permissions" doc:"module.action, as the user's roles in the cloud give them."`
	// MaxDiscountPercent is the largest discount the user may give at the
	// till, in percent (the largest of their roles').
	MaxDiscountPercent int32 `json:"max_discount_percent" minimum:"0" maximum:"100"`
	Device             bool  `json:"device,omitempty" doc:"The caller is a device token, not a person."`
}

// SessionResponse is the body of GET /api/v1/session, and of POST with
// the token.
type SessionResponse struct {
	// Token is the bearer token of the new session (POST only).
	Token string      `json:"token,omitempty" doc:"Send as Authorization: Bearer <token>. Only in the answer to POST."`
	User  SessionUser `json:"user"`
	// ExpiresAt is when the session ends unless used before (each use
	// renews it); absent for a device.
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the session ends if not used before; every request renews it."`
	// MustChangePassword says the user holds a one-time password: they
	// may work at the agent, and change it at the console.
	MustChangePassword bool `json:"must_change_password,omitempty" doc:"The password is a one-time one: change it at the console (the agent cannot)."`
}

type sessionOutput struct{ Body SessionResponse }

func (s *Server) registerSession() {
	tags := []string{"session 登录"}
	Register(s, huma.Operation{OperationID: "sign-in", Method: http.MethodPost, Path: "/api/v1/session",
		Summary: "Sign in 登录", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{400, 401, 403, 429, 503},
		Description: "Checks the password against the users the cloud publishes to this site (works offline). " +
			"A wrong user or password is 401 without saying which; a disabled user 403; after " +
			fmt.Sprint(MaxSignInFailures) + " failures within 15 minutes the user is locked out of this agent for 15 minutes (429 with locked_until)."},
		AccessOpen, s.signIn)
	Register(s, huma.Operation{OperationID: "session", Method: http.MethodGet, Path: "/api/v1/session",
		Summary: "The caller 当前用户", Tags: tags}, AccessCaller,
		func(ctx context.Context, _ *struct{}) (*sessionOutput, error) {
			u, _ := session.From(ctx)
			out := &sessionOutput{Body: SessionResponse{User: showUser(u)}}
			if !u.Device {
				out.Body.ExpiresAt = s.expiry(s.opts.Now())
				if rec, ok, err := s.opts.Auth.SiteUser(ctx, u.Name); err == nil && ok {
					out.Body.MustChangePassword = rec.GetMustChangePassword()
				}
			}
			return out, nil
		})
	Register(s, huma.Operation{OperationID: "sign-out", Method: http.MethodDelete, Path: "/api/v1/session",
		Summary: "Sign out 退出登录", Tags: tags, DefaultStatus: http.StatusNoContent}, AccessUser,
		func(ctx context.Context, _ *struct{}) (*struct{}, error) {
			tok, err := bearer(requestOf(ctx))
			if err != nil {
				return nil, err
			}
			return nil, s.opts.Auth.DeleteSession(ctx, HashToken(tok))
		})
}

func showUser(u *session.User) SessionUser {
	perms := u.Permissions
	if perms == nil {
		perms = []string{}
	}
	return SessionUser{Name: u.Name, DisplayName: u.DisplayName, Permissions: perms, MaxDiscountPercent: u.MaxDiscountPercent, Device: u.Device}
}

func (s *Server) expiry(from time.Time) *time.Time {
	t := from.Add(s.opts.SessionIdle).UTC().Truncate(time.Second)
	return &t
}

// dummyHash is verified against for a user the agent does not know, so
// that a wrong name costs as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash("jxc-agent: no such user", password.Default)
	return h
})

// signIn checks a user's password against the site's user records and
// opens a session.
func (s *Server) signIn(ctx context.Context, in *struct{ Body SignInRequest }) (*sessionOutput, error) {
	a := s.opts.Auth
	if a == nil {
		return nil, errNoAuth
	}
	name, now := in.Body.User, s.opts.Now()
	until, err := a.LockedUntil(ctx, name, now)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	if !until.IsZero() {
		return nil, locked(until, now)
	}
	rec, found, err := a.SiteUser(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	hash := dummyHash()
	if found {
		hash = rec.GetPasswordHash()
	}
	if ok, _ := password.Verify(hash, in.Body.Password, password.Default); !ok || !found {
		until, err := a.SignInFailed(ctx, name, now, SignInFailureWindow, MaxSignInFailures, LockoutFor)
		if err != nil {
			return nil, fmt.Errorf("sign in: %w", err)
		}
		if !until.IsZero() {
			return nil, locked(until, now)
		}
		return nil, &Error{status: http.StatusUnauthorized, Code: "bad_credentials",
			Message:   "wrong user name or password",
			MessageZH: "用户名或密码错误"}
	}
	if err := a.SignInSucceeded(ctx, name); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	if rec.GetDisabled() {
		return nil, &Error{status: http.StatusForbidden, Code: "disabled",
			Message:   fmt.Sprintf("user %q is disabled", name),
			MessageZH: fmt.Sprintf("用户 %q 已停用", name)}
	}
	tok := newToken(SessionTokenPrefix)
	if err := a.CreateSession(ctx, HashToken(tok), name, now); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	s.log.Info("signed in", "user", name)
	return &sessionOutput{Body: SessionResponse{Token: tok, User: showUser(sessionUser(name, rec)),
		ExpiresAt: s.expiry(now), MustChangePassword: rec.GetMustChangePassword()}}, nil
}

// locked is the answer to a sign-in of a locked-out user.
func locked(until, now time.Time) *Error {
	u := until.UTC().Truncate(time.Second)
	local := u.Format(time.RFC3339)
	return &Error{status: http.StatusTooManyRequests, Code: "locked", LockedUntil: &u, retryAfter: until.Sub(now),
		Message:   fmt.Sprintf("too many failed sign-ins: this user is locked out of this agent until %s", local),
		MessageZH: fmt.Sprintf("登录失败次数过多，该用户在本节点被锁定至 %s", local)}
}
