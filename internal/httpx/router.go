package httpx

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
)

// EndpointUnmatched is the endpoint label of requests no route matched.
const EndpointUnmatched = "unmatched"

// Router is an http.ServeMux that counts every request by endpoint (the
// pattern of the route that served it, or EndpointUnmatched) and status
// code, answers unknown paths and wrong methods with JSON 404 and 405
// error bodies instead of the mux's plain text, and turns a handler's panic
// into a logged 500.
type Router struct {
	mux      *http.ServeMux
	patterns map[string]bool
	requests *CounterVec
	log      *slog.Logger
}

// NewRouter returns a router that counts requests in requests, a counter
// whose labels are endpoint and code, and logs panics to log.
func NewRouter(requests *CounterVec, log *slog.Logger) *Router {
	return &Router{mux: http.NewServeMux(), patterns: make(map[string]bool), requests: requests, log: log}
}

// Handle registers h for pattern, in http.ServeMux syntax ("GET /healthz").
func (rt *Router) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, h)
	rt.patterns[pattern] = true
}

// HandleFunc registers f for pattern.
func (rt *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	rt.Handle(pattern, http.HandlerFunc(f))
}

// ServeHTTP serves r through the mux.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	endpoint := EndpointUnmatched
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			rt.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "endpoint", endpoint, "panic", v)
			if sw.status != 0 {
				// Part of an answer is out: cut the connection so the
				// client cannot take it for a whole one.
				rt.requests.Inc(endpoint, strconv.Itoa(http.StatusInternalServerError))
				panic(http.ErrAbortHandler)
			}
			_ = WriteProblem(sw, Internal())
		}
		rt.requests.Inc(endpoint, strconv.Itoa(sw.statusOr200()))
	}()

	if _, pattern := rt.mux.Handler(r); rt.patterns[pattern] {
		endpoint = pattern
		rt.mux.ServeHTTP(sw, r)
		return
	}
	// No route of ours: let the mux decide between 404 and 405 (and
	// anything else it may answer, passed on as it is), then answer 404
	// and 405 in JSON.
	c := NewCapture(nil)
	rt.mux.ServeHTTP(c, r)
	switch c.status {
	case http.StatusNotFound:
		_ = WriteProblem(sw, NotFound())
	case http.StatusMethodNotAllowed:
		sw.Header().Set("Allow", c.header.Get("Allow"))
		_ = WriteProblem(sw, MethodNotAllowed())
	default:
		for k, v := range c.header {
			sw.Header()[k] = v
		}
		sw.WriteHeader(c.Status())
		_, _ = sw.Write(c.Body.Bytes())
	}
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Capture buffers a whole response in memory, standing in for the
// writer it was made for (NewCapture), which Unwrap returns.
type Capture struct {
	under  http.ResponseWriter
	header http.Header
	status int
	// Body is what was written.
	Body bytes.Buffer
}

// NewCapture returns a Capture standing in for under (nil for none).
func NewCapture(under http.ResponseWriter) *Capture {
	return &Capture{under: under, header: make(http.Header)}
}

// Header returns the captured header.
func (c *Capture) Header() http.Header { return c.header }

// WriteHeader keeps the first status.
func (c *Capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

func (c *Capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.Body.Write(p)
}

// Unwrap returns the writer the capture stands in for (for
// http.ResponseController, which huma uses to set deadlines).
func (c *Capture) Unwrap() http.ResponseWriter { return c.under }

// Status returns the status written, 200 when none was.
func (c *Capture) Status() int {
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}
