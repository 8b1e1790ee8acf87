package syncproto

import (
	"fmt"
	"unicode/utf8"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Content limits of events (README "Limits"). The agent checks what it
// writes against them, ingest checks every batch before storing it and both
// cloud stores check again, all through Validate, so an event that one of
// them accepts is accepted by all.
const (
	// MaxFieldLen bounds every string field of a movement, count or
	// document event, in bytes.
	MaxFieldLen = 128
	// MaxQty bounds the magnitude of a movement's qty and a count's counted
	// quantity, and a unit cost: 10^12 base units is a million tonnes in
	// grams. It keeps a single event far from int64 overflow; on-hand sums
	// are still checked (AddQty, QtySum), since millions of events at the
	// bound would overflow.
	MaxQty = 1_000_000_000_000
	// MaxPayload bounds a document event's payload, in bytes.
	MaxPayload = 64 << 10
	// MaxCtxEntries bounds the version vector a count carries: one entry
	// per replica of the site.
	MaxCtxEntries = 4096
)

// ValidationError says which field of an event breaks which rule, in
// English and Chinese. It wraps ErrInvalidEvent, and also ErrOverflow for
// an on-hand that would leave the int64 range.
type ValidationError struct {
	// Field names the field, e.g. "qty" or "bin".
	Field string
	// Reason says what is wrong, in English, without the field name.
	Reason string
	// ReasonZH says it in Chinese.
	ReasonZH string

	err error
}

// Error returns the field and the English reason: "bin contains a control
// character".
func (e *ValidationError) Error() string { return e.Field + " " + e.Reason }

// ErrorZH returns the field and the Chinese reason.
func (e *ValidationError) ErrorZH() string { return "字段 " + e.Field + " " + e.ReasonZH }

// Unwrap returns ErrInvalidEvent, and ErrOverflow too for an on-hand
// that would leave the int64 range.
func (e *ValidationError) Unwrap() []error {
	if e.err == nil {
		return []error{ErrInvalidEvent}
	}
	return []error{ErrInvalidEvent, e.err}
}

func invalidField(field, reason, reasonZH string) *ValidationError {
	return &ValidationError{Field: field, Reason: reason, ReasonZH: reasonZH}
}

// CheckString checks one string field of an event: valid UTF-8 (protobuf
// requires it, PostgreSQL too), no control character (NUL, which
// PostgreSQL text cannot hold, included), at most MaxFieldLen bytes, and
// not empty if required. It returns a *ValidationError naming field.
func CheckString(field, s string, required bool) error {
	if s == "" {
		if required {
			return invalidField(field, "is empty", "不能为空")
		}
		return nil
	}
	if len(s) > MaxFieldLen {
		return invalidField(field, fmt.Sprintf("is %d bytes, limit %d", len(s), MaxFieldLen),
			fmt.Sprintf("长 %d 字节，超过上限 %d 字节", len(s), MaxFieldLen))
	}
	if !utf8.ValidString(s) {
		return invalidField(field, "is not valid UTF-8", "不是有效的 UTF-8 文本")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return invalidField(field, "contains a control character", "含有控制字符")
		}
	}
	return nil
}

// CheckQty checks that |q| ≤ MaxQty.
func CheckQty(field string, q int64) error {
	if q > MaxQty || q < -MaxQty {
		return invalidField(field, fmt.Sprintf("%d is beyond ±%d", q, int64(MaxQty)),
			fmt.Sprintf("的值 %d 超出 ±%d 的范围", q, int64(MaxQty)))
	}
	return nil
}

// CheckCounted checks a count's counted quantity: 0 ≤ q ≤ MaxQty.
func CheckCounted(field string, q int64) error {
	if q < 0 {
		return invalidField(field, fmt.Sprintf("%d is negative", q), fmt.Sprintf("的值 %d 不能为负数", q))
	}
	return CheckQty(field, q)
}

type stringField struct {
	name, v  string
	required bool
}

func checkStrings(fs []stringField) error {
	for _, f := range fs {
		if err := CheckString(f.name, f.v, f.required); err != nil {
			return err
		}
	}
	return nil
}

// ValidateMovement checks a movement's content: bin and sku present, every
// string a valid field (CheckString), expiry empty or a date (CheckDate), |qty| and unit_cost within MaxQty,
// unit_cost not negative, currency empty or three upper-case letters. It
// returns a *ValidationError. Rules of what a user may record (a reason
// from the list, qty not 0) are the agent's, not the wire's.
func ValidateMovement(m *pb.Movement) error {
	if m == nil {
		return invalidField("movement", "is missing", "缺失")
	}
	if err := checkStrings([]stringField{
		{"bin", m.GetBin(), true},
		{"sku", m.GetSku(), true},
		{"lot", m.GetLot(), false},
		{"epc", m.GetEpc(), false},
		{"reason", m.GetReason(), false},
		{"doc", m.GetDoc(), false},
		{"operator", m.GetOperator(), false},
		{"device", m.GetDevice(), false},
	}); err != nil {
		return err
	}
	if err := CheckDate("expiry", m.GetExpiry()); err != nil {
		return err
	}
	if err := CheckQty("qty", m.GetQty()); err != nil {
		return err
	}
	if m.GetUnitCost() < 0 {
		return invalidField("unit_cost", fmt.Sprintf("%d is negative", m.GetUnitCost()),
			fmt.Sprintf("的值 %d 不能为负数", m.GetUnitCost()))
	}
	if err := CheckQty("unit_cost", m.GetUnitCost()); err != nil {
		return err
	}
	if c := m.GetCurrency(); c != "" && !isCurrency(c) {
		return invalidField("currency", fmt.Sprintf("%q is not a 3-letter upper-case code", c),
			fmt.Sprintf("%q 不是 3 位大写字母的币种代码", c))
	}
	return nil
}

// ValidateCount checks a count's content: bin and sku present, every string
// a valid field, 0 ≤ counted ≤ MaxQty, at most MaxCtxEntries context
// entries, none of replica 0. It returns a *ValidationError.
func ValidateCount(c *pb.Count) error {
	if c == nil {
		return invalidField("count", "is missing", "缺失")
	}
	if err := checkStrings([]stringField{
		{"bin", c.GetBin(), true},
		{"sku", c.GetSku(), true},
		{"lot", c.GetLot(), false},
		{"operator", c.GetOperator(), false},
		{"device", c.GetDevice(), false},
		{"doc", c.GetDoc(), false},
	}); err != nil {
		return err
	}
	if err := CheckCounted("counted", c.GetCounted()); err != nil {
		return err
	}
	if n := len(c.GetCtx()); n > MaxCtxEntries {
		return invalidField("ctx", fmt.Sprintf("has %d entries, limit %d", n, MaxCtxEntries),
			fmt.Sprintf("有 %d 项，超过上限 %d", n, MaxCtxEntries))
	}
	for _, e := range c.GetCtx() {
		if e.GetReplica() == 0 {
			return invalidField("ctx", "names replica 0", "含有副本 0")
		}
	}
	return nil
}

// ValidateDoc checks a document event: doc_type and status present, doc
// empty (the event opens an edge document, named by its own (replica,
// seq): EdgeDocID) or naming one, all valid fields, payload at most
// MaxPayload bytes.
func ValidateDoc(d *pb.DocEvent) error {
	if d == nil {
		return invalidField("doc", "is missing", "缺失")
	}
	if err := checkStrings([]stringField{
		{"doc", d.GetDoc(), false},
		{"doc_type", d.GetDocType(), true},
		{"status", d.GetStatus(), true},
	}); err != nil {
		return err
	}
	if n := len(d.GetPayload()); n > MaxPayload {
		return invalidField("payload", fmt.Sprintf("is %d bytes, limit %d", n, MaxPayload),
			fmt.Sprintf("长 %d 字节，超过上限 %d 字节", n, MaxPayload))
	}
	return nil
}

// ValidateBody checks the content of an event body by its kind. A body of
// a kind this build does not know passes: it is stored and passed on as it
// is (DESIGN.md §3).
func ValidateBody(m *pb.Event) error {
	switch b := m.GetBody().(type) {
	case *pb.Event_Movement:
		return ValidateMovement(b.Movement)
	case *pb.Event_Count:
		return ValidateCount(b.Count)
	case *pb.Event_Doc:
		return ValidateDoc(b.Doc)
	}
	return nil
}

// Validate checks an event's content (ValidateBody). The error names the
// event and wraps ErrInvalidEvent; errors.As finds its *ValidationError.
func (e *Event) Validate() error {
	if err := ValidateBody(e.Msg); err != nil {
		return fmt.Errorf("event %s/%d: %w", e.Replica, e.Seq, err)
	}
	return nil
}

// ValidateEvents checks every event (Event.Validate) and returns the
// first problem.
func ValidateEvents(events []Event) error {
	for i := range events {
		if err := events[i].Validate(); err != nil {
			return err
		}
	}
	return nil
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
