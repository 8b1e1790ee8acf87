package httpx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jxc-edge/jxc/internal/httpx"
)

func TestCounterVecText(t *testing.T) {
	c := httpx.NewCounterVec("x_total", "Things.\nWith a \\ in help.", "a", "b")
	c.Inc("2", "z")
	c.Inc("1", `q"uote`)
	c.Add(3, "1", "back\\slash\nline")
	c.Inc("2", "z")
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP x_total Things.\nWith a \\ in help.
# TYPE x_total counter
x_total{a="1",b="back\\slash\nline"} 3
x_total{a="1",b="q\"uote"} 1
x_total{a="2",b="z"} 2
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := c.Value("2", "z"); got != 2 {
		t.Errorf("Value = %d, want 2", got)
	}
	if got := c.Value("9", "9"); got != 0 {
		t.Errorf("Value of unknown series = %d, want 0", got)
	}
}

func TestCounterVecNoLabels(t *testing.T) {
	c := httpx.NewCounterVec("y_total", "Y.")
	c.Inc()
	var b bytes.Buffer
	_, _ = c.WriteTo(&b)
	if want := "# HELP y_total Y.\n# TYPE y_total counter\ny_total 1\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestCounterVecWrongArity(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Inc with the wrong number of values did not panic")
		}
	}()
	httpx.NewCounterVec("z_total", "Z.", "a").Inc("1", "2")
}

func TestCounterVecConcurrent(t *testing.T) {
	c := httpx.NewCounterVec("c_total", "C.", "k")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 1000 {
				c.Inc(fmt.Sprint(i % 2))
			}
			_, _ = c.WriteTo(io.Discard)
		})
	}
	wg.Wait()
	if got := c.Value("0") + c.Value("1"); got != 8000 {
		t.Errorf("total = %d, want 8000", got)
	}
}

func TestRouterPanic(t *testing.T) {
	var logs bytes.Buffer
	requests := httpx.NewCounterVec("r_total", "R.", "endpoint", "code")
	rt := httpx.NewRouter(requests, slog.New(slog.NewTextHandler(&logs, nil)))
	rt.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })

	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	var e httpx.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code != "internal" || strings.Contains(e.Error, "kaboom") {
		t.Errorf("body %s (%v): want an internal error without the cause", rec.Body, err)
	}
	if !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	if got := requests.Value("GET /boom", "500"); got != 1 {
		t.Errorf("requests{GET /boom,500} = %d, want 1", got)
	}
}

func TestRouterLabelsAreRoutes(t *testing.T) {
	requests := httpx.NewCounterVec("r_total", "R.", "endpoint", "code")
	rt := httpx.NewRouter(requests, slog.New(slog.DiscardHandler))
	rt.HandleFunc("GET /a/b", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	// The mux redirects an unclean path to its route; the redirect is
	// counted under that route, so request paths never become label values.
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/a//b", nil))
	if rec.Code/100 != 3 || rec.Header().Get("Location") != "/a/b" {
		t.Errorf("status %d, Location %q; want a redirect to /a/b", rec.Code, rec.Header().Get("Location"))
	}
	if got := requests.Value("GET /a/b", fmt.Sprint(rec.Code)); got != 1 {
		t.Errorf("requests{GET /a/b,%d} = %d, want 1", rec.Code, got)
	}
	rec = httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/a/b", nil))
	if got := requests.Value("GET /a/b", "204"); rec.Code != http.StatusNoContent || got != 1 {
		t.Errorf("status %d, requests{GET /a/b,204} = %d; want 204, 1", rec.Code, got)
	}
	for _, path := range []string{"/x", "/y/z", "/a/b/c"} {
		rt.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	if got := requests.Value(httpx.EndpointUnmatched, "404"); got != 3 {
		t.Errorf("requests{unmatched,404} = %d, want 3", got)
	}
}

func TestDecodeJSONProblemIsError(t *testing.T) {
	var dst struct {
		N int64 `json:"n"`
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"n": 2.5}`))
	err := httpx.DecodeJSON(httptest.NewRecorder(), req, &dst, 1024)
	p, ok := err.(*httpx.Problem)
	if !ok {
		t.Fatalf("err = %T %v, want *httpx.Problem", err, err)
	}
	if p.Status != http.StatusBadRequest || p.Reason != "not_integer" || dst.N != 0 {
		t.Errorf("problem %+v, n = %d; want 400 not_integer and n untouched", p, dst.N)
	}
}

func TestDecodeJSONSlice(t *testing.T) {
	type item struct {
		S string `json:"s"`
	}
	for _, tc := range []struct {
		name, body, wantReason, wantIn string
		want                           []item
	}{
		{name: "array", body: `[{"s":"a"},{"s":"b"}]`, want: []item{{"a"}, {"b"}}},
		{name: "empty array", body: `[]`, want: []item{}},
		{name: "object", body: `{"s":"a"}`, wantReason: "bad_type", wantIn: "must be a JSON array, got an object"},
		{name: "unknown field in element", body: `[{"s":"a","t":1}]`, wantReason: "unknown_field", wantIn: `"t"`},
		{name: "two arrays", body: `[] []`, wantReason: "bad_json", wantIn: "exactly one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []item
			req := httptest.NewRequest(http.MethodPut, "/", strings.NewReader(tc.body))
			err := httpx.DecodeJSON(httptest.NewRecorder(), req, &got, 1024)
			if tc.wantReason == "" {
				if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("got %v, %v; want %v", got, err, tc.want)
				}
				return
			}
			p, ok := err.(*httpx.Problem)
			if !ok || p.Reason != tc.wantReason || !strings.Contains(p.Msg, tc.wantIn) || p.MsgZH == "" {
				t.Fatalf("got %#v, want reason %q mentioning %q", err, tc.wantReason, tc.wantIn)
			}
		})
	}
}
