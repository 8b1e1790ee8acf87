package auth

import (
	"github.com/jxc-edge/jxc/cloud/master"

	"context"
	"time"
)

// Reader is what the Service reads from the database. Every method returns
// an error wrapping ErrNotFound when the one thing asked for does not
// exist; lists are empty then.
type Reader interface {
	// User returns a user of tenant by ID, UserByName by NameKey(name).
	User(ctx context.Context, tenant string, id int64) (User, error)
	UserByName(ctx context.Context, tenant, nameKey string) (User, error)
	// Users returns the tenant's users sorted by name key.
	Users(ctx context.Context, tenant string) ([]User, error)
	// CountUsers counts the users of a tenant; CountRoleUsers those
	// holding role.
	CountUsers(ctx context.Context, tenant string) (int, error)
	CountRoleUsers(ctx context.Context, tenant, role string) (int, error)
	// Role returns a role the tenant made (never a shipped one); Roles all
	// of them sorted by name.
	Role(ctx context.Context, tenant, name string) (Role, error)
	Roles(ctx context.Context, tenant string) ([]Role, error)
	// Session returns the session whose token hashes to hash.
	Session(ctx context.Context, hash []byte) (Session, error)
	// Token returns an API token by ID, TokenByHash by the hash of its
	// secret; Tokens those of a tenant's user (userID 0: of every user)
	// sorted by ID.
	Token(ctx context.Context, tenant string, id int64) (APIToken, error)
	TokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	Tokens(ctx context.Context, tenant string, userID int64) ([]APIToken, error)
	// CountFailures counts the failed sign-ins at or after since of a
	// user name (kind LockUser) or client address (LockAddr).
	CountFailures(ctx context.Context, tenant, kind, key string, since time.Time) (int, error)
	// LatestLockout returns the lockout of (kind, key) that began last,
	// and false when there is none.
	LatestLockout(ctx context.Context, tenant, kind, key string) (Lockout, bool, error)
	// Lockouts returns the tenant's lockouts that began at or after since,
	// newest first.
	Lockouts(ctx context.Context, tenant string, since time.Time) ([]Lockout, error)
	// SearchAudit returns the audit entries matching f, newest (highest ID)
	// first, at most f.Limit (already checked by the Service).
	SearchAudit(ctx context.Context, f AuditFilter) ([]Audit, error)
}

// Tx is one write transaction. Its reads see its own writes; nothing is
// durable or visible to others until the function given to Store.Tx
// returns nil and the commit succeeds.
type Tx interface {
	Reader
	// CreateUser stores a new user with its roles and scope and returns
	// its ID; ErrExists when the tenant has the name key already.
	CreateUser(ctx context.Context, u User) (int64, error)
	// UpdateUser replaces the user's display name, hash, flags, roles and
	// scope (not its name), setting Updated.
	UpdateUser(ctx context.Context, u User) error
	// CreateRole stores a role the tenant makes (ErrExists if the name is
	// taken); UpdateRole replaces its titles and permissions; DeleteRole
	// removes it.
	CreateRole(ctx context.Context, r Role) error
	UpdateRole(ctx context.Context, r Role) error
	DeleteRole(ctx context.Context, tenant, name string) error
	// CreateSession stores a session; TouchSession sets its LastSeen;
	// DeleteSession removes it (no error if it is gone);
	// DeleteUserSessions removes every session of a user but the one whose
	// hash is except (nil: all).
	CreateSession(ctx context.Context, s Session) error
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error
	DeleteUserSessions(ctx context.Context, tenant string, userID int64, except []byte) error
	// CreateToken stores a token and returns its ID; RevokeToken sets its
	// Revoked (once: a revoked token stays revoked at its first time);
	// TouchToken its LastUsed.
	CreateToken(ctx context.Context, t APIToken) (int64, error)
	RevokeToken(ctx context.Context, tenant string, id int64, at time.Time) error
	TouchToken(ctx context.Context, id int64, at time.Time) error
	// AddFailure records a failed sign-in; ClearFailures forgets a user
	// name's (after a successful sign-in or a reset); PruneFailures drops
	// those before a time, of every tenant.
	AddFailure(ctx context.Context, f Failure) error
	ClearFailures(ctx context.Context, tenant, nameKey string) error
	PruneFailures(ctx context.Context, before time.Time) error
	// AddLockout stores a lockout and returns its ID. ClearLockouts sets
	// Cleared on the lockouts of (kind, key) not cleared and lasting
	// beyond at; ClearLockout on one
	// by ID (ErrNotFound if none).
	AddLockout(ctx context.Context, l Lockout) (int64, error)
	ClearLockouts(ctx context.Context, tenant, kind, key string, at time.Time, by string) error
	ClearLockout(ctx context.Context, tenant string, id int64, at time.Time, by string) error
	// AppendAudit appends an entry to the audit log and returns its ID.
	// There is no way to change or remove one.
	AppendAudit(ctx context.Context, a Audit) (int64, error)
	// PutMaster stores master records for agents (cloud/master) under
	// new, consecutive revisions of the tenant and returns them with
	// their revisions.
	PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error)
}

// Store is the database of the auth area.
//
// Tx runs fn in one write transaction and commits it if fn returns nil;
// any error rolls everything back, the audit entries appended in it
// included. fn may be run again from the start when the database asks for
// a retry, so it must not keep anything from a failed attempt. This is how
// a write and its audit entry become one: a later business area's store
// puts its own write and Tx.AppendAudit in one such transaction (see
// DESIGN.md, "Audit").
type Store interface {
	Reader
	Tx(ctx context.Context, fn func(tx Tx) error) error
}
