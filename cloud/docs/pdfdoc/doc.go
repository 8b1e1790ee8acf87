// Package pdfdoc prints a business document (采购订单, 销售订单, 出库单…)
// as a PDF in the layout of a Chinese business form: the company's header
// on every page, the document's title in Chinese and English, its number,
// date, status, partner and site, a table of lines whose header repeats on
// every page, and on the last page the totals with 价税合计 in capital
// numerals (大写), the notes and the signature boxes (制单 / 审核 / 收货).
// Pages are numbered 第 1 页 / 共 N 页.
//
// Money is int64 fen throughout and is formatted with integer arithmetic
// only (FormatFen, CapitalAmount); floats are used for layout coordinates
// alone.
//
// Chinese needs a font with CJK and Latin glyphs. The PDF library (fpdf)
// embeds the subset of a TrueType font (glyf outlines) that the document
// uses, with a ToUnicode map so the text can be searched and copied. The
// font is read at run time from Options.FontPath or else the first of
// DefaultFontPaths that exists (Debian's fonts-wqy-microhei); ErrNoFont
// names the paths tried. A .ttc collection is read as its first font.
// Debian's Noto Sans CJK (fonts-noto-cjk) has CFF outlines, which fpdf
// cannot embed: it is refused with ErrFontFormat. Droid Sans Fallback
// (fonts-droid-fallback) has no Latin glyphs: digits would print as boxes.
//
// No font is built into the binary: a GB 2312 subset of WenQuanYi Micro
// Hei (7,500 characters) would add 1.3 MB and is licence-compatible
// (Apache 2.0), but names of people and companies use characters beyond
// GB 2312 that would silently print as boxes; a missing font is an error
// an operator can fix, a missing glyph on a signed order is not.
package pdfdoc

import "time"

// Document is what is printed. Amounts are fen; quantities are in each
// line's unit. The renderer checks that every line's Gross is Net + Tax
// and that Totals are the sums of the lines, and refuses the document
// otherwise (ErrDocument): a print must never disagree with the books.
type Document struct {
	Company Company
	// Title is the document kind in Chinese and English, printed large:
	// "采购订单", "Purchase Order".
	Title, TitleEN string
	Number         string    // CG20261125-0001
	Date           time.Time // printed as 2006-01-02
	Status         string    // as shown to users: "已审核 approved"
	// PartnerLabel names the partner's role, e.g. "供应商 Supplier" or
	// "客户 Customer"; empty prints "往来单位 Partner".
	PartnerLabel string
	Partner      Partner
	Site         string // "beijing-wh 北京仓"
	Lines        []Line
	Totals       Totals
	Notes        string
	// PreparedBy, ApprovedBy and ReceivedBy are printed in the signature
	// boxes (制单 / 审核 / 收货) when set; a box left empty is for a pen.
	PreparedBy, ApprovedBy, ReceivedBy string
}

// Company is the letterhead.
type Company struct {
	Name    string
	Address string
	Phone   string
	TaxID   string // 统一社会信用代码 / 纳税人识别号
}

// Partner is the supplier or customer block.
type Partner struct {
	Name    string
	Code    string
	Contact string // name and phone, as one string
}

// Line is one row of the table.
type Line struct {
	No      int
	SKU     string
	Name    string
	Unit    string
	Qty     int64
	Price   int64 // fen per Unit, as on the document (tax-inclusive or not)
	VATRate int32 // percent
	Net     int64 // fen
	Tax     int64 // fen
	Gross   int64 // fen
}

// Totals are the document's sums (DOMAIN.md §3: the document's tax is
// the sum of its lines' tax).
type Totals struct {
	Net, Tax, Gross int64
}

// Options configure a Renderer.
type Options struct {
	// FontPath is a TrueType font (glyf outlines; .ttf, or a .ttc whose
	// first font is used) with CJK and Latin glyphs.
	// Empty: the first of DefaultFontPaths that exists.
	FontPath string
	// Now is the PDF's creation date; zero: the document's date, so the
	// same document prints to the same bytes.
	Now time.Time
}

// DefaultFontPaths are tried in order when Options.FontPath is empty:
// Debian's fonts-wqy-microhei (WenQuanYi Micro Hei: sans-serif, Latin and
// the GB 18030 common repertoire with TrueType outlines; Apache 2.0 or
// GPL-3+ with the font exception) and fonts-wqy-zenhei. A collection
// (.ttc) is read as its first font.
var DefaultFontPaths = []string{
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
}
