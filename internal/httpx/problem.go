// Package httpx holds the small HTTP pieces the agent's and the cloud's APIs
// share: JSON responses, bilingual error bodies, strict JSON request
// decoding, Prometheus text counters and an instrumented router. It imports
// no other package of the project, so agent and cloud can both use it
// without importing each other.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// StatusClientClosedRequest is the status (nginx's 499) counted and logged
// when the client went away before its answer was ready. The client never
// sees it.
const StatusClientClosedRequest = 499

// Problem is an error as a user sees it: the HTTP status, a short
// machine-readable reason (also the label it is counted under in the
// rejected-requests metric) and the message in English and Chinese. Handlers
// return a *Problem for bad input they detect themselves; servers map domain
// errors to one.
type Problem struct {
	Status int
	Reason string
	Msg    string
	MsgZH  string
	// Field, when one field of the request is at fault, names it as
	// location.name ("body.qty", "query.limit", "path.gtin").
	Field string
}

// Error returns the English message.
func (p *Problem) Error() string { return p.Msg }

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	// Error is the message in English.
	Error string `json:"error"`
	// ErrorZH is the message in Chinese.
	ErrorZH string `json:"error_zh"`
	// Code is the machine-readable reason, such as "unknown_field".
	Code string `json:"code"`
	// Field is the request field at fault, as location.name ("body.qty"),
	// when one is.
	Field string `json:"field,omitempty"`
}

// BadRequest returns a 400 problem with the given reason and messages.
func BadRequest(reason, msg, msgZH string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Reason: reason, Msg: msg, MsgZH: msgZH}
}

// BadField returns a 400 problem of the request field named field
// (location.name: "body.qty").
func BadField(field, reason, msg, msgZH string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Reason: reason, Msg: msg, MsgZH: msgZH, Field: field}
}

// Internal returns the 500 problem users see for an unexpected error; the
// cause belongs in the log, not in the answer.
func Internal() *Problem {
	return &Problem{
		Status: http.StatusInternalServerError,
		Reason: "internal",
		Msg:    "internal error; the cause has been logged",
		MsgZH:  "服务器内部错误，原因已记录在日志中",
	}
}

// Canceled returns the problem for a request whose client went away.
func Canceled() *Problem {
	return &Problem{
		Status: StatusClientClosedRequest,
		Reason: "canceled",
		Msg:    "request canceled",
		MsgZH:  "请求已取消",
	}
}

// Timeout returns the 503 problem for a request that ran out of time.
func Timeout() *Problem {
	return &Problem{
		Status: http.StatusServiceUnavailable,
		Reason: "timeout",
		Msg:    "the request timed out; try again",
		MsgZH:  "请求超时，请重试",
	}
}

// NotFound returns the 404 problem for a path no route serves.
func NotFound() *Problem {
	return &Problem{
		Status: http.StatusNotFound,
		Reason: "not_found",
		Msg:    "no such endpoint",
		MsgZH:  "接口不存在",
	}
}

// MethodNotAllowed returns the 405 problem for a known path asked with the
// wrong method.
func MethodNotAllowed() *Problem {
	return &Problem{
		Status: http.StatusMethodNotAllowed,
		Reason: "method_not_allowed",
		Msg:    "method not allowed for this endpoint",
		MsgZH:  "该接口不支持此请求方法",
	}
}

// WriteJSON writes v as a JSON body with the given status. If v cannot be
// encoded nothing is written and the error is returned, so the caller can
// still answer with a 500; an error writing the body (the client went away)
// is returned too, after the header was sent.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}

// WriteProblem writes p as an ErrorBody with p's status.
func WriteProblem(w http.ResponseWriter, p *Problem) error {
	return WriteJSON(w, p.Status, ErrorBody{Error: p.Msg, ErrorZH: p.MsgZH, Code: p.Reason, Field: p.Field})
}

// Common returns the Problem for the errors every service maps alike: a
// *Problem itself, a cancelled request (499) and a timeout (503); nil for
// any other error, which the service maps with its own domain errors.
func Common(err error) *Problem {
	var p *Problem
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, context.Canceled):
		return Canceled()
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout()
	}
	return nil
}

// fail answers a failed request with p: it counts p.Reason in rejected,
// logs cause at a level fitting the status (500s as errors with the cause,
// which the user never sees), and writes p.
func fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, rejected *CounterVec, p *Problem, cause error) {
	reject(r, log, rejected, p, cause)
	if err := WriteProblem(w, p); err != nil {
		log.Debug("write error response", "err", err)
	}
}

// reject counts p.Reason in rejected and logs cause at a level fitting the
// status.
func reject(r *http.Request, log *slog.Logger, rejected *CounterVec, p *Problem, cause error) {
	rejected.Inc(p.Reason)
	switch {
	case p.Status == http.StatusServiceUnavailable:
		log.Warn("request refused", "method", r.Method, "path", r.URL.Path, "reason", p.Reason, "err", cause)
	case p.Status >= http.StatusInternalServerError:
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", cause)
	default:
		log.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "reason", p.Reason, "err", cause)
	}
}

// reply writes v as JSON with status, logging a failed write at debug level.
func reply(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, v any) {
	if err := WriteJSON(w, status, v); err != nil {
		log.Debug("write response", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}
