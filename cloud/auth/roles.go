package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Roles returns the shipped roles and those the tenant made, shipped
// first (permission role.view).
func (s *Service) Roles(ctx context.Context, p *Principal) ([]Role, error) {
	if err := p.Can("role.view"); err != nil {
		return nil, err
	}
	own, err := s.store.Roles(ctx, p.Tenant)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	out := BuiltinRoles()
	for i := range out {
		out[i].Tenant = p.Tenant
	}
	return append(out, own...), nil
}

func (s *Service) checkRole(p *Principal, r *Role) error {
	if err := CheckRoleName(r.Name); err != nil {
		return err
	}
	if _, ok := builtinRole(r.Name); ok {
		return invalid("the shipped role "+quote(r.Name)+" cannot be changed; make a new role", "内置角色 "+quote(r.Name)+" 不能修改，请新建角色")
	}
	ps, err := checkPermissions(r.Permissions)
	if err != nil {
		return err
	}
	if r.MaxDiscountPercent < 0 || r.MaxDiscountPercent > MaxDiscount {
		return invalid(fmt.Sprintf("max_discount_percent is %d: want 0 … %d", r.MaxDiscountPercent, MaxDiscount),
			fmt.Sprintf("最大折扣 max_discount_percent 为 %d：应在 0 到 %d 之间", r.MaxDiscountPercent, MaxDiscount))
	}
	for _, perm := range ps {
		if !p.has(perm) {
			e := newErr(ErrForbidden, fmt.Sprintf("you cannot put %s in a role: you lack it", perm),
				fmt.Sprintf("不能把您没有的权限 %s 放入角色", perm))
			e.Permission = perm
			return e
		}
	}
	r.Tenant, r.Permissions, r.Builtin = p.Tenant, ps, false
	return nil
}

// CreateRole makes a role in p's tenant (permission role.edit) with
// permissions of the catalogue that p has itself. The name must be new
// and not a shipped role's (ErrExists, ErrInvalid).
func (s *Service) CreateRole(ctx context.Context, p *Principal, r Role) (Role, error) {
	if err := p.Can("role.edit"); err != nil {
		return Role{}, err
	}
	if err := s.checkRole(p, &r); err != nil {
		return Role{}, err
	}
	err := s.tx(ctx, func(tx Tx) error {
		if err := tx.CreateRole(ctx, r); err != nil {
			if errors.Is(err, ErrExists) {
				return newErr(ErrExists, "a role named "+quote(r.Name)+" exists already", "角色 "+quote(r.Name)+" 已存在")
			}
			return err
		}
		return s.audit(ctx, tx, p, s.now(), "role.create", "role", r.Name, nil, r)
	})
	if err != nil {
		return Role{}, fmt.Errorf("create role: %w", err)
	}
	return r, nil
}

// UpdateRole replaces the titles and permissions of a role the tenant
// made (permission role.edit; p must have the old and the new
// permissions). Holders of the role get the change at their next request.
func (s *Service) UpdateRole(ctx context.Context, p *Principal, r Role) (Role, error) {
	if err := p.Can("role.edit"); err != nil {
		return Role{}, err
	}
	if err := s.checkRole(p, &r); err != nil {
		return Role{}, err
	}
	err := s.tx(ctx, func(tx Tx) error {
		before, err := tx.Role(ctx, p.Tenant, r.Name)
		if err != nil {
			return err
		}
		for _, perm := range before.Permissions {
			if !p.has(perm) {
				return newErr(ErrForbidden, "you cannot change the role "+quote(r.Name)+": it has permissions you lack",
					"不能修改角色 "+quote(r.Name)+"：它包含您没有的权限")
			}
		}
		if err := tx.UpdateRole(ctx, r); err != nil {
			return err
		}
		if err := s.publishRoleHolders(ctx, tx, p.Tenant, r.Name); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.now(), "role.update", "role", r.Name, before, r)
	})
	if err != nil {
		return Role{}, fmt.Errorf("update role: %w", err)
	}
	return r, nil
}

// DeleteRole deletes a role the tenant made (permission role.edit); a
// role some user holds is refused (ErrInvalid).
func (s *Service) DeleteRole(ctx context.Context, p *Principal, name string) error {
	if err := p.Can("role.edit"); err != nil {
		return err
	}
	if _, ok := builtinRole(name); ok {
		return invalid("the shipped role "+quote(name)+" cannot be deleted", "内置角色 "+quote(name)+" 不能删除")
	}
	err := s.tx(ctx, func(tx Tx) error {
		before, err := tx.Role(ctx, p.Tenant, name)
		if err != nil {
			return err
		}
		n, err := tx.CountRoleUsers(ctx, p.Tenant, name)
		if err != nil {
			return err
		}
		if n > 0 {
			return invalid(fmt.Sprintf("the role %s is held by %d users; take it from them first", name, n),
				fmt.Sprintf("角色 %s 仍有 %d 名用户持有，请先取消", name, n))
		}
		if err := tx.DeleteRole(ctx, p.Tenant, name); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.now(), "role.delete", "role", name, before, nil)
	})
	if err != nil {
		return fmt.Errorf("delete role: %w", err)
	}
	return nil
}

// NewToken is what CreateToken needs.
type NewToken struct {
	Name        string
	Permissions []Permission
	// Expires is when the token stops working: after now and within the
	// longest token life; zero for the default life.
	Expires time.Time
}

// CreateToken makes an API token for p's user, with permissions p has
// (ErrForbidden otherwise). It returns the token and the secret, which is
// shown once and never stored: only its SHA-256 is. A token cannot make
// tokens.
func (s *Service) CreateToken(ctx context.Context, p *Principal, nt NewToken) (APIToken, string, error) {
	if p == nil || p.UserID == 0 || p.TokenID != 0 {
		return APIToken{}, "", newErr(ErrForbidden, "only a signed-in user can make API tokens", "只有已登录的用户才能创建 API 令牌")
	}
	if p.MustChangePassword {
		return APIToken{}, "", newErr(ErrPasswordChange, "change your password first", "请先修改密码")
	}
	if nt.Name == "" || len(nt.Name) > 128 {
		return APIToken{}, "", invalid("a token needs a name of 1 to 128 bytes", "令牌名称需为 1 到 128 字节")
	}
	ps, err := checkPermissions(nt.Permissions)
	if err != nil {
		return APIToken{}, "", err
	}
	if len(ps) == 0 {
		return APIToken{}, "", invalid("a token needs at least one permission", "令牌至少需要一项权限")
	}
	for _, perm := range ps {
		if err := p.Can(perm); err != nil {
			return APIToken{}, "", err
		}
	}
	now := s.now()
	exp := nt.Expires.UTC().Truncate(time.Millisecond)
	if nt.Expires.IsZero() {
		exp = now.Add(s.opts.TokenLife)
	}
	if !exp.After(now) || exp.Sub(now) > s.opts.MaxTokenLife {
		days := int(s.opts.MaxTokenLife / (24 * time.Hour))
		return APIToken{}, "", invalid(fmt.Sprintf("a token must expire in the future, within %d days", days),
			fmt.Sprintf("令牌的过期时间必须在未来 %d 天之内", days))
	}
	secret, prefix := newAPIToken()
	t := APIToken{Tenant: p.Tenant, UserID: p.UserID, Name: nt.Name, Prefix: prefix, Hash: HashSecret(secret),
		Permissions: ps, Created: now, Expires: exp}
	err = s.tx(ctx, func(tx Tx) error {
		var err error
		if t.ID, err = tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, "token.create", "api_token", id(t.ID), nil, t)
	})
	if err != nil {
		return APIToken{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// Tokens returns the API tokens of a user of p's tenant (userID 0: of
// every user). Anyone may list their own; others' need user.view.
func (s *Service) Tokens(ctx context.Context, p *Principal, userID int64) ([]APIToken, error) {
	if userID != p.UserID || p.UserID == 0 {
		if err := p.Can("user.view"); err != nil {
			return nil, err
		}
	}
	return s.store.Tokens(ctx, p.Tenant, userID)
}

// RevokeToken revokes an API token of p's tenant: its own user may, and
// anyone with user.edit. Revoking twice is no error.
func (s *Service) RevokeToken(ctx context.Context, p *Principal, tokenID int64) error {
	err := s.tx(ctx, func(tx Tx) error {
		before, err := tx.Token(ctx, p.Tenant, tokenID)
		if err != nil {
			return err
		}
		if before.UserID != p.UserID || p.UserID == 0 {
			if err := p.Can("user.edit"); err != nil {
				return err
			}
		}
		if !before.Revoked.IsZero() {
			return nil
		}
		now := s.now()
		if err := tx.RevokeToken(ctx, p.Tenant, tokenID, now); err != nil {
			return err
		}
		after := before
		after.Revoked = now
		return s.audit(ctx, tx, p, now, "token.revoke", "api_token", id(tokenID), before, after)
	})
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// Lockouts returns the lockouts of p's tenant that began at or after
// since, newest first (permission user.view).
func (s *Service) Lockouts(ctx context.Context, p *Principal, since time.Time) ([]Lockout, error) {
	if err := p.Can("user.view"); err != nil {
		return nil, err
	}
	return s.store.Lockouts(ctx, p.Tenant, since)
}

// ClearLockout lifts a lockout now (permission user.edit). The lockout
// stays in the log with who cleared it.
func (s *Service) ClearLockout(ctx context.Context, p *Principal, lockoutID int64) error {
	if err := p.Can("user.edit"); err != nil {
		return err
	}
	now := s.now()
	err := s.tx(ctx, func(tx Tx) error {
		if err := tx.ClearLockout(ctx, p.Tenant, lockoutID, now, p.User); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, "lockout.clear", "lockout", id(lockoutID), nil, nil)
	})
	if err != nil {
		return fmt.Errorf("clear lockout: %w", err)
	}
	return nil
}
