package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/internal/httpx"
)

// TestDecodeJSONStrictKeys is the review's case: {"qty":5,"qty":-5} was
// taken with the last value, and keys matched fields whatever their case.
func TestDecodeJSONStrictKeys(t *testing.T) {
	type inner struct {
		N int64 `json:"n"`
	}
	type body struct {
		Qty   *int64            `json:"qty"`
		SKU   string            `json:"sku,omitempty"`
		Skip  string            `json:"-"`
		Plain string            // no tag: its Go name
		In    *inner            `json:"in,omitempty"`
		Tags  map[string]string `json:"tags,omitempty"`
		List  []inner           `json:"list,omitempty"`
	}
	for _, tc := range []struct {
		name, body, wantReason, wantIn string
	}{
		{name: "valid", body: `{"qty":5,"sku":"a","Plain":"p","in":{"n":1},"tags":{"a":"1","A":"2"},"list":[{"n":1},{"n":2}]}`},
		{name: "duplicate", body: `{"qty":5,"qty":-5}`, wantReason: "duplicate_field", wantIn: `"qty" appears twice`},
		{name: "duplicate in nested", body: `{"qty":1,"in":{"n":1,"n":2}}`, wantReason: "duplicate_field", wantIn: `"n" appears twice at in`},
		{name: "duplicate in list element", body: `{"qty":1,"list":[{"n":1},{"n":1,"n":2}]}`, wantReason: "duplicate_field", wantIn: "at list[1]"},
		{name: "duplicate map key", body: `{"qty":1,"tags":{"a":"1","a":"2"}}`, wantReason: "duplicate_field", wantIn: `"a"`},
		{name: "other case", body: `{"QTY":5}`, wantReason: "unknown_field", wantIn: `did you mean "qty"`},
		{name: "other case of Go name", body: `{"qty":5,"plain":"p"}`, wantReason: "unknown_field", wantIn: `did you mean "Plain"`},
		{name: "other case nested", body: `{"qty":5,"in":{"N":1}}`, wantReason: "unknown_field", wantIn: `"N" at in`},
		{name: "skipped field", body: `{"qty":5,"Skip":"x"}`, wantReason: "unknown_field", wantIn: `"Skip"`},
		{name: "case and duplicate", body: `{"qty":5,"Qty":-5}`, wantReason: "unknown_field", wantIn: `"Qty"`},
		{name: "malformed still bad_json", body: `{"qty":5,`, wantReason: "bad_json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got body
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			err := httpx.DecodeJSON(httptest.NewRecorder(), req, &got, 1024)
			if tc.wantReason == "" {
				if err != nil {
					t.Fatalf("DecodeJSON = %v", err)
				}
				return
			}
			p, ok := err.(*httpx.Problem)
			if !ok || p.Reason != tc.wantReason || !strings.Contains(p.Msg, tc.wantIn) || p.MsgZH == "" || p.MsgZH == p.Msg {
				t.Fatalf("got %#v, want reason %q mentioning %q with a Chinese text", err, tc.wantReason, tc.wantIn)
			}
			if got.Qty != nil {
				t.Errorf("qty decoded as %d from a refused body", *got.Qty)
			}
		})
	}
}

// FuzzDecodeJSON checks that no body makes DecodeJSON panic, and that a
// body it accepts has no key twice in its top-level object.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"qty":5}`, `{"qty":5,"qty":-5}`, `[{"n":1}]`, `{"in":{"n":1}}`, `{"QTY":1}`, `{`} {
		f.Add(s)
	}
	type inner struct {
		N int64 `json:"n"`
	}
	type body struct {
		Qty *int64  `json:"qty"`
		In  *inner  `json:"in"`
		L   []inner `json:"l"`
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got body
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(s))
		if err := httpx.DecodeJSON(httptest.NewRecorder(), req, &got, 4096); err != nil {
			if _, ok := err.(*httpx.Problem); !ok {
				t.Fatalf("error %T %v is not a *Problem", err, err)
			}
			return
		}
		if strings.Count(s, `"qty"`) > 1 && !strings.Contains(s, `\`) && !strings.Contains(s, `"l"`) && !strings.Contains(s, `"in"`) {
			t.Fatalf("accepted %q with qty twice", s)
		}
	})
}
