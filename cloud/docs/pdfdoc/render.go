package pdfdoc

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// Renderer prints documents with one font, read once. It is safe for
// concurrent use: each Render makes its own PDF.
type Renderer struct {
	font     []byte
	fontPath string
	now      time.Time
}

// New reads the font (Options.FontPath, or else the first of
// DefaultFontPaths that exists). It returns an *Error with ErrNoFont
// naming the paths tried when there is none, or ErrFontFormat when the
// file is not a TrueType font: the caller should answer 503.
func New(opts Options) (*Renderer, error) {
	b, p, err := loadFont(opts.FontPath)
	if err != nil {
		return nil, err
	}
	return &Renderer{font: b, fontPath: p, now: opts.Now}, nil
}

// FontPath is the font file the renderer embeds from.
func (r *Renderer) FontPath() string { return r.fontPath }

// Render reads the font and prints doc: New(opts) then Renderer.Render.
func Render(doc *Document, opts Options) ([]byte, error) {
	r, err := New(opts)
	if err != nil {
		return nil, err
	}
	return r.Render(doc)
}

// Page geometry, in millimetres on A4 portrait.
const (
	pageW, pageH = 210.0, 297.0
	marginX      = 12.0
	contentW     = pageW - 2*marginX
	tableTop     = 54.0  // where the table's header starts
	headH        = 9.0   // the table's two-line (Chinese, English) header
	rowH         = 5.5   // a line of the table
	bodyBottom   = 282.0 // rows and the last page's tail end above this
	footerY      = 287.0
	noteLineH    = 4.5
	signH        = 18.0
	fontFamily   = "cjk"
	rowFontSize  = 7.5
)

// column is one column of the lines table.
type column struct {
	w      float64
	zh, en string
	align  string // fpdf's L, C, R
}

var columns = []column{
	{9, "行号", "No.", "C"},
	{26, "商品编码", "SKU", "L"},
	{40, "品名", "Name", "L"},
	{10, "单位", "Unit", "C"},
	{17, "数量", "Qty", "R"},
	{19, "单价", "Price", "R"},
	{10, "税率", "VAT", "R"},
	{19, "金额", "Net", "R"},
	{17, "税额", "Tax", "R"},
	{19, "价税合计", "Gross", "R"},
}

// The columns the totals row fills.
const colNet, colTax, colGross = 7, 8, 9

// rowsPerPage is how many lines fit on a page under the table's header.
var rowsPerPage = func() int {
	avail := bodyBottom - tableTop - headH
	return int(avail / rowH)
}()

// Render prints doc as PDF bytes. It returns an *Error with ErrDocument
// when the document is inconsistent (a line's gross is not net + tax, the
// totals are not the sums of the lines) or its notes do not fit on a page.
func (r *Renderer) Render(doc *Document) ([]byte, error) {
	if err := check(doc); err != nil {
		return nil, err
	}
	words, err := CapitalAmount(doc.Totals.Gross)
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(marginX, 10, marginX)
	pdf.AddUTF8FontFromBytes(fontFamily, "", r.font)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("pdfdoc: load font %s: %w", r.fontPath, err)
	}
	created := r.now
	if created.IsZero() {
		created = doc.Date
	}
	if created.IsZero() {
		created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(strings.TrimSpace(doc.Title+" "+doc.TitleEN+" "+doc.Number), true)
	pdf.SetAuthor(doc.Company.Name, true)
	pdf.SetCreator("JXC Edge", true)
	pdf.SetLang("zh-CN")

	p := &printer{pdf: pdf, doc: doc}
	pdf.SetFont(fontFamily, "", 8)
	notes := p.wrap(doc.Notes, contentW-p.noteIndent()-1)
	tail := tailHeight(len(notes))
	if tableTop+headH+tail > bodyBottom {
		return nil, errDocument(
			fmt.Sprintf("the notes are too long to print (%d lines)", len(notes)),
			fmt.Sprintf("备注太长，无法打印（%d 行）", len(notes)))
	}

	// Paginate: full pages of rowsPerPage lines; the tail (totals, notes,
	// signatures) goes under the last lines, or on a page of its own
	// when it does not fit there.
	var pages [][]Line
	for i := 0; i < len(doc.Lines); i += rowsPerPage {
		pages = append(pages, doc.Lines[i:min(i+rowsPerPage, len(doc.Lines))])
	}
	if len(pages) == 0 || tableTop+headH+float64(len(pages[len(pages)-1]))*rowH+tail > bodyBottom {
		pages = append(pages, nil)
	}
	p.total = len(pages)
	for i, lines := range pages {
		pdf.AddPage()
		p.page = i + 1
		p.header()
		y := p.tableHeader()
		for _, l := range lines {
			p.row(y, l)
			y += rowH
		}
		if p.page == p.total {
			p.tail(y, words, notes)
		}
		p.footer()
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdfdoc: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// check refuses a document whose lines or totals disagree.
func check(doc *Document) error {
	var t Totals
	for i, l := range doc.Lines {
		if l.Net+l.Tax != l.Gross {
			return errDocument(
				fmt.Sprintf("line %d: gross %s is not net %s + tax %s", i+1, FormatFen(l.Gross), FormatFen(l.Net), FormatFen(l.Tax)),
				fmt.Sprintf("第 %d 行：价税合计 %s 不等于金额 %s + 税额 %s", i+1, FormatFen(l.Gross), FormatFen(l.Net), FormatFen(l.Tax)))
		}
		t.Net += l.Net
		t.Tax += l.Tax
		t.Gross += l.Gross
	}
	if t != doc.Totals {
		return errDocument(
			fmt.Sprintf("the totals (net %s, tax %s, gross %s) are not the sums of the lines (%s, %s, %s)",
				FormatFen(doc.Totals.Net), FormatFen(doc.Totals.Tax), FormatFen(doc.Totals.Gross),
				FormatFen(t.Net), FormatFen(t.Tax), FormatFen(t.Gross)),
			fmt.Sprintf("合计（金额 %s，税额 %s，价税合计 %s）与各行之和（%s，%s，%s）不符",
				FormatFen(doc.Totals.Net), FormatFen(doc.Totals.Tax), FormatFen(doc.Totals.Gross),
				FormatFen(t.Net), FormatFen(t.Tax), FormatFen(t.Gross)))
	}
	return nil
}

// tailHeight is the height of the last page's tail with n lines of notes:
// totals row, amount in words, notes, signature boxes.
func tailHeight(n int) float64 {
	return 6 + 6 + 3 + noteLineH*float64(max(n, 1)) + 4 + signH
}

// printer draws one document's pages.
type printer struct {
	pdf         *fpdf.Fpdf
	doc         *Document
	page, total int
}

func (p *printer) header() {
	pdf, d := p.pdf, p.doc
	pdf.SetTextColor(0, 0, 0)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetFont(fontFamily, "", 15)
	p.text(marginX, 10, contentW, 7, d.Company.Name, "C", "")
	var parts []string
	if d.Company.Address != "" {
		parts = append(parts, "地址 Address: "+d.Company.Address)
	}
	if d.Company.Phone != "" {
		parts = append(parts, "电话 Tel: "+d.Company.Phone)
	}
	if d.Company.TaxID != "" {
		parts = append(parts, "税号 Tax ID: "+d.Company.TaxID)
	}
	pdf.SetFont(fontFamily, "", 7.5)
	p.text(marginX, 17, contentW, 4.5, strings.Join(parts, "    "), "C", "")
	pdf.SetLineWidth(0.4)
	pdf.Line(marginX, 22.5, marginX+contentW, 22.5)
	pdf.SetLineWidth(0.15)
	pdf.Line(marginX, 23.3, marginX+contentW, 23.3)

	pdf.SetFont(fontFamily, "", 15)
	title := strings.TrimSpace(d.Title + "  " + d.TitleEN)
	p.text(marginX, 24.5, contentW, 8, title, "C", "")
	// A double rule under the Chinese title, as forms print it.
	tw := pdf.GetStringWidth(title)
	pdf.SetLineWidth(0.3)
	pdf.Line(pageW/2-tw/2, 32.6, pageW/2+tw/2, 32.6)
	pdf.Line(pageW/2-tw/2, 33.3, pageW/2+tw/2, 33.3)

	label := d.PartnerLabel
	if label == "" {
		label = "往来单位 Partner"
	}
	partner := d.Partner.Name
	if d.Partner.Code != "" {
		partner += " (" + d.Partner.Code + ")"
	}
	date := ""
	if !d.Date.IsZero() {
		date = d.Date.Format("2006-01-02")
	}
	pdf.SetFont(fontFamily, "", 8)
	p.field(marginX, 36, 80, "单号 No.: ", d.Number)
	p.field(marginX+80, 36, 53, "日期 Date: ", date)
	p.field(marginX+133, 36, 53, "状态 Status: ", d.Status)
	p.field(marginX, 42, 80, label+": ", partner)
	p.field(marginX+80, 42, 53, "联系人 Contact: ", d.Partner.Contact)
	p.field(marginX+133, 42, 53, "站点 Site: ", d.Site)
}

// field draws "label value" in a box w wide, cutting the value to fit.
func (p *printer) field(x, y, w float64, label, value string) {
	p.text(x, y, w, 5, label+p.fit(value, w-p.pdf.GetStringWidth(label)-1), "L", "")
}

// tableHeader draws the table's header and returns where rows start.
func (p *printer) tableHeader() float64 {
	pdf := p.pdf
	pdf.SetFillColor(232, 232, 232)
	pdf.SetLineWidth(0.2)
	x := marginX
	for _, c := range columns {
		pdf.Rect(x, tableTop, c.w, headH, "FD")
		pdf.SetFont(fontFamily, "", 7.5)
		p.text(x, tableTop+0.3, c.w, 4.4, c.zh, "C", "")
		pdf.SetFont(fontFamily, "", 6)
		p.text(x, tableTop+4.4, c.w, 4.2, c.en, "C", "")
		x += c.w
	}
	return tableTop + headH
}

// row draws one line of the table at y.
func (p *printer) row(y float64, l Line) {
	cells := []string{
		strconv.Itoa(l.No), l.SKU, l.Name, l.Unit, FormatInt(l.Qty), FormatFen(l.Price),
		strconv.Itoa(int(l.VATRate)) + "%", FormatFen(l.Net), FormatFen(l.Tax), FormatFen(l.Gross),
	}
	p.cells(y, cells)
}

// cells draws one bordered row of the table; text is cut to fit with …,
// numbers are made smaller to fit (a number is never cut).
func (p *printer) cells(y float64, cells []string) {
	pdf := p.pdf
	x := marginX
	for i, c := range columns {
		pdf.SetFont(fontFamily, "", rowFontSize)
		s := cells[i]
		if c.align == "R" {
			p.shrink(s, c.w-1.5)
		} else {
			s = p.fit(s, c.w-1.5)
		}
		p.text(x, y, c.w, rowH, s, c.align, "1")
		x += c.w
	}
}

// tail draws the totals, the amount in words, the notes and the
// signature boxes from y down.
func (p *printer) tail(y float64, words string, notes []string) {
	pdf, d := p.pdf, p.doc
	// Totals row: a label over the first columns, then net, tax, gross.
	var labelW float64
	for _, c := range columns[:colNet] {
		labelW += c.w
	}
	pdf.SetFillColor(245, 245, 245)
	pdf.SetFont(fontFamily, "", 8)
	pdf.Rect(marginX, y, labelW, 6, "FD")
	p.text(marginX, y, labelW-2, 6, "合计 Total", "R", "")
	x := marginX + labelW
	for i, v := range []int64{d.Totals.Net, d.Totals.Tax, d.Totals.Gross} {
		w := columns[colNet+i].w
		pdf.Rect(x, y, w, 6, "FD")
		pdf.SetFont(fontFamily, "", 8)
		p.shrink(FormatFen(v), w-1.5)
		p.text(x, y, w, 6, FormatFen(v), "R", "")
		x += w
	}
	y += 6
	pdf.SetFont(fontFamily, "", 8.5)
	pdf.Rect(marginX, y, contentW, 6, "D")
	p.text(marginX+1, y, contentW-2, 6, "价税合计（大写）Total in words:  "+words, "L", "")
	p.text(marginX+1, y, contentW-2, 6, "（小写）"+FormatFen(d.Totals.Gross), "R", "")
	y += 6 + 3

	pdf.SetFont(fontFamily, "", 8)
	p.text(marginX, y, contentW, noteLineH, notesLabel, "L", "")
	indent := p.noteIndent()
	if len(notes) == 0 {
		notes = []string{"—"}
	}
	for _, n := range notes {
		p.text(marginX+indent, y, contentW-indent, noteLineH, n, "L", "")
		y += noteLineH
	}
	y += 4

	// Signature boxes: 制单 / 审核 / 收货, with the names when known.
	const gap = 6.0
	w := (contentW - 2*gap) / 3
	boxes := []struct{ label, name string }{
		{"制单 Prepared by", d.PreparedBy},
		{"审核 Approved by", d.ApprovedBy},
		{"收货 Received by", d.ReceivedBy},
	}
	pdf.SetLineWidth(0.2)
	for i, b := range boxes {
		bx := marginX + float64(i)*(w+gap)
		pdf.Rect(bx, y, w, signH, "D")
		pdf.SetFont(fontFamily, "", 8)
		p.text(bx+1.5, y+1, w-3, 5, b.label+":", "L", "")
		pdf.SetFont(fontFamily, "", 10)
		p.text(bx+1.5, y+6.5, w-3, 5, p.fit(b.name, w-3), "C", "")
		pdf.SetFont(fontFamily, "", 7.5)
		p.text(bx+1.5, y+signH-5.5, w-3, 5, "日期 Date: ______________", "L", "")
	}
}

// noteIndent is where the notes start right of their label, in the
// notes' font.
func (p *printer) noteIndent() float64 {
	return p.pdf.GetStringWidth(notesLabel+" ") + 1
}

const notesLabel = "备注 Notes:"

func (p *printer) footer() {
	pdf := p.pdf
	pdf.SetFont(fontFamily, "", 8)
	pdf.SetLineWidth(0.15)
	pdf.Line(marginX, footerY-1, marginX+contentW, footerY-1)
	p.text(marginX, footerY, contentW, 5, p.doc.Number, "L", "")
	p.text(marginX, footerY, contentW, 5,
		fmt.Sprintf("第 %d 页 / 共 %d 页  Page %d of %d", p.page, p.total, p.page, p.total), "C", "")
	p.text(marginX, footerY, contentW, 5, p.doc.Company.Name, "R", "")
}

// text draws s in the box (x, y, w, h) with fpdf's align and border.
func (p *printer) text(x, y, w, h float64, s, align, border string) {
	p.pdf.SetXY(x, y)
	p.pdf.CellFormat(w, h, s, border, 0, align, false, 0, "")
}

// fit cuts s to width w in the current font, ending it with … when cut.
func (p *printer) fit(s string, w float64) string {
	if p.pdf.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for n := len(rs) - 1; n > 0; n-- {
		t := string(rs[:n]) + "…"
		if p.pdf.GetStringWidth(t) <= w {
			return t
		}
	}
	return "…"
}

// shrink makes the font smaller until s fits width w (never below 4 pt).
func (p *printer) shrink(s string, w float64) {
	size, _ := p.pdf.GetFontSize()
	for p.pdf.GetStringWidth(s) > w && size > 4 {
		size -= 0.25
		p.pdf.SetFontSize(size)
	}
}

// wrap breaks text into lines no wider than w in the current font: at a
// newline, before a word that would not fit, or between any two CJK
// characters.
func (p *printer) wrap(text string, w float64) []string {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n ")
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		rs := []rune(para)
		for len(rs) > 0 {
			// n: how many runes fit, measured rune by rune (fpdf's widths
			// add up: it does not kern).
			n, width := 0, 0.0
			for n < len(rs) {
				width += p.pdf.GetStringWidth(string(rs[n]))
				if width > w && n > 0 {
					break
				}
				n++
			}
			if n < len(rs) && !breakable(rs[n-1], rs[n]) {
				// Back up to the last space, if the line has one.
				for k := n - 1; k > 0; k-- {
					if unicode.IsSpace(rs[k]) {
						n = k + 1
						break
					}
				}
			}
			out = append(out, strings.TrimRight(string(rs[:n]), " "))
			rs = []rune(strings.TrimLeft(string(rs[n:]), " "))
		}
		if len(para) == 0 {
			out = append(out, "")
		}
	}
	return out
}

// breakable says whether a line may break between a and b without a
// space: next to a CJK character, or at a space.
func breakable(a, b rune) bool {
	return unicode.IsSpace(a) || unicode.IsSpace(b) ||
		unicode.Is(unicode.Han, a) || unicode.Is(unicode.Han, b) ||
		unicode.In(a, unicode.Punct) && a > 0x2E7F
}
