package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/httpapi"
	"github.com/jxc-edge/jxc/cloud/postgres"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// benchPath is the operation every authentication benchmark asks: a
// cheap read (stock.view checked, the in-memory fake store asked once).
const benchPath = "/api/v1/stock?site=s1"

// benchAuth is an auth service on a store with tenant acme's admin
// signed in: session is the cookie's token, token an API token.
type benchAuth struct {
	svc            *auth.Service
	session, token string
}

func newBenchAuth(b *testing.B, store auth.Store) benchAuth {
	b.Helper()
	ctx := context.Background()
	svc := auth.New(store, auth.Options{Hash: cheap})
	if _, err := svc.Bootstrap(ctx, "acme", testPassword); err != nil {
		b.Fatal(err)
	}
	si, err := svc.SignIn(ctx, "acme", "admin", testPassword, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	p, err := svc.AuthenticateSession(ctx, si.Token, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	_, tok, err := svc.CreateToken(ctx, p, auth.NewToken{Name: "bench", Permissions: []auth.Permission{"stock.view"}})
	if err != nil {
		b.Fatal(err)
	}
	return benchAuth{svc: svc, session: si.Token, token: tok}
}

// benchStores opens the auth stores the benchmark compares: SQLite in a
// temporary directory and PostgreSQL ($JXC_TEST_POSTGRES, as the store
// tests).
func benchStores(b *testing.B) []struct {
	name  string
	store auth.Store
} {
	b.Helper()
	quiet := slog.New(slog.DiscardHandler)
	lite, err := sqlite.Open(filepath.Join(b.TempDir(), "auth.db"), sqlite.Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lite.Close() })
	pg, err := postgres.Open(context.Background(), testenv.PostgresDSN(b), postgres.Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pg.Close() })
	return []struct {
		name  string
		store auth.Store
	}{{"sqlite", lite.Auth()}, {"postgres", pg.Auth()}}
}

// benchHandler is the API's whole handler over a and the fake store.
func benchHandler(a httpapi.Auth) http.Handler {
	store := &fakeStore{rows: []cloud.StockRow{rowA, rowB, rowC, rowD}}
	return httpapi.New(store, a, httpapi.Options{DefaultTenant: "acme"}).Handler()
}

// runRequests serves b.N requests made by prepare and reports µs/req.
func runRequests(b *testing.B, h http.Handler, prepare func(*http.Request)) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, benchPath, nil)
		req.RemoteAddr = "192.0.2.1:40000"
		prepare(req)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e3, "µs/req")
}

// BenchmarkAuthRequest is the cost of one authenticated request through
// the API's whole handler, by store and credential: the session cookie
// (session, user and roles read) or an API token (token, user and roles
// read). BenchmarkAuthRequestRaw is the same request and handler work
// without authentication; the difference is what authentication costs.
func BenchmarkAuthRequest(b *testing.B) {
	for _, st := range benchStores(b) {
		ba := newBenchAuth(b, st.store)
		h := benchHandler(ba.svc)
		b.Run(st.name+"/session", func(b *testing.B) {
			runRequests(b, h, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: ba.session}) })
		})
		b.Run(st.name+"/token", func(b *testing.B) {
			runRequests(b, h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+ba.token) })
		})
	}
}

// fixedAuth authenticates every API token as the one principal, reading
// nothing: the raw limit of BenchmarkAuthRequest.
type fixedAuth struct {
	httpapi.Auth
	p *auth.Principal
}

func (a fixedAuth) AuthenticateToken(ctx context.Context, token, addr string) (*auth.Principal, error) {
	return a.p, nil
}

// BenchmarkAuthRequestRaw serves BenchmarkAuthRequest's request through
// the same handler (middleware, permission check, operation) with an auth
// service that knows the principal without reading anything.
func BenchmarkAuthRequestRaw(b *testing.B) {
	lite, err := sqlite.Open(filepath.Join(b.TempDir(), "auth.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	ba := newBenchAuth(b, lite.Auth())
	p, err := ba.svc.AuthenticateToken(context.Background(), ba.token, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	h := benchHandler(fixedAuth{Auth: ba.svc, p: p})
	runRequests(b, h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+ba.token) })
}
