package webui_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent/webui"
)

// TestServe: / is the page with its security policy, its assets load
// (gzipped when asked), and nothing else is served.
func TestServe(t *testing.T) {
	mux := http.NewServeMux()
	for _, p := range webui.Patterns {
		mux.Handle(p, webui.Handler())
	}
	get := func(path, enc string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	w := get("/", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<div id="app">`) {
		t.Fatalf("GET /: %d %.200s", w.Code, w.Body.String())
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(w.Body.String(), -1) {
		a := get(m[1], "gzip")
		if a.Code != http.StatusOK {
			t.Errorf("GET %s: %d", m[1], a.Code)
		}
		if a.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", m[1], a.Header().Get("Cache-Control"))
		}
	}
	for _, p := range []string{"/assets/nope.js", "/index.html/x"} {
		if c := get(p, "").Code; c != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, c)
		}
	}
}
