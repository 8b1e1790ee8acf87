package syncproto

import (
	"fmt"
	"math/bits"
)

// AddQty returns a + b, or an error wrapping ErrOverflow when the sum is
// outside the int64 range. Every on-hand that is a stored value plus a
// change (the agent's and the cloud's incremental paths) is added with it.
func AddQty(a, b int64) (int64, error) {
	s := a + b
	// Overflow iff a and b have the same sign and s has the other one.
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, fmt.Errorf("%w: %d %+d", ErrOverflow, a, b)
	}
	return s, nil
}

// QtySum sums quantities exactly, in 128 bits, so that the result does not
// depend on the order of the terms: a sum that fits int64 is found however
// its partial sums ran. On-hand folds (rebuilds, OnHandAll, recomputing a
// key under a new count) sum with it. The zero value is 0.
type QtySum struct {
	hi int64
	lo uint64
}

// Add adds q.
func (s *QtySum) Add(q int64) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, uint64(q), 0)
	s.hi += int64(carry) + q>>63 // q>>63 is q's sign extension: 0 or -1
}

// Int64 returns the sum, or an error wrapping ErrOverflow when it is
// outside the int64 range.
func (s QtySum) Int64() (int64, error) {
	v := int64(s.lo)
	if s.hi != v>>63 {
		return 0, fmt.Errorf("%w: on-hand beyond the int64 range", ErrOverflow)
	}
	return v, nil
}

// OverflowError is the *ValidationError for a movement or count that would
// take the on-hand of key out of the int64 range.
func OverflowError(field string, k Key) error {
	return &ValidationError{
		Field:    field,
		Reason:   fmt.Sprintf("would take the on-hand of bin %q sku %q lot %q beyond the int64 range", k.Bin, k.SKU, k.Lot),
		ReasonZH: fmt.Sprintf("会使库位 %q 商品 %q 批次 %q 的库存超出 int64 范围", k.Bin, k.SKU, k.Lot),
		err:      ErrOverflow,
	}
}

// CheckOnHandAll is OnHandAll that reports a key whose on-hand is beyond
// the int64 range with an error wrapping ErrOverflow (and ErrInvalidEvent)
// naming the key, instead of leaving it out.
func CheckOnHandAll(events []Event) (map[Key]int64, error) {
	out := OnHandAll(events)
	for i := range events {
		if k, ok := events[i].KeyOf(); ok {
			if _, found := out[k]; !found {
				return nil, OverflowError("qty", k)
			}
		}
	}
	return out, nil
}

// Sub subtracts q.
func (s *QtySum) Sub(q int64) {
	var borrow uint64
	s.lo, borrow = bits.Sub64(s.lo, uint64(q), 0)
	s.hi -= int64(borrow) + q>>63
}
