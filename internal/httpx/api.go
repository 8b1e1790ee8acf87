package httpx

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
)

// API is what the project's HTTP APIs share: an instrumented router, request
// and rejection counters on a /metrics page, and the way failures and
// answers are written. A service embeds it and registers its routes.
type API struct {
	Log      *slog.Logger
	requests *CounterVec
	rejected *CounterVec
	metrics  Metrics
	router   *Router
	// guard, when set, decides who may read /metrics (SetMetricsGuard).
	guard func(http.ResponseWriter, *http.Request) bool
}

// NewAPI returns the scaffolding of service's API ("agent", "cloud"): its
// counters are jxc_<service>_http_requests_total and _rejected_total, and
// GET /metrics is registered. log may be nil to discard logs.
func NewAPI(service string, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{
		Log: log.With("component", service+"/httpapi"),
		requests: NewCounterVec(fmt.Sprintf("jxc_%s_http_requests_total", service),
			fmt.Sprintf("HTTP requests served by the %s API, by endpoint and status code.", service), "endpoint", "code"),
		rejected: NewCounterVec(fmt.Sprintf("jxc_%s_http_rejected_total", service),
			fmt.Sprintf("HTTP requests the %s API answered with an error, by reason.", service), "reason"),
	}
	a.metrics.AddCounter(a.requests)
	a.metrics.AddCounter(a.rejected)
	a.router = NewRouter(a.requests, a.Log)
	a.router.HandleFunc("GET /metrics", a.serveMetrics)
	return a
}

// SetMetricsGuard makes /metrics call guard first: guard answers the
// request itself (an error) and returns false to refuse it. Call it before
// serving; without a guard /metrics is open.
func (a *API) SetMetricsGuard(guard func(http.ResponseWriter, *http.Request) bool) { a.guard = guard }

func (a *API) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if a.guard != nil && !a.guard(w, r) {
		return
	}
	a.metrics.ServeHTTP(w, r)
}

// HandleFunc registers f for pattern, in http.ServeMux syntax.
func (a *API) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	a.router.HandleFunc(pattern, f)
}

// ServeHTTP serves r through the API's router, so that an *API can stand
// where a mux is expected (huma's humago adapter).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.router.ServeHTTP(w, r) }

// Handler returns the HTTP handler of the API.
func (a *API) Handler() http.Handler { return a.router }

// AddMetrics appends f to the /metrics page, after the API's own counters:
// f writes more metrics in Prometheus text format. f is called once per
// scrape, possibly concurrently.
func (a *API) AddMetrics(f func(w io.Writer)) { a.metrics.Add(f) }

// Fail answers a failed request with p, counting p.Reason and logging cause at a level fitting
// the status (500s as errors; the user never sees the cause).
func (a *API) Fail(w http.ResponseWriter, r *http.Request, p *Problem, cause error) {
	fail(w, r, a.Log, a.rejected, p, cause)
}

// Reject counts p.Reason as a rejected request and logs cause like Fail,
// without writing anything: for a caller (such as a framework's error
// hook) that writes the answer itself.
func (a *API) Reject(r *http.Request, p *Problem, cause error) {
	reject(r, a.Log, a.rejected, p, cause)
}

// Reply answers a successful request with v as JSON.
func (a *API) Reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	reply(w, r, a.Log, status, v)
}
