package importx_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jxc-edge/jxc/cloud/masterdata/importx"
)

// benchRows is the size of the benchmark file: 10,000 product rows, 1,000
// products in 2 colours × 2 sizes and 6,000 of one SKU, each row with a
// barcode, three prices, a category and a unit.
const benchRows = 10_000

var benchHeader = []string{"商品编码", "商品名称", "分类编码", "品牌", "规格", "基本单位", "属性", "SKU编码", "条码",
	"进价", "批发价", "零售价", "税率", "批次管理", "保质期天数"}

func benchFile(tb testing.TB) []byte {
	tb.Helper()
	var rows [][]string
	n := 0
	barcode := func() string {
		n++
		return gtin13(fmt.Sprintf("69%010d", n))
	}
	for p := 0; len(rows) < 4000; p++ {
		code := fmt.Sprintf("FZ%05d", p)
		for _, c := range []string{"白", "黑"} {
			for _, s := range []string{"M", "L"} {
				rows = append(rows, []string{code, "T恤 " + code, "FZ", "优品", "180g", "件", "颜色=" + c + ";尺码=" + s,
					code + "-" + fmt.Sprint(len(rows)%4), barcode(), "25.00", "35.00", "59.90", "13", "否", ""})
			}
		}
	}
	for p := 0; len(rows) < benchRows; p++ {
		code := fmt.Sprintf("RZ%05d", p)
		rows = append(rows, []string{code, "牛奶 " + code, "RZ", "北方牧场", "950ml", "盒", "", code, barcode(),
			"10.50", "12.80", "15.80", "9", "是", "7"})
	}
	var buf bytes.Buffer
	if err := importx.WriteTable(&buf, importx.XLSX, "商品", benchHeader, rows); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImportXLSX checks and commits 10,000 product rows (7,000
// products) into a new SQLite store.
func BenchmarkImportXLSX(b *testing.B) {
	body := benchFile(b)
	ctx := context.Background()
	var check, commit time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b, openSQLite, importx.Options{})
		b.StartTimer()
		t0 := time.Now()
		rep, err := f.im.Check(ctx, f.p, "products", importx.XLSX, body)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Rows != benchRows || rep.Valid != benchRows || len(rep.Problems) != 0 {
			b.Fatalf("report: %d rows, %d valid, problems %v", rep.Rows, rep.Valid, rep.Problems[:min(3, len(rep.Problems))])
		}
		t1 := time.Now()
		res, err := f.im.Commit(ctx, f.p, rep.ID)
		if err != nil {
			b.Fatal(err)
		}
		if res.Created != rep.Create || res.Failed != 0 {
			b.Fatalf("commit %+v", res)
		}
		check += t1.Sub(t0)
		commit += time.Since(t1)
	}
	rows := float64(benchRows * b.N)
	b.ReportMetric(rows/(check+commit).Seconds(), "rows/s")
	b.ReportMetric(rows/check.Seconds(), "check-rows/s")
	b.ReportMetric(rows/commit.Seconds(), "commit-rows/s")
}

// BenchmarkRawExcelizeRead reads the same file's rows with excelize
// alone: the limit under the import.
func BenchmarkRawExcelizeRead(b *testing.B) {
	body := benchFile(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.Rows("商品")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if _, err := rows.Columns(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		if n != benchRows+1 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
