package importx_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/masterdata/importx"
)

var update = flag.Bool("update", false, "rewrite the sample files in ../samples from the sample records")

func vat(r int32) *int32 { return &r }

// sampleProducts: clothes in colour × size, fruit sold by weight, drinks
// in bottles and cans with a case of 24, lot-tracked milk and yoghurt.
func sampleProducts(f *fixture, tb testing.TB) []masterdata.Product {
	cat := map[string]int64{}
	for _, c := range list(tb, f, masterdata.Categories) {
		cat[c.Code] = c.ID
	}
	tshirt := masterdata.Product{Meta: masterdata.Meta{Code: "FZ1001", Name: "纯棉圆领T恤"}, CategoryID: cat["FZ"],
		Brand: "优品", Spec: "180g 精梳棉", BaseUnit: "件",
		Attributes:    []masterdata.Attribute{{Name: "颜色", Values: []string{"白", "黑"}}, {Name: "尺码", Values: []string{"M", "L", "XL"}}},
		PurchasePrice: 2500, WholesalePrice: 3500, RetailPrice: 5900, VATRate: vat(13)}
	n := 0
	for _, c := range []struct{ zh, en string }{{"白", "W"}, {"黑", "B"}} {
		for _, s := range []string{"M", "L", "XL"} {
			sku := masterdata.SKU{Code: "FZ1001-" + c.en + s, Attrs: map[string]string{"颜色": c.zh, "尺码": s},
				Barcodes: []string{gtin13("69012340010" + string(rune('0'+n)))}}
			if s == "XL" {
				sku.RetailPrice = 6500
			}
			tshirt.SKUs = append(tshirt.SKUs, sku)
			n++
		}
	}
	return []masterdata.Product{
		tshirt,
		{Meta: masterdata.Meta{Code: "SG2001", Name: "红富士苹果"}, CategoryID: cat["SG"], Spec: "一级 果径80mm+", BaseUnit: "kg",
			SKUs:         []masterdata.SKU{{Code: "SG2001"}},
			SoldByWeight: true, WeightDecimals: 3, PLU: "10001", VATRate: vat(9),
			PurchasePrice: 750, WholesalePrice: 980, RetailPrice: 1280},
		{Meta: masterdata.Meta{Code: "SG2002", Name: "香蕉"}, CategoryID: cat["SG"], Spec: "进口", BaseUnit: "kg",
			SKUs:         []masterdata.SKU{{Code: "SG2002"}},
			SoldByWeight: true, WeightDecimals: 3, PLU: "10002", VATRate: vat(9),
			PurchasePrice: 420, WholesalePrice: 550, RetailPrice: 698},
		{Meta: masterdata.Meta{Code: "YL3001", Name: "清泉饮用天然水"}, CategoryID: cat["YL"], Brand: "清泉", Spec: "550ml", BaseUnit: "瓶",
			Units: []masterdata.PackUnit{{Unit: "箱", Factor: 24, Barcodes: []string{gtin14("1690123400300")}}},
			SKUs:  []masterdata.SKU{{Code: "YL3001", Barcodes: []string{gtin13("690123400300")}}}, VATRate: vat(13),
			PurchasePrice: 95, WholesalePrice: 120, RetailPrice: 200},
		{Meta: masterdata.Meta{Code: "YL3002", Name: "冰爽可乐"}, CategoryID: cat["YL"], Brand: "冰爽", Spec: "330ml", BaseUnit: "罐",
			Units: []masterdata.PackUnit{{Unit: "箱", Factor: 24, Barcodes: []string{gtin14("1690123400317")}}},
			SKUs:  []masterdata.SKU{{Code: "YL3002", Barcodes: []string{gtin13("690123400317")}}}, VATRate: vat(13),
			PurchasePrice: 180, WholesalePrice: 230, RetailPrice: 350},
		{Meta: masterdata.Meta{Code: "RZ4001", Name: "鲜牛奶"}, CategoryID: cat["RZ"], Brand: "北方牧场", Spec: "950ml 巴氏杀菌", BaseUnit: "盒",
			SKUs:       []masterdata.SKU{{Code: "RZ4001", Barcodes: []string{gtin13("690123400400")}}},
			LotTracked: true, ShelfLifeDays: 7, VATRate: vat(9),
			PurchasePrice: 1050, WholesalePrice: 1280, RetailPrice: 1580},
		{Meta: masterdata.Meta{Code: "RZ4002", Name: "原味酸奶"}, CategoryID: cat["RZ"], Brand: "北方牧场", Spec: "200g", BaseUnit: "盒",
			SKUs:       []masterdata.SKU{{Code: "RZ4002", Barcodes: []string{gtin13("690123400401"), "RZ4002-OWN"}}},
			LotTracked: true, ShelfLifeDays: 21, VATRate: vat(13),
			PurchasePrice: 380, WholesalePrice: 450, RetailPrice: 650},
	}
}

func sampleSuppliers() []masterdata.Supplier {
	return []masterdata.Supplier{
		{Meta: masterdata.Meta{Code: "S001", Name: "杭州优品服饰有限公司"}, Contacts: []masterdata.Contact{{Name: "王丽", Phone: "13800000001"}},
			TaxID: "91330100MA27XXXX1A", BankName: "中国工商银行杭州分行", BankAccount: "1202000000000000001",
			PaymentTermsDays: 30, Currency: "CNY", Region: "浙江", Address: "杭州市余杭区文一西路 1 号", Note: "月结"},
		{Meta: masterdata.Meta{Code: "S002", Name: "烟台果园农业合作社"}, Contacts: []masterdata.Contact{{Name: "刘建国", Phone: "13900000002"}},
			PaymentTermsDays: 7, Currency: "CNY", Region: "山东", Address: "烟台市栖霞市", Note: "苹果产地直供"},
		{Meta: masterdata.Meta{Code: "S003", Name: "华东饮品配送中心"}, Contacts: []masterdata.Contact{{Name: "陈敏", Phone: "021-50000003"}},
			TaxID: "91310000MA1XXXXX3C", BankName: "招商银行上海分行", BankAccount: "6200000000000003",
			PaymentTermsDays: 45, Currency: "CNY", Region: "上海", Address: "上海市浦东新区张江路 3 号"},
		{Meta: masterdata.Meta{Code: "S004", Name: "北方牧场乳业有限公司"}, Contacts: []masterdata.Contact{{Name: "赵强", Phone: "13700000004"}},
			PaymentTermsDays: 15, Currency: "CNY", Region: "内蒙古", Address: "呼和浩特市赛罕区", Note: "冷链配送，每日早 6 点前到货"},
	}
}

func sampleCustomers() []masterdata.Customer {
	return []masterdata.Customer{
		{Meta: masterdata.Meta{Code: "C001", Name: "城东便利店"}, Contacts: []masterdata.Contact{{Name: "李明", Phone: "13600000001"}},
			Level: "A", CreditLimit: 5000000, PaymentTermsDays: 15, Region: "城东", Salesperson: "sales1", Address: "人民路 88 号"},
		{Meta: masterdata.Meta{Code: "C002", Name: "阳光幼儿园食堂"}, Contacts: []masterdata.Contact{{Name: "周老师", Phone: "13500000002"}},
			Level: "B", CreditLimit: 1000050, PaymentTermsDays: 30, TaxID: "52330100MJ0XXXXX2B", Region: "城西", Salesperson: "sales1",
			Address: "学府街 6 号", Note: "每周一、四送货"},
		{Meta: masterdata.Meta{Code: "C003", Name: "零售散客"}, Level: "C", Region: "城东", Note: "门店零售"},
	}
}

func sampleBins() []masterdata.Bin {
	return []masterdata.Bin{
		{Meta: masterdata.Meta{Code: "A-01", Name: "前场货架 A01"}, Site: "store-1"},
		{Meta: masterdata.Meta{Code: "B-01", Name: "后仓 B01"}, Site: "store-1"},
		{Meta: masterdata.Meta{Code: "R01-01", Name: "常温区 1 排 1 层"}, Site: "wh-1"},
		{Meta: masterdata.Meta{Code: "C01-01", Name: "冷藏区 1 排 1 层"}, Site: "wh-1"},
	}
}

// seedSamples stores the sample records through the service.
func seedSamples(tb testing.TB, f *fixture) {
	tb.Helper()
	for _, p := range sampleProducts(f, tb) {
		create(tb, f, masterdata.Products, &p)
	}
	for _, s := range sampleSuppliers() {
		create(tb, f, masterdata.Suppliers, &s)
	}
	for _, c := range sampleCustomers() {
		create(tb, f, masterdata.Customers, &c)
	}
	for _, b := range sampleBins() {
		create(tb, f, masterdata.Bins, &b)
	}
}

var sampleCounts = map[string]int{"products": 7, "suppliers": 4, "customers": 3, "bins": 4}

// TestSamples imports every committed sample into a fresh store: no
// problem, every record created, and exported again the same CSV. With
// -update it first writes the samples, exported from the sample records.
func TestSamples(t *testing.T) {
	dir := filepath.Join("..", "samples")
	if *update {
		f := newFixture(t, openSQLite, importx.Options{})
		seedSamples(t, f)
		for _, kind := range importx.Kinds {
			for _, format := range []importx.Format{importx.XLSX, importx.CSV} {
				path := filepath.Join(dir, kind+"."+string(format))
				if err := os.WriteFile(path, f.export(t, kind, format), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, kind := range importx.Kinds {
		for _, format := range []importx.Format{importx.XLSX, importx.CSV} {
			t.Run(kind+"."+string(format), func(t *testing.T) {
				body, err := os.ReadFile(filepath.Join(dir, kind+"."+string(format)))
				if err != nil {
					t.Fatalf("%v (run go test -run TestSamples -update)", err)
				}
				f := newFixture(t, openSQLite, importx.Options{})
				rep := f.check(t, kind, format, body)
				if len(rep.Problems) != 0 || rep.Create != sampleCounts[kind] || rep.ID == "" {
					t.Fatalf("report %+v", rep)
				}
				if res := f.commit(t, rep.ID); res.Created != sampleCounts[kind] || res.Failed != 0 {
					t.Fatalf("commit %+v", res)
				}
				want, err := os.ReadFile(filepath.Join(dir, kind+".csv"))
				if err != nil {
					t.Fatal(err)
				}
				if got := f.export(t, kind, importx.CSV); !bytes.Equal(got, want) {
					t.Errorf("exported after the import:\n%s\nwant the sample:\n%s", got, want)
				}
			})
		}
	}
}
