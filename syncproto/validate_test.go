package syncproto_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

func TestValidateBody(t *testing.T) {
	long := strings.Repeat("x", syncproto.MaxFieldLen+1)
	withMove := func(f func(m *pb.Movement)) *pb.Event {
		b := Move("A-01", "SKU-1", "", 5)
		f(b.GetMovement())
		return b
	}
	withCount := func(f func(c *pb.Count)) *pb.Event {
		b := Count("A-01", "SKU-1", "", 5, nil)
		f(b.GetCount())
		return b
	}
	for _, tc := range []struct {
		name      string
		body      *pb.Event
		wantField string // "" for valid
	}{
		{name: "movement", body: Move("A-01", "SKU-1", "L1", -5)},
		{name: "count", body: Count("A-01", "SKU-1", "", 0, syncproto.VV{1: 3})},
		{name: "doc", body: Doc("d1", "receipt", "open")},
		{name: "unknown kind", body: &pb.Event{}},
		{name: "NUL in bin", body: Move("A\x00", "SKU-1", "", 5), wantField: "bin"},
		{name: "newline in sku", body: Move("A", "SKU\n1", "", 5), wantField: "sku"},
		{name: "C1 control in lot", body: Move("A", "S", "L\u0085", 5), wantField: "lot"},
		{name: "bad UTF-8 in epc", body: withMove(func(m *pb.Movement) { m.Epc = "\xff\xfe" }), wantField: "epc"},
		{name: "long operator", body: withMove(func(m *pb.Movement) { m.Operator = long }), wantField: "operator"},
		{name: "empty bin", body: Move("", "S", "", 5), wantField: "bin"},
		{name: "empty reason", body: withMove(func(m *pb.Movement) { m.Reason = "" })},
		{name: "NUL in reason", body: withMove(func(m *pb.Movement) { m.Reason = "a\x00" }), wantField: "reason"},
		{name: "qty at bound", body: Move("A", "S", "", -syncproto.MaxQty)},
		{name: "qty over bound", body: Move("A", "S", "", syncproto.MaxQty+1), wantField: "qty"},
		{name: "qty min int64", body: Move("A", "S", "", math.MinInt64), wantField: "qty"},
		{name: "negative unit cost", body: withMove(func(m *pb.Movement) { m.UnitCost = -1 }), wantField: "unit_cost"},
		{name: "bad currency", body: withMove(func(m *pb.Movement) { m.Currency = "rmb" }), wantField: "currency"},
		{name: "negative counted", body: withCount(func(c *pb.Count) { c.Counted = -1 }), wantField: "counted"},
		{name: "counted over bound", body: withCount(func(c *pb.Count) { c.Counted = syncproto.MaxQty + 1 }), wantField: "counted"},
		{name: "ctx replica 0", body: withCount(func(c *pb.Count) { c.Ctx = []*pb.VVEntry{{Replica: 0, Seq: 1}} }), wantField: "ctx"},
		{name: "count NUL device", body: withCount(func(c *pb.Count) { c.Device = "\x00" }), wantField: "device"},
		{name: "doc without status", body: Doc("d1", "receipt", ""), wantField: "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := syncproto.ValidateBody(tc.body)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("ValidateBody = %v, want nil", err)
				}
				return
			}
			var ve *syncproto.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, syncproto.ErrInvalidEvent) {
				t.Fatalf("ValidateBody = %v, want a *ValidationError wrapping ErrInvalidEvent", err)
			}
			if ve.Field != tc.wantField || ve.Reason == "" || ve.ReasonZH == "" {
				t.Errorf("got field %q reason %q / %q, want field %q with both reasons", ve.Field, ve.Reason, ve.ReasonZH, tc.wantField)
			}
		})
	}
}

func TestEventValidateNamesEvent(t *testing.T) {
	e := MustEvent(t, 7, 3, 1<<16, "s1", Move("A\x00", "S", "", 1))
	err := e.Validate()
	if !errors.Is(err, syncproto.ErrInvalidEvent) || !strings.Contains(err.Error(), "0000000000000007/3") {
		t.Fatalf("Validate = %v, want ErrInvalidEvent naming the event", err)
	}
}

func TestAddQty(t *testing.T) {
	for _, tc := range []struct {
		a, b     int64
		overflow bool
	}{
		{1, 2, false},
		{math.MaxInt64, 0, false},
		{math.MaxInt64, 1, true},
		{math.MinInt64, -1, true},
		{math.MinInt64, math.MaxInt64, false},
		{math.MinInt64 / 2, math.MinInt64/2 - 1, true},
	} {
		got, err := syncproto.AddQty(tc.a, tc.b)
		if tc.overflow != errors.Is(err, syncproto.ErrOverflow) {
			t.Errorf("AddQty(%d, %d) = %d, %v; want overflow %v", tc.a, tc.b, got, err, tc.overflow)
		}
		if !tc.overflow && got != tc.a+tc.b {
			t.Errorf("AddQty(%d, %d) = %d", tc.a, tc.b, got)
		}
	}
}

func TestQtySumOrderFree(t *testing.T) {
	// The partial sums leave int64 in this order, the total does not.
	var s syncproto.QtySum
	for _, q := range []int64{math.MaxInt64, 10, math.MaxInt64, -math.MaxInt64, -math.MaxInt64, -20} {
		s.Add(q)
	}
	if got, err := s.Int64(); err != nil || got != -10 {
		t.Errorf("sum = %d, %v; want -10", got, err)
	}
	s = syncproto.QtySum{}
	s.Add(math.MinInt64)
	s.Add(-1)
	if got, err := s.Int64(); !errors.Is(err, syncproto.ErrOverflow) {
		t.Errorf("MinInt64 - 1 = %d, %v; want ErrOverflow", got, err)
	}
	s = syncproto.QtySum{}
	for range 9300 {
		s.Add(1_000_000_000_000_000)
	}
	if got, err := s.Int64(); !errors.Is(err, syncproto.ErrOverflow) {
		t.Errorf("9300 × 10^15 = %d, %v; want ErrOverflow", got, err)
	}
}

// TestOnHandAllOverflow is the forged batch of the review: movements of
// -2^63 and -1 wrapped on-hand to 2^63-1.
func TestOnHandAllOverflow(t *testing.T) {
	evs := []syncproto.Event{
		MustEvent(t, 1, 1, 1<<16, "s", Move("A", "S", "", math.MinInt64)),
		MustEvent(t, 1, 2, 2<<16, "s", Move("A", "S", "", -1)),
		MustEvent(t, 1, 3, 3<<16, "s", Move("B", "S", "", 4)),
	}
	got := syncproto.OnHandAll(evs)
	if q, ok := got[syncproto.Key{Site: "s", Bin: "A", SKU: "S"}]; ok {
		t.Errorf("OnHandAll gave the overflowing key %d, want it left out", q)
	}
	if q := got[syncproto.Key{Site: "s", Bin: "B", SKU: "S"}]; q != 4 {
		t.Errorf("other key = %d, want 4", q)
	}
	if _, err := syncproto.CheckOnHandAll(evs); !errors.Is(err, syncproto.ErrOverflow) {
		t.Errorf("CheckOnHandAll = %v, want ErrOverflow", err)
	}
	// In range in the end, whatever the order: exact.
	evs = []syncproto.Event{
		MustEvent(t, 1, 1, 1<<16, "s", Move("A", "S", "", math.MaxInt64)),
		MustEvent(t, 1, 2, 2<<16, "s", Move("A", "S", "", 1)),
		MustEvent(t, 1, 3, 3<<16, "s", Move("A", "S", "", -2)),
	}
	if q, err := syncproto.CheckOnHandAll(evs); err != nil || q[syncproto.Key{Site: "s", Bin: "A", SKU: "S"}] != math.MaxInt64-1 {
		t.Errorf("CheckOnHandAll = %v, %v; want MaxInt64-1", q, err)
	}
}
