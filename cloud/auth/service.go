package auth

import (
	"github.com/jxc-edge/jxc/cloud/master"

	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// SessionPolicy bounds how long a browser session lives.
type SessionPolicy struct {
	// Idle ends a session not used for this long; Absolute ends every
	// session this long after sign-in.
	Idle, Absolute time.Duration
	// TouchEvery: a session's LastSeen is written at most this often, so
	// that reads do not all become writes.
	TouchEvery time.Duration
}

// DefaultSessions: 2 hours idle, 12 hours at most, LastSeen kept to the
// minute.
var DefaultSessions = SessionPolicy{Idle: 2 * time.Hour, Absolute: 12 * time.Hour, TouchEvery: time.Minute}

// Options configures a Service. The zero value gives the defaults.
type Options struct {
	// Now is the clock (time.Now when nil). Times are kept to the
	// millisecond.
	Now      func() time.Time
	Hash     HashParams    // DefaultHashParams when zero
	Lockout  LockoutPolicy // DefaultLockout when zero
	Sessions SessionPolicy // DefaultSessions when zero
	// TokenLife is the lifetime of an API token made without an expiry
	// (90 days when 0); MaxTokenLife the longest allowed (1 year when 0).
	TokenLife, MaxTokenLife time.Duration
	// Published is told of the master records (users for their sites) a
	// write published, after it commits; may be nil.
	Published func(ctx context.Context, tenant string, recs []master.Record)
}

// Service holds the rules of accounts, roles, sessions, API tokens,
// lockouts and the audit log over a Store. It is safe for concurrent use
// and keeps no state besides the store, so any number of cloud processes
// may run one on a shared database.
type Service struct {
	store Store
	opts  Options
	dummy string // a hash to verify against when the user does not exist
}

// New returns a Service on store.
func New(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Hash == (HashParams{}) {
		opts.Hash = DefaultHashParams
	}
	if opts.Lockout == (LockoutPolicy{}) {
		opts.Lockout = DefaultLockout
	}
	if opts.Sessions == (SessionPolicy{}) {
		opts.Sessions = DefaultSessions
	}
	if opts.TokenLife <= 0 {
		opts.TokenLife = 90 * 24 * time.Hour
	}
	if opts.MaxTokenLife <= 0 {
		opts.MaxTokenLife = 365 * 24 * time.Hour
	}
	dummy, err := HashPassword(newSecret(), opts.Hash)
	if err != nil {
		panic(err)
	}
	return &Service{store: store, opts: opts, dummy: dummy}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// tx runs fn in a write transaction, stamping audit entries with the time.
// Master records the write publishes go to Options.Published after the
// commit.
func (s *Service) tx(ctx context.Context, fn func(tx Tx) error) error {
	var pt *publishingTx
	err := s.store.Tx(ctx, func(tx Tx) error {
		pt = &publishingTx{Tx: tx}
		return fn(pt)
	})
	if err == nil && pt != nil && len(pt.published) > 0 && s.opts.Published != nil {
		s.opts.Published(ctx, pt.published[0].tenant, pt.recs())
	}
	return err
}

// publishingTx keeps what a transaction published.
type publishingTx struct {
	Tx
	published []published
}

type published struct {
	tenant string
	recs   []master.Record
}

func (t *publishingTx) PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error) {
	put, err := t.Tx.PutMaster(ctx, tenant, recs)
	if err == nil {
		t.published = append(t.published, published{tenant: tenant, recs: put})
	}
	return put, err
}

func (t *publishingTx) recs() []master.Record {
	var out []master.Record
	for _, p := range t.published {
		out = append(out, p.recs...)
	}
	return out
}

func (s *Service) audit(ctx context.Context, tx Tx, p *Principal, at time.Time, action, recordType, recordID string, before, after any) error {
	a, err := NewAudit(p, action, recordType, recordID, before, after)
	if err != nil {
		return err
	}
	a.At = at
	_, err = tx.AppendAudit(ctx, a)
	return err
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// BootstrapResult says what Bootstrap did.
type BootstrapResult struct {
	// Created: the tenant had no user and now has the administrator.
	Created bool
	// User is the administrator's name ("admin").
	User string
	// Generated is the one-time password made because none was given;
	// show it once. The user must change it at the first sign-in.
	Generated string
}

// AdminUser is the name of the administrator Bootstrap creates.
const AdminUser = "admin"

// Bootstrap creates the user "admin" with the administrator role in a
// tenant that has no user yet, with password, or, when password is empty,
// a generated one returned in the result (and the user must change it at
// the first sign-in). A tenant with users is left alone (Created false).
// A password given must pass the password policy (ErrInvalid).
func (s *Service) Bootstrap(ctx context.Context, tenant, password string) (BootstrapResult, error) {
	res := BootstrapResult{User: AdminUser}
	must := password == ""
	if must {
		password = GeneratePassword()
		res.Generated = password
	} else if err := CheckPassword(password, AdminUser); err != nil {
		return BootstrapResult{}, fmt.Errorf("JXC_ADMIN_PASSWORD: %w", err)
	}
	hash, err := HashPassword(password, s.opts.Hash)
	if err != nil {
		return BootstrapResult{}, err
	}
	err = s.tx(ctx, func(tx Tx) error {
		res.Created = false
		n, err := tx.CountUsers(ctx, tenant)
		if err != nil || n > 0 {
			return err
		}
		now := s.now()
		u := User{Tenant: tenant, Name: AdminUser, DisplayName: "Administrator 管理员", PasswordHash: hash,
			MustChangePassword: must, Roles: []string{RoleAdministrator}, Scope: AllSites(), Created: now, Updated: now}
		if u.ID, err = tx.CreateUser(ctx, u); err != nil {
			return err
		}
		res.Created = true
		if err := s.publishUser(ctx, tx, nil, &u); err != nil {
			return err
		}
		return s.audit(ctx, tx, System(tenant, "bootstrap"), now, "user.create", "user", id(u.ID), nil, u)
	})
	if errors.Is(err, ErrExists) {
		// Another process bootstrapped the tenant at the same time.
		return BootstrapResult{User: AdminUser}, nil
	}
	if err != nil || !res.Created {
		return BootstrapResult{User: AdminUser}, err
	}
	return res, nil
}

// SignedIn is a new session: Token goes into the HttpOnly cookie, CSRF to
// the page (it must come back in a header with every write).
type SignedIn struct {
	Token   string
	CSRF    string
	Expires time.Time
	User    User
}

// SignIn checks a user's password and opens a session. An unknown user
// and a wrong password give the same *Error (ErrBadCredentials) after the
// same work (a dummy hash is verified for an unknown name); its Delay is
// how long the caller should wait before answering. A user name or
// address locked by repeated failures gets ErrLocked (RetryAfter, Delay),
// checked before the password; a disabled user with the right password
// ErrDisabled. Every failure is recorded; the one that reaches the limit
// locks and is logged (Lockouts, and an "auth.lockout" audit entry).
func (s *Service) SignIn(ctx context.Context, tenant, name, password, addr string) (SignedIn, error) {
	now := s.now()
	key := NameKey(name)
	if l, locked, err := s.activeLock(ctx, tenant, key, addr, now); err != nil {
		return SignedIn{}, err
	} else if locked {
		return SignedIn{}, lockedErr(l, now, s.opts.Lockout.FirstDelay)
	}
	u, err := s.store.UserByName(ctx, tenant, key)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return SignedIn{}, err
	}
	hash := s.dummy
	if found {
		hash = u.PasswordHash
	}
	ok, stale := VerifyPassword(hash, password, s.opts.Hash)
	if !found || !ok {
		return SignedIn{}, s.fail(ctx, tenant, key, addr, now)
	}
	if u.Disabled {
		return SignedIn{}, newErr(ErrDisabled, "this user is disabled; ask an administrator", "该用户已停用，请联系管理员")
	}
	var newHash string
	if stale {
		if newHash, err = HashPassword(password, s.opts.Hash); err != nil {
			return SignedIn{}, err
		}
	}
	token, csrf := newSecret(), newSecret()
	sess := Session{Hash: HashSecret(token), Tenant: tenant, UserID: u.ID, CSRF: csrf, Addr: addr,
		Created: now, LastSeen: now, Expires: now.Add(s.opts.Sessions.Absolute)}
	err = s.tx(ctx, func(tx Tx) error {
		if err := tx.ClearFailures(ctx, tenant, key); err != nil {
			return err
		}
		if newHash != "" {
			u2 := u
			u2.PasswordHash, u2.Updated = newHash, now
			if err := tx.UpdateUser(ctx, u2); err != nil {
				return err
			}
			if err := s.publishUser(ctx, tx, nil, &u2); err != nil {
				return err
			}
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		p := principalOf(u, nil, addr)
		return s.audit(ctx, tx, p, now, "auth.sign_in", "user", id(u.ID), nil, nil)
	})
	if err != nil {
		return SignedIn{}, fmt.Errorf("sign in: %w", err)
	}
	return SignedIn{Token: token, CSRF: csrf, Expires: sess.Expires, User: u}, nil
}

// activeLock returns the lockout in force for the user name or the
// address, if any.
func (s *Service) activeLock(ctx context.Context, tenant, key, addr string, now time.Time) (Lockout, bool, error) {
	for _, k := range [][2]string{{LockUser, key}, {LockAddr, addr}} {
		l, ok, err := s.store.LatestLockout(ctx, tenant, k[0], k[1])
		if err != nil {
			return Lockout{}, false, fmt.Errorf("sign in: %w", err)
		}
		if ok && l.Active(now) {
			return l, true, nil
		}
	}
	return Lockout{}, false, nil
}

// fail records a failed sign-in, locks when a limit is reached and returns
// the error to give.
func (s *Service) fail(ctx context.Context, tenant, key, addr string, now time.Time) error {
	pol := s.opts.Lockout
	var (
		n      int
		locked *Lockout
	)
	err := s.tx(ctx, func(tx Tx) error {
		n, locked = 0, nil
		if err := tx.AddFailure(ctx, Failure{Tenant: tenant, NameKey: key, Addr: addr, At: now}); err != nil {
			return err
		}
		for _, k := range []struct {
			kind, key string
			limit     int
		}{{LockUser, key, pol.UserFailures}, {LockAddr, addr, pol.AddrFailures}} {
			since := now.Add(-pol.Window + time.Millisecond)
			if last, ok, err := tx.LatestLockout(ctx, tenant, k.kind, k.key); err != nil {
				return err
			} else if ok {
				// Failures before a lockout, or before it was cleared, are
				// spent.
				if t := last.At.Add(time.Millisecond); t.After(since) {
					since = t
				}
				if t := last.Cleared.Add(time.Millisecond); !last.Cleared.IsZero() && t.After(since) {
					since = t
				}
			}
			c, err := tx.CountFailures(ctx, tenant, k.kind, k.key, since)
			if err != nil {
				return err
			}
			if k.kind == LockUser {
				n = c
			}
			if c >= k.limit && locked == nil {
				l := Lockout{Tenant: tenant, Kind: k.kind, Key: k.key, Addr: addr, Failures: c, At: now, Until: now.Add(pol.LockFor)}
				if l.ID, err = tx.AddLockout(ctx, l); err != nil {
					return err
				}
				locked = &l
				if err := s.audit(ctx, tx, System(tenant, addr), now, "auth.lockout", "lockout", id(l.ID), nil, l); err != nil {
					return err
				}
			}
		}
		return tx.PruneFailures(ctx, now.Add(-24*time.Hour))
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	if locked != nil {
		return lockedErr(*locked, now, pol.Delay(n))
	}
	e := newErr(ErrBadCredentials, "check the username and password and try again", "用户名或密码错误，请检查后重试")
	e.Delay = pol.Delay(n)
	return e
}

// SignOut ends the session of token; an unknown token is no error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.tx(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, HashSecret(token)) })
}

var errSessionGone = newErr(ErrUnauthenticated, "your session has ended; sign in again", "会话已结束，请重新登录")

// AuthenticateSession returns the principal of a browser session: the
// token from the cookie, addr the client's address. An unknown, idle or
// expired session, or one of a disabled user, gives ErrUnauthenticated
// (an ended session is deleted). The principal carries the session's CSRF
// token for CheckCSRF.
func (s *Service) AuthenticateSession(ctx context.Context, token, addr string) (*Principal, error) {
	now := s.now()
	hash := HashSecret(token)
	sess, err := s.store.Session(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, errSessionGone
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	u, err := s.store.User(ctx, sess.Tenant, sess.UserID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if err != nil || u.Disabled || !now.Before(sess.Expires) || !now.Before(sess.LastSeen.Add(s.opts.Sessions.Idle)) {
		if err := s.tx(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, hash) }); err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
		return nil, errSessionGone
	}
	if now.Sub(sess.LastSeen) >= s.opts.Sessions.TouchEvery {
		if err := s.tx(ctx, func(tx Tx) error { return tx.TouchSession(ctx, hash, now) }); err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
	}
	perms, err := s.permissions(ctx, s.store, u)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	p := principalOf(u, perms, addr)
	p.CSRF, p.session = sess.CSRF, hash
	return p, nil
}

// AuthenticateToken returns the principal of an API token: the token's
// permissions that its user still has, in the user's scope. An unknown,
// expired or revoked token, or one of a disabled user, gives
// ErrUnauthenticated.
func (s *Service) AuthenticateToken(ctx context.Context, token, addr string) (*Principal, error) {
	now := s.now()
	bad := newErr(ErrUnauthenticated, "the API token is unknown, expired or revoked", "API 令牌无效、已过期或已吊销")
	if !IsAPIToken(token) {
		return nil, bad
	}
	t, err := s.store.TokenByHash(ctx, HashSecret(token))
	if errors.Is(err, ErrNotFound) {
		return nil, bad
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if !t.Active(now) {
		return nil, bad
	}
	u, err := s.store.User(ctx, t.Tenant, t.UserID)
	if errors.Is(err, ErrNotFound) || err == nil && u.Disabled {
		return nil, bad
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	perms, err := s.permissions(ctx, s.store, u)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	perms = intersect(perms, t.Permissions)
	if t.LastUsed.IsZero() || now.Sub(t.LastUsed) >= s.opts.Sessions.TouchEvery {
		if err := s.tx(ctx, func(tx Tx) error { return tx.TouchToken(ctx, t.ID, now) }); err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
	}
	p := principalOf(u, perms, addr)
	p.TokenID, p.MustChangePassword = t.ID, false
	return p, nil
}

// permissions returns the union of the permissions of u's roles, sorted.
// A role that no longer exists grants nothing.
func (s *Service) permissions(ctx context.Context, r Reader, u User) ([]Permission, error) {
	var out []Permission
	for _, name := range u.Roles {
		role, err := s.role(ctx, r, u.Tenant, name)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, role.Permissions...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// maxDiscount returns the largest MaxDiscountPercent of u's roles.
func (s *Service) maxDiscount(ctx context.Context, r Reader, u User) (int32, error) {
	var out int32
	for _, name := range u.Roles {
		role, err := s.role(ctx, r, u.Tenant, name)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return 0, err
		}
		out = max(out, role.MaxDiscountPercent)
	}
	return out, nil
}

func (s *Service) role(ctx context.Context, r Reader, tenant, name string) (Role, error) {
	if b, ok := builtinRole(name); ok {
		b.Tenant = tenant
		return b, nil
	}
	return r.Role(ctx, tenant, name)
}

func intersect(a, b []Permission) []Permission {
	var out []Permission
	for _, p := range a {
		if slices.Contains(b, p) {
			out = append(out, p)
		}
	}
	return out
}
