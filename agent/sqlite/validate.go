package sqlite

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Input limits for events this replica writes. Peer events are not checked
// against them: they are another replica's facts and are merged as they are.
const (
	// MaxFieldLen bounds every string field of a movement, count or
	// document event, in bytes.
	MaxFieldLen = 128
	// MaxQty bounds the magnitude of a movement's qty, a count's counted
	// quantity and a unit cost, so sums over years of events stay far from
	// int64 overflow.
	MaxQty = 1_000_000_000_000_000
	// MaxPayload bounds a document event's payload, in bytes.
	MaxPayload = 64 << 10
	// MaxMovementsPerCall bounds the inputs of one RecordMovements call,
	// which is written in one transaction.
	MaxMovementsPerCall = 16384
	// MaxProductsPerCall bounds the entries of one PutProducts call.
	MaxProductsPerCall = 16384
)

// reasonList is what Reasons returns.
var reasonList = []string{"receive", "ship", "transfer_in", "transfer_out", "return", "scrap", "adjust", "sale", "purchase"}

var reasons = func() map[string]bool {
	m := make(map[string]bool, len(reasonList))
	for _, r := range reasonList {
		m[r] = true
	}
	return m
}()

// Reasons returns the movement reasons RecordMovement accepts; any other
// reason, the empty one included, is rejected with agent.ErrInvalid. The
// sign of qty is not tied to the reason (a return may come in from a
// customer or go out to a supplier); the reason is kept for reports.
func Reasons() []string { return append([]string(nil), reasonList...) }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", agent.ErrInvalid, fmt.Sprintf(format, args...))
}

// fieldName returns the name of a field of the idx-th element of a list
// ("movements[3].qty"), or field alone if idx < 0. Only error paths call it.
func fieldName(list string, idx int, field string) string {
	if idx < 0 {
		return field
	}
	return fmt.Sprintf("%s[%d].%s", list, idx, field)
}

// checkString checks one string field: valid UTF-8 (protobuf requires it),
// no control characters, at most MaxFieldLen bytes, and non-empty if
// required.
func checkString(field, s string, required bool) error {
	return checkListString("", -1, field, s, required)
}

// checkListString is checkString for a field of the idx-th element of a
// list (idx < 0: not in a list).
func checkListString(list string, idx int, name, s string, required bool) error {
	field := name
	if idx >= 0 && !okString(s, required) {
		field = fieldName(list, idx, name)
	}
	if s == "" {
		if required {
			return invalid("%s is empty", field)
		}
		return nil
	}
	if len(s) > MaxFieldLen {
		return invalid("%s is %d bytes, limit %d", field, len(s), MaxFieldLen)
	}
	if !utf8.ValidString(s) {
		return invalid("%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalid("%s contains a control character", field)
		}
	}
	return nil
}

// okString reports whether checkString would accept s, without
// allocating.
func okString(s string, required bool) bool {
	if s == "" {
		return !required
	}
	if len(s) > MaxFieldLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func okQty(q int64) bool { return q <= MaxQty && q >= -MaxQty }

func checkQty(field string, q int64) error {
	if !okQty(q) {
		return invalid("%s %d is beyond ±%d", field, q, int64(MaxQty))
	}
	return nil
}

// validateMovement checks a movement; idx >= 0 names it as the idx-th of
// a RecordMovements call in errors ("movements[3].qty is 0").
func validateMovement(in *agent.MovementInput, idx int) error {
	for _, f := range [...]struct {
		name, v  string
		required bool
	}{
		{"sku", in.SKU, true},
		{"bin", in.Bin, true},
		{"lot", in.Lot, false},
		{"epc", in.EPC, false},
		{"reason", in.Reason, true},
		{"doc", in.Doc, false},
		{"operator", in.Operator, false},
		{"device", in.Device, false},
	} {
		if err := checkListString("movements", idx, f.name, f.v, f.required); err != nil {
			return err
		}
	}
	name := func(field string) string { return fieldName("movements", idx, field) }
	if !reasons[in.Reason] {
		return invalid("%s %q is not one of %s", name("reason"), in.Reason, strings.Join(reasonList, ", "))
	}
	if in.Qty == 0 {
		return invalid("%s is 0", name("qty"))
	}
	if !okQty(in.Qty) {
		return checkQty(name("qty"), in.Qty)
	}
	if in.UnitCost < 0 {
		return invalid("%s %d is negative", name("unit_cost"), in.UnitCost)
	}
	if !okQty(in.UnitCost) {
		return checkQty(name("unit_cost"), in.UnitCost)
	}
	if in.Currency != "" && !isCurrency(in.Currency) {
		return invalid("%s %q is not a 3-letter upper-case code", name("currency"), in.Currency)
	}
	return nil
}

// validateProducts checks catalogue entries and returns them with their
// GTINs normalised; a GTIN given twice is rejected, since which entry
// should win would be a guess.
func validateProducts(ps []agent.Product) ([]agent.Product, error) {
	out := make([]agent.Product, len(ps))
	first := make(map[string]int, len(ps))
	for i, p := range ps {
		g, err := agent.NormalizeGTIN(p.GTIN)
		if err != nil {
			return nil, invalid("%s: %v", fieldName("products", i, "gtin"), err)
		}
		if j, dup := first[g]; dup {
			return nil, invalid("%s %s is also products[%d].gtin", fieldName("products", i, "gtin"), g, j)
		}
		first[g] = i
		for _, f := range [...]struct {
			name, v  string
			required bool
		}{
			{"sku", p.SKU, true},
			{"name", p.Name, false},
			{"unit", p.Unit, false},
		} {
			if err := checkListString("products", i, f.name, f.v, f.required); err != nil {
				return nil, err
			}
		}
		if p.Price < 0 {
			return nil, invalid("%s %d is negative", fieldName("products", i, "price"), p.Price)
		}
		if !okQty(p.Price) {
			return nil, checkQty(fieldName("products", i, "price"), p.Price)
		}
		p.GTIN = g
		out[i] = p
	}
	return out, nil
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func validateCount(in *agent.CountInput) error {
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"sku", in.SKU, true},
		{"bin", in.Bin, true},
		{"lot", in.Lot, false},
		{"operator", in.Operator, false},
		{"device", in.Device, false},
	} {
		if err := checkString(f.name, f.v, f.required); err != nil {
			return err
		}
	}
	if in.Counted < 0 {
		return invalid("counted %d is negative", in.Counted)
	}
	return checkQty("counted", in.Counted)
}

// validateBody checks a body given to Append: no identity or HLC, a kind,
// and not a movement or count (those go through RecordMovement and
// RecordCount, which validate them and, for a count, set its context).
func validateBody(b *pb.Event) error {
	if b == nil {
		return invalid("body is nil")
	}
	switch {
	case b.GetReplica() != 0:
		return invalid("body sets replica")
	case b.GetSeq() != 0:
		return invalid("body sets seq")
	case b.GetSite() != "":
		return invalid("body sets site")
	case b.GetHlc() != 0:
		return invalid("body sets hlc")
	}
	switch body := b.GetBody().(type) {
	case nil:
		return invalid("body has no kind")
	case *pb.Event_Movement:
		return invalid("body is a movement: use RecordMovement")
	case *pb.Event_Count:
		return invalid("body is a count: use RecordCount")
	case *pb.Event_Doc:
		d := body.Doc
		if err := checkString("doc", d.GetDoc(), true); err != nil {
			return err
		}
		if err := checkString("doc_type", d.GetDocType(), true); err != nil {
			return err
		}
		if err := checkString("status", d.GetStatus(), true); err != nil {
			return err
		}
		if n := len(d.GetPayload()); n > MaxPayload {
			return invalid("payload is %d bytes, limit %d", n, MaxPayload)
		}
	}
	return nil
}
