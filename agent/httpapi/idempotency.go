package httpapi

import (
	"context"
	"net/http"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// IdempotencyHeader names the request header that makes POST
// /api/v1/movements and /api/v1/counts idempotent: a retry with the same
// key and body is answered with the first answer (201 and the same
// receipt) and records nothing; the same key with another body gets 422.
const IdempotencyHeader = "Idempotency-Key"

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

// idempotencyKey returns the request's Idempotency-Key, if it sent one
// (an empty value counts as one, and the ledger refuses it).
func idempotencyKey(r *http.Request) (string, bool) {
	vs, ok := r.Header[http.CanonicalHeaderKey(IdempotencyHeader)]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}
