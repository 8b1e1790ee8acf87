package pdfdoc

import (
	"strconv"
	"strings"
)

// MaxCapital bounds the amounts CapitalAmount writes: 10¹⁶ yuan (10¹⁸
// fen), the first amount that would need a unit above 万亿.
const MaxCapital = 1_000_000_000_000_000_000

// FormatFen writes an amount in fen as yuan with a thousands separator
// and two decimals: 123456 → "¥1,234.56", -5 → "-¥0.05". Integer
// arithmetic only, exact for every int64.
func FormatFen(fen int64) string {
	var b strings.Builder
	u := uint64(fen)
	if fen < 0 {
		b.WriteByte('-')
		u = -u // two's complement: exact even for math.MinInt64
	}
	b.WriteString("¥")
	b.WriteString(group(u / 100))
	c := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + c/10))
	b.WriteByte(byte('0' + c%10))
	return b.String()
}

// FormatInt writes n with a thousands separator: 1234567 → "1,234,567".
func FormatInt(n int64) string {
	if n < 0 {
		return "-" + group(-uint64(n))
	}
	return group(uint64(n))
}

// group writes u in decimal with a comma every three digits.
func group(u uint64) string {
	s := strconv.FormatUint(u, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

var (
	capDigits = [10]string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	// capInner are the units inside a four-digit section, lowest first.
	capInner = [4]string{"", "拾", "佰", "仟"}
	// capSection are the units of the four-digit sections, lowest first.
	capSection = [4]string{"", "万", "亿", "万亿"}
)

// CapitalAmount writes an amount in fen in Chinese capital numerals
// (大写金额), as the rules for filling in bills and vouchers
// (《正确填写票据和结算凭证的基本规定》) have it and fapiao print it:
//
//   - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, 元角分;
//   - 壹 is always written before 拾: ¥10.00 → 壹拾元整, ¥100,000 → 壹拾万元整;
//   - one or several zeros between digits are one 零: ¥1,409.50 →
//     壹仟肆佰零玖元伍角整, ¥6,007.14 → 陆仟零柒元壹角肆分, also across a
//     section: ¥100,010,000 → 壹亿零壹万元整;
//   - zeros at the end of the yuan (元位 zero) before a non-zero 角 take
//     no 零 (the rules allow either; we write the shorter): ¥1,680.32 →
//     壹仟陆佰捌拾元叁角贰分;
//   - 角 zero and 分 not zero needs 零 after 元: ¥325.04 → 叁佰贰拾伍元零肆分;
//   - 整 follows 元 or 角 when 分 is zero: ¥1,234.00 → 壹仟贰佰叁拾肆元整,
//     ¥1,234.50 → 壹仟贰佰叁拾肆元伍角整; below one yuan no 元 is written:
//     ¥0.56 → 伍角陆分, ¥0.00 → 零元整;
//   - a negative amount (a credit) starts with 负.
//
// It returns ErrAmountRange when |fen| ≥ MaxCapital.
func CapitalAmount(fen int64) (string, error) {
	neg := fen < 0
	u := uint64(fen)
	if neg {
		u = -u
	}
	if u >= MaxCapital {
		return "", errAmountRange(fen)
	}
	yuan, jiao, fenD := u/100, u/10%10, u%10
	var b strings.Builder
	if neg {
		b.WriteString("负")
	}
	if yuan > 0 {
		writeYuan(&b, yuan)
		b.WriteString("元")
	}
	switch {
	case yuan == 0 && jiao == 0 && fenD == 0:
		b.WriteString("零元整")
	case jiao == 0 && fenD == 0:
		b.WriteString("整")
	case jiao == 0: // 分 only
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteString(capDigits[fenD] + "分")
	default:
		b.WriteString(capDigits[jiao] + "角")
		if fenD == 0 {
			b.WriteString("整")
		} else {
			b.WriteString(capDigits[fenD] + "分")
		}
	}
	return b.String(), nil
}

// writeYuan writes y > 0 (below 10¹⁶) in capitals, without 元.
func writeYuan(b *strings.Builder, y uint64) {
	var sections [4]uint64
	for i := range sections {
		sections[i] = y % 10000
		y /= 10000
	}
	wrote, zero := false, false // zero: a 零 is owed before the next digit
	for i := len(sections) - 1; i >= 0; i-- {
		s := sections[i]
		if s == 0 {
			zero = wrote
			continue
		}
		if wrote && s < 1000 {
			zero = true // 1,0001,0000 → 壹亿零壹万: the section's thousands are zero
		}
		for j := 3; j >= 0; j-- {
			d := s / pow10[j] % 10
			if d == 0 {
				zero = wrote
				continue
			}
			if zero {
				b.WriteString("零")
				zero = false
			}
			b.WriteString(capDigits[d] + capInner[j])
			wrote = true
		}
		b.WriteString(capSection[i])
		zero = false
	}
}

var pow10 = [4]uint64{1, 10, 100, 1000}
