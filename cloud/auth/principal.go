package auth

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"slices"
)

// Principal is who makes a request: a user through a browser session, or
// an API token acting for its user. The HTTP layer gets one from
// AuthenticateSession or AuthenticateToken and passes it to every
// business call, which checks it with Can and CanSite.
type Principal struct {
	Tenant string
	UserID int64
	// User is the user's name.
	User string
	// TokenID is the API token in use, 0 for a session.
	TokenID int64
	// Addr is the client address of the request (set by the HTTP layer).
	Addr string
	// Scope is the sites the principal may see and change.
	Scope Scope
	// CSRF is the session's CSRF token (empty for a token).
	CSRF string
	// Roles are the user's roles (approval levels name them).
	Roles []string
	// MustChangePassword: every permission is refused until the user
	// changes the password.
	MustChangePassword bool

	perms   []Permission // sorted
	session []byte       // the session's hash, nil for a token
}

// System is the principal of the cloud itself: the bootstrap and the
// command line. It may do everything in its tenant.
func System(tenant, addr string) *Principal {
	return &Principal{Tenant: tenant, User: "system", Addr: addr, Scope: AllSites(),
		perms: builtinRoles[0].Permissions}
}

// Permissions returns the principal's permissions, sorted.
func (p *Principal) Permissions() []Permission { return slices.Clone(p.perms) }

func (p *Principal) has(perm Permission) bool {
	_, ok := slices.BinarySearch(p.perms, perm)
	return ok
}

// Can returns nil if the principal has perm. Otherwise an *Error wrapping
// ErrForbidden that names the missing permission in English and Chinese,
// or ErrPasswordChange when the user must change the password first.
func (p *Principal) Can(perm Permission) error {
	if p == nil {
		return newErr(ErrUnauthenticated, "sign in first", "请先登录")
	}
	if p.MustChangePassword {
		return newErr(ErrPasswordChange, "change your password first", "请先修改密码")
	}
	if p.has(perm) {
		return nil
	}
	e := newErr(ErrForbidden, fmt.Sprintf("you lack the permission %s (%s)", perm, describe(perm, false)),
		fmt.Sprintf("缺少权限 %s（%s）", perm, describe(perm, true)))
	e.Permission = perm
	return e
}

// CanSite returns nil if site is in the principal's data scope, otherwise
// an *Error wrapping ErrForbidden naming the site. Every write that
// touches a site calls it; lists, reports and stock filter by Scope.
func (p *Principal) CanSite(site string) error {
	if p == nil {
		return newErr(ErrUnauthenticated, "sign in first", "请先登录")
	}
	if p.Scope.Allows(site) {
		return nil
	}
	e := newErr(ErrForbidden, fmt.Sprintf("site %q is outside your data scope", site),
		fmt.Sprintf("站点 %q 不在您的数据范围内", site))
	e.Site = site
	return e
}

// CheckCSRF returns nil if header (the X-CSRF-Token of a browser write)
// equals the session's CSRF token, compared in constant time. A token
// principal needs none: API tokens are not sent by browsers on their own.
func CheckCSRF(p *Principal, header string) error {
	if p == nil {
		return newErr(ErrUnauthenticated, "sign in first", "请先登录")
	}
	if p.TokenID != 0 {
		return nil
	}
	if p.CSRF == "" || subtle.ConstantTimeCompare([]byte(p.CSRF), []byte(header)) != 1 {
		return newErr(ErrCSRF, "the request lacks the page's CSRF token; reload the page",
			"请求缺少页面的 CSRF 令牌，请刷新页面")
	}
	return nil
}

// NewAudit returns the audit entry of a write by p: before and after are
// the record as it was and is (nil when it did not or no longer exists),
// marshalled to JSON. The caller appends it with Tx.AppendAudit in the
// transaction of the write; At is set there by the Service or by the
// caller.
func NewAudit(p *Principal, action, recordType, recordID string, before, after any) (Audit, error) {
	a := Audit{Tenant: p.Tenant, UserID: p.UserID, User: p.User, TokenID: p.TokenID, Addr: p.Addr,
		Action: action, RecordType: recordType, RecordID: recordID}
	var err error
	if a.Before, err = marshalRecord(before); err != nil {
		return Audit{}, fmt.Errorf("audit %s: before: %w", action, err)
	}
	if a.After, err = marshalRecord(after); err != nil {
		return Audit{}, fmt.Errorf("audit %s: after: %w", action, err)
	}
	return a, nil
}

func marshalRecord(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(v)
}

func describe(perm Permission, zh bool) string {
	for _, p := range catalogue {
		if p.Name == perm {
			if zh {
				return p.DescZH
			}
			return p.Desc
		}
	}
	return string(perm)
}

// principalOf builds the principal of a user with the given roles.
func principalOf(u User, perms []Permission, addr string) *Principal {
	return &Principal{Tenant: u.Tenant, UserID: u.ID, User: u.Name, Addr: addr, Scope: u.Scope.normal(),
		MustChangePassword: u.MustChangePassword, perms: perms, Roles: u.Roles}
}
