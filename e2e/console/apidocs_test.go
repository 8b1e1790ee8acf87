package console_test

import (
	"strings"
	"testing"
)

// TestAPIDocsOffline opens /api/docs without signing in: Redoc, served
// from the console's own files, renders the OpenAPI document's
// operations, and no request leaves the cloud's address (the test
// machine has no internet: a CDN script would leave the page blank).
func TestAPIDocsOffline(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.Open(t, "/api/docs", "#redoc")
	b.Do(t, WaitFor(`document.querySelector('#redoc').innerText.includes('List products')`), Settled())
	b.Screenshot(t, ScreenshotDir(t), "api-docs")
	text := b.Text(t, "#redoc")
	for _, want := range []string{"List products", "商品列表", "Sign in", "/api/v1/products"} {
		if !strings.Contains(text, want) {
			t.Errorf("the API docs lack %q", want)
		}
	}
	for _, u := range b.TakeRequests() {
		if !strings.HasPrefix(u, c.URL+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			t.Errorf("the docs page requested %s, off the cloud's address", u)
		}
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors or failed requests on /api/docs:\n  %s", strings.Join(errs, "\n  "))
	}
}
