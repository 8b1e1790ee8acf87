package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/internal/humax"
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
	Code string `json:"code" doc:"Machine-readable reason: unauthenticated, forbidden, csrf, password_change, bad_credentials, locked, disabled, invalid, bad_query, not_found, exists, stale, precondition_required, referenced, idempotency_mismatch, idempotency_in_progress, internal, ..."`
	// Field is the request field at fault ("query.status", "body.username").
	Field string `json:"field,omitempty" doc:"The request field at fault, as location.name (query.site, body.username)."`
	// Permission is the permission the caller lacks (code forbidden).
	Permission string `json:"permission,omitempty" doc:"The permission the caller lacks."`
	// Site is the site outside the caller's data scope (code forbidden).
	Site string `json:"site,omitempty" doc:"The site outside the caller's data scope."`
	// Errors is every field at fault (code invalid); Field and Message
	// are the first's.
	Errors []FieldError `json:"errors,omitempty" doc:"Every field at fault when a request is refused (code invalid); field and error are the first's."`
}

// FieldError is one field of a request at fault.
type FieldError struct {
	// Field is location.name: body.name, body.scope.sites[2], query.limit, path.id.
	Field     string `json:"field" doc:"The field at fault, as location.name (body.name, body.scope.sites[2], query.limit)."`
	Message   string `json:"error" doc:"What is wrong, in English."`
	MessageZH string `json:"error_zh" doc:"What is wrong, in Chinese."`
}

// FieldErrors is the error that refuses a request naming every field at
// fault: the answer is 400 with code "invalid", the list in Error.Errors
// and the first in Error.Field and Error.Message. A handler or the domain
// code it calls collects them and returns the result of Err:
//
//	var fe httpapi.FieldErrors
//	if p.Price < 0 {
//		fe.Add("body.price", "must not be negative", "不能为负数")
//	}
//	if err := fe.Err(); err != nil {
//		return nil, err
//	}
type FieldErrors []FieldError

// Add appends the fault of one field, in English and Chinese.
func (fe *FieldErrors) Add(field, msg, msgZH string) {
	*fe = append(*fe, FieldError{Field: field, Message: msg, MessageZH: msgZH})
}

// Err returns fe as an error, nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Error returns every field's English message, "; "-separated.
func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

func (fe FieldErrors) toError() *Error {
	first := fe[0]
	e := &Error{status: http.StatusBadRequest, Code: "invalid", Field: first.Field, Errors: slices.Clone(fe),
		Message: first.Field + ": " + first.Message, MessageZH: "请求字段 " + first.Field + " 无效：" + first.MessageZH}
	if len(fe) > 1 {
		e.Message += fmt.Sprintf(" (and %d more)", len(fe)-1)
		e.MessageZH += fmt.Sprintf("（另有 %d 处错误）", len(fe)-1)
	}
	return e
}

// Stale returns the error of a write made against a version of a record
// that is no longer current (If-Match or a version field that another
// write overtook): HTTP 412, code "stale". The caller reads the record
// again and decides.
func Stale(msg, msgZH string) error {
	return &httpx.Problem{Status: http.StatusPreconditionFailed, Reason: "stale", Msg: msg, MsgZH: msgZH}
}

// PreconditionRequired returns the error of a write that must name the
// version it changes (If-Match) and did not: HTTP 428, code
// "precondition_required".
func PreconditionRequired(msg, msgZH string) error {
	return &httpx.Problem{Status: http.StatusPreconditionRequired, Reason: "precondition_required", Msg: msg, MsgZH: msgZH}
}

// Referenced returns the error of a delete (or change) refused because
// other records refer to the record: HTTP 409, code "referenced". The
// message should say what refers to it.
func Referenced(msg, msgZH string) error {
	return &httpx.Problem{Status: http.StatusConflict, Reason: "referenced", Msg: msg, MsgZH: msgZH}
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
	return &Error{status: p.Status, Code: p.Reason, Message: p.Msg, MessageZH: p.MsgZH, Field: p.Field}
}

// errorOf is the one place where errors become HTTP answers. A huma error
// (status, msg and details, from its validation or body reading) keeps
// its status, a 422 becoming 400 to match the project's other APIs, and
// names every field at fault (Errors; Field the first). Otherwise the
// first of errs is mapped by mapDomain: a *httpx.Problem as it is (Stale,
// PreconditionRequired, Referenced), FieldErrors 400, cancellation and
// timeouts as httpx.Common does, the *auth.Error of each auth sentinel,
// cloud.ErrInvalid 400 and cloud.ErrWrongSite 409; anything else is a 500
// whose cause is logged and not shown.
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

// mapDomain maps an error of a handler or of the authentication middleware.
func mapDomain(err error) *Error {
	if p := httpx.Common(err); p != nil {
		return fromProblem(p)
	}
	if e := mapMasterData(err); e != nil {
		return e
	}
	var fe FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return fe.toError()
	}
	if e := mapAuth(err); e != nil {
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

// authErrors maps each auth sentinel to its status, code and the
// Chinese message of an error that is not an *auth.Error (a store's "user
// 9: not found"); an *auth.Error brings its own messages.
var authErrors = []struct {
	err    error
	status int
	code   string
	zh     string
}{
	{auth.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "请先登录"},
	{auth.ErrBadCredentials, http.StatusUnauthorized, "bad_credentials", "用户名或密码错误"},
	{auth.ErrLocked, http.StatusTooManyRequests, "locked", "登录已被锁定，请稍后再试"},
	{auth.ErrDisabled, http.StatusForbidden, "disabled", "该用户已停用"},
	{auth.ErrForbidden, http.StatusForbidden, "forbidden", "没有权限"},
	{auth.ErrPasswordChange, http.StatusForbidden, "password_change", "请先修改密码"},
	{auth.ErrCSRF, http.StatusForbidden, "csrf", "请求缺少页面的 CSRF 令牌，请刷新页面"},
	{auth.ErrInvalid, http.StatusBadRequest, "invalid", "请求无效"},
	{auth.ErrNotFound, http.StatusNotFound, "not_found", "未找到该记录"},
	{auth.ErrExists, http.StatusConflict, "exists", "该记录已存在"},
}

// mapAuth maps an error of the auth area, nil for another error.
func mapAuth(err error) *Error {
	for _, m := range authErrors {
		if !errors.Is(err, m.err) {
			continue
		}
		e := &Error{status: m.status, Code: m.code, Message: err.Error(), MessageZH: m.zh}
		var ae *auth.Error
		if errors.As(err, &ae) {
			e.Message, e.MessageZH, e.Permission, e.Site = ae.Msg, ae.MsgZH, string(ae.Permission), ae.Site
			if e.Message == "" {
				e.Message = ae.Err.Error()
			}
			if e.MessageZH == "" {
				e.MessageZH = m.zh
			}
			if errors.Is(err, auth.ErrLocked) {
				e.retryAfter = ae.RetryAfter
			}
		}
		return e
	}
	return nil
}

type serverKey struct{}

func init() {
	// huma makes errors without a request's context only to document the
	// error schema (and in huma.Error4xx, which this package does not
	// call); those of a request come from newError, which the middleware
	// names (humax: the agents' APIs in the same binary have their own).
	humax.SetDefault(func(status int, msg string, errs ...error) huma.StatusError {
		return errorOf(status, msg, errs...)
	})
}

// newError makes every error of a request to the cloud API, counting and
// logging it.
func newError(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
	e := errorOf(status, msg, errs...)
	if s, ok := ctx.Context().Value(serverKey{}).(*Server); ok {
		s.rejected(ctx, e)
	}
	if e.retryAfter > 0 {
		ctx.SetHeader("Retry-After", strconv.Itoa(int((e.retryAfter+time.Second-1)/time.Second)))
	}
	return e
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
