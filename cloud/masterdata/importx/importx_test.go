package importx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/masterdata/importx"
)

const productHeader = "商品编码,商品名称,分类编码,基本单位,属性,SKU编码,条码,零售价,税率,批次管理,保质期天数"

// want is a problem a file must get: its row and column (the header as
// in the file), and a part of its message.
type want struct {
	row    int
	column string
	text   string
}

func findProblem(ps []importx.Problem, w want) bool {
	for _, p := range ps {
		if p.Row == w.row && p.Column == w.column && strings.Contains(p.Error, w.text) && p.ErrorZH != "" {
			return true
		}
	}
	return false
}

func TestProblems(t *testing.T) {
	good := gtin13("690999000001")
	bad := good[:12] + string('0'+(good[12]-'0'+1)%10)
	for _, tc := range []struct {
		name string
		kind string
		rows []string
		want []want
	}{
		{"price with 3 decimals", "products", []string{productHeader, "P1,杯子,FZ,件,,P1,,12.345,13,否,"},
			[]want{{2, "零售价", "more than 2 decimals"}}},
		{"price not a number", "products", []string{productHeader, "P1,杯子,FZ,件,,P1,,十二元,13,否,"},
			[]want{{2, "零售价", "not an amount"}}},
		{"flag neither yes nor no", "products", []string{productHeader, "P1,杯子,FZ,件,,P1,,12.50,13,也许,"},
			[]want{{2, "批次管理", "是 or 否"}}},
		{"VAT not whole", "products", []string{productHeader, "P1,杯子,FZ,件,,P1,,12.50,13.5,否,"},
			[]want{{2, "税率", "whole percent"}}},
		{"VAT not the tenant's", "products", []string{productHeader, "P1,杯子,FZ,件,,P1,,12.50,17,否,"},
			[]want{{2, "税率", "VAT rates"}}},
		{"unknown category", "products", []string{productHeader, "P1,杯子,ZZ,件,,P1,,12.50,13,否,"},
			[]want{{2, "分类编码", `"ZZ"`}}},
		{"unknown unit", "products", []string{productHeader, "P1,杯子,FZ,桶,,P1,,12.50,13,否,"},
			[]want{{2, "基本单位", `"桶"`}}},
		{"bad check digit", "products", []string{productHeader, "P1,杯子,FZ,件,,P1," + bad + ",12.50,13,否,"},
			[]want{{2, "条码", "check digit"}}},
		{"barcode twice in the file", "products", []string{productHeader, "P1,杯子,FZ,件,,P1," + good + ",12.50,13,否,",
			"P2,碗,FZ,件,,P2," + good + ",8.00,13,否,"}, []want{{3, "条码", "also on row 2"}}},
		{"SKU code twice in the file", "products", []string{productHeader, "P1,杯子,FZ,件,,X1,,12.50,13,否,",
			"P2,碗,FZ,件,,X1,,8.00,13,否,"}, []want{{3, "SKU编码", "also on row 2"}}},
		{"product columns differ", "products", []string{productHeader, "P1,T恤,FZ,件,颜色=白,P1-W,,59,13,否,",
			"P1,衬衫,FZ,件,颜色=黑,P1-B,,59,13,否,"}, []want{{3, "商品名称", "differs"}}},
		{"attributes malformed", "products", []string{productHeader, "P1,T恤,FZ,件,颜色白,P1-W,,59,13,否,"},
			[]want{{2, "属性", "name=value"}}},
		{"attributes differ between rows", "products", []string{productHeader, "P1,T恤,FZ,件,颜色=白,P1-W,,59,13,否,",
			",,,,尺码=M,P1-M,,59,,,"}, []want{{3, "属性", "first row"}}},
		{"several rows without SKU codes", "products", []string{productHeader, "P1,T恤,FZ,件,颜色=白,,,59,13,否,",
			"P1,,,,颜色=黑,,,59,,,"}, []want{{2, "SKU编码", "SKU code"}, {3, "SKU编码", "SKU code"}}},
		{"several rows without attributes", "products", []string{productHeader, "P1,T恤,FZ,件,,P1-W,,59,13,否,",
			"P1,,,,,P1-B,,59,,,"}, []want{{3, "属性", "attributes"}}},
		{"no product code", "products", []string{productHeader, ",T恤,FZ,件,,P1,,59,13,否,"},
			[]want{{2, "商品编码", "is empty"}}},
		{"scientific barcode", "products", []string{productHeader, "P1,杯子,FZ,件,,P1,6.90123E+12,12.50,13,否,"},
			[]want{{2, "条码", "scientific"}}},
		{"shelf life without lots", "products", []string{productHeader, "P1,牛奶,RZ,盒,,P1,,12.50,13,否,7"},
			[]want{{2, "保质期天数", "lot-tracked"}}},
		{"value without a header", "products", []string{productHeader, "P1,杯子,FZ,件,,P1,,12.50,13,否,,多余"},
			[]want{{2, "", "without a header"}}},
		{"supplier twice", "suppliers", []string{"供应商编码,供应商名称", "S1,甲", "S1,乙"},
			[]want{{3, "供应商编码", "also on row 2"}}},
		{"phone without contact", "suppliers", []string{"供应商编码,供应商名称,联系人,联系电话", "S1,甲,,13800000000"},
			[]want{{2, "联系人", "required"}}},
		{"payment terms not a number", "suppliers", []string{"供应商编码,供应商名称,账期天数", "S1,甲,一个月"},
			[]want{{2, "账期天数", "whole number"}}},
		{"negative credit", "customers", []string{"客户编码,客户名称,信用额度", "C1,甲,-5"},
			[]want{{2, "信用额度", "negative"}}},
		{"customer without name", "customers", []string{"客户编码,客户名称", "C1,"},
			[]want{{2, "客户名称", "required"}}},
		{"unknown site", "bins", []string{"站点编码,库位编码,库位名称", "store-9,A-01,A01"},
			[]want{{2, "站点编码", `"store-9"`}}},
		{"bin twice", "bins", []string{"站点编码,库位编码,库位名称", "store-1,A-01,A01", "store-1,A-01,A01 again"},
			[]want{{3, "库位编码", "also on row 2"}}},
		{"bin without name", "bins", []string{"站点编码,库位编码", "store-1,A-01"},
			[]want{{2, "库位名称", "required"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, openSQLite, importx.Options{})
			rep := f.check(t, tc.kind, importx.CSV, csvOf(tc.rows...))
			for _, w := range tc.want {
				if !findProblem(rep.Problems, w) {
					t.Errorf("no problem at row %d, column %q, with %q; got %+v", w.row, w.column, w.text, rep.Problems)
				}
			}
			if rep.ID != "" || rep.Valid != 0 {
				t.Errorf("report %+v: want nothing valid", rep)
			}
		})
	}
}

// TestProblemCell names the cell of a problem as the spreadsheet does.
func TestProblemCell(t *testing.T) {
	f := newFixture(t, openSQLite, importx.Options{})
	rep := f.check(t, "products", importx.CSV, csvOf(productHeader, "P1,杯子,FZ,件,,P1,,1.00,13,否,", "P2,碗,FZ,件,,P2,,12.345,13,否,"))
	if len(rep.Problems) != 1 {
		t.Fatalf("problems %+v", rep.Problems)
	}
	p := rep.Problems[0]
	if p.Row != 3 || p.Column != "零售价" || p.Field != "retail_price" || p.Cell != "H3" ||
		!strings.Contains(p.Error, `"12.345"`) || !strings.Contains(p.ErrorZH, "小数超过 2 位") {
		t.Errorf("problem %+v", p)
	}
	if rep.Rows != 2 || rep.Valid != 1 || rep.Records != 2 || rep.Create != 1 || rep.Invalid != 1 || rep.ID == "" {
		t.Errorf("report %+v", rep)
	}
}

func TestEnglishHeadersAndFormats(t *testing.T) {
	body := "product_code;name;base_unit;retail_price;barcodes\n" + "P1;cup;件;\"1,234.5\";" + gtin13("690999000001") + "\n"
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"semicolons, no BOM", []byte(body)},
		{"tabs", []byte(strings.ReplaceAll(strings.ReplaceAll(body, ";", "\t"), `"`, ""))},
		{"BOM", append([]byte("\uFEFF"), body...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, openSQLite, importx.Options{})
			rep := f.check(t, "products", importx.CSV, tc.body)
			if len(rep.Problems) != 0 || rep.Create != 1 {
				t.Fatalf("report %+v", rep)
			}
			f.commit(t, rep.ID)
			p := list(t, f, masterdata.Products)[0]
			if p.Code != "P1" || p.RetailPrice != 123450 || p.SKUs[0].Code != "P1" || p.SKUs[0].RetailPrice != 0 {
				t.Errorf("stored %+v", p)
			}
		})
	}
	t.Run("GB18030", func(t *testing.T) {
		f := newFixture(t, openSQLite, importx.Options{})
		gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(csvOf("供应商编码,供应商名称,备注", "S1,杭州优品,月结"))
		if err != nil {
			t.Fatal(err)
		}
		rep := f.check(t, "suppliers", importx.CSV, gb)
		if len(rep.Problems) != 0 || rep.Create != 1 {
			t.Fatalf("report %+v", rep)
		}
		f.commit(t, rep.ID)
		if s := list(t, f, masterdata.Suppliers)[0]; s.Name != "杭州优品" || s.Note != "月结" {
			t.Errorf("stored %+v", s)
		}
	})
}

func TestBadFiles(t *testing.T) {
	sample := func(name string) []byte {
		f := newFixture(t, openSQLite, importx.Options{})
		seedSamples(t, f)
		return f.export(t, "products", importx.XLSX)
	}("products.xlsx")
	for _, tc := range []struct {
		name   string
		kind   string
		format importx.Format
		body   []byte
		opts   importx.Options
		want   error
		text   string
	}{
		{"CSV sent as XLSX", "products", importx.XLSX, csvOf(productHeader), importx.Options{}, importx.ErrBadFile, "not an XLSX"},
		{"XLSX sent as CSV", "products", importx.CSV, sample, importx.Options{}, importx.ErrBadFile, "format=xlsx"},
		{"old xls", "products", importx.XLSX, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, importx.Options{}, importx.ErrBadFile, ".xls"},
		{"broken zip", "products", importx.XLSX, []byte("PK\x03\x04 not really"), importx.Options{}, importx.ErrBadFile, "cannot be read"},
		{"empty", "products", importx.CSV, nil, importx.Options{}, importx.ErrBadFile, "empty"},
		{"empty header", "products", importx.CSV, csvOf(",,", "P1,杯子"), importx.Options{}, importx.ErrBadFile, "row 1 must be the header"},
		{"header only", "products", importx.CSV, csvOf(productHeader, ",,,"), importx.Options{}, importx.ErrBadFile, "no data rows"},
		{"unknown column", "products", importx.CSV, csvOf("商品编码,颜色", "P1,白"), importx.Options{}, importx.ErrBadFile, `"颜色"`},
		{"missing key column", "bins", importx.CSV, csvOf("库位编码,库位名称", "A-01,A"), importx.Options{}, importx.ErrBadFile, "站点编码 (site)"},
		{"column twice", "products", importx.CSV, csvOf("商品编码,product_code", "P1,P1"), importx.Options{}, importx.ErrBadFile, "both"},
		{"bad quotes", "suppliers", importx.CSV, csvOf("供应商编码,供应商名称", `S1,"甲`), importx.Options{}, importx.ErrBadFile, "CSV row 2"},
		{"binary", "suppliers", importx.CSV, []byte("\x00\x01\x02"), importx.Options{}, importx.ErrBadFile, "NUL"},
		{"too many rows", "suppliers", importx.CSV, csvOf("供应商编码,供应商名称", "S1,甲", "S2,乙", "S3,丙"),
			importx.Options{MaxRows: 2}, importx.ErrBadFile, "more than 2 data rows"},
		{"too large", "suppliers", importx.CSV, csvOf("供应商编码,供应商名称", "S1,甲"), importx.Options{MaxFileSize: 10}, importx.ErrTooLarge, "at most 10"},
		{"unknown kind", "accounts", importx.CSV, csvOf("code"), importx.Options{}, importx.ErrBadRequest, "products, suppliers"},
		{"unknown format", "products", importx.Format("xls"), csvOf("code"), importx.Options{}, importx.ErrBadRequest, "xlsx or csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, openSQLite, tc.opts)
			_, err := f.im.Check(context.Background(), f.p, tc.kind, tc.format, tc.body)
			var e *importx.Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) || !strings.Contains(e.Msg, tc.text) || e.MsgZH == "" {
				t.Errorf("got %v, want %v with %q", err, tc.want, tc.text)
			}
		})
	}
}

// records returns a kind's records as JSON without what a store assigns
// (IDs, versions, times) and with categories by code, to compare stores.
func records[T any](tb testing.TB, f *fixture, k *masterdata.Kind[T]) string {
	tb.Helper()
	cats := map[int64]string{}
	for _, c := range list(tb, f, masterdata.Categories) {
		cats[c.ID] = c.Code
	}
	var out []string
	for _, r := range list(tb, f, k) {
		var m map[string]any
		b, _ := json.Marshal(r)
		if err := json.Unmarshal(b, &m); err != nil {
			tb.Fatal(err)
		}
		for _, k := range []string{"id", "version", "updated_at", "updated_by"} {
			delete(m, k)
		}
		if id, ok := m["category_id"].(float64); ok {
			m["category_id"] = cats[int64(id)]
		}
		b, _ = json.Marshal(m)
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

func allRecords(tb testing.TB, f *fixture) string {
	return records(tb, f, masterdata.Products) + "\n" + records(tb, f, masterdata.Suppliers) + "\n" +
		records(tb, f, masterdata.Customers) + "\n" + records(tb, f, masterdata.Bins)
}

// TestStores runs the tests that write on both stores.
func TestStores(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, st.open) })
			t.Run("NothingBeforeCommit", func(t *testing.T) { testNothingBeforeCommit(t, st.open) })
			t.Run("CommitSkipsBadRecords", func(t *testing.T) { testCommitSkipsBad(t, st.open) })
			t.Run("ReimportUpdates", func(t *testing.T) { testReimport(t, st.open) })
			t.Run("CommitAfterChanges", func(t *testing.T) { testCommitAfterChanges(t, st.open) })
		})
	}
}

// testRoundTrip exports every kind, imports the files into a fresh store
// (the same records), and into the first store again (nothing changes).
func testRoundTrip(t *testing.T, open opener) {
	// The stored records are loaded all at once here, looked up one by
	// one in the other tests.
	src := newFixture(t, open, importx.Options{LookupMax: 1})
	seedSamples(t, src)
	for _, format := range []importx.Format{importx.XLSX, importx.CSV} {
		t.Run(string(format), func(t *testing.T) {
			dst := newFixture(t, open, importx.Options{BatchSize: 3})
			for _, kind := range importx.Kinds {
				body := src.export(t, kind, format)
				rep := dst.check(t, kind, format, body)
				if len(rep.Problems) != 0 || rep.Create != sampleCounts[kind] {
					t.Fatalf("%s: report %+v", kind, rep)
				}
				if res := dst.commit(t, rep.ID); res.Created != sampleCounts[kind] {
					t.Fatalf("%s: commit %+v", kind, res)
				}
				again := src.check(t, kind, format, body)
				if len(again.Problems) != 0 || again.Unchanged != sampleCounts[kind] || again.Create+again.Update != 0 {
					t.Fatalf("%s into its own store: report %+v", kind, again)
				}
				if res := src.commit(t, again.ID); res.Unchanged != sampleCounts[kind] || res.Created+res.Updated != 0 {
					t.Fatalf("%s into its own store: commit %+v", kind, res)
				}
			}
			if got, want := allRecords(t, dst), allRecords(t, src); got != want {
				t.Errorf("imported records:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	// Nothing was rewritten: every record is at version 1.
	for _, p := range list(t, src, masterdata.Products) {
		if p.Version != 1 {
			t.Errorf("product %s at version %d after importing it unchanged", p.Code, p.Version)
		}
	}
}

func testNothingBeforeCommit(t *testing.T, open opener) {
	src := newFixture(t, open, importx.Options{})
	seedSamples(t, src)
	f := newFixture(t, open, importx.Options{MaxPendingPerUser: 8})
	var ids []string
	for _, kind := range importx.Kinds {
		rep := f.check(t, kind, importx.XLSX, src.export(t, kind, importx.XLSX))
		if rep.Create != sampleCounts[kind] {
			t.Fatalf("%s: report %+v", kind, rep)
		}
		ids = append(ids, rep.ID)
	}
	if n := len(list(t, f, masterdata.Products)) + len(list(t, f, masterdata.SKUs)) + len(list(t, f, masterdata.Suppliers)) +
		len(list(t, f, masterdata.Customers)) + len(list(t, f, masterdata.Bins)); n != 0 {
		t.Fatalf("%d records stored by checks alone", n)
	}
	// The checks left the store as it was: the same files check the same.
	rep := f.check(t, "products", importx.CSV, src.export(t, "products", importx.CSV))
	if rep.Create != sampleCounts["products"] || len(rep.Problems) != 0 {
		t.Fatalf("second check %+v", rep)
	}
	for _, id := range ids {
		f.commit(t, id)
	}
	if got, want := allRecords(t, f), allRecords(t, src); got != want {
		t.Errorf("committed:\n%s\nwant:\n%s", got, want)
	}
}

func testCommitSkipsBad(t *testing.T, open opener) {
	f := newFixture(t, open, importx.Options{BatchSize: 2})
	body := csvOf(productHeader,
		"P1,杯子,FZ,件,,P1,"+gtin13("690999000001")+",1.00,13,否,",
		"P2,碗,FZ,件,,P2,,12.345,13,否,",
		"P3,盘子,FZ,件,,P3,,3.00,13,否,",
		"P4,T恤,FZ,件,颜色=白,P4-W,,59,13,否,",
		"P4,,,,颜色=黑,P4-B,"+gtin13("690999000001")+",59,,,",
		"P5,勺子,FZ,桶,,P5,,2.00,13,否,",
		"P6,叉子,FZ,件,,P6,,1.50,13,否,")
	// P1 and P4 share a barcode: neither is written.
	rep := f.check(t, "products", importx.CSV, body)
	if rep.Create != 2 || rep.Invalid != 4 || rep.Valid != 2 || rep.Rows != 7 || len(rep.Problems) != 4 {
		t.Fatalf("report %+v", rep)
	}
	res := f.commit(t, rep.ID)
	if res.Created != 2 || res.Failed != 0 {
		t.Fatalf("commit %+v", res)
	}
	var codes []string
	for _, p := range list(t, f, masterdata.Products) {
		codes = append(codes, p.Code)
	}
	if fmt.Sprint(codes) != "[P3 P6]" {
		t.Errorf("stored %v, want [P3 P6]", codes)
	}
	if _, err := f.im.Commit(context.Background(), f.p, rep.ID); !errors.Is(err, importx.ErrNotFound) {
		t.Errorf("second commit: %v, want ErrNotFound", err)
	}
}

func testReimport(t *testing.T, open opener) {
	f := newFixture(t, open, importx.Options{})
	seedSamples(t, f)
	csv := string(f.export(t, "products", importx.CSV))
	// The cola costs more; the apple gets a barcode; the black XL T-shirt
	// is dropped.
	csv = strings.Replace(csv, "YL3002,冰爽可乐,YL,冰爽,330ml,罐,,YL3002,6901234003178,1.80,2.30,3.50",
		"YL3002,冰爽可乐,YL,冰爽,330ml,罐,,YL3002,6901234003178,1.80,2.30,3.80", 1)
	csv = strings.Replace(csv, "SG2001,红富士苹果,SG,,一级 果径80mm+,kg,,SG2001,,", "SG2001,红富士苹果,SG,,一级 果径80mm+,kg,,SG2001,"+gtin13("690123400200")+",", 1)
	lines := strings.Split(csv, "\r\n")
	var kept []string
	for _, l := range lines {
		if !strings.Contains(l, "FZ1001-BXL") {
			kept = append(kept, l)
		}
	}
	rep := f.check(t, "products", importx.CSV, []byte(strings.Join(kept, "\r\n")))
	if len(rep.Problems) != 0 || rep.Update != 3 || rep.Unchanged != 4 || rep.Create != 0 {
		t.Fatalf("report %+v", rep)
	}
	if res := f.commit(t, rep.ID); res.Updated != 3 || res.Unchanged != 4 {
		t.Fatalf("commit %+v", res)
	}
	for _, p := range list(t, f, masterdata.Products) {
		switch p.Code {
		case "YL3002":
			if p.Version != 2 || p.RetailPrice != 380 || p.SKUs[0].RetailPrice != 0 || len(p.Units) != 1 {
				t.Errorf("cola %+v", p)
			}
		case "SG2001":
			if p.Version != 2 || len(p.SKUs[0].Barcodes) != 1 {
				t.Errorf("apple %+v", p)
			}
		case "FZ1001":
			if p.Version != 2 || len(p.SKUs) != 5 || p.Attributes[1].Name != "尺码" || len(p.Attributes[1].Values) != 3 ||
				p.SKUs[2].RetailPrice != 6500 {
				t.Errorf("T-shirt %+v", p)
			}
		default:
			if p.Version != 1 {
				t.Errorf("%s rewritten: version %d", p.Code, p.Version)
			}
		}
	}
	// A partial file: only codes and prices; the rest stays.
	rep = f.check(t, "products", importx.CSV, csvOf("商品编码,零售价", "RZ4001,16.80"))
	if len(rep.Problems) != 0 || rep.Update != 1 {
		t.Fatalf("partial file: report %+v", rep)
	}
	f.commit(t, rep.ID)
	for _, p := range list(t, f, masterdata.Products) {
		if p.Code == "RZ4001" && (p.RetailPrice != 1680 || p.Name != "鲜牛奶" || !p.LotTracked || p.ShelfLifeDays != 7 ||
			len(p.SKUs) != 1 || p.SKUs[0].Barcodes[0] != "6901234004007" || p.PurchasePrice != 1050) {
			t.Errorf("milk after a file of prices: %+v", p)
		}
	}
}

// testCommitAfterChanges changes the store between check and commit: a
// record that no longer passes is left out with its problem, the others
// are written over the current versions.
func testCommitAfterChanges(t *testing.T, open opener) {
	f := newFixture(t, open, importx.Options{})
	ctx := context.Background()
	p1 := create(t, f, masterdata.Products, &masterdata.Product{Meta: masterdata.Meta{Code: "P1", Name: "杯子"}, BaseUnit: "件",
		Brand: "旧", SKUs: []masterdata.SKU{{Code: "P1"}}})
	taken := gtin13("690999000002")
	rep := f.check(t, "products", importx.CSV, csvOf("商品编码,商品名称,基本单位,条码,零售价",
		"P1,新杯子,件,,5.00", "P2,碗,件,"+taken+",8.00", "P3,盘子,件,,3.00"))
	if rep.Update != 1 || rep.Create != 2 || len(rep.Problems) != 0 {
		t.Fatalf("report %+v", rep)
	}
	// Meanwhile: someone takes P2's barcode and edits P1's brand.
	create(t, f, masterdata.Products, &masterdata.Product{Meta: masterdata.Meta{Code: "Q1", Name: "别的"}, BaseUnit: "件",
		SKUs: []masterdata.SKU{{Code: "Q1", Barcodes: []string{taken}}}})
	p1.Brand = "新"
	if _, err := masterdata.Update(ctx, f.svc, masterdata.Products, f.p, p1.ID, p1.Version, p1); err != nil {
		t.Fatal(err)
	}
	res := f.commit(t, rep.ID)
	if res.Created != 1 || res.Updated != 1 || res.Failed != 1 || len(res.Problems) != 1 {
		t.Fatalf("commit %+v", res)
	}
	if p := res.Problems[0]; p.Row != 3 || p.Column != "条码" || !strings.Contains(p.Error, "Q1") {
		t.Errorf("problem %+v", p)
	}
	for _, p := range list(t, f, masterdata.Products) {
		if p.Code == "P1" && (p.Name != "新杯子" || p.Brand != "新" || p.Version != 3) {
			t.Errorf("P1 %+v: want the file's name over the current version", p)
		}
		if p.Code == "P2" {
			t.Errorf("P2 stored: %+v", p)
		}
	}
}

func TestPending(t *testing.T) {
	now := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)
	f := newFixture(t, openSQLite, importx.Options{Now: func() time.Time { return now }, MaxPendingPerUser: 2})
	ctx := context.Background()
	body := csvOf("供应商编码,供应商名称", "S1,甲")
	// Another user's import is not found.
	rep := f.check(t, "suppliers", importx.CSV, body)
	other := *f.p
	other.UserID = 99
	if _, err := f.im.Commit(ctx, &other, rep.ID); !errors.Is(err, importx.ErrNotFound) {
		t.Errorf("another user's commit: %v", err)
	}
	if rep.ExpiresAt == nil || !rep.ExpiresAt.Equal(now.Add(30*time.Minute)) {
		t.Errorf("expires at %v", rep.ExpiresAt)
	}
	// Expired after 30 minutes.
	now = now.Add(30 * time.Minute)
	if _, err := f.im.Commit(ctx, f.p, rep.ID); !errors.Is(err, importx.ErrNotFound) {
		t.Errorf("expired commit: %v", err)
	}
	// A user keeps two: the third check drops the oldest.
	a := f.check(t, "suppliers", importx.CSV, body)
	now = now.Add(time.Second)
	b := f.check(t, "suppliers", importx.CSV, body)
	now = now.Add(time.Second)
	c := f.check(t, "suppliers", importx.CSV, body)
	if _, err := f.im.Commit(ctx, f.p, a.ID); !errors.Is(err, importx.ErrNotFound) {
		t.Errorf("oldest of three: %v", err)
	}
	f.commit(t, b.ID)
	if res := f.commit(t, c.ID); res.Unchanged != 1 {
		t.Errorf("second commit of the same file: %+v", res)
	}
}

func TestCSVFormulaGuard(t *testing.T) {
	f := newFixture(t, openSQLite, importx.Options{})
	create(t, f, masterdata.Suppliers, &masterdata.Supplier{Meta: masterdata.Meta{Code: "S1", Name: "甲"}, Note: "=HYPERLINK(\"x\")"})
	body := f.export(t, "suppliers", importx.CSV)
	if !bytes.Contains(body, []byte(`'=HYPERLINK`)) {
		t.Fatalf("export %s: the formula is not quoted", body)
	}
	rep := f.check(t, "suppliers", importx.CSV, body)
	if rep.Unchanged != 1 || len(rep.Problems) != 0 {
		t.Errorf("re-import %+v: the quote is not part of the value", rep)
	}
}

func TestPermissions(t *testing.T) {
	f := newFixture(t, openSQLite, importx.Options{})
	ctx := context.Background()
	var noone = *f.p
	noone.MustChangePassword = true
	if _, err := f.im.Check(ctx, &noone, "products", importx.CSV, csvOf(productHeader)); err == nil {
		t.Error("check without permission")
	}
	if err := f.im.Export(ctx, &noone, "bins", importx.CSV, &bytes.Buffer{}); err == nil {
		t.Error("export without permission")
	}
}

// TestSiteScope: a caller limited to some sites imports and exports the
// bins of those sites only.
func TestSiteScope(t *testing.T) {
	f := newFixture(t, openSQLite, importx.Options{})
	seedSamples(t, f)
	mgr := *f.p
	mgr.Scope = auth.SitesScope("store-1")
	var buf bytes.Buffer
	if err := f.im.Export(context.Background(), &mgr, "bins", importx.CSV, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "store-1,A-01") || strings.Contains(buf.String(), "wh-1") {
		t.Errorf("export:\n%s", buf.String())
	}
	rep, err := f.im.Check(context.Background(), &mgr, "bins", importx.CSV,
		csvOf("站点编码,库位编码,库位名称", "store-1,A-02,前场 A02", "wh-1,R09-01,常温区 9 排"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Create != 1 || !findProblem(rep.Problems, want{3, "站点编码", "outside your data scope"}) {
		t.Errorf("report %+v", rep)
	}
}

// TestXLSXNumberCells reads cells typed as numbers, as a user's workbook
// has them: what Excel shows is what is imported.
func TestXLSXNumberCells(t *testing.T) {
	x := excelize.NewFile()
	sh := "Sheet1"
	for i, h := range []string{"商品编码", "商品名称", "基本单位", "条码", "零售价", "进价", "税率", "包装单位", "包装换算"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellStr(sh, cell, h)
	}
	barcode := gtin13("690999000003")
	x.SetCellInt(sh, "A2", 1001)
	x.SetCellStr(sh, "B2", "矿泉水")
	x.SetCellStr(sh, "C2", "瓶")
	n, _ := strconv.ParseInt(barcode, 10, 64)
	x.SetCellInt(sh, "D2", n)
	x.SetCellFloat(sh, "E2", 2.5, -1, 64)
	money, _ := x.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	x.SetCellStyle(sh, "E2", "E2", money)
	x.SetCellFloat(sh, "F2", 0.95, -1, 64)
	x.SetCellFloat(sh, "G2", 0.13, -1, 64)
	pct, _ := x.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	x.SetCellStyle(sh, "G2", "G2", pct)
	x.SetCellStr(sh, "H2", "箱")
	x.SetCellInt(sh, "I2", 24)
	// A second product whose price has three decimals, shown as such.
	x.SetCellInt(sh, "A3", 1002)
	x.SetCellStr(sh, "B3", "可乐")
	x.SetCellStr(sh, "C3", "罐")
	x.SetCellFloat(sh, "E3", 3.125, -1, 64)
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, openSQLite, importx.Options{})
	rep := f.check(t, "products", importx.XLSX, buf.Bytes())
	if rep.Create != 1 || len(rep.Problems) != 1 || rep.Problems[0].Cell != "E3" || !strings.Contains(rep.Problems[0].Error, "3.125") {
		t.Fatalf("report %+v", rep)
	}
	f.commit(t, rep.ID)
	p := list(t, f, masterdata.Products)[0]
	if p.Code != "1001" || p.SKUs[0].Barcodes[0] != barcode || p.RetailPrice != 250 || p.PurchasePrice != 95 ||
		*p.VATRate != 13 || p.Units[0].Factor != 24 {
		t.Errorf("stored %+v", p)
	}
}
