package work

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/syncproto"
)

// Reasons a request is refused (Error.Code), each counted in
// jxc_agent_work_refused_total{reason}.
const (
	CodeInvalid         = "invalid"          // a field is missing or malformed (Error.Errors names each)
	CodeForbidden       = "forbidden"        // the caller lacks a permission (Error.Permission)
	CodeUnauthenticated = "unauthenticated"  // no signed-in caller
	CodeUnknownDocument = "unknown_document" // the site holds no such document
	CodeDocumentClosed  = "document_closed"  // the document was closed or voided
	CodeWrongSite       = "wrong_site"       // the document is not worked at this site
	CodeNotOnDocument   = "not_on_document"  // the scanned SKU is not on the document (receiving, counting)
	CodeWrongItem       = "wrong_item"       // the scanned SKU is not on the pick list or transfer
	CodeOverReceipt     = "over_receipt"     // beyond the line's quantity and tolerance
	CodeOverPick        = "over_pick"        // picking or sending beyond the line
	CodeAlreadyDone     = "already_done"     // an assembly or disassembly done at this site already
	CodeOverReturn      = "over_return"      // returning more than the ticket sold
	CodeShortReason     = "short_reason_required"
	CodeUnknownBarcode  = "unknown_barcode" // no SKU for the scanned barcode
	CodeUnknownProduct  = "unknown_product" // no product master record (no price) for the SKU
	CodeDiscountLimit   = "discount_limit"  // a discount beyond the user's MaxDiscountPercent
	CodePayments        = "payments_mismatch"
	CodeKeyReused       = "idempotency_key_reused"
	CodeSessionState    = "session_state" // the session is not open or is not of that kind
	CodeInternal        = "internal"
)

// Error is the body of every error answer of the work API and the error
// the Service's methods return for a refusal: the message in English and
// Chinese, a machine-readable code and, when one is to blame, the field
// (location.name: body.lines[2].qty) and every field at fault. It has the
// agent API's error shape (httpx.ErrorBody: error, error_zh, code).
type Error struct {
	Status int `json:"-"`
	// Message is the message in English.
	Message string `json:"error" doc:"The message in English."`
	// MessageZH is the message in Chinese.
	MessageZH string `json:"error_zh" doc:"The message in Chinese."`
	// Code is the machine-readable reason.
	Code       string       `json:"code" doc:"Machine-readable reason: invalid, forbidden, unknown_document, document_closed, wrong_site, not_on_document, wrong_item, over_receipt, over_pick, over_return, short_reason_required, unknown_barcode, unknown_product, discount_limit, payments_mismatch, idempotency_key_reused, session_state, internal, ..."`
	Field      string       `json:"field,omitempty" doc:"The request field at fault, as location.name (body.lines[2].qty)."`
	Permission string       `json:"permission,omitempty" doc:"The permission the caller lacks (code forbidden)."`
	Errors     []FieldError `json:"errors,omitempty" doc:"Every field at fault (code invalid)."`

	cause error
}

// FieldError is one field of a request at fault.
type FieldError struct {
	Field     string `json:"field"`
	Message   string `json:"error"`
	MessageZH string `json:"error_zh"`
}

// Error returns the English message.
func (e *Error) Error() string { return e.Message }

// GetStatus returns the HTTP status (huma.StatusError).
func (e *Error) GetStatus() int { return e.Status }

// ContentType keeps errors in the API's one JSON shape rather than huma's
// application/problem+json.
func (e *Error) ContentType(string) string { return "application/json; charset=utf-8" }

// Reason returns the machine-readable reason (Code), for callers that
// know the error only by its methods (the device pipeline).
func (e *Error) Reason() string { return e.Code }

// ErrorZH returns the Chinese message.
func (e *Error) ErrorZH() string { return e.MessageZH }

// Unwrap returns the cause (a ledger error), if any.
func (e *Error) Unwrap() error { return e.cause }

func refusal(status int, code, msg, msgZH string) *Error {
	return &Error{Status: status, Code: code, Message: msg, MessageZH: msgZH}
}

// fieldErrors collects the fields of a request at fault.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, msg, msgZH string) {
	*fe = append(*fe, FieldError{Field: field, Message: msg, MessageZH: msgZH})
}

// err returns the refusal naming every field, nil when there is none.
func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	f := fe[0]
	e := &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Field: f.Field, Errors: fe,
		Message: f.Field + ": " + f.Message, MessageZH: "请求字段 " + f.Field + " 无效：" + f.MessageZH}
	if len(fe) > 1 {
		e.Message += fmt.Sprintf(" (and %d more)", len(fe)-1)
		e.MessageZH += fmt.Sprintf("（另有 %d 处错误）", len(fe)-1)
	}
	return e
}

func invalidField(field, msg, msgZH string) error {
	var fe fieldErrors
	fe.add(field, msg, msgZH)
	return fe.err()
}

func required(field string) error {
	return invalidField(field, "is required", "不能为空")
}

// errorOf maps any error of the Service or the ledger to an *Error: an
// *Error as it is, the ledger's invalid input 400 (its field in the
// message), a reused idempotency key 422, a closed ledger 503,
// cancellation and timeouts as httpx.Common; anything else a 500 whose
// cause is kept for the log.
func errorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var inv *agent.InvalidError
	var ve *syncproto.ValidationError
	switch {
	case errors.As(err, &inv):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Message: inv.Msg, MessageZH: inv.MsgZH}
	case errors.As(err, &ve):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Field: ve.Field, Message: ve.Error(), MessageZH: ve.ErrorZH()}
	case errors.Is(err, agent.ErrInvalid):
		e = &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Message: err.Error(), MessageZH: "输入无效，请检查请求内容"}
	case errors.Is(err, agent.ErrKeyReused):
		e = refusal(http.StatusUnprocessableEntity, CodeKeyReused,
			"the Idempotency-Key was already used for a different request; use a new key for a new request",
			"该 Idempotency-Key 已用于另一个内容不同的请求；新请求请使用新的键")
	case errors.Is(err, agent.ErrClosed):
		e = refusal(http.StatusServiceUnavailable, "closed", "the ledger is closed (the agent is shutting down); try again later",
			"账本已关闭（代理正在停止），请稍后再试")
	default:
		if p := httpx.Common(err); p != nil {
			e = refusal(p.Status, p.Reason, p.Msg, p.MsgZH)
		} else {
			p := httpx.Internal()
			e = refusal(p.Status, p.Reason, p.Msg, p.MsgZH)
		}
	}
	e.cause = err
	return e
}
