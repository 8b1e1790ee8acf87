package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// Error is the body of every error answer of the cloud API, huma's own
// (validation, body too large) included: the message in English and
// Chinese, a machine-readable code, and, when one is to blame, the field,
// the missing permission or the site outside the caller's scope.
type Error struct {
	status     int
	retryAfter time.Duration
	cause      error

	// Message is the message in English.
	Message string `json:"error" doc:"The message in English."`
	// MessageZH is the message in Chinese.
	MessageZH string `json:"error_zh" doc:"The message in Chinese."`
	// Code is the machine-readable reason, such as "forbidden".
	Code string `json:"code" doc:"Machine-readable reason: unauthenticated, forbidden, csrf, password_change, bad_credentials, locked, disabled, invalid, bad_query, not_found, internal, ..."`
	// Field is the request field at fault ("query.status", "body.username").
	Field string `json:"field,omitempty" doc:"The request field at fault, as location.name (query.site, body.username)."`
	// Permission is the permission the caller lacks (code forbidden).
	Permission string `json:"permission,omitempty" doc:"The permission the caller lacks."`
	// Site is the site outside the caller's data scope (code forbidden).
	Site string `json:"site,omitempty" doc:"The site outside the caller's data scope."`
	// Errors lists every field's problem of a refused write; the first is
	// also in Field and the messages.
	Errors []FieldError `json:"errors,omitempty" doc:"Every field's problem of a refused write."`
}

// Error returns the English message.
func (e *Error) Error() string { return e.Message }

// GetStatus returns the HTTP status of the answer.
func (e *Error) GetStatus() int { return e.status }

// ContentType keeps errors in the API's one JSON shape rather than huma's
// application/problem+json.
func (e *Error) ContentType(string) string { return "application/json; charset=utf-8" }

func (e *Error) problem() *httpx.Problem {
	return &httpx.Problem{Status: e.status, Reason: e.Code, Msg: e.Message, MsgZH: e.MessageZH}
}

func fromProblem(p *httpx.Problem) *Error {
	return &Error{status: p.Status, Code: p.Reason, Message: p.Msg, MessageZH: p.MsgZH}
}

// errorOf is the one place where errors become HTTP answers. A huma error
// (status, msg and details, from its validation or body reading) keeps
// its status, a 422 becoming 400 to match the project's other APIs, and
// names the field. Otherwise the first of errs is mapped: a *httpx.Problem
// as it is, cancellation and timeouts as httpx.Common does, the
// *auth.Error of each auth sentinel, cloud.ErrInvalid 400 and
// cloud.ErrWrongSite 409; anything else is a 500 whose cause is logged and
// not shown.
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
	// huma's own error.
	if status == 0 {
		// huma asks for an example error to document the schema.
		return &Error{}
	}
	e := &Error{status: status, Message: msg, MessageZH: "请求无效：" + msg}
	if detail != nil {
		e.Field = detail.Location
		e.Message = fmt.Sprintf("%s: %s", detail.Location, detail.Message)
		e.MessageZH = fmt.Sprintf("请求字段 %s 无效：%s", detail.Location, detail.Message)
	}
	switch status {
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		e.status, e.Code = http.StatusBadRequest, "invalid"
	case http.StatusRequestEntityTooLarge:
		e.Code, e.MessageZH = "too_large", "请求体过大"
	case http.StatusUnsupportedMediaType:
		e.Code, e.MessageZH = "unsupported_media_type", "不支持的请求内容类型，请发送 JSON"
	case http.StatusNotAcceptable:
		e.Code, e.MessageZH = "not_acceptable", "无法以所要求的格式应答"
	default:
		if status >= 500 {
			return fromProblem(httpx.Internal())
		}
		e.Code = strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
	}
	return e
}

// mapDomain maps an error of a handler or of the authentication middleware.
func mapDomain(err error) *Error {
	if p := httpx.Common(err); p != nil {
		return fromProblem(p)
	}
	if e := mapMasterData(err); e != nil {
		return e
	}
	var ae *auth.Error
	if errors.As(err, &ae) {
		e := &Error{Message: ae.Msg, MessageZH: ae.MsgZH, Permission: string(ae.Permission), Site: ae.Site}
		switch {
		case errors.Is(err, auth.ErrUnauthenticated):
			e.status, e.Code = http.StatusUnauthorized, "unauthenticated"
		case errors.Is(err, auth.ErrBadCredentials):
			e.status, e.Code = http.StatusUnauthorized, "bad_credentials"
		case errors.Is(err, auth.ErrLocked):
			e.status, e.Code, e.retryAfter = http.StatusTooManyRequests, "locked", ae.RetryAfter
		case errors.Is(err, auth.ErrDisabled):
			e.status, e.Code = http.StatusForbidden, "disabled"
		case errors.Is(err, auth.ErrForbidden):
			e.status, e.Code = http.StatusForbidden, "forbidden"
		case errors.Is(err, auth.ErrPasswordChange):
			e.status, e.Code = http.StatusForbidden, "password_change"
		case errors.Is(err, auth.ErrCSRF):
			e.status, e.Code = http.StatusForbidden, "csrf"
		case errors.Is(err, auth.ErrInvalid):
			e.status, e.Code = http.StatusBadRequest, "invalid"
		case errors.Is(err, auth.ErrNotFound):
			e.status, e.Code = http.StatusNotFound, "not_found"
		case errors.Is(err, auth.ErrExists):
			e.status, e.Code = http.StatusConflict, "exists"
		default:
			return fromProblem(httpx.Internal())
		}
		if e.Message == "" {
			e.Message = ae.Err.Error()
		}
		return e
	}
	switch {
	case errors.Is(err, cloud.ErrInvalid):
		return fromProblem(httpx.BadRequest("invalid", err.Error(), "请求无效，请检查查询参数"))
	case errors.Is(err, cloud.ErrWrongSite):
		return &Error{status: http.StatusConflict, Code: "wrong_site", Message: err.Error(), MessageZH: "该副本属于其他租户或站点"}
	}
	return fromProblem(httpx.Internal())
}

type serverKey struct{}

func init() {
	// huma makes every error through these two package variables; the
	// cloud API is the only huma API in the binary.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return errorOf(status, msg, errs...)
	}
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		e := errorOf(status, msg, errs...)
		if s, ok := ctx.Context().Value(serverKey{}).(*Server); ok {
			s.rejected(ctx, e)
		}
		if e.retryAfter > 0 {
			ctx.SetHeader("Retry-After", strconv.Itoa(int((e.retryAfter+time.Second-1)/time.Second)))
		}
		return e
	}
}

// rejected counts and logs an error answer.
func (s *Server) rejected(ctx huma.Context, e *Error) {
	r, _ := humago.Unwrap(ctx)
	s.Reject(r, e.problem(), e.cause)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
