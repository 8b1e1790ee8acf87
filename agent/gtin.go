package agent

import (
	"fmt"

	"github.com/jxc-edge/jxc/syncproto"
)

// NormalizeGTIN returns gtin as the 14-digit GTIN used as the catalogue's
// key: a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14 is padded
// with leading zeros to 14 digits, as GS1 specifies. It fails, with a
// message saying why, on anything but 8, 12, 13 or 14 ASCII digits and on a
// wrong check digit. The error does not wrap ErrInvalid; callers add the
// field it came from.
func NormalizeGTIN(gtin string) (string, error) {
	switch n := len(gtin); n {
	case 8, 12, 13, 14:
	default:
		if n > 20 {
			return "", fmt.Errorf("GTIN is %d characters; it must have 8, 12, 13 or 14 digits", n)
		}
		return "", fmt.Errorf("GTIN %q has %d characters; it must have 8, 12, 13 or 14 digits", gtin, n)
	}
	var b [14]byte
	pad := 14 - len(gtin)
	for i := 0; i < pad; i++ {
		b[i] = '0'
	}
	for i := 0; i < len(gtin); i++ {
		c := gtin[i]
		if c < '0' || c > '9' {
			return "", fmt.Errorf("GTIN %q has a character that is not a digit", gtin)
		}
		b[pad+i] = c
	}
	if want := syncproto.GTINCheckDigit(string(b[:13])); b[13] != want {
		return "", fmt.Errorf("GTIN %q has check digit %c, want %c", gtin, b[13], want)
	}
	return string(b[:]), nil
}
