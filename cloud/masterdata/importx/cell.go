package importx

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// msg is a problem of a cell in English and Chinese.
type msg struct{ en, zh string }

func msgf(en, zh string, args ...any) *msg {
	return &msg{fmt.Sprintf(en, args...), fmt.Sprintf(zh, args...)}
}

// narrow turns full-width ASCII (a Chinese input method's "１２．５")
// into ASCII and trims the spaces around.
func narrow(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 }) < 0 {
		return s
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// excelScientific reports a number Excel shows in scientific notation
// ("6.90123E+12"): the digits beyond are lost, so the hint is to format
// the column as text.
func excelScientific(s string) bool {
	m, e, ok := strings.Cut(strings.ToUpper(s), "E")
	if !ok || m == "" || e == "" {
		return false
	}
	e = strings.TrimLeft(e, "+-")
	m = strings.Replace(m, ".", "", 1)
	return allDigits(m) && e != "" && allDigits(e)
}

// maxYuanDigits bounds the yuan digits of an amount, so fen fit an int64
// with room; the service checks the real range.
const maxYuanDigits = 15

// parseYuan reads an amount in yuan with at most two decimals as integer
// fen, exactly: the digits are read as text, never through a float. It
// accepts "12", "12.5", "12.50", "¥1,234.50" and full-width digits; ""
// is 0. More decimals ("12.345"), a sign, or anything else is a problem.
func parseYuan(s string) (int64, *msg) {
	s = narrow(s)
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥"))
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, msgf("%q: an amount cannot be negative", "%q 无效：金额不能为负数", s)
	}
	in, frac, dot := strings.Cut(s, ".")
	in, ok := thousands(in)
	if !ok || !allDigits(frac) || (in == "" && (!dot || frac == "")) {
		if excelScientific(s) {
			return 0, msgf("%q: Excel shows the number in scientific notation; format the column as text or number and type it again",
				"%q 无效：Excel 以科学计数法显示该数字，请将该列设为文本或数值格式后重新输入", s)
		}
		return 0, msgf("%q is not an amount in yuan such as 12.50", "%q 不是以元为单位的金额（如 12.50）", s)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, msgf("%q has more than 2 decimals: amounts are in yuan to the fen", "%q 的小数超过 2 位：金额以元为单位，精确到分", s)
	}
	in = strings.TrimLeft(in, "0")
	if len(in) > maxYuanDigits {
		return 0, msgf("%q is too large", "%q 数值过大", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	fen, err := strconv.ParseInt(in+frac, 10, 64)
	if err != nil {
		return 0, msgf("%q is not an amount in yuan such as 12.50", "%q 不是以元为单位的金额（如 12.50）", s)
	}
	return fen, nil
}

// thousands drops the separators of "1,234,567"; a comma elsewhere is
// not a number.
func thousands(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return s, allDigits(s)
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		if !allDigits(p) || (i == 0 && (len(p) == 0 || len(p) > 3)) || (i > 0 && len(p) != 3) {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}

// formatYuan writes fen as yuan with two decimals: 1250 is "12.50".
func formatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// parseInt reads a whole number in min … max; "" is 0. "24.0" is 24 (a
// number cell Excel formatted with decimals).
func parseInt(s string, min, max int64) (int64, *msg) {
	s = narrow(s)
	if s == "" {
		return 0, nil
	}
	digits, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	digits, ok := thousands(digits)
	if !ok || digits == "" || !allDigits(frac) || strings.Trim(frac, "0") != "" || len(digits) > 18 {
		return 0, msgf("%q is not a whole number", "%q 不是整数", s)
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, msgf("%q is not a whole number", "%q 不是整数", s)
	}
	if neg {
		v = -v
	}
	if v < min || v > max {
		return 0, msgf("%s is outside %d … %d", "%s 超出 %d 到 %d 的范围", s, min, max)
	}
	return v, nil
}

// parsePercent reads a VAT rate in whole percent: "13", "13%".
func parsePercent(s string) (int64, *msg) {
	s = narrow(s)
	v, m := parseInt(strings.TrimSpace(strings.TrimSuffix(s, "%")), 0, 100)
	if m != nil {
		return 0, msgf("%q is not a rate in whole percent such as 13 or 13%%", "%q 不是整数百分比税率（如 13 或 13%%）", s)
	}
	return v, nil
}

// parseBool reads 是/否, yes/no, y/n, true/false, 1/0; "" is false.
func parseBool(s string) (bool, *msg) {
	switch strings.ToLower(narrow(s)) {
	case "", "否", "no", "n", "false", "0":
		return false, nil
	case "是", "yes", "y", "true", "1":
		return true, nil
	}
	return false, msgf("%q: write 是 or 否 (yes/no, 1/0)", "%q 无效：请填写 是 或 否（yes/no、1/0）", strings.TrimSpace(s))
}

func formatBool(v bool) string {
	if v {
		return "是"
	}
	return "否"
}

// isListSep separates the values of a list cell: ; and , in ASCII or
// full width, and line breaks.
func isListSep(r rune) bool {
	switch r {
	case ';', '；', ',', '，', '\n', '\r':
		return true
	}
	return false
}

// splitList reads a list cell ("690…;690…") into its trimmed values.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, isListSep) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// attr is one attribute value of a SKU.
type attr struct{ name, value string }

// parseAttrs reads "颜色=白;尺码=M" (= or : in ASCII or full width).
func parseAttrs(s string) ([]attr, *msg) {
	var out []attr
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.IndexAny(part, "=＝:：")
		if i <= 0 {
			return nil, msgf("%q: write attributes as name=value;name=value (颜色=白;尺码=M)", "%q 无效：属性请写作 名称=值;名称=值（如 颜色=白;尺码=M）", part)
		}
		_, w := utf8.DecodeRuneInString(part[i:])
		a := attr{strings.TrimSpace(part[:i]), strings.TrimSpace(part[i+w:])}
		if a.name == "" || a.value == "" {
			return nil, msgf("%q: write attributes as name=value;name=value (颜色=白;尺码=M)", "%q 无效：属性请写作 名称=值;名称=值（如 颜色=白;尺码=M）", part)
		}
		for _, o := range out {
			if o.name == a.name {
				return nil, msgf("attribute %q is given twice", "属性 %q 重复", a.name)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

func formatAttrs(as []attr) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.name + "=" + a.value
	}
	return strings.Join(parts, ";")
}

// formulaLead reports a text a spreadsheet would run as a formula when
// it opens a CSV file: one starting with = + - @ or a tab or CR.
func formulaLead(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r':
		return true
	case '-':
		// "-5" is a number, not a formula.
		return len(s) > 1 && !unicode.IsDigit(rune(s[1]))
	}
	return false
}
