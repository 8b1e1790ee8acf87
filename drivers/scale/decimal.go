package scale

import (
	"errors"
	"strconv"
)

// maxDigits bounds the digits of a weight so that Value always fits an
// int64 (10^18 < 2^63).
const maxDigits = 18

// parseDecimal reads a weight as a scale prints it ("-12.345", "0012.30",
// "7") into an exact integer and its number of decimals: "-12.345" is
// -12345 with 3 decimals. It accepts one optional sign, digits and at most
// one decimal point with a digit on each side; nothing else, not even
// spaces (callers trim the padding they expect).
func parseDecimal(s string) (value int64, decimals int, err error) {
	if s == "" {
		return 0, 0, errors.New("empty number")
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	digits, point := 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > maxDigits {
				return 0, 0, errors.New("number too long")
			}
			value = value*10 + int64(c-'0')
		case c == '.' && point < 0:
			if i == 0 || i == len(s)-1 {
				return 0, 0, errors.New("decimal point without a digit on both sides")
			}
			point = i
		default:
			return 0, 0, errors.New("bad character " + strconv.QuoteRune(rune(c)) + " in number")
		}
	}
	if digits == 0 {
		return 0, 0, errors.New("no digits in number")
	}
	if point >= 0 {
		decimals = len(s) - 1 - point
	}
	if neg {
		value = -value
	}
	return value, decimals, nil
}

// FormatDecimal prints value with decimals digits after the point, the
// inverse of parseDecimal: (-5, 3) is "-0.005".
func FormatDecimal(value int64, decimals int) string {
	neg := value < 0
	u := uint64(value)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if decimals > 0 {
		for len(s) <= decimals {
			s = "0" + s
		}
		s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
