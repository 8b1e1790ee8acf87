// Package webui serves the HQ web console: the Vue application built from
// web/ into dist/ (make web) and embedded in the binary. Hashed assets
// under /assets/ are cached for a year; index.html is revalidated on
// every load, so a new build is picked up at the next page load. Any other
// path without a file extension is a route of the single-page application
// and gets index.html.
package webui

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/jxc-edge/jxc/internal/static"
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

// load reads every file of dist, precompressing the text ones.
func load() (map[string]*static.File, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	return static.Load(sub)
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
	static.Serve(w, r, name, f, contentSecurityPolicy)
}
