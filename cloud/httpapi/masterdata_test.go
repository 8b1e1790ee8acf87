package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/httpapi"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// newMDFixture is a fixture whose API serves master data from the same
// SQLite store as its accounts.
func newMDFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "md.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: &fakeStore{}, logs: &testenv.Buffer{}, auth: auth.New(st.Auth(), auth.Options{Hash: cheap, Lockout: testLockout})}
	ctx := context.Background()
	if _, err := f.auth.Bootstrap(ctx, "acme", testPassword); err != nil {
		t.Fatal(err)
	}
	f.admin = f.principal(t, "admin")
	if _, f.token, err = f.auth.CreateToken(ctx, f.admin, auth.NewToken{Name: "tests", Permissions: f.admin.Permissions()}); err != nil {
		t.Fatal(err)
	}
	f.api = httpapi.New(f.store, f.auth, httpapi.Options{DefaultTenant: "acme", MasterData: masterdata.New(st), Idempotency: st.Idempotency(),
		Log: slog.New(slog.NewTextHandler(f.logs, nil))})
	f.srv = httptest.NewServer(f.api.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// mdWrite sends a JSON body with the admin's token and an If-Match version
// (none when 0).
func (f *fixture) mdWrite(t *testing.T, method, path string, version int64, body any) response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return f.send(t, method, path, string(b), func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+f.token)
		if version > 0 {
			r.Header.Set("If-Match", fmt.Sprintf("%q", fmt.Sprint(version)))
		}
	})
}

type errorBody struct {
	Code   string               `json:"code"`
	Field  string               `json:"field"`
	Errors []httpapi.FieldError `json:"errors"`
}

func TestMasterDataProductLifecycle(t *testing.T) {
	f := newMDFixture(t)
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/units", 0, map[string]any{"code": "件", "name": "件"}), 201)
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/units", 0, map[string]any{"code": "箱", "name": "箱"}), 201)
	cat := decode[masterdata.Category](t, f.mdWrite(t, "POST", "/api/v1/categories", 0, map[string]any{"code": "C1", "name": "服装"}))
	prod := map[string]any{
		"code": "P1", "name": "T恤", "category_id": cat.ID, "base_unit": "件", "retail_price": 5900,
		"units":      []any{map[string]any{"unit": "箱", "factor": 24, "barcodes": []string{"16901234000013"}}},
		"attributes": []any{map[string]any{"name": "颜色", "values": []string{"白", "黑"}}},
		"skus": []any{
			map[string]any{"code": "P1-W", "attrs": map[string]string{"颜色": "白"}, "barcodes": []string{"6901234000016"}},
			map[string]any{"code": "P1-B", "attrs": map[string]string{"颜色": "黑"}, "barcodes": []string{"6901234000023"}},
		},
	}
	r := f.mdWrite(t, "POST", "/api/v1/products", 0, prod)
	mustStatus(t, r, 201)
	p := decode[masterdata.Product](t, r)
	if p.ID == 0 || p.Version != 1 || r.header.Get("ETag") != `"1"` || p.VATRate == nil || *p.VATRate != 13 || len(p.SKUs) != 2 {
		t.Fatalf("created %+v, ETag %q", p, r.header.Get("ETag"))
	}
	// Lists read as [] in JSON, never null.
	r = f.mdWrite(t, "POST", "/api/v1/products", 0, map[string]any{"code": "N1", "name": "无属性", "base_unit": "件",
		"skus": []any{map[string]any{"code": "N1"}}})
	mustStatus(t, r, 201)
	if strings.Contains(string(r.body), "null") || !strings.Contains(string(r.body), `"units":[]`) {
		t.Errorf("a product without units: %s", r.body)
	}
	// The SKUs list, by barcode.
	page := decode[httpapi.MDPage[masterdata.SKUView]](t, f.get(t, "/api/v1/skus?barcode=6901234000023"))
	if page.Total != 1 || page.Items[0].Code != "P1-B" || page.Items[0].Name != "T恤 黑" || page.Items[0].RetailPrice != 5900 {
		t.Fatalf("skus by barcode: %+v", page)
	}
	// A barcode already used, a bad check digit and an unknown unit, all named.
	bad := map[string]any{"code": "P2", "name": "x", "base_unit": "桶",
		"skus": []any{map[string]any{"code": "P2", "barcodes": []string{"6901234000016", "6901234000017"}}}}
	r = f.mdWrite(t, "POST", "/api/v1/products", 0, bad)
	mustStatus(t, r, 400)
	e := decode[errorBody](t, r)
	fields := map[string]bool{}
	for _, fe := range e.Errors {
		fields[fe.Field] = true
		if fe.Message == "" || fe.MessageZH == "" {
			t.Errorf("field error %+v lacks a message", fe)
		}
	}
	if !fields["body.base_unit"] || !fields["body.skus[0].barcodes[1]"] {
		t.Errorf("errors %+v: want base_unit and skus[0].barcodes[1]", e.Errors)
	}
	bad["base_unit"] = "件"
	bad["skus"] = []any{map[string]any{"code": "P2", "barcodes": []string{"6901234000016"}}}
	r = f.mdWrite(t, "POST", "/api/v1/products", 0, bad)
	mustStatus(t, r, 400)
	if e := decode[errorBody](t, r); e.Field != "body.skus[0].barcodes[0]" || !strings.Contains(string(r.body), "P1-W") {
		t.Errorf("barcode taken: %s", r.body)
	}
	// Two edits from version 1: the second gets 412.
	p.Name = "纯棉T恤"
	mustStatus(t, f.mdWrite(t, "PUT", fmt.Sprintf("/api/v1/products/%d", p.ID), 1, p), 200)
	p.Name = "涤纶T恤"
	r = f.mdWrite(t, "PUT", fmt.Sprintf("/api/v1/products/%d", p.ID), 1, p)
	mustStatus(t, r, 412)
	if !strings.Contains(string(r.body), "admin") {
		t.Errorf("stale: %s does not name who changed it", r.body)
	}
	mustStatus(t, f.mdWrite(t, "PUT", fmt.Sprintf("/api/v1/products/%d", p.ID), 0, p), 428)
	// The category is referenced: 409, then disabled instead.
	r = f.mdWrite(t, "DELETE", fmt.Sprintf("/api/v1/categories/%d", cat.ID), 1, nil)
	mustStatus(t, r, 409)
	mustStatus(t, f.mdWrite(t, "POST", fmt.Sprintf("/api/v1/categories/%d/disable", cat.ID), 1, nil), 200)
	// Lists: search, filter, sort, page.
	list := decode[httpapi.MDPage[masterdata.Product]](t, f.get(t, "/api/v1/products?q=t恤&category_id="+fmt.Sprint(cat.ID)))
	if list.Total != 1 || list.Items[0].Name != "纯棉T恤" {
		t.Errorf("list: %+v", list)
	}
	r = f.get(t, "/api/v1/products?region=north")
	mustStatus(t, r, 400)
	if e := decode[errorBody](t, r); e.Field != "query.region" {
		t.Errorf("unknown filter: %s", r.body)
	}
}

func TestMasterDataPermissions(t *testing.T) {
	f := newMDFixture(t)
	tok := f.user(t, "auditor1", auth.AllSites(), auth.RoleAuditor)
	r := f.send(t, "POST", "/api/v1/units", `{"code":"个","name":"个"}`, withToken(tok))
	checkError(t, r, http.StatusForbidden, "forbidden", "product.edit")
	if r := f.send(t, "GET", "/api/v1/units", "", withToken(tok)); r.status != 200 {
		t.Errorf("auditor list units: %d %s", r.status, r.body)
	}
	r = f.send(t, "GET", "/api/v1/units", "", nil)
	checkError(t, r, http.StatusUnauthorized, "unauthenticated")
	// A store manager of s1 sees and writes only s1's bins.
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/sites", 0, map[string]any{"code": "s1", "name": "一店", "type": "store"}), 201)
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/sites", 0, map[string]any{"code": "s2", "name": "二店", "type": "store"}), 201)
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/bins", 0, map[string]any{"site": "s2", "code": "A-01", "name": "A-01"}), 201)
	mgr := f.user(t, "mgr1", auth.SitesScope("s1"), auth.RoleStoreManager)
	sites := decode[httpapi.MDPage[masterdata.Site]](t, f.send(t, "GET", "/api/v1/sites", "", withToken(mgr)))
	if sites.Total != 1 || sites.Items[0].Code != "s1" {
		t.Errorf("store manager's sites: %+v", sites)
	}
	if bins := decode[httpapi.MDPage[masterdata.Bin]](t, f.send(t, "GET", "/api/v1/bins", "", withToken(mgr))); bins.Total != 0 {
		t.Errorf("store manager sees s2's bins: %+v", bins)
	}
}

// TestMasterDataIdempotencyKey: a create sent twice with one key (a
// retried request) makes one record and answers the first answer again.
func TestMasterDataIdempotencyKey(t *testing.T) {
	f := newMDFixture(t)
	send := func() response {
		return f.send(t, "POST", "/api/v1/suppliers", `{"code":"S1","name":"华联"}`, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+f.token)
			r.Header.Set("Idempotency-Key", "order-form-7")
		})
	}
	first, again := send(), send()
	mustStatus(t, first, 201)
	mustStatus(t, again, 201)
	if string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay %s (%v), first %s", again.body, again.header, first.body)
	}
	if list := decode[httpapi.MDPage[masterdata.Supplier]](t, f.get(t, "/api/v1/suppliers")); list.Total != 1 {
		t.Errorf("%d suppliers after a retried create", list.Total)
	}
}
