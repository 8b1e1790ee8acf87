package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/agent/session"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// AuthStore keeps what signing in at the agent needs, in the agent's
// database so that a restart keeps users signed in (agent/sqlite's
// AuthStore). Tokens are kept only as their SHA-256.
type AuthStore interface {
	// SiteUser returns the user record the cloud published for name
	// (master record of kind user); found is false when there is none or
	// it was deleted.
	SiteUser(ctx context.Context, name string) (u *pb.UserRecord, found bool, err error)
	// CreateSession stores a session of user, last used now.
	CreateSession(ctx context.Context, hash [32]byte, user string, now time.Time) error
	// Session returns the user of the session and marks it used now;
	// found is false when there is none or it was last used more than
	// idle before now (it is then deleted).
	Session(ctx context.Context, hash [32]byte, now time.Time, idle time.Duration) (user string, found bool, err error)
	// DeleteSession ends a session; ending one that is gone is no error.
	DeleteSession(ctx context.Context, hash [32]byte) error
	// DeleteSessions ends every session of user.
	DeleteSessions(ctx context.Context, user string) error
	// DeviceToken returns the name of the device token; found is false
	// when there is none (never made, or revoked).
	DeviceToken(ctx context.Context, hash [32]byte) (name string, found bool, err error)
	// SignInFailed counts a failed sign-in of user at now: failures more
	// than window apart start the count again; the max-th within window
	// locks the user until now+lockFor, which is returned (zero when not
	// locked).
	SignInFailed(ctx context.Context, user string, now time.Time, window time.Duration, max int, lockFor time.Duration) (time.Time, error)
	// LockedUntil returns until when user is locked out, zero when not
	// locked at now.
	LockedUntil(ctx context.Context, user string, now time.Time) (time.Time, error)
	// SignInSucceeded clears user's failures.
	SignInSucceeded(ctx context.Context, user string) error
}

// Token prefixes: a session token is "jxcs_…", a device token made by
// NewDeviceToken "jxcd_…"; both carry 256 random bits.
const (
	SessionTokenPrefix = "jxcs_"
	DeviceTokenPrefix  = "jxcd_"
)

// newToken returns prefix followed by 32 random bytes in base64url.
func newToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// NewDeviceToken returns a new random device token.
func NewDeviceToken() string { return newToken(DeviceTokenPrefix) }

// HashToken returns the SHA-256 of a token, as stores keep it. The
// tokens are random (256 bits), so a fast hash is enough.
func HashToken(tok string) [32]byte { return sha256.Sum256([]byte(tok)) }

var (
	// errUnauthenticated answers a request that needs a caller and has
	// none.
	errUnauthenticated = &Error{status: http.StatusUnauthorized, Code: "unauthenticated",
		Message:   "sign in first (POST /api/v1/session) or send a device token: Authorization: Bearer …",
		MessageZH: "请先登录（POST /api/v1/session），或在 Authorization: Bearer … 中提供设备令牌"}
	// errBadToken answers a token that names no session or device.
	errBadToken = &Error{status: http.StatusUnauthorized, Code: "unauthenticated",
		Message:   "the token is not valid (signed out, expired or revoked): sign in again",
		MessageZH: "令牌无效（已退出、已过期或已吊销），请重新登录"}
	// errNotDevice answers a device calling what only a person may.
	errNotDevice = &Error{status: http.StatusForbidden, Code: "user_only",
		Message:   "only a signed-in user may do this, not a device token",
		MessageZH: "只有登录的用户可以执行此操作，设备令牌不可以"}
	// errNoAuth answers sign-in on an agent without an AuthStore.
	errNoAuth = &Error{status: http.StatusServiceUnavailable, Code: "no_sign_in",
		Message:   "this agent keeps no users: use a device token",
		MessageZH: "该节点不保存用户，请使用设备令牌"}
)

// bearer returns the token of r's Authorization header, "" when it has
// none; a header of another scheme is an error.
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", nil
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", &Error{status: http.StatusUnauthorized, Code: "unauthenticated",
			Message:   "the Authorization header must be Bearer <token>",
			MessageZH: "Authorization 请求头须为 Bearer <令牌>"}
	}
	return strings.TrimSpace(tok), nil
}

// authenticate returns the caller of r: nil without an Authorization
// header, a device for a device token, the signed-in user for a session
// token (read afresh from the site's users, so that a user disabled or
// removed in the cloud is signed out at once). A token that is none of
// them is an error.
func (s *Server) authenticate(r *http.Request) (*session.User, error) {
	tok, err := bearer(r)
	if tok == "" || err != nil {
		return nil, err
	}
	h := HashToken(tok)
	if name, ok := s.devTokens[h]; ok {
		return &session.User{Name: name, DisplayName: name, Device: true}, nil
	}
	if s.opts.Auth == nil {
		return nil, errBadToken
	}
	ctx := r.Context()
	if !strings.HasPrefix(tok, SessionTokenPrefix) {
		name, ok, err := s.opts.Auth.DeviceToken(ctx, h)
		switch {
		case err != nil:
			return nil, fmt.Errorf("device token: %w", err)
		case !ok:
			return nil, errBadToken
		}
		return &session.User{Name: name, DisplayName: name, Device: true}, nil
	}
	name, ok, err := s.opts.Auth.Session(ctx, h, s.opts.Now(), s.opts.SessionIdle)
	switch {
	case err != nil:
		return nil, fmt.Errorf("session: %w", err)
	case !ok:
		return nil, errBadToken
	}
	rec, found, err := s.opts.Auth.SiteUser(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("session user: %w", err)
	}
	if !found || rec.GetDisabled() {
		if err := s.opts.Auth.DeleteSession(ctx, h); err != nil {
			return nil, fmt.Errorf("end session: %w", err)
		}
		return nil, &Error{status: http.StatusUnauthorized, Code: "unauthenticated",
			Message:   fmt.Sprintf("user %q was disabled or removed from this site: the session has ended", name),
			MessageZH: fmt.Sprintf("用户 %q 已停用或已不属于本站点，会话已结束", name)}
	}
	return sessionUser(name, rec), nil
}

func sessionUser(name string, rec *pb.UserRecord) *session.User {
	perms := rec.GetPermissions()
	if perms == nil {
		perms = []string{}
	}
	dn := rec.GetDisplayName()
	if dn == "" {
		dn = name
	}
	return &session.User{Name: name, DisplayName: dn, Permissions: perms, MaxDiscountPercent: rec.GetMaxDiscountPercent()}
}

func withCaller(ctx huma.Context, u *session.User) huma.Context {
	return huma.WithContext(ctx, session.With(ctx.Context(), u))
}

// Require returns nil when the caller of ctx may use perm ("retail.edit"):
// a signed-in user holding it, or a device (device tokens are made on the
// agent's host by its administrator and act for the site). Otherwise it
// returns the error to answer: 401 without a caller, 403 naming the
// permission. Handlers return it as it is:
//
//	if err := httpapi.Require(ctx, "retail.edit"); err != nil {
//		return nil, err
//	}
func Require(ctx context.Context, perm string) error {
	u, ok := session.From(ctx)
	switch {
	case !ok:
		return errUnauthenticated
	case u.Device || u.Can(perm):
		return nil
	}
	return &Error{status: http.StatusForbidden, Code: "forbidden", Permission: perm,
		Message:   fmt.Sprintf("user %q lacks the permission %s", u.Name, perm),
		MessageZH: fmt.Sprintf("用户 %q 没有权限 %s", u.Name, perm)}
}

// Caller returns the caller of ctx, nil when there is none (an open
// read without credentials).
func Caller(ctx context.Context) *session.User {
	u, _ := session.From(ctx)
	return u
}
