package gs1_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/gs1"
)

const gsep = gs1.GroupSeparator

// barcodeToday fixes the century window of two-digit years.
func barcodeToday() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

func barcodeDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestParseGTIN(t *testing.T) {
	tests := []struct {
		name, data string
		want       gs1.Code
	}{
		{"EAN-13 China", "6901234567892", gs1.Code{Kind: gs1.KindEAN13, Data: "6901234567892", GTIN: "06901234567892"}},
		{"EAN-13 Germany", "4006381333931", gs1.Code{Kind: gs1.KindEAN13, Data: "4006381333931", GTIN: "04006381333931"}},
		{"EAN-13 with white space", " 4006381333931\r\n", gs1.Code{Kind: gs1.KindEAN13, Data: "4006381333931", GTIN: "04006381333931"}},
		{"UPC-A", "036000291452", gs1.Code{Kind: gs1.KindUPCA, Data: "036000291452", GTIN: "00036000291452"}},
		{"EAN-8", "96385074", gs1.Code{Kind: gs1.KindEAN8, Data: "96385074", GTIN: "00000096385074"}},
		{"GTIN-14", "09501101530003", gs1.Code{Kind: gs1.KindGTIN14, Data: "09501101530003", GTIN: "09501101530003"}},
		{"AIM EAN-13", "]E06901234567892", gs1.Code{Kind: gs1.KindEAN13, Symbology: "]E0", Data: "6901234567892", GTIN: "06901234567892"}},
		{"AIM UPC-A sent as 12", "]E0036000291452", gs1.Code{Kind: gs1.KindUPCA, Symbology: "]E0", Data: "036000291452", GTIN: "00036000291452"}},
		{"AIM EAN-8", "]E496385074", gs1.Code{Kind: gs1.KindEAN8, Symbology: "]E4", Data: "96385074", GTIN: "00000096385074"}},
		{"AIM EAN-13 add-on 2", "]E3400638133393112", gs1.Code{Kind: gs1.KindEAN13, Symbology: "]E3", Data: "400638133393112", GTIN: "04006381333931", AddOn: "12"}},
		{"AIM EAN-13 add-on 5", "]E3400638133393152495", gs1.Code{Kind: gs1.KindEAN13, Symbology: "]E3", Data: "400638133393152495", GTIN: "04006381333931", AddOn: "52495"}},
		{"AIM ITF-14", "]I109501101530003", gs1.Code{Kind: gs1.KindGTIN14, Symbology: "]I1", Data: "09501101530003", GTIN: "09501101530003"}},
		{"in-store code without layouts", "2012345012509", gs1.Code{Kind: gs1.KindEAN13, Data: "2012345012509", GTIN: "02012345012509"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := gs1.Parse(tt.data)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.data, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.data, got, tt.want)
			}
		})
	}
}

func TestParseElementStrings(t *testing.T) {
	p := gs1.Parser{Now: barcodeToday}
	tests := []struct {
		name, data string
		want       gs1.Code
	}{
		{
			name: "parentheses form",
			data: "(01)09501101530003(17)250101(10)ABC",
			want: gs1.Code{GTIN: "09501101530003", Expiry: barcodeDate(2025, 1, 1), Lot: "ABC",
				AIs: map[string]string{"01": "09501101530003", "17": "250101", "10": "ABC"}},
		},
		{
			name: "parentheses form, value holding parentheses",
			data: "(10)AB(C)(21)X(Y)",
			want: gs1.Code{Lot: "AB(C)", Serial: "X(Y)", AIs: map[string]string{"10": "AB(C)", "21": "X(Y)"}},
		},
		{
			name: "GS1-128: fixed AIs run on, lot ended by GS",
			data: "]C1010950110153000317250131" + "10ABC123" + gsep + "21XYZ",
			want: gs1.Code{Symbology: "]C1", GTIN: "09501101530003", Expiry: barcodeDate(2025, 1, 31), Lot: "ABC123", Serial: "XYZ",
				AIs: map[string]string{"01": "09501101530003", "17": "250131", "10": "ABC123", "21": "XYZ"}},
		},
		{
			name: "GS1 DataMatrix with leading FNC1 and GS after a fixed AI",
			data: "]d2" + gsep + "0109501101530003" + gsep + "17140704" + "10AB-123",
			want: gs1.Code{Symbology: "]d2", GTIN: "09501101530003", Expiry: barcodeDate(2014, 7, 4), Lot: "AB-123",
				AIs: map[string]string{"01": "09501101530003", "17": "140704", "10": "AB-123"}},
		},
		{
			name: "GS1 QR with trailing GS",
			data: "]Q3" + "0109501101530003" + "21" + "SN0001" + gsep,
			want: gs1.Code{Symbology: "]Q3", GTIN: "09501101530003", Serial: "SN0001",
				AIs: map[string]string{"01": "09501101530003", "21": "SN0001"}},
		},
		{
			name: "SSCC pallet: content GTIN and count",
			data: "]C1" + "00106141411234567897" + "0209501101530003" + "3724",
			want: gs1.Code{Symbology: "]C1", SSCC: "106141411234567897", Content: "09501101530003", Count: 24,
				AIs: map[string]string{"00": "106141411234567897", "02": "09501101530003", "37": "24"}},
		},
		{
			name: "case: content GTIN and count without SSCC",
			data: "(02)09501101530003(37)12(10)L7",
			want: gs1.Code{Content: "09501101530003", Count: 12, Lot: "L7",
				AIs: map[string]string{"02": "09501101530003", "37": "12", "10": "L7"}},
		},
		{
			name: "net weight kg, 3 decimals",
			data: "]C1" + "0109501101530003" + "3103001250",
			want: gs1.Code{Symbology: "]C1", GTIN: "09501101530003", Weight: gs1.Weight{Value: 1250, Decimals: 3, Unit: "kg"},
				AIs: map[string]string{"01": "09501101530003", "3103": "001250"}},
		},
		{
			name: "net weight lb, 2 decimals",
			data: "]e0" + "0109501101530003" + "3202000150",
			want: gs1.Code{Symbology: "]e0", GTIN: "09501101530003", Weight: gs1.Weight{Value: 150, Decimals: 2, Unit: "lb"},
				AIs: map[string]string{"01": "09501101530003", "3202": "000150"}},
		},
		{
			name: "variable measure: weight and price payable",
			data: "]C1" + "0109501101530003" + "3102000457" + "3922" + "1234",
			want: gs1.Code{Symbology: "]C1", GTIN: "09501101530003",
				Weight: gs1.Weight{Value: 457, Decimals: 2, Unit: "kg"}, Price: gs1.Price{Value: 1234, Decimals: 2},
				AIs: map[string]string{"01": "09501101530003", "3102": "000457", "3922": "1234"}},
		},
		{
			name: "price with ISO currency",
			data: "]C1" + "3932" + "156" + "1999",
			want: gs1.Code{Symbology: "]C1", Price: gs1.Price{Value: 1999, Decimals: 2, Currency: "156"},
				AIs: map[string]string{"3932": "1561999"}},
		},
		{
			name: "variable count then lot",
			data: "]C1" + "30" + "12" + gsep + "10LOT-7",
			want: gs1.Code{Symbology: "]C1", Count: 12, Lot: "LOT-7", AIs: map[string]string{"30": "12", "10": "LOT-7"}},
		},
		{
			name: "production, packaging and best before dates",
			data: "]C1" + "11250115" + "13250116" + "15251231",
			want: gs1.Code{Symbology: "]C1", Production: barcodeDate(2025, 1, 15), Packaging: barcodeDate(2025, 1, 16), BestBefore: barcodeDate(2025, 12, 31),
				AIs: map[string]string{"11": "250115", "13": "250116", "15": "251231"}},
		},
		{
			name: "day 00 is the end of the month (leap year)",
			data: "]C1" + "17240200",
			want: gs1.Code{Symbology: "]C1", Expiry: barcodeDate(2024, 2, 29), AIs: map[string]string{"17": "240200"}},
		},
		{
			name: "day 00 is the end of the month",
			data: "]C1" + "17250200",
			want: gs1.Code{Symbology: "]C1", Expiry: barcodeDate(2025, 2, 28), AIs: map[string]string{"17": "250200"}},
		},
		{
			name: "century: 50 years ahead stays in this century",
			data: "]C1" + "17751231",
			want: gs1.Code{Symbology: "]C1", Expiry: barcodeDate(2075, 12, 31), AIs: map[string]string{"17": "751231"}},
		},
		{
			name: "century: 51 years ahead is the past century",
			data: "]C1" + "17760101",
			want: gs1.Code{Symbology: "]C1", Expiry: barcodeDate(1976, 1, 1), AIs: map[string]string{"17": "760101"}},
		},
		{
			name: "no symbology identifier, raw element string",
			data: "0109501101530003" + "10ABC",
			want: gs1.Code{GTIN: "09501101530003", Lot: "ABC", AIs: map[string]string{"01": "09501101530003", "10": "ABC"}},
		},
		{
			name: "same AI twice with the same value",
			data: "]C1" + "10A" + gsep + "10A",
			want: gs1.Code{Symbology: "]C1", Lot: "A", AIs: map[string]string{"10": "A"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Parse(tt.data)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.data, err)
			}
			want := tt.want
			want.Kind = gs1.KindElementString
			_, want.Data = gs1.StripSymbology(tt.data)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.data, got, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	p := gs1.Parser{Now: barcodeToday}
	tests := []struct {
		name, data string
		want       error
		text       string // the error message must contain it
	}{
		{"EAN-13 bad check digit", "6901234567891", gs1.ErrCheckDigit, "want check digit 2, got 1"},
		{"UPC-A bad check digit", "036000291453", gs1.ErrCheckDigit, "want check digit 2, got 3"},
		{"EAN-8 bad check digit", "96385075", gs1.ErrCheckDigit, "want check digit 4, got 5"},
		{"AI 01 bad check digit", "]C10109501101530004", gs1.ErrCheckDigit, "AI (01) 09501101530004: want check digit 3, got 4"},
		{"SSCC bad check digit", "(00)106141411234567890", gs1.ErrCheckDigit, "want check digit 7, got 0"},
		{"EAN-13 symbology with letters", "]E0690123456789X", gs1.ErrFormat, "digits only"},
		{"EAN-8 symbology, 13 digits", "]E46901234567892", gs1.ErrFormat, "want 8"},
		{"empty", "", gs1.ErrFormat, "no data"},
		{"symbology only", "]C1", gs1.ErrFormat, "no data"},
		{"unknown AI", "]C1" + "23ABC", gs1.ErrFormat, "unknown AI"},
		{"fixed AI cut short", "]C1" + "01095011", gs1.ErrFormat, "AI (01): 6 characters, want 14"},
		{"lot too long", "]C1" + "10" + strings.Repeat("A", 21), gs1.ErrFormat, "21 characters, want 1 to 20"},
		{"empty lot", "]C1" + "10" + gsep + "21X", gs1.ErrFormat, "0 characters"},
		{"character outside CSET 82", "]C1" + "10AB CD", gs1.ErrFormat, "not allowed"},
		{"letters in a numeric AI", "]C1" + "30" + "12A", gs1.ErrFormat, "digits only"},
		{"month 13", "]C1" + "17251301", gs1.ErrFormat, "month 13"},
		{"30 February", "]C1" + "17250230", gs1.ErrFormat, "day 30"},
		{"one AI with two values", "]C1" + "10A" + gsep + "10B", gs1.ErrFormat, "twice"},
		{"two separators", "]C1" + "10A" + gsep + gsep + "21B", gs1.ErrFormat, "unknown AI"},
		{"parentheses: unknown AI", "(23)X", gs1.ErrFormat, "unknown AI (23)"},
		{"parentheses: short GTIN", "(01)0950110153000", gs1.ErrFormat, "13 characters, want 14"},
		{"parentheses: unclosed", "(01", gs1.ErrFormat, "want (AI)"},
		{"Code 128, not GS1", "]C0ABC-123", gs1.ErrNotGS1, "symbology ]C0"},
		{"QR Code, not GS1", "]Q1https://example.com/x", gs1.ErrNotGS1, "]Q1"},
		{"ITF that is not ITF-14", "]I012345678", gs1.ErrNotGS1, "not an ITF-14"},
		{"text without symbology", "SHELF-A12", gs1.ErrNotGS1, "unknown AI"},
		{"16 digits that fail as GS1 without symbology", "0109501101530004", gs1.ErrNotGS1, "check digit"},
		// GS1 syntax dictionary: 02 req=37 ex=01; 37 req=02,8026.
		{"count of contained items with a GTIN", "]C1" + "0109501101530003" + "3724", gs1.ErrFormat, "AI (37) requires AI (02) or (8026)"},
		{"count of contained items alone", "]C1" + "3724", gs1.ErrFormat, "AI (37) requires"},
		{"contained GTIN without its count", "]C1" + "00106141411234567897" + "0209501101530003", gs1.ErrFormat, "AI (02) requires AI (37)"},
		{"contained GTIN with a GTIN", "]C1" + "0109501101530003" + "0209501101530003" + "3724", gs1.ErrFormat, "AI (01) and AI (02) may not appear together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Parse(tt.data)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.data, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("Parse(%q) error %q does not say %q", tt.data, err, tt.text)
			}
			sym, rest := gs1.StripSymbology(strings.TrimSpace(tt.data))
			if got.Symbology != sym || got.Data != rest {
				t.Errorf("Parse(%q) on error gave Symbology %q Data %q, want %q %q", tt.data, got.Symbology, got.Data, sym, rest)
			}
		})
	}
}

func TestParseVariableMeasure(t *testing.T) {
	weight := gs1.LayoutWeight5
	weight.Prefix = "20"
	price := gs1.LayoutPrice5
	price.Prefix = "22"
	check5 := gs1.LayoutPriceCheck5
	check5.Prefix, check5.Currency = "27", "EUR"
	check4 := gs1.VariableLayout{Prefix: "28", ItemDigits: 5, PriceCheck: true, ValueDigits: 4, Measure: gs1.MeasurePrice, Currency: "CNY"}
	grams10 := gs1.VariableLayout{Prefix: "2", ItemDigits: 6, ValueDigits: 4, Measure: gs1.MeasureWeight, Decimals: 2}
	p := gs1.Parser{Variable: []gs1.VariableLayout{grams10, weight, price, check5, check4}}

	tests := []struct {
		name, data string
		item       string
		itemGTIN   string
		weight     gs1.Weight
		price      gs1.Price
	}{
		{"weight in grams", "2012345012509", "12345", "02012345000001", gs1.Weight{Value: 1250, Decimals: 3, Unit: "kg"}, gs1.Price{}},
		{"price in fen", "2212345123452", "12345", "02212345000005", gs1.Weight{}, gs1.Price{Value: 12345, Decimals: 2, Currency: "CNY"}},
		// 14685 has price check digit 6 (GS1 General Specifications §7.9.3 example).
		{"5-digit price with price check digit", "2712346146851", "1234", "02712340000005", gs1.Weight{}, gs1.Price{Value: 14685, Decimals: 2, Currency: "EUR"}},
		// 2875 has price check digit 9 (GS1 General Specifications §7.9.3 example).
		{"4-digit price with price check digit", "2812345928752", "12345", "02812345000007", gs1.Weight{}, gs1.Price{Value: 2875, Decimals: 2, Currency: "CNY"}},
		{"shorter prefix, 10 g units", "2512345612346", "123456", "02512345600008", gs1.Weight{Value: 1234, Decimals: 2, Unit: "kg"}, gs1.Price{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Parse(tt.data)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.data, err)
			}
			if got.Kind != gs1.KindVariableMeasure || got.Item != tt.item || got.Weight != tt.weight || got.Price != tt.price {
				t.Errorf("Parse(%q) = kind %s item %q weight %+v price %+v, want item %q weight %+v price %+v",
					tt.data, got.Kind, got.Item, got.Weight, got.Price, tt.item, tt.weight, tt.price)
			}
			if got.GTIN != "0"+tt.data {
				t.Errorf("GTIN = %q, want %q", got.GTIN, "0"+tt.data)
			}
			if got.ItemGTIN != tt.itemGTIN {
				t.Errorf("ItemGTIN = %q, want %q (the label with its value and price check digit zeroed)", got.ItemGTIN, tt.itemGTIN)
			}
		})
	}

	t.Run("bad price check digit", func(t *testing.T) {
		_, err := p.Parse("2812345828755")
		if !errors.Is(err, gs1.ErrCheckDigit) || !strings.Contains(err.Error(), "price/weight check digit of 2875: want 9, got 8") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad EAN-13 check digit", func(t *testing.T) {
		_, err := p.Parse("2012345012508")
		if !errors.Is(err, gs1.ErrCheckDigit) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("other prefixes stay EAN-13", func(t *testing.T) {
		got, err := p.Parse("6901234567892")
		if err != nil || got.Kind != gs1.KindEAN13 || got.Item != "" {
			t.Errorf("got %+v, %v", got, err)
		}
	})
}

func TestVariableLayoutValidate(t *testing.T) {
	ok := gs1.LayoutWeight5
	tests := []struct {
		name   string
		modify func(l *gs1.VariableLayout)
		field  string // "" = valid
	}{
		{"weight preset", func(l *gs1.VariableLayout) {}, ""},
		{"price preset", func(l *gs1.VariableLayout) { *l = gs1.LayoutPrice5 }, ""},
		{"price check preset", func(l *gs1.VariableLayout) { *l = gs1.LayoutPriceCheck5 }, ""},
		{"no prefix", func(l *gs1.VariableLayout) { l.Prefix = "" }, "Prefix"},
		{"letters in prefix", func(l *gs1.VariableLayout) { l.Prefix = "2A" }, "Prefix"},
		{"prefix longer than its digits", func(l *gs1.VariableLayout) { l.Prefix = "201" }, "PrefixDigits"},
		{"no item", func(l *gs1.VariableLayout) { l.ItemDigits = 0 }, "ItemDigits"},
		{"no value", func(l *gs1.VariableLayout) { l.ValueDigits = 0 }, "ValueDigits"},
		{"price check on 6 digits", func(l *gs1.VariableLayout) { l.PriceCheck, l.ItemDigits, l.ValueDigits = true, 3, 6 }, "ValueDigits"},
		{"unknown measure", func(l *gs1.VariableLayout) { l.Measure = "volume" }, "Measure"},
		{"wrong total", func(l *gs1.VariableLayout) { l.ItemDigits = 6 }, "want 13"},
		{"negative decimals", func(l *gs1.VariableLayout) { l.Decimals = -1 }, "Decimals"},
		{"whole value", func(l *gs1.VariableLayout) { l.Whole = true }, ""},
		{"whole value with decimals", func(l *gs1.VariableLayout) { l.Whole, l.Decimals = true, 2 }, "Whole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ok
			tt.modify(&l)
			err := l.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate = %v, want an error naming %s", err, tt.field)
			}
		})
	}

	t.Run("Parse reports an invalid layout", func(t *testing.T) {
		bad := gs1.LayoutWeight5
		bad.ItemDigits = 6
		p := gs1.Parser{Variable: []gs1.VariableLayout{bad}}
		if _, err := p.Parse("2012345012509"); !errors.Is(err, gs1.ErrFormat) {
			t.Errorf("err = %v, want ErrFormat", err)
		}
	})
}

func TestWeightGrams(t *testing.T) {
	tests := []struct {
		w    gs1.Weight
		want int64
		ok   bool
	}{
		{gs1.Weight{Value: 1250, Decimals: 3, Unit: "kg"}, 1250, true},
		{gs1.Weight{Value: 457, Decimals: 2, Unit: "kg"}, 4570, true},
		{gs1.Weight{Value: 2, Decimals: 0, Unit: "kg"}, 2000, true},
		{gs1.Weight{Value: 12345, Decimals: 4, Unit: "kg"}, 1234, true}, // 1234.5 → even
		{gs1.Weight{Value: 12355, Decimals: 4, Unit: "kg"}, 1236, true}, // 1235.5 → even
		{gs1.Weight{Value: 123456, Decimals: 5, Unit: "kg"}, 1235, true},
		{gs1.Weight{Value: 150, Decimals: 2, Unit: "lb"}, 0, false},
		{gs1.Weight{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.w.Grams()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%+v.Grams() = %d, %v, want %d, %v", tt.w, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStripSymbology(t *testing.T) {
	tests := []struct{ in, sym, rest string }{
		{"]C1010", "]C1", "010"},
		{"]d2", "]d2", ""},
		{"]E", "", "]E"},
		{"]1A", "", "]1A"},
		{"]C-x", "", "]C-x"},
		{"", "", ""},
		{"ABC", "", "ABC"},
	}
	for _, tt := range tests {
		sym, rest := gs1.StripSymbology(tt.in)
		if sym != tt.sym || rest != tt.rest {
			t.Errorf("StripSymbology(%q) = %q, %q, want %q, %q", tt.in, sym, rest, tt.sym, tt.rest)
		}
	}
}

// FuzzParse checks that Parse never panics, that a Code it returns is
// consistent, and that what it accepts as a GTIN has a valid check digit.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"6901234567892", "4006381333931", "036000291452", "96385074", "09501101530003",
		"]E06901234567892", "]E3400638133393112", "]I109501101530003",
		"(01)09501101530003(17)250101(10)ABC", "(10)AB(C)(21)X",
		"]C1010950110153000317250131" + "10ABC123" + gsep + "21XYZ",
		"]d2" + gsep + "0109501101530003" + gsep + "17140704" + "10AB-123",
		"]C100106141411234567897" + "0209501101530003" + "3724",
		"]C10109501101530003" + "3103001250" + "3922" + "1234",
		"]C13932" + "1561999", "]C117240200", "2012345012509", "2812345928752",
		"]C0ABC", "SHELF-A12", "]C1", "(", "((01)", "]Q3" + gsep + gsep,
	} {
		f.Add(s)
	}
	weight := gs1.LayoutWeight5
	check4 := gs1.VariableLayout{Prefix: "28", ItemDigits: 5, PriceCheck: true, ValueDigits: 4, Measure: gs1.MeasurePrice}
	p := gs1.Parser{Now: barcodeToday, Variable: []gs1.VariableLayout{weight, gs1.LayoutPriceCheck5, check4}}
	f.Fuzz(func(t *testing.T, data string) {
		c, err := p.Parse(data)
		if err != nil {
			if !errors.Is(err, gs1.ErrFormat) && !errors.Is(err, gs1.ErrCheckDigit) && !errors.Is(err, gs1.ErrNotGS1) {
				t.Fatalf("Parse(%q): error %v wraps none of the sentinels", data, err)
			}
			return
		}
		if c.Kind == "" {
			t.Fatalf("Parse(%q): no Kind", data)
		}
		if c.GTIN != "" {
			if len(c.GTIN) != 14 {
				t.Fatalf("Parse(%q): GTIN %q is not 14 digits", data, c.GTIN)
			}
			if _, err := gs1.Parse(c.GTIN); err != nil {
				t.Fatalf("Parse(%q): GTIN %q does not parse: %v", data, c.GTIN, err)
			}
		}
		if c.Kind == gs1.KindElementString && len(c.AIs) == 0 {
			t.Fatalf("Parse(%q): element string without AIs", data)
		}
		if c.Weight.Unit != "" && (c.Weight.Value < 0 || c.Weight.Decimals < 0 || c.Weight.Decimals > 9) {
			t.Fatalf("Parse(%q): weight %+v", data, c.Weight)
		}
		for _, d := range []time.Time{c.Expiry, c.BestBefore, c.Production, c.Packaging} {
			if !d.IsZero() && (d.Hour() != 0 || d.Location() != time.UTC) {
				t.Fatalf("Parse(%q): date %v not at UTC midnight", data, d)
			}
		}
	})
}
