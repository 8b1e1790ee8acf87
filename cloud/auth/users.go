package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// NewUser is what CreateUser needs.
type NewUser struct {
	Name        string
	DisplayName string
	// Password is the first password; empty to generate one. Either way
	// the user must change it at the first sign-in.
	Password string
	Roles    []string
	Scope    Scope
}

// UserChange changes a user; nil fields stay as they are.
type UserChange struct {
	DisplayName *string
	Roles       *[]string
	Scope       *Scope
	Disabled    *bool
}

// checkGrant refuses to let p give roles or a scope beyond its own: every
// permission of every role must be p's, and the scope within p's. Unknown
// roles are ErrInvalid.
func (s *Service) checkGrant(ctx context.Context, r Reader, p *Principal, roles []string, scope Scope) error {
	for _, name := range roles {
		role, err := s.role(ctx, r, p.Tenant, name)
		if errors.Is(err, ErrNotFound) {
			return invalid("no role named "+quote(name), "没有名为 "+quote(name)+" 的角色")
		} else if err != nil {
			return err
		}
		for _, perm := range role.Permissions {
			if !p.has(perm) {
				e := newErr(ErrForbidden, fmt.Sprintf("you cannot grant the role %s: it has %s, which you lack", name, perm),
					fmt.Sprintf("不能授予角色 %s：它包含您没有的权限 %s", name, perm))
				e.Permission = perm
				return e
			}
		}
	}
	if !p.Scope.Covers(scope) {
		return newErr(ErrForbidden, "you cannot grant sites outside your own data scope", "不能授予超出您数据范围的站点")
	}
	return nil
}

// checkManage refuses to let p manage a user who can do more than p, or
// sees sites p does not.
func (s *Service) checkManage(ctx context.Context, r Reader, p *Principal, u User) error {
	if err := s.checkGrant(ctx, r, p, u.Roles, u.Scope); err != nil {
		if errors.Is(err, ErrForbidden) {
			return newErr(ErrForbidden, "you cannot manage "+quote(u.Name)+": that user has permissions or sites you lack",
				"不能管理用户 "+quote(u.Name)+"：该用户拥有您没有的权限或站点")
		}
		return err
	}
	return nil
}

func cleanRoles(roles []string) []string {
	out := slices.Clone(roles)
	slices.Sort(out)
	return slices.Compact(out)
}

// CreateUser makes a user of p's tenant (permission user.edit). p may give
// only roles and sites it has itself (ErrForbidden). It returns the user
// and, when nu.Password was empty, the generated password to show once.
func (s *Service) CreateUser(ctx context.Context, p *Principal, nu NewUser) (User, string, error) {
	if err := p.Can("user.edit"); err != nil {
		return User{}, "", err
	}
	if err := CheckUserName(nu.Name); err != nil {
		return User{}, "", err
	}
	generated := ""
	if nu.Password == "" {
		nu.Password = GeneratePassword()
		generated = nu.Password
	} else if err := CheckPassword(nu.Password, nu.Name); err != nil {
		return User{}, "", err
	}
	hash, err := HashPassword(nu.Password, s.opts.Hash)
	if err != nil {
		return User{}, "", err
	}
	now := s.now()
	u := User{Tenant: p.Tenant, Name: nu.Name, DisplayName: nu.DisplayName, PasswordHash: hash, MustChangePassword: true,
		Roles: cleanRoles(nu.Roles), Scope: nu.Scope.normal(), Created: now, Updated: now}
	err = s.tx(ctx, func(tx Tx) error {
		if err := s.checkGrant(ctx, tx, p, u.Roles, u.Scope); err != nil {
			return err
		}
		var err error
		if u.ID, err = tx.CreateUser(ctx, u); err != nil {
			if errors.Is(err, ErrExists) {
				return newErr(ErrExists, "a user named "+quote(u.Name)+" exists already", "用户 "+quote(u.Name)+" 已存在")
			}
			return err
		}
		if err := s.publishUser(ctx, tx, nil, &u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, "user.create", "user", id(u.ID), nil, u)
	})
	if err != nil {
		return User{}, "", fmt.Errorf("create user: %w", err)
	}
	return u, generated, nil
}

// User returns a user of p's tenant (permission user.view, or p itself).
func (s *Service) User(ctx context.Context, p *Principal, userID int64) (User, error) {
	if userID != p.UserID || p.UserID == 0 {
		if err := p.Can("user.view"); err != nil {
			return User{}, err
		}
	}
	return s.store.User(ctx, p.Tenant, userID)
}

// Users returns the users of p's tenant (permission user.view).
func (s *Service) Users(ctx context.Context, p *Principal) ([]User, error) {
	if err := p.Can("user.view"); err != nil {
		return nil, err
	}
	return s.store.Users(ctx, p.Tenant)
}

// UpdateUser changes a user (permission user.edit), within what p may
// manage and grant. No one can disable themselves or take the last
// enabled administrator's role away. Disabling a user ends their sessions.
func (s *Service) UpdateUser(ctx context.Context, p *Principal, userID int64, c UserChange) (User, error) {
	if err := p.Can("user.edit"); err != nil {
		return User{}, err
	}
	var after User
	err := s.tx(ctx, func(tx Tx) error {
		before, err := tx.User(ctx, p.Tenant, userID)
		if err != nil {
			return err
		}
		if err := s.checkManage(ctx, tx, p, before); err != nil {
			return err
		}
		after = before
		if c.DisplayName != nil {
			after.DisplayName = *c.DisplayName
		}
		if c.Roles != nil {
			after.Roles = cleanRoles(*c.Roles)
		}
		if c.Scope != nil {
			after.Scope = c.Scope.normal()
		}
		if c.Disabled != nil {
			if *c.Disabled && userID == p.UserID {
				return invalid("you cannot disable yourself", "不能停用自己")
			}
			after.Disabled = *c.Disabled
		}
		if err := s.checkGrant(ctx, tx, p, after.Roles, after.Scope); err != nil {
			return err
		}
		if err := s.keepAnAdmin(ctx, tx, before, after); err != nil {
			return err
		}
		after.Updated = s.now()
		if err := tx.UpdateUser(ctx, after); err != nil {
			return err
		}
		if after.Disabled && !before.Disabled {
			if err := tx.DeleteUserSessions(ctx, p.Tenant, userID, nil); err != nil {
				return err
			}
		}
		if err := s.publishUser(ctx, tx, &before, &after); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, after.Updated, "user.update", "user", id(userID), before, after)
	})
	if err != nil {
		return User{}, fmt.Errorf("update user: %w", err)
	}
	return after, nil
}

func isAdmin(u User) bool { return !u.Disabled && slices.Contains(u.Roles, RoleAdministrator) }

// keepAnAdmin refuses a change that leaves the tenant without an enabled
// administrator.
func (s *Service) keepAnAdmin(ctx context.Context, tx Tx, before, after User) error {
	if !isAdmin(before) || isAdmin(after) {
		return nil
	}
	users, err := tx.Users(ctx, before.Tenant)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ID != before.ID && isAdmin(u) {
			return nil
		}
	}
	return invalid("the tenant must keep at least one enabled administrator", "租户至少需要保留一名启用的管理员")
}

// SetPassword sets another user's password (permission user.edit, within
// what p may manage): password, or a generated one when empty, which is
// returned to show once. The user must change it at the next sign-in;
// their sessions end and their lockouts are cleared.
func (s *Service) SetPassword(ctx context.Context, p *Principal, userID int64, password string) (string, error) {
	if err := p.Can("user.edit"); err != nil {
		return "", err
	}
	return s.setPassword(ctx, p, func(tx Tx) (User, error) { return tx.User(ctx, p.Tenant, userID) }, password)
}

// ResetPassword is SetPassword by user name for the command line
// (jxc-cloud user reset-password): the system acts, so no permission is
// checked. The error wraps ErrNotFound when the tenant has no such user.
func (s *Service) ResetPassword(ctx context.Context, tenant, name, password string) (string, error) {
	p := System(tenant, "cli")
	return s.setPassword(ctx, p, func(tx Tx) (User, error) { return tx.UserByName(ctx, tenant, NameKey(name)) }, password)
}

func (s *Service) setPassword(ctx context.Context, p *Principal, get func(Tx) (User, error), password string) (string, error) {
	generated := ""
	if password == "" {
		password = GeneratePassword()
		generated = password
	}
	var hash string
	err := s.tx(ctx, func(tx Tx) error {
		u, err := get(tx)
		if err != nil {
			return err
		}
		if err := s.checkManage(ctx, tx, p, u); err != nil {
			return err
		}
		if err := CheckPassword(password, u.Name); err != nil {
			return err
		}
		if hash == "" {
			if hash, err = HashPassword(password, s.opts.Hash); err != nil {
				return err
			}
		}
		now := s.now()
		u.PasswordHash, u.MustChangePassword, u.Updated = hash, true, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.Tenant, u.ID, nil); err != nil {
			return err
		}
		if err := tx.ClearFailures(ctx, u.Tenant, NameKey(u.Name)); err != nil {
			return err
		}
		if err := tx.ClearLockouts(ctx, u.Tenant, LockUser, NameKey(u.Name), now, p.User); err != nil {
			return err
		}
		if err := s.publishUser(ctx, tx, nil, &u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, "user.set_password", "user", id(u.ID), nil, map[string]bool{"must_change_password": true})
	})
	if err != nil {
		return "", fmt.Errorf("set password: %w", err)
	}
	return generated, nil
}

// ChangePassword changes the signed-in user's own password after checking
// the old one (ErrBadCredentials), clears MustChangePassword and ends the
// user's other sessions. Only a session may do this, not an API token.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, old, new string) error {
	if p == nil || p.UserID == 0 || p.TokenID != 0 {
		return newErr(ErrForbidden, "only a signed-in user can change their password", "只有已登录的用户才能修改密码")
	}
	u, err := s.store.User(ctx, p.Tenant, p.UserID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if ok, _ := VerifyPassword(u.PasswordHash, old, s.opts.Hash); !ok {
		return newErr(ErrBadCredentials, "the current password is wrong", "当前密码错误")
	}
	if err := CheckPassword(new, u.Name); err != nil {
		return err
	}
	if new == old {
		return invalid("the new password must differ from the current one", "新密码不能与当前密码相同")
	}
	hash, err := HashPassword(new, s.opts.Hash)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, p.Tenant, p.UserID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.MustChangePassword, u.Updated = hash, false, s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.Tenant, u.ID, p.session); err != nil {
			return err
		}
		if err := s.publishUser(ctx, tx, nil, &u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, u.Updated, "user.change_password", "user", id(u.ID), nil, nil)
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	p.MustChangePassword = false
	return nil
}
