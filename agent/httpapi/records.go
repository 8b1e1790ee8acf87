package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/session"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// IdempotencyHeader names the request header that makes POST
// /api/v1/movements and /api/v1/counts idempotent: a retry with the same
// key and body is answered with the first answer (201 and the same
// receipt) and records nothing; the same key with another body gets 422.
const IdempotencyHeader = "Idempotency-Key"

// MovementRequest is the body of POST /api/v1/movements. Qty is a signed
// delta in the SKU's base unit; it must be a non-zero integer. Doc names
// the document the movement was done against: a receipt against a
// purchase order line is "NUMBER#LINE" (CG20261125-0001#2), which the
// cloud counts towards that line. Operator is the signed-in user's name
// when not given; a user may not name another (a device may).
type MovementRequest struct {
	SKU      string `json:"sku" doc:"The SKU."`
	Bin      string `json:"bin" doc:"The bin (storage location) of the site."`
	Qty      *int64 `json:"qty" doc:"Signed change in the SKU's base unit (positive in, negative out), not 0; |qty| ≤ 10^12."`
	Reason   string `json:"reason" doc:"receive, ship, transfer_out, transfer_in, return, scrap, adjust, …"`
	Lot      string `json:"lot,omitempty"`
	EPC      string `json:"epc,omitempty" doc:"The RFID EPC of a serialized item."`
	Doc      string `json:"doc,omitempty" doc:"The document worked against: NUMBER#LINE for a purchase order line."`
	UnitCost int64  `json:"unit_cost,omitempty" doc:"Unit cost in fen, 0 … 10^12."`
	Currency string `json:"currency,omitempty"`
	Operator string `json:"operator,omitempty" doc:"Who did it; default the signed-in user."`
	Device   string `json:"device,omitempty"`
}

// CountRequest is the body of POST /api/v1/counts. Counted is the quantity
// seen, an integer of at least zero.
type CountRequest struct {
	SKU      string `json:"sku"`
	Bin      string `json:"bin"`
	Lot      string `json:"lot,omitempty" doc:"Required when the SKU has lots in the bin: count each lot."`
	Counted  *int64 `json:"counted" doc:"The quantity seen, 0 … 10^12, in base units."`
	Operator string `json:"operator,omitempty" doc:"Who counted; default the signed-in user."`
	Device   string `json:"device,omitempty"`
}

// ReceiptResponse names the durable event a write created.
type ReceiptResponse struct {
	// Replica is the replica ID in 16 hex digits.
	Replica string `json:"replica" doc:"The replica ID, 16 hex digits."`
	Seq     uint64 `json:"seq"`
	// HLC is the event's hybrid logical clock timestamp. It exceeds 2^53,
	// so JavaScript clients must parse it as a BigInt to keep it exact.
	HLC uint64 `json:"hlc" doc:"Hybrid logical clock; above 2^53, parse as BigInt."`
}

// RecordInput is the input of the two writes: the body and the header
// that makes them idempotent.
type RecordInput[B any] struct {
	IdempotencyKey string `header:"Idempotency-Key" doc:"1–128 printable ASCII characters: a retry with the same key and body records nothing and gets the first answer."`
	Body           B
}

// ReceiptOutput is the answer of a write.
type ReceiptOutput struct{ Body ReceiptResponse }

// onceRecorder is a ledger that keeps idempotency keys with their events
// (agent/sqlite.Ledger).
type onceRecorder interface {
	RecordMovementOnce(ctx context.Context, key string, in agent.MovementInput) (agent.Receipt, error)
	RecordCountOnce(ctx context.Context, key string, in agent.CountInput) (agent.Receipt, error)
}

// errNoIdempotency answers a key sent to a ledger that cannot keep it.
var errNoIdempotency = &httpx.Problem{
	Status: http.StatusNotImplemented,
	Reason: "idempotency_unsupported",
	Msg:    "this agent's ledger does not keep Idempotency-Key; send the request without it",
	MsgZH:  "此代理的账本不支持 Idempotency-Key，请去掉该请求头后再发送",
}

func (s *Server) registerRecords() {
	tags := []string{"stock 库存"}
	Register(s, huma.Operation{OperationID: "record-movement", Method: http.MethodPost, Path: "/api/v1/movements",
		Summary: "Record a movement 记录出入库", Tags: tags, DefaultStatus: http.StatusCreated,
		Errors:      []int{400, 413, 422, 503},
		Description: "Answered 201 once the event is durable (fsynced). A movement that would take an on-hand beyond the int64 range is refused."},
		AccessCaller, s.recordMovement)
	Register(s, huma.Operation{OperationID: "record-count", Method: http.MethodPost, Path: "/api/v1/counts",
		Summary: "Record a stock count 记录盘点", Tags: tags, DefaultStatus: http.StatusCreated,
		Errors: []int{400, 413, 422, 503},
		Description: "On-hand becomes counted plus whatever the counter had not seen yet (DESIGN.md §3). " +
			"Answered 201 once the event is durable."},
		AccessCaller, s.recordCount)
}

func (s *Server) recordMovement(ctx context.Context, in *RecordInput[MovementRequest]) (*ReceiptOutput, error) {
	req := in.Body
	op, err := operator(ctx, req.Operator)
	if err != nil {
		return nil, err
	}
	mi := agent.MovementInput{
		SKU: req.SKU, Bin: req.Bin, Lot: req.Lot, EPC: req.EPC, Qty: *req.Qty,
		UnitCost: req.UnitCost, Currency: req.Currency, Reason: req.Reason,
		Doc: req.Doc, Operator: op, Device: req.Device,
	}
	return s.record(ctx, func(ctx context.Context) (agent.Receipt, error) { return s.ledger.RecordMovement(ctx, mi) },
		func(ctx context.Context, o onceRecorder, key string) (agent.Receipt, error) {
			return o.RecordMovementOnce(ctx, key, mi)
		})
}

func (s *Server) recordCount(ctx context.Context, in *RecordInput[CountRequest]) (*ReceiptOutput, error) {
	req := in.Body
	op, err := operator(ctx, req.Operator)
	if err != nil {
		return nil, err
	}
	ci := agent.CountInput{
		SKU: req.SKU, Bin: req.Bin, Lot: req.Lot, Counted: *req.Counted,
		Operator: op, Device: req.Device,
	}
	return s.record(ctx, func(ctx context.Context) (agent.Receipt, error) { return s.ledger.RecordCount(ctx, ci) },
		func(ctx context.Context, o onceRecorder, key string) (agent.Receipt, error) {
			return o.RecordCountOnce(ctx, key, ci)
		})
}

// operator returns the operator a write records: the one the body names
// when the caller is a device, else the signed-in user, who may not name
// someone else.
func operator(ctx context.Context, named string) (string, error) {
	u, ok := session.From(ctx)
	switch {
	case !ok || u.Device:
		return named, nil
	case named == "" || named == u.Name:
		return u.Name, nil
	}
	return "", &httpx.Problem{Status: http.StatusForbidden, Reason: "other_operator", Field: "body.operator",
		Msg:   fmt.Sprintf("signed in as %q, you cannot record work as %q; leave operator out or sign in as them", u.Name, named),
		MsgZH: fmt.Sprintf("当前登录用户为 %q，不能以 %q 的名义记账；请不填 operator，或以该用户登录", u.Name, named)}
}

// record writes an event through plain, or through once when the request
// carries an Idempotency-Key (a retry with the key gets the first
// receipt), and answers 201 with the receipt.
func (s *Server) record(ctx context.Context, plain func(context.Context) (agent.Receipt, error),
	once func(context.Context, onceRecorder, string) (agent.Receipt, error)) (*ReceiptOutput, error) {
	var rc agent.Receipt
	var err error
	if key, ok := idempotencyKey(requestOf(ctx)); ok {
		o, can := s.ledger.(onceRecorder)
		if !can {
			return nil, errNoIdempotency
		}
		rc, err = once(ctx, o, key)
	} else {
		rc, err = plain(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &ReceiptOutput{Body: receipt(rc)}, nil
}

// idempotencyKey returns the request's Idempotency-Key, if it sent one
// (an empty value counts as one, and the ledger refuses it).
func idempotencyKey(r *http.Request) (string, bool) {
	if r == nil {
		return "", false
	}
	vs, ok := r.Header[http.CanonicalHeaderKey(IdempotencyHeader)]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

func receipt(rc agent.Receipt) ReceiptResponse {
	return ReceiptResponse{Replica: rc.Replica.String(), Seq: rc.Seq, HLC: uint64(rc.HLC)}
}

// check checks what the API itself requires of a movement; the ledger
// checks the rest and answers agent.ErrInvalid.
func (m *MovementRequest) check() error {
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
		return httpx.BadField("body.qty", "zero_qty",
			`field "qty" must not be 0: send the signed change in stock (positive in, negative out)`,
			`字段 "qty" 不能为 0：请填写库存的变化量（入库为正，出库为负）`)
	}
	return nil
}

// check checks what the API itself requires of a count.
func (c *CountRequest) check() error {
	switch {
	case c.SKU == "":
		return missing("sku")
	case c.Bin == "":
		return missing("bin")
	case c.Counted == nil:
		return missing("counted")
	case *c.Counted < 0:
		return httpx.BadField("body.counted", "negative_count",
			fmt.Sprintf(`field "counted" must be 0 or more, got %d`, *c.Counted),
			fmt.Sprintf(`字段 "counted" 不能为负数，收到的是 %d`, *c.Counted))
	}
	return nil
}

func missing(field string) *httpx.Problem {
	return httpx.BadField("body."+field, "missing_field",
		fmt.Sprintf("field %q is required", field),
		fmt.Sprintf("缺少必填字段 %q", field))
}
