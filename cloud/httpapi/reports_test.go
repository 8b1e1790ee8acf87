package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/httpapi"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// reportsFixture is an API over one SQLite store with site s1 (store)
// and w1 (warehouse), units 个 and 箱, the product TS 纯棉T恤 (SKU TS-0,
// 箱 of 12, purchase price 1500 fen), the supplier SUP with a contact
// and the customer C1.
type reportsFixture struct {
	*fixture
	st  *sqlite.Store
	md  *masterdata.Service
	svc *docs.Service
	now time.Time
}

func newReportsFixture(t *testing.T, fontPath string) *reportsFixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "reports.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
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
		create(ctx, md, masterdata.Sites, f.admin, &masterdata.Site{Meta: masterdata.Meta{Code: "w1", Name: "总仓"}, Type: "warehouse"}),
		create(ctx, md, masterdata.Units, f.admin, &masterdata.Unit{Meta: masterdata.Meta{Code: "个", Name: "个"}}),
		create(ctx, md, masterdata.Units, f.admin, &masterdata.Unit{Meta: masterdata.Meta{Code: "箱", Name: "箱"}}),
		create(ctx, md, masterdata.Products, f.admin, &masterdata.Product{Meta: masterdata.Meta{Code: "TS", Name: "纯棉T恤"}, BaseUnit: "个",
			Units: []masterdata.PackUnit{{Unit: "箱", Factor: 12}}, PurchasePrice: 1500, SKUs: []masterdata.SKU{{Code: "TS-0"}}}),
		create(ctx, md, masterdata.Suppliers, f.admin, &masterdata.Supplier{Meta: masterdata.Meta{Code: "SUP", Name: "华东纺织有限公司"},
			Contacts: []masterdata.Contact{{Name: "王经理", Phone: "021-5555 0101"}}}),
		create(ctx, md, masterdata.Customers, f.admin, &masterdata.Customer{Meta: masterdata.Meta{Code: "C1", Name: "客户一"}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	rf := &reportsFixture{fixture: f, st: st, md: md, now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	rf.svc = docs.New(st, docs.Options{FontPath: fontPath, Now: func() time.Time { return rf.now }})
	f.api = httpapi.New(f.store, f.auth, httpapi.Options{DefaultTenant: "acme", MasterData: md, Docs: rf.svc,
		Idempotency: st.Idempotency(), Log: slog.New(slog.NewTextHandler(f.logs, nil))})
	f.srv = httptest.NewServer(f.api.Handler())
	t.Cleanup(f.srv.Close)
	return rf
}

// approvedPO creates and approves a purchase order through the API.
func (f *reportsFixture) approvedPO(t *testing.T, body map[string]any) docs.Document {
	t.Helper()
	r := f.mdWrite(t, http.MethodPost, "/api/v1/purchase-orders", 0, body)
	if r.status != http.StatusCreated {
		t.Fatalf("create PO: %d %s", r.status, r.body)
	}
	d := decode[docs.Document](t, r)
	r = f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/purchase-orders/%d/approve", d.ID), d.Version, nil)
	if r.status != http.StatusOK {
		t.Fatalf("approve PO: %d %s", r.status, r.body)
	}
	return decode[docs.Document](t, r)
}

// TestPrintPurchaseOrder: a purchase order prints as a PDF named by its
// number whose text holds the number, the product's Chinese name, the
// letterhead from the settings and the supplier's contact.
func TestPrintPurchaseOrder(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: run scripts/services.sh (poppler-utils)")
	}
	f := newReportsFixture(t, "")
	r := f.send(t, http.MethodPut, "/api/v1/settings", `{"currency":"CNY","vat_rates":[13,9,6,3,1,0],"default_vat_rate":13,`+
		`"company_name":"上海云仓贸易有限公司","company_address":"上海市浦东新区张江路 88 号","company_phone":"021-6000 8888",`+
		`"company_tax_id":"91310115MA1H7XXXXX"}`, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+f.token)
		r.Header.Set("If-Match", `"0"`)
	})
	if r.status != http.StatusOK {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	bad := f.send(t, http.MethodPut, "/api/v1/settings", `{"currency":"CNY","vat_rates":[13],"default_vat_rate":13,"company_name":"a\u0007b"}`,
		func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+f.token)
			r.Header.Set("If-Match", `"1"`)
		})
	checkError(t, bad, http.StatusBadRequest, "invalid")
	po := f.approvedPO(t, map[string]any{"partner": "SUP", "site": "s1", "date": "2026-11-25", "expected_date": "2026-11-30",
		"lines": []map[string]any{{"sku": "TS-0", "unit": "箱", "qty": 3, "price": 18000}}})
	r = f.get(t, fmt.Sprintf("/api/v1/purchase-orders/%d/pdf", po.ID))
	if r.status != http.StatusOK {
		t.Fatalf("pdf: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="`+po.Number+`.pdf"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.HasPrefix(r.body, []byte("%PDF")) {
		t.Fatalf("not a PDF: %q", r.body[:min(len(r.body), 16)])
	}
	path := filepath.Join(t.TempDir(), po.Number+".pdf")
	if err := os.WriteFile(path, r.body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{po.Number, "纯棉T恤", "采购订单", "上海云仓贸易有限公司", "91310115MA1H7XXXXX", "华东纺织有限公司", "王经理", "s1 店一"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	// Not the caller's: 404; without purchase.view: 403.
	checkError(t, f.get(t, "/api/v1/purchase-orders/999/pdf"), http.StatusNotFound, "not_found")
	checkError(t, f.get(t, fmt.Sprintf("/api/v1/sales-orders/%d/pdf", po.ID)), http.StatusNotFound, "not_found")
}

// TestPrintNoFont: without a usable font the print is 503 with the
// bilingual reason pdfdoc gives.
func TestPrintNoFont(t *testing.T) {
	f := newReportsFixture(t, filepath.Join(t.TempDir(), "missing.ttf"))
	po := f.approvedPO(t, map[string]any{"partner": "SUP", "site": "s1", "date": "2026-11-25",
		"lines": []map[string]any{{"sku": "TS-0", "qty": 1, "price": 100}}})
	checkError(t, f.get(t, fmt.Sprintf("/api/v1/purchase-orders/%d/pdf", po.ID)), http.StatusServiceUnavailable, "no_font", "font")
}

// TestReportEndpoints: the calculations answer through the API with
// their field errors in both languages, and the draft order of
// suggestions is made (201).
func TestReportEndpoints(t *testing.T) {
	f := newReportsFixture(t, "")
	ctx := context.Background()
	if err := create(ctx, f.md, masterdata.StockLimits, f.admin, &masterdata.StockLimit{Site: "s1", SKU: "TS-0", Min: 5}); err != nil {
		t.Fatal(err)
	}
	rep := decode[docs.Replenishment](t, f.get(t, "/api/v1/replenishment?site=s1&supplier=SUP"))
	// Nothing on hand, no demand: up to the min 5, one box of 12.
	if len(rep.Suggestions) != 1 || rep.Suggestions[0].Qty != 12 || rep.Suggestions[0].Unit != "箱" || len(rep.PurchaseOrders) != 1 {
		t.Fatalf("replenishment %+v", rep)
	}
	checkError(t, f.get(t, "/api/v1/replenishment?method=x"), http.StatusBadRequest, "invalid")
	r := f.mdWrite(t, http.MethodPost, "/api/v1/replenishment/purchase-orders", 0,
		map[string]any{"site": "s1", "supplier": "SUP", "lines": []map[string]any{{"sku": "TS-0", "qty": 12}}})
	if d := decode[docs.Document](t, r); r.status != http.StatusCreated || d.Status != docs.StatusDraft || d.Lines[0].Qty != 1 {
		t.Fatalf("draft PO %d %s", r.status, r.body)
	}
	alerts := decode[struct {
		Alerts []docs.StockAlert `json:"alerts"`
	}](t, f.get(t, "/api/v1/stock-alerts?site=s1"))
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].Alert != "below_min" {
		t.Errorf("alerts %+v", alerts)
	}
	perf := decode[docs.Performance](t, f.get(t, "/api/v1/suppliers/SUP/performance?months=6"))
	if perf.Supplier != "SUP" || perf.Months != 6 || len(perf.Monthly) != 0 || perf.Overall != nil {
		t.Errorf("performance %+v", perf)
	}
	checkError(t, f.get(t, "/api/v1/suppliers/NOPE/performance"), http.StatusNotFound, "not_found")
	checkError(t, f.get(t, "/api/v1/suppliers/SUP/performance?months=0x"), http.StatusBadRequest, "invalid")
	checkError(t, f.get(t, "/api/v1/suppliers/SUP/performance?months=200"), http.StatusBadRequest, "invalid")

	r = f.mdWrite(t, http.MethodPost, "/api/v1/count-plans", 0, map[string]any{"site": "s1", "date": "2026-11-25", "lines": []any{}})
	if r.status != http.StatusCreated {
		t.Fatalf("count plan %d %s", r.status, r.body)
	}
	plan := decode[docs.Document](t, r)
	r = f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/count-plans/%d/approve", plan.ID), plan.Version, nil)
	if r.status != http.StatusOK {
		t.Fatalf("approve count plan %d %s", r.status, r.body)
	}
	plan = decode[docs.Document](t, r)
	r = f.get(t, fmt.Sprintf("/api/v1/count-plans/%d/variances", plan.ID))
	if v := decode[docs.Variances](t, r); len(v.Lines) != 0 || r.header.Get("ETag") != fmt.Sprintf("%q", fmt.Sprint(plan.Version)) {
		t.Fatalf("variances %d %s", r.status, r.body)
	}
	checkError(t, f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/count-plans/%d/approve-variances", plan.ID), 0, nil),
		http.StatusPreconditionRequired, "precondition_required")
	r = f.mdWrite(t, http.MethodPost, fmt.Sprintf("/api/v1/count-plans/%d/approve-variances", plan.ID), plan.Version, nil)
	if d := decode[docs.Document](t, r); r.status != http.StatusOK || d.Status != docs.StatusDone || d.VariancesApprovedBy != "admin" {
		t.Fatalf("approve variances %d %s", r.status, r.body)
	}
	// A count plan prints too, without money.
	if r := f.get(t, fmt.Sprintf("/api/v1/count-plans/%d/pdf", plan.ID)); r.status != http.StatusOK || !bytes.HasPrefix(r.body, []byte("%PDF")) {
		t.Errorf("count plan pdf %d", r.status)
	}
}
