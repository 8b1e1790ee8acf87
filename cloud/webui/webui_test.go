package webui_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud/webui"
)

// asset returns the name of a built JavaScript asset under dist/assets.
func asset(t *testing.T) string {
	t.Helper()
	names, err := filepath.Glob("dist/assets/*.js")
	if err != nil || len(names) == 0 {
		t.Fatalf("no dist/assets/*.js (run make web): %v", err)
	}
	return "/" + strings.TrimPrefix(filepath.ToSlash(names[0]), "dist/")
}

func get(t *testing.T, path string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	webui.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func TestHandler(t *testing.T) {
	index, err := os.ReadFile("dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	js := asset(t)
	jsBody, err := os.ReadFile(filepath.Join("dist", js))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile("dist/api-docs/index.html")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path  string
		status      int
		body        []byte
		cache, ctyp string
	}{
		{"root is index.html", "/", 200, index, "no-cache", "text/html; charset=utf-8"},
		{"index.html itself", "/index.html", 200, index, "no-cache", "text/html; charset=utf-8"},
		{"a console route falls back to index.html", "/products", 200, index, "no-cache", "text/html; charset=utf-8"},
		{"a nested route too", "/system/users/7", 200, index, "no-cache", "text/html; charset=utf-8"},
		{"a hashed asset is cached for good", js, 200, jsBody, "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"a missing asset is 404, not HTML", "/assets/gone-0000.js", 404, nil, "", ""},
		{"a missing file with an extension is 404", "/favicon.ico", 404, nil, "", ""},
		{"api paths are not the console's", "/api/v1/nothing", 404, nil, "", ""},
		{"but the API docs page is", webui.DocsPath, 200, docs, "no-cache", "text/html; charset=utf-8"},
		{"and nothing below it", webui.DocsPath + "/x", 404, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, tc.path)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.body == nil {
				if bytes.Contains(body, []byte("<!doctype html>")) {
					t.Fatalf("404 answered with the console's HTML")
				}
				return
			}
			if !bytes.Equal(body, tc.body) {
				t.Fatalf("body differs from the file (%d bytes, want %d)", len(body), len(tc.body))
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if got := res.Header.Get("Content-Type"); got != tc.ctyp {
				t.Errorf("Content-Type %q, want %q", got, tc.ctyp)
			}
			if res.Header.Get("ETag") == "" {
				t.Errorf("no ETag")
			}
		})
	}
}

func TestHandlerHTMLHeaders(t *testing.T) {
	res := get(t, "/")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q lacks script-src 'self'", csp)
	}
	if got := res.Header.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options %q, want DENY", got)
	}
}

// TestDocsOffline checks that the API docs page loads Redoc from the
// console's own files and that the bundle fetches nothing elsewhere: the
// logo Redoc's footer loads from its CDN was replaced at the build.
func TestDocsOffline(t *testing.T) {
	page, err := os.ReadFile("dist/api-docs/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`src="/api-docs/redoc.standalone.js"`, `src="/api-docs/docs.js"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the docs page lacks %s", want)
		}
	}
	if strings.Contains(string(page), "http://") || strings.Contains(string(page), "https://") {
		t.Errorf("the docs page names another host")
	}
	redoc, err := os.ReadFile("dist/api-docs/redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"cdn.redoc.ly", "fonts.googleapis.com", "unpkg.com", "cdn.jsdelivr.net"} {
		if bytes.Contains(redoc, []byte(host)) {
			t.Errorf("redoc.standalone.js still names %s", host)
		}
	}
	script, err := os.ReadFile("dist/api-docs/docs.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(script), "'/api/v1/openapi.json'") {
		t.Errorf("docs.js does not render /api/v1/openapi.json")
	}
}

func TestHandlerConditionalAndGzip(t *testing.T) {
	js := asset(t)
	want, err := os.ReadFile(filepath.Join("dist", js))
	if err != nil {
		t.Fatal(err)
	}
	first := get(t, js)
	etag := first.Header.Get("ETag")
	if res := get(t, js, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: status %d, want 304", etag, res.StatusCode)
	}
	res := get(t, js, "Accept-Encoding", "br, gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("gunzipped body differs from the file")
	}
	if res := get(t, js, "Accept-Encoding", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still got Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}

func TestHandlerMethods(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x"))
	rec := httptest.NewRecorder()
	webui.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", rec.Code)
	}
	req = httptest.NewRequest(http.MethodHead, "/", nil)
	rec = httptest.NewRecorder()
	webui.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD /: status %d with %d body bytes, want 200 and none", rec.Code, rec.Body.Len())
	}
}
