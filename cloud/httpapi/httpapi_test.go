package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/httpapi"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

// fakeStore is an in-memory cloud.Store holding fixed rows and replicas.
// Setting err makes Stock and Replicas fail with it.
type fakeStore struct {
	mu       sync.Mutex
	rows     []cloud.StockRow
	replicas []cloud.ReplicaInfo
	err      error
	filter   cloud.StockFilter
	asked    [][2]string // tenant, site of every Replicas call
}

var _ cloud.Store = (*fakeStore)(nil)

func (s *fakeStore) ApplyBatch(ctx context.Context, b *syncproto.Batch) (cloud.Applied, error) {
	return cloud.Applied{}, errors.New("fake store: not implemented")
}

func (s *fakeStore) EventsAfter(ctx context.Context, r syncproto.ReplicaID, after uint64, limit int) ([]syncproto.Event, error) {
	return nil, nil
}

func (s *fakeStore) Replicas(ctx context.Context, tenant, site string) ([]cloud.ReplicaInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, [2]string{tenant, site})
	if s.err != nil {
		return nil, s.err
	}
	var out []cloud.ReplicaInfo
	for _, r := range s.replicas {
		if tenant != "" && site != "" && (r.Tenant != tenant || r.Site != site) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *fakeStore) Stock(ctx context.Context, f cloud.StockFilter) ([]cloud.StockRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filter = f
	if s.err != nil {
		return nil, s.err
	}
	var out []cloud.StockRow
	for _, r := range s.rows {
		if (f.Tenant == "" || f.Tenant == r.Tenant) && (f.Site == "" || f.Site == r.Site) &&
			(f.SKU == "" || f.SKU == r.SKU) && (f.Bin == "" || f.Bin == r.Bin) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *fakeStore) CountConflicts(ctx context.Context, f cloud.ConflictFilter) ([]cloud.CountConflict, error) {
	return nil, s.err
}

func (s *fakeStore) EPCLocation(ctx context.Context, tenant, epc string) (cloud.EPCLocation, bool, error) {
	return cloud.EPCLocation{}, false, s.err
}

func (s *fakeStore) setErr(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// calls returns the last stock filter and every Replicas call seen.
func (s *fakeStore) calls() (cloud.StockFilter, [][2]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filter, slices.Clone(s.asked)
}

func (s *fakeStore) RebuildOnHand(ctx context.Context) error { return nil }
func (s *fakeStore) Close() error                            { return nil }

var (
	t0    = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	rowA  = cloud.StockRow{Tenant: "acme", Site: "s1", Bin: "A", SKU: "P1", Qty: 10}
	rowB  = cloud.StockRow{Tenant: "acme", Site: "s1", Bin: "B", SKU: "P2", Lot: "L1", Qty: -3}
	rowC  = cloud.StockRow{Tenant: "acme", Site: "s2", Bin: "A", SKU: "P1", Qty: 4}
	rowD  = cloud.StockRow{Tenant: "zeta", Site: "s1", Bin: "A", SKU: "P1", Qty: 1}
	repl1 = cloud.ReplicaInfo{Tenant: "acme", Site: "s1", Replica: 0x1111, Watermark: 7, MaxSeq: 9, FirstSeen: t0, LastSeen: t0.Add(time.Hour)}
	repl2 = cloud.ReplicaInfo{Tenant: "acme", Site: "s2", Replica: 0xabcdef0123456789, Watermark: 3, MaxSeq: 3, FirstSeen: t0, LastSeen: t0}
	repl3 = cloud.ReplicaInfo{Tenant: "zeta", Site: "s1", Replica: 0x42, Watermark: 0, MaxSeq: 0, FirstSeen: t0, LastSeen: t0}
)

type fixture struct {
	store *fakeStore
	api   *httpapi.Server
	srv   *httptest.Server
	logs  *testenv.Buffer
	auth  *auth.Service
	// admin is the administrator of tenant acme (all sites), token an API
	// token of theirs with every permission; do sends it unless told
	// otherwise.
	admin *auth.Principal
	token string
	// idem is the server's idempotency store.
	idem httpapi.Idempotency
}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// cheap keeps argon2 fast in tests.
var cheap = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}

// testLockout locks after three failures, with millisecond delays.
var testLockout = auth.LockoutPolicy{Window: 15 * time.Minute, UserFailures: 3, AddrFailures: 50,
	LockFor: 15 * time.Minute, FirstDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}

// MustOpenAuth returns an auth service on a new SQLite store, whose tenant
// acme has the administrator "admin" with testPassword.
func MustOpenAuth(tb testing.TB) (*auth.Service, *sqlite.Store) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "auth.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc := auth.New(st.Auth(), auth.Options{Hash: cheap, Lockout: testLockout})
	if _, err := svc.Bootstrap(context.Background(), "acme", testPassword); err != nil {
		tb.Fatal(err)
	}
	return svc, st
}

func newFixture(t testing.TB) *fixture {
	return newFixtureOpts(t, httpapi.Options{})
}

// newFixtureOpts serves the API with opts on the fake store and a real
// SQLite auth service, whose idempotency store opts gets unless it has one.
func newFixtureOpts(t testing.TB, opts httpapi.Options) *fixture {
	t.Helper()
	svc, st := MustOpenAuth(t)
	f := &fixture{
		store: &fakeStore{rows: []cloud.StockRow{rowA, rowB, rowC, rowD}, replicas: []cloud.ReplicaInfo{repl1, repl2, repl3}},
		logs:  &testenv.Buffer{},
		auth:  svc,
	}
	if opts.Idempotency == nil {
		opts.Idempotency = st.Idempotency()
	}
	f.idem = opts.Idempotency
	ctx := context.Background()
	f.admin = f.principal(t, "admin")
	_, tok, err := f.auth.CreateToken(ctx, f.admin, auth.NewToken{Name: "tests", Permissions: f.admin.Permissions()})
	if err != nil {
		t.Fatal(err)
	}
	f.token = tok
	opts.Log = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.DefaultTenant = "acme"
	f.api = httpapi.New(f.store, f.auth, opts)
	f.srv = httptest.NewServer(f.api.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// principal signs name in and returns the session's principal.
func (f *fixture) principal(t testing.TB, name string) *auth.Principal {
	t.Helper()
	ctx := context.Background()
	si, err := f.auth.SignIn(ctx, "acme", name, testPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.auth.AuthenticateSession(ctx, si.Token, "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// user creates a user of acme with roles and scope and returns a token of
// theirs with all their permissions.
func (f *fixture) user(t testing.TB, name string, scope auth.Scope, roles ...string) string {
	t.Helper()
	ctx := context.Background()
	const initial = "set by the admin"
	if _, _, err := f.auth.CreateUser(ctx, f.admin, auth.NewUser{Name: name, Password: initial, Roles: roles, Scope: scope}); err != nil {
		t.Fatal(err)
	}
	// A password set by someone else must be changed first.
	si, err := f.auth.SignIn(ctx, "acme", name, initial, "test")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.auth.AuthenticateSession(ctx, si.Token, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.auth.ChangePassword(ctx, p, initial, testPassword); err != nil {
		t.Fatal(err)
	}
	p = f.principal(t, name)
	_, tok, err := f.auth.CreateToken(ctx, p, auth.NewToken{Name: "t", Permissions: p.Permissions()})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (f *fixture) do(t *testing.T, method, path string) response {
	t.Helper()
	return f.send(t, method, path, "", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.token) })
}

// send makes a request with body (none when empty), after prepare.
func (f *fixture) send(t testing.TB, method, path, body string, prepare func(*http.Request)) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(req)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (f *fixture) get(t *testing.T, path string) response {
	t.Helper()
	return f.do(t, http.MethodGet, path)
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func checkError(t *testing.T, r response, wantStatus int, wantCode string, wantIn ...string) {
	t.Helper()
	if r.status != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", r.status, wantStatus, r.body)
	}
	e := decode[httpx.ErrorBody](t, r)
	if e.Code != wantCode {
		t.Errorf("code = %q, want %q (error %q)", e.Code, wantCode, e.Error)
	}
	if e.Error == "" || e.ErrorZH == "" {
		t.Errorf("error = %q, error_zh = %q: want both", e.Error, e.ErrorZH)
	}
	for _, s := range wantIn {
		if !strings.Contains(e.Error, s) {
			t.Errorf("error %q does not mention %q", e.Error, s)
		}
	}
}

func TestStock(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		wantFilter cloud.StockFilter
		wantRows   []cloud.StockRow
	}{
		// The caller's tenant (acme) is always the filter's: zeta's row D
		// is never shown.
		{"all", "", cloud.StockFilter{Tenant: "acme"}, []cloud.StockRow{rowA, rowB, rowC}},
		{"tenant", "?tenant=acme", cloud.StockFilter{Tenant: "acme"}, []cloud.StockRow{rowA, rowB, rowC}},
		{"tenant and site", "?tenant=acme&site=s1", cloud.StockFilter{Tenant: "acme", Site: "s1"}, []cloud.StockRow{rowA, rowB}},
		{"sku and bin", "?sku=P1&bin=A", cloud.StockFilter{Tenant: "acme", SKU: "P1", Bin: "A"}, []cloud.StockRow{rowA, rowC}},
		{"every filter", "?tenant=acme&site=s2&sku=P1&bin=A", cloud.StockFilter{Tenant: "acme", Site: "s2", SKU: "P1", Bin: "A"}, []cloud.StockRow{rowC}},
		{"none", "?sku=nothing", cloud.StockFilter{Tenant: "acme", SKU: "nothing"}, []cloud.StockRow{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.get(t, "/api/v1/stock"+tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d; body %s", r.status, r.body)
			}
			got := decode[httpapi.StockResponse](t, r)
			if !slices.Equal(got.Rows, tt.wantRows) {
				t.Errorf("rows = %+v, want %+v", got.Rows, tt.wantRows)
			}
			if filter, _ := f.store.calls(); filter != tt.wantFilter {
				t.Errorf("filter = %+v, want %+v", filter, tt.wantFilter)
			}
			if len(tt.wantRows) == 0 && string(r.body) != `{"rows":[]}`+"\n" {
				t.Errorf("body = %s, want empty rows as []", r.body)
			}
		})
	}
}

func TestStockRowJSON(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/api/v1/stock?tenant=acme&site=s1&bin=B")
	want := `{"rows":[{"tenant":"acme","site":"s1","bin":"B","sku":"P2","lot":"L1","qty":-3}]}` + "\n"
	if string(r.body) != want {
		t.Errorf("body = %s, want %s", r.body, want)
	}
}

func TestReplicas(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		wantAsked [2]string
		want      []cloud.ReplicaInfo
	}{
		// Only the caller's tenant (acme): zeta's repl3 is never shown.
		{"all", "", [2]string{"", ""}, []cloud.ReplicaInfo{repl1, repl2}},
		{"tenant and site", "?tenant=acme&site=s2", [2]string{"acme", "s2"}, []cloud.ReplicaInfo{repl2}},
		{"tenant only", "?tenant=acme", [2]string{"", ""}, []cloud.ReplicaInfo{repl1, repl2}},
		{"site only", "?site=s1", [2]string{"acme", "s1"}, []cloud.ReplicaInfo{repl1}},
		{"unknown", "?site=s9", [2]string{"acme", "s9"}, []cloud.ReplicaInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.get(t, "/api/v1/replicas"+tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d; body %s", r.status, r.body)
			}
			got := decode[httpapi.ReplicasResponse](t, r)
			// Replica is not in the JSON; the hex ID is.
			var want []cloud.ReplicaInfo
			for _, ri := range tt.want {
				ri.ID = ri.Replica.String()
				ri.Replica = 0
				want = append(want, ri)
			}
			if len(got.Replicas) != len(want) {
				t.Fatalf("replicas = %+v, want %+v", got.Replicas, want)
			}
			for i := range want {
				g := got.Replicas[i]
				if g.Tenant != want[i].Tenant || g.Site != want[i].Site || g.ID != want[i].ID ||
					g.Watermark != want[i].Watermark || g.MaxSeq != want[i].MaxSeq ||
					!g.FirstSeen.Equal(want[i].FirstSeen) || !g.LastSeen.Equal(want[i].LastSeen) {
					t.Errorf("replica %d = %+v, want %+v", i, g, want[i])
				}
			}
			if len(want) == 0 && !strings.Contains(string(r.body), `"replicas":[]`) {
				t.Errorf("empty replicas not sent as []: %s", r.body)
			}
			if _, asked := f.store.calls(); len(asked) != 1 || asked[0] != tt.wantAsked {
				t.Errorf("store asked %v, want [%v]", asked, tt.wantAsked)
			}
		})
	}
}

func TestReplicaJSON(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/api/v1/replicas?tenant=acme&site=s2")
	want := `{"replicas":[{"tenant":"acme","site":"s2","replica":"abcdef0123456789","watermark":3,"max_seq":3,` +
		`"first_seen":"2025-03-01T08:00:00Z","last_seen":"2025-03-01T08:00:00Z"}]}` + "\n"
	if string(r.body) != want {
		t.Errorf("body = %s\nwant   %s", r.body, want)
	}
}

func TestBadQuery(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		wantIn string
	}{
		{"stock tenant with slash", "/api/v1/stock?tenant=a%2Fb", `"tenant"`},
		{"stock site with wildcard", "/api/v1/stock?site=s%23", `"site"`},
		{"replicas tenant too long", "/api/v1/replicas?tenant=" + strings.Repeat("t", 65), `"tenant"`},
		{"replicas site with space", "/api/v1/replicas?tenant=acme&site=s+1", `"site"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			checkError(t, f.get(t, tt.path), http.StatusBadRequest, "bad_query", tt.wantIn)
			if filter, asked := f.store.calls(); len(asked) != 0 || filter != (cloud.StockFilter{}) {
				t.Errorf("store was asked despite a bad query")
			}
		})
	}
}

func TestDomainErrors(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantIn     string
	}{
		{"invalid", fmt.Errorf("%w: limit too large", cloud.ErrInvalid), 400, "invalid", "limit too large"},
		{"wrong site", fmt.Errorf("apply: %w", cloud.ErrWrongSite), 409, "wrong_site", "another site"},
		{"canceled", fmt.Errorf("query: %w", context.Canceled), httpx.StatusClientClosedRequest, "canceled", "canceled"},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "timeout", "timed out"},
		{"internal", errors.New("connection refused by pg"), 500, "internal", "internal error"},
	}
	for _, path := range []string{"/api/v1/stock", "/api/v1/replicas"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				f := newFixture(t)
				f.store.setErr(tt.err)
				r := f.get(t, path)
				checkError(t, r, tt.wantStatus, tt.wantCode, tt.wantIn)
				if tt.wantCode == "internal" {
					if strings.Contains(string(r.body), "refused") {
						t.Errorf("internal cause leaked to the user: %s", r.body)
					}
					if !strings.Contains(f.logs.String(), "connection refused by pg") {
						t.Errorf("internal cause not logged; logs:\n%s", f.logs.String())
					}
				}
				m := string(f.get(t, "/metrics").body)
				if want := fmt.Sprintf(`jxc_cloud_http_rejected_total{reason=%q} 1`, tt.wantCode); !strings.Contains(m, want) {
					t.Errorf("metrics lack %q:\n%s", want, m)
				}
			})
		}
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/healthz")
	if got := decode[httpapi.Health](t, r); r.status != http.StatusOK || got.Status != "ok" {
		t.Errorf("status %d, health %+v", r.status, got)
	}
}

func TestUnmatched(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantCode   string
	}{
		{"unknown path", http.MethodGet, "/api/v1/orders", 404, "not_found"},
		{"wrong method", http.MethodPost, "/api/v1/stock", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			checkError(t, f.do(t, tt.method, tt.path), tt.wantStatus, tt.wantCode)
		})
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	f.api.AddMetrics(func(w io.Writer) {
		fmt.Fprint(w, "# HELP jxc_ingest_batches_total Batches stored.\n# TYPE jxc_ingest_batches_total counter\njxc_ingest_batches_total 12\n")
	})
	f.api.AddMetrics(func(w io.Writer) {
		fmt.Fprint(w, "jxc_ingest_rejected_total{reason=\"oversized\"} 2\n")
	})
	f.get(t, "/api/v1/stock")
	f.get(t, "/api/v1/stock?tenant=a/b")
	f.get(t, "/api/v1/replicas")
	f.get(t, "/nope")

	r := f.get(t, "/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("status = %d", r.status)
	}
	if ct := r.header.Get("Content-Type"); ct != httpx.MetricsContentType {
		t.Errorf("Content-Type = %q, want %q", ct, httpx.MetricsContentType)
	}
	got := string(r.body)
	for _, want := range []string{
		"# TYPE jxc_cloud_http_requests_total counter\n",
		`jxc_cloud_http_requests_total{endpoint="GET /api/v1/stock",code="200"} 1` + "\n",
		`jxc_cloud_http_requests_total{endpoint="GET /api/v1/stock",code="400"} 1` + "\n",
		`jxc_cloud_http_requests_total{endpoint="GET /api/v1/replicas",code="200"} 1` + "\n",
		`jxc_cloud_http_requests_total{endpoint="unmatched",code="404"} 1` + "\n",
		`jxc_cloud_http_rejected_total{reason="bad_query"} 1` + "\n",
		"jxc_ingest_batches_total 12\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q:\n%s", want, got)
		}
	}
	// Hooks come after the API's own counters, in the order they were added.
	api := strings.Index(got, "jxc_cloud_http_requests_total")
	h1 := strings.Index(got, "jxc_ingest_batches_total")
	h2 := strings.Index(got, "jxc_ingest_rejected_total")
	if !(api < h1 && h1 < h2) {
		t.Errorf("metrics out of order: api %d, hook 1 %d, hook 2 %d", api, h1, h2)
	}
}
