package httpapi_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/httpapi"
)

// withKey sends the admin's token and an Idempotency-Key.
func (f *fixture) withKey(key string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+f.token)
		r.Header.Set(httpapi.IdempotencyHeader, key)
	}
}

// countUsers counts the users of acme named name.
func (f *fixture) countUsers(t *testing.T, name string) int {
	t.Helper()
	n := 0
	for _, u := range decode[list[auth.User]](t, f.get(t, "/api/v1/users")).Items {
		if u.Name == name {
			n++
		}
	}
	return n
}

func replayed(r response) bool { return r.header.Get(httpapi.ReplayedHeader) == "true" }

func TestIdempotentCreate(t *testing.T) {
	f := newFixture(t)
	body := `{"name":"clerk","password":"a long enough passphrase","roles":["warehouse"],"scope":{"all":true}}`
	first := f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("create-clerk-1"))
	mustStatus(t, first, http.StatusCreated)
	if replayed(first) {
		t.Error("the first answer is marked replayed")
	}
	again := f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("create-clerk-1"))
	mustStatus(t, again, http.StatusCreated)
	if !replayed(again) || string(again.body) != string(first.body) || again.header.Get("Location") != first.header.Get("Location") ||
		again.header.Get("Content-Type") != first.header.Get("Content-Type") {
		t.Errorf("retry: %v %s\nfirst: %v %s", again.header, again.body, first.header, first.body)
	}
	if n := f.countUsers(t, "clerk"); n != 1 {
		t.Errorf("%d users made by one key, want 1", n)
	}
	id := decode[createdUser](t, first).ID
	if a := decode[auditPage](t, f.get(t, "/api/v1/audit?action=user.create")); len(a.Items) != 2 || a.Items[0].RecordID != itoa(id) {
		t.Errorf("audit: %d user.create entries (want the clerk's and the bootstrap's)", len(a.Items))
	}

	// The same key for another request is refused, naming the first.
	other := strings.Replace(body, "clerk", "buyer", 1)
	r := f.send(t, http.MethodPost, "/api/v1/users", other, f.withKey("create-clerk-1"))
	checkError(t, r, http.StatusUnprocessableEntity, "idempotency_mismatch", "create-clerk-1", "/api/v1/users")
	r = f.send(t, http.MethodPost, "/api/v1/roles", `{"name":"r","title":"R","permissions":[]}`, f.withKey("create-clerk-1"))
	checkError(t, r, http.StatusUnprocessableEntity, "idempotency_mismatch")
	if f.countUsers(t, "buyer") != 0 {
		t.Error("a mismatched request ran")
	}
	// Keys are per user: another user's same key is theirs.
	tok := f.user(t, "manager", auth.AllSites(), auth.RoleAdministrator)
	r = f.send(t, http.MethodPost, "/api/v1/users", other, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header.Set(httpapi.IdempotencyHeader, "create-clerk-1")
	})
	if mustStatus(t, r, http.StatusCreated); replayed(r) || f.countUsers(t, "buyer") != 1 {
		t.Errorf("another user's key: %v %s", r.header, r.body)
	}
	// Without a key, nothing is kept: the second is a conflict.
	mustStatus(t, f.write(t, http.MethodPost, "/api/v1/users", strings.Replace(body, "clerk", "plain", 1)), http.StatusCreated)
	checkError(t, f.write(t, http.MethodPost, "/api/v1/users", strings.Replace(body, "clerk", "plain", 1)), http.StatusConflict, "exists")
	// Other methods ignore the header.
	path := "/api/v1/users/" + itoa(id)
	for range 2 {
		r := f.send(t, http.MethodPut, path, `{"display_name":"x"}`, f.withKey("put"))
		if mustStatus(t, r, http.StatusOK); replayed(r) {
			t.Error("a PUT was replayed")
		}
	}
}

// TestIdempotentSecrets checks that one-time secrets are not kept with a
// key: the replay lacks them.
func TestIdempotentSecrets(t *testing.T) {
	f := newFixture(t)
	first := f.send(t, http.MethodPost, "/api/v1/users", `{"name":"clerk","roles":[],"scope":{"all":true}}`, f.withKey("k1"))
	again := f.send(t, http.MethodPost, "/api/v1/users", `{"name":"clerk","roles":[],"scope":{"all":true}}`, f.withKey("k1"))
	made, replay := decode[createdUser](t, first), decode[createdUser](t, again)
	if len(made.Password) != 16 || replay.Password != "" || replay.ID != made.ID || !replayed(again) || again.status != http.StatusCreated {
		t.Errorf("first %s\nreplay %s: want the generated password only in the first", first.body, again.body)
	}

	// A token's secret likewise.
	r := f.login(t, "admin", testPassword)
	c, csrf := cookie(t, r), decode[httpapi.Me](t, r).CSRFToken
	send := func() response {
		return f.send(t, http.MethodPost, "/api/v1/auth/tokens", `{"name":"erp","permissions":["stock.view"]}`, func(r *http.Request) {
			withCookie(c, csrf)(r)
			r.Header.Set(httpapi.IdempotencyHeader, "token-1")
		})
	}
	t1, t2 := send(), send()
	a, b := decode[madeToken](t, t1), decode[madeToken](t, t2)
	if t1.status != 201 || t2.status != 201 || !strings.HasPrefix(a.Secret, "jxc_") || b.Secret != "" || a.ID != b.ID || !replayed(t2) {
		t.Errorf("token: first %s, replay %s", t1.body, t2.body)
	}
	if strings.Contains(string(t2.body), "jxc_") {
		t.Errorf("the replay holds the secret: %s", t2.body)
	}

	// A password reset: the password is not part of the request's hash,
	// so a retry with another password is the same request (replayed,
	// not run again).
	path := "/api/v1/users/" + itoa(made.ID) + "/password"
	r1 := f.send(t, http.MethodPost, path, `{"password":"first chosen phrase"}`, f.withKey("reset-1"))
	r2 := f.send(t, http.MethodPost, path, `{"password":"second chosen phrase"}`, f.withKey("reset-1"))
	if r1.status != 200 || r2.status != 200 || !replayed(r2) {
		t.Fatalf("reset: %d, retry %d %v", r1.status, r2.status, r2.header)
	}
	if r := f.login(t, "clerk", "first chosen phrase"); r.status != http.StatusOK {
		t.Errorf("the first password does not sign in: %d %s", r.status, r.body)
	}
}

func TestIdempotentErrors(t *testing.T) {
	f := newFixture(t)
	// A 4xx answer is kept: the retry gets it even after the cause is gone.
	body := `{"name":"clerk","roles":["counter"],"scope":{"all":true}}`
	r := f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("k4"))
	checkError(t, r, http.StatusBadRequest, "invalid", "counter")
	mustStatus(t, f.write(t, http.MethodPost, "/api/v1/roles", `{"name":"counter","title":"Counter","permissions":[]}`), http.StatusCreated)
	r2 := f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("k4"))
	if r2.status != http.StatusBadRequest || !replayed(r2) || string(r2.body) != string(r.body) {
		t.Errorf("retry of a 400: %d %v %s", r2.status, r2.header, r2.body)
	}
	mustStatus(t, f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("k5")), http.StatusCreated)

	// Bad keys are refused, naming the header; nothing runs.
	for name, set := range map[string]func(h http.Header){
		"empty":     func(h http.Header) { h.Set(httpapi.IdempotencyHeader, "") },
		"too long":  func(h http.Header) { h.Set(httpapi.IdempotencyHeader, strings.Repeat("k", 129)) },
		"not ASCII": func(h http.Header) { h.Set(httpapi.IdempotencyHeader, "clé") },
		"two":       func(h http.Header) { h.Add(httpapi.IdempotencyHeader, "a"); h.Add(httpapi.IdempotencyHeader, "b") },
	} {
		t.Run(name, func(t *testing.T) {
			r := f.send(t, http.MethodPost, "/api/v1/users", `{"name":"badkey","roles":[],"scope":{"all":true}}`, func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer "+f.token)
				set(r.Header)
			})
			checkError(t, r, http.StatusBadRequest, "invalid", httpapi.IdempotencyHeader)
			if e := decode[httpapi.Error](t, r); e.Field != "header."+httpapi.IdempotencyHeader || !hasHan(e.MessageZH) {
				t.Errorf("bad key answer %s", r.body)
			}
		})
	}
	if f.countUsers(t, "badkey") != 0 {
		t.Error("a request with a bad key ran")
	}
	// 128 printable characters are a key.
	k128 := strings.Repeat("~", 64) + strings.Repeat(" a", 32)
	mustStatus(t, f.send(t, http.MethodPost, "/api/v1/users", `{"name":"longkey","roles":[],"scope":{"all":true}}`, f.withKey(k128)),
		http.StatusCreated)

	// Sign-in has no principal: the header changes nothing.
	for range 2 {
		r := f.send(t, http.MethodPost, "/api/v1/auth/login", `{"username":"admin","password":"`+testPassword+`"}`, func(r *http.Request) {
			r.Header.Set(httpapi.IdempotencyHeader, "login")
		})
		if r.status != http.StatusOK || replayed(r) {
			t.Errorf("sign-in with a key: %d %v", r.status, r.header)
		}
	}
}

// flakyAuth fails CreateUser with an internal error while fail > 0, and
// holds the first call that gets through until release is closed (when
// gate is set).
type flakyAuth struct {
	httpapi.Auth
	mu      sync.Mutex
	fail    int
	gate    bool
	entered chan struct{}
	release chan struct{}
}

func (a *flakyAuth) CreateUser(ctx context.Context, p *auth.Principal, nu auth.NewUser) (auth.User, string, error) {
	a.mu.Lock()
	if a.fail > 0 {
		a.fail--
		a.mu.Unlock()
		return auth.User{}, "", errors.New("disk on fire")
	}
	hold := a.gate
	a.gate = false
	a.mu.Unlock()
	if hold {
		close(a.entered)
		<-a.release
	}
	return a.Auth.CreateUser(ctx, p, nu)
}

// serve makes f serve the API over a as its auth service.
func (f *fixture) serve(t *testing.T, a httpapi.Auth) {
	api := httpapi.New(f.store, a, httpapi.Options{Log: slog.New(slog.NewTextHandler(f.logs, nil)), DefaultTenant: "acme", Idempotency: f.idem})
	f.srv = httptest.NewServer(api.Handler())
	t.Cleanup(f.srv.Close)
}

func TestIdempotentServerError(t *testing.T) {
	f := newFixture(t)
	f.serve(t, &flakyAuth{Auth: f.auth, fail: 1})
	body := `{"name":"clerk","roles":[],"scope":{"all":true}}`
	checkError(t, f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("k")), http.StatusInternalServerError, "internal")
	// A 5xx released the key: the retry runs.
	r := f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("k"))
	if r.status != http.StatusCreated || replayed(r) || f.countUsers(t, "clerk") != 1 {
		t.Errorf("retry after a 500: %d %v %s", r.status, r.header, r.body)
	}
}

func TestIdempotentInProgress(t *testing.T) {
	f := newFixture(t)
	fa := &flakyAuth{Auth: f.auth, gate: true, entered: make(chan struct{}), release: make(chan struct{})}
	f.serve(t, fa)
	body := `{"name":"racer","roles":[],"scope":{"all":true}}`
	first := make(chan response, 1)
	go func() { first <- f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("race")) }()
	<-fa.entered
	// While the first runs, retries are told so and run nothing.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("race"))
			if r.status != http.StatusConflict || !strings.Contains(string(r.body), "idempotency_in_progress") {
				t.Errorf("while running: %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()
	close(fa.release)
	r := <-first
	mustStatus(t, r, http.StatusCreated)
	if again := f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("race")); again.status != http.StatusCreated || !replayed(again) {
		t.Errorf("after: %d %v", again.status, again.header)
	}
	if n := f.countUsers(t, "racer"); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}

func TestIdempotentConcurrent(t *testing.T) {
	f := newFixture(t)
	body := `{"name":"racer","roles":[],"scope":{"all":true}}`
	const n = 8
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- f.send(t, http.MethodPost, "/api/v1/users", body, f.withKey("same")).status
		}()
	}
	wg.Wait()
	close(statuses)
	created := 0
	for s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Errorf("status %d", s)
		}
	}
	if created == 0 || f.countUsers(t, "racer") != 1 {
		t.Errorf("%d answers 201, %d users; want at least one 201 and one user", created, f.countUsers(t, "racer"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// madeToken is the body of POST /api/v1/auth/tokens.
type madeToken struct {
	ID     int64  `json:"id"`
	Secret string `json:"secret"`
}
