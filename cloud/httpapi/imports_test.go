package httpapi_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata/importx"
)

// seedForSamples stores through the API what the sample files refer to.
func seedForSamples(t *testing.T, f *fixture) {
	t.Helper()
	for _, u := range []string{"件", "瓶", "罐", "盒", "箱"} {
		mustStatus(t, f.mdWrite(t, "POST", "/api/v1/units", 0, map[string]any{"code": u, "name": u}), 201)
	}
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/units", 0, map[string]any{"code": "kg", "name": "千克", "weight": true}), 201)
	for _, c := range [][2]string{{"FZ", "服装"}, {"SG", "水果"}, {"YL", "饮料"}, {"RZ", "乳制品"}} {
		mustStatus(t, f.mdWrite(t, "POST", "/api/v1/categories", 0, map[string]any{"code": c[0], "name": c[1]}), 201)
	}
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/sites", 0, map[string]any{"code": "store-1", "name": "人民路店", "type": "store"}), 201)
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/sites", 0, map[string]any{"code": "wh-1", "name": "城东中心仓", "type": "warehouse"}), 201)
}

func sampleFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "masterdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upload posts a file with the admin's token (or tok).
func (f *fixture) upload(t *testing.T, path string, body []byte, contentType, tok string) response {
	t.Helper()
	if tok == "" {
		tok = f.token
	}
	return f.send(t, "POST", path, string(body), func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+tok)
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		} else {
			r.Header.Del("Content-Type")
		}
	})
}

func TestImportExportHTTP(t *testing.T) {
	f := newMDFixture(t)
	seedForSamples(t, f)
	for _, kind := range importx.Kinds {
		body := sampleFile(t, kind+".xlsx")
		// The format is guessed when omitted; any content type will do.
		r := f.upload(t, "/api/v1/imports?kind="+kind, body, "application/octet-stream", "")
		mustStatus(t, r, 200)
		rep := decode[importx.Report](t, r)
		if len(rep.Problems) != 0 || rep.Create == 0 || rep.Format != importx.XLSX || !strings.HasPrefix(rep.ID, "imp_") {
			t.Fatalf("%s: report %s", kind, r.body)
		}
		r = f.mdWrite(t, "POST", "/api/v1/imports/"+rep.ID+"/commit", 0, nil)
		mustStatus(t, r, 200)
		if res := decode[importx.Result](t, r); res.Created != rep.Create || res.Failed != 0 {
			t.Fatalf("%s: commit %s", kind, r.body)
		}
		// Committed once.
		checkError(t, f.mdWrite(t, "POST", "/api/v1/imports/"+rep.ID+"/commit", 0, nil), 404, "not_found")
		// The export is the sample CSV again.
		r = f.get(t, "/api/v1/"+kind+"/export?format=csv")
		mustStatus(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" ||
			!strings.Contains(r.header.Get("Content-Disposition"), kind+"-") {
			t.Errorf("%s: headers %v", kind, r.header)
		}
		if want := sampleFile(t, kind+".csv"); !bytes.Equal(r.body, want) {
			t.Errorf("%s: exported\n%s\nwant\n%s", kind, r.body, want)
		}
		r = f.get(t, "/api/v1/"+kind+"/export")
		mustStatus(t, r, 200)
		if !bytes.HasPrefix(r.body, []byte("PK\x03\x04")) || r.header.Get("Content-Type") != importx.XLSX.ContentType() {
			t.Errorf("%s: default export is not XLSX: %v", kind, r.header)
		}
	}
	// A CSV file with a problem: reported by row and column, nothing valid.
	r := f.upload(t, "/api/v1/imports?kind=products&format=csv", []byte("商品编码,商品名称,基本单位,零售价\r\nX1,杯子,件,1.234\r\n"), "text/csv", "")
	mustStatus(t, r, 200)
	rep := decode[importx.Report](t, r)
	if rep.ID != "" || len(rep.Problems) != 1 || rep.Problems[0].Row != 2 || rep.Problems[0].Column != "零售价" || rep.Problems[0].Cell != "D2" {
		t.Errorf("report %s", r.body)
	}
}

func TestImportBadRequests(t *testing.T) {
	f := newMDFixture(t)
	csv := []byte("供应商编码,供应商名称\r\nS1,甲\r\n")
	for _, tc := range []struct {
		name   string
		path   string
		body   []byte
		status int
		code   string
		in     string
	}{
		{"CSV as XLSX", "/api/v1/imports?kind=suppliers&format=xlsx", csv, 400, "bad_file", "not an XLSX"},
		{"not a spreadsheet", "/api/v1/imports?kind=suppliers&format=xlsx", []byte("PK\x03\x04garbage"), 400, "bad_file", "cannot be read"},
		{"wrong header", "/api/v1/imports?kind=suppliers&format=csv", []byte("编码,颜色\r\nS1,白\r\n"), 400, "bad_file", `"颜色"`},
		{"header only", "/api/v1/imports?kind=suppliers&format=csv", []byte("供应商编码,供应商名称\r\n"), 400, "bad_file", "no data rows"},
		{"no body", "/api/v1/imports?kind=suppliers&format=csv", nil, 400, "invalid", ""},
		{"unknown kind", "/api/v1/imports?kind=accounts&format=csv", csv, 400, "invalid", "kind"},
		{"no kind", "/api/v1/imports?format=csv", csv, 400, "invalid", "kind"},
		{"unknown format", "/api/v1/imports?kind=suppliers&format=xls", csv, 400, "invalid", "format"},
		{"too large", "/api/v1/imports?kind=suppliers&format=csv", bytes.Repeat([]byte("x"), importx.DefaultMaxFileSize+1), 413, "too_large", ""},
		{"unknown import", "/api/v1/imports/imp_0/commit", nil, 404, "not_found", "imp_0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.upload(t, tc.path, tc.body, "", "")
			checkError(t, r, tc.status, tc.code, tc.in)
		})
	}
	// An export in an unknown format.
	checkError(t, f.get(t, "/api/v1/products/export?format=pdf"), 400, "invalid")
}

func TestImportPermissions(t *testing.T) {
	f := newMDFixture(t)
	seedForSamples(t, f)
	auditor := f.user(t, "auditor1", auth.AllSites(), auth.RoleAuditor)
	checkError(t, f.upload(t, "/api/v1/imports?kind=products", sampleFile(t, "products.csv"), "text/csv", auditor), 403, "forbidden", "edit")
	checkError(t, f.send(t, "GET", "/api/v1/products/export", "", withToken(auditor)), 403, "forbidden", "product.export")
	// A purchaser edits partners, not products.
	buyer := f.user(t, "buyer1", auth.AllSites(), auth.RolePurchaser)
	checkError(t, f.upload(t, "/api/v1/imports?kind=products", sampleFile(t, "products.csv"), "text/csv", buyer), 403, "forbidden", "product.edit")
	r := f.upload(t, "/api/v1/imports?kind=suppliers", sampleFile(t, "suppliers.csv"), "text/csv", buyer)
	mustStatus(t, r, 200)
	rep := decode[importx.Report](t, r)
	// The admin cannot commit the buyer's import.
	checkError(t, f.mdWrite(t, "POST", "/api/v1/imports/"+rep.ID+"/commit", 0, nil), 404, "not_found")
	mustStatus(t, f.send(t, "POST", "/api/v1/imports/"+rep.ID+"/commit", "", withToken(buyer)), 200)
	// A store manager of store-1 exports the bins of store-1 only.
	r = f.upload(t, "/api/v1/imports?kind=bins", sampleFile(t, "bins.csv"), "text/csv", "")
	mustStatus(t, f.mdWrite(t, "POST", "/api/v1/imports/"+decode[importx.Report](t, r).ID+"/commit", 0, nil), 200)
	mgr := f.user(t, "mgr1", auth.SitesScope("store-1"), auth.RoleStoreManager)
	r = f.send(t, "GET", "/api/v1/bins/export?format=csv", "", withToken(mgr))
	mustStatus(t, r, 200)
	if !bytes.Contains(r.body, []byte("store-1,A-01")) || bytes.Contains(r.body, []byte("wh-1")) {
		t.Errorf("store manager's bins:\n%s", r.body)
	}
}
