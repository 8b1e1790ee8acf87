package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/internal/humax"
)

// Error is the body of every error answer of the agent API, huma's own
// (validation, body too large) included: the message in English and
// Chinese, a machine-readable code, and, when one is to blame, the field
// or the permission the caller lacks.
type Error struct {
	status     int
	retryAfter time.Duration
	cause      error

	Message   string `json:"error" doc:"The message in English."`
	MessageZH string `json:"error_zh" doc:"The message in Chinese."`
	Code      string `json:"code" doc:"Machine-readable reason: invalid, missing_field, unknown_field, duplicate_field, not_integer, bad_type, bad_json, empty_body, too_large, unauthenticated, bad_credentials, locked, disabled, forbidden, idempotency_key_reused, not_found, closed, internal, ..."`
	Field     string `json:"field,omitempty" doc:"The request field at fault, as location.name (body.qty, query.limit, path.gtin)."`
	// Permission is the permission the caller lacks (code forbidden).
	Permission string `json:"permission,omitempty" doc:"The permission the caller lacks (code forbidden)."`
	// LockedUntil is when a locked-out user may sign in again (code locked).
	LockedUntil *time.Time `json:"locked_until,omitempty" doc:"When a locked user may try again (code locked)."`
	// Errors is every field at fault when huma's validation refused the
	// request (code invalid); Field and Message are the first's.
	Errors []FieldError `json:"errors,omitempty" doc:"Every field at fault (code invalid); field and error are the first's."`
}

// FieldError is one field of a request at fault.
type FieldError struct {
	Field     string `json:"field" doc:"The field at fault, as location.name (body.sku, query.limit)."`
	Message   string `json:"error" doc:"What is wrong, in English."`
	MessageZH string `json:"error_zh" doc:"What is wrong, in Chinese."`
}

// Error returns the English message.
func (e *Error) Error() string { return e.Message }

// GetStatus returns the HTTP status of the answer.
func (e *Error) GetStatus() int { return e.status }

// ContentType keeps errors in the API's one JSON shape rather than huma's
// application/problem+json.
func (e *Error) ContentType(string) string { return "application/json; charset=utf-8" }

func (e *Error) problem() *httpx.Problem {
	return &httpx.Problem{Status: e.status, Reason: e.Code, Msg: e.Message, MsgZH: e.MessageZH, Field: e.Field}
}

func fromProblem(p *httpx.Problem) *Error {
	return &Error{status: p.Status, Code: p.Reason, Message: p.Msg, MessageZH: p.MsgZH, Field: p.Field}
}

// newError makes every error of a request to the agent API, counting and
// logging it (humax.WithErrors names it for the API's requests).
func (s *Server) newError(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
	e := errorOf(status, msg, errs...)
	if e.status == 0 {
		return e
	}
	if r := requestOf(ctx.Context()); r != nil {
		s.base.Reject(r, e.problem(), e.cause)
	}
	if e.retryAfter > 0 {
		ctx.SetHeader("Retry-After", strconv.Itoa(int((e.retryAfter+time.Second-1)/time.Second)))
	}
	return e
}

// errorOf is the one place where errors become HTTP answers. A huma error
// (status, msg and details, from its validation or body reading) keeps
// its status, a 422 becoming 400 (code invalid), and names every field at
// fault. Otherwise the first of errs is mapped by mapDomain.
func errorOf(status int, msg string, errs ...error) *Error {
	var first error
	for _, err := range errs {
		if err != nil {
			first = err
			break
		}
	}
	var detail *huma.ErrorDetail
	if first != nil && !errors.As(first, &detail) {
		e := mapDomain(first)
		e.cause = first
		return e
	}
	if status == 0 {
		// huma asks for an example error to document the schema.
		return &Error{}
	}
	if status >= 500 {
		return fromProblem(httpx.Internal())
	}
	d := humax.Describe(status, msg, errs...)
	e := &Error{status: d.Status, Code: d.Code, Message: d.Msg, MessageZH: d.MsgZH}
	for _, f := range d.Fields {
		e.Errors = append(e.Errors, FieldError{Field: f.Name, Message: f.Msg, MessageZH: f.MsgZH})
	}
	if len(e.Errors) > 0 {
		e.Field = e.Errors[0].Field
	}
	return e
}

// mapDomain maps a handler's error: an *Error as it is, a *httpx.Problem
// as it is, a cancelled request 499 and a timeout 503, agent.ErrInvalid
// 400 with the ledger's reason (in both languages when it is an
// *agent.InvalidError), agent.ErrKeyReused 422, agent.ErrClosed 503;
// anything else is a 500 whose cause is logged and not shown.
func mapDomain(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		return &c
	}
	if p := httpx.Common(err); p != nil {
		return fromProblem(p)
	}
	var invalid *agent.InvalidError
	switch {
	case errors.As(err, &invalid):
		return fromProblem(httpx.BadRequest("invalid", invalid.Msg, invalid.MsgZH))
	case errors.Is(err, agent.ErrInvalid):
		// An implementation without reasons in Chinese.
		return fromProblem(httpx.BadRequest("invalid", err.Error(), "输入无效，请检查请求内容"))
	case errors.Is(err, agent.ErrKeyReused):
		return &Error{status: http.StatusUnprocessableEntity, Code: "idempotency_key_reused",
			Message:   "the Idempotency-Key was already used for a different request; use a new key for a new request",
			MessageZH: "该 Idempotency-Key 已用于另一个内容不同的请求；新请求请使用新的键"}
	case errors.Is(err, agent.ErrClosed):
		return &Error{status: http.StatusServiceUnavailable, Code: "closed",
			Message:   "the ledger is closed (the agent is shutting down); try again later",
			MessageZH: "账本已关闭（代理正在停止），请稍后再试"}
	}
	return fromProblem(httpx.Internal())
}

func init() {
	// huma makes errors without a request's context only to document the
	// error schema; those of a request come from Server.newError. In a
	// binary that also holds the cloud's API (jxc demo), the two
	// documents show whichever package set this last: both bodies are
	// {error, error_zh, code, field?, errors?, permission?}.
	humax.SetDefault(func(status int, msg string, errs ...error) huma.StatusError {
		return errorOf(status, msg, errs...)
	})
}
