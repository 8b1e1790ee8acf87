package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// fakeLedger is an in-memory agent.Ledger: movements add to on-hand, counts
// set it. Setting err makes writes and Stock fail with it.
type fakeLedger struct {
	mu        sync.Mutex
	seq       uint64
	acked     uint64
	movements []agent.MovementInput
	counts    []agent.CountInput
	stock     map[syncproto.Key]int64
	products  map[string]agent.Product // by 14-digit GTIN
	filter    agent.StockFilter
	err       error
	notify    chan struct{}
}

var _ agent.Ledger = (*fakeLedger)(nil)

const (
	// testToken is the device token of the fixture's requests.
	testToken   = "test-device-token-0123456789"
	testReplica = syncproto.ReplicaID(0x00c0ffee12345678)
	testSite    = "store-1"
)

func newFakeLedger() *fakeLedger {
	return &fakeLedger{stock: make(map[syncproto.Key]int64), products: make(map[string]agent.Product), notify: make(chan struct{}, 1)}
}

func (l *fakeLedger) Replica() syncproto.ReplicaID { return testReplica }
func (l *fakeLedger) Site() string                 { return testSite }

func (l *fakeLedger) write(ctx context.Context, apply func()) (agent.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return agent.Receipt{}, fmt.Errorf("fake ledger: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return agent.Receipt{}, l.err
	}
	apply()
	l.seq++
	return agent.Receipt{Replica: testReplica, Seq: l.seq, HLC: syncproto.MakeHLC(1_700_000_000_000, uint16(l.seq))}, nil
}

func (l *fakeLedger) RecordMovement(ctx context.Context, in agent.MovementInput) (agent.Receipt, error) {
	return l.write(ctx, func() {
		l.movements = append(l.movements, in)
		l.stock[syncproto.Key{Site: testSite, Bin: in.Bin, SKU: in.SKU, Lot: in.Lot}] += in.Qty
	})
}

func (l *fakeLedger) RecordMovements(ctx context.Context, ins []agent.MovementInput) ([]agent.Receipt, error) {
	var rs []agent.Receipt
	for _, in := range ins {
		r, err := l.RecordMovement(ctx, in)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func (l *fakeLedger) PutProducts(ctx context.Context, ps []agent.Product) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fake ledger: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	for _, p := range ps {
		g, err := agent.NormalizeGTIN(p.GTIN)
		if err != nil {
			return fmt.Errorf("fake ledger: %w: %v", agent.ErrInvalid, err)
		}
		p.GTIN = g
		l.products[g] = p
	}
	return nil
}

func (l *fakeLedger) ProductByGTIN(ctx context.Context, gtin string) (agent.Product, bool, error) {
	if err := ctx.Err(); err != nil {
		return agent.Product{}, false, fmt.Errorf("fake ledger: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return agent.Product{}, false, l.err
	}
	g, err := agent.NormalizeGTIN(gtin)
	if err != nil {
		return agent.Product{}, false, fmt.Errorf("fake ledger: %w: %v", agent.ErrInvalid, err)
	}
	p, ok := l.products[g]
	return p, ok, nil
}

func (l *fakeLedger) gotProducts() map[string]agent.Product {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.products)
}

func (l *fakeLedger) RecordCount(ctx context.Context, in agent.CountInput) (agent.Receipt, error) {
	return l.write(ctx, func() {
		l.counts = append(l.counts, in)
		l.stock[syncproto.Key{Site: testSite, Bin: in.Bin, SKU: in.SKU, Lot: in.Lot}] = in.Counted
	})
}

func (l *fakeLedger) Append(ctx context.Context, body *pb.Event) (agent.Receipt, error) {
	return l.write(ctx, func() {})
}

func (l *fakeLedger) Stock(ctx context.Context, f agent.StockFilter) ([]agent.StockRow, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fake ledger: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.filter = f
	if l.err != nil {
		return nil, l.err
	}
	var rows []agent.StockRow
	for k, q := range l.stock {
		if (f.SKU == "" || f.SKU == k.SKU) && (f.Bin == "" || f.Bin == k.Bin) {
			rows = append(rows, agent.StockRow{Site: k.Site, Bin: k.Bin, SKU: k.SKU, Lot: k.Lot, Qty: q})
		}
	}
	slices.SortFunc(rows, func(a, b agent.StockRow) int {
		return strings.Compare(a.Bin+"\x00"+a.SKU+"\x00"+a.Lot, b.Bin+"\x00"+b.SKU+"\x00"+b.Lot)
	})
	return rows, nil
}

func (l *fakeLedger) LastSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}

func (l *fakeLedger) AckedSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked
}

func (l *fakeLedger) SetAcked(ctx context.Context, seq uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked = max(l.acked, seq)
	return nil
}

func (l *fakeLedger) Events(ctx context.Context, from uint64, maxEvents, maxBytes int) ([]syncproto.Event, error) {
	return nil, nil
}

func (l *fakeLedger) Notify() <-chan struct{} { return l.notify }

func (l *fakeLedger) ApplyPeer(ctx context.Context, events []syncproto.Event) (int, error) {
	return 0, nil
}

func (l *fakeLedger) PeerVV() syncproto.VV { return nil }

func (l *fakeLedger) Rebuild(ctx context.Context) error { return nil }

func (l *fakeLedger) Close() error { return nil }

func (l *fakeLedger) setErr(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
}

func (l *fakeLedger) gotMovements() []agent.MovementInput {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.movements)
}

func (l *fakeLedger) gotCounts() []agent.CountInput {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.counts)
}

func (l *fakeLedger) gotFilter() agent.StockFilter {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.filter
}

func (l *fakeLedger) writes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.movements) + len(l.counts)
}

// fakeSync is a SyncStatus whose answer tests set.
type fakeSync struct{ connected atomic.Bool }

func (s *fakeSync) Connected() bool { return s.connected.Load() }

type fixture struct {
	ledger *fakeLedger
	sync   *fakeSync
	api    *httpapi.Server
	srv    *httptest.Server
	logs   *testenv.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{ledger: newFakeLedger(), sync: &fakeSync{}, logs: &testenv.Buffer{}}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.api = httpapi.New(f.ledger, httpapi.Options{Sync: f.sync, Log: log, DeviceTokens: map[string]string{"gate-1": testToken}})
	f.srv = httptest.NewServer(f.api.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (f *fixture) do(t *testing.T, method, path, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (f *fixture) post(t *testing.T, path, body string) response {
	t.Helper()
	return f.do(t, http.MethodPost, path, "application/json", body)
}

func (f *fixture) get(t *testing.T, path string) response {
	t.Helper()
	return f.do(t, http.MethodGet, path, "", "")
}

func (f *fixture) metrics(t *testing.T) string {
	t.Helper()
	r := f.get(t, "/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", r.status)
	}
	return string(r.body)
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var v T
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// checkError checks an error answer's status, code and that both messages
// are there and the English one mentions every string of wantIn.
func checkError(t *testing.T, r response, wantStatus int, wantCode string, wantIn ...string) httpx.ErrorBody {
	t.Helper()
	if r.status != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", r.status, wantStatus, r.body)
	}
	e := decode[httpx.ErrorBody](t, r)
	if e.Code != wantCode {
		t.Errorf("code = %q, want %q (error %q)", e.Code, wantCode, e.Error)
	}
	if e.Error == "" || e.ErrorZH == "" {
		t.Errorf("error = %q, error_zh = %q: want both", e.Error, e.ErrorZH)
	}
	for _, s := range wantIn {
		if !strings.Contains(e.Error, s) {
			t.Errorf("error %q does not mention %q", e.Error, s)
		}
	}
	return e
}

func TestMovementCreated(t *testing.T) {
	f := newFixture(t)
	body := `{"sku":"SKU-1","bin":"A-01","qty":12,"reason":"receive","lot":"L7","epc":"3034257BF7194E4000000001",
		"doc":"PO-9","unit_cost":350,"currency":"CNY","operator":"wang","device":"gate-1"}`
	r := f.post(t, "/api/v1/movements", body)
	if r.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", r.status, r.body)
	}
	got := decode[httpapi.ReceiptResponse](t, r)
	want := httpapi.ReceiptResponse{Replica: "00c0ffee12345678", Seq: 1, HLC: uint64(syncproto.MakeHLC(1_700_000_000_000, 1))}
	if got != want {
		t.Errorf("receipt = %+v, want %+v", got, want)
	}
	wantIn := agent.MovementInput{SKU: "SKU-1", Bin: "A-01", Lot: "L7", EPC: "3034257BF7194E4000000001", Qty: 12,
		UnitCost: 350, Currency: "CNY", Reason: "receive", Doc: "PO-9", Operator: "wang", Device: "gate-1"}
	if got := f.ledger.gotMovements(); len(got) != 1 || got[0] != wantIn {
		t.Errorf("ledger got %+v, want [%+v]", got, wantIn)
	}

	// A second movement gets the next seq; a negative qty is a valid delta.
	r = f.post(t, "/api/v1/movements", `{"sku":"SKU-1","bin":"A-01","qty":-2,"reason":"ship"}`)
	if got := decode[httpapi.ReceiptResponse](t, r); r.status != http.StatusCreated || got.Seq != 2 {
		t.Errorf("second movement: status %d, receipt %+v; want 201 with seq 2", r.status, got)
	}
}

func TestMovementContentTypeNotRequired(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
		t.Run(ct, func(t *testing.T) {
			f := newFixture(t)
			r := f.do(t, http.MethodPost, "/api/v1/movements", ct, `{"sku":"S","bin":"B","qty":1,"reason":"receive"}`)
			if r.status != http.StatusCreated {
				t.Errorf("status = %d, want 201; body %s", r.status, r.body)
			}
		})
	}
}

// padded returns a valid movement body of exactly n bytes.
func padded(t *testing.T, n int) string {
	t.Helper()
	base := `{"sku":"S","bin":"B","qty":1,"reason":"receive","doc":""}`
	if n < len(base) {
		t.Fatalf("padded: %d is below %d", n, len(base))
	}
	return strings.Replace(base, `"doc":""`, `"doc":"`+strings.Repeat("x", n-len(base))+`"`, 1)
}

func TestMovementBadInput(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantIn     []string
	}{
		{"truncated JSON", `{"sku":"S","bin":`, 400, "bad_json", []string{"malformed JSON"}},
		{"syntax error", `{"sku" "S"}`, 400, "bad_json", []string{"malformed JSON at byte"}},
		{"empty body", ``, 400, "empty_body", []string{"empty"}},
		{"not an object", `[1,2]`, 400, "bad_type", []string{"JSON object"}},
		{"two objects", `{"sku":"S","bin":"B","qty":1,"reason":"r"} {}`, 400, "bad_json", []string{"exactly one"}},
		{"unknown field", `{"sku":"S","bin":"B","qty":1,"reason":"receive","colour":"red"}`, 400, "unknown_field", []string{`"colour"`}},
		{"missing sku", `{"bin":"B","qty":1,"reason":"receive"}`, 400, "missing_field", []string{`"sku"`}},
		{"empty sku", `{"sku":"","bin":"B","qty":1,"reason":"receive"}`, 400, "missing_field", []string{`"sku"`}},
		{"missing bin", `{"sku":"S","qty":1,"reason":"receive"}`, 400, "missing_field", []string{`"bin"`}},
		{"missing reason", `{"sku":"S","bin":"B","qty":1}`, 400, "missing_field", []string{`"reason"`}},
		{"missing qty", `{"sku":"S","bin":"B","reason":"receive"}`, 400, "missing_field", []string{`"qty"`}},
		{"null qty", `{"sku":"S","bin":"B","qty":null,"reason":"receive"}`, 400, "missing_field", []string{`"qty"`}},
		{"qty zero", `{"sku":"S","bin":"B","qty":0,"reason":"receive"}`, 400, "zero_qty", []string{`"qty"`, "0"}},
		{"qty fraction", `{"sku":"S","bin":"B","qty":1.5,"reason":"receive"}`, 400, "not_integer", []string{`"qty"`, "1.5"}},
		{"qty exponent", `{"sku":"S","bin":"B","qty":1e3,"reason":"receive"}`, 400, "not_integer", []string{`"qty"`, "1e3"}},
		{"qty overflow", `{"sku":"S","bin":"B","qty":9223372036854775808,"reason":"receive"}`, 400, "not_integer", []string{`"qty"`, "out of range"}},
		{"qty string", `{"sku":"S","bin":"B","qty":"5","reason":"receive"}`, 400, "bad_type", []string{`"qty"`, "integer"}},
		{"unit cost fraction", `{"sku":"S","bin":"B","qty":1,"reason":"receive","unit_cost":3.5}`, 400, "not_integer", []string{`"unit_cost"`}},
		{"sku number", `{"sku":12,"bin":"B","qty":1,"reason":"receive"}`, 400, "bad_type", []string{`"sku"`, "string"}},
		{"body over 64 KiB", padded(t, httpapi.MaxBodyBytes+1), 413, "too_large", []string{"65536"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.post(t, "/api/v1/movements", tt.body)
			checkError(t, r, tt.wantStatus, tt.wantCode, tt.wantIn...)
			if n := f.ledger.writes(); n != 0 {
				t.Errorf("ledger got %d writes, want none", n)
			}
			m := f.metrics(t)
			for _, want := range []string{
				fmt.Sprintf(`jxc_agent_http_rejected_total{reason=%q} 1`, tt.wantCode),
				fmt.Sprintf(`jxc_agent_http_requests_total{endpoint="POST /api/v1/movements",code="%d"} 1`, tt.wantStatus),
			} {
				if !strings.Contains(m, want+"\n") {
					t.Errorf("metrics lack %q:\n%s", want, m)
				}
			}
		})
	}
}

func TestMovementBodyAtLimit(t *testing.T) {
	f := newFixture(t)
	body := padded(t, httpapi.MaxBodyBytes)
	if len(body) != httpapi.MaxBodyBytes {
		t.Fatalf("body is %d bytes", len(body))
	}
	if r := f.post(t, "/api/v1/movements", body); r.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", r.status, r.body)
	}
}

func TestCountCreated(t *testing.T) {
	tests := []struct {
		name string
		body string
		want agent.CountInput
	}{
		{"full", `{"sku":"S","bin":"B","lot":"L1","counted":40,"operator":"li","device":"hh-2"}`,
			agent.CountInput{SKU: "S", Bin: "B", Lot: "L1", Counted: 40, Operator: "li", Device: "hh-2"}},
		{"counted zero", `{"sku":"S","bin":"B","counted":0}`, agent.CountInput{SKU: "S", Bin: "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.post(t, "/api/v1/counts", tt.body)
			if r.status != http.StatusCreated {
				t.Fatalf("status = %d, want 201; body %s", r.status, r.body)
			}
			got := decode[httpapi.ReceiptResponse](t, r)
			if got.Replica != testReplica.String() || got.Seq != 1 || got.HLC == 0 {
				t.Errorf("receipt = %+v", got)
			}
			if got := f.ledger.gotCounts(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("ledger got %+v, want [%+v]", got, tt.want)
			}
		})
	}
}

func TestCountBadInput(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantIn     []string
	}{
		{"malformed", `{"sku":`, 400, "bad_json", nil},
		{"unknown field", `{"sku":"S","bin":"B","counted":1,"qty":1}`, 400, "unknown_field", []string{`"qty"`}},
		{"missing sku", `{"bin":"B","counted":1}`, 400, "missing_field", []string{`"sku"`}},
		{"missing bin", `{"sku":"S","counted":1}`, 400, "missing_field", []string{`"bin"`}},
		{"missing counted", `{"sku":"S","bin":"B"}`, 400, "missing_field", []string{`"counted"`}},
		{"negative counted", `{"sku":"S","bin":"B","counted":-1}`, 400, "negative_count", []string{`"counted"`, "-1"}},
		{"fractional counted", `{"sku":"S","bin":"B","counted":2.5}`, 400, "not_integer", []string{`"counted"`, "2.5"}},
		{"too large", `{"sku":"S","bin":"B","counted":1,"lot":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`, 413, "too_large", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			checkError(t, f.post(t, "/api/v1/counts", tt.body), tt.wantStatus, tt.wantCode, tt.wantIn...)
			if n := f.ledger.writes(); n != 0 {
				t.Errorf("ledger got %d writes, want none", n)
			}
		})
	}
}

// TestDomainErrors checks how every endpoint that calls the ledger maps its
// errors, and that an internal cause goes to the log, not to the user.
func TestDomainErrors(t *testing.T) {
	requests := []struct {
		method, path, body string
	}{
		{http.MethodPost, "/api/v1/movements", `{"sku":"S","bin":"B","qty":1,"reason":"receive"}`},
		{http.MethodPost, "/api/v1/counts", `{"sku":"S","bin":"B","counted":1}`},
		{http.MethodGet, "/api/v1/stock", ``},
		{http.MethodPut, "/api/v1/products", `[{"gtin":"6901234567892","sku":"TEA"}]`},
		{http.MethodGet, "/api/v1/products/6901234567892", ``},
	}
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantIn     string
	}{
		{"invalid", fmt.Errorf("%w: reason %q is not known", agent.ErrInvalid, "teleport"), 400, "invalid", "teleport"},
		{"closed", fmt.Errorf("append: %w", agent.ErrClosed), 503, "closed", "closed"},
		{"canceled", fmt.Errorf("wait fsync: %w", context.Canceled), httpx.StatusClientClosedRequest, "canceled", "canceled"},
		{"deadline", fmt.Errorf("wait fsync: %w", context.DeadlineExceeded), 503, "timeout", "timed out"},
		{"internal", errors.New("disk on fire"), 500, "internal", "internal error"},
	}
	for _, rq := range requests {
		for _, tt := range tests {
			t.Run(rq.path+"/"+tt.name, func(t *testing.T) {
				f := newFixture(t)
				f.ledger.setErr(tt.err)
				r := f.do(t, rq.method, rq.path, "application/json", rq.body)
				checkError(t, r, tt.wantStatus, tt.wantCode, tt.wantIn)
				if tt.wantCode == "internal" {
					if strings.Contains(string(r.body), "disk on fire") {
						t.Errorf("internal cause leaked to the user: %s", r.body)
					}
					if !strings.Contains(f.logs.String(), "disk on fire") {
						t.Errorf("internal cause not logged; logs:\n%s", f.logs.String())
					}
				}
				if !strings.Contains(f.metrics(t), fmt.Sprintf(`jxc_agent_http_rejected_total{reason=%q} 1`, tt.wantCode)) {
					t.Errorf("rejection %q not counted", tt.wantCode)
				}
			})
		}
	}
}

// TestClientGone checks a request whose context ends before the ledger
// answers: the ledger's context error becomes 499.
func TestClientGone(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/v1/movements",
		strings.NewReader(`{"sku":"S","bin":"B","qty":1,"reason":"receive"}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec := httptest.NewRecorder()
	f.api.Handler().ServeHTTP(rec, req)
	if rec.Code != httpx.StatusClientClosedRequest {
		t.Errorf("status = %d, want %d; body %s", rec.Code, httpx.StatusClientClosedRequest, rec.Body)
	}
	if n := f.ledger.writes(); n != 0 {
		t.Errorf("ledger got %d writes, want none", n)
	}
}

func TestStock(t *testing.T) {
	f := newFixture(t)
	for _, body := range []string{
		`{"sku":"S1","bin":"A","qty":5,"reason":"receive"}`,
		`{"sku":"S1","bin":"B","qty":7,"reason":"receive","lot":"L1"}`,
		`{"sku":"S2","bin":"A","qty":3,"reason":"receive"}`,
	} {
		if r := f.post(t, "/api/v1/movements", body); r.status != http.StatusCreated {
			t.Fatalf("setup: status %d; body %s", r.status, r.body)
		}
	}
	tests := []struct {
		name       string
		query      string
		wantFilter agent.StockFilter
		wantRows   []agent.StockRow
	}{
		{"all", "", agent.StockFilter{}, []agent.StockRow{
			{Site: testSite, Bin: "A", SKU: "S1", Qty: 5},
			{Site: testSite, Bin: "A", SKU: "S2", Qty: 3},
			{Site: testSite, Bin: "B", SKU: "S1", Lot: "L1", Qty: 7},
		}},
		{"by sku", "?sku=S1", agent.StockFilter{SKU: "S1"}, []agent.StockRow{
			{Site: testSite, Bin: "A", SKU: "S1", Qty: 5},
			{Site: testSite, Bin: "B", SKU: "S1", Lot: "L1", Qty: 7},
		}},
		{"by sku and bin", "?sku=S1&bin=B", agent.StockFilter{SKU: "S1", Bin: "B"}, []agent.StockRow{
			{Site: testSite, Bin: "B", SKU: "S1", Lot: "L1", Qty: 7},
		}},
		{"escaped", "?sku=" + "%E8%8B%B9%E6%9E%9C", agent.StockFilter{SKU: "苹果"}, []agent.StockRow{}},
		{"none", "?bin=Z", agent.StockFilter{Bin: "Z"}, []agent.StockRow{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, "/api/v1/stock"+tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d; body %s", r.status, r.body)
			}
			got := decode[httpapi.StockResponse](t, r)
			if got.Site != testSite || got.Replica != testReplica.String() {
				t.Errorf("site, replica = %q, %q", got.Site, got.Replica)
			}
			if !slices.Equal(got.Rows, tt.wantRows) {
				t.Errorf("rows = %+v, want %+v", got.Rows, tt.wantRows)
			}
			if got := f.ledger.gotFilter(); got != tt.wantFilter {
				t.Errorf("filter = %+v, want %+v", got, tt.wantFilter)
			}
			if len(tt.wantRows) == 0 && !strings.Contains(string(r.body), `"rows":[]`) {
				t.Errorf("empty rows not sent as []: %s", r.body)
			}
		})
	}
}

func TestSync(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		if r := f.post(t, "/api/v1/movements", `{"sku":"S","bin":"B","qty":1,"reason":"receive"}`); r.status != http.StatusCreated {
			t.Fatalf("setup: status %d", r.status)
		}
	}
	if err := f.ledger.SetAcked(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		connected bool
	}{{"offline", false}, {"online", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.sync.connected.Store(tt.connected)
			r := f.get(t, "/api/v1/sync")
			if r.status != http.StatusOK {
				t.Fatalf("status = %d; body %s", r.status, r.body)
			}
			got := decode[httpapi.SyncResponse](t, r)
			want := httpapi.SyncResponse{Replica: testReplica.String(), LastSeq: 3, AckedSeq: 2, Connected: tt.connected}
			if got != want {
				t.Errorf("sync = %+v, want %+v", got, want)
			}
		})
	}
}

// masterLedger is a fake ledger that holds master data.
type masterLedger struct {
	*fakeLedger
	rev uint64
}

func (l *masterLedger) MasterRev() uint64 { return l.rev }
func (l *masterLedger) ApplyMaster(context.Context, *pb.MasterBatch) (bool, error) {
	return false, errors.New("not in this test")
}

func TestSyncMasterRev(t *testing.T) {
	srv := httptest.NewServer(httpapi.New(&masterLedger{newFakeLedger(), 42}, httpapi.Options{}).Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/api/v1/sync")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got httpapi.SyncResponse
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.MasterRev != 42 {
		t.Errorf("master_rev = %d, want 42", got.MasterRev)
	}
}

func TestSyncWithoutSyncStatus(t *testing.T) {
	srv := httptest.NewServer(httpapi.New(newFakeLedger(), httpapi.Options{}).Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/api/v1/sync")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got httpapi.SyncResponse
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || got.Connected {
		t.Errorf("status %d, sync %+v; want 200, not connected", resp.StatusCode, got)
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/healthz")
	if r.status != http.StatusOK {
		t.Fatalf("status = %d", r.status)
	}
	got := decode[httpapi.Health](t, r)
	want := httpapi.Health{Status: "ok", Site: testSite, Replica: testReplica.String()}
	if got != want {
		t.Errorf("health = %+v, want %+v", got, want)
	}
}

func TestUnmatched(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantCode   string
		wantAllow  string
	}{
		{"unknown path", http.MethodGet, "/api/v1/nope", 404, "not_found", ""},
		{"wrong method on write", http.MethodGet, "/api/v1/movements", 405, "method_not_allowed", "POST"},
		{"wrong method on read", http.MethodDelete, "/api/v1/stock", 405, "method_not_allowed", "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.do(t, tt.method, tt.path, "", "")
			checkError(t, r, tt.wantStatus, tt.wantCode)
			if tt.wantAllow != "" && !strings.Contains(r.header.Get("Allow"), tt.wantAllow) {
				t.Errorf("Allow = %q, want it to contain %q", r.header.Get("Allow"), tt.wantAllow)
			}
			want := fmt.Sprintf(`jxc_agent_http_requests_total{endpoint="unmatched",code="%d"} 1`, tt.wantStatus)
			if m := f.metrics(t); !strings.Contains(m, want) {
				t.Errorf("metrics lack %q:\n%s", want, m)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	f.api.AddMetrics(func(w io.Writer) {
		fmt.Fprint(w, "# HELP jxc_agent_sync_up Whether the agent is connected.\n# TYPE jxc_agent_sync_up gauge\njxc_agent_sync_up 1\n")
	})
	f.post(t, "/api/v1/movements", `{"sku":"S","bin":"B","qty":1,"reason":"receive"}`)
	f.post(t, "/api/v1/movements", `{"sku":"S","bin":"B","qty":2,"reason":"receive"}`)
	f.post(t, "/api/v1/movements", `{"sku":"S","bin":"B","qty":1.5,"reason":"receive"}`)
	f.post(t, "/api/v1/counts", `{"sku":"S","bin":"B","counted":1,"x":1}`)
	f.get(t, "/api/v1/stock")

	r := f.get(t, "/metrics")
	if ct := r.header.Get("Content-Type"); ct != httpx.MetricsContentType {
		t.Errorf("Content-Type = %q, want %q", ct, httpx.MetricsContentType)
	}
	got := string(r.body)
	for _, want := range []string{
		"# TYPE jxc_agent_http_requests_total counter\n",
		"# TYPE jxc_agent_http_rejected_total counter\n",
		`jxc_agent_http_requests_total{endpoint="POST /api/v1/movements",code="201"} 2` + "\n",
		`jxc_agent_http_requests_total{endpoint="POST /api/v1/movements",code="400"} 1` + "\n",
		`jxc_agent_http_requests_total{endpoint="POST /api/v1/counts",code="400"} 1` + "\n",
		`jxc_agent_http_requests_total{endpoint="GET /api/v1/stock",code="200"} 1` + "\n",
		`jxc_agent_http_rejected_total{reason="not_integer"} 1` + "\n",
		`jxc_agent_http_rejected_total{reason="unknown_field"} 1` + "\n",
		"jxc_agent_sync_up 1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q:\n%s", want, got)
		}
	}
}

// TestConcurrentWrites checks that concurrent requests each get their own
// receipt (run with -race).
func TestConcurrentWrites(t *testing.T) {
	f := newFixture(t)
	const n = 50
	seqs := make(chan uint64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"sku":"S","bin":"B","qty":%d,"reason":"receive"}`, i+1)
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/movements", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var rc httpapi.ReceiptResponse
			if err := json.NewDecoder(resp.Body).Decode(&rc); err != nil || resp.StatusCode != http.StatusCreated {
				t.Errorf("status %d, decode %v", resp.StatusCode, err)
				return
			}
			seqs <- rc.Seq
		})
	}
	wg.Wait()
	close(seqs)
	var got []uint64
	for s := range seqs {
		got = append(got, s)
	}
	slices.Sort(got)
	if len(got) != n || got[0] != 1 || got[n-1] != n {
		t.Errorf("seqs = %v, want 1..%d", got, n)
	}
	rows, err := f.ledger.Stock(context.Background(), agent.StockFilter{})
	if err != nil || len(rows) != 1 || rows[0].Qty != n*(n+1)/2 {
		t.Errorf("stock = %+v, %v; want one row of %d", rows, err, n*(n+1)/2)
	}
}
