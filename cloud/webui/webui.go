// Package webui serves the HQ web console: the Vue application built from
// web/ into dist/ (make web) and embedded in the binary. Hashed assets
// under /assets/ are cached for a year; index.html is revalidated on
// every load, so a new build is picked up at the next page load. Any other
// path without a file extension is a route of the single-page application
// and gets index.html.
package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed all:dist
var dist embed.FS

// contentSecurityPolicy allows only the console's own scripts; Element
// Plus sets inline styles, ECharts draws on canvas. Redoc (the API docs)
// runs its search index in a worker it makes from a blob.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// DocsPath is where the console serves the cloud API's documentation: a
// page of its own build (api-docs/, Redoc) that renders the OpenAPI
// document /api/v1/openapi.json, with nothing loaded from another host.
const DocsPath = "/api/docs"

// docsPage is the file served at DocsPath.
const docsPage = "api-docs/index.html"

// file is one file of dist, read once.
type file struct {
	body  []byte
	gz    []byte // gzip of body when that is smaller, else nil
	etag  string
	ctype string
}

// load reads every file of dist and precompresses the text ones.
func load() (map[string]*file, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	files := make(map[string]*file)
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &file{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: mime.TypeByExtension(path.Ext(name))}
		if f.ctype == "" {
			f.ctype = http.DetectContentType(body)
		}
		if compressible(f.ctype) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				f.gz = buf.Bytes()
			}
		}
		files[name] = f
		return nil
	})
	return files, err
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg+xml"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

var loadFiles = sync.OnceValues(load)

// Handler returns the handler of the console. It answers GET and HEAD;
// paths under /api/ are not its own and get 404 (but DocsPath, the API's
// documentation page), as do missing files with an extension (a stale
// chunk must not get HTML).
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	files, err := loadFiles()
	if err != nil {
		http.Error(w, "console files unreadable: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	name := strings.TrimPrefix(p, "/")
	switch {
	case p == DocsPath:
		name = docsPage
	case p == "/api" || strings.HasPrefix(p, "/api/"):
		http.NotFound(w, r)
		return
	}
	f := files[name]
	if f == nil {
		if path.Ext(p) != "" || strings.HasPrefix(p, "/assets/") {
			http.NotFound(w, r)
			return
		}
		name = "index.html"
		if f = files[name]; f == nil {
			http.Error(w, "the console is not built: run make web", http.StatusNotFound)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if strings.HasPrefix(name, "assets/") {
		// The name holds a hash of the content: it never changes.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if strings.HasSuffix(name, ".html") {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
	}
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if match(r.Header.Get("If-None-Match"), f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// match reports whether an If-None-Match header names etag.
func match(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the client takes gzip (and did not refuse
// it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
