package pdfdoc_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/docs/pdfdoc"
)

// sampleDoc is a purchase order of n lines, priced net of VAT, with its
// amounts by DOMAIN.md §3: tax = round_half_even(net × rate / 100).
func sampleDoc(n int) *pdfdoc.Document {
	d := &pdfdoc.Document{
		Company: pdfdoc.Company{
			Name:    "上海鲜果连锁超市有限公司",
			Address: "上海市浦东新区张江路 88 号",
			Phone:   "021-5888 6666",
			TaxID:   "91310115MA1K4XYZ8Q",
		},
		Title: "采购订单", TitleEN: "Purchase Order",
		Number:       "CG20261125-0001",
		Date:         time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		Status:       "已审核 approved",
		PartnerLabel: "供应商 Supplier",
		Partner:      pdfdoc.Partner{Name: "杭州清泉饮品有限公司", Code: "S0007", Contact: "王建国 138-0000-1234"},
		Site:         "beijing-wh 北京仓",
		Notes: "请于 2026-12-01 前送达北京仓收货区 A 门；箱唛须注明订单号。\n" +
			"Deliver to dock door A of the Beijing warehouse by 2026-12-01; mark the order number on every case.",
		PreparedBy: "李娜",
		ApprovedBy: "张伟",
	}
	products := []struct {
		sku, name, unit string
		price           int64
		rate            int32
	}{
		{"6901234500017", "清泉矿泉水 550ml×24 瓶", "箱", 2880, 13},
		{"6901234500024", "鲜牛奶 950ml（冷藏）", "盒", 1390, 9},
		{"6901234500031", "富士苹果 特级 5kg 装", "箱", 8950, 9},
		{"6901234500048", "纯棉男士短袖 T 恤 白色 XL 号加大加长款", "件", 5900, 13},
	}
	for i := range n {
		p := products[i%len(products)]
		qty := int64(10 + i%37)
		net := qty * p.price
		tax := halfEven(net*int64(p.rate), 100)
		d.Lines = append(d.Lines, pdfdoc.Line{
			No: i + 1, SKU: p.sku, Name: p.name, Unit: p.unit, Qty: qty, Price: p.price,
			VATRate: p.rate, Net: net, Tax: tax, Gross: net + tax,
		})
		d.Totals.Net += net
		d.Totals.Tax += tax
		d.Totals.Gross += net + tax
	}
	return d
}

func halfEven(a, b int64) int64 {
	q, r := a/b, a%b
	if 2*r > b || 2*r == b && q%2 == 1 {
		q++
	}
	return q
}

// mustRender prints d with the machine's font; the font must be there
// (scripts/services.sh installs Debian's fonts-wqy-microhei).
func mustRender(tb testing.TB, d *pdfdoc.Document) []byte {
	tb.Helper()
	b, err := pdfdoc.Render(d, pdfdoc.Options{})
	if err != nil {
		tb.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		tb.Fatalf("not a PDF: starts %q", b[:min(len(b), 16)])
	}
	if dir := os.Getenv("JXC_PDFDOC_OUT"); dir != "" { // keep a copy to look at
		name := fmt.Sprintf("%s-%d.pdf", d.Number, len(d.Lines))
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

// poppler runs one of poppler-utils' tools (pdftotext, pdfinfo) on the
// PDF b and returns its output. The tools must be installed
// (scripts/services.sh installs Debian's poppler-utils): a missing tool
// fails the test.
func poppler(tb testing.TB, b []byte, tool string, args ...string) string {
	tb.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		tb.Fatalf("%s not found (install Debian's poppler-utils; scripts/services.sh does): %v", tool, err)
	}
	f := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, append(args, f, "-")...)
	if tool == "pdfinfo" {
		cmd = exec.Command(bin, f)
	}
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 { // poppler complains on stderr about a broken file
		tb.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	return string(out)
}

func TestRenderThreeLines(t *testing.T) {
	d := sampleDoc(3)
	b := mustRender(t, d)
	if info := poppler(t, b, "pdfinfo"); !regexp.MustCompile(`(?m)^Pages:\s+1$`).MatchString(info) {
		t.Fatalf("pdfinfo: want 1 page:\n%s", info)
	}
	text := poppler(t, b, "pdftotext", "-layout", "-enc", "UTF-8")
	words, err := pdfdoc.CapitalAmount(d.Totals.Gross)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"上海鲜果连锁超市有限公司", "上海市浦东新区张江路 88 号", "91310115MA1K4XYZ8Q",
		"采购订单", "Purchase Order", "CG20261125-0001", "2026-11-25", "已审核 approved",
		"供应商 Supplier", "杭州清泉饮品有限公司 (S0007)", "王建国", "北京仓",
		"品名", "价税合计", "Gross", "清泉矿泉水 550ml×24 瓶", "鲜牛奶 950ml（冷藏）", "富士苹果",
		"13%", "9%",
		pdfdoc.FormatFen(d.Lines[0].Price), pdfdoc.FormatFen(d.Lines[2].Gross),
		"合计 Total", pdfdoc.FormatFen(d.Totals.Net), pdfdoc.FormatFen(d.Totals.Tax), pdfdoc.FormatFen(d.Totals.Gross),
		"价税合计（大写）", words,
		"请于 2026-12-01 前送达北京仓收货区 A 门", "mark the order number",
		"制单 Prepared by", "审核 Approved by", "收货 Received by", "李娜", "张伟",
		"第 1 页 / 共 1 页",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("pdftotext:\n%s", text)
	}
	// The amounts, checked by hand: 10 × ¥28.80 = ¥288.00, VAT 13 % ¥37.44;
	// 11 × ¥13.90 = ¥152.90, 9 % = 13.761 → ¥13.76; 12 × ¥89.50 =
	// ¥1,074.00, 9 % = ¥96.66. Net ¥1,514.90, tax ¥147.86, gross ¥1,662.76.
	if d.Totals != (pdfdoc.Totals{Net: 151490, Tax: 14786, Gross: 166276}) || words != "壹仟陆佰陆拾贰元柒角陆分" {
		t.Errorf("totals %+v, words %s", d.Totals, words)
	}
}

func TestRenderThousandLines(t *testing.T) {
	d := sampleDoc(1000)
	b := mustRender(t, d)
	info := poppler(t, b, "pdfinfo")
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: no page count:\n%s", info)
	}
	var n int
	fmt.Sscan(m[1], &n)
	if n < 20 || n > 40 {
		t.Fatalf("%d pages for 1000 lines", n)
	}
	pages := strings.Split(strings.TrimRight(poppler(t, b, "pdftotext", "-layout", "-enc", "UTF-8"), "\f"), "\f")
	if len(pages) != n {
		t.Fatalf("pdftotext gave %d pages, pdfinfo %d", len(pages), n)
	}
	seen := 0
	for i, p := range pages {
		// Every page: the letterhead, the table's header, its number.
		for _, want := range []string{"上海鲜果连锁超市有限公司", "采购订单", "CG20261125-0001", "品名", "价税合计", "税额",
			fmt.Sprintf("第 %d 页 / 共 %d 页", i+1, n)} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
		seen += strings.Count(p, "6901234500")
		last := i == n-1
		if strings.Contains(p, "价税合计（大写）") != last || strings.Contains(p, "制单 Prepared by") != last {
			t.Errorf("page %d of %d: totals and signatures belong on the last page only", i+1, n)
		}
	}
	if seen != 1000 {
		t.Errorf("%d lines printed, want 1000", seen)
	}
	if !strings.Contains(pages[n-1], "1000 ") || !strings.Contains(pages[0], "纯棉男士短袖") {
		t.Errorf("first or last line missing")
	}
	words, _ := pdfdoc.CapitalAmount(d.Totals.Gross)
	if !strings.Contains(pages[n-1], words) {
		t.Errorf("last page lacks %s", words)
	}
}

func TestRenderEmptyAndDeterministic(t *testing.T) {
	d := sampleDoc(0)
	d.Notes = ""
	b := mustRender(t, d)
	text := poppler(t, b, "pdftotext", "-layout", "-enc", "UTF-8")
	if !strings.Contains(text, "零元整") || !strings.Contains(text, "第 1 页 / 共 1 页") {
		t.Errorf("empty document:\n%s", text)
	}
	if !bytes.Equal(b, mustRender(t, d)) {
		t.Errorf("the same document printed to different bytes")
	}
}

func TestRenderConcurrent(t *testing.T) {
	r, err := pdfdoc.New(pdfdoc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	out := make([][]byte, 4)
	for i := range out {
		wg.Go(func() {
			b, err := r.Render(sampleDoc(5))
			if err != nil {
				t.Error(err)
			}
			out[i] = b
		})
	}
	wg.Wait()
	for i := range out {
		if !bytes.Equal(out[i], out[0]) {
			t.Errorf("render %d differs", i)
		}
	}
}

func TestRenderRefusesInconsistentDocument(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pdfdoc.Document)
	}{
		{"line gross is not net + tax", func(d *pdfdoc.Document) { d.Lines[1].Gross++; d.Totals.Gross++ }},
		{"totals differ from lines", func(d *pdfdoc.Document) { d.Totals.Tax-- }},
		{"notes longer than a page", func(d *pdfdoc.Document) { d.Notes = strings.Repeat("备注\n", 80) }},
		{"gross too large for capitals", func(d *pdfdoc.Document) {
			d.Lines = d.Lines[:1]
			d.Lines[0].Net, d.Lines[0].Tax, d.Lines[0].Gross = pdfdoc.MaxCapital, 0, pdfdoc.MaxCapital
			d.Totals = pdfdoc.Totals{Net: pdfdoc.MaxCapital, Gross: pdfdoc.MaxCapital}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sampleDoc(3)
			tt.change(d)
			_, err := pdfdoc.Render(d, pdfdoc.Options{})
			var e *pdfdoc.Error
			if !errors.Is(err, cloud.ErrInvalid) || !errors.As(err, &e) || e.MsgZH == "" {
				t.Fatalf("err %v, want a bilingual invalid-input error", err)
			}
		})
	}
}

func TestFontErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-font.ttf")
	_, err := pdfdoc.New(pdfdoc.Options{FontPath: missing})
	var e *pdfdoc.Error
	if !errors.Is(err, pdfdoc.ErrNoFont) || !errors.As(err, &e) ||
		!strings.Contains(e.Msg, missing) || !strings.Contains(e.MsgZH, missing) ||
		!strings.Contains(e.Msg, "no Chinese font") || !strings.Contains(e.MsgZH, "找不到") {
		t.Fatalf("missing font: %v", err)
	}

	// A font collection and a CFF font (what Debian's fonts-noto-cjk
	// ships) are refused by name, not embedded wrong.
	cffCollection := "ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10" + "OTTO\x00\x00"
	for name, head := range map[string]string{"ttc": "ttcf", "cff.ttc": cffCollection, "otf": "OTTO", "txt": "hello, world"} {
		p := filepath.Join(dir, "font."+name)
		if err := os.WriteFile(p, []byte(head+strings.Repeat("\x00", 64)), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := pdfdoc.New(pdfdoc.Options{FontPath: p})
		if !errors.Is(err, pdfdoc.ErrFontFormat) || !errors.Is(err, pdfdoc.ErrNoFont) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
	}

	r, err := pdfdoc.New(pdfdoc.Options{})
	if err != nil {
		t.Fatalf("the machine's font: %v", err)
	}
	if r.FontPath() != pdfdoc.DefaultFontPaths[0] && r.FontPath() != pdfdoc.DefaultFontPaths[1] {
		t.Errorf("font %s", r.FontPath())
	}
}

func TestRenderLongNotes(t *testing.T) {
	// Notes wrap between Chinese characters and at spaces, and lose no
	// character doing so: all of them read back in order.
	d := sampleDoc(2)
	zh := strings.Repeat("货物须冷藏运输，到货后当日验收；", 12)
	en := strings.Repeat("Keep refrigerated between 2 and 6 degrees; ", 8) + "https://example.invalid/a-very-long-address-without-any-space-in-it-" + strings.Repeat("x", 150)
	d.Notes = zh + "\n" + en
	text := poppler(t, mustRender(t, d), "pdftotext", "-enc", "UTF-8")
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{zh, en} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("notes lost text:\n%s", text)
		}
	}
}

func TestRenderPageBreaks(t *testing.T) {
	// Around a full page of lines the totals, notes and signatures either
	// fit under the last lines or move to a page of their own; no line is
	// lost or printed twice.
	pagesSeen := map[int]bool{}
	for n := 30; n <= 42; n++ {
		d := sampleDoc(n)
		pages := strings.Split(strings.TrimRight(poppler(t, mustRender(t, d), "pdftotext", "-layout", "-enc", "UTF-8"), "\f"), "\f")
		pagesSeen[len(pages)] = true
		last := pages[len(pages)-1]
		if c := strings.Count(strings.Join(pages, ""), "价税合计（大写）"); c != 1 || !strings.Contains(last, "价税合计（大写）") ||
			!strings.Contains(last, "收货 Received by") {
			t.Errorf("%d lines: the tail is not once on the last page", n)
		}
		if c := strings.Count(strings.Join(pages, ""), "6901234500"); c != n {
			t.Errorf("%d lines: %d printed", n, c)
		}
		for i, p := range pages {
			if !strings.Contains(p, fmt.Sprintf("第 %d 页 / 共 %d 页", i+1, len(pages))) {
				t.Errorf("%d lines: page %d unnumbered", n, i+1)
			}
		}
	}
	if !pagesSeen[1] || !pagesSeen[2] {
		t.Errorf("pages seen %v: want documents of one and of two pages", pagesSeen)
	}
}
