package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/httpapi"
)

func (f *fixture) put(t *testing.T, path, body string) response {
	t.Helper()
	return f.do(t, http.MethodPut, path, "application/json", body)
}

func TestPutProducts(t *testing.T) {
	f := newFixture(t)
	r := f.put(t, "/api/v1/products", `[
		{"gtin":"6901234567892","sku":"TEA-500G","name":"绿茶 500 g","unit":"pcs"},
		{"gtin":"036000291452","sku":"TISSUE-10"},
		{"gtin":"10614141000415","sku":"CASE-12","unit":"case"},
		{"gtin":"16901234567899","sku":"TEA-500G","unit":"pcs","factor":12},
		{"gtin":"2012345000001","sku":"PORK","unit":"kg","price":2980}]`)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
	}
	if got := decode[httpapi.PutProductsResponse](t, r); got.Upserted != 5 {
		t.Errorf("response %+v, want 5 upserted", got)
	}
	want := map[string]agent.Product{
		"06901234567892": {GTIN: "06901234567892", SKU: "TEA-500G", Name: "绿茶 500 g", Unit: "pcs"},
		"00036000291452": {GTIN: "00036000291452", SKU: "TISSUE-10"},
		"10614141000415": {GTIN: "10614141000415", SKU: "CASE-12", Unit: "case"},
		"16901234567899": {GTIN: "16901234567899", SKU: "TEA-500G", Unit: "pcs", Factor: 12},
		"02012345000001": {GTIN: "02012345000001", SKU: "PORK", Unit: "kg", Price: 2980},
	}
	if got := f.ledger.gotProducts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ledger got %v, want %v", got, want)
	}
	// An empty list is a valid no-op.
	if r := f.put(t, "/api/v1/products", `[]`); r.status != http.StatusOK || decode[httpapi.PutProductsResponse](t, r).Upserted != 0 {
		t.Errorf("empty list: status %d; body %s", r.status, r.body)
	}
}

func TestPutProductsBadInput(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantIn     []string
	}{
		{"object, not a list", `{"gtin":"6901234567892","sku":"TEA"}`, 400, "bad_type", []string{"JSON array"}},
		{"malformed", `[{"gtin":`, 400, "bad_json", nil},
		{"empty body", ``, 400, "empty_body", nil},
		{"unknown field", `[{"gtin":"6901234567892","sku":"TEA","colour":5}]`, 400, "unknown_field", []string{`"colour"`}},
		{"negative price", `[{"gtin":"6901234567892","sku":"TEA","price":-5}]`, 400, "bad_price", []string{"entry 0", `"price"`, "-5"}},
		{"negative factor", `[{"gtin":"16901234567899","sku":"TEA","factor":-24}]`, 400, "bad_factor", []string{"entry 0", `"factor"`, "-24"}},
		{"price in yuan with decimals", `[{"gtin":"6901234567892","sku":"TEA","price":29.8}]`, 400, "not_integer", []string{`"price"`}},
		{"gtin a number", `[{"gtin":6901234567892,"sku":"TEA"}]`, 400, "bad_type", []string{`"gtin"`, "string"}},
		{"missing gtin", `[{"gtin":"6901234567892","sku":"TEA"},{"sku":"PEN"}]`, 400, "missing_field", []string{"entry 1", `"gtin"`}},
		{"missing sku", `[{"gtin":"6901234567892"}]`, 400, "missing_field", []string{"entry 0", `"sku"`}},
		{"short gtin", `[{"gtin":"690123","sku":"TEA"}]`, 400, "bad_gtin", []string{"entry 0", "6 characters"}},
		{"bad check digit", `[{"gtin":"6901234567891","sku":"TEA"}]`, 400, "bad_gtin", []string{"check digit 1, want 2"}},
		{"too large", `[{"gtin":"6901234567892","sku":"TEA","name":"` + strings.Repeat("x", httpapi.MaxProductsBodyBytes) + `"}]`, 413, "too_large", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			checkError(t, f.put(t, "/api/v1/products", tt.body), tt.wantStatus, tt.wantCode, tt.wantIn...)
			if got := f.ledger.gotProducts(); len(got) != 0 {
				t.Errorf("ledger got %v, want nothing", got)
			}
		})
	}
}

func TestGetProduct(t *testing.T) {
	f := newFixture(t)
	if r := f.put(t, "/api/v1/products", `[{"gtin":"6901234567892","sku":"TEA-500G","name":"绿茶","unit":"pcs"},{"gtin":"96385074","sku":"GUM"}]`); r.status != http.StatusOK {
		t.Fatalf("setup: status %d; body %s", r.status, r.body)
	}
	tea := agent.Product{GTIN: "06901234567892", SKU: "TEA-500G", Name: "绿茶", Unit: "pcs"}
	tests := []struct {
		name       string
		gtin       string
		wantStatus int
		want       agent.Product
		wantCode   string
		wantIn     []string
	}{
		{"EAN-13", "6901234567892", 200, tea, "", nil},
		{"GTIN-14", "06901234567892", 200, tea, "", nil},
		{"GTIN-8", "96385074", 200, agent.Product{GTIN: "00000096385074", SKU: "GUM"}, "", nil},
		{"unknown", "4006381333931", 404, agent.Product{}, "unknown_product", []string{"04006381333931"}},
		{"letters", "abc", 400, agent.Product{}, "bad_gtin", []string{"path"}},
		{"bad check digit", "6901234567890", 400, agent.Product{}, "bad_gtin", []string{"check digit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, "/api/v1/products/"+tt.gtin)
			if tt.wantCode != "" {
				checkError(t, r, tt.wantStatus, tt.wantCode, tt.wantIn...)
				return
			}
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if got := decode[agent.Product](t, r); got != tt.want {
				t.Errorf("product = %+v, want %+v", got, tt.want)
			}
		})
	}
	m := f.metrics(t)
	for _, want := range []string{
		`jxc_agent_http_requests_total{endpoint="GET /api/v1/products/{gtin}",code="200"} 3`,
		`jxc_agent_http_requests_total{endpoint="GET /api/v1/products/{gtin}",code="404"} 1`,
		`jxc_agent_http_rejected_total{reason="unknown_product"} 1`,
	} {
		if !strings.Contains(m, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
}
