package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/httpapi"
)

// list is the body of a list answer.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// createdUser is the body of POST /api/v1/users.
type createdUser struct {
	auth.User
	Password string `json:"password"`
}

// auditPage is the body of GET /api/v1/audit.
type auditPage struct {
	Items        []auth.Audit `json:"items"`
	NextBeforeID int64        `json:"next_before_id"`
}

// write sends a request with a body and the admin's API token.
func (f *fixture) write(t *testing.T, method, path, body string) response {
	t.Helper()
	return f.send(t, method, path, body, withToken(f.token))
}

// mustStatus fails unless r has status want.
func mustStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

// limitedToken returns the token of a user who may only view sites.
func (f *fixture) limitedToken(t *testing.T) string {
	t.Helper()
	if _, err := f.auth.CreateRole(t.Context(), f.admin, auth.Role{Name: "sites_only", Permissions: []auth.Permission{"site.view"}}); err != nil {
		t.Fatal(err)
	}
	return f.user(t, "clerk", auth.AllSites(), "sites_only")
}

func TestAdminCredentialsAndPermissions(t *testing.T) {
	f := newFixture(t)
	limited := f.limitedToken(t)
	tests := []struct {
		method, path, body string
		perm               string // "": any signed-in principal
	}{
		{"GET", "/api/v1/users", "", "user.view"},
		{"POST", "/api/v1/users", `{"name":"x","roles":[],"scope":{"all":true}}`, "user.edit"},
		{"GET", "/api/v1/users/1", "", "user.view"},
		{"PUT", "/api/v1/users/1", `{"display_name":"x"}`, "user.edit"},
		{"POST", "/api/v1/users/1/password", `{}`, "user.edit"},
		{"GET", "/api/v1/users/1/tokens", "", "user.view"},
		{"GET", "/api/v1/roles", "", "role.view"},
		{"POST", "/api/v1/roles", `{"name":"r","title":"R","permissions":[]}`, "role.edit"},
		{"PUT", "/api/v1/roles/r", `{"title":"R","permissions":[]}`, "role.edit"},
		{"DELETE", "/api/v1/roles/r", "", "role.edit"},
		{"GET", "/api/v1/permissions", "", ""},
		{"GET", "/api/v1/audit", "", "audit.view"},
		{"GET", "/api/v1/audit/export", "", "audit.export"},
		{"GET", "/api/v1/lockouts", "", "user.view"},
		{"DELETE", "/api/v1/lockouts/1", "", "user.edit"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			checkError(t, f.send(t, tt.method, tt.path, tt.body, nil), http.StatusUnauthorized, "unauthenticated")
			r := f.send(t, tt.method, tt.path, tt.body, withToken(limited))
			if tt.perm == "" {
				mustStatus(t, r, http.StatusOK)
				return
			}
			checkError(t, r, http.StatusForbidden, "forbidden", tt.perm)
			if e := decode[httpapi.Error](t, r); e.Permission != tt.perm || !strings.Contains(e.MessageZH, tt.perm) {
				t.Errorf("403 %s: want permission %s named in both languages", r.body, tt.perm)
			}
		})
	}
	// A browser write needs the CSRF header here as everywhere.
	r := f.login(t, "admin", testPassword)
	c := cookie(t, r)
	checkError(t, f.send(t, http.MethodPost, "/api/v1/users", `{"name":"x","roles":[],"scope":{"all":true}}`, withCookie(c, "")),
		http.StatusForbidden, "csrf")
}

func TestUsersOverHTTP(t *testing.T) {
	f := newFixture(t)
	r := f.write(t, http.MethodPost, "/api/v1/users",
		`{"name":"clerk","display_name":"店员","roles":["warehouse"],"scope":{"all":false,"sites":["s2","s1"]}}`)
	mustStatus(t, r, http.StatusCreated)
	made := decode[createdUser](t, r)
	if made.ID == 0 || made.Name != "clerk" || made.DisplayName != "店员" || len(made.Password) != 16 || !made.MustChangePassword ||
		made.Scope.All || fmt.Sprint(made.Scope.Sites) != "[s1 s2]" || fmt.Sprint(made.Roles) != "[warehouse]" {
		t.Errorf("created %s", r.body)
	}
	path := "/api/v1/users/" + strconv.FormatInt(made.ID, 10)
	if loc := r.header.Get("Location"); loc != path {
		t.Errorf("Location %q, want %q", loc, path)
	}
	if strings.Contains(string(r.body), "password_hash") || strings.Contains(string(r.body), "argon2") {
		t.Errorf("the hash is shown: %s", r.body)
	}
	// The one-time password signs in, and must be changed.
	if r := f.login(t, "clerk", made.Password); r.status != http.StatusOK || !decode[httpapi.Me](t, r).MustChangePassword {
		t.Errorf("sign-in with the generated password: %d %s", r.status, r.body)
	}

	// With a password given, none is returned.
	r = f.write(t, http.MethodPost, "/api/v1/users", `{"name":"buyer","password":"a long enough passphrase","roles":["purchaser"],"scope":{"all":true}}`)
	mustStatus(t, r, http.StatusCreated)
	if decode[createdUser](t, r).Password != "" {
		t.Errorf("a given password is returned: %s", r.body)
	}

	// Lists page in the handler; the total counts all.
	all := decode[list[auth.User]](t, f.get(t, "/api/v1/users"))
	if all.Total != 3 || len(all.Items) != 3 || all.Items[0].Name != "admin" || all.Items[1].Name != "buyer" || all.Items[2].Name != "clerk" {
		t.Errorf("users %+v", all)
	}
	for q, want := range map[string]string{"?limit=1": "[admin]", "?offset=1&limit=1": "[buyer]", "?offset=2": "[clerk]", "?offset=9": "[]"} {
		r := f.get(t, "/api/v1/users"+q)
		got := decode[list[auth.User]](t, r)
		var names []string
		for _, u := range got.Items {
			names = append(names, u.Name)
		}
		if fmt.Sprint(names) != want || got.Total != 3 || !strings.Contains(string(r.body), `"items":[`) {
			t.Errorf("users%s: %s, want %s of 3", q, r.body, want)
		}
	}

	if got := decode[auth.User](t, f.get(t, path)); got.Name != "clerk" || got.ID != made.ID {
		t.Errorf("get: %+v", got)
	}
	r = f.write(t, http.MethodPut, path, `{"display_name":"店员甲","disabled":true}`)
	mustStatus(t, r, http.StatusOK)
	if got := decode[auth.User](t, r); got.DisplayName != "店员甲" || !got.Disabled || fmt.Sprint(got.Roles) != "[warehouse]" {
		t.Errorf("update: %s", r.body)
	}
	r = f.write(t, http.MethodPut, path, `{"disabled":false,"roles":["warehouse","auditor"],"scope":{"all":true}}`)
	if got := decode[auth.User](t, r); r.status != 200 || got.Disabled || !got.Scope.All || fmt.Sprint(got.Roles) != "[auditor warehouse]" {
		t.Errorf("update roles and scope: %d %s", r.status, r.body)
	}

	// Reset the password: generated without a body or password, none
	// returned when given.
	for _, body := range []string{"", `{}`} {
		r = f.write(t, http.MethodPost, path+"/password", body)
		mustStatus(t, r, http.StatusOK)
		var got struct {
			Password string `json:"password"`
			Must     bool   `json:"must_change_password"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil || len(got.Password) != 16 || !got.Must {
			t.Errorf("reset with body %q: %s", body, r.body)
		}
	}
	r = f.write(t, http.MethodPost, path+"/password", `{"password":"chosen by the admin"}`)
	if mustStatus(t, r, http.StatusOK); strings.Contains(string(r.body), `"password"`) {
		t.Errorf("a given password is returned: %s", r.body)
	}
	if r := f.login(t, "clerk", "chosen by the admin"); r.status != http.StatusOK {
		t.Errorf("sign-in with the reset password: %d %s", r.status, r.body)
	}

	// Tokens of another user: none yet, then one.
	r = f.get(t, path+"/tokens")
	if got := decode[list[auth.APIToken]](t, r); got.Total != 0 || !strings.Contains(string(r.body), `"items":[]`) {
		t.Errorf("tokens: %s", r.body)
	}
	f.user(t, "maker", auth.AllSites(), auth.RoleAuditor)
	var makerID int64
	for _, u := range decode[list[auth.User]](t, f.get(t, "/api/v1/users")).Items {
		if u.Name == "maker" {
			makerID = u.ID
		}
	}
	r = f.get(t, "/api/v1/users/"+strconv.FormatInt(makerID, 10)+"/tokens")
	if got := decode[list[auth.APIToken]](t, r); got.Total != 1 || got.Items[0].UserID != makerID || strings.Contains(string(r.body), "jxc_") {
		t.Errorf("maker's tokens: %s", r.body)
	}

	for _, p := range []string{"/api/v1/users/999", "/api/v1/users/999/tokens"} {
		checkError(t, f.get(t, p), http.StatusNotFound, "not_found")
	}
	checkError(t, f.write(t, http.MethodPut, "/api/v1/users/999", `{"display_name":"x"}`), http.StatusNotFound, "not_found")
	checkError(t, f.write(t, http.MethodPost, "/api/v1/users/999/password", `{}`), http.StatusNotFound, "not_found")
	// The name is taken regardless of case.
	checkError(t, f.write(t, http.MethodPost, "/api/v1/users", `{"name":"CLERK","roles":[],"scope":{"all":true}}`), http.StatusConflict, "exists")
	// The service's rules hold: no one disables themselves.
	checkError(t, f.write(t, http.MethodPut, "/api/v1/users/"+strconv.FormatInt(f.admin.UserID, 10), `{"disabled":true}`),
		http.StatusBadRequest, "invalid")
}

// badInput is a request the API must refuse with 400 naming a field.
type badInput struct {
	name, method, path, body string
	fields                   []string // every field the answer must name, the first as "field"
}

func checkBadInputs(t *testing.T, f *fixture, tests []badInput) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.write(t, tt.method, tt.path, tt.body)
			checkError(t, r, http.StatusBadRequest, "invalid")
			e := decode[httpapi.Error](t, r)
			if e.Field != tt.fields[0] {
				t.Errorf("field %q, want %q: %s", e.Field, tt.fields[0], r.body)
			}
			named := map[string]bool{}
			for _, fe := range e.Errors {
				named[fe.Field] = true
				if fe.Message == "" || !hasHan(fe.MessageZH) {
					t.Errorf("field error %+v: want English and Chinese", fe)
				}
			}
			for _, want := range tt.fields {
				if !named[want] {
					t.Errorf("errors do not name %s: %s", want, r.body)
				}
			}
		})
	}
}

func TestUsersBadInput(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("n", 65)
	checkBadInputs(t, f, []badInput{
		{"unknown field", "POST", "/api/v1/users", `{"name":"x","roles":[],"scope":{"all":true},"nope":1}`, []string{"body.nope"}},
		{"name too long", "POST", "/api/v1/users", `{"name":"` + long + `","roles":[],"scope":{"all":true}}`, []string{"body.name"}},
		{"name with a space", "POST", "/api/v1/users", `{"name":"a b","roles":[],"scope":{"all":true}}`, []string{"body.name"}},
		{"missing scope", "POST", "/api/v1/users", `{"name":"x","roles":[]}`, []string{"body.scope"}},
		{"display name too long", "POST", "/api/v1/users", `{"name":"x","display_name":"` + strings.Repeat("名", 129) + `","roles":[],"scope":{"all":true}}`,
			[]string{"body.display_name"}},
		{"weak password", "POST", "/api/v1/users", `{"name":"x","password":"short","roles":[],"scope":{"all":true}}`, []string{"body.password"}},
		{"every bad field", "POST", "/api/v1/users", `{"name":"a b","roles":["Bad Role","ok"],"scope":{"all":false,"sites":["s1","a/b"]}}`,
			[]string{"body.name", "body.roles[0]", "body.scope.sites[1]"}},
		{"bad id", "GET", "/api/v1/users/abc", "", []string{"path.id"}},
		{"id zero", "PUT", "/api/v1/users/0", `{"display_name":"x"}`, []string{"path.id"}},
		{"nothing to change", "PUT", "/api/v1/users/1", `{}`, []string{"body"}},
		{"update unknown field", "PUT", "/api/v1/users/1", `{"name":"renamed"}`, []string{"body.name"}},
		{"update bad site", "PUT", "/api/v1/users/1", `{"scope":{"all":false,"sites":["a b"]}}`, []string{"body.scope.sites[0]"}},
		{"reset weak password", "POST", "/api/v1/users/1/password", `{"password":"aaaaaaaaaaaa"}`, []string{"body.password"}},
		{"reset unknown field", "POST", "/api/v1/users/1/password", `{"pass":"x"}`, []string{"body.pass"}},
		{"tokens bad id", "GET", "/api/v1/users/x1/tokens", "", []string{"path.id"}},
		{"bad limit", "GET", "/api/v1/users?limit=0", "", []string{"query.limit"}},
		{"negative offset", "GET", "/api/v1/users?offset=-1", "", []string{"query.offset"}},
	})
	// A rule only the service knows (the role exists) is 400 without a field.
	checkError(t, f.write(t, "POST", "/api/v1/users", `{"name":"x","roles":["nosuch"],"scope":{"all":true}}`), http.StatusBadRequest, "invalid", "nosuch")
}

func TestRolesOverHTTP(t *testing.T) {
	f := newFixture(t)
	r := f.write(t, http.MethodPost, "/api/v1/roles", `{"name":"counter","title":"Counter","title_zh":"盘点员","permissions":["inventory.view","inventory.edit"]}`)
	mustStatus(t, r, http.StatusCreated)
	if got := decode[auth.Role](t, r); got.Name != "counter" || got.TitleZH != "盘点员" || got.Builtin ||
		fmt.Sprint(got.Permissions) != "[inventory.edit inventory.view]" || r.header.Get("Location") != "/api/v1/roles/counter" {
		t.Errorf("created %s (Location %q)", r.body, r.header.Get("Location"))
	}
	roles := decode[list[auth.Role]](t, f.get(t, "/api/v1/roles"))
	if n := len(auth.BuiltinRoles()); roles.Total != n+1 || roles.Items[n].Name != "counter" || !roles.Items[0].Builtin {
		t.Errorf("roles %+v", roles)
	}
	if got := decode[list[auth.Role]](t, f.get(t, "/api/v1/roles?offset=1&limit=2")); len(got.Items) != 2 || got.Total != roles.Total {
		t.Errorf("page of roles %+v", got)
	}
	r = f.write(t, http.MethodPut, "/api/v1/roles/counter", `{"title":"Stocktaker","permissions":["inventory.view"]}`)
	if got := decode[auth.Role](t, r); r.status != 200 || got.Title != "Stocktaker" || fmt.Sprint(got.Permissions) != "[inventory.view]" {
		t.Errorf("update: %d %s", r.status, r.body)
	}
	// Held by a user: refused; then deleted.
	f.user(t, "counting", auth.AllSites(), "counter")
	checkError(t, f.write(t, http.MethodDelete, "/api/v1/roles/counter", ""), http.StatusBadRequest, "invalid", "held")
	var id int64
	for _, u := range decode[list[auth.User]](t, f.get(t, "/api/v1/users")).Items {
		if u.Name == "counting" {
			id = u.ID
		}
	}
	mustStatus(t, f.write(t, http.MethodPut, "/api/v1/users/"+strconv.FormatInt(id, 10), `{"roles":[]}`), http.StatusOK)
	mustStatus(t, f.write(t, http.MethodDelete, "/api/v1/roles/counter", ""), http.StatusNoContent)
	checkError(t, f.write(t, http.MethodDelete, "/api/v1/roles/counter", ""), http.StatusNotFound, "not_found")
	checkError(t, f.write(t, http.MethodPut, "/api/v1/roles/counter", `{"title":"x","permissions":[]}`), http.StatusNotFound, "not_found")
	// Shipped roles cannot change.
	checkError(t, f.write(t, http.MethodDelete, "/api/v1/roles/administrator", ""), http.StatusBadRequest, "invalid", "shipped")
	checkError(t, f.write(t, http.MethodPut, "/api/v1/roles/sales", `{"title":"x","permissions":[]}`), http.StatusBadRequest, "invalid", "shipped")
	checkError(t, f.write(t, http.MethodPost, "/api/v1/roles", `{"name":"auditor","title":"x","permissions":[]}`), http.StatusBadRequest, "invalid")

	checkBadInputs(t, f, []badInput{
		{"name with capitals", "POST", "/api/v1/roles", `{"name":"Bad","title":"x","permissions":[]}`, []string{"body.name"}},
		{"name too long", "POST", "/api/v1/roles", `{"name":"` + strings.Repeat("r", 33) + `","title":"x","permissions":[]}`, []string{"body.name"}},
		{"title too long", "POST", "/api/v1/roles", `{"name":"r","title":"` + strings.Repeat("t", 129) + `","permissions":[]}`, []string{"body.title"}},
		{"unknown permission", "POST", "/api/v1/roles", `{"name":"r","title":"x","permissions":["stock.view","stock.fly","x"]}`,
			[]string{"body.permissions[1]", "body.permissions[2]"}},
		{"unknown field", "POST", "/api/v1/roles", `{"name":"r","title":"x","permissions":[],"builtin":true}`, []string{"body.builtin"}},
		{"path name", "PUT", "/api/v1/roles/Bad%20Name", `{"title":"x","permissions":[]}`, []string{"path.name"}},
		{"path name too long", "DELETE", "/api/v1/roles/" + strings.Repeat("r", 33), "", []string{"path.name"}},
	})
}

func TestPermissionsCatalogue(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/api/v1/permissions")
	mustStatus(t, r, http.StatusOK)
	var got list[struct {
		Name   string `json:"name"`
		Module string `json:"module"`
		Action string `json:"action"`
		Desc   string `json:"desc"`
		DescZH string `json:"desc_zh"`
	}]
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Total != len(auth.Catalogue()) || len(got.Items) != got.Total {
		t.Fatalf("%d of %d permissions, want %d", len(got.Items), got.Total, len(auth.Catalogue()))
	}
	for _, p := range got.Items {
		if p.Name != p.Module+"."+p.Action || p.Desc == "" || !hasHan(p.DescZH) {
			t.Errorf("permission %+v", p)
		}
	}
}

func TestAuditOverHTTP(t *testing.T) {
	f := newFixture(t)
	start := time.Now().UTC().Add(-time.Second)
	r := f.write(t, http.MethodPost, "/api/v1/users", `{"name":"clerk","display_name":"店员","roles":["warehouse"],"scope":{"all":true}}`)
	mustStatus(t, r, http.StatusCreated)
	clerk := decode[createdUser](t, r)
	id := strconv.FormatInt(clerk.ID, 10)
	mustStatus(t, f.write(t, http.MethodPut, "/api/v1/users/"+id, `{"display_name":"店员甲"}`), http.StatusOK)

	// The creation through the API is audited with the record after it;
	// the change with before and after.
	r = f.get(t, "/api/v1/audit?record_type=user&record_id="+id)
	page := decode[auditPage](t, r)
	if len(page.Items) != 2 || page.Items[0].Action != "user.update" || page.Items[1].Action != "user.create" || page.NextBeforeID != 0 {
		t.Fatalf("audit of the user: %s", r.body)
	}
	created, updated := page.Items[1], page.Items[0]
	if created.Before != nil || !strings.Contains(string(created.After), `"name":"clerk"`) || created.UserID != f.admin.UserID ||
		created.TokenID == 0 || created.User != "admin" {
		t.Errorf("user.create entry %+v", created)
	}
	if !strings.Contains(string(updated.Before), `"店员"`) || !strings.Contains(string(updated.After), `"店员甲"`) {
		t.Errorf("user.update entry before %s after %s", updated.Before, updated.After)
	}
	if strings.Contains(string(r.body), "argon2") {
		t.Errorf("the audit log shows a password hash: %s", r.body)
	}
	if got := decode[auditPage](t, f.get(t, "/api/v1/audit?action=user.create&record_id="+id)); len(got.Items) != 1 {
		t.Errorf("by action: %+v", got)
	}

	// By user: the clerk's own sign-in, not the admin's writes.
	if r := f.login(t, "clerk", "wrong password!!"); r.status != http.StatusUnauthorized {
		t.Fatalf("failed sign-in: %d", r.status)
	}
	f.user(t, "other", auth.AllSites(), auth.RoleAuditor)
	var other int64
	for _, u := range decode[list[auth.User]](t, f.get(t, "/api/v1/users")).Items {
		if u.Name == "other" {
			other = u.ID
		}
	}
	got := decode[auditPage](t, f.get(t, "/api/v1/audit?user="+strconv.FormatInt(other, 10)))
	if len(got.Items) == 0 {
		t.Fatal("no entries of the other user")
	}
	for _, a := range got.Items {
		if a.UserID != other {
			t.Errorf("entry of user %d in the search for %d", a.UserID, other)
		}
	}
	// By time: [from, to).
	q := url.Values{"from": {start.Format(time.RFC3339Nano)}, "to": {time.Now().UTC().Add(time.Minute).Format(time.RFC3339)}}
	if got := decode[auditPage](t, f.get(t, "/api/v1/audit?"+q.Encode())); len(got.Items) < 3 {
		t.Errorf("from start to now: %d entries", len(got.Items))
	}
	q = url.Values{"to": {start.Format(time.RFC3339Nano)}}
	for _, a := range decode[auditPage](t, f.get(t, "/api/v1/audit?"+q.Encode())).Items {
		if !a.At.Before(start) {
			t.Errorf("entry at %v, not before %v", a.At, start)
		}
	}
	q = url.Values{"from": {time.Now().Add(time.Hour).Format(time.RFC3339)}}
	if r := f.get(t, "/api/v1/audit?"+q.Encode()); string(r.body) != `{"items":[]}`+"\n" {
		t.Errorf("from the future: %s", r.body)
	}

	// Paging with before_id walks every entry once.
	all := decode[auditPage](t, f.get(t, "/api/v1/audit?limit=1000")).Items
	var walked []int64
	next := ""
	for range len(all) + 1 {
		page := decode[auditPage](t, f.get(t, "/api/v1/audit?limit=2"+next))
		for _, a := range page.Items {
			walked = append(walked, a.ID)
		}
		if page.NextBeforeID == 0 {
			break
		}
		next = "&before_id=" + strconv.FormatInt(page.NextBeforeID, 10)
	}
	if len(walked) != len(all) || len(all) < 5 {
		t.Fatalf("walked %d entries, there are %d", len(walked), len(all))
	}
	for i := range all {
		if walked[i] != all[i].ID {
			t.Fatalf("entry %d: walked %d, want %d", i, walked[i], all[i].ID)
		}
	}

	checkBadInputs(t, f, []badInput{
		{"limit zero", "GET", "/api/v1/audit?limit=0", "", []string{"query.limit"}},
		{"limit too large", "GET", "/api/v1/audit?limit=1001", "", []string{"query.limit"}},
		{"user not a number", "GET", "/api/v1/audit?user=admin", "", []string{"query.user"}},
		{"bad time", "GET", "/api/v1/audit?from=yesterday", "", []string{"query.from"}},
		{"before_id zero", "GET", "/api/v1/audit?before_id=0", "", []string{"query.before_id"}},
		{"action too long", "GET", "/api/v1/audit?action=" + strings.Repeat("a", 65), "", []string{"query.action"}},
		{"export bad time", "GET", "/api/v1/audit/export?to=now", "", []string{"query.to"}},
	})
	// from after to: the service's rule, 400 (JSON also for the export).
	q = url.Values{"from": {time.Now().Format(time.RFC3339)}, "to": {start.Format(time.RFC3339)}}
	checkError(t, f.get(t, "/api/v1/audit?"+q.Encode()), http.StatusBadRequest, "invalid")
	r = f.get(t, "/api/v1/audit/export?"+q.Encode())
	checkError(t, r, http.StatusBadRequest, "invalid")
	if r.header.Get("Content-Disposition") != "" {
		t.Errorf("an error is offered as a download: %v", r.header)
	}
}

func TestAuditExport(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"clerk", "buyer"} {
		mustStatus(t, f.write(t, http.MethodPost, "/api/v1/users", `{"name":"`+name+`","display_name":"=1+1","roles":[],"scope":{"all":true}}`),
			http.StatusCreated)
	}
	r := f.get(t, "/api/v1/audit/export?action=user.create")
	mustStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="audit-`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.HasPrefix(r.body, []byte("\ufeff")) {
		t.Fatalf("no byte order mark: %q", r.body[:min(len(r.body), 20)])
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, then the two creations, newest first, and the bootstrap's.
	if len(recs) != 4 || recs[0][0] != "id" || recs[0][6] != "action" {
		t.Fatalf("csv %v", recs)
	}
	for _, rec := range recs[1:] {
		if rec[6] != "user.create" {
			t.Errorf("row %v", rec)
		}
	}
	if !strings.Contains(recs[1][10], `"name":"buyer"`) || !strings.Contains(recs[1][10], `"=1+1"`) || recs[1][3] != "admin" {
		t.Errorf("newest row %v", recs[1])
	}
	// An empty result is the header alone.
	r = f.get(t, "/api/v1/audit/export?action=nothing.done")
	if mustStatus(t, r, http.StatusOK); string(r.body) != "\ufeffid,time,user_id,user,token_id,addr,action,record_type,record_id,before,after\n" {
		t.Errorf("empty export %q", r.body)
	}
	// audit.view alone does not export.
	if _, err := f.auth.CreateRole(t.Context(), f.admin, auth.Role{Name: "reader", Permissions: []auth.Permission{"audit.view"}}); err != nil {
		t.Fatal(err)
	}
	tok := f.user(t, "reader", auth.AllSites(), "reader")
	mustStatus(t, f.send(t, http.MethodGet, "/api/v1/audit", "", withToken(tok)), http.StatusOK)
	checkError(t, f.send(t, http.MethodGet, "/api/v1/audit/export", "", withToken(tok)), http.StatusForbidden, "forbidden", "audit.export")
}

func TestLockoutsOverHTTP(t *testing.T) {
	f := newFixture(t)
	f.user(t, "clerk", auth.AllSites(), auth.RoleWarehouse)
	before := time.Now().UTC().Add(-time.Second)
	// testLockout locks a name at the third failure.
	for range 3 {
		f.login(t, "clerk", "not the password")
	}
	checkError(t, f.login(t, "clerk", testPassword), http.StatusTooManyRequests, "locked")
	r := f.get(t, "/api/v1/lockouts")
	ls := decode[list[auth.Lockout]](t, r)
	if ls.Total != 1 || ls.Items[0].Kind != auth.LockUser || ls.Items[0].Key != "clerk" || ls.Items[0].Failures != 3 {
		t.Fatalf("lockouts %s", r.body)
	}
	q := url.Values{"since": {before.Format(time.RFC3339Nano)}}
	if got := decode[list[auth.Lockout]](t, f.get(t, "/api/v1/lockouts?"+q.Encode())); got.Total != 1 {
		t.Errorf("since before: %+v", got)
	}
	q = url.Values{"since": {time.Now().Add(time.Hour).Format(time.RFC3339)}}
	if r := f.get(t, "/api/v1/lockouts?"+q.Encode()); string(r.body) != `{"items":[],"total":0}`+"\n" {
		t.Errorf("since the future: %s", r.body)
	}
	id := strconv.FormatInt(ls.Items[0].ID, 10)
	mustStatus(t, f.write(t, http.MethodDelete, "/api/v1/lockouts/"+id, ""), http.StatusNoContent)
	if r := f.login(t, "clerk", testPassword); r.status != http.StatusOK {
		t.Errorf("sign-in after clearing: %d %s", r.status, r.body)
	}
	got := decode[list[auth.Lockout]](t, f.get(t, "/api/v1/lockouts"))
	if got.Total != 1 || got.Items[0].Cleared.IsZero() || got.Items[0].ClearedBy != "admin" {
		t.Errorf("cleared lockout %+v", got)
	}
	if a := decode[auditPage](t, f.get(t, "/api/v1/audit?action=lockout.clear&record_id="+id)); len(a.Items) != 1 {
		t.Errorf("clearing not audited: %+v", a)
	}
	checkError(t, f.write(t, http.MethodDelete, "/api/v1/lockouts/999", ""), http.StatusNotFound, "not_found")
	checkBadInputs(t, f, []badInput{
		{"bad since", "GET", "/api/v1/lockouts?since=today", "", []string{"query.since"}},
		{"bad id", "DELETE", "/api/v1/lockouts/one", "", []string{"path.id"}},
		{"bad limit", "GET", "/api/v1/lockouts?limit=5000", "", []string{"query.limit"}},
	})
}

func TestAdminOpenAPI(t *testing.T) {
	f := newFixture(t)
	r := f.send(t, http.MethodGet, "/api/v1/openapi.json", "", nil)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
			Description string `json:"description"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	keyed := func(path, method string) bool {
		for _, p := range doc.Paths[path][method].Parameters {
			if p.Name == httpapi.IdempotencyHeader && p.In == "header" {
				return true
			}
		}
		return false
	}
	for _, op := range []struct{ path, method, perm string }{
		{"/api/v1/users", "get", "user.view"}, {"/api/v1/users", "post", "user.edit"},
		{"/api/v1/users/{id}", "get", "user.view"}, {"/api/v1/users/{id}", "put", "user.edit"},
		{"/api/v1/users/{id}/password", "post", "user.edit"}, {"/api/v1/users/{id}/tokens", "get", "user.view"},
		{"/api/v1/roles", "get", "role.view"}, {"/api/v1/roles", "post", "role.edit"},
		{"/api/v1/roles/{name}", "put", "role.edit"}, {"/api/v1/roles/{name}", "delete", "role.edit"},
		{"/api/v1/permissions", "get", ""}, {"/api/v1/audit", "get", "audit.view"}, {"/api/v1/audit/export", "get", "audit.export"},
		{"/api/v1/lockouts", "get", "user.view"}, {"/api/v1/lockouts/{id}", "delete", "user.edit"},
	} {
		o, ok := doc.Paths[op.path][op.method]
		if !ok {
			t.Errorf("document lacks %s %s", op.method, op.path)
			continue
		}
		if op.perm != "" && !strings.Contains(o.Description, "Needs the permission "+op.perm) {
			t.Errorf("%s %s does not name %s: %q", op.method, op.path, op.perm, o.Description)
		}
		if keyed(op.path, op.method) != (op.method == "post") {
			t.Errorf("%s %s: Idempotency-Key documented %v", op.method, op.path, keyed(op.path, op.method))
		}
	}
	if !keyed("/api/v1/auth/tokens", "post") || keyed("/api/v1/auth/login", "post") {
		t.Error("Idempotency-Key: want it on every POST but sign-in")
	}
}
