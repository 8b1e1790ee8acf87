package gs1

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file decodes and encodes the EPC bank of RFID tags following the GS1
// EPC Tag Data Standard (TDS): SGTIN-96 in full, every other scheme kept
// raw. Names are prefixed EPC/SGTIN so they never clash with barcode.go.

var (
	// ErrEPCInvalid means EPC bytes claim a scheme (by their header) but do
	// not follow it, or an SGTIN cannot be encoded from the given values;
	// the text says what was wrong.
	ErrEPCInvalid = errors.New("invalid EPC")
)

// EPC schemes DecodeEPC reports.
const (
	// EPCSchemeSGTIN96 is a Serialised GTIN in 96 bits (header 0x30).
	EPCSchemeSGTIN96 = "sgtin-96"
	// EPCSchemeRaw is any EPC DecodeEPC does not decode; only Hex and Bits
	// are set.
	EPCSchemeRaw = "raw"
)

// sgtin96Header is the SGTIN-96 header byte (TDS table 14-1).
const sgtin96Header = 0x30

// EPC is a decoded EPC bank.
type EPC struct {
	// Scheme is EPCSchemeSGTIN96 or EPCSchemeRaw.
	Scheme string
	// Hex is the EPC bytes in upper-case hexadecimal; Bits their length in
	// bits. Both are always set.
	Hex  string
	Bits int

	// The fields below are set for SGTIN-96 only.

	// Filter is the 3-bit filter value (1 = point of sale item, …).
	Filter uint8
	// CompanyPrefix is the GS1 Company Prefix, 6 to 12 digits with leading
	// zeros, as the partition value says.
	CompanyPrefix string
	// ItemReference is the indicator (or padding) digit followed by the
	// item reference, 13 minus the company prefix digits.
	ItemReference string
	// GTIN is the GTIN-14 with its check digit computed.
	GTIN string
	// Serial is the serial number in decimal (SGTIN-96 serials are numeric,
	// up to 2^38-1, with no leading zeros).
	Serial string
}

// URI returns the EPC's pure identity URI: urn:epc:id:sgtin:CP.IR.SERIAL for
// an SGTIN, urn:epc:raw:BITS.xHEX otherwise.
func (e EPC) URI() string {
	if e.Scheme == EPCSchemeSGTIN96 {
		return "urn:epc:id:sgtin:" + e.CompanyPrefix + "." + e.ItemReference + "." + e.Serial
	}
	return e.rawURI()
}

// TagURI returns the EPC tag URI, which keeps the filter value:
// urn:epc:tag:sgtin-96:F.CP.IR.SERIAL for an SGTIN, the raw URI otherwise.
func (e EPC) TagURI() string {
	if e.Scheme == EPCSchemeSGTIN96 {
		return "urn:epc:tag:sgtin-96:" + strconv.Itoa(int(e.Filter)) + "." +
			e.CompanyPrefix + "." + e.ItemReference + "." + e.Serial
	}
	return e.rawURI()
}

func (e EPC) rawURI() string {
	return "urn:epc:raw:" + strconv.Itoa(e.Bits) + ".x" + e.Hex
}

// sgtinPartitions is the SGTIN partition table (TDS table 14-2): company
// prefix bits and digits, item reference (with indicator) bits and digits.
var sgtinPartitions = [7]struct {
	cpBits, cpDigits, irBits, irDigits int
}{
	{40, 12, 4, 1},
	{37, 11, 7, 2},
	{34, 10, 10, 3},
	{30, 9, 14, 4},
	{27, 8, 17, 5},
	{24, 7, 20, 6},
	{20, 6, 24, 7},
}

// sgtinSerialBits is the width of the SGTIN-96 serial field.
const sgtinSerialBits = 38

// DecodeEPC decodes the contents of a tag's EPC bank (without the PC word).
// An SGTIN-96 (header 0x30, exactly 12 bytes) is decoded into its fields
// and GTIN-14; any other header gives Scheme "raw" and a nil error. An
// SGTIN-96 that breaks the standard (wrong length, partition 7, a company
// prefix or item reference too large for its digits) gives an error
// wrapping ErrEPCInvalid together with the raw form, so a caller can still
// keep the tag by its hex. Empty input is an error too.
func DecodeEPC(epc []byte) (EPC, error) {
	raw := EPC{Scheme: EPCSchemeRaw, Hex: strings.ToUpper(hex.EncodeToString(epc)), Bits: 8 * len(epc)}
	if len(epc) == 0 {
		return raw, fmt.Errorf("empty EPC: %w", ErrEPCInvalid)
	}
	if epc[0] != sgtin96Header {
		return raw, nil
	}
	if len(epc) != 12 {
		return raw, fmt.Errorf("sgtin-96 header with %d bytes, want 12: %w", len(epc), ErrEPCInvalid)
	}
	r := epcBitReader{b: epc, pos: 8}
	filter := uint8(r.read(3))
	partition := int(r.read(3))
	if partition >= len(sgtinPartitions) {
		return raw, fmt.Errorf("sgtin-96 partition %d: %w", partition, ErrEPCInvalid)
	}
	p := sgtinPartitions[partition]
	cp := r.read(p.cpBits)
	ir := r.read(p.irBits)
	serial := r.read(sgtinSerialBits)
	if cp >= epcPow10(p.cpDigits) {
		return raw, fmt.Errorf("sgtin-96 company prefix %d has more than %d digits: %w", cp, p.cpDigits, ErrEPCInvalid)
	}
	if ir >= epcPow10(p.irDigits) {
		return raw, fmt.Errorf("sgtin-96 item reference %d has more than %d digits: %w", ir, p.irDigits, ErrEPCInvalid)
	}
	e := raw
	e.Scheme = EPCSchemeSGTIN96
	e.Filter = filter
	e.CompanyPrefix = epcZeroPad(cp, p.cpDigits)
	e.ItemReference = epcZeroPad(ir, p.irDigits)
	e.Serial = strconv.FormatUint(serial, 10)
	// GTIN-14: indicator digit, company prefix, rest of the item reference,
	// check digit.
	body := e.ItemReference[:1] + e.CompanyPrefix + e.ItemReference[1:]
	e.GTIN = body + string('0'+sgtinCheckDigit(body))
	return e, nil
}

// EncodeSGTIN96 encodes an SGTIN-96 EPC from a GTIN-14 (check digit
// included and verified), a serial below 2^38, a filter value 0–7 and the
// number of digits of the GS1 Company Prefix inside the GTIN (6–12), which
// the GTIN alone does not tell. It returns the 12 EPC bytes, or an error
// wrapping ErrEPCInvalid.
func EncodeSGTIN96(gtin14 string, serial uint64, filter, companyPrefixDigits int) ([]byte, error) {
	if len(gtin14) != 14 {
		return nil, fmt.Errorf("gtin %q has %d digits, want 14: %w", gtin14, len(gtin14), ErrEPCInvalid)
	}
	for i := 0; i < len(gtin14); i++ {
		if gtin14[i] < '0' || gtin14[i] > '9' {
			return nil, fmt.Errorf("gtin %q is not all digits: %w", gtin14, ErrEPCInvalid)
		}
	}
	if want := sgtinCheckDigit(gtin14[:13]); gtin14[13]-'0' != want {
		return nil, fmt.Errorf("gtin %q check digit is %c, want %d: %w", gtin14, gtin14[13], want, ErrEPCInvalid)
	}
	if filter < 0 || filter > 7 {
		return nil, fmt.Errorf("filter %d out of 0..7: %w", filter, ErrEPCInvalid)
	}
	if companyPrefixDigits < 6 || companyPrefixDigits > 12 {
		return nil, fmt.Errorf("company prefix of %d digits out of 6..12: %w", companyPrefixDigits, ErrEPCInvalid)
	}
	if serial >= 1<<sgtinSerialBits {
		return nil, fmt.Errorf("serial %d does not fit 38 bits: %w", serial, ErrEPCInvalid)
	}
	partition := 12 - companyPrefixDigits
	p := sgtinPartitions[partition]
	cp, _ := strconv.ParseUint(gtin14[1:1+companyPrefixDigits], 10, 64)
	ir, _ := strconv.ParseUint(gtin14[:1]+gtin14[1+companyPrefixDigits:13], 10, 64)

	w := epcBitWriter{b: make([]byte, 12)}
	w.write(sgtin96Header, 8)
	w.write(uint64(filter), 3)
	w.write(uint64(partition), 3)
	w.write(cp, p.cpBits)
	w.write(ir, p.irBits)
	w.write(serial, sgtinSerialBits)
	return w.b, nil
}

// sgtinCheckDigit returns the GS1 mod-10 check digit of digits (the number
// without its check digit): weights 3 and 1 alternate from the right.
func sgtinCheckDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte((10 - sum%10) % 10)
}

func epcPow10(n int) uint64 {
	v := uint64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

func epcZeroPad(v uint64, digits int) string {
	s := strconv.FormatUint(v, 10)
	if len(s) < digits {
		s = strings.Repeat("0", digits-len(s)) + s
	}
	return s
}

// epcBitReader reads big-endian bit fields; the caller keeps reads within b.
type epcBitReader struct {
	b   []byte
	pos int
}

func (r *epcBitReader) read(n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		bit := r.b[r.pos/8] >> (7 - r.pos%8) & 1
		v = v<<1 | uint64(bit)
		r.pos++
	}
	return v
}

// epcBitWriter writes big-endian bit fields into a zeroed b.
type epcBitWriter struct {
	b   []byte
	pos int
}

func (w *epcBitWriter) write(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		if v>>i&1 == 1 {
			w.b[w.pos/8] |= 1 << (7 - w.pos%8)
		}
		w.pos++
	}
}
