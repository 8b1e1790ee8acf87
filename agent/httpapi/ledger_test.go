package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"

	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// realServer serves the API over a real SQLite ledger.
func realServer(t *testing.T) (*httptest.Server, *sqlite.Ledger) {
	t.Helper()
	l, err := sqlite.Open(t.TempDir(), sqlite.Options{Tenant: "t1", Site: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	srv := httptest.NewServer(httpapi.New(l, httpapi.Options{DeviceTokens: map[string]string{"gate-1": testToken}}).Handler())
	t.Cleanup(srv.Close)
	return srv, l
}

func post(t *testing.T, srv *httptest.Server, path, key, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(httpapi.IdempotencyHeader, key)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// wantProblem checks an error body: status, code, and a Chinese text that
// is Chinese (no English words copied into it) and has the English one's
// context only once.
func wantProblem(t *testing.T, status int, body []byte, wantStatus int, wantCode, wantZH string) httpx.ErrorBody {
	t.Helper()
	var e httpx.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if status != wantStatus || e.Code != wantCode {
		t.Fatalf("got %d %s, want %d %s", status, body, wantStatus, wantCode)
	}
	if !strings.Contains(e.ErrorZH, wantZH) {
		t.Errorf("error_zh %q does not say %q", e.ErrorZH, wantZH)
	}
	if !strings.ContainsFunc(e.ErrorZH, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("error_zh %q has no Chinese", e.ErrorZH)
	}
	for _, w := range []string{"invalid input", "record ", " is ", "contains", "would take"} {
		if strings.Contains(e.ErrorZH, w) {
			t.Errorf("error_zh %q carries English %q", e.ErrorZH, w)
		}
	}
	for _, w := range []string{"record movement", "record count", "invalid input"} {
		if strings.Contains(e.Error, w) {
			t.Errorf("error %q repeats the context %q", e.Error, w)
		}
	}
	return e
}

// TestIdempotencyKeyHTTP is the review's case: a handheld that timed out
// and retried recorded the movement twice. With Idempotency-Key the retry
// gets the first answer, byte for byte, and nothing is recorded again.
func TestIdempotencyKeyHTTP(t *testing.T) {
	srv, l := realServer(t)
	const body = `{"sku":"TEA","bin":"A1","qty":5,"reason":"receive"}`
	st1, b1 := post(t, srv, "/api/v1/movements", "retry-1", body)
	st2, b2 := post(t, srv, "/api/v1/movements", "retry-1", " "+body+"\n")
	if st1 != http.StatusCreated || st2 != st1 || !bytes.Equal(b1, b2) {
		t.Fatalf("first %d %s, retry %d %s; want the same 201 answer", st1, b1, st2, b2)
	}
	st, b := post(t, srv, "/api/v1/movements", "retry-1", `{"sku":"TEA","bin":"A1","qty":6,"reason":"receive"}`)
	wantProblem(t, st, b, http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key")
	st, b = post(t, srv, "/api/v1/counts", "retry-1", `{"sku":"TEA","bin":"A1","counted":5}`)
	wantProblem(t, st, b, http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key")

	const countBody = `{"sku":"TEA","bin":"B1","counted":7}`
	st1, b1 = post(t, srv, "/api/v1/counts", "count-1", countBody)
	st2, b2 = post(t, srv, "/api/v1/counts", "count-1", countBody)
	if st1 != http.StatusCreated || st2 != st1 || !bytes.Equal(b1, b2) {
		t.Fatalf("count: first %d %s, retry %d %s; want the same 201 answer", st1, b1, st2, b2)
	}
	// Without a key every request records.
	post(t, srv, "/api/v1/movements", "", body)
	post(t, srv, "/api/v1/movements", "", body)
	if got := l.LastSeq(); got != 4 {
		t.Fatalf("last seq %d, want 4: one keyed movement, one keyed count, two without key", got)
	}
	st, b = post(t, srv, "/api/v1/movements", "has space", body)
	wantProblem(t, st, b, http.StatusBadRequest, "invalid", "幂等键")
}

// TestErrorTextsHTTP checks the review's error texts: no repeated context
// ("record movement: record movement: …") and a real Chinese error_zh,
// for the ledger's refusals too.
func TestErrorTextsHTTP(t *testing.T) {
	srv, _ := realServer(t)
	st, b := post(t, srv, "/api/v1/movements", "", `{"sku":"TEA","bin":"A\u00001","qty":5,"reason":"receive"}`)
	e := wantProblem(t, st, b, http.StatusBadRequest, "invalid", "控制字符")
	if e.Error != "bin contains a control character" {
		t.Errorf("error %q", e.Error)
	}
	st, b = post(t, srv, "/api/v1/movements", "", `{"sku":"TEA","bin":"A1","qty":1000000000000000,"reason":"receive"}`)
	wantProblem(t, st, b, http.StatusBadRequest, "invalid", "超出")
	st, b = post(t, srv, "/api/v1/movements", "", `{"sku":"TEA","bin":"A1","qty":5,"reason":"stolen"}`)
	wantProblem(t, st, b, http.StatusBadRequest, "invalid", "不是以下之一")
	st, b = post(t, srv, "/api/v1/movements", "", `{"sku":"TEA","bin":"A1","qty":5,"qty":-5,"reason":"receive"}`)
	wantProblem(t, st, b, http.StatusBadRequest, "duplicate_field", "出现了两次")
	st, b = post(t, srv, "/api/v1/movements", "", `{"sku":"TEA","bin":"A1","QTY":5,"reason":"receive"}`)
	wantProblem(t, st, b, http.StatusBadRequest, "unknown_field", "区分大小写")

	// A lot-less count of a sku stocked by lot: count per lot.
	for _, body := range []string{
		`{"sku":"TEA","bin":"C1","lot":"L1","qty":10,"reason":"receive"}`,
		`{"sku":"TEA","bin":"C1","lot":"L2","qty":5,"reason":"receive"}`,
	} {
		if st, b := post(t, srv, "/api/v1/movements", "", body); st != http.StatusCreated {
			t.Fatalf("%d %s", st, b)
		}
	}
	st, b = post(t, srv, "/api/v1/counts", "", `{"sku":"TEA","bin":"C1","counted":15}`)
	wantProblem(t, st, b, http.StatusBadRequest, "invalid", "请按批次分别盘点")

	var e2 httpx.ErrorBody
	_ = json.Unmarshal(b, &e2)
	if !strings.Contains(e2.Error, "count each lot") {
		t.Errorf("error %q does not say to count each lot", e2.Error)
	}
}
