package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/httpapi"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// newDocsFixture is a fixture whose API serves master data and documents
// from the same SQLite store as its accounts, with site s1, the product
// TS (SKU TS-0) and the customer C1.
func newDocsFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "docs.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
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
	md := masterdata.New(st)
	for _, err := range []error{
		create(ctx, md, masterdata.Sites, f.admin, &masterdata.Site{Meta: masterdata.Meta{Code: "s1", Name: "店一"}, Type: "store"}),
		create(ctx, md, masterdata.Units, f.admin, &masterdata.Unit{Meta: masterdata.Meta{Code: "个", Name: "个"}}),
		create(ctx, md, masterdata.Products, f.admin, &masterdata.Product{Meta: masterdata.Meta{Code: "TS", Name: "T恤"}, BaseUnit: "个",
			SKUs: []masterdata.SKU{{Code: "TS-0"}}}),
		create(ctx, md, masterdata.Customers, f.admin, &masterdata.Customer{Meta: masterdata.Meta{Code: "C1", Name: "客户一"}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.api = httpapi.New(f.store, f.auth, httpapi.Options{DefaultTenant: "acme", MasterData: md, Docs: docs.New(st, docs.Options{}),
		Idempotency: st.Idempotency(), Log: slog.New(slog.NewTextHandler(f.logs, nil))})
	f.srv = httptest.NewServer(f.api.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func create[T any](ctx context.Context, md *masterdata.Service, k *masterdata.Kind[T], p *auth.Principal, v *T) error {
	_, err := masterdata.Create(ctx, md, k, p, v)
	return err
}

// TestSalesOrderExternalID: an API order sent three times with one
// external id is one order: 201 the first time, 200 with the same order
// after.
func TestSalesOrderExternalID(t *testing.T) {
	f := newDocsFixture(t)
	order := map[string]any{"partner": "C1", "site": "s1", "date": "2026-11-25", "external_id": "shop-1001",
		"lines": []map[string]any{{"sku": "TS-0", "qty": 2, "price": 1000}}}
	var first docs.Document
	for i, want := range []int{http.StatusCreated, http.StatusOK, http.StatusOK} {
		r := f.mdWrite(t, http.MethodPost, "/api/v1/sales-orders", 0, order)
		if r.status != want {
			t.Fatalf("try %d: status %d, want %d: %s", i+1, r.status, want, r.body)
		}
		got := decode[docs.Document](t, r)
		if i == 0 {
			first = got
			continue
		}
		if got.ID != first.ID || got.Number != first.Number || r.header.Get("ETag") != fmt.Sprintf("%q", "1") {
			t.Fatalf("try %d: %+v (ETag %s), first %+v", i+1, got, r.header.Get("ETag"), first)
		}
	}
	list := decode[httpapi.MDPage[docs.Document]](t, f.get(t, "/api/v1/sales-orders"))
	if list.Total != 1 {
		t.Fatalf("%d orders", list.Total)
	}
	// Approved, it reserves; a pick list takes what remains; the feed
	// shows the key.
	r := f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/sales-orders/%d/approve", first.ID), 1, nil)
	if r.status != http.StatusOK {
		t.Fatalf("approve %d %s", r.status, r.body)
	}
	a := decode[docs.Availability](t, f.get(t, "/api/v1/availability?site=s1&sku=TS-0"))
	if a.Reserved != 2 || a.Available != -2 {
		t.Errorf("availability %+v", a)
	}
	feed := decode[docs.Feed](t, f.get(t, "/api/v1/stock-feed"))
	if len(feed.Items) != 1 || feed.Items[0].SKU != "TS-0" || feed.Cursor == 0 {
		t.Errorf("feed %+v", feed)
	}
	if r := f.get(t, "/api/v1/stock-feed?cursor=x"); r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad cursor: %d %s", r.status, r.body)
	}
	r = f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/sales-orders/%d/release", first.ID), 2, map[string]string{"reason": "x"})
	checkError(t, r, http.StatusConflict, "state")
	r = f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/sales-orders/%d/pick-lists", first.ID), 0, map[string]string{})
	if pl := decode[docs.Document](t, r); r.status != http.StatusCreated || pl.Status != docs.StatusApproved || pl.Lines[0].QtyBase != 2 {
		t.Fatalf("pick list %d %s", r.status, r.body)
	}
	r = f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/sales-orders/%d/pick-lists", first.ID), 0, map[string]string{})
	checkError(t, r, http.StatusConflict, "state")
}
