// Package httpapi is the edge agent's local HTTP API: handhelds and scripts
// on the site's LAN record movements and counts and read stock and sync
// state through it. Every answer is JSON; errors carry an English and a
// Chinese message. A write is answered 201 only once its event is durable in
// the ledger.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 64 << 10

// MaxProductsBodyBytes is the largest body of PUT /api/v1/products, a list
// of catalogue entries (about 10,000 at ~100 bytes each).
const MaxProductsBodyBytes = 1 << 20

// SyncStatus reports the state of the agent's link to the cloud.
type SyncStatus interface {
	// Connected reports whether the agent is connected to the broker now.
	Connected() bool
}

// Server serves the agent's HTTP API. Create it with New.
type Server struct {
	ledger  agent.Ledger
	sync    SyncStatus
	devices Devices
	master  MasterLister
	*httpx.API
}

// New returns a server over ledger. sync may be nil (the API then reports
// connected: false); log may be nil to discard logs.
func New(l agent.Ledger, sync SyncStatus, log *slog.Logger) *Server {
	s := &Server{API: httpx.NewAPI("agent", log), ledger: l, sync: sync}
	s.HandleFunc("POST /api/v1/movements", s.handleMovement)
	s.HandleFunc("POST /api/v1/counts", s.handleCount)
	s.HandleFunc("GET /api/v1/stock", s.handleStock)
	s.HandleFunc("PUT /api/v1/products", s.handlePutProducts)
	s.HandleFunc("GET /api/v1/products/{gtin}", s.handleProduct)
	s.HandleFunc("GET /api/v1/sync", s.handleSync)
	s.HandleFunc("GET /api/v1/devices", s.handleDevices)
	s.HandleFunc("GET /api/v1/master/{kind}", s.handleMaster)
	s.HandleFunc("GET /healthz", s.handleHealth)
	if m, ok := l.(MasterLister); ok {
		s.master = m
	}
	return s
}

// writeError answers a failed request. It is the one place where errors
// become HTTP statuses: a *httpx.Problem is answered as it is,
// agent.ErrInvalid is 400 with the ledger's reason (in both languages when
// it is an *agent.InvalidError), agent.ErrKeyReused 422, agent.ErrClosed 503,
// a canceled request 499 and a timeout 503; anything else is a 500 whose
// cause is logged and not shown to the user.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var invalid *agent.InvalidError
	p := httpx.Common(err)
	if p == nil {
		switch {
		case errors.As(err, &invalid):
			p = httpx.BadRequest("invalid", invalid.Msg, invalid.MsgZH)
		case errors.Is(err, agent.ErrInvalid):
			// An implementation without reasons in Chinese.
			p = httpx.BadRequest("invalid", err.Error(), "输入无效，请检查请求内容")
		case errors.Is(err, agent.ErrKeyReused):
			p = &httpx.Problem{
				Status: http.StatusUnprocessableEntity,
				Reason: "idempotency_key_reused",
				Msg:    "the Idempotency-Key was already used for a different request; use a new key for a new request",
				MsgZH:  "该 Idempotency-Key 已用于另一个内容不同的请求；新请求请使用新的键",
			}
		case errors.Is(err, agent.ErrClosed):
			p = &httpx.Problem{
				Status: http.StatusServiceUnavailable,
				Reason: "closed",
				Msg:    "the ledger is closed (the agent is shutting down); try again later",
				MsgZH:  "账本已关闭（代理正在停止），请稍后再试",
			}
		default:
			p = httpx.Internal()
		}
	}
	s.Fail(w, r, p, err)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.Reply(w, r, http.StatusOK, Health{Status: "ok", Site: s.ledger.Site(), Replica: s.ledger.Replica().String()})
}
