package syncproto_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/syncproto"
)

func TestEdgeDocID(t *testing.T) {
	id := syncproto.EdgeDocID(0x00ab_cdef_0123_4567, 42)
	if id != "E00abcdef01234567-42" {
		t.Fatalf("EdgeDocID = %q", id)
	}
	r, s, ok := syncproto.ParseEdgeDocID(id)
	if !ok || r != 0x00ab_cdef_0123_4567 || s != 42 {
		t.Fatalf("ParseEdgeDocID(%q) = %x, %d, %v", id, r, s, ok)
	}
	if n, line, ok := syncproto.ParseDocLine(syncproto.DocLine(id, 3)); !ok || n != id || line != 3 {
		t.Errorf("an edge document's line does not parse: %q %d %v", n, line, ok)
	}
	for _, bad := range []string{"", "E", "E00abcdef01234567-", "E00abcdef01234567-0", "E00abcdef01234567-07",
		"E00ABCDEF01234567-1", "X00abcdef01234567-1", "E00abcdef0123456-12", "E00abcdef01234567-1x", "CG20261125-0001"} {
		if _, _, ok := syncproto.ParseEdgeDocID(bad); ok {
			t.Errorf("ParseEdgeDocID(%q) accepted", bad)
		}
	}
}

func TestDecodeEdgeDoc(t *testing.T) {
	good := `{"operator":"li","lines":[{"line":1,"sku":"A","qty":3,"price":250,"amount":750},` +
		`{"line":2,"sku":"B","qty":0,"short":2,"short_reason":"damaged"}],` +
		`"payments":[{"method":"cash","amount":700,"tendered":1000,"change":300},{"method":"wechat","amount":50}],"total":750}`
	d, err := syncproto.DecodeEdgeDoc([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Lines) != 2 || d.Payments[0].Change != 300 || d.Total != 750 {
		t.Errorf("decoded %+v", d)
	}
	if d, err := syncproto.DecodeEdgeDoc(nil); err != nil || len(d.Lines) != 0 {
		t.Errorf("empty payload: %v %v", d, err)
	}
	for name, c := range map[string]struct{ body, field string }{
		"not json":         {`{`, "payload"},
		"line numbers":     {`{"lines":[{"line":2,"sku":"A","qty":1}]}`, "lines[0].line"},
		"no sku":           {`{"lines":[{"line":1,"qty":1}]}`, "lines[0].sku"},
		"zero qty":         {`{"lines":[{"line":1,"sku":"A","qty":0}]}`, "lines[0].qty"},
		"negative qty":     {`{"lines":[{"line":1,"sku":"A","qty":-1}]}`, "lines[0].qty"},
		"bad expiry":       {`{"lines":[{"line":1,"sku":"A","qty":1,"expiry":"2026-13-01"}]}`, "lines[0].expiry"},
		"negative money":   {`{"lines":[{"line":1,"sku":"A","qty":1,"amount":-5}]}`, "lines[0].amount"},
		"unknown method":   {`{"payments":[{"method":"bitcoin","amount":1}],"total":1}`, "payments[0].method"},
		"payments ≠ total": {`{"payments":[{"method":"cash","amount":1}],"total":2}`, "payments"},
		"control char":     {`{"operator":"a\u0001b"}`, "operator"},
		"too big":          {`{"note":"` + strings.Repeat("x", syncproto.MaxPayload) + `"}`, "payload"},
	} {
		_, err := syncproto.DecodeEdgeDoc([]byte(c.body))
		var ve *syncproto.ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || ve.ReasonZH == "" {
			t.Errorf("%s: err %v; want a ValidationError of %s", name, err, c.field)
		}
	}
}
