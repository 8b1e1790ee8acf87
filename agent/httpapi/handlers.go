package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// MovementRequest is the body of POST /api/v1/movements. Qty is a signed
// delta in the SKU's base unit; it must be a non-zero integer. Doc names
// the document the movement was done against: a receipt against a
// purchase order line is "NUMBER#LINE" (CG20261125-0001#2), which the
// cloud counts towards that line.
type MovementRequest struct {
	SKU      string `json:"sku"`
	Bin      string `json:"bin"`
	Qty      *int64 `json:"qty"`
	Reason   string `json:"reason"`
	Lot      string `json:"lot,omitempty"`
	EPC      string `json:"epc,omitempty"`
	Doc      string `json:"doc,omitempty"`
	UnitCost int64  `json:"unit_cost,omitempty"`
	Currency string `json:"currency,omitempty"`
	Operator string `json:"operator,omitempty"`
	Device   string `json:"device,omitempty"`
}

// CountRequest is the body of POST /api/v1/counts. Counted is the quantity
// seen, an integer of at least zero.
type CountRequest struct {
	SKU      string `json:"sku"`
	Bin      string `json:"bin"`
	Lot      string `json:"lot,omitempty"`
	Counted  *int64 `json:"counted"`
	Operator string `json:"operator,omitempty"`
	Device   string `json:"device,omitempty"`
}

// ReceiptResponse names the durable event a write created.
type ReceiptResponse struct {
	// Replica is the replica ID in 16 hex digits.
	Replica string `json:"replica"`
	Seq     uint64 `json:"seq"`
	// HLC is the event's hybrid logical clock timestamp. It exceeds 2^53,
	// so JavaScript clients must parse it as a BigInt to keep it exact.
	HLC uint64 `json:"hlc"`
}

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
	Status  string `json:"status"`
	Site    string `json:"site"`
	Replica string `json:"replica"`
}

func (s *Server) handleMovement(w http.ResponseWriter, r *http.Request) {
	var req MovementRequest
	if err := httpx.DecodeJSON(w, r, &req, MaxBodyBytes); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := agent.MovementInput{
		SKU: req.SKU, Bin: req.Bin, Lot: req.Lot, EPC: req.EPC, Qty: *req.Qty,
		UnitCost: req.UnitCost, Currency: req.Currency, Reason: req.Reason,
		Doc: req.Doc, Operator: req.Operator, Device: req.Device,
	}
	s.record(w, r, func(ctx context.Context) (agent.Receipt, error) { return s.ledger.RecordMovement(ctx, in) },
		func(ctx context.Context, o onceRecorder, key string) (agent.Receipt, error) {
			return o.RecordMovementOnce(ctx, key, in)
		})
}

// record writes an event through plain, or through once when the request
// carries an Idempotency-Key (a retry with the key gets the first
// receipt), and answers 201 with the receipt.
func (s *Server) record(w http.ResponseWriter, r *http.Request, plain func(context.Context) (agent.Receipt, error),
	once func(context.Context, onceRecorder, string) (agent.Receipt, error)) {
	var rc agent.Receipt
	var err error
	if key, ok := idempotencyKey(r); ok {
		o, can := s.ledger.(onceRecorder)
		if !can {
			s.writeError(w, r, errNoIdempotency)
			return
		}
		rc, err = once(r.Context(), o, key)
	} else {
		rc, err = plain(r.Context())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.Reply(w, r, http.StatusCreated, receipt(rc))
}

func (s *Server) handleCount(w http.ResponseWriter, r *http.Request) {
	var req CountRequest
	if err := httpx.DecodeJSON(w, r, &req, MaxBodyBytes); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := agent.CountInput{
		SKU: req.SKU, Bin: req.Bin, Lot: req.Lot, Counted: *req.Counted,
		Operator: req.Operator, Device: req.Device,
	}
	s.record(w, r, func(ctx context.Context) (agent.Receipt, error) { return s.ledger.RecordCount(ctx, in) },
		func(ctx context.Context, o onceRecorder, key string) (agent.Receipt, error) {
			return o.RecordCountOnce(ctx, key, in)
		})
}

func (s *Server) handleStock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rows, err := s.ledger.Stock(r.Context(), agent.StockFilter{SKU: q.Get("sku"), Bin: q.Get("bin")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rows == nil {
		rows = []agent.StockRow{}
	}
	s.Reply(w, r, http.StatusOK, StockResponse{Site: s.ledger.Site(), Replica: s.ledger.Replica().String(), Rows: rows})
}

func (s *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	resp := SyncResponse{
		Replica:  s.ledger.Replica().String(),
		LastSeq:  s.ledger.LastSeq(),
		AckedSeq: s.ledger.AckedSeq(),
	}
	if s.sync != nil {
		resp.Connected = s.sync.Connected()
	}
	if f, ok := s.ledger.(agent.Forker); ok {
		if fk, forked := f.LastFork(); forked {
			resp.ForkedFrom, resp.Fork = fk.Old.String(), &fk
		}
	}
	if m, ok := s.ledger.(agent.MasterStore); ok {
		resp.MasterRev = m.MasterRev()
	}
	s.Reply(w, r, http.StatusOK, resp)
}

func receipt(rc agent.Receipt) ReceiptResponse {
	return ReceiptResponse{Replica: rc.Replica.String(), Seq: rc.Seq, HLC: uint64(rc.HLC)}
}

// validate checks what the API itself requires of a movement; the ledger
// checks the rest and answers agent.ErrInvalid.
func (m *MovementRequest) validate() error {
	switch {
	case m.SKU == "":
		return missing("sku")
	case m.Bin == "":
		return missing("bin")
	case m.Reason == "":
		return missing("reason")
	case m.Qty == nil:
		return missing("qty")
	case *m.Qty == 0:
		return httpx.BadRequest("zero_qty",
			`field "qty" must not be 0: send the signed change in stock (positive in, negative out)`,
			`字段 "qty" 不能为 0：请填写库存的变化量（入库为正，出库为负）`)
	}
	return nil
}

// validate checks what the API itself requires of a count.
func (c *CountRequest) validate() error {
	switch {
	case c.SKU == "":
		return missing("sku")
	case c.Bin == "":
		return missing("bin")
	case c.Counted == nil:
		return missing("counted")
	case *c.Counted < 0:
		return httpx.BadRequest("negative_count",
			fmt.Sprintf(`field "counted" must be 0 or more, got %d`, *c.Counted),
			fmt.Sprintf(`字段 "counted" 不能为负数，收到的是 %d`, *c.Counted))
	}
	return nil
}

func missing(field string) *httpx.Problem {
	return httpx.BadRequest("missing_field",
		fmt.Sprintf("field %q is required", field),
		fmt.Sprintf("缺少必填字段 %q", field))
}
