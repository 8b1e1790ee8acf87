package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// RunAuthTests runs the auth area's suite (cloud/auth over its Store)
// against the store open returns. Subtests share the store, each in its
// own tenant and with its own clock.
func RunAuthTests(t *testing.T, open func(t *testing.T) auth.Store) {
	as := &authSuite{store: open(t)}
	t.Run("Bootstrap", as.testBootstrap)
	t.Run("SignIn", as.testSignIn)
	t.Run("UsersAndRoles", as.testUsersAndRoles)
	t.Run("LockoutPerUser", as.testLockoutPerUser)
	t.Run("LockoutPerAddress", as.testLockoutPerAddress)
	t.Run("Sessions", as.testSessions)
	t.Run("APITokens", as.testAPITokens)
	t.Run("Scope", as.testScope)
	t.Run("AuditInTransaction", as.testAuditInTransaction)
	t.Run("AuditSearchAndExport", as.testAuditSearch)
}

type authSuite struct {
	store   auth.Store
	tenants atomic.Int64
}

// clock is a settable clock for the Service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// WithMaster returns a whose user records, published for agents, the
// suite reads from m (the master.Store of the same database).
func WithMaster(a auth.Store, m master.Store) auth.Store { return authWithMaster{a, m} }

type authWithMaster struct {
	auth.Store
	m master.Store
}

func (s authWithMaster) PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error) {
	return s.m.PutMaster(ctx, tenant, recs)
}

func (s authWithMaster) MasterAfter(ctx context.Context, tenant, site string, rev uint64, limit int) (master.Page, error) {
	return s.m.MasterAfter(ctx, tenant, site, rev, limit)
}

// publishedDiscount returns the max_discount_percent of the user master
// record of name that store holds: RunAuthTests' open returns it through
// WithMaster.
func publishedDiscount(t *testing.T, store auth.Store, tenant, name string) int32 {
	t.Helper()
	ms, ok := store.(master.Store)
	if !ok {
		t.Fatal("RunAuthTests needs its store through WithMaster")
	}
	page, err := ms.MasterAfter(context.Background(), tenant, "any-site", 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	found, got := false, int32(0)
	for _, r := range page.Records {
		if r.Kind != syncproto.KindUser || r.Key != name || r.Deleted {
			continue
		}
		var u pb.UserRecord
		if err := proto.Unmarshal(r.Body, &u); err != nil {
			t.Fatal(err)
		}
		found, got = true, u.GetMaxDiscountPercent()
	}
	if !found {
		t.Fatalf("no user record of %s published", name)
	}
	return got
}

// cheap argon2id parameters: the suite hashes hundreds of passwords.
var testHash = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}

const adminPassword = "correct horse battery"

// env is one subtest's tenant with a bootstrapped admin.
type env struct {
	tenant string
	clk    *clock
	svc    *auth.Service
	admin  *auth.Principal
}

func (as *authSuite) env(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{tenant: fmt.Sprintf("auth%03d", as.tenants.Add(1)), clk: &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}}
	e.svc = auth.New(as.store, auth.Options{Now: e.clk.Now, Hash: testHash})
	res, err := e.svc.Bootstrap(ctx, e.tenant, adminPassword)
	if err != nil || !res.Created {
		t.Fatalf("bootstrap: %+v, %v", res, err)
	}
	e.admin = e.signIn(t, auth.AdminUser, adminPassword)
	return e
}

func (e *env) signIn(t *testing.T, name, password string) *auth.Principal {
	t.Helper()
	ctx := context.Background()
	si, err := e.svc.SignIn(ctx, e.tenant, name, password, "10.0.0.1")
	if err != nil {
		t.Fatalf("sign in %s: %v", name, err)
	}
	p, err := e.svc.AuthenticateSession(ctx, si.Token, "10.0.0.1")
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	return p
}

// user creates a user with roles and scope, and signs them in after
// changing the generated password.
func (e *env) user(t *testing.T, name string, scope auth.Scope, roles ...string) *auth.Principal {
	t.Helper()
	ctx := context.Background()
	_, pw, err := e.svc.CreateUser(ctx, e.admin, auth.NewUser{Name: name, Roles: roles, Scope: scope})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	p := e.signIn(t, name, pw)
	if err := e.svc.ChangePassword(ctx, p, pw, name+" new password"); err != nil {
		t.Fatalf("change password of %s: %v", name, err)
	}
	return p
}

func wantErr(t *testing.T, err, want error) *auth.Error {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.Msg == "" || ae.MsgZH == "" {
		t.Fatalf("error %v is not an *auth.Error with English and Chinese text", err)
	}
	return ae
}

func (as *authSuite) testBootstrap(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	svc := auth.New(as.store, auth.Options{Now: clk.Now, Hash: testHash})
	tenant := fmt.Sprintf("auth%03d", as.tenants.Add(1))

	if _, err := svc.Bootstrap(ctx, tenant, "short"); !errors.Is(err, auth.ErrInvalid) {
		t.Fatalf("weak JXC_ADMIN_PASSWORD: got %v, want ErrInvalid", err)
	}
	res, err := svc.Bootstrap(ctx, tenant, "")
	if err != nil || !res.Created || res.User != "admin" || len(res.Generated) < 16 {
		t.Fatalf("first bootstrap: %+v, %v", res, err)
	}
	again, err := svc.Bootstrap(ctx, tenant, "")
	if err != nil || again.Created || again.Generated != "" {
		t.Fatalf("second bootstrap: %+v, %v; want nothing done", again, err)
	}
	si, err := svc.SignIn(ctx, tenant, "ADMIN", res.Generated, "127.0.0.1")
	if err != nil {
		t.Fatalf("sign in with the generated password (name in other case): %v", err)
	}
	p, err := svc.AuthenticateSession(ctx, si.Token, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if !p.MustChangePassword {
		t.Error("the generated password does not have to be changed")
	}
	wantErr(t, p.Can("user.view"), auth.ErrPasswordChange)
	if _, _, err := svc.CreateToken(ctx, p, auth.NewToken{Name: "x", Permissions: []auth.Permission{"user.view"}}); !errors.Is(err, auth.ErrPasswordChange) {
		t.Errorf("token before the password change: got %v", err)
	}
	wantErr(t, svc.ChangePassword(ctx, p, "wrong old password", "a new password 1"), auth.ErrBadCredentials)
	wantErr(t, svc.ChangePassword(ctx, p, res.Generated, "short"), auth.ErrInvalid)
	if err := svc.ChangePassword(ctx, p, res.Generated, "a new password 1"); err != nil {
		t.Fatal(err)
	}
	// The session that changed the password goes on, without the flag.
	p, err = svc.AuthenticateSession(ctx, si.Token, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Can("user.edit"); err != nil {
		t.Errorf("administrator after the change: %v", err)
	}
	if _, err := svc.SignIn(ctx, tenant, "admin", res.Generated, "127.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("old password still works: %v", err)
	}

	// reset-password: a new generated password, must change again.
	pw, err := svc.ResetPassword(ctx, tenant, "Admin", "")
	if err != nil || pw == "" {
		t.Fatalf("reset password: %q, %v", pw, err)
	}
	if _, err := svc.AuthenticateSession(ctx, si.Token, "127.0.0.1"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("session after a reset: got %v, want ErrUnauthenticated", err)
	}
	if _, err := svc.ResetPassword(ctx, tenant, "nobody", ""); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("reset of an unknown user: got %v, want ErrNotFound", err)
	}
}

func (as *authSuite) testSignIn(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	e.user(t, "张三", auth.AllSites(), auth.RoleSales)
	off := e.user(t, "off", auth.AllSites(), auth.RoleSales)
	yes := true
	if _, err := e.svc.UpdateUser(ctx, e.admin, off.UserID, auth.UserChange{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, password string
		want                 error
	}{
		{"right", "张三", "张三 new password", nil},
		{"right, name in other case", "ADMIN", adminPassword, nil},
		{"wrong password", "张三", "not the password", auth.ErrBadCredentials},
		{"unknown user", "李四", "张三 new password", auth.ErrBadCredentials},
		{"empty", "", "", auth.ErrBadCredentials},
		{"disabled", "off", "off new password", auth.ErrDisabled},
	}
	var badText string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			si, err := e.svc.SignIn(ctx, e.tenant, tt.user, tt.password, "10.0.0.2")
			if tt.want == nil {
				if err != nil || si.Token == "" || si.CSRF == "" {
					t.Fatalf("got %+v, %v", si, err)
				}
				return
			}
			ae := wantErr(t, err, tt.want)
			if tt.want == auth.ErrBadCredentials {
				// No user enumeration: the same words either way.
				if badText != "" && err.Error() != badText {
					t.Errorf("error %q differs from %q", err, badText)
				}
				badText = err.Error()
				if ae.Delay <= 0 {
					t.Errorf("no delay after a failure")
				}
			}
		})
	}
}

func (as *authSuite) testUsersAndRoles(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	buyer := e.user(t, "buyer", auth.AllSites(), auth.RolePurchaser)
	manager := e.user(t, "manager", auth.AllSites(), auth.RoleStoreManager)

	if _, _, err := e.svc.CreateUser(ctx, e.admin, auth.NewUser{Name: "BUYER", Roles: []string{auth.RoleSales}, Scope: auth.AllSites()}); !errors.Is(err, auth.ErrExists) {
		t.Errorf("same name in other case: got %v, want ErrExists", err)
	}
	ae := wantErr(t, buyer.Can("user.edit"), auth.ErrForbidden)
	if ae.Permission != "user.edit" || !strings.Contains(ae.Msg, "user.edit") || !strings.Contains(ae.MsgZH, "user.edit") {
		t.Errorf("forbidden error does not name the permission: %+v", ae)
	}
	if _, _, err := e.svc.CreateUser(ctx, buyer, auth.NewUser{Name: "x"}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("purchaser creates a user: got %v", err)
	}
	for _, tt := range []struct {
		name string
		p    *auth.Principal
		perm auth.Permission
		want bool
	}{
		{"admin approves purchases", e.admin, "purchase.approve", true},
		{"buyer edits purchases", buyer, "purchase.edit", true},
		{"buyer approves purchases", buyer, "purchase.approve", false},
		{"manager approves sales", manager, "sales.approve", true},
		{"manager edits users", manager, "user.edit", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Can(tt.perm) == nil; got != tt.want {
				t.Errorf("Can(%s) = %v, want %v", tt.perm, got, tt.want)
			}
		})
	}

	// A role the administrator makes.
	if _, err := e.svc.CreateRole(ctx, e.admin, auth.Role{Name: "desk", Title: "Sales desk", TitleZH: "销售台",
		Permissions: []auth.Permission{"sales.view", "sales.edit", "sales.edit"}, MaxDiscountPercent: 30}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		role auth.Role
		want error
	}{
		{"exists", auth.Role{Name: "desk", Permissions: []auth.Permission{"sales.view"}}, auth.ErrExists},
		{"shipped", auth.Role{Name: auth.RoleAuditor, Permissions: []auth.Permission{"sales.view"}}, auth.ErrInvalid},
		{"unknown permission", auth.Role{Name: "x", Permissions: []auth.Permission{"sales.fly"}}, auth.ErrInvalid},
		{"bad name", auth.Role{Name: "Cash Desk", Permissions: []auth.Permission{"sales.view"}}, auth.ErrInvalid},
		{"discount above 100", auth.Role{Name: "generous", Permissions: []auth.Permission{"sales.view"}, MaxDiscountPercent: 101}, auth.ErrInvalid},
		{"negative discount", auth.Role{Name: "mean", Permissions: []auth.Permission{"sales.view"}, MaxDiscountPercent: -1}, auth.ErrInvalid},
	} {
		t.Run("role "+tt.name, func(t *testing.T) {
			_, err := e.svc.CreateRole(ctx, e.admin, tt.role)
			wantErr(t, err, tt.want)
		})
	}
	cashier := e.user(t, "cashier1", auth.AllSites(), "desk")
	if cashier.Can("sales.edit") != nil || cashier.Can("sales.approve") == nil {
		t.Errorf("cashier's permissions: %v", cashier.Permissions())
	}
	// The user's record for agents carries the largest discount of their
	// roles: 30 from desk, above the cashier's 5.
	roles3 := []string{"desk", auth.RoleCashier}
	if _, err := e.svc.UpdateUser(ctx, e.admin, cashier.UserID, auth.UserChange{Roles: &roles3}); err != nil {
		t.Fatal(err)
	}
	if got := publishedDiscount(t, as.store, e.tenant, "cashier1"); got != 30 {
		t.Errorf("published max_discount_percent = %d, want 30", got)
	}
	if _, err := e.svc.UpdateRole(ctx, e.admin, auth.Role{Name: "desk", Title: "Sales desk", Permissions: []auth.Permission{"sales.view"}, MaxDiscountPercent: 3}); err != nil {
		t.Fatal(err)
	}
	if got := publishedDiscount(t, as.store, e.tenant, "cashier1"); got != auth.BuiltinRoles()[len(auth.BuiltinRoles())-1].MaxDiscountPercent {
		t.Errorf("after the role's change, published max_discount_percent = %d, want the cashier's", got)
	}
	if rs, err := e.svc.Roles(ctx, e.admin); err != nil || rs[len(rs)-1].Name != "desk" || rs[len(rs)-1].MaxDiscountPercent != 3 {
		t.Errorf("stored role: %+v, %v", rs[len(rs)-1], err)
	}
	cashier = e.signIn(t, "cashier1", "cashier1 new password")
	if cashier.Can("sales.edit") == nil {
		t.Error("a role's change does not reach its holder")
	}
	wantErr(t, e.svc.DeleteRole(ctx, e.admin, "desk"), auth.ErrInvalid) // held
	wantErr(t, e.svc.DeleteRole(ctx, e.admin, auth.RoleSales), auth.ErrInvalid)
	roles, err := e.svc.Roles(ctx, e.admin)
	if err != nil || len(roles) != len(auth.BuiltinRoles())+1 || roles[len(roles)-1].Name != "desk" {
		t.Errorf("roles: %+v, %v", roles, err)
	}

	// The auditor reads everything and changes nothing.
	auditor := e.user(t, "auditor", auth.AllSites(), auth.RoleAuditor)
	for _, pi := range auth.Catalogue() {
		want := pi.Name.Action() == "view" || pi.Name == "report.export" || pi.Name == "audit.export"
		if got := auditor.Can(pi.Name) == nil; got != want {
			t.Errorf("auditor Can(%s) = %v", pi.Name, got)
		}
	}

	// No one grants more than they have.
	admin2, _, err := e.svc.CreateUser(ctx, e.admin, auth.NewUser{Name: "admin2", Roles: []string{auth.RoleAdministrator}, Scope: auth.AllSites()})
	if err != nil {
		t.Fatal(err)
	}
	hr := e.user(t, "hr", auth.AllSites(), "cashier")
	if _, err := e.svc.CreateRole(ctx, e.admin, auth.Role{Name: "hr", Permissions: []auth.Permission{"user.view", "user.edit", "sales.view"}}); err != nil {
		t.Fatal(err)
	}
	roles2 := []string{"hr"}
	if _, err := e.svc.UpdateUser(ctx, e.admin, hr.UserID, auth.UserChange{Roles: &roles2}); err != nil {
		t.Fatal(err)
	}
	hr = e.signIn(t, "hr", "hr new password")
	if _, _, err := e.svc.CreateUser(ctx, hr, auth.NewUser{Name: "boss", Roles: []string{auth.RoleAdministrator}, Scope: auth.AllSites()}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("hr grants administrator: got %v", err)
	}
	if _, err := e.svc.SetPassword(ctx, hr, admin2.ID, "taken over!!"); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("hr sets an administrator's password: got %v", err)
	}
	if _, err := e.svc.CreateRole(ctx, hr, auth.Role{Name: "more", Permissions: []auth.Permission{"finance.approve"}}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("role with a permission its maker lacks: got %v", err)
	}

	// The last enabled administrator stays.
	yes := true
	if _, err := e.svc.UpdateUser(ctx, e.admin, e.admin.UserID, auth.UserChange{Disabled: &yes}); !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("disable yourself: got %v", err)
	}
	if _, err := e.svc.UpdateUser(ctx, e.admin, admin2.ID, auth.UserChange{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	none := []string{auth.RoleSales}
	if _, err := e.svc.UpdateUser(ctx, e.admin, e.admin.UserID, auth.UserChange{Roles: &none}); !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("remove the last administrator: got %v", err)
	}
	users, err := e.svc.Users(ctx, e.admin)
	if err != nil || len(users) != 7 {
		t.Fatalf("users: %d, %v", len(users), err)
	}
	for _, u := range users {
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=1024,t=1,p=1$") {
			t.Errorf("user %s: hash %q", u.Name, u.PasswordHash)
		}
	}
}

func (as *authSuite) testLockoutPerUser(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	e.user(t, "clerk", auth.AllSites(), auth.RoleSales)
	var last time.Duration
	for i := 1; i <= 4; i++ {
		_, err := e.svc.SignIn(ctx, e.tenant, "clerk", "guess", fmt.Sprintf("10.1.0.%d", i))
		ae := wantErr(t, err, auth.ErrBadCredentials)
		if ae.Delay <= last {
			t.Errorf("failure %d: delay %v, not above %v", i, ae.Delay, last)
		}
		last = ae.Delay
		e.clk.Add(time.Minute)
	}
	_, err := e.svc.SignIn(ctx, e.tenant, "Clerk", "guess", "10.1.0.9")
	ae := wantErr(t, err, auth.ErrLocked)
	if ae.RetryAfter != 15*time.Minute {
		t.Errorf("retry after %v, want 15m", ae.RetryAfter)
	}
	// Locked: the right password is refused too, from any address.
	_, err = e.svc.SignIn(ctx, e.tenant, "clerk", "clerk new password", "10.9.9.9")
	wantErr(t, err, auth.ErrLocked)
	// Other users are not locked.
	if _, err := e.svc.SignIn(ctx, e.tenant, "admin", adminPassword, "10.9.9.9"); err != nil {
		t.Errorf("admin during clerk's lock: %v", err)
	}
	locks, err := e.svc.Lockouts(ctx, e.admin, time.Time{})
	if err != nil || len(locks) != 1 || locks[0].Kind != auth.LockUser || locks[0].Key != "clerk" || locks[0].Failures != 5 {
		t.Fatalf("lockouts: %+v, %v", locks, err)
	}
	audits, err := e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: "lockout"})
	if err != nil || len(audits) != 1 || audits[0].Action != "auth.lockout" {
		t.Errorf("lockout not audited: %+v, %v", audits, err)
	}

	e.clk.Add(15*time.Minute - time.Millisecond)
	_, err = e.svc.SignIn(ctx, e.tenant, "clerk", "clerk new password", "10.9.9.9")
	wantErr(t, err, auth.ErrLocked)
	e.clk.Add(time.Millisecond)
	if _, err := e.svc.SignIn(ctx, e.tenant, "clerk", "clerk new password", "10.9.9.9"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// The failures before the lock are spent: one more is not a new lock.
	if _, err := e.svc.SignIn(ctx, e.tenant, "clerk", "guess", "10.9.9.9"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("first failure after the lock: %v", err)
	}

	// Unknown names lock the same way (a lock reveals nothing), and an
	// administrator clears a lock.
	for range 5 {
		e.svc.SignIn(ctx, e.tenant, "ghost", "guess", "10.2.0.1")
	}
	_, err = e.svc.SignIn(ctx, e.tenant, "ghost", "guess", "10.2.0.2")
	wantErr(t, err, auth.ErrLocked)
	locks, _ = e.svc.Lockouts(ctx, e.admin, time.Time{})
	if len(locks) != 2 || locks[0].Key != "ghost" {
		t.Fatalf("lockouts: %+v", locks)
	}
	if err := e.svc.ClearLockout(ctx, e.admin, locks[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SignIn(ctx, e.tenant, "ghost", "guess", "10.2.0.2"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("after clearing: %v", err)
	}
	locks, _ = e.svc.Lockouts(ctx, e.admin, time.Time{})
	if locks[0].Cleared.IsZero() || locks[0].ClearedBy != "admin" {
		t.Errorf("cleared lockout: %+v", locks[0])
	}

	// reset-password clears the user's lock.
	for range 5 {
		e.svc.SignIn(ctx, e.tenant, "clerk", "guess", "10.3.0.1")
	}
	pw, err := e.svc.ResetPassword(ctx, e.tenant, "clerk", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SignIn(ctx, e.tenant, "clerk", pw, "10.3.0.2"); err != nil {
		t.Errorf("sign in after reset-password: %v", err)
	}
}

func (as *authSuite) testLockoutPerAddress(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	e.user(t, "clerk", auth.AllSites(), auth.RoleSales)
	const addr = "192.0.2.7"
	for i := 1; i < 20; i++ {
		_, err := e.svc.SignIn(ctx, e.tenant, fmt.Sprintf("user%d", i), "guess", addr)
		wantErr(t, err, auth.ErrBadCredentials)
	}
	_, err := e.svc.SignIn(ctx, e.tenant, "user20", "guess", addr)
	wantErr(t, err, auth.ErrLocked)
	_, err = e.svc.SignIn(ctx, e.tenant, "clerk", "clerk new password", addr)
	wantErr(t, err, auth.ErrLocked)
	if _, err := e.svc.SignIn(ctx, e.tenant, "clerk", "clerk new password", "192.0.2.8"); err != nil {
		t.Errorf("another address: %v", err)
	}
	locks, err := e.svc.Lockouts(ctx, e.admin, time.Time{})
	if err != nil || len(locks) != 1 || locks[0].Kind != auth.LockAddr || locks[0].Key != addr {
		t.Fatalf("lockouts: %+v, %v", locks, err)
	}
	e.clk.Add(15 * time.Minute)
	if _, err := e.svc.SignIn(ctx, e.tenant, "clerk", "clerk new password", addr); err != nil {
		t.Errorf("after the lock: %v", err)
	}

	// Failures older than the window do not count.
	const addr2 = "192.0.2.9"
	for i := range 19 {
		e.svc.SignIn(ctx, e.tenant, fmt.Sprintf("old%d", i), "guess", addr2)
	}
	e.clk.Add(15 * time.Minute)
	if _, err := e.svc.SignIn(ctx, e.tenant, "new", "guess", addr2); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("failure after the window: %v", err)
	}
}

func (as *authSuite) testSessions(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	si, err := e.svc.SignIn(ctx, e.tenant, "admin", adminPassword, "10.0.0.3")
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.AuthenticateSession(ctx, si.Token, "10.0.0.4")
	if err != nil || p.Addr != "10.0.0.4" || p.TokenID != 0 {
		t.Fatalf("authenticate: %+v, %v", p, err)
	}
	if err := auth.CheckCSRF(p, si.CSRF); err != nil {
		t.Errorf("right CSRF token: %v", err)
	}
	wantErr(t, auth.CheckCSRF(p, ""), auth.ErrCSRF)
	wantErr(t, auth.CheckCSRF(p, si.Token), auth.ErrCSRF)
	if _, err := e.svc.AuthenticateSession(ctx, "not a token", ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("unknown token: %v", err)
	}

	// Idle: used every 90 minutes, the session lives; after 2 h idle it ends.
	for range 7 {
		e.clk.Add(90 * time.Minute)
		if _, err := e.svc.AuthenticateSession(ctx, si.Token, ""); err != nil {
			t.Fatalf("active session after %v: %v", e.clk.Now().Sub(si.Expires.Add(-12*time.Hour)), err)
		}
	}
	// 10.5 h in; the absolute limit of 12 h ends it even though it is used.
	e.clk.Add(90 * time.Minute)
	if _, err := e.svc.AuthenticateSession(ctx, si.Token, ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("session past its absolute expiry: %v", err)
	}

	si2, err := e.svc.SignIn(ctx, e.tenant, "admin", adminPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(2 * time.Hour)
	if _, err := e.svc.AuthenticateSession(ctx, si2.Token, ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("idle session: %v", err)
	}
	si3, err := e.svc.SignIn(ctx, e.tenant, "admin", adminPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SignOut(ctx, si3.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateSession(ctx, si3.Token, ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("after sign-out: %v", err)
	}
}

func (as *authSuite) testAPITokens(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	buyer := e.user(t, "buyer", auth.SitesScope("s1"), auth.RolePurchaser)

	tok, secret, err := e.svc.CreateToken(ctx, buyer, auth.NewToken{Name: "erp sync", Permissions: []auth.Permission{"purchase.view", "product.view"}})
	if err != nil {
		t.Fatal(err)
	}
	if !auth.IsAPIToken(secret) || !strings.HasPrefix(secret, "jxc_"+tok.Prefix+"_") {
		t.Errorf("token %q, prefix %q", secret, tok.Prefix)
	}
	if !tok.Expires.Equal(e.clk.Now().Add(90 * 24 * time.Hour)) {
		t.Errorf("default expiry %v", tok.Expires)
	}
	listed, err := e.svc.Tokens(ctx, buyer, buyer.UserID)
	if err != nil || len(listed) != 1 {
		t.Fatalf("tokens: %+v, %v", listed, err)
	}
	// Stored hashed: the secret is nowhere in what the store gives back.
	if bytes.Contains(listed[0].Hash, []byte(secret)) || !bytes.Equal(listed[0].Hash, auth.HashSecret(secret)) {
		t.Errorf("stored hash %x", listed[0].Hash)
	}
	p, err := e.svc.AuthenticateToken(ctx, secret, "203.0.113.5")
	if err != nil {
		t.Fatal(err)
	}
	if p.TokenID != tok.ID || p.UserID != buyer.UserID || p.Can("purchase.view") != nil || p.Can("purchase.edit") == nil {
		t.Errorf("token principal %+v, permissions %v", p, p.Permissions())
	}
	if p.CanSite("s1") != nil || p.CanSite("s2") == nil {
		t.Error("token does not follow its user's scope")
	}
	if err := auth.CheckCSRF(p, ""); err != nil {
		t.Errorf("a token needs no CSRF token: %v", err)
	}

	for _, tt := range []struct {
		name string
		p    *auth.Principal
		nt   auth.NewToken
		want error
	}{
		{"beyond its maker", buyer, auth.NewToken{Name: "x", Permissions: []auth.Permission{"purchase.approve"}}, auth.ErrForbidden},
		{"no permissions", buyer, auth.NewToken{Name: "x"}, auth.ErrInvalid},
		{"unknown permission", buyer, auth.NewToken{Name: "x", Permissions: []auth.Permission{"x.y"}}, auth.ErrInvalid},
		{"no name", buyer, auth.NewToken{Permissions: []auth.Permission{"purchase.view"}}, auth.ErrInvalid},
		{"expired already", buyer, auth.NewToken{Name: "x", Permissions: []auth.Permission{"purchase.view"}, Expires: e.clk.Now()}, auth.ErrInvalid},
		{"too long", buyer, auth.NewToken{Name: "x", Permissions: []auth.Permission{"purchase.view"}, Expires: e.clk.Now().Add(400 * 24 * time.Hour)}, auth.ErrInvalid},
		{"made by a token", p, auth.NewToken{Name: "x", Permissions: []auth.Permission{"purchase.view"}}, auth.ErrForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.svc.CreateToken(ctx, tt.p, tt.nt)
			wantErr(t, err, tt.want)
		})
	}

	// The user loses a permission: so does the token.
	roles := []string{auth.RoleWarehouse}
	if _, err := e.svc.UpdateUser(ctx, e.admin, buyer.UserID, auth.UserChange{Roles: &roles}); err != nil {
		t.Fatal(err)
	}
	if p, err = e.svc.AuthenticateToken(ctx, secret, ""); err != nil {
		t.Fatal(err)
	}
	if p.Can("purchase.view") != nil || p.Can("product.view") != nil || p.Can("inventory.edit") == nil {
		t.Errorf("token after role change: %v", p.Permissions())
	}
	roles = []string{auth.RoleSales}
	if _, err := e.svc.UpdateUser(ctx, e.admin, buyer.UserID, auth.UserChange{Roles: &roles}); err != nil {
		t.Fatal(err)
	}
	if p, err = e.svc.AuthenticateToken(ctx, secret, ""); err != nil {
		t.Fatal(err)
	}
	if p.Can("purchase.view") == nil || p.Can("product.view") != nil {
		t.Errorf("token after second role change: %v", p.Permissions())
	}

	// Expiry.
	short, shortSecret, err := e.svc.CreateToken(ctx, e.admin, auth.NewToken{Name: "short", Permissions: []auth.Permission{"report.view"}, Expires: e.clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateToken(ctx, shortSecret, ""); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	if _, err := e.svc.AuthenticateToken(ctx, shortSecret, ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("expired token %d: %v", short.ID, err)
	}

	// Revocation: by its user, or an administrator; not by another user.
	other := e.user(t, "other", auth.AllSites(), auth.RoleSales)
	if err := e.svc.RevokeToken(ctx, other, tok.ID); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("revoke another's token: %v", err)
	}
	if err := e.svc.RevokeToken(ctx, e.admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RevokeToken(ctx, buyer, tok.ID); err != nil {
		t.Errorf("revoke twice: %v", err)
	}
	if _, err := e.svc.AuthenticateToken(ctx, secret, ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := e.svc.AuthenticateToken(ctx, "jxc_"+strings.Repeat("a", 52), ""); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("unknown token: %v", err)
	}
	all, err := e.svc.Tokens(ctx, e.admin, 0)
	if err != nil || len(all) != 2 || all[0].Revoked.IsZero() {
		t.Errorf("all tokens: %+v, %v", all, err)
	}
	if _, err := e.svc.Tokens(ctx, other, 0); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("another user lists all tokens: %v", err)
	}
}

func (as *authSuite) testScope(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	clerk := e.user(t, "clerk", auth.SitesScope("shanghai-01", "beijing-wh"), auth.RoleWarehouse)
	for _, tt := range []struct {
		site string
		want error
	}{
		{"shanghai-01", nil},
		{"beijing-wh", nil},
		{"shenzhen-02", auth.ErrForbidden},
		{"", auth.ErrForbidden},
	} {
		t.Run(tt.site, func(t *testing.T) {
			err := clerk.CanSite(tt.site)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if ae := wantErr(t, err, tt.want); ae.Site != tt.site {
				t.Errorf("error names site %q", ae.Site)
			}
		})
	}
	if err := e.admin.CanSite("anywhere"); err != nil {
		t.Errorf("administrator with all sites: %v", err)
	}

	// A user limited to sites grants no other site.
	if _, err := e.svc.CreateRole(ctx, e.admin, auth.Role{Name: "site_admin", Permissions: []auth.Permission{"user.view", "user.edit", "inventory.view"}}); err != nil {
		t.Fatal(err)
	}
	sa := e.user(t, "siteadmin", auth.SitesScope("shanghai-01"), "site_admin")
	if _, _, err := e.svc.CreateUser(ctx, sa, auth.NewUser{Name: "a", Roles: []string{"site_admin"}, Scope: auth.SitesScope("beijing-wh")}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("grant another site: %v", err)
	}
	if _, _, err := e.svc.CreateUser(ctx, sa, auth.NewUser{Name: "b", Roles: []string{"site_admin"}, Scope: auth.AllSites()}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("grant all sites: %v", err)
	}
	u, _, err := e.svc.CreateUser(ctx, sa, auth.NewUser{Name: "c", Roles: []string{"site_admin"}, Scope: auth.SitesScope("shanghai-01")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.User(ctx, e.admin, u.ID)
	if err != nil || got.Scope.All || len(got.Scope.Sites) != 1 || got.Scope.Sites[0] != "shanghai-01" {
		t.Errorf("stored scope: %+v, %v", got.Scope, err)
	}
	// And manages no one who sees more than it does.
	if _, err := e.svc.SetPassword(ctx, sa, clerk.UserID, ""); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("manage a user of other sites: %v", err)
	}
}

// testAuditInTransaction writes a record and its audit entry in one
// transaction of the Store, as every business area will: rolled back, both
// are gone; committed, both are there.
func (as *authSuite) testAuditInTransaction(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	entry, err := auth.NewAudit(e.admin, "role.create", "role", "temp", nil, map[string]string{"name": "temp"})
	if err != nil {
		t.Fatal(err)
	}
	entry.At = e.clk.Now()
	boom := errors.New("boom")
	err = as.store.Tx(ctx, func(tx auth.Tx) error {
		if err := tx.CreateRole(ctx, auth.Role{Tenant: e.tenant, Name: "temp", Permissions: []auth.Permission{"sales.view"}}); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, entry); err != nil {
			return err
		}
		// Inside, the transaction sees its own writes.
		if got, err := tx.SearchAudit(ctx, auth.AuditFilter{Tenant: e.tenant, RecordID: "temp", Limit: 10}); err != nil || len(got) != 1 {
			t.Errorf("inside the transaction: %d entries, %v", len(got), err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx: %v", err)
	}
	got, err := e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: "role", RecordID: "temp"})
	if err != nil || len(got) != 0 {
		t.Errorf("after rollback: %d audit entries, %v", len(got), err)
	}
	if _, err := as.store.Role(ctx, e.tenant, "temp"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("role after rollback: %v", err)
	}

	err = as.store.Tx(ctx, func(tx auth.Tx) error {
		if err := tx.CreateRole(ctx, auth.Role{Tenant: e.tenant, Name: "temp", Permissions: []auth.Permission{"sales.view"}}); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, entry)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err = e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: "role", RecordID: "temp"})
	if err != nil || len(got) != 1 || string(got[0].After) != `{"name":"temp"}` || got[0].Before != nil || !got[0].At.Equal(entry.At) {
		t.Errorf("after commit: %+v, %v", got, err)
	}

	// A Service write that fails leaves no entry either.
	if _, err := e.svc.CreateRole(ctx, e.admin, auth.Role{Name: "temp", Permissions: []auth.Permission{"sales.view"}}); !errors.Is(err, auth.ErrExists) {
		t.Fatalf("duplicate role: %v", err)
	}
	if got, _ = e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: "role", RecordID: "temp"}); len(got) != 1 {
		t.Errorf("failed write audited: %d entries", len(got))
	}
}

func (as *authSuite) testAuditSearch(t *testing.T) {
	ctx := context.Background()
	e := as.env(t)
	start := e.clk.Now()
	buyer := e.user(t, "buyer", auth.AllSites(), auth.RolePurchaser) // user.create, sign-ins, change_password
	e.clk.Add(time.Hour)
	mid := e.clk.Now()
	for i := range 5 {
		if _, err := e.svc.CreateRole(ctx, e.admin, auth.Role{Name: fmt.Sprintf("r%d", i), Title: "=cmd|' /C calc'!A0",
			Permissions: []auth.Permission{"sales.view"}}); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(time.Minute)
	}
	if _, err := e.svc.UpdateRole(ctx, e.admin, auth.Role{Name: "r1", Title: "R1", TitleZH: "角色一", Permissions: []auth.Permission{"sales.edit"}}); err != nil {
		t.Fatal(err)
	}

	if _, err := e.svc.SearchAudit(ctx, buyer, auth.AuditFilter{}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("purchaser reads the audit log: %v", err)
	}
	tests := []struct {
		name    string
		f       auth.AuditFilter
		actions []string
	}{
		{"record", auth.AuditFilter{RecordType: "role", RecordID: "r1"}, []string{"role.update", "role.create"}},
		{"user", auth.AuditFilter{UserID: buyer.UserID}, []string{"user.change_password", "auth.sign_in"}},
		{"action", auth.AuditFilter{Action: "role.update"}, []string{"role.update"}},
		{"user and action", auth.AuditFilter{UserID: buyer.UserID, Action: "auth.sign_in"}, []string{"auth.sign_in"}},
		{"time range", auth.AuditFilter{From: start, To: mid}, []string{"user.change_password", "auth.sign_in", "user.create", "auth.sign_in", "user.create"}},
		{"from", auth.AuditFilter{From: mid.Add(4 * time.Minute)}, []string{"role.update", "role.create"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.SearchAudit(ctx, e.admin, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, a := range got {
				actions = append(actions, a.Action)
				if a.Tenant != e.tenant {
					t.Errorf("entry of tenant %q", a.Tenant)
				}
			}
			if fmt.Sprint(actions) != fmt.Sprint(tt.actions) {
				t.Errorf("got %v, want %v", actions, tt.actions)
			}
		})
	}
	upd, _ := e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: "role", RecordID: "r1", Limit: 1})
	if len(upd) != 1 || !strings.Contains(string(upd[0].Before), `"sales.view"`) || !strings.Contains(string(upd[0].After), `"sales.edit"`) ||
		upd[0].UserID != e.admin.UserID || upd[0].Addr != "10.0.0.1" {
		t.Errorf("update entry: %+v", upd)
	}

	// Paging walks every entry once, newest first.
	all, err := e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var paged []int64
	f := auth.AuditFilter{Limit: 3}
	for {
		page, err := e.svc.SearchAudit(ctx, e.admin, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, a := range page {
			paged = append(paged, a.ID)
		}
		f.BeforeID = page[len(page)-1].ID
	}
	if len(paged) != len(all) || len(all) < 10 {
		t.Fatalf("paged %d entries, searched %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i] != all[i].ID || i > 0 && all[i].ID >= all[i-1].ID {
			t.Fatalf("entry %d: paged %d, searched %d", i, paged[i], all[i].ID)
		}
	}
	if _, err := e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{Limit: 1001}); !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("limit 1001: %v", err)
	}

	// CSV export of a search.
	var buf bytes.Buffer
	if err := e.svc.ExportAudit(ctx, e.admin, auth.AuditFilter{RecordType: "role"}, &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Error("no byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || recs[0][0] != "id" || recs[0][10] != "after" {
		t.Fatalf("csv: %d rows, header %v", len(recs), recs[0])
	}
	if recs[1][6] != "role.update" || recs[1][8] != "r1" || recs[1][3] != "admin" || !strings.Contains(recs[1][10], "角色一") {
		t.Errorf("first row %v", recs[1])
	}
	if _, err := time.Parse(time.RFC3339Nano, recs[1][1]); err != nil {
		t.Errorf("time %q: %v", recs[1][1], err)
	}
	if err := e.svc.ExportAudit(ctx, buyer, auth.AuditFilter{}, &buf); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("purchaser exports: %v", err)
	}
}
