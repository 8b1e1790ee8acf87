package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/internal/password"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

var _ httpapi.AuthStore = (*sqlite.AuthStore)(nil)

// cheap keeps argon2 fast in tests; a hash carries its own parameters.
var cheap = password.Params{Memory: 1024, Time: 1, Threads: 1}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// siteUser is a user record as the cloud publishes it.
type siteUser struct {
	name, password string
	rec            *pb.UserRecord
}

// authEnv is an agent API over a real ledger and auth store in one data
// folder, with the site's users applied as master records (no broker:
// sign-in is offline).
type authEnv struct {
	dir    string
	ledger *sqlite.Ledger
	store  *sqlite.AuthStore
	clock  *clock
	srv    *httptest.Server
	api    *httpapi.Server
	rev    uint64
}

func newAuthEnv(t *testing.T, users ...siteUser) *authEnv {
	t.Helper()
	e := &authEnv{dir: t.TempDir(), clock: &clock{now: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)}}
	var err error
	if e.ledger, err = sqlite.Open(e.dir, sqlite.Options{Tenant: "t1", Site: "s1"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.ledger.Close() })
	e.applyUsers(t, users...)
	e.start(t)
	return e
}

// start serves the API with a newly opened auth store (as after a
// restart of the agent).
func (e *authEnv) start(t *testing.T) {
	t.Helper()
	st, err := sqlite.OpenAuth(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	e.api = httpapi.New(e.ledger, httpapi.Options{Auth: st, Now: e.clock.Now, DeviceTokens: map[string]string{"gate-1": testToken}})
	e.srv = httptest.NewServer(e.api)
	t.Cleanup(func() { e.srv.Close(); st.Close() })
}

// applyUsers applies the users' records as the next master batch.
func (e *authEnv) applyUsers(t *testing.T, users ...siteUser) {
	t.Helper()
	var recs []*pb.MasterRecord
	for _, u := range users {
		rec := proto.Clone(u.rec).(*pb.UserRecord)
		if u.password != "" {
			h, err := password.Hash(u.password, cheap)
			if err != nil {
				t.Fatal(err)
			}
			rec.PasswordHash = h
		}
		body, err := proto.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		e.rev++
		recs = append(recs, &pb.MasterRecord{Kind: syncproto.KindUser, Key: u.name, Revision: e.rev, Body: body})
	}
	from := e.rev - uint64(len(recs))
	ok, err := e.ledger.ApplyMaster(context.Background(), &pb.MasterBatch{Version: syncproto.Version, Tenant: "t1", Site: "s1",
		FromRev: from, ToRev: e.rev, Records: recs})
	if err != nil || !ok {
		t.Fatalf("apply users: %v, %v", ok, err)
	}
}

// call sends a request with token (none when empty) and returns the
// status and body.
func (e *authEnv) call(t *testing.T, method, path, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// signIn signs user in and returns the answer; it fails the test unless
// the status is 201.
func (e *authEnv) signIn(t *testing.T, user, pw string) httpapi.SessionResponse {
	t.Helper()
	b, _ := json.Marshal(httpapi.SignInRequest{User: user, Password: pw})
	status, body := e.call(t, http.MethodPost, "/api/v1/session", "", string(b))
	if status != http.StatusCreated {
		t.Fatalf("sign in %s: status %d, body %s", user, status, body)
	}
	var s httpapi.SessionResponse
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// apiError decodes an error body and checks its status, code and both
// languages.
func apiError(t *testing.T, status int, body []byte, wantStatus int, wantCode string) httpapi.Error {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", status, wantStatus, body)
	}
	var e httpapi.Error
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if e.Code != wantCode {
		t.Errorf("code = %q, want %q (%s)", e.Code, wantCode, body)
	}
	if e.Message == "" || e.MessageZH == "" || e.Message == e.MessageZH {
		t.Errorf("want a message in English and one in Chinese: %s", body)
	}
	return e
}

var (
	clerk = siteUser{"clerk", "clerk-pass-2026", &pb.UserRecord{DisplayName: "店员小王", Roles: []string{"cashier"},
		Permissions: []string{"product.view", "retail.edit", "retail.view", "stock.view"}, MaxDiscountPercent: 5}}
	gone   = siteUser{"gone", "gone-pass-2026", &pb.UserRecord{DisplayName: "离职", Disabled: true}}
	newbie = siteUser{"newbie", "first-pass-2026", &pb.UserRecord{DisplayName: "新人", MustChangePassword: true,
		Permissions: []string{"inventory.edit"}}}
)

// lastOperator returns the operator of the ledger's last own event.
func lastOperator(t *testing.T, l *sqlite.Ledger) string {
	t.Helper()
	evs, err := l.Events(context.Background(), l.LastSeq(), 1, 1<<20)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events: %v, %d", err, len(evs))
	}
	if m := evs[0].Msg.GetMovement(); m != nil {
		return m.GetOperator()
	}
	return evs[0].Msg.GetCount().GetOperator()
}

// TestSignIn: a user of the site signs in offline against the record
// the cloud published, works with the session (a movement or count
// without operator records the user), and signs out.
func TestSignIn(t *testing.T) {
	e := newAuthEnv(t, clerk, newbie)
	s := e.signIn(t, "clerk", clerk.password)
	if !strings.HasPrefix(s.Token, httpapi.SessionTokenPrefix) || s.User.Name != "clerk" || s.User.DisplayName != "店员小王" ||
		s.User.MaxDiscountPercent != 5 || len(s.User.Permissions) != 4 || s.User.Device || s.MustChangePassword {
		t.Errorf("sign-in answer %+v", s)
	}
	if want := e.clock.Now().Add(httpapi.DefaultSessionIdle); s.ExpiresAt == nil || !s.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v", s.ExpiresAt, want)
	}

	status, body := e.call(t, http.MethodGet, "/api/v1/session", s.Token, "")
	var me httpapi.SessionResponse
	if status != http.StatusOK || json.Unmarshal(body, &me) != nil || me.User.Name != "clerk" || me.Token != "" {
		t.Errorf("GET session: %d %s", status, body)
	}

	// Work is recorded under the signed-in user.
	if status, body := e.call(t, http.MethodPost, "/api/v1/movements", s.Token, `{"sku":"S","bin":"B","qty":3,"reason":"receive"}`); status != http.StatusCreated {
		t.Fatalf("movement: %d %s", status, body)
	}
	if op := lastOperator(t, e.ledger); op != "clerk" {
		t.Errorf("operator = %q, want clerk", op)
	}
	if status, body := e.call(t, http.MethodPost, "/api/v1/counts", s.Token, `{"sku":"S","bin":"B","counted":2,"operator":"clerk"}`); status != http.StatusCreated {
		t.Fatalf("count: %d %s", status, body)
	}
	// Naming someone else is refused to a user, allowed to a device.
	status, body = e.call(t, http.MethodPost, "/api/v1/movements", s.Token, `{"sku":"S","bin":"B","qty":1,"reason":"receive","operator":"boss"}`)
	if got := apiError(t, status, body, http.StatusForbidden, "other_operator"); got.Field != "body.operator" {
		t.Errorf("field = %q, want body.operator", got.Field)
	}
	if status, body := e.call(t, http.MethodPost, "/api/v1/movements", testToken, `{"sku":"S","bin":"B","qty":1,"reason":"receive","operator":"boss"}`); status != http.StatusCreated {
		t.Fatalf("device movement: %d %s", status, body)
	}
	if op := lastOperator(t, e.ledger); op != "boss" {
		t.Errorf("device's operator = %q, want boss", op)
	}

	// A user with a one-time password may work here; the answer says so.
	if n := e.signIn(t, "newbie", newbie.password); !n.MustChangePassword {
		t.Errorf("must_change_password not reported: %+v", n)
	}

	// Signing out ends the session.
	if status, body := e.call(t, http.MethodDelete, "/api/v1/session", s.Token, ""); status != http.StatusNoContent {
		t.Fatalf("sign out: %d %s", status, body)
	}
	status, body = e.call(t, http.MethodGet, "/api/v1/session", s.Token, "")
	apiError(t, status, body, http.StatusUnauthorized, "unauthenticated")
}

// TestSignInRefused: a wrong password and an unknown user get the same
// 401; a disabled user 403, only with the right password.
func TestSignInRefused(t *testing.T) {
	e := newAuthEnv(t, clerk, gone)
	post := func(user, pw string) (int, []byte) {
		b, _ := json.Marshal(httpapi.SignInRequest{User: user, Password: pw})
		return e.call(t, http.MethodPost, "/api/v1/session", "", string(b))
	}
	s1, wrong := post("clerk", "not-the-password")
	s2, unknown := post("nobody", "not-the-password")
	apiError(t, s1, wrong, http.StatusUnauthorized, "bad_credentials")
	apiError(t, s2, unknown, http.StatusUnauthorized, "bad_credentials")
	if !bytes.Equal(wrong, unknown) {
		t.Errorf("a wrong password and an unknown user answer differently:\n%s\n%s", wrong, unknown)
	}
	s3, body := post("gone", "wrong-too")
	apiError(t, s3, body, http.StatusUnauthorized, "bad_credentials")
	s4, body := post("gone", gone.password)
	apiError(t, s4, body, http.StatusForbidden, "disabled")
}

// TestLockout: the MaxSignInFailures-th failure within the window locks
// the user out of this agent, right password or not, until the lock
// ends; the answer says until when. Other users are not affected.
func TestLockout(t *testing.T) {
	e := newAuthEnv(t, clerk, newbie)
	b, _ := json.Marshal(httpapi.SignInRequest{User: "clerk", Password: "guess"})
	for i := 1; i < httpapi.MaxSignInFailures; i++ {
		status, body := e.call(t, http.MethodPost, "/api/v1/session", "", string(b))
		apiError(t, status, body, http.StatusUnauthorized, "bad_credentials")
		e.clock.add(time.Minute)
	}
	status, body := e.call(t, http.MethodPost, "/api/v1/session", "", string(b))
	got := apiError(t, status, body, http.StatusTooManyRequests, "locked")
	want := e.clock.Now().Add(httpapi.LockoutFor)
	if got.LockedUntil == nil || !got.LockedUntil.Equal(want) || !strings.Contains(got.Message, want.Format(time.RFC3339)) ||
		!strings.Contains(got.MessageZH, want.Format(time.RFC3339)) {
		t.Errorf("lock answer %s, want locked until %v", body, want)
	}
	right, _ := json.Marshal(httpapi.SignInRequest{User: "clerk", Password: clerk.password})
	status, body = e.call(t, http.MethodPost, "/api/v1/session", "", string(right))
	apiError(t, status, body, http.StatusTooManyRequests, "locked")
	e.signIn(t, "newbie", newbie.password)

	e.clock.add(httpapi.LockoutFor)
	e.signIn(t, "clerk", clerk.password)
}

// TestSessionExpiry: a session ends after DefaultSessionIdle without use;
// each use renews it; it survives a restart of the agent; it ends when
// the cloud disables the user.
func TestSessionExpiry(t *testing.T) {
	e := newAuthEnv(t, clerk)
	s := e.signIn(t, "clerk", clerk.password)
	for range 3 {
		e.clock.add(httpapi.DefaultSessionIdle - time.Hour)
		if status, body := e.call(t, http.MethodGet, "/api/v1/session", s.Token, ""); status != http.StatusOK {
			t.Fatalf("used within the idle time: %d %s", status, body)
		}
	}
	// A restart keeps the session.
	e.srv.Close()
	e.start(t)
	if status, body := e.call(t, http.MethodGet, "/api/v1/session", s.Token, ""); status != http.StatusOK {
		t.Fatalf("after a restart: %d %s", status, body)
	}
	e.clock.add(httpapi.DefaultSessionIdle + time.Second)
	status, body := e.call(t, http.MethodGet, "/api/v1/session", s.Token, "")
	apiError(t, status, body, http.StatusUnauthorized, "unauthenticated")

	// Disabled in the cloud: the next request ends the session.
	s = e.signIn(t, "clerk", clerk.password)
	off := clerk
	off.rec = proto.Clone(clerk.rec).(*pb.UserRecord)
	off.rec.Disabled = true
	e.applyUsers(t, off)
	status, body = e.call(t, http.MethodPost, "/api/v1/movements", s.Token, `{"sku":"S","bin":"B","qty":1,"reason":"receive"}`)
	apiError(t, status, body, http.StatusUnauthorized, "unauthenticated")
}

// TestWritesNeedCaller: every write is refused without credentials
// (bilingual 401), reads stay open, and a bad token is refused even on a
// read.
func TestWritesNeedCaller(t *testing.T) {
	e := newAuthEnv(t, clerk)
	for _, w := range []struct{ method, path, body string }{
		{http.MethodPost, "/api/v1/movements", `{"sku":"S","bin":"B","qty":1,"reason":"receive"}`},
		{http.MethodPost, "/api/v1/counts", `{"sku":"S","bin":"B","counted":1}`},
		{http.MethodPut, "/api/v1/products", `[{"gtin":"6901234567892","sku":"TEA"}]`},
		{http.MethodDelete, "/api/v1/session", ``},
	} {
		status, body := e.call(t, w.method, w.path, "", w.body)
		apiError(t, status, body, http.StatusUnauthorized, "unauthenticated")
	}
	if e.ledger.LastSeq() != 0 {
		t.Errorf("a refused write was recorded: last seq %d", e.ledger.LastSeq())
	}
	for _, path := range []string{"/api/v1/stock", "/api/v1/sync", "/api/v1/devices", "/api/v1/master/bin", "/healthz", "/api/v1/openapi.json"} {
		if status, body := e.call(t, http.MethodGet, path, "", ""); status != http.StatusOK {
			t.Errorf("GET %s without credentials: %d %s", path, status, body)
		}
	}
	status, body := e.call(t, http.MethodGet, "/api/v1/stock", "jxcs_not-a-session", "")
	apiError(t, status, body, http.StatusUnauthorized, "unauthenticated")
	// A device may not sign out (it has no session).
	status, body = e.call(t, http.MethodDelete, "/api/v1/session", testToken, "")
	apiError(t, status, body, http.StatusForbidden, "user_only")
}

// TestRequire: an operation another package registers demands a
// permission with Require: 403 naming it for a user without it; users
// with it and devices pass.
func TestRequire(t *testing.T) {
	e := newAuthEnv(t, clerk, newbie)
	type out struct {
		Body struct {
			Operator string `json:"operator"`
		}
	}
	httpapi.Register(e.api, huma.Operation{OperationID: "sale", Method: http.MethodPost, Path: "/api/v1/test-sales",
		DefaultStatus: http.StatusCreated}, httpapi.AccessCaller,
		func(ctx context.Context, in *struct {
			Body struct {
				Amount int64 `json:"amount" minimum:"1"`
			}
		}) (*out, error) {
			if err := httpapi.Require(ctx, "retail.edit"); err != nil {
				return nil, err
			}
			o := &out{}
			o.Body.Operator = httpapi.Caller(ctx).Name
			return o, nil
		})
	c := e.signIn(t, "clerk", clerk.password)
	n := e.signIn(t, "newbie", newbie.password)
	if status, body := e.call(t, http.MethodPost, "/api/v1/test-sales", c.Token, `{"amount":100}`); status != http.StatusCreated ||
		!strings.Contains(string(body), `"operator":"clerk"`) {
		t.Errorf("clerk: %d %s", status, body)
	}
	if status, body := e.call(t, http.MethodPost, "/api/v1/test-sales", testToken, `{"amount":100}`); status != http.StatusCreated {
		t.Errorf("device: %d %s", status, body)
	}
	status, body := e.call(t, http.MethodPost, "/api/v1/test-sales", n.Token, `{"amount":100}`)
	if got := apiError(t, status, body, http.StatusForbidden, "forbidden"); got.Permission != "retail.edit" ||
		!strings.Contains(got.MessageZH, "retail.edit") {
		t.Errorf("refusal %s does not name retail.edit", body)
	}
	// huma's own validation of the added operation: bilingual, naming
	// the field.
	status, body = e.call(t, http.MethodPost, "/api/v1/test-sales", c.Token, `{"amount":0}`)
	if got := apiError(t, status, body, http.StatusBadRequest, "invalid"); got.Field != "body.amount" || len(got.Errors) != 1 {
		t.Errorf("validation error %s does not name body.amount", body)
	}
}

// TestValidationErrors: huma's validation errors are bilingual and name
// the field; bodies keep the agent's strict decoding.
func TestValidationErrors(t *testing.T) {
	e := newAuthEnv(t, clerk)
	tests := []struct {
		name, body      string
		wantStatus      int
		wantCode, field string
		wantZH          string
	}{
		{"missing user", `{"password":"x"}`, 400, "invalid", "body.user", "缺少必填字段"},
		{"empty user", `{"user":"","password":"x"}`, 400, "invalid", "body.user", "长度至少为 1"},
		{"user too long", `{"user":"` + strings.Repeat("u", 129) + `","password":"x"}`, 400, "invalid", "body.user", "长度至多为 128"},
		{"user a number", `{"user":7,"password":"x"}`, 400, "bad_type", "body.user", "字符串"},
		{"unknown field", `{"user":"clerk","password":"x","tenant":"t"}`, 400, "unknown_field", "body.tenant", "未知字段"},
		{"duplicate field", `{"user":"clerk","user":"boss","password":"x"}`, 400, "duplicate_field", "body.user", "出现了两次"},
		{"malformed", `{"user":`, 400, "bad_json", "", "JSON 格式错误"},
		{"too large", `{"user":"` + strings.Repeat("u", httpapi.MaxBodyBytes) + `","password":"x"}`, 413, "too_large", "", "请求体超过"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.call(t, http.MethodPost, "/api/v1/session", "", tt.body)
			got := apiError(t, status, body, tt.wantStatus, tt.wantCode)
			if got.Field != tt.field || !strings.Contains(got.MessageZH, tt.wantZH) {
				t.Errorf("field %q (want %q), error_zh %q (want it to contain %q)", got.Field, tt.field, got.MessageZH, tt.wantZH)
			}
		})
	}
	// A query parameter of the wrong type, on an operation with one.
	status, body := e.call(t, http.MethodGet, "/api/v1/master/bin?limit=x", "", "")
	if got := apiError(t, status, body, http.StatusBadRequest, "bad_limit"); got.Field != "query.limit" {
		t.Errorf("field %q, want query.limit", got.Field)
	}
}

// TestOpenAPI: the document is served, lists every operation of the
// agent with its method, and documents the error body.
func TestOpenAPI(t *testing.T) {
	e := newAuthEnv(t)
	status, body := e.call(t, http.MethodGet, "/api/v1/openapi.json", "", "")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"/api/v1/movements":       {"post"},
		"/api/v1/counts":          {"post"},
		"/api/v1/stock":           {"get"},
		"/api/v1/products":        {"put"},
		"/api/v1/products/{gtin}": {"get"},
		"/api/v1/sync":            {"get"},
		"/api/v1/devices":         {"get"},
		"/api/v1/master/{kind}":   {"get"},
		"/api/v1/session":         {"post", "get", "delete"},
		"/healthz":                {"get"},
	}
	for path, methods := range want {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("the OpenAPI document lacks %s %s", strings.ToUpper(m), path)
			}
		}
	}
	if len(doc.Paths) != len(want) {
		t.Errorf("the document has %d paths, want %d", len(doc.Paths), len(want))
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	if post := doc.Paths["/api/v1/movements"]["post"]; post["security"] == nil {
		t.Error("POST /api/v1/movements does not say it needs a bearer token")
	}
	if !strings.Contains(string(body), `"error_zh"`) {
		t.Error("the document does not describe the bilingual error body")
	}
}
