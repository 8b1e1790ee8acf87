package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/httpapi"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// TestErrorZHIsChinese checks the review's point that error_zh carried
// the English text: each store error a user sees is answered in Chinese.
func TestErrorZHIsChinese(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("stock: %w: filter too wide", cloud.ErrInvalid), http.StatusBadRequest, "invalid"},
		{fmt.Errorf("stock: %w: replica 1 is of a/b", cloud.ErrWrongSite), http.StatusConflict, "wrong_site"},
	} {
		f := newFixture(t)
		f.store.setErr(tc.err)
		r := f.get(t, "/api/v1/stock?tenant=acme")
		checkError(t, r, tc.status, tc.code)
		e := decode[httpx.ErrorBody](t, r)
		if !strings.ContainsFunc(e.ErrorZH, func(r rune) bool { return unicode.Is(unicode.Han, r) }) ||
			strings.ContainsFunc(e.ErrorZH, func(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }) {
			t.Errorf("%v: error_zh %q is not Chinese", tc.err, e.ErrorZH)
		}
		if strings.Count(e.Error, "stock: ") > 1 {
			t.Errorf("error %q repeats its context", e.Error)
		}
	}
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

func TestValidationNamesEveryField(t *testing.T) {
	f := newFixture(t)
	r := f.send(t, http.MethodPost, "/api/v1/auth/tokens", `{"name":"","permissions":[],"extra":1}`, withToken(f.token))
	checkError(t, r, http.StatusBadRequest, "invalid")
	e := decode[httpapi.Error](t, r)
	fields := map[string]bool{}
	for _, fe := range e.Errors {
		fields[fe.Field] = true
		if fe.Message == "" || !hasHan(fe.MessageZH) {
			t.Errorf("field error %+v: want English and Chinese", fe)
		}
	}
	for _, want := range []string{"body.name", "body.permissions", "body.extra"} {
		if !fields[want] {
			t.Errorf("errors %+v do not name %s", e.Errors, want)
		}
	}
	if len(e.Errors) == 0 || e.Field != e.Errors[0].Field || !strings.Contains(e.Message, e.Errors[0].Message) {
		t.Errorf("field %q, error %q: want the first of %+v", e.Field, e.Message, e.Errors)
	}
	// A missing property is named as the field, not as its object.
	r = f.send(t, http.MethodPost, "/api/v1/auth/login", `{"username":"admin"}`, nil)
	checkError(t, r, http.StatusBadRequest, "invalid")
	if e := decode[httpapi.Error](t, r); e.Field != "body.password" || !strings.Contains(e.MessageZH, "缺少必填字段") {
		t.Errorf("missing password: %s", r.body)
	}
}

func TestDomainErrorShapes(t *testing.T) {
	var fe httpapi.FieldErrors
	if fe.Err() != nil {
		t.Fatal("empty FieldErrors is an error")
	}
	fe.Add("body.sku", "must not be empty", "不能为空")
	fe.Add("body.price", "must not be negative", "不能为负数")
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"field errors", fmt.Errorf("save product: %w", fe.Err()), http.StatusBadRequest, "invalid"},
		{"stale", httpapi.Stale("the product changed since you read it", "商品在您读取后已被修改"), http.StatusPreconditionFailed, "stale"},
		{"precondition required", httpapi.PreconditionRequired("send If-Match with the version you change", "请在 If-Match 中提供所修改的版本"),
			http.StatusPreconditionRequired, "precondition_required"},
		{"referenced", httpapi.Referenced("3 orders name this product", "有 3 张订单引用该商品"), http.StatusConflict, "referenced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.store.setErr(tt.err)
			r := f.get(t, "/api/v1/stock")
			checkError(t, r, tt.status, tt.code)
			e := decode[httpapi.Error](t, r)
			if !hasHan(e.MessageZH) {
				t.Errorf("error_zh %q", e.MessageZH)
			}
			if tt.code == "invalid" && (e.Field != "body.sku" || len(e.Errors) != 2 || e.Errors[1].Field != "body.price" ||
				e.Errors[1].MessageZH != "不能为负数") {
				t.Errorf("field errors answer %s", r.body)
			}
		})
	}
}
