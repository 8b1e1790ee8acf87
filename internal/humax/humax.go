// Package humax is what the project's huma APIs (the cloud's and the
// agent's) share: the hook that lets each API answer errors in its own
// type although huma makes them through two package variables (jxc demo
// runs the cloud and several agents in one process), and huma's own
// validation errors in Chinese, each naming its field.
package humax

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"
)

// ErrorFunc makes the error an API answers with: status and msg as huma
// gives them (status 0 when huma asks for an example to document the
// error schema), errs its details or the handler's error.
type ErrorFunc func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError

type errorsKey struct{}

var fallback atomic.Pointer[func(status int, msg string, errs ...error) huma.StatusError]

func init() {
	orig := huma.NewError
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		if f := fallback.Load(); f != nil {
			return (*f)(status, msg, errs...)
		}
		return orig(status, msg, errs...)
	}
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		if ctx != nil {
			if f, ok := ctx.Context().Value(errorsKey{}).(ErrorFunc); ok {
				return f(ctx, status, msg, errs...)
			}
		}
		return huma.NewError(status, msg, errs...)
	}
}

// WithErrors returns ctx whose errors f makes. An API's first middleware
// calls it, so that every error of its operations, huma's validation
// included, is of its type.
func WithErrors(ctx huma.Context, f ErrorFunc) huma.Context {
	return huma.WithValue(ctx, errorsKey{}, f)
}

// SetDefault makes f the maker of errors made without a request's
// context: the example huma documents the error schema with when an
// operation is registered, and huma.Error4xx calls. The last call wins;
// without one huma's own ErrorModel is made.
func SetDefault(f func(status int, msg string, errs ...error) huma.StatusError) {
	fallback.Store(&f)
}

// Field is one request field at fault: Name is location.name
// ("body.qty", "query.limit", "path.gtin").
type Field struct {
	Name, Msg, MsgZH string
}

// Described is an error huma made itself (validation, reading the body),
// in the projects' terms.
type Described struct {
	// Status is the answer's status: huma's 422 becomes 400, as the
	// project's other refusals of bad input.
	Status int
	// Code is the machine-readable reason: invalid, too_large,
	// unsupported_media_type, not_acceptable, or the status text in
	// snake case.
	Code       string
	Msg, MsgZH string
	// Fields are the fields at fault, in huma's order.
	Fields []Field
}

// Describe explains an error huma made with status, msg and errs (its
// *huma.ErrorDetail items name the fields). A 5xx is not described: the
// caller answers its own internal error.
func Describe(status int, msg string, errs ...error) Described {
	d := Described{Status: status, Msg: msg, MsgZH: "请求无效：" + msg}
	for _, err := range errs {
		if det, ok := err.(*huma.ErrorDetail); ok {
			d.Fields = append(d.Fields, FieldOf(det))
		}
	}
	if len(d.Fields) > 0 {
		f := d.Fields[0]
		d.Msg, d.MsgZH = f.Name+": "+f.Msg, "请求字段 "+f.Name+" 无效："+f.MsgZH
		if n := len(d.Fields) - 1; n > 0 {
			d.Msg += fmt.Sprintf(" (and %d more)", n)
			d.MsgZH += fmt.Sprintf("（另有 %d 处错误）", n)
		}
	}
	switch status {
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		d.Status, d.Code = http.StatusBadRequest, "invalid"
	case http.StatusRequestEntityTooLarge:
		d.Code, d.MsgZH = "too_large", "请求体过大"
	case http.StatusUnsupportedMediaType:
		d.Code, d.MsgZH = "unsupported_media_type", "不支持的请求内容类型，请发送 JSON"
	case http.StatusNotAcceptable:
		d.Code, d.MsgZH = "not_acceptable", "无法以所要求的格式应答"
	default:
		d.Code = strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
	}
	return d
}

// FieldOf is a huma validation detail as a Field: a missing property is
// named in the field ("body.password", not "body"), and the message is
// put in Chinese when it is one of huma's common ones.
func FieldOf(d *huma.ErrorDetail) Field {
	field := d.Location
	if name, ok := cutFormat(d.Message, validation.MsgExpectedRequiredProperty); ok && !strings.ContainsAny(name, " ") {
		field = strings.TrimSuffix(field+"."+name, ".")
	}
	return Field{Name: field, Msg: d.Message, MsgZH: ZH(d.Message)}
}

// zhMessages are huma's validation messages in Chinese; %s stands for
// the one value of the English message. The first that matches is used.
var zhMessages = []struct{ en, zh string }{
	{validation.MsgUnexpectedProperty, "不允许的字段"},
	{validation.MsgExpectedRequiredProperty, "缺少必填字段 %s"},
	{validation.MsgExpectedMinLength, "长度至少为 %s"},
	{validation.MsgExpectedMaxLength, "长度至多为 %s"},
	{validation.MsgExpectedMinItems, "至少需要 %s 项"},
	{validation.MsgExpectedMaxItems, "至多允许 %s 项"},
	{validation.MsgExpectedMinimumNumber, "须不小于 %s"},
	{validation.MsgExpectedMaximumNumber, "须不大于 %s"},
	{validation.MsgExpectedExclusiveMinimumNumber, "须大于 %s"},
	{validation.MsgExpectedExclusiveMaximumNumber, "须小于 %s"},
	{validation.MsgExpectedMatchPattern, "须符合格式 %s"},
	{validation.MsgExpectedOneOf, "须为以下之一：%s"},
	{validation.MsgExpectedString, "须为字符串"},
	{validation.MsgExpectedInteger, "须为整数"},
	{validation.MsgExpectedNumber, "须为数字"},
	{validation.MsgExpectedBoolean, "须为 true 或 false"},
	{validation.MsgExpectedArray, "须为数组"},
	{validation.MsgExpectedObject, "须为对象"},
	{validation.MsgExpectedArrayItemsUnique, "数组中不能有重复项"},
	{validation.MsgExpectedRFC3339DateTime, "须为 RFC 3339 日期时间，如 2025-03-01T08:00:00Z"},
	{"invalid integer", "须为整数"},
	{"invalid boolean", "须为 true 或 false"},
	{"invalid date/time for format %s", "须为 RFC 3339 日期时间，如 2025-03-01T08:00:00Z"},
	// Last: its prefix is that of the RFC formats above.
	{validation.MsgExpectedBePattern, "须为 %s"},
}

// ZH returns huma's validation message msg in Chinese, or msg after a
// Chinese "not as required" when it is not a known one.
func ZH(msg string) string {
	for _, m := range zhMessages {
		if v, ok := cutFormat(msg, m.en); ok {
			if strings.Contains(m.zh, "%s") {
				return fmt.Sprintf(m.zh, v)
			}
			return m.zh
		}
	}
	return "不符合要求：" + msg
}

// cutFormat matches msg against format, which holds at most one verb
// (%d, %s, %v), and returns what stands in its place.
func cutFormat(msg, format string) (string, bool) {
	i := strings.IndexByte(format, '%')
	if i < 0 || i+1 >= len(format) {
		return "", msg == format
	}
	prefix, suffix := format[:i], format[i+2:]
	if len(msg) < len(prefix)+len(suffix) || !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, suffix) {
		return "", false
	}
	return msg[len(prefix) : len(msg)-len(suffix)], true
}
