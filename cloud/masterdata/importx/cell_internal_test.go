package importx

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseYuan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  string
	}{
		{in: "", want: 0},
		{in: "12", want: 1200},
		{in: "12.5", want: 1250},
		{in: "12.50", want: 1250},
		{in: "12.500", want: 1250},
		{in: "0.01", want: 1},
		{in: ".5", want: 50},
		{in: "12.", want: 1200},
		{in: " ¥1,234.56 ", want: 123456},
		{in: "￥12", want: 1200},
		{in: "１２．５", want: 1250},
		{in: "007.10", want: 710},
		{in: "999999999999999.99", want: 99999999999999999},
		{in: "12.345", bad: "more than 2 decimals"},
		{in: "0.001", bad: "more than 2 decimals"},
		{in: "-1", bad: "negative"},
		{in: "1,23", bad: "not an amount"},
		{in: "12,345.6.7", bad: "not an amount"},
		{in: "1e3", bad: "scientific"},
		{in: "6.90123E+12", bad: "scientific"},
		{in: ".", bad: "not an amount"},
		{in: "十二", bad: "not an amount"},
		{in: "1000000000000000", bad: "too large"},
	} {
		got, m := parseYuan(tc.in)
		switch {
		case tc.bad == "" && (m != nil || got != tc.want):
			t.Errorf("parseYuan(%q) = %d, %v; want %d", tc.in, got, m, tc.want)
		case tc.bad != "" && (m == nil || !strings.Contains(m.en, tc.bad) || m.zh == ""):
			t.Errorf("parseYuan(%q) = %d, %v; want a problem with %q", tc.in, got, m, tc.bad)
		}
	}
}

func TestParseCells(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{{"24", 24, true}, {"24.0", 24, true}, {"1,000", 1000, true}, {"", 0, true}, {"2.5", 0, false}, {"-1", 0, false}, {"x", 0, false}} {
		got, m := parseInt(tc.in, 0, 1<<40)
		if got != tc.want || (m == nil) != tc.ok {
			t.Errorf("parseInt(%q) = %d, %v", tc.in, got, m)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{{"13", 13, true}, {"13%", 13, true}, {"9 %", 9, true}, {"13.5", 0, false}, {"101", 0, false}} {
		got, m := parsePercent(tc.in)
		if got != tc.want || (m == nil) != tc.ok {
			t.Errorf("parsePercent(%q) = %d, %v", tc.in, got, m)
		}
	}
	for in, want := range map[string]bool{"是": true, "否": false, "YES": true, "n": false, "1": true, "": false, "true": true} {
		if got, m := parseBool(in); got != want || m != nil {
			t.Errorf("parseBool(%q) = %v, %v", in, got, m)
		}
	}
	if _, m := parseBool("maybe"); m == nil {
		t.Error("parseBool(maybe): no problem")
	}
	as, m := parseAttrs(" 颜色 = 白 ；尺码：M;")
	if m != nil || formatAttrs(as) != "颜色=白;尺码=M" {
		t.Errorf("parseAttrs: %v %v", as, m)
	}
	for _, bad := range []string{"颜色白", "=白", "颜色=", "颜色=白;颜色=黑"} {
		if _, m := parseAttrs(bad); m == nil {
			t.Errorf("parseAttrs(%q): no problem", bad)
		}
	}
	if got := splitList(" 6901234567892；690, 12\n"); strings.Join(got, "|") != "6901234567892|690|12" {
		t.Errorf("splitList: %q", got)
	}
	if got := normHeader(" *零售价（元） "); got != "零售价" {
		t.Errorf("normHeader: %q", got)
	}
	if got := normHeader("Product Code"); got != "product_code" {
		t.Errorf("normHeader: %q", got)
	}
}

// FuzzParseYuan: an amount read back from its written form is the same,
// and the reading never panics.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"12.5", "¥1,234.56", "12.345", "-1", "１２．５", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, m := parseYuan(s)
		if m != nil {
			return
		}
		if v < 0 {
			t.Fatalf("parseYuan(%q) = %d", s, v)
		}
		if w, m := parseYuan(formatYuan(v)); m != nil || w != v {
			t.Fatalf("parseYuan(formatYuan(%d)) = %d, %v", v, w, m)
		}
	})
}

// FuzzRead reads untrusted bytes as each kind's file, as CSV and XLSX: an
// error or a table, never a panic.
func FuzzRead(f *testing.F) {
	f.Add([]byte("商品编码,商品名称,属性,SKU编码\r\nP1,T恤,颜色=白,P1-W\r\n,,颜色=黑,P1-B\r\n"))
	f.Add([]byte("\uFEFF供应商编码;供应商名称\nS1;\"甲\"\"乙\"\n"))
	var x bytes.Buffer
	if err := writeTable(&x, XLSX, "库位", []string{"站点编码", "库位编码", "库位名称"}, [][]string{{"s1", "A-01", "A"}}); err != nil {
		f.Fatal(err)
	}
	f.Add(x.Bytes())
	im := &Importer{opts: Options{MaxRows: 1000}}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, k := range []handler{productSpec, supplierSpec, customerSpec, binSpec} {
			for _, format := range []Format{CSV, XLSX} {
				fl, err := im.read(k.info(), format, body)
				if err == nil && (fl.h == nil || fl.rows == 0) {
					t.Fatalf("%s %s: a file without rows read without an error", k.info().name, format)
				}
			}
		}
	})
}
