package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
)

// AuthStore is the store of the auth area (cloud/auth) on the shared core:
// users, roles, sessions, API tokens, failed sign-ins, lockouts and the
// audit log (migration 0004). Times are kept as Unix milliseconds.
type AuthStore struct {
	authReader
}

var _ auth.Store = (*AuthStore)(nil)

// Auth returns the auth area's store on s's database.
func (s *Store) Auth() *AuthStore { return &AuthStore{authReader{s: s, db: s.read}} }

// Tx runs fn in one write transaction (writeTx: retried from the start on
// a serialization failure or a busy database) and commits it when fn
// returns nil. A later area's store in this package writes its own rows
// and the audit entry in one transaction the same way: inside writeTx, it
// calls s.authTx(tx).AppendAudit.
func (a *AuthStore) Tx(ctx context.Context, fn func(tx auth.Tx) error) error {
	return a.s.writeTx(ctx, func(tx *sql.Tx) error { return fn(a.s.authTx(tx)) })
}

// authTx returns the auth area's view of a write transaction.
func (s *Store) authTx(tx *sql.Tx) *authTx { return &authTx{authReader{s: s, db: tx, lock: true}} }

// authDB is what both *sql.DB and *sql.Tx offer.
type authDB interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type authReader struct {
	s  *Store
	db authDB
	// lock: reads in a write transaction lock the rows they return (FOR
	// UPDATE on PostgreSQL; SQLite serializes writers anyway), so the
	// "before" of an audit entry is what the write replaces.
	lock bool
}

func (r authReader) forUpdate(table string) string {
	if !r.lock {
		return ""
	}
	return r.s.forUpdate(table)
}

type authTx struct {
	authReader
}

var _ auth.Tx = (*authTx)(nil)

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func notFound(what string, key any) error {
	return fmt.Errorf("%s %v: %w", what, key, auth.ErrNotFound)
}

func (r authReader) query(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	return r.s.queryRows(ctx, r.db, r.s.q(query), args, fn)
}

func (r authReader) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.db.ExecContext(ctx, r.s.q(query), args...)
}

// ---- users

const userCols = `id, tenant, name, display_name, password_hash, must_change_password, disabled, all_sites, created_at, updated_at`

func scanUser(sc interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var all bool
	var created, updated int64
	err := sc.Scan(&u.ID, &u.Tenant, &u.Name, &u.DisplayName, &u.PasswordHash, &u.MustChangePassword, &u.Disabled, &all, &created, &updated)
	u.Scope.All = all
	u.Created, u.Updated = fromMS(created), fromMS(updated)
	return u, err
}

// users reads the users matching where, with their roles and sites.
func (r authReader) users(ctx context.Context, where string, args ...any) ([]auth.User, error) {
	var out []auth.User
	err := r.query(ctx, `SELECT `+userCols+` FROM users WHERE `+where+` ORDER BY name_key`+r.forUpdate("users"), args, func(rows *sql.Rows) error {
		u, err := scanUser(rows)
		out = append(out, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		u := &out[i]
		u.Roles = []string{}
		if err := r.query(ctx, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, []any{u.ID}, func(rows *sql.Rows) error {
			var role string
			err := rows.Scan(&role)
			u.Roles = append(u.Roles, role)
			return err
		}); err != nil {
			return nil, err
		}
		if u.Scope.All {
			continue
		}
		if err := r.query(ctx, `SELECT site FROM user_sites WHERE user_id = ? ORDER BY site`, []any{u.ID}, func(rows *sql.Rows) error {
			var site string
			err := rows.Scan(&site)
			u.Scope.Sites = append(u.Scope.Sites, site)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r authReader) User(ctx context.Context, tenant string, id int64) (auth.User, error) {
	us, err := r.users(ctx, `tenant = ? AND id = ?`, tenant, id)
	if err != nil {
		return auth.User{}, fmt.Errorf("user %d: %w", id, err)
	}
	if len(us) == 0 {
		return auth.User{}, notFound("user", id)
	}
	return us[0], nil
}

func (r authReader) UserByName(ctx context.Context, tenant, nameKey string) (auth.User, error) {
	us, err := r.users(ctx, `tenant = ? AND name_key = ?`, tenant, nameKey)
	if err != nil {
		return auth.User{}, fmt.Errorf("user %q: %w", nameKey, err)
	}
	if len(us) == 0 {
		return auth.User{}, notFound("user", fmt.Sprintf("%q", nameKey))
	}
	return us[0], nil
}

func (r authReader) Users(ctx context.Context, tenant string) ([]auth.User, error) {
	us, err := r.users(ctx, `tenant = ?`, tenant)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

func (r authReader) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := r.db.QueryRowContext(ctx, r.s.q(query), args...).Scan(&n)
	return n, err
}

func (r authReader) CountUsers(ctx context.Context, tenant string) (int, error) {
	return r.count(ctx, `SELECT count(*) FROM users WHERE tenant = ?`, tenant)
}

func (r authReader) CountRoleUsers(ctx context.Context, tenant, role string) (int, error) {
	return r.count(ctx, `SELECT count(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE u.tenant = ? AND ur.role = ?`, tenant, role)
}

func (t *authTx) CreateUser(ctx context.Context, u auth.User) (int64, error) {
	var id int64
	err := t.db.QueryRowContext(ctx, t.s.q(`INSERT INTO users (tenant, name, name_key, display_name, password_hash,
		must_change_password, disabled, all_sites, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, name_key) DO NOTHING RETURNING id`),
		u.Tenant, u.Name, auth.NameKey(u.Name), u.DisplayName, u.PasswordHash, u.MustChangePassword, u.Disabled, u.Scope.All,
		ms(u.Created), ms(u.Updated)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("user %q: %w", u.Name, auth.ErrExists)
	} else if err != nil {
		return 0, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	u.ID = id
	if err := t.setRolesSites(ctx, u); err != nil {
		return 0, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	return id, nil
}

func (t *authTx) setRolesSites(ctx context.Context, u auth.User) error {
	if _, err := t.exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, u.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM user_sites WHERE user_id = ?`, u.ID); err != nil {
		return err
	}
	roles := slices.Clone(u.Roles)
	slices.Sort(roles)
	for _, role := range slices.Compact(roles) {
		if _, err := t.exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, u.ID, role); err != nil {
			return err
		}
	}
	if u.Scope.All {
		return nil
	}
	sites := slices.Clone(u.Scope.Sites)
	slices.Sort(sites)
	for _, site := range slices.Compact(sites) {
		if _, err := t.exec(ctx, `INSERT INTO user_sites (user_id, site) VALUES (?, ?)`, u.ID, site); err != nil {
			return err
		}
	}
	return nil
}

func (t *authTx) UpdateUser(ctx context.Context, u auth.User) error {
	res, err := t.exec(ctx, `UPDATE users SET display_name = ?, password_hash = ?, must_change_password = ?, disabled = ?,
		all_sites = ?, updated_at = ? WHERE tenant = ? AND id = ?`,
		u.DisplayName, u.PasswordHash, u.MustChangePassword, u.Disabled, u.Scope.All, ms(u.Updated), u.Tenant, u.ID)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("user", u.ID)
	}
	if err := t.setRolesSites(ctx, u); err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return nil
}

// ---- roles

func (r authReader) roles(ctx context.Context, tenant, name string) ([]auth.Role, error) {
	query := `SELECT name, title, title_zh, max_discount_percent FROM roles WHERE tenant = ?`
	args := []any{tenant}
	if name != "" {
		query += ` AND name = ?`
		args = append(args, name)
	}
	var out []auth.Role
	err := r.query(ctx, query+` ORDER BY name`+r.forUpdate("roles"), args, func(rows *sql.Rows) error {
		ro := auth.Role{Tenant: tenant, Permissions: []auth.Permission{}}
		err := rows.Scan(&ro.Name, &ro.Title, &ro.TitleZH, &ro.MaxDiscountPercent)
		out = append(out, ro)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		ro := &out[i]
		err := r.query(ctx, `SELECT permission FROM role_permissions WHERE tenant = ? AND role = ? ORDER BY permission`,
			[]any{tenant, ro.Name}, func(rows *sql.Rows) error {
				var p string
				err := rows.Scan(&p)
				ro.Permissions = append(ro.Permissions, auth.Permission(p))
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r authReader) Role(ctx context.Context, tenant, name string) (auth.Role, error) {
	if name == "" {
		return auth.Role{}, notFound("role", `""`)
	}
	rs, err := r.roles(ctx, tenant, name)
	if err != nil {
		return auth.Role{}, fmt.Errorf("role %q: %w", name, err)
	}
	if len(rs) == 0 {
		return auth.Role{}, notFound("role", fmt.Sprintf("%q", name))
	}
	return rs[0], nil
}

func (r authReader) Roles(ctx context.Context, tenant string) ([]auth.Role, error) {
	rs, err := r.roles(ctx, tenant, "")
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	return rs, nil
}

func (t *authTx) setPermissions(ctx context.Context, ro auth.Role) error {
	if _, err := t.exec(ctx, `DELETE FROM role_permissions WHERE tenant = ? AND role = ?`, ro.Tenant, ro.Name); err != nil {
		return err
	}
	ps := slices.Clone(ro.Permissions)
	slices.Sort(ps)
	for _, p := range slices.Compact(ps) {
		if _, err := t.exec(ctx, `INSERT INTO role_permissions (tenant, role, permission) VALUES (?, ?, ?)`, ro.Tenant, ro.Name, string(p)); err != nil {
			return err
		}
	}
	return nil
}

func (t *authTx) CreateRole(ctx context.Context, ro auth.Role) error {
	res, err := t.exec(ctx, `INSERT INTO roles (tenant, name, title, title_zh, max_discount_percent) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, name) DO NOTHING`,
		ro.Tenant, ro.Name, ro.Title, ro.TitleZH, ro.MaxDiscountPercent)
	if err != nil {
		return fmt.Errorf("create role %q: %w", ro.Name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("role %q: %w", ro.Name, auth.ErrExists)
	}
	if err := t.setPermissions(ctx, ro); err != nil {
		return fmt.Errorf("create role %q: %w", ro.Name, err)
	}
	return nil
}

func (t *authTx) UpdateRole(ctx context.Context, ro auth.Role) error {
	res, err := t.exec(ctx, `UPDATE roles SET title = ?, title_zh = ?, max_discount_percent = ? WHERE tenant = ? AND name = ?`,
		ro.Title, ro.TitleZH, ro.MaxDiscountPercent, ro.Tenant, ro.Name)
	if err != nil {
		return fmt.Errorf("update role %q: %w", ro.Name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("role", fmt.Sprintf("%q", ro.Name))
	}
	if err := t.setPermissions(ctx, ro); err != nil {
		return fmt.Errorf("update role %q: %w", ro.Name, err)
	}
	return nil
}

func (t *authTx) DeleteRole(ctx context.Context, tenant, name string) error {
	if _, err := t.exec(ctx, `DELETE FROM role_permissions WHERE tenant = ? AND role = ?`, tenant, name); err != nil {
		return fmt.Errorf("delete role %q: %w", name, err)
	}
	res, err := t.exec(ctx, `DELETE FROM roles WHERE tenant = ? AND name = ?`, tenant, name)
	if err != nil {
		return fmt.Errorf("delete role %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("role", fmt.Sprintf("%q", name))
	}
	return nil
}

// ---- sessions

func (r authReader) Session(ctx context.Context, hash []byte) (auth.Session, error) {
	var s auth.Session
	var created, seen, expires int64
	err := r.db.QueryRowContext(ctx, r.s.q(`SELECT hash, tenant, user_id, csrf, addr, created_at, last_seen, expires_at
		FROM sessions WHERE hash = ?`), hash).Scan(&s.Hash, &s.Tenant, &s.UserID, &s.CSRF, &s.Addr, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Session{}, notFound("session", "")
	} else if err != nil {
		return auth.Session{}, fmt.Errorf("session: %w", err)
	}
	s.Created, s.LastSeen, s.Expires = fromMS(created), fromMS(seen), fromMS(expires)
	return s, nil
}

func (t *authTx) CreateSession(ctx context.Context, s auth.Session) error {
	_, err := t.exec(ctx, `INSERT INTO sessions (hash, tenant, user_id, csrf, addr, created_at, last_seen, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.Hash, s.Tenant, s.UserID, s.CSRF, s.Addr, ms(s.Created), ms(s.LastSeen), ms(s.Expires))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

func (t *authTx) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE sessions SET last_seen = ? WHERE hash = ?`, ms(at), hash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

func (t *authTx) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (t *authTx) DeleteUserSessions(ctx context.Context, tenant string, userID int64, except []byte) error {
	query := `DELETE FROM sessions WHERE tenant = ? AND user_id = ?`
	args := []any{tenant, userID}
	if except != nil {
		query += ` AND hash <> ?`
		args = append(args, except)
	}
	if _, err := t.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// ---- API tokens

const tokenCols = `id, tenant, user_id, name, prefix, hash, permissions, created_at, expires_at, revoked_at, last_used`

func scanToken(sc interface{ Scan(...any) error }) (auth.APIToken, error) {
	var t auth.APIToken
	var perms string
	var created, expires, revoked, used int64
	err := sc.Scan(&t.ID, &t.Tenant, &t.UserID, &t.Name, &t.Prefix, &t.Hash, &perms, &created, &expires, &revoked, &used)
	for _, p := range strings.Fields(perms) {
		t.Permissions = append(t.Permissions, auth.Permission(p))
	}
	t.Created, t.Expires, t.Revoked, t.LastUsed = fromMS(created), fromMS(expires), fromMS(revoked), fromMS(used)
	return t, err
}

func (r authReader) tokenWhere(ctx context.Context, where string, args ...any) (auth.APIToken, error) {
	t, err := scanToken(r.db.QueryRowContext(ctx, r.s.q(`SELECT `+tokenCols+` FROM api_tokens WHERE `+where+r.forUpdate("api_tokens")), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.APIToken{}, notFound("api token", "")
	} else if err != nil {
		return auth.APIToken{}, fmt.Errorf("api token: %w", err)
	}
	return t, nil
}

func (r authReader) Token(ctx context.Context, tenant string, id int64) (auth.APIToken, error) {
	return r.tokenWhere(ctx, `tenant = ? AND id = ?`, tenant, id)
}

func (r authReader) TokenByHash(ctx context.Context, hash []byte) (auth.APIToken, error) {
	return r.tokenWhere(ctx, `hash = ?`, hash)
}

func (r authReader) Tokens(ctx context.Context, tenant string, userID int64) ([]auth.APIToken, error) {
	query := `SELECT ` + tokenCols + ` FROM api_tokens WHERE tenant = ?`
	args := []any{tenant}
	if userID != 0 {
		query += ` AND user_id = ?`
		args = append(args, userID)
	}
	var out []auth.APIToken
	err := r.query(ctx, query+` ORDER BY id`, args, func(rows *sql.Rows) error {
		t, err := scanToken(rows)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("api tokens: %w", err)
	}
	return out, nil
}

func (t *authTx) CreateToken(ctx context.Context, tok auth.APIToken) (int64, error) {
	perms := make([]string, len(tok.Permissions))
	for i, p := range tok.Permissions {
		perms[i] = string(p)
	}
	var id int64
	err := t.db.QueryRowContext(ctx, t.s.q(`INSERT INTO api_tokens (tenant, user_id, name, prefix, hash, permissions,
		created_at, expires_at, revoked_at, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		tok.Tenant, tok.UserID, tok.Name, tok.Prefix, tok.Hash, strings.Join(perms, " "),
		ms(tok.Created), ms(tok.Expires), ms(tok.Revoked), ms(tok.LastUsed)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create api token: %w", err)
	}
	return id, nil
}

func (t *authTx) RevokeToken(ctx context.Context, tenant string, id int64, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END
		WHERE tenant = ? AND id = ?`, ms(at), tenant, id)
	if err != nil {
		return fmt.Errorf("revoke api token %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("api token", id)
	}
	return nil
}

func (t *authTx) TouchToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, ms(at), id); err != nil {
		return fmt.Errorf("touch api token %d: %w", id, err)
	}
	return nil
}

// ---- failures and lockouts

func (r authReader) CountFailures(ctx context.Context, tenant, kind, key string, since time.Time) (int, error) {
	col := "name_key"
	if kind == auth.LockAddr {
		col = "addr"
	}
	n, err := r.count(ctx, `SELECT count(*) FROM login_failures WHERE tenant = ? AND `+col+` = ? AND at >= ?`, tenant, key, ms(since))
	if err != nil {
		return 0, fmt.Errorf("count failures: %w", err)
	}
	return n, nil
}

const lockoutCols = `id, tenant, kind, key, addr, failures, at, until, cleared_at, cleared_by`

func scanLockout(sc interface{ Scan(...any) error }) (auth.Lockout, error) {
	var l auth.Lockout
	var at, until, cleared int64
	err := sc.Scan(&l.ID, &l.Tenant, &l.Kind, &l.Key, &l.Addr, &l.Failures, &at, &until, &cleared, &l.ClearedBy)
	l.At, l.Until, l.Cleared = fromMS(at), fromMS(until), fromMS(cleared)
	return l, err
}

func (r authReader) LatestLockout(ctx context.Context, tenant, kind, key string) (auth.Lockout, bool, error) {
	l, err := scanLockout(r.db.QueryRowContext(ctx, r.s.q(`SELECT `+lockoutCols+` FROM lockouts
		WHERE tenant = ? AND kind = ? AND key = ? ORDER BY at DESC, id DESC LIMIT 1`), tenant, kind, key))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Lockout{}, false, nil
	} else if err != nil {
		return auth.Lockout{}, false, fmt.Errorf("lockout: %w", err)
	}
	return l, true, nil
}

func (r authReader) Lockouts(ctx context.Context, tenant string, since time.Time) ([]auth.Lockout, error) {
	var out []auth.Lockout
	err := r.query(ctx, `SELECT `+lockoutCols+` FROM lockouts WHERE tenant = ? AND at >= ? ORDER BY at DESC, id DESC`,
		[]any{tenant, ms(since)}, func(rows *sql.Rows) error {
			l, err := scanLockout(rows)
			out = append(out, l)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("lockouts: %w", err)
	}
	return out, nil
}

func (t *authTx) AddFailure(ctx context.Context, f auth.Failure) error {
	if _, err := t.exec(ctx, `INSERT INTO login_failures (tenant, name_key, addr, at) VALUES (?, ?, ?, ?)`,
		f.Tenant, f.NameKey, f.Addr, ms(f.At)); err != nil {
		return fmt.Errorf("add failure: %w", err)
	}
	return nil
}

func (t *authTx) ClearFailures(ctx context.Context, tenant, nameKey string) error {
	if _, err := t.exec(ctx, `DELETE FROM login_failures WHERE tenant = ? AND name_key = ?`, tenant, nameKey); err != nil {
		return fmt.Errorf("clear failures: %w", err)
	}
	return nil
}

func (t *authTx) PruneFailures(ctx context.Context, before time.Time) error {
	if _, err := t.exec(ctx, `DELETE FROM login_failures WHERE at < ?`, ms(before)); err != nil {
		return fmt.Errorf("prune failures: %w", err)
	}
	return nil
}

func (t *authTx) AddLockout(ctx context.Context, l auth.Lockout) (int64, error) {
	var id int64
	err := t.db.QueryRowContext(ctx, t.s.q(`INSERT INTO lockouts (tenant, kind, key, addr, failures, at, until, cleared_at, cleared_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		l.Tenant, l.Kind, l.Key, l.Addr, l.Failures, ms(l.At), ms(l.Until), ms(l.Cleared), l.ClearedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add lockout: %w", err)
	}
	return id, nil
}

func (t *authTx) ClearLockouts(ctx context.Context, tenant, kind, key string, at time.Time, by string) error {
	if _, err := t.exec(ctx, `UPDATE lockouts SET cleared_at = ?, cleared_by = ?
		WHERE tenant = ? AND kind = ? AND key = ? AND cleared_at = 0 AND until > ?`, ms(at), by, tenant, kind, key, ms(at)); err != nil {
		return fmt.Errorf("clear lockouts: %w", err)
	}
	return nil
}

func (t *authTx) ClearLockout(ctx context.Context, tenant string, id int64, at time.Time, by string) error {
	res, err := t.exec(ctx, `UPDATE lockouts SET cleared_at = CASE WHEN cleared_at = 0 THEN ? ELSE cleared_at END,
		cleared_by = CASE WHEN cleared_at = 0 THEN ? ELSE cleared_by END WHERE tenant = ? AND id = ?`, ms(at), by, tenant, id)
	if err != nil {
		return fmt.Errorf("clear lockout %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("lockout", id)
	}
	return nil
}

// ---- audit log

func (r authReader) SearchAudit(ctx context.Context, f auth.AuditFilter) ([]auth.Audit, error) {
	where := []string{"tenant = ?"}
	args := []any{f.Tenant}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.UserID != 0 {
		add("user_id = ?", f.UserID)
	}
	if f.RecordType != "" {
		add("record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", ms(f.To))
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	var out []auth.Audit
	err := r.query(ctx, `SELECT id, tenant, at, user_id, username, token_id, addr, action, record_type, record_id, before, after
		FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args, func(rows *sql.Rows) error {
		var a auth.Audit
		var at int64
		var before, after sql.NullString
		err := rows.Scan(&a.ID, &a.Tenant, &at, &a.UserID, &a.User, &a.TokenID, &a.Addr, &a.Action, &a.RecordType, &a.RecordID, &before, &after)
		a.At = fromMS(at)
		if before.Valid {
			a.Before = []byte(before.String)
		}
		if after.Valid {
			a.After = []byte(after.String)
		}
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search audit: %w", err)
	}
	return out, nil
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// PutMaster stores master records (users for their sites) in the
// transaction.
func (t *authTx) PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error) {
	tx, ok := t.db.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("put master records outside a transaction")
	}
	return t.s.putMasterTx(ctx, tx, tenant, recs)
}

func (t *authTx) AppendAudit(ctx context.Context, a auth.Audit) (int64, error) {
	var id int64
	err := t.db.QueryRowContext(ctx, t.s.q(`INSERT INTO audit_log (tenant, at, user_id, username, token_id, addr, action,
		record_type, record_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		a.Tenant, ms(a.At), a.UserID, a.User, a.TokenID, a.Addr, a.Action, a.RecordType, a.RecordID,
		nullJSON(a.Before), nullJSON(a.After)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("append audit %s: %w", a.Action, err)
	}
	return id, nil
}
