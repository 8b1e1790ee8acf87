package gs1

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unexported names in this file start with "bc" (barcode) so that they
// cannot collide with those of epc.go, which shares the package.

var (
	// ErrNotGS1 means the data is not a GS1 barcode: a plain Code 128 or
	// Code 39 label, a non-GS1 QR Code, text. Parse still fills the Code's
	// Symbology and Data, so the caller can look the code up as it is.
	ErrNotGS1 = errors.New("not a GS1 barcode")
	// ErrCheckDigit means a check digit does not match; the text says which
	// digit was expected and which was read.
	ErrCheckDigit = errors.New("check digit mismatch")
	// ErrFormat means the data is GS1 (by its symbology identifier or its
	// shape) but breaks the rules: an unknown AI, a wrong length, a letter
	// where digits belong, an impossible date, one AI twice with two values.
	ErrFormat = errors.New("malformed GS1 data")
)

// GroupSeparator is the ASCII GS character (0x1D) that scanners transmit for
// FNC1 when it ends a variable-length element string.
const GroupSeparator = "\x1d"

// Kind says what sort of barcode a Code was read from.
type Kind string

// The kinds of Code.
const (
	KindEAN13 Kind = "ean-13"
	KindUPCA  Kind = "upc-a"
	KindEAN8  Kind = "ean-8"
	// KindGTIN14 is a bare 14-digit GTIN, as ITF-14 carries it.
	KindGTIN14 Kind = "gtin-14"
	// KindElementString is data made of AIs: GS1-128, GS1 DataBar, GS1
	// DataMatrix, GS1 QR Code, or the same typed in parentheses form.
	KindElementString Kind = "element-string"
	// KindVariableMeasure is an in-store EAN-13 printed by a label scale,
	// read with a VariableLayout: Item and Weight or Price are set.
	KindVariableMeasure Kind = "variable-measure"
)

// Weight is a net weight as an integer: Value × 10^-Decimals Unit, so
// 1.250 kg is {1250, 3, "kg"}. Unit is "kg" or "lb"; an empty Unit means
// the code carried no weight.
type Weight struct {
	Value    int64
	Decimals int
	Unit     string
}

// Grams returns a weight in kilograms as whole grams, rounding half to even
// when the weight has more than three decimals. ok is false when the weight
// is absent or not in kilograms.
func (w Weight) Grams() (g int64, ok bool) {
	if w.Unit != "kg" || w.Decimals < 0 {
		return 0, false
	}
	if w.Decimals <= 3 {
		return w.Value * bcPow10(3-w.Decimals), true
	}
	d := bcPow10(w.Decimals - 3)
	q, r := w.Value/d, w.Value%d
	if 2*r > d || (2*r == d && q%2 == 1) {
		q++
	}
	return q, true
}

// Price is an amount payable as an integer: Value × 10^-Decimals in
// Currency, so 12.34 yuan is {1234, 2, "CNY"} (1234 fen). Currency is what
// the source says: the ISO 4217 numeric code of AIs 391n/393n (e.g. "156"),
// a VariableLayout's Currency, or "" for the local currency (AIs 390n/392n).
// A zero Price with Decimals 0 and no Currency means the code carried none.
type Price struct {
	Value    int64
	Decimals int
	Currency string
}

// Code is what Parse read from one scan. Fields the barcode did not carry
// are left zero.
type Code struct {
	Kind Kind
	// Symbology is the AIM symbology identifier the scanner sent ("]E0",
	// "]C1", "]d2", …), or "" if it sent none.
	Symbology string
	// Data is the scanned data without the symbology identifier.
	Data string
	// GTIN is the trade item's GTIN as 14 digits (EAN-13 6901234567892 is
	// "06901234567892"), from the barcode itself or AI 01. For a variable
	// measure item it is the whole scanned number, which changes with every
	// label; Item is what names the product.
	GTIN string
	// Content is the GTIN of the trade items contained in a logistic unit
	// (AI 02); Count then says how many.
	Content string
	// Item is the item code of a variable measure label (KindVariableMeasure).
	Item string
	// ItemGTIN names the item of a variable measure label as 14 digits:
	// the label with its value field (and price check digit) zeroed and
	// its check digit made anew, "2X IIIII 00000 C" for LayoutWeight5. It
	// is the same on every label of the item, so a catalogue can hold it
	// as the item's GTIN.
	ItemGTIN string
	// SSCC is the serial shipping container code of a logistic unit (AI 00).
	SSCC string
	// Lot is the batch or lot number (AI 10); Serial the serial number (AI 21).
	Lot, Serial string
	// Dates at midnight UTC: expiry (AI 17), best before (15), production
	// (11) and packaging (13). A day "00" means the last day of the month.
	Expiry, BestBefore, Production, Packaging time.Time
	// Weight is the net weight: AI 310n (kg) or 320n (lb), or a variable
	// measure label's weight.
	Weight Weight
	// Price is the amount payable: AI 390n–393n or a variable measure
	// label's price.
	Price Price
	// Count is the variable count of items (AI 30) or the count of trade
	// items in a logistic unit (AI 37, which comes with AI 02 Content or
	// AI 8026); 0 when absent.
	Count int64
	// AddOn is the 2- or 5-digit add-on of an EAN/UPC symbol (AIM "]E3").
	AddOn string
	// AIs holds every application identifier of an element string with its
	// value as transmitted, e.g. "3103" → "001250". Nil for EAN/UPC codes.
	AIs map[string]string
}

// Measure says what the value field of a variable measure label holds.
type Measure string

// The measures of a VariableLayout.
const (
	MeasureWeight Measure = "weight"
	MeasurePrice  Measure = "price"
)

// VariableLayout describes how a store's label-printing scales lay out an
// in-store EAN-13 (a restricted circulation number, GS1 prefix 20–29):
//
//	prefix | item code | [price check digit] | weight or price | check digit
//
// The digits must add up to 13. Common layouts are LayoutWeight5,
// LayoutPrice5 and LayoutPriceCheck5; a store sets its own to match how its
// scales are configured (Chinese scales of Dahua, Aclas, Teraoka… all let
// the shop choose the flag digits and which fields come where).
type VariableLayout struct {
	// Prefix is what the code must start with for this layout to apply:
	// "2" for any of 20–29, or "28" for one flag. When several layouts match,
	// the one with the longest Prefix wins.
	Prefix string
	// PrefixDigits is how many leading digits come before the item code
	// (the GS1 prefix and flag); 0 means 2.
	PrefixDigits int
	// ItemDigits is the length of the item code (the scale's PLU number).
	ItemDigits int
	// PriceCheck is true when a price/weight check digit (GS1 General
	// Specifications §7.9.3) precedes the value; ValueDigits is then 4 or 5.
	PriceCheck bool
	// ValueDigits is the length of the weight or price field.
	ValueDigits int
	// Measure says whether the value is a weight or a price.
	Measure Measure
	// Decimals of the value: 0 means 3 for a weight in kg (so the field
	// holds grams) and 2 for a price (so it holds fen or cents), unless
	// Whole is set.
	Decimals int
	// Whole says the value has no decimals at all (a price in whole yuan,
	// a weight in whole units); Decimals must then be 0.
	Whole bool
	// Unit of a weight, "kg" when empty; Currency of a price, e.g. "CNY".
	Unit, Currency string
}

// Common variable measure layouts; copy one and set Prefix, Currency… to
// match the store's scales.
var (
	// LayoutWeight5 is 2-digit prefix, 5-digit item code, 5-digit weight in
	// grams, check digit: "2X IIIII WWWWW C".
	LayoutWeight5 = VariableLayout{Prefix: "2", PrefixDigits: 2, ItemDigits: 5, ValueDigits: 5, Measure: MeasureWeight}
	// LayoutPrice5 is 2-digit prefix, 5-digit item code, 5-digit price in
	// fen, check digit: "2X IIIII PPPPP C".
	LayoutPrice5 = VariableLayout{Prefix: "2", PrefixDigits: 2, ItemDigits: 5, ValueDigits: 5, Measure: MeasurePrice, Currency: "CNY"}
	// LayoutPriceCheck5 is 2-digit prefix, 4-digit item code, price check
	// digit, 5-digit price in cents, check digit: "2X IIII V PPPPP C".
	LayoutPriceCheck5 = VariableLayout{Prefix: "2", PrefixDigits: 2, ItemDigits: 4, PriceCheck: true, ValueDigits: 5, Measure: MeasurePrice}
)

// Validate reports whether the layout is usable; the error names the field.
func (l VariableLayout) Validate() error {
	pd := l.prefixDigits()
	switch {
	case l.Prefix == "" || !bcDigits(l.Prefix):
		return fmt.Errorf("variable layout: Prefix %q: want one or more digits", l.Prefix)
	case len(l.Prefix) > pd:
		return fmt.Errorf("variable layout: Prefix %q is longer than PrefixDigits %d", l.Prefix, pd)
	case l.ItemDigits < 1:
		return fmt.Errorf("variable layout: ItemDigits %d: want at least 1", l.ItemDigits)
	case l.ValueDigits < 1:
		return fmt.Errorf("variable layout: ValueDigits %d: want at least 1", l.ValueDigits)
	case l.PriceCheck && l.ValueDigits != 4 && l.ValueDigits != 5:
		return fmt.Errorf("variable layout: ValueDigits %d: a price check digit needs 4 or 5", l.ValueDigits)
	case l.Measure != MeasureWeight && l.Measure != MeasurePrice:
		return fmt.Errorf("variable layout: Measure %q: want %q or %q", l.Measure, MeasureWeight, MeasurePrice)
	case l.Decimals < 0 || l.Decimals > 9:
		return fmt.Errorf("variable layout: Decimals %d: want 0 to 9", l.Decimals)
	case l.Whole && l.Decimals != 0:
		return fmt.Errorf("variable layout: Decimals %d with Whole: a whole value has none", l.Decimals)
	}
	n := pd + l.ItemDigits + l.ValueDigits + 1
	if l.PriceCheck {
		n++
	}
	if n != 13 {
		return fmt.Errorf("variable layout: PrefixDigits+ItemDigits+ValueDigits+check digits = %d, want 13", n)
	}
	return nil
}

func (l VariableLayout) prefixDigits() int {
	if l.PrefixDigits == 0 {
		return 2
	}
	return l.PrefixDigits
}

// Parser parses scanned data. Its zero value is ready to use and reads
// in-store labels as plain EAN-13.
type Parser struct {
	// Variable are the store's variable measure layouts, tried on EAN-13
	// codes by their Prefix.
	Variable []VariableLayout
	// Now gives today's date, from which the century of a two-digit year
	// is decided; nil means time.Now.
	Now func() time.Time
}

// Parse parses data as scanned with the zero Parser. See Parser.Parse.
func Parse(data string) (Code, error) {
	var p Parser
	return p.Parse(data)
}

// Parse reads one scan: data as the scanner sent it, with or without an
// AIM symbology identifier in front, with FNC1 separators as GS (0x1D).
// Surrounding white space is ignored.
//
// Without a symbology identifier the data's shape decides: 8, 12, 13 or 14
// digits are EAN-8, UPC-A, EAN-13 or GTIN-14; "(" starts the parentheses
// form; anything else is tried as an element string, and if that fails the
// error is ErrNotGS1 (a Code 128 shelf label may be any text).
//
// On error the returned Code still holds Symbology and Data; the error
// wraps ErrNotGS1, ErrCheckDigit or ErrFormat.
func (p *Parser) Parse(data string) (Code, error) {
	sym, rest := StripSymbology(strings.TrimSpace(data))
	c := Code{Symbology: sym, Data: rest}
	if rest == "" {
		return c, fmt.Errorf("%w: no data", ErrFormat)
	}
	var err error
	switch {
	case sym == "":
		err = p.parseUnknown(&c)
	case bcGS1Symbologies[sym]:
		err = p.parseElements(&c)
	case sym == "]E0" || sym == "]E3" || sym == "]E4" || sym == "]I0" || sym == "]I1":
		err = p.parseGTIN(&c)
	default:
		err = fmt.Errorf("%w: symbology %s", ErrNotGS1, sym)
	}
	if err != nil {
		return Code{Symbology: sym, Data: rest}, err
	}
	return c, nil
}

// bcGS1Symbologies are the AIM identifiers of symbols that carry GS1
// element strings (FNC1 in first position).
var bcGS1Symbologies = map[string]bool{
	"]C1": true, // GS1-128
	"]e0": true, // GS1 DataBar
	"]d2": true, // GS1 DataMatrix
	"]Q3": true, // GS1 QR Code
	"]J1": true, // GS1 DotCode
}

// StripSymbology splits an AIM symbology identifier (ISO/IEC 15424: "]",
// a letter naming the symbology, a modifier character) from the front of
// data. sym is "" when data does not start with one.
func StripSymbology(data string) (sym, rest string) {
	if IsSymbology(data[:min(3, len(data))]) {
		return data[:3], data[3:]
	}
	return "", data
}

// IsSymbology reports whether s is exactly an AIM symbology identifier.
func IsSymbology(s string) bool {
	return len(s) == 3 && s[0] == ']' && bcLetter(s[1]) && (bcLetter(s[2]) || bcDigit(s[2]))
}

// parseUnknown guesses the kind of data sent without a symbology identifier.
func (p *Parser) parseUnknown(c *Code) error {
	d := c.Data
	if bcDigits(d) {
		switch len(d) {
		case 8, 12, 13, 14:
			return p.parseGTIN(c)
		}
	}
	if d[0] == '(' || strings.Contains(d, GroupSeparator) {
		return p.parseElements(c)
	}
	if err := p.parseElements(c); err != nil {
		return fmt.Errorf("%w (as an element string: %v)", ErrNotGS1, err)
	}
	return nil
}

// parseGTIN reads an EAN/UPC or ITF-14 code.
func (p *Parser) parseGTIN(c *Code) error {
	d := c.Data
	if !bcDigits(d) {
		return fmt.Errorf("%w: %s data %q: want digits only", ErrFormat, bcOr(c.Symbology, "EAN/UPC"), d)
	}
	switch c.Symbology {
	case "]E3":
		switch len(d) {
		case 15, 18:
			d, c.AddOn = d[:13], d[13:]
		default:
			return fmt.Errorf("%w: EAN with add-on: %d digits, want 15 or 18", ErrFormat, len(d))
		}
	case "]E4":
		if len(d) != 8 {
			return fmt.Errorf("%w: EAN-8: %d digits, want 8", ErrFormat, len(d))
		}
	case "]E0":
		if len(d) != 13 && len(d) != 12 {
			return fmt.Errorf("%w: EAN-13/UPC-A: %d digits, want 13 or 12 (UPC-E is not supported)", ErrFormat, len(d))
		}
	case "]I0", "]I1":
		if len(d) != 14 {
			return fmt.Errorf("%w: ITF of %d digits is not an ITF-14", ErrNotGS1, len(d))
		}
	}
	switch len(d) {
	case 8:
		c.Kind = KindEAN8
	case 12:
		c.Kind = KindUPCA
	case 13:
		c.Kind = KindEAN13
	case 14:
		c.Kind = KindGTIN14
	default:
		return fmt.Errorf("%w: %d digits is no GTIN length", ErrFormat, len(d))
	}
	if err := bcCheck(strings.ToUpper(string(c.Kind)), d); err != nil {
		return err
	}
	c.GTIN = strings.Repeat("0", 14-len(d)) + d
	if c.Kind == KindEAN13 {
		return p.parseVariable(c, d)
	}
	return nil
}

// parseVariable reads an in-store EAN-13 with the store's layout, if one
// matches its prefix.
func (p *Parser) parseVariable(c *Code, d string) error {
	var l *VariableLayout
	for i := range p.Variable {
		v := &p.Variable[i]
		if strings.HasPrefix(d, v.Prefix) && (l == nil || len(v.Prefix) > len(l.Prefix)) {
			l = v
		}
	}
	if l == nil {
		return nil
	}
	if err := l.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	i := l.prefixDigits()
	item := d[i : i+l.ItemDigits]
	i += l.ItemDigits
	var pcd byte
	if l.PriceCheck {
		pcd = d[i]
		i++
	}
	field := d[i : i+l.ValueDigits]
	if l.PriceCheck {
		if want := bcPriceCheckDigit(field); want != pcd {
			return fmt.Errorf("%w: price/weight check digit of %s: want %c, got %c", ErrCheckDigit, field, want, pcd)
		}
	}
	v, err := strconv.ParseInt(field, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: value %q: %v", ErrFormat, field, err)
	}
	c.Kind = KindVariableMeasure
	c.Item = item
	key := d[:l.prefixDigits()+l.ItemDigits]
	key += strings.Repeat("0", 12-len(key))
	c.ItemGTIN = "0" + key + string(bcCheckDigit(key))
	wd, pd := bcOrInt(l.Decimals, 3), bcOrInt(l.Decimals, 2)
	if l.Whole {
		wd, pd = 0, 0
	}
	switch l.Measure {
	case MeasureWeight:
		c.Weight = Weight{Value: v, Decimals: wd, Unit: bcOr(l.Unit, "kg")}
	case MeasurePrice:
		c.Price = Price{Value: v, Decimals: pd, Currency: l.Currency}
	}
	return nil
}

// parseElements reads an element string in raw or parentheses form.
func (p *Parser) parseElements(c *Code) error {
	var elems []bcElement
	var err error
	if c.Data[0] == '(' {
		elems, err = bcParseParens(c.Data)
	} else {
		elems, err = bcParseRaw(c.Data)
	}
	if err != nil {
		return err
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	today := now()
	c.Kind = KindElementString
	c.AIs = make(map[string]string, len(elems))
	for _, e := range elems {
		if prev, ok := c.AIs[e.ai]; ok {
			if prev != e.val {
				return fmt.Errorf("%w: AI (%s) twice, %q and %q", ErrFormat, e.ai, prev, e.val)
			}
			continue
		}
		c.AIs[e.ai] = e.val
		if err := bcFill(c, e, today); err != nil {
			return err
		}
	}
	return bcAssociations(c.AIs)
}

// bcRequires lists AIs that are only valid together with one of others,
// and bcExcludes pairs of AIs that may not appear together (the mandatory
// associations and invalid pairs of the GS1 General Specifications §4.13
// and the GS1 Barcode Syntax Dictionary): AI 02 (GTIN of contained items)
// needs AI 37 (their count) and excludes AI 01; AI 37 needs AI 02 or AI
// 8026. Only the rules that decide what a scan books are checked.
var (
	bcRequires = []struct {
		ai    string
		anyOf []string
	}{
		{"02", []string{"37"}},
		{"37", []string{"02", "8026"}},
	}
	bcExcludes = [][2]string{{"01", "02"}}
)

// bcAssociations checks the AIs of one element string against bcRequires
// and bcExcludes.
func bcAssociations(ais map[string]string) error {
	for _, r := range bcRequires {
		if _, ok := ais[r.ai]; !ok {
			continue
		}
		found := false
		for _, o := range r.anyOf {
			if _, ok := ais[o]; ok {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%w: AI (%s) requires AI (%s)", ErrFormat, r.ai, strings.Join(r.anyOf, ") or ("))
		}
	}
	for _, x := range bcExcludes {
		_, a := ais[x[0]]
		_, b := ais[x[1]]
		if a && b {
			return fmt.Errorf("%w: AI (%s) and AI (%s) may not appear together", ErrFormat, x[0], x[1])
		}
	}
	return nil
}

// bcFill sets the Code field an element string stands for.
func bcFill(c *Code, e bcElement, today time.Time) error {
	ai, v := e.ai, e.val
	var err error
	switch {
	case ai == "00":
		c.SSCC = v
	case ai == "01":
		c.GTIN = v
	case ai == "02":
		c.Content = v
	case ai == "10":
		c.Lot = v
	case ai == "21":
		c.Serial = v
	case ai == "11":
		c.Production, err = bcDate(v, today)
	case ai == "13":
		c.Packaging, err = bcDate(v, today)
	case ai == "15":
		c.BestBefore, err = bcDate(v, today)
	case ai == "17":
		c.Expiry, err = bcDate(v, today)
	case ai == "30" || ai == "37":
		if c.Count == 0 {
			c.Count, err = strconv.ParseInt(v, 10, 64)
		}
	case len(ai) == 4 && (ai[:3] == "310" || ai[:3] == "320"):
		if c.Weight.Unit == "" {
			n, perr := strconv.ParseInt(v, 10, 64)
			c.Weight, err = Weight{Value: n, Decimals: int(ai[3] - '0'), Unit: map[string]string{"310": "kg", "320": "lb"}[ai[:3]]}, perr
		}
	case len(ai) == 4 && ai[:2] == "39" && ai[2] <= '3':
		if c.Price == (Price{}) {
			cur := ""
			if ai[2] == '1' || ai[2] == '3' {
				cur, v = v[:3], v[3:]
			}
			n, perr := strconv.ParseInt(v, 10, 64)
			c.Price, err = Price{Value: n, Decimals: int(ai[3] - '0'), Currency: cur}, perr
		}
	}
	if err != nil {
		return fmt.Errorf("%w: AI (%s) %q: %v", ErrFormat, ai, v, err)
	}
	return nil
}

// bcDate reads YYMMDD; day 00 means the last day of the month. The century
// follows GS1 General Specifications §7.12: a year 51–99 years ahead of
// today is in the past century, one 50–99 years behind in the next.
func bcDate(v string, today time.Time) (time.Time, error) {
	yy, _ := strconv.Atoi(v[0:2])
	mm, _ := strconv.Atoi(v[2:4])
	dd, _ := strconv.Atoi(v[4:6])
	cur := today.Year()
	century := cur - cur%100
	switch diff := yy - cur%100; {
	case diff >= 51:
		century -= 100
	case diff <= -50:
		century += 100
	}
	y := century + yy
	if mm < 1 || mm > 12 {
		return time.Time{}, fmt.Errorf("month %02d", mm)
	}
	last := time.Date(y, time.Month(mm)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if dd > last {
		return time.Time{}, fmt.Errorf("day %02d of %d-%02d", dd, y, mm)
	}
	if dd == 0 {
		dd = last
	}
	return time.Date(y, time.Month(mm), dd, 0, 0, 0, 0, time.UTC), nil
}

// bcElement is one AI and its value.
type bcElement struct{ ai, val string }

// bcParseRaw reads element strings as a scanner transmits them.
// Predefined-length fields run on; others end at GS or the end of data. A
// GS after a fixed-length field is tolerated, and so is one in front (some
// scanners transmit the leading FNC1).
func bcParseRaw(s string) ([]bcElement, error) {
	var out []bcElement
	s = strings.TrimPrefix(s, GroupSeparator)
	for len(s) > 0 {
		ai, spec, ok := bcFindAI(s)
		if !ok {
			return nil, fmt.Errorf("%w: unknown AI at %q", ErrFormat, bcClip(s))
		}
		s = s[len(ai):]
		var val string
		if spec.fixed {
			if len(s) < spec.max {
				return nil, fmt.Errorf("%w: AI (%s): %d characters, want %d", ErrFormat, ai, len(s), spec.max)
			}
			val, s = s[:spec.max], s[spec.max:]
		} else {
			end := strings.IndexByte(s, GroupSeparator[0])
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		if err := spec.check(ai, val); err != nil {
			return nil, err
		}
		out = append(out, bcElement{ai, val})
		s = strings.TrimPrefix(s, GroupSeparator)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no element strings", ErrFormat)
	}
	return out, nil
}

// bcParseParens reads the human-readable form "(01)09501101530003(10)ABC".
// A value runs to the next "(" that opens a known AI, so values may hold
// parentheses that do not.
func bcParseParens(s string) ([]bcElement, error) {
	var out []bcElement
	for len(s) > 0 {
		end := strings.IndexByte(s, ')')
		if s[0] != '(' || end < 0 {
			return nil, fmt.Errorf("%w: want (AI) at %q", ErrFormat, bcClip(s))
		}
		ai := s[1:end]
		spec, ok := bcAIs[ai]
		if !ok {
			return nil, fmt.Errorf("%w: unknown AI (%s)", ErrFormat, bcClip(ai))
		}
		s = s[end+1:]
		n := bcNextParen(s)
		val := s[:n]
		s = s[n:]
		if spec.fixed && len(val) != spec.max {
			return nil, fmt.Errorf("%w: AI (%s): %d characters, want %d", ErrFormat, ai, len(val), spec.max)
		}
		if err := spec.check(ai, val); err != nil {
			return nil, err
		}
		out = append(out, bcElement{ai, val})
	}
	return out, nil
}

func bcNextParen(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '(' {
			continue
		}
		if j := strings.IndexByte(s[i:], ')'); j > 0 {
			if _, ok := bcAIs[s[i+1:i+j]]; ok {
				return i
			}
		}
	}
	return len(s)
}

// bcFindAI finds the AI at the front of s: AIs are 2, 3 or 4 digits and no
// AI is the prefix of another.
func bcFindAI(s string) (string, bcSpec, bool) {
	for n := 2; n <= 4 && n <= len(s); n++ {
		if spec, ok := bcAIs[s[:n]]; ok {
			return s[:n], spec, true
		}
	}
	return "", bcSpec{}, false
}

// bcSpec is the data format of one AI (GS1 General Specifications §3).
type bcSpec struct {
	min, max int
	fixed    bool // exactly max characters
	numeric  bool // digits only
	lead     int  // leading characters that must be digits (compound fields)
	cd       int  // the first cd digits end in a GS1 check digit
	date     bool // YYMMDD
}

func (sp bcSpec) check(ai, v string) error {
	if len(v) < sp.min || len(v) > sp.max {
		if sp.min == sp.max {
			return fmt.Errorf("%w: AI (%s): %d characters, want %d", ErrFormat, ai, len(v), sp.max)
		}
		return fmt.Errorf("%w: AI (%s): %d characters, want %d to %d", ErrFormat, ai, len(v), sp.min, sp.max)
	}
	if sp.numeric && !bcDigits(v) {
		return fmt.Errorf("%w: AI (%s) %q: want digits only", ErrFormat, ai, bcClip(v))
	}
	if !bcDigits(v[:sp.lead]) {
		return fmt.Errorf("%w: AI (%s) %q: want %d leading digits", ErrFormat, ai, bcClip(v), sp.lead)
	}
	for i := 0; i < len(v); i++ {
		if !bcCSet82[v[i]] {
			return fmt.Errorf("%w: AI (%s): character %q not allowed", ErrFormat, ai, v[i])
		}
	}
	if sp.cd > 0 {
		if err := bcCheck("AI ("+ai+")", v[:sp.cd]); err != nil {
			return err
		}
	}
	if sp.date {
		if _, err := bcDate(v, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			return fmt.Errorf("%w: AI (%s) %q: %v", ErrFormat, ai, v, err)
		}
	}
	return nil
}

// bcCSet82 is GS1 AI encodable character set 82 (General Specifications
// figure 7.11-1): the characters allowed in alphanumeric AIs.
var bcCSet82 = func() (t [256]bool) {
	for _, c := range "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz" {
		t[c] = true
	}
	return t
}()

// Spec constructors: fixed numeric, variable numeric, variable alphanumeric,
// and compound fields of lead digits followed by more.
func bcN(n int) bcSpec    { return bcSpec{min: n, max: n, fixed: true, numeric: true, lead: n} }
func bcNv(max int) bcSpec { return bcSpec{min: 1, max: max, numeric: true} }
func bcXv(max int) bcSpec { return bcSpec{min: 1, max: max} }
func bcNcd(n int) bcSpec  { s := bcN(n); s.cd = n; return s }
func bcDateN() bcSpec     { s := bcN(6); s.date = true; return s }
func bcNX(lead, max int) bcSpec {
	return bcSpec{min: lead, max: max, lead: lead}
}

// bcAIs is the table of application identifiers this parser knows, from
// the GS1 General Specifications. Data of an AI not listed here cannot be
// delimited, so it is an error.
var bcAIs = func() map[string]bcSpec {
	m := map[string]bcSpec{
		"00": bcNcd(18), "01": bcNcd(14), "02": bcNcd(14), "03": bcNcd(14),
		"10": bcXv(20), "11": bcDateN(), "12": bcDateN(), "13": bcDateN(),
		"15": bcDateN(), "16": bcDateN(), "17": bcDateN(),
		"20": bcN(2), "21": bcXv(20), "22": bcXv(20),
		"235": bcXv(28), "240": bcXv(30), "241": bcXv(30), "242": bcNv(6),
		"243": bcXv(20), "250": bcXv(30), "251": bcXv(30), "254": bcXv(20),
		"30": bcNv(8), "37": bcNv(8),
		"400": bcXv(30), "401": bcXv(30), "402": bcNcd(17), "403": bcXv(30),
		"420": bcXv(20), "421": bcNX(3, 12), "422": bcN(3), "423": bcNv(15),
		"424": bcN(3), "425": bcNv(15), "426": bcN(3), "427": bcXv(3),
		"7001": bcN(13), "7002": bcXv(30), "7003": bcN(10), "7004": bcNv(4),
		"7005": bcXv(12), "7006": bcDateN(), "7008": bcXv(3), "7009": bcXv(10),
		"7010": bcXv(2), "7020": bcXv(20), "7021": bcXv(20), "7022": bcXv(20),
		"7023": bcXv(30), "7240": bcXv(20),
		"8001": bcN(14), "8002": bcXv(20), "8003": bcNX(14, 30), "8004": bcXv(30),
		"8005": bcN(6), "8006": bcN(18), "8007": bcXv(34), "8009": bcXv(50),
		"8010": bcXv(30), "8011": bcNv(12), "8012": bcXv(20), "8013": bcXv(25),
		"8017": bcNcd(18), "8018": bcNcd(18), "8019": bcNv(10), "8020": bcXv(25),
		"8026": bcN(18), "8110": bcXv(70), "8111": bcN(4), "8112": bcXv(70),
		"8200": bcXv(70), "90": bcXv(30),
	}
	gdti := bcNX(13, 30) // 253: GDTI, 13 digits then an optional serial
	gdti.cd = 13
	m["253"] = gdti
	gcn := bcNX(13, 25) // 255: GCN, 13 digits then an optional serial
	gcn.numeric, gcn.cd = true, 13
	m["255"] = gcn
	m["7007"] = bcSpec{min: 6, max: 12, numeric: true}
	m["8008"] = bcSpec{min: 8, max: 12, numeric: true}
	for ai := 410; ai <= 417; ai++ {
		m[strconv.Itoa(ai)] = bcNcd(13)
	}
	for ai := 710; ai <= 716; ai++ {
		m[strconv.Itoa(ai)] = bcXv(20)
	}
	for ai := 91; ai <= 99; ai++ {
		m[strconv.Itoa(ai)] = bcXv(90)
	}
	// Trade and logistic measures 310n–369n: six digits, n decimals (0–5).
	for ai := 310; ai <= 369; ai++ {
		for n := 0; n <= 5; n++ {
			m[fmt.Sprintf("%d%d", ai, n)] = bcN(6)
		}
	}
	for n := 0; n <= 9; n++ {
		d := strconv.Itoa(n)
		m["390"+d] = bcNv(15)                               // amount payable, local currency
		m["391"+d] = bcSpec{min: 4, max: 18, numeric: true} // ISO 4217 currency + amount
		m["392"+d] = bcNv(15)                               // amount payable, variable measure item
		m["393"+d] = bcSpec{min: 4, max: 18, numeric: true} // ISO 4217 currency + amount
	}
	for n := 0; n <= 3; n++ {
		m["394"+strconv.Itoa(n)] = bcN(4)
	}
	for n := 0; n <= 5; n++ {
		m["395"+strconv.Itoa(n)] = bcN(6)
	}
	return m
}()

// bcCheck validates the GS1 check digit that ends digits (§7.9.1).
func bcCheck(what, digits string) error {
	n := len(digits)
	want := bcCheckDigit(digits[:n-1])
	if got := digits[n-1]; got != want {
		return fmt.Errorf("%w: %s %s: want check digit %c, got %c", ErrCheckDigit, what, digits, want, got)
	}
	return nil
}

// bcCheckDigit computes the GS1 mod-10 check digit of digits: weights 3
// and 1 alternate from the right.
func bcCheckDigit(digits string) byte {
	sum := 0
	for i := len(digits) - 1; i >= 0; i -= 2 {
		sum += 3 * int(digits[i]-'0')
		if i > 0 {
			sum += int(digits[i-1] - '0')
		}
	}
	return byte('0' + (10-sum%10)%10)
}

// Results of the GS1 price/weight weighting factors (§7.9.3) per digit:
// 2- (×2, minus the tens digit, units digit), 3 (×3, whole product),
// 5+ (×5, plus the tens digit, units digit), 5- (×5, minus the tens digit,
// units digit).
var (
	bcW2m = [10]int{0, 2, 4, 6, 8, 9, 1, 3, 5, 7}
	bcW3  = [10]int{0, 3, 6, 9, 12, 15, 18, 21, 24, 27}
	bcW5p = [10]int{0, 5, 1, 6, 2, 7, 3, 8, 4, 9}
	bcW5m = [10]int{0, 5, 9, 4, 8, 3, 7, 2, 6, 1}
)

// bcPriceCheckDigit computes the price/weight check digit of a 4- or
// 5-digit field (GS1 General Specifications §7.9.3).
func bcPriceCheckDigit(f string) byte {
	d := func(i int) int { return int(f[i] - '0') }
	if len(f) == 4 {
		sum := bcW2m[d(0)] + bcW2m[d(1)] + bcW3[d(2)] + bcW5m[d(3)]
		return byte('0' + sum*3%10)
	}
	sum := bcW5p[d(0)] + bcW2m[d(1)] + bcW5m[d(2)] + bcW5p[d(3)] + bcW2m[d(4)]
	r := (10 - sum%10) % 10
	// The check digit is the digit whose 5- product is r.
	for c := range bcW5m {
		if bcW5m[c] == r {
			return byte('0' + c)
		}
	}
	panic("unreachable")
}

func bcDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !bcDigit(s[i]) {
			return false
		}
	}
	return true
}

func bcDigit(c byte) bool  { return c >= '0' && c <= '9' }
func bcLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func bcPow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

func bcOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func bcOrInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// bcClip shortens s for an error message.
func bcClip(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
