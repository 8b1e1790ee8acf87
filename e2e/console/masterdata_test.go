// These tests work the master data pages against the master data API
// (cloud/masterdata, API.md).

package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// product is the part of a product record the tests read.
type product struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	BaseUnit    string `json:"base_unit"`
	RetailPrice int64  `json:"retail_price"`
	Version     int64  `json:"version"`
	SKUs        []struct {
		Code        string            `json:"code"`
		Attrs       map[string]string `json:"attrs"`
		RetailPrice int64             `json:"retail_price"`
	} `json:"skus"`
}

// mustPost writes a record through the API as the page's user.
func mustPost(t *testing.T, b *Browser, path string, body any) json.RawMessage {
	t.Helper()
	res := b.Fetch(t, "POST", path, body)
	if res.Status != 201 && res.Status != 200 {
		t.Fatalf("POST %s: %d %s", path, res.Status, res.Body)
	}
	return res.Body
}

// findProduct lists products matching code through the API.
func findProduct(t *testing.T, b *Browser, code string) []product {
	t.Helper()
	res := b.Fetch(t, "GET", "/api/v1/products?q="+code, nil)
	var page struct {
		Items []product `json:"items"`
	}
	if res.Status != 200 || json.Unmarshal(res.Body, &page) != nil {
		t.Fatalf("GET /products?q=%s: %d %s", code, res.Status, res.Body)
	}
	return page.Items
}

// TestProductWithVariants creates a product with an attribute of two
// values in the form: the console generates two SKUs, the save creates
// them, and the product is found in the list with two SKUs.
func TestProductWithVariants(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	mustPost(t, b, "/api/v1/units", map[string]any{"code": "件", "name": "件", "weight": false})

	code := "E2E-TEE"
	fillProduct(t, b, code, "E2E 纯棉T恤")
	generateColours(t, b, code)
	saveRecord(t, b)

	// The list finds it by its code, with two SKUs.
	b.Do(t,
		chromedp.SendKeys(chromedp.CSS(".search-q input"), code+"\r"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](fmt.Sprintf(`[...document.querySelectorAll('.resource-page .el-table__body tr')].some(r => r.innerText.includes(%q))`, code),
				chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
			return err
		}),
	)
	row := Eval[string](t, b, fmt.Sprintf(`[...document.querySelectorAll('.resource-page .el-table__body tr')].find(r => r.innerText.includes(%q)).innerText`, code))
	if !strings.Contains(row, "¥59.00") {
		t.Errorf("the product's row %q lacks the retail price ¥59.00", row)
	}

	got := findProduct(t, b, code)
	if len(got) != 1 {
		t.Fatalf("GET /products?q=%s: %d products, want 1", code, len(got))
	}
	p := got[0]
	if len(p.SKUs) != 2 || p.RetailPrice != 5900 || p.BaseUnit != "件" {
		t.Fatalf("stored product %+v, want 2 SKUs, retail price 5900 fen, base unit 件", p)
	}
	colours := map[string]bool{}
	for _, s := range p.SKUs {
		colours[s.Attrs["颜色"]] = true
	}
	if !colours["白"] || !colours["黑"] {
		t.Errorf("SKU attributes %+v, want one 白 and one 黑", p.SKUs)
	}
}

// TestProductFieldErrorAndStale shows the API's field error at the SKU's
// barcode cell, then a 412 as "changed by someone else" when the record
// was changed after the form loaded it.
func TestProductFieldErrorAndStale(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	mustPost(t, b, "/api/v1/units", map[string]any{"code": "件", "name": "件", "weight": false})

	// A barcode with a wrong GTIN check digit is refused at its field.
	fillProduct(t, b, "E2E-BAD", "bad barcode")
	b.Do(t,
		// 6901234000016 is valid: its last digit is one off.
		chromedp.SendKeys(chromedp.CSS(".product-skus .sku-barcodes input"), "6901234000017\r"),
		chromedp.Click(chromedp.CSS("#record-save")),
		chromedp.WaitVisible(chromedp.CSS(".record-error")),
	)
	if cell := b.Text(t, ".product-skus .el-table__body tr .cell-error"); cell == "" {
		t.Errorf("the refused barcode shows no error at its SKU row")
	}

	// Stale: the form loads version N, someone saves N+1, the form's save
	// gets 412.
	var rec product
	if err := json.Unmarshal(mustPost(t, b, "/api/v1/products", map[string]any{
		"code": "E2E-STALE", "name": "stale", "base_unit": "件", "vat_rate": 13,
		"skus": []map[string]any{{"code": "E2E-STALE", "attrs": map[string]string{}, "barcodes": []string{}}},
	}), &rec); err != nil {
		t.Fatal(err)
	}
	b.Open(t, "/products", ".resource-page")
	b.Do(t,
		chromedp.SendKeys(chromedp.CSS(".search-q input"), "E2E-STALE\r"),
		chromedp.WaitVisible(chromedp.CSS(".resource-page .row-edit")),
		// The row may be the one listed before the search, which reloads
		// the list under a loading mask: wait for it to end.
		Settled(),
		chromedp.Click(chromedp.CSS(".resource-page .row-edit")),
		chromedp.WaitVisible(chromedp.CSS(".product-skus")),
		Settled(),
	)
	changed := b.Fetch(t, "GET", fmt.Sprintf("/api/v1/products/%d", rec.ID), nil)
	var full map[string]any
	if err := json.Unmarshal(changed.Body, &full); err != nil {
		t.Fatal(err)
	}
	full["name"] = "changed meanwhile"
	put := Eval[APIResult](t, b, fmt.Sprintf(`(async () => {
		const me = await (await fetch('/api/v1/auth/me')).json();
		const r = await fetch('/api/v1/products/%d', {method: 'PUT', body: %q,
			headers: {'Content-Type': 'application/json', 'If-Match': '"%d"', 'X-CSRF-Token': me.csrf_token}});
		return {status: r.status, body: await r.json()};
	})()`, rec.ID, mustJSON(t, full), rec.Version))
	if put.Status != 200 {
		t.Fatalf("PUT as someone else: %d %s", put.Status, put.Body)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS("#record-save")),
		chromedp.WaitVisible(chromedp.CSS(".record-stale")),
	)
	if msg := b.Text(t, ".record-stale"); !strings.Contains(msg, "已被他人修改") {
		t.Errorf("the 412 shows %q, want 已被他人修改", msg)
	}
}

// TestAuditorProductWriteForbidden: the API answers 403 to an auditor's
// product POST, naming the missing permission product.edit.
func TestAuditorProductWriteForbidden(t *testing.T) {
	c := MustStartCloud(t)
	c.CreateUser(t, "auditor2", "first-pass-2026", "auditor")
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "auditor2", "first-pass-2026")
	b.Do(t,
		chromedp.WaitVisible(chromedp.CSS("#pw-old")),
		chromedp.SendKeys(chromedp.CSS("#pw-old"), "first-pass-2026"),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), "own-pass-2026"),
		chromedp.SendKeys(chromedp.CSS("#pw-new2"), "own-pass-2026"),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitNotVisible(chromedp.CSS("#pw-old")),
	)
	res := b.Fetch(t, "POST", "/api/v1/products", map[string]any{"code": "X1", "name": "x", "base_unit": "件"})
	var e struct {
		Code       string `json:"code"`
		Permission string `json:"permission"`
	}
	json.Unmarshal(res.Body, &e)
	if res.Status != 403 || e.Code != "forbidden" || e.Permission != "product.edit" {
		t.Fatalf("auditor's POST /products: %d %s, want 403 forbidden naming product.edit", res.Status, res.Body)
	}
	if list := b.Fetch(t, "GET", "/api/v1/products", nil); list.Status != 200 {
		t.Errorf("auditor's GET /products: %d, want 200 (product.view)", list.Status)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// saveRecord clicks the form's save and waits until the dialog has closed
// (it is destroyed when it does); if it stays open, the test fails with
// what the dialog says.
func saveRecord(t *testing.T, b *Browser) {
	t.Helper()
	b.Do(t, chromedp.Click(chromedp.CSS("#record-save")))
	closed := `(() => { const d = document.querySelector('.record-dialog'); return !d || d.offsetParent === null })()`
	var err error
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err = chromedp.Poll[bool](closed, chromedp.WithPollingTimeout(30*time.Second))(ctx, tg)
		return nil
	}))
	if err != nil {
		t.Fatalf("the form did not close after saving: %q", Eval[string](t, b, `(document.querySelector('.record-dialog') || {}).innerText || ''`))
	}
}
