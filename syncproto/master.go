package syncproto

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Master data limits (README, "sync protocol additions").
const (
	// MaxMasterRecords bounds the records of one MasterBatch. Like
	// MaxBatchEvents it keeps a few hundred bytes of zstd from declaring
	// millions of empty records; a real batch of MaxBatchBody holds fewer.
	MaxMasterRecords = 1 << 14
	// MaxMasterBody bounds one master record's body: a product with its
	// barcodes is ~100 bytes, a device profile a few KiB.
	MaxMasterBody = 64 << 10
	// MaxMasterKind bounds a record kind's length.
	MaxMasterKind = 32
	// MaxProductGTINs bounds the barcodes of one product record.
	MaxProductGTINs = 64
	// MaxMasterRev bounds revisions, so that stores keep them in int64
	// columns that order correctly.
	MaxMasterRev = math.MaxInt64 - 1
)

// Master record kinds this build knows. Others are stored and not applied.
const (
	KindProduct       = "product"
	KindBin           = "bin"
	KindStockLimit    = "stock_limit"
	KindUser          = "user"
	KindDeviceProfile = "device_profile"
)

// MasterRecordWireSize returns the bytes a record adds to a MasterBatch
// body (its framing included), for builders that stop before MaxBatchBody.
func MasterRecordWireSize(r *pb.MasterRecord) int {
	return 1 + protowire.SizeBytes(proto.Size(r))
}

// FitMasterBatch returns how many of recs, from the first on, one
// MasterBatch should carry: the most whose framed size is at most
// MaxBatchBody, and at most MaxMasterRecords; at least 1 when recs is not
// empty (a record is at most MaxMasterBody, far below a batch).
func FitMasterBatch(recs []*pb.MasterRecord) int {
	size := 0
	for i, r := range recs {
		size += MasterRecordWireSize(r)
		if i > 0 && (size > MaxBatchBody || i == MaxMasterRecords) {
			return i
		}
	}
	return len(recs)
}

// EncodeMasterBatch sets b's version, checks it as DecodeMasterBatch would
// and encodes it like an event batch: a format byte, then the protobuf,
// zstd-compressed above CompressThreshold. It returns ErrTooLarge when it
// would be over MaxWireSize, over MaxDecodedSize uncompressed or hold more
// than MaxMasterRecords, and ErrMalformed when a check fails.
func EncodeMasterBatch(b *pb.MasterBatch) ([]byte, error) {
	b.Version = Version
	if len(b.GetRecords()) > MaxMasterRecords {
		return nil, fmt.Errorf("%w: master batch of %d records, limit %d", ErrTooLarge, len(b.GetRecords()), MaxMasterRecords)
	}
	if err := checkMasterBatch(b); err != nil {
		return nil, err
	}
	body, err := proto.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode master batch: %w", err)
	}
	if len(body) > MaxDecodedSize {
		return nil, fmt.Errorf("%w: master batch of %d records is %d bytes uncompressed", ErrTooLarge, len(b.GetRecords()), len(body))
	}
	out := frame(body)
	if len(out) > MaxWireSize {
		return nil, fmt.Errorf("%w: master batch of %d records is %d bytes on the wire", ErrTooLarge, len(b.GetRecords()), len(out))
	}
	return out, nil
}

// DecodeMasterBatch decodes and checks a master batch: size and record
// count limits (counted before anything is allocated per record), version,
// valid tenant and site names, from_rev ≤ to_rev ≤ MaxMasterRev, records
// in increasing revision order inside (from_rev, to_rev], no (kind, key)
// twice, and each record valid by ValidateMasterRecord. Errors wrap
// ErrTooLarge, ErrVersion or ErrMalformed. It does not check the body of
// a known kind: see DecodeProductRecord.
func DecodeMasterBatch(wire []byte) (*pb.MasterBatch, error) {
	body, err := unframe(wire)
	if err != nil {
		return nil, err
	}
	n, err := countField(body, 6)
	if err != nil {
		return nil, err
	}
	if n > MaxMasterRecords {
		return nil, fmt.Errorf("%w: master batch of more than %d records", ErrTooLarge, MaxMasterRecords)
	}
	b := new(pb.MasterBatch)
	if err := proto.Unmarshal(body, b); err != nil {
		return nil, fmt.Errorf("%w: master batch: %v", ErrMalformed, err)
	}
	if err := checkMasterBatch(b); err != nil {
		return nil, err
	}
	return b, nil
}

func checkMasterBatch(b *pb.MasterBatch) error {
	if b.GetVersion() == 0 {
		return fmt.Errorf("%w: master batch", ErrVersion)
	}
	if err := ValidName(b.GetTenant()); err != nil {
		return fmt.Errorf("%w: master batch tenant: %v", ErrMalformed, err)
	}
	if err := ValidName(b.GetSite()); err != nil {
		return fmt.Errorf("%w: master batch site: %v", ErrMalformed, err)
	}
	from, to := b.GetFromRev(), b.GetToRev()
	if to < from || to > MaxMasterRev {
		return fmt.Errorf("%w: master batch revisions %d..%d", ErrMalformed, from, to)
	}
	prev := from
	seen := make(map[[2]string]bool, len(b.GetRecords()))
	for i, r := range b.GetRecords() {
		if rev := r.GetRevision(); rev <= prev || rev > to {
			return fmt.Errorf("%w: records[%d] has revision %d, not in %d..%d after %d", ErrMalformed, i, rev, from+1, to, prev)
		}
		prev = r.GetRevision()
		if err := ValidateMasterRecord(r); err != nil {
			return fmt.Errorf("%w: records[%d]: %w", ErrMalformed, i, err)
		}
		k := [2]string{r.GetKind(), r.GetKey()}
		if seen[k] {
			return fmt.Errorf("%w: records[%d]: %s %q twice in one batch", ErrMalformed, i, r.GetKind(), r.GetKey())
		}
		seen[k] = true
	}
	return nil
}

// ValidateMasterRecord checks a record's envelope: kind of 1 to
// MaxMasterKind bytes of a-z, 0-9 and _; key a valid string field
// (CheckString, required); revision 1 … MaxMasterRev; body at most
// MaxMasterBody, and empty when deleted. It returns a *ValidationError.
func ValidateMasterRecord(r *pb.MasterRecord) error {
	k := r.GetKind()
	if k == "" || len(k) > MaxMasterKind {
		return invalidField("kind", fmt.Sprintf("must be 1 to %d bytes", MaxMasterKind), fmt.Sprintf("长度应为 1 到 %d 字节", MaxMasterKind))
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return invalidField("kind", fmt.Sprintf("%q may hold only a-z, 0-9 and _", k), fmt.Sprintf("%q 只能包含 a-z、0-9 和 _", k))
		}
	}
	if err := CheckString("key", r.GetKey(), true); err != nil {
		return err
	}
	if rev := r.GetRevision(); rev == 0 || rev > MaxMasterRev {
		return invalidField("revision", fmt.Sprintf("%d is outside 1 … %d", rev, int64(MaxMasterRev)), fmt.Sprintf("的值 %d 超出 1 到 %d 的范围", rev, int64(MaxMasterRev)))
	}
	if n := len(r.GetBody()); n > MaxMasterBody {
		return invalidField("body", fmt.Sprintf("is %d bytes, limit %d", n, MaxMasterBody), fmt.Sprintf("长 %d 字节，超过上限 %d 字节", n, MaxMasterBody))
	}
	if r.GetDeleted() && len(r.GetBody()) > 0 {
		return invalidField("body", "is not empty in a deleted record", "已删除的记录不应带内容")
	}
	return nil
}

// DecodeProductRecord decodes and checks the body of a "product" record:
// name and unit valid optional string fields, price 0 … MaxQty fen, 1 to
// MaxProductGTINs GTINs of 8, 12, 13 or 14 digits with a valid GS1 check
// digit. It returns a *ValidationError (wrapping ErrInvalidEvent) or one
// wrapping ErrMalformed when the body does not decode.
func DecodeProductRecord(body []byte) (*pb.ProductRecord, error) {
	p := new(pb.ProductRecord)
	if err := proto.Unmarshal(body, p); err != nil {
		return nil, fmt.Errorf("%w: product record: %v", ErrMalformed, err)
	}
	if err := ValidateProductRecord(p); err != nil {
		return nil, err
	}
	return p, nil
}

// ValidateProductRecord checks a product record as DecodeProductRecord does.
func ValidateProductRecord(p *pb.ProductRecord) error {
	if err := checkStrings([]stringField{{"name", p.GetName(), false}, {"unit", p.GetUnit(), false},
		{"product", p.GetProduct(), false}, {"plu", p.GetPlu(), false}}); err != nil {
		return err
	}
	for i, a := range p.GetAttrs() {
		if err := CheckString(fmt.Sprintf("attrs[%d]", i), a, false); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"price", p.GetPrice()}, {"wholesale_price", p.GetWholesalePrice()}} {
		if f.v < 0 || f.v > MaxQty {
			return invalidField(f.name, fmt.Sprintf("%d is outside 0 … %d fen", f.v, int64(MaxQty)), fmt.Sprintf("的值 %d 超出范围：应在 0 到 %d 分之间", f.v, int64(MaxQty)))
		}
	}
	if d := p.GetWeightDecimals(); d < 0 || d > 3 {
		return invalidField("weight_decimals", fmt.Sprintf("%d is outside 0 … 3", d), fmt.Sprintf("的值 %d 超出范围：应在 0 到 3 之间", d))
	}
	if v := p.GetVatRate(); v < 0 || v > 100 {
		return invalidField("vat_rate", fmt.Sprintf("%d is outside 0 … 100 %%", v), fmt.Sprintf("的值 %d 超出范围：应在 0 到 100 之间", v))
	}
	if d := p.GetShelfLifeDays(); d < 0 {
		return invalidField("shelf_life_days", fmt.Sprintf("%d is negative", d), fmt.Sprintf("的值 %d 不能为负数", d))
	}
	if err := checkGTINs("gtins", p.GetGtins()); err != nil {
		return err
	}
	if len(p.GetPacks()) > MaxProductGTINs {
		return invalidField("packs", fmt.Sprintf("has %d packs; at most %d", len(p.GetPacks()), MaxProductGTINs),
			fmt.Sprintf("有 %d 个包装单位，最多 %d 个", len(p.GetPacks()), MaxProductGTINs))
	}
	for i, pk := range p.GetPacks() {
		f := fmt.Sprintf("packs[%d]", i)
		if err := CheckString(f+".unit", pk.GetUnit(), true); err != nil {
			return err
		}
		if n := pk.GetFactor(); n < 2 || n > MaxQty {
			return invalidField(f+".factor", fmt.Sprintf("%d is outside 2 … %d base units", n, int64(MaxQty)),
				fmt.Sprintf("的值 %d 超出范围：应在 2 到 %d 个基本单位之间", n, int64(MaxQty)))
		}
		if err := checkGTINs(f+".gtins", pk.GetGtins()); err != nil {
			return err
		}
	}
	return nil
}

// checkGTINs checks at most MaxProductGTINs barcodes, each a valid GTIN.
func checkGTINs(field string, gs []string) error {
	if len(gs) > MaxProductGTINs {
		return invalidField(field, fmt.Sprintf("has %d GTINs; at most %d", len(gs), MaxProductGTINs),
			fmt.Sprintf("有 %d 个 GTIN，最多 %d 个", len(gs), MaxProductGTINs))
	}
	for i, g := range gs {
		if !validGTIN(g) {
			return invalidField(fmt.Sprintf("%s[%d]", field, i), "is not a GTIN of 8, 12, 13 or 14 digits with a valid check digit",
				"不是有效的 GTIN（应为 8、12、13 或 14 位数字且校验位正确）")
		}
	}
	return nil
}

// validGTIN reports whether g has 8, 12, 13 or 14 ASCII digits and a valid
// GS1 mod-10 check digit (the same rule as agent.NormalizeGTIN).
func validGTIN(g string) bool {
	switch len(g) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	for i := 0; i < len(g); i++ {
		if g[i] < '0' || g[i] > '9' {
			return false
		}
	}
	return GTINCheckDigit(g[:len(g)-1]) == g[len(g)-1]
}

// GTINCheckDigit returns the GS1 mod-10 check digit ('0'…'9') of digits,
// the digits before it (ASCII, not checked): weights 3 and 1 alternate
// from the rightmost digit, which has weight 3.
func GTINCheckDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		v := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			v *= 3
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}

// countField counts the top-level occurrences of field num in a protobuf
// message without decoding their values.
func countField(body []byte, num protowire.Number) (int, error) {
	n := 0
	for len(body) > 0 {
		f, typ, l := protowire.ConsumeTag(body)
		if l < 0 {
			return 0, fmt.Errorf("%w: %v", ErrMalformed, protowire.ParseError(l))
		}
		body = body[l:]
		l = protowire.ConsumeFieldValue(f, typ, body)
		if l < 0 {
			return 0, fmt.Errorf("%w: field %d: %v", ErrMalformed, f, protowire.ParseError(l))
		}
		body = body[l:]
		if f == num {
			n++
		}
	}
	return n, nil
}
