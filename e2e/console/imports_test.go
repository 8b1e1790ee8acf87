// These tests work the import dialog and the export buttons of the list
// pages against POST /api/v1/imports and GET /api/v1/{kind}/export
// (cloud/masterdata/API.md, cloud/httpapi/imports.go).

package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// sample is the path of a file in cloud/masterdata/samples.
func sample(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "cloud", "masterdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// importFile opens the import dialog of the list page at path, uploads
// file and waits for the check.
func importFile(t *testing.T, b *Browser, path, file string) {
	t.Helper()
	b.Open(t, path, ".resource-page")
	b.Do(t,
		chromedp.Click(chromedp.CSS("#record-import")),
		chromedp.WaitVisible(chromedp.CSS(".import-dialog #import-check")),
		Settled(),
		chromedp.SetUploadFiles(chromedp.CSS(".import-dialog .import-upload input[type=file]"), []string{file}),
		WaitFor(fmt.Sprintf(`document.querySelector('.import-dialog .import-file').innerText.includes(%q)`, filepath.Base(file))),
		chromedp.Click(chromedp.CSS("#import-check")),
		WaitFor(`!!document.querySelector('.import-dialog .import-report, .import-dialog .import-error')`),
		Settled(),
	)
}

// listed waits until the list page's table shows every code.
func listed(t *testing.T, b *Browser, codes ...string) string {
	t.Helper()
	js, _ := json.Marshal(codes)
	b.Do(t, WaitFor(fmt.Sprintf(`(() => { const s = document.querySelector('.resource-page .el-table__body').innerText; return %s.every(c => s.includes(c)) })()`, js)))
	return b.Text(t, ".resource-page .el-table__body")
}

// TestImportSuppliers imports the sample suppliers (XLSX) through the
// dialog: the check finds 4 valid rows and no problem, the commit creates
// them, the list shows them; both exports download them again.
func TestImportSuppliers(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)

	importFile(t, b, "/suppliers", sample(t, "suppliers.xlsx"))
	if s := b.Text(t, ".import-dialog .import-report"); !strings.Contains(s, "共 4 行，有效 4 行") || !strings.Contains(s, "将新增 4 条") {
		t.Errorf("the check says %q, want 4 rows, 4 valid, 4 to create", s)
	}
	if n := b.Count(t, ".import-dialog .import-problems"); n != 0 {
		t.Errorf("the check of the sample lists problems: %q", b.Text(t, ".import-dialog .import-problems"))
	}
	if s := b.Text(t, ".import-dialog .import-ok"); !strings.Contains(s, "没有发现问题") {
		t.Errorf("the check does not say it found no problem: %q", s)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS("#import-accept")),
		WaitFor(`(() => { const d = document.querySelector('.import-dialog'); return !d || d.offsetParent === null })()`),
	)
	rows := listed(t, b, "S001", "S002", "S003", "S004")
	if !strings.Contains(rows, "杭州优品服饰有限公司") {
		t.Errorf("the supplier list lacks the imported names: %q", rows)
	}

	// The export buttons fetch with the session and save the file.
	downloads := t.TempDir()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	b.Do(t, chromedp.Click(chromedp.CSS("#record-export-csv")))
	var csv []byte
	testenv.WaitFor(t, 30*time.Second, func() error {
		names, _ := filepath.Glob(filepath.Join(downloads, "suppliers-*.csv"))
		if len(names) == 1 {
			if data, err := os.ReadFile(names[0]); err == nil && len(data) > 0 {
				csv = data
				return nil
			}
		}
		return fmt.Errorf("no suppliers-*.csv downloaded into %s", downloads)
	})
	if !strings.HasPrefix(string(csv), "\ufeff") || !strings.Contains(string(csv), "S004") || !strings.Contains(string(csv), "供应商编码") {
		t.Errorf("the downloaded CSV is not the suppliers with a BOM and Chinese headers: %.200q", csv)
	}
	for _, f := range []struct{ format, ctype string }{
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"csv", "text/csv"},
	} {
		h := Eval[struct {
			Status      int    `json:"status"`
			Type        string `json:"type"`
			Disposition string `json:"disposition"`
		}](t, b, fmt.Sprintf(`(async () => {
			const r = await fetch('/api/v1/suppliers/export?format=%s');
			return {status: r.status, type: r.headers.get('Content-Type') || '', disposition: r.headers.get('Content-Disposition') || ''};
		})()`, f.format))
		if h.Status != 200 || !strings.HasPrefix(h.Type, f.ctype) || !strings.HasPrefix(h.Disposition, "attachment") {
			t.Errorf("export %s: %+v, want 200, %s, an attachment", f.format, h, f.ctype)
		}
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

// TestImportProblems checks a CSV with a bad payment term and a missing
// name: the problems table names each row, column and reason; accepting
// imports the one valid supplier only.
func TestImportProblems(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)

	file := filepath.Join(t.TempDir(), "bad-suppliers.csv")
	data := "\ufeff供应商编码,供应商名称,联系人,联系电话,账期天数,币种,地区\n" +
		"S101,好供应商,王丽,13800000001,30,CNY,浙江\n" +
		"S102,坏账期,李雷,13800000002,三十,CNY,浙江\n" +
		"S103,,韩梅梅,13800000003,15,CNY,上海\n"
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	importFile(t, b, "/suppliers", file)
	b.Screenshot(t, ScreenshotDir(t), "zh-import-problems")
	if s := b.Text(t, ".import-dialog .import-report"); !strings.Contains(s, "共 3 行，有效 1 行") {
		t.Errorf("the check says %q, want 3 rows, 1 valid", s)
	}
	type problem struct{ Row, Column, Reason string }
	got := Eval[[]problem](t, b, `[...document.querySelectorAll('.import-dialog .import-problems .el-table__body tr')].map(tr => {
		const c = [...tr.querySelectorAll('td')].map(td => td.innerText.trim());
		return {Row: c[0], Column: c[1], Reason: c[2]};
	})`)
	want := map[string]string{"3": "账期天数", "4": "供应商名称"}
	for _, p := range got {
		if col, ok := want[p.Row]; ok && strings.HasPrefix(p.Column, col) && p.Reason != "" {
			delete(want, p.Row)
		}
	}
	if len(want) > 0 {
		t.Errorf("the problems table %+v lacks row → column %v with a reason", got, want)
	}
	if accept := b.Text(t, "#import-accept"); !strings.Contains(accept, "只导入有效的 1 条") {
		t.Errorf("the accept button says %q, want 只导入有效的 1 条", accept)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS("#import-accept")),
		WaitFor(`(() => { const d = document.querySelector('.import-dialog'); return !d || d.offsetParent === null })()`),
	)
	rows := listed(t, b, "S101")
	if strings.Contains(rows, "S102") || strings.Contains(rows, "S103") {
		t.Errorf("invalid rows were imported: %q", rows)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

// importCSV imports a CSV through the API as the page's user: check,
// then commit, failing the test on any problem.
func importCSV(t *testing.T, b *Browser, kind string, data []byte) {
	t.Helper()
	js, _ := json.Marshal(string(data))
	res := Eval[APIResult](t, b, fmt.Sprintf(`(async () => {
		const me = await (await fetch('/api/v1/auth/me')).json();
		const h = {'Content-Type': 'text/csv', 'X-CSRF-Token': me.csrf_token};
		const c = await fetch('/api/v1/imports?kind=%s&format=csv', {method: 'POST', headers: h, body: %s});
		const rep = await c.json();
		if (c.status !== 200 || rep.invalid > 0 || !rep.id) return {status: c.status, body: rep};
		const w = await fetch('/api/v1/imports/' + rep.id + '/commit', {method: 'POST', headers: {'X-CSRF-Token': me.csrf_token}});
		return {status: w.status, body: await w.json()};
	})()`, kind, js))
	if res.Status != 200 {
		t.Fatalf("import %s: %d %s", kind, res.Status, res.Body)
	}
}

// SeedMasterData fills the master data from cloud/masterdata/samples (and
// what they refer to: units, categories, sites), with accounts, a stock
// limit and a device profile, so that every list page has rows.
func SeedMasterData(t *testing.T, b *Browser) {
	t.Helper()
	for _, u := range []struct {
		code   string
		weight bool
	}{{"件", false}, {"瓶", false}, {"罐", false}, {"盒", false}, {"箱", false}, {"kg", true}} {
		mustPost(t, b, "/api/v1/units", map[string]any{"code": u.code, "name": u.code, "weight": u.weight})
	}
	for _, c := range [][2]string{{"FZ", "服装"}, {"SG", "水果"}, {"YL", "饮料"}, {"RZ", "乳制品"}} {
		mustPost(t, b, "/api/v1/categories", map[string]any{"code": c[0], "name": c[1]})
	}
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-1", "name": "人民路一号门店", "type": "store",
		"address": "杭州市上城区人民路 1 号", "contact": "张店长", "phone": "0571-88000001"})
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "wh-1", "name": "城北中心仓", "type": "warehouse"})
	for _, kind := range []string{"bins", "suppliers", "customers", "products"} {
		data, err := os.ReadFile(sample(t, kind+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		importCSV(t, b, kind, data)
	}
	mustPost(t, b, "/api/v1/accounts", map[string]any{"code": "CASH", "name": "门店现金", "type": "cash", "currency": "CNY", "opening_balance": 200000})
	mustPost(t, b, "/api/v1/accounts", map[string]any{"code": "ICBC", "name": "工商银行基本户", "type": "bank", "bank_name": "中国工商银行杭州分行",
		"account_no": "1202000000000000001", "currency": "CNY", "opening_balance": 12345678})
	mustPost(t, b, "/api/v1/stock-limits", map[string]any{"site": "store-1", "sku": "FZ1001-WM", "min": 10, "max": 200})
	if res := b.Fetch(t, "PUT", "/api/v1/device-profiles/store-1/gate-1.yaml", map[string]any{"yaml": goodGate}); res.Status != 200 {
		t.Fatalf("put a device profile: %d %s", res.Status, res.Body)
	}
}
