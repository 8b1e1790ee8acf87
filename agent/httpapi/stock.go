package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/agent"
)

// StockResponse is the body of GET /api/v1/stock.
type StockResponse struct {
	Site    string           `json:"site"`
	Replica string           `json:"replica"`
	Rows    []agent.StockRow `json:"rows"`
}

// SyncResponse is the body of GET /api/v1/sync.
type SyncResponse struct {
	Replica   string `json:"replica"`
	LastSeq   uint64 `json:"last_seq"`
	AckedSeq  uint64 `json:"acked_seq"`
	Connected bool   `json:"connected"`
	// ForkedFrom is the replica ID the agent wrote under before its last
	// fork (the cloud held events of it this ledger did not: a restored or
	// copied data folder), with the fork's details; absent if it never
	// forked.
	ForkedFrom string      `json:"forked_from,omitempty"`
	Fork       *agent.Fork `json:"fork,omitempty"`
	// MasterRev is the master-data revision the agent holds (0: none yet).
	MasterRev uint64 `json:"master_rev"`
}

// Health is the body of GET /healthz.
type Health struct {
	Status  string `json:"status" example:"ok"`
	Site    string `json:"site"`
	Replica string `json:"replica"`
}

// StockInput filters GET /api/v1/stock.
type StockInput struct {
	SKU string `query:"sku" doc:"Only this SKU."`
	Bin string `query:"bin" doc:"Only this bin."`
}

type stockOutput struct{ Body StockResponse }
type syncOutput struct{ Body SyncResponse }
type healthOutput struct{ Body Health }

func (s *Server) registerStock() {
	Register(s, huma.Operation{OperationID: "stock", Method: http.MethodGet, Path: "/api/v1/stock",
		Summary: "On-hand stock 库存", Tags: []string{"stock 库存"},
		Description: "On-hand rows as this replica knows them (its own and its site peers' work)."}, AccessOpen,
		func(ctx context.Context, in *StockInput) (*stockOutput, error) {
			rows, err := s.ledger.Stock(ctx, agent.StockFilter{SKU: in.SKU, Bin: in.Bin})
			if err != nil {
				return nil, err
			}
			if rows == nil {
				rows = []agent.StockRow{}
			}
			return &stockOutput{Body: StockResponse{Site: s.ledger.Site(), Replica: s.ledger.Replica().String(), Rows: rows}}, nil
		})
	Register(s, huma.Operation{OperationID: "sync", Method: http.MethodGet, Path: "/api/v1/sync",
		Summary: "Sync state 同步状态", Tags: []string{"system 系统"}}, AccessOpen,
		func(ctx context.Context, _ *struct{}) (*syncOutput, error) {
			return &syncOutput{Body: s.syncState()}, nil
		})
	Register(s, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz",
		Summary: "Health 健康检查", Tags: []string{"system 系统"}}, AccessOpen,
		func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
			return &healthOutput{Body: Health{Status: "ok", Site: s.ledger.Site(), Replica: s.ledger.Replica().String()}}, nil
		})
}

func (s *Server) syncState() SyncResponse {
	resp := SyncResponse{
		Replica:  s.ledger.Replica().String(),
		LastSeq:  s.ledger.LastSeq(),
		AckedSeq: s.ledger.AckedSeq(),
	}
	if s.opts.Sync != nil {
		resp.Connected = s.opts.Sync.Connected()
	}
	if f, ok := s.ledger.(agent.Forker); ok {
		if fk, forked := f.LastFork(); forked {
			resp.ForkedFrom, resp.Fork = fk.Old.String(), &fk
		}
	}
	if m, ok := s.ledger.(agent.MasterStore); ok {
		resp.MasterRev = m.MasterRev()
	}
	return resp
}
