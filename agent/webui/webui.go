// Package webui serves the handheld and till pages of a site: the Vant
// application built from web/ (its handheld entry, make web) into dist/
// and embedded in jxc-agent, which serves it at / on the site's LAN. The
// pages talk to the agent's own API under /api/ and need nothing from the
// internet. Hashed assets under /assets/ are cached for a year;
// index.html is revalidated on every load. Routes are in the URL's
// fragment (#/receive), so / is the only page.
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

// Patterns are the http.ServeMux patterns the pages need: the page at /
// and its assets. Everything else of the agent stays its API's.
var Patterns = []string{"GET /{$}", "GET /assets/"}

// contentSecurityPolicy allows only the pages' own scripts; Vant sets
// inline styles and inlines its icon font.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func load() (map[string]*static.File, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	return static.Load(sub)
}

var loadFiles = sync.OnceValues(load)

// Handler returns the handler of the pages: / is index.html, /assets/…
// the built files; anything else is 404. Mount it on Patterns.
func Handler() http.Handler { return http.HandlerFunc(serve) }

func serve(w http.ResponseWriter, r *http.Request) {
	files, err := loadFiles()
	if err != nil {
		http.Error(w, "handheld pages unreadable: "+err.Error(), http.StatusInternalServerError)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	name := strings.TrimPrefix(p, "/")
	if p == "/" {
		name = "index.html"
	}
	f := files[name]
	if f == nil || (name != "index.html" && !strings.HasPrefix(name, "assets/")) {
		if p == "/" {
			http.Error(w, "the handheld pages are not built: run make web", http.StatusNotFound)
			return
		}
		http.NotFound(w, r)
		return
	}
	static.Serve(w, r, name, f, contentSecurityPolicy)
}
