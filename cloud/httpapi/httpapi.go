// Package httpapi is the cloud's HTTP API: on-hand stock across replicas and
// the replicas the cloud knows, with health and Prometheus metrics. Every
// answer is JSON; errors carry an English and a Chinese message.
package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/syncproto"
)

// Server serves the cloud's HTTP API. Create it with New.
type Server struct {
	store cloud.Store
	*httpx.API
}

// New returns a server over store. log may be nil to discard logs.
func New(store cloud.Store, log *slog.Logger) *Server {
	s := &Server{API: httpx.NewAPI("cloud", log), store: store}
	s.HandleFunc("GET /api/v1/stock", s.handleStock)
	s.HandleFunc("GET /api/v1/replicas", s.handleReplicas)
	s.HandleFunc("GET /api/v1/count-conflicts", s.handleCountConflicts)
	s.HandleFunc("GET /api/v1/epcs/{epc}", s.handleEPC)
	s.HandleFunc("GET /healthz", s.handleHealth)
	return s
}

// StockResponse is the body of GET /api/v1/stock.
type StockResponse struct {
	Rows []cloud.StockRow `json:"rows"`
}

// ReplicasResponse is the body of GET /api/v1/replicas.
type ReplicasResponse struct {
	Replicas []cloud.ReplicaInfo `json:"replicas"`
}

// CountConflictsResponse is the body of GET /api/v1/count-conflicts.
type CountConflictsResponse struct {
	Conflicts []cloud.CountConflict `json:"conflicts"`
}

// Health is the body of GET /healthz.
type Health struct {
	Status string `json:"status"`
}

// writeError answers a failed request. It is the one place where errors
// become HTTP statuses: a *httpx.Problem is answered as it is,
// cloud.ErrInvalid is 400 with the store's reason, cloud.ErrWrongSite 409, a
// canceled request 499 and a timeout 503; anything else is a 500 whose cause
// is logged and not shown to the user.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := httpx.Common(err)
	if p == nil {
		switch {
		case errors.Is(err, cloud.ErrInvalid):
			p = httpx.BadRequest("invalid", err.Error(), "请求无效，请检查查询参数")
		case errors.Is(err, cloud.ErrWrongSite):
			p = &httpx.Problem{
				Status: http.StatusConflict,
				Reason: "wrong_site",
				Msg:    err.Error(),
				MsgZH:  "该副本属于其他租户或站点",
			}
		default:
			p = httpx.Internal()
		}
	}
	s.Fail(w, r, p, err)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.Reply(w, r, http.StatusOK, Health{Status: "ok"})
}

func (s *Server) handleStock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := cloud.StockFilter{Tenant: q.Get("tenant"), Site: q.Get("site"), SKU: q.Get("sku"), Bin: q.Get("bin")}
	if err := checkNames(f.Tenant, f.Site); err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.store.Stock(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rows == nil {
		rows = []cloud.StockRow{}
	}
	s.Reply(w, r, http.StatusOK, StockResponse{Rows: rows})
}

func (s *Server) handleReplicas(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tenant, site := q.Get("tenant"), q.Get("site")
	if err := checkNames(tenant, site); err != nil {
		s.writeError(w, r, err)
		return
	}
	// The store filters only by tenant and site together; with one of
	// them, ask for all and filter here.
	var rs []cloud.ReplicaInfo
	var err error
	if tenant != "" && site != "" {
		rs, err = s.store.Replicas(r.Context(), tenant, site)
	} else {
		rs, err = s.store.Replicas(r.Context(), "", "")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]cloud.ReplicaInfo, 0, len(rs))
	for _, ri := range rs {
		if (tenant != "" && ri.Tenant != tenant) || (site != "" && ri.Site != site) {
			continue
		}
		ri.ID = ri.Replica.String()
		out = append(out, ri)
	}
	s.Reply(w, r, http.StatusOK, ReplicasResponse{Replicas: out})
}

func (s *Server) handleCountConflicts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := cloud.ConflictFilter{Tenant: q.Get("tenant"), Site: q.Get("site"), SKU: q.Get("sku"), Bin: q.Get("bin")}
	if err := checkNames(f.Tenant, f.Site); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch st := q.Get("status"); st {
	case "", "all":
	case "open":
		f.Open = true
	default:
		s.writeError(w, r, httpx.BadRequest("bad_query",
			fmt.Sprintf("query parameter \"status\": %q is neither \"open\" nor \"all\"", st),
			fmt.Sprintf("查询参数 \"status\" 无效：%q，只能是 \"open\"（未解决）或 \"all\"（全部）", st)))
		return
	}
	cs, err := s.store.CountConflicts(r.Context(), f)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("count conflicts: %w", err))
		return
	}
	if cs == nil {
		cs = []cloud.CountConflict{}
	}
	s.Reply(w, r, http.StatusOK, CountConflictsResponse{Conflicts: cs})
}

func (s *Server) handleEPC(w http.ResponseWriter, r *http.Request) {
	epc, tenant := r.PathValue("epc"), r.URL.Query().Get("tenant")
	if err := checkNames(tenant, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(epc) > maxEPCLen || !printable(epc) {
		s.writeError(w, r, httpx.BadRequest("bad_epc",
			fmt.Sprintf("EPC %q: at most %d printable characters", epc, maxEPCLen),
			fmt.Sprintf("EPC %q 无效：最多 %d 个可打印字符", epc, maxEPCLen)))
		return
	}
	loc, ok, err := s.store.EPCLocation(r.Context(), tenant, epc)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("epc location: %w", err))
		return
	}
	if !ok {
		s.Fail(w, r, &httpx.Problem{Status: http.StatusNotFound, Reason: "unknown_epc",
			Msg:   fmt.Sprintf("no movement of EPC %q is stored", epc),
			MsgZH: fmt.Sprintf("没有 EPC %q 的出入库记录", epc)}, nil)
		return
	}
	s.Reply(w, r, http.StatusOK, loc)
}

// maxEPCLen bounds the EPC in a path: a 96-bit EPC is 24 hex digits, the
// longest (496-bit) 124.
const maxEPCLen = 128

// printable reports whether v is valid UTF-8 without control characters.
func printable(v string) bool {
	for _, c := range v {
		if c == utf8.RuneError || unicode.IsControl(c) {
			return false
		}
	}
	return utf8.ValidString(v)
}

// checkNames checks the tenant and site query parameters that are given.
func checkNames(tenant, site string) error {
	for _, p := range []struct{ param, value string }{{"tenant", tenant}, {"site", site}} {
		if p.value == "" {
			continue
		}
		if err := syncproto.ValidName(p.value); err != nil {
			return httpx.BadRequest("bad_query",
				fmt.Sprintf("query parameter %q: %s", p.param, strings.TrimPrefix(err.Error(), syncproto.ErrBadName.Error()+": ")),
				fmt.Sprintf("查询参数 %q 无效：名称须为 1 到 64 字节，且不能包含 / + # $ 或空白字符", p.param))
		}
	}
	return nil
}
