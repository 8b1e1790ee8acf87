package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/httpapi"
)

// login signs name in over HTTP and returns the answer.
func (f *fixture) login(t *testing.T, name, password string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": name, "password": password})
	return f.send(t, http.MethodPost, "/api/v1/auth/login", string(body), nil)
}

// cookie returns the session cookie a sign-in answer set.
func cookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == httpapi.SessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", httpapi.SessionCookie, r.header)
	return nil
}

func withCookie(c *http.Cookie, csrf string) func(*http.Request) {
	return func(r *http.Request) {
		r.AddCookie(c)
		if csrf != "" {
			r.Header.Set(httpapi.CSRFHeader, csrf)
		}
	}
}

func withToken(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func TestLoginSetsCookie(t *testing.T) {
	f := newFixture(t)
	r := f.login(t, "admin", testPassword)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	c := cookie(t, r)
	raw := strings.Join(r.header.Values("Set-Cookie"), "; ")
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.Expires.IsZero() {
		t.Errorf("cookie %s: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP, Expires", raw)
	}
	me := decode[httpapi.Me](t, r)
	if me.User != "admin" || me.Tenant != "acme" || me.CSRFToken == "" || !me.Sites.All ||
		!slices.Contains(me.Permissions, auth.Permission("stock.view")) || me.MustChangePassword {
		t.Errorf("sign-in body %+v", me)
	}
	// The cookie reads; /me gives the CSRF token again for a reloaded page.
	if r := f.send(t, http.MethodGet, "/api/v1/auth/me", "", withCookie(c, "")); r.status != 200 ||
		decode[httpapi.Me](t, r).CSRFToken != me.CSRFToken {
		t.Errorf("me: %d %s", r.status, r.body)
	}
	if r := f.send(t, http.MethodGet, "/api/v1/stock", "", withCookie(c, "")); r.status != 200 {
		t.Errorf("stock with the cookie: %d %s", r.status, r.body)
	}
	// A write with the cookie needs the CSRF header.
	r = f.send(t, http.MethodPost, "/api/v1/auth/logout", "", withCookie(c, ""))
	checkError(t, r, http.StatusForbidden, "csrf", "CSRF")
	r = f.send(t, http.MethodPost, "/api/v1/auth/logout", "", withCookie(c, "wrong"))
	checkError(t, r, http.StatusForbidden, "csrf")
	r = f.send(t, http.MethodPost, "/api/v1/auth/logout", "", withCookie(c, me.CSRFToken))
	if r.status >= 300 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if gone := cookie(t, r); gone.MaxAge >= 0 && gone.Value != "" {
		t.Errorf("logout did not delete the cookie: %+v", gone)
	}
	checkError(t, f.send(t, http.MethodGet, "/api/v1/stock", "", withCookie(c, "")), http.StatusUnauthorized, "unauthenticated")
}

func TestLoginFailures(t *testing.T) {
	f := newFixture(t)
	wrong := f.login(t, "admin", "not the password")
	unknown := f.login(t, "nobody", "not the password")
	checkError(t, wrong, http.StatusUnauthorized, "bad_credentials")
	checkError(t, unknown, http.StatusUnauthorized, "bad_credentials")
	if string(wrong.body) != string(unknown.body) {
		t.Errorf("wrong password %s, unknown user %s: want the same answer", wrong.body, unknown.body)
	}
	if len(wrong.header.Values("Set-Cookie")) != 0 {
		t.Errorf("failed sign-in set a cookie")
	}
	// Bad input is the one error shape, naming the field.
	r := f.send(t, http.MethodPost, "/api/v1/auth/login", `{"username":"admin"}`, nil)
	checkError(t, r, http.StatusBadRequest, "invalid")
	r = f.send(t, http.MethodPost, "/api/v1/auth/login", `{"username":"admin","password":"x","extra":1}`, nil)
	checkError(t, r, http.StatusBadRequest, "invalid")
	if e := decode[httpapi.Error](t, r); !strings.Contains(e.Field, "extra") && !strings.Contains(e.Message, "extra") {
		t.Errorf("unknown field not named: %s", r.body)
	}
	// A key given twice is refused, not "last one wins": the right
	// password after a wrong one signs nobody in.
	r = f.send(t, http.MethodPost, "/api/v1/auth/login", `{"username":"admin","password":"x","password":"`+testPassword+`"}`, nil)
	checkError(t, r, http.StatusBadRequest, "duplicate_field")
	if e := decode[httpapi.Error](t, r); !strings.Contains(e.Message, "password") || !strings.Contains(e.MessageZH, "两次") {
		t.Errorf("duplicate key answer %s, want it named in both languages", r.body)
	}
}

func TestLoginLockout(t *testing.T) {
	f := newFixture(t)
	// testLockout locks the name at the third failure.
	for range 2 {
		checkError(t, f.login(t, "admin", "guess guess guess"), http.StatusUnauthorized, "bad_credentials")
	}
	r := f.login(t, "admin", "guess guess guess")
	checkError(t, r, http.StatusTooManyRequests, "locked")
	// Locked: even the right password is refused, with Retry-After.
	r = f.login(t, "admin", testPassword)
	checkError(t, r, http.StatusTooManyRequests, "locked")
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 60 {
		t.Errorf("Retry-After = %q, want the lock's seconds", r.header.Get("Retry-After"))
	}
}

func TestCredentialsRequired(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/api/v1/stock", "/api/v1/replicas", "/api/v1/count-conflicts", "/api/v1/epcs/E1", "/api/v1/auth/me", "/metrics"} {
		checkError(t, f.send(t, http.MethodGet, path, "", nil), http.StatusUnauthorized, "unauthenticated")
		checkError(t, f.send(t, http.MethodGet, path, "", withToken("jxc_nottoken_x")), http.StatusUnauthorized, "unauthenticated")
		checkError(t, f.send(t, http.MethodGet, path, "", withCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: "gone"}, "")),
			http.StatusUnauthorized, "unauthenticated")
	}
	if f.store.filter != (cloud.StockFilter{}) {
		t.Errorf("the store was asked without credentials")
	}
	for _, path := range []string{"/healthz", "/api/v1/openapi.json"} {
		if r := f.send(t, http.MethodGet, path, "", nil); r.status != http.StatusOK {
			t.Errorf("%s: %d, want open", path, r.status)
		}
	}
}

func TestMetricsOpenSetting(t *testing.T) {
	f := newFixtureOpts(t, httpapi.Options{MetricsOpen: true})
	if r := f.send(t, http.MethodGet, "/metrics", "", nil); r.status != http.StatusOK {
		t.Errorf("open /metrics: %d %s", r.status, r.body)
	}
}

func TestForbiddenNamesPermission(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.auth.CreateRole(ctx, f.admin, auth.Role{Name: "sites_only", Permissions: []auth.Permission{"site.view"}}); err != nil {
		t.Fatal(err)
	}
	tok := f.user(t, "clerk", auth.AllSites(), "sites_only")
	r := f.send(t, http.MethodGet, "/api/v1/stock", "", withToken(tok))
	checkError(t, r, http.StatusForbidden, "forbidden", "stock.view")
	e := decode[httpapi.Error](t, r)
	if e.Permission != "stock.view" || !strings.Contains(e.MessageZH, "stock.view") || !strings.Contains(e.MessageZH, "缺少权限") {
		t.Errorf("403 body %s: want the permission named in both languages", r.body)
	}
	checkError(t, f.send(t, http.MethodGet, "/api/v1/replicas", "", withToken(tok)), http.StatusForbidden, "forbidden", "device.view")
	checkError(t, f.send(t, http.MethodGet, "/api/v1/count-conflicts", "", withToken(tok)), http.StatusForbidden, "forbidden", "inventory.view")
	checkError(t, f.send(t, http.MethodGet, "/metrics", "", withToken(tok)), http.StatusForbidden, "forbidden", "audit.view")
	// Another tenant's data is refused by name.
	checkError(t, f.get(t, "/api/v1/stock?tenant=zeta"), http.StatusForbidden, "forbidden", "zeta")
}

func TestScopedUser(t *testing.T) {
	f := newFixture(t)
	tok := f.user(t, "s2clerk", auth.SitesScope("s2"), auth.RoleWarehouse)
	r := f.send(t, http.MethodGet, "/api/v1/stock", "", withToken(tok))
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if got := decode[httpapi.StockResponse](t, r); !slices.Equal(got.Rows, []cloud.StockRow{rowC}) {
		t.Errorf("scoped stock = %+v, want only site s2's %+v", got.Rows, rowC)
	}
	r = f.send(t, http.MethodGet, "/api/v1/stock?site=s1", "", withToken(tok))
	checkError(t, r, http.StatusForbidden, "forbidden", "s1")
	if e := decode[httpapi.Error](t, r); e.Site != "s1" {
		t.Errorf("403 body %s: want site s1", r.body)
	}
	// The scope holds for API tokens of the user too, and for replicas.
	r = f.send(t, http.MethodGet, "/api/v1/replicas", "", withToken(tok))
	if got := decode[httpapi.ReplicasResponse](t, r); r.status != 200 || len(got.Replicas) != 1 || got.Replicas[0].Site != "s2" {
		t.Errorf("scoped replicas: %d %s", r.status, r.body)
	}
}

func TestRevokedToken(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	tk, tok, err := f.auth.CreateToken(ctx, f.admin, auth.NewToken{Name: "integration", Permissions: []auth.Permission{"stock.view"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := f.send(t, http.MethodGet, "/api/v1/stock", "", withToken(tok)); r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	// A token needs no CSRF header for a write.
	if r := f.send(t, http.MethodPost, "/api/v1/auth/logout", "", withToken(tok)); r.status >= 300 {
		t.Errorf("token write: %d %s", r.status, r.body)
	}
	if err := f.auth.RevokeToken(ctx, f.admin, tk.ID); err != nil {
		t.Fatal(err)
	}
	checkError(t, f.send(t, http.MethodGet, "/api/v1/stock", "", withToken(tok)), http.StatusUnauthorized, "unauthenticated", "revoked")
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	r := f.login(t, "admin", testPassword)
	c, csrf := cookie(t, r), decode[httpapi.Me](t, r).CSRFToken
	body := `{"old_password":"wrong wrong wrong","new_password":"a brand new passphrase"}`
	checkError(t, f.send(t, http.MethodPost, "/api/v1/auth/password", body, withCookie(c, csrf)), http.StatusUnauthorized, "bad_credentials")
	body = `{"old_password":"` + testPassword + `","new_password":"a brand new passphrase"}`
	if r := f.send(t, http.MethodPost, "/api/v1/auth/password", body, withCookie(c, csrf)); r.status >= 300 {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := f.login(t, "admin", "a brand new passphrase"); r.status != http.StatusOK {
		t.Errorf("sign-in with the new password: %d %s", r.status, r.body)
	}
}

func TestOpenAPI(t *testing.T) {
	f := newFixture(t)
	r := f.send(t, http.MethodGet, "/api/v1/openapi.json", "", nil)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || r.status != 200 {
		t.Fatalf("openapi.json: %d %v", r.status, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1", doc.OpenAPI)
	}
	for path, method := range map[string]string{"/api/v1/stock": "get", "/api/v1/replicas": "get", "/api/v1/count-conflicts": "get",
		"/api/v1/epcs/{epc}": "get", "/api/v1/auth/login": "post", "/api/v1/auth/logout": "post", "/api/v1/auth/me": "get",
		"/api/v1/auth/password": "post", "/api/v1/auth/tokens": "post", "/api/v1/auth/tokens/{id}": "delete", "/healthz": "get"} {
		if doc.Paths[path][method] == nil {
			t.Errorf("document lacks %s %s", method, path)
		}
	}
	e, ok := doc.Components.Schemas["Error"]
	if !ok {
		t.Fatalf("no Error schema; schemas %v", doc.Components.Schemas)
	}
	for _, p := range []string{"error", "error_zh", "code", "field", "permission", "site"} {
		if e.Properties[p] == nil {
			t.Errorf("Error schema lacks %q", p)
		}
	}
	if doc.Components.SecuritySchemes["session"] == nil || doc.Components.SecuritySchemes["token"] == nil {
		t.Errorf("security schemes %v", doc.Components.SecuritySchemes)
	}
	// The browsable docs are the console's (cloud/webui), not the API's.
	if r = f.send(t, http.MethodGet, "/api/docs", "", nil); r.status != http.StatusNotFound {
		t.Errorf("/api/docs from the API: %d, want 404 (the console serves it)", r.status)
	}
}

func TestTokensOverHTTP(t *testing.T) {
	f := newFixture(t)
	r := f.login(t, "admin", testPassword)
	c, csrf := cookie(t, r), decode[httpapi.Me](t, r).CSRFToken
	body := `{"name":"erp","permissions":["stock.view"]}`
	checkError(t, f.send(t, http.MethodPost, "/api/v1/auth/tokens", body, withCookie(c, "")), http.StatusForbidden, "csrf")
	r = f.send(t, http.MethodPost, "/api/v1/auth/tokens", body, withCookie(c, csrf))
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var made struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(r.body, &made); err != nil || !strings.HasPrefix(made.Secret, "jxc_") {
		t.Fatalf("create body %s", r.body)
	}
	if r := f.send(t, http.MethodGet, "/api/v1/stock", "", withToken(made.Secret)); r.status != http.StatusOK {
		t.Fatalf("new token: %d %s", r.status, r.body)
	}
	// It holds only stock.view; a token cannot make tokens.
	checkError(t, f.send(t, http.MethodGet, "/api/v1/replicas", "", withToken(made.Secret)), http.StatusForbidden, "forbidden", "device.view")
	checkError(t, f.send(t, http.MethodPost, "/api/v1/auth/tokens", body, withToken(made.Secret)), http.StatusForbidden, "forbidden")
	if r := f.send(t, http.MethodGet, "/api/v1/auth/tokens", "", withCookie(c, "")); r.status != 200 || strings.Contains(string(r.body), made.Secret) ||
		!strings.Contains(string(r.body), `"erp"`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	path := "/api/v1/auth/tokens/" + strconv.FormatInt(made.ID, 10)
	if r := f.send(t, http.MethodDelete, path, "", withCookie(c, csrf)); r.status >= 300 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	checkError(t, f.send(t, http.MethodGet, "/api/v1/stock", "", withToken(made.Secret)), http.StatusUnauthorized, "unauthenticated")
}
