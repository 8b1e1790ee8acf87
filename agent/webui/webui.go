// Package webui serves the handheld and till pages of a site: the Vant
// application built from web/ (its handheld entry, make web) into dist/
// and embedded in jxc-agent, which serves it at / on the site's LAN. The
// pages talk to the agent's own API under /api/ and need nothing from the
// internet. Hashed assets under /assets/ are cached for a year;
// index.html is revalidated on every load. Routes are in the URL's
// fragment (#/receive), so / is the only page.
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

// Patterns are the http.ServeMux patterns the pages need: the page at /
// and its assets. Everything else of the agent stays its API's.
var Patterns = []string{"GET /{$}", "GET /assets/"}

// contentSecurityPolicy allows only the pages' own scripts; Vant sets
// inline styles and inlines its icon font.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

type file struct {
	body, gz []byte
	etag     string
	ctype    string
}

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
		if strings.HasPrefix(f.ctype, "text/") || strings.HasPrefix(f.ctype, "application/javascript") {
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
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if strings.HasPrefix(name, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
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
	if f.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func match(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
