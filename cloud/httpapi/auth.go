package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
)

// maxSignInDelay bounds the wait before answering a failed sign-in.
const maxSignInDelay = 10 * time.Second

// LoginInput is the body of POST /api/v1/auth/login.
type LoginInput struct {
	Body struct {
		Tenant   string `json:"tenant,omitempty" maxLength:"64" doc:"The tenant; the cloud's default tenant when empty."`
		Username string `json:"username" minLength:"1" maxLength:"64"`
		Password string `json:"password" minLength:"1" maxLength:"256"`
	}
}

// Me is who is signed in: the body of GET /api/v1/auth/me and of a
// successful sign-in.
type Me struct {
	Tenant      string            `json:"tenant"`
	User        string            `json:"user"`
	UserID      int64             `json:"user_id"`
	Permissions []auth.Permission `json:"permissions"`
	// Sites is the data scope.
	Sites auth.Scope `json:"sites"`
	// CSRFToken must be sent in the X-CSRF-Token header of every write
	// made with the session cookie (empty for an API token).
	CSRFToken          string `json:"csrf_token,omitempty"`
	MustChangePassword bool   `json:"must_change_password"`
}

// LoginOutput is the answer of a successful sign-in.
type LoginOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      Me
}

// MeOutput is the answer of GET /api/v1/auth/me.
type MeOutput struct{ Body Me }

func meOf(p *auth.Principal) Me {
	perms := p.Permissions()
	if perms == nil {
		perms = []auth.Permission{}
	}
	return Me{Tenant: p.Tenant, User: p.User, UserID: p.UserID, Permissions: perms, Sites: p.Scope,
		CSRFToken: p.CSRF, MustChangePassword: p.MustChangePassword}
}

// sessionCookie is the cookie holding token until expires (the zero time
// and an empty token delete it).
func sessionCookie(token string, expires time.Time, tls bool) http.Cookie {
	c := http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: tls, Expires: expires}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

type requestKey struct{}

func (s *Server) login(ctx context.Context, in *LoginInput) (*LoginOutput, error) {
	r := ctx.Value(requestKey{}).(*http.Request)
	tenant := in.Body.Tenant
	if tenant == "" {
		tenant = s.opts.DefaultTenant
	}
	addr := clientAddr(r)
	si, err := s.auth.SignIn(ctx, tenant, in.Body.Username, in.Body.Password, addr)
	if err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) {
			sleep(ctx, min(ae.Delay, maxSignInDelay))
		}
		return nil, err
	}
	p, err := s.auth.AuthenticateSession(ctx, si.Token, addr)
	if err != nil {
		return nil, err
	}
	return &LoginOutput{SetCookie: sessionCookie(si.Token, si.Expires, r.TLS != nil), Body: meOf(p)}, nil
}

// LogoutInput is the (empty) request of POST /api/v1/auth/logout.
type LogoutInput struct{}

// LogoutOutput deletes the session cookie.
type LogoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (s *Server) logout(ctx context.Context, _ *LogoutInput) (*LogoutOutput, error) {
	r := ctx.Value(requestKey{}).(*http.Request)
	if c, err := r.Cookie(SessionCookie); err == nil && principalOf(ctx).TokenID == 0 {
		if err := s.auth.SignOut(ctx, c.Value); err != nil {
			return nil, err
		}
	}
	return &LogoutOutput{SetCookie: sessionCookie("", time.Time{}, r.TLS != nil)}, nil
}

func (s *Server) me(ctx context.Context, _ *struct{}) (*MeOutput, error) {
	return &MeOutput{Body: meOf(principalOf(ctx))}, nil
}

// PasswordInput is the body of POST /api/v1/auth/password.
type PasswordInput struct {
	Body struct {
		OldPassword string `json:"old_password" minLength:"1" maxLength:"256"`
		NewPassword string `json:"new_password" minLength:"1" maxLength:"256"`
	}
}

func (s *Server) changePassword(ctx context.Context, in *PasswordInput) (*struct{}, error) {
	if err := s.auth.ChangePassword(ctx, principalOf(ctx), in.Body.OldPassword, in.Body.NewPassword); err != nil {
		return nil, err
	}
	return nil, nil
}
