package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/jxc-edge/jxc/cloud"
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
