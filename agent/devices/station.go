package devices

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/scale"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto"
)

// UnknownGTINPrefix starts the SKU a station books an item under when the
// catalogue does not know its GTIN: the movement is kept (the goods are
// there) and can be reassigned once the product is entered.
const UnknownGTINPrefix = "GTIN-"

var (
	// ErrScanRejected is matched (errors.Is) by every *Rejection: a scan
	// a station refused to book.
	ErrScanRejected = errors.New("scan rejected")
)

// Reasons a station refuses a scan, the keys of Stats.ScanRejections.
const (
	// RejectBadCode: the code is no GS1 code, or breaks the GS1 rules.
	RejectBadCode = "bad_code"
	// RejectNoItem: the code names no trade item the station can book.
	RejectNoItem = "no_item"
	// RejectWeightNotPositive: the weight (from the scale or the code) is
	// zero or negative: a tared container lifted off, an empty pan.
	RejectWeightNotPositive = "weight_not_positive"
	// RejectCountNotPositive: the count or amount in the code gives no
	// positive quantity.
	RejectCountNotPositive = "count_not_positive"
	// RejectCountTooLarge: the count in the code times the pack's size
	// (a case barcode) is beyond the largest quantity a movement holds.
	RejectCountTooLarge = "count_too_large"
	// RejectNotByWeight: the code carries a weight, but the SKU is counted.
	RejectNotByWeight = "not_by_weight"
	// RejectNoScale: the SKU is sold by weight and the station has no scale.
	RejectNoScale = "no_scale"
	// RejectScaleUnstable: the load did not settle in time.
	RejectScaleUnstable = "scale_unstable"
	// RejectScaleRange: the load is over the scale's capacity or under
	// its zero.
	RejectScaleRange = "scale_out_of_range"
	// RejectScaleUnit: the scale weighs in another unit than its profile.
	RejectScaleUnit = "scale_unit"
	// RejectScaleNotZeroed: the scale has not been zeroed since power-up.
	RejectScaleNotZeroed = "scale_not_zeroed"
	// RejectScale: the scale failed otherwise (not reachable, an error).
	RejectScale = "scale_error"
	// RejectUnit: a weight in a unit that cannot be taken in grams.
	RejectUnit = "unit"
	// RejectNoUnitPrice: a price label of a SKU without a catalogue price.
	RejectNoUnitPrice = "no_unit_price"
	// RejectPriceNotWhole: a price label of a counted SKU whose amount is
	// not a whole number of pieces at its unit price.
	RejectPriceNotWhole = "price_not_whole"
	// RejectCurrency: an amount in a currency other than yuan.
	RejectCurrency = "currency"
	// RejectDocument: the Router refused the scan for a reason it gave
	// no code for. A refusal with a code (over_receipt, not_on_document,
	// document_closed: agent/work's) is counted under that code.
	RejectDocument = "document"
	// RejectLedger: the ledger did not record the movement.
	RejectLedger = "ledger"
)

// Rejection is why a station refused a scan: a Reason (one of the Reject…
// constants) and a message in English and in Chinese for the person at
// the station. It matches ErrScanRejected and wraps its cause, if any.
type Rejection struct {
	Reason string
	Msg    string
	MsgZH  string
	Err    error
}

// Error returns the English message, with the cause when there is one.
func (r *Rejection) Error() string {
	if r.Err != nil {
		return r.Msg + ": " + r.Err.Error()
	}
	return r.Msg
}

// Unwrap returns the cause.
func (r *Rejection) Unwrap() error { return r.Err }

// Is reports whether target is ErrScanRejected.
func (r *Rejection) Is(target error) bool { return target == ErrScanRejected }

func reject(reason string, cause error, msg, msgZH string) *Rejection {
	return &Rejection{Reason: reason, Msg: msg, MsgZH: msgZH, Err: cause}
}

// rejections counts refused scans by reason.
type rejections struct {
	mu sync.Mutex
	n  map[string]uint64
}

func (r *rejections) add(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = make(map[string]uint64)
	}
	r.n[reason]++
}

func (r *rejections) snapshot() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.n) == 0 {
		return nil
	}
	out := make(map[string]uint64, len(r.n))
	for k, v := range r.n {
		out[k] = v
	}
	return out
}

// outReasons are the station reasons that take stock out.
var outReasons = map[string]bool{"ship": true, "sale": true, "scrap": true, "transfer_out": true}

// station turns one scanner's scans into movements.
type station struct {
	m       *Manager
	profile profiles.Scanner
	parser  *gs1.Parser
	scale   *scale.Scale
}

// newStation makes the station of scanner profile p, reading in-store labels
// with the layouts of its profile and weighing on its scale among scales.
// It fails when a layout is one the barcode parser cannot use.
func newStation(m *Manager, p profiles.Scanner, scales map[string]*scale.Scale) (*station, error) {
	st := &station{m: m, profile: p, parser: &gs1.Parser{}}
	if p.Station == nil {
		return st, nil
	}
	layouts, err := LabelLayouts(p.Station.Labels)
	if err != nil {
		return nil, fmt.Errorf("scanner %s: station.labels: %w", p.Name, err)
	}
	st.parser.Variable = layouts
	if p.Station.Scale != "" {
		st.scale = scales[p.Station.Scale]
	}
	return st, nil
}

// LabelLayouts maps a station profile's in-store label layouts to the
// barcode parser's. A price is in yuan (CNY).
func LabelLayouts(ls []profiles.LabelLayout) ([]gs1.VariableLayout, error) {
	out := make([]gs1.VariableLayout, len(ls))
	for i, l := range ls {
		v := gs1.VariableLayout{Prefix: l.Prefix, PrefixDigits: l.PrefixDigits, ItemDigits: l.ItemDigits,
			PriceCheck: l.PriceCheck, ValueDigits: l.ValueDigits, Measure: gs1.Measure(l.Measure), Decimals: l.Decimals,
			Whole: l.Decimals == 0}
		switch l.Measure {
		case profiles.MeasureWeight:
			v.Unit = l.Unit
		case profiles.MeasurePrice:
			v.Currency = "CNY"
		}
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

func (s *station) run(ctx context.Context, scans <-chan drivers.Scan) {
	for {
		select {
		case <-ctx.Done():
			return
		case sc := <-scans:
			s.m.scans.Add(1)
			if s.profile.Station == nil {
				continue // a handheld's scanner: read by whoever uses it
			}
			if err := s.record(ctx, sc); err != nil {
				var r *Rejection
				if !errors.As(err, &r) {
					r = reject(RejectLedger, err, "movement not recorded", "出入库记录未能保存")
				}
				s.m.scanRejected.Add(1)
				s.m.rejects.add(r.Reason)
				s.m.log.Warn("scan not recorded", "scanner", s.profile.Name, "data", sc.Data,
					"reason", r.Reason, "msg", r.Msg, "msg_zh", r.MsgZH, "err", err)
			}
		}
	}
}

// record books one scan: the item named by the code into the station's
// bin, with the quantity of quantity. A refused scan is a *Rejection.
func (s *station) record(ctx context.Context, sc drivers.Scan) error {
	code, err := s.parser.Parse(sc.Data)
	if err != nil {
		return reject(RejectBadCode, err, fmt.Sprintf("code %q cannot be booked", sc.Data),
			fmt.Sprintf("条码 %q 无法识别或不符合 GS1 规则", sc.Data))
	}
	gtin := itemGTIN(code)
	if gtin == "" {
		return reject(RejectNoItem, nil, fmt.Sprintf("code %q names no trade item", sc.Data),
			fmt.Sprintf("条码 %q 不含商品编码", sc.Data))
	}
	p, known, err := s.m.ledger.ProductByGTIN(ctx, gtin)
	if err != nil {
		return err
	}
	sku := p.SKU
	if !known {
		s.m.unknown.Add(1)
		sku = UnknownGTINPrefix + gtin
		p = agent.Product{GTIN: gtin, SKU: sku}
	}
	qty, err := s.quantity(ctx, code, p, known)
	if err != nil {
		return err
	}
	st := s.profile.Station
	if outReasons[st.Reason] {
		qty = -qty
	}
	in := agent.MovementInput{SKU: sku, Bin: st.Bin, Lot: code.Lot, Qty: qty, Reason: st.Reason,
		Operator: "station:" + s.profile.Name, Device: s.profile.Name}
	if !code.Expiry.IsZero() {
		in.Expiry = code.Expiry.Format(time.DateOnly)
	}
	ms := []agent.MovementInput{in}
	routed := false
	if r := s.m.opts.Router; r != nil {
		refused, err := r.RouteDevice(ctx, s.profile.Name, ms)
		if err != nil {
			return err
		}
		if refused != nil && refused[0] != nil {
			return routeRejection(refused[0])
		}
		routed = ms[0].Doc != ""
	}
	if _, err := s.m.ledger.RecordMovements(ctx, ms); err != nil {
		return err
	}
	s.m.scanMoves.Add(1)
	if routed {
		s.m.routed.Add(1)
	}
	return nil
}

// routeRejection is the station's refusal of a scan the Router would not
// put on the document of the session open at the station: its reason
// code (not_on_document, over_receipt …) and messages.
func routeRejection(err error) *Rejection {
	var c interface {
		Reason() string
		ErrorZH() string
	}
	if errors.As(err, &c) {
		return reject(c.Reason(), nil, err.Error(), c.ErrorZH())
	}
	return reject(RejectDocument, err, "the scan cannot be received against the open session's document", "该扫描无法按当前作业的单据收货")
}

// itemGTIN is the GTIN of what a code books: the item of an in-store label,
// the contained items of a logistic unit (AI 02, counted by AI 37), or the
// trade item itself.
func itemGTIN(c gs1.Code) string {
	switch {
	case c.Kind == gs1.KindVariableMeasure:
		return c.ItemGTIN
	case c.Content != "":
		return c.Content
	}
	return c.GTIN
}

// quantity is the positive quantity of one scan in the SKU's base unit:
// grams for goods sold by weight (agent.WeightUnit), pieces otherwise. It
// is, in this order: the weight the code carries; the amount of a price
// label divided by the unit price (PriceQuantity); the count the code
// carries (AI 30, or AI 37 with AI 02) times the pack's size when the GTIN
// is a pack's (p.Units: a case of 24 scanned with AI 30 of 2 is 48); the
// pack's size for a pack's GTIN (a fixed-weight case of goods sold by
// weight too: not weighed); the stable weight of the station's scale for
// goods sold by weight; else 1. A weight or count ≤ 0 is refused,
// whatever its source and whichever way the station books. An unknown SKU
// takes the weight a code carries, and is otherwise counted.
func (s *station) quantity(ctx context.Context, code gs1.Code, p agent.Product, known bool) (int64, error) {
	byWeight := p.SoldByWeight()
	switch {
	case code.Weight.Unit != "":
		if known && !byWeight {
			return 0, reject(RejectNotByWeight, nil,
				fmt.Sprintf("the code carries a weight but %s is counted in %q", p.SKU, p.Unit),
				fmt.Sprintf("条码带有重量，但 %s 按“%s”计数", p.SKU, p.Unit))
		}
		return positiveGrams(code.Weight.Value, code.Weight.Decimals, code.Weight.Unit, "the code", "条码")
	case code.Price != (gs1.Price{}):
		return PriceQuantity(code.Price, p)
	}
	units := p.Units()
	if n, ok := codeCount(code); ok {
		if n <= 0 {
			return 0, reject(RejectCountNotPositive, nil, fmt.Sprintf("the code carries a count of %d", n),
				fmt.Sprintf("条码中的数量为 %d，必须大于零", n))
		}
		if n > syncproto.MaxQty/units {
			return 0, reject(RejectCountTooLarge, nil, fmt.Sprintf("the code carries %d packs of %d, more than a movement holds", n, units),
				fmt.Sprintf("条码中为 %d 箱（每箱 %d），超出单笔出入库的上限", n, units))
		}
		return n * units, nil
	}
	if units > 1 {
		return units, nil
	}
	if !byWeight {
		return 1, nil
	}
	if s.scale == nil {
		return 0, reject(RejectNoScale, nil,
			fmt.Sprintf("%s is sold by weight and station %s has no scale", p.SKU, s.profile.Name),
			fmt.Sprintf("%s 按重量销售，但工位 %s 没有配置秤", p.SKU, s.profile.Name))
	}
	w, err := s.scale.Stable(ctx)
	if err != nil {
		return 0, scaleRejection(p.SKU, err)
	}
	return positiveGrams(w.Value, w.Decimals, w.Unit, "the scale", "秤")
}

// codeCount is the count a code carries (AI 30, or AI 37 of a logistic
// unit), and whether it carries one.
func codeCount(c gs1.Code) (int64, bool) {
	for _, ai := range []string{"30", "37"} {
		if _, ok := c.AIs[ai]; ok {
			return c.Count, true
		}
	}
	return 0, false
}

// scaleRejection explains why the scale gave no weight.
func scaleRejection(sku string, err error) *Rejection {
	r := func(reason, msg, msgZH string) *Rejection {
		return reject(reason, err, fmt.Sprintf("weigh %s: %s", sku, msg), fmt.Sprintf("称量 %s：%s", sku, msgZH))
	}
	switch {
	case errors.Is(err, scale.ErrNotZeroed):
		return r(RejectScaleNotZeroed, "the scale has not been zeroed since it was switched on; zero it with nothing on it",
			"秤开机后尚未置零，请清空秤盘后置零")
	case errors.Is(err, drivers.ErrUnstable):
		return r(RejectScaleUnstable, "the weight did not settle", "重量不稳定")
	case errors.Is(err, drivers.ErrOverload):
		return r(RejectScaleRange, "the load is over the scale's capacity", "超出秤的量程")
	case errors.Is(err, drivers.ErrUnderload):
		return r(RejectScaleRange, "the load is under zero (a tared container lifted off?)", "重量低于零点（去皮的容器被拿起了？）")
	case errors.Is(err, scale.ErrUnitMismatch):
		return r(RejectScaleUnit, "the scale weighs in another unit than its profile says", "秤的计量单位与配置不符")
	}
	return r(RejectScale, "the scale gave no weight", "秤未给出重量")
}

// positiveGrams converts a weight to whole grams (Grams) and refuses one
// that is not above zero; from says where it came from.
func positiveGrams(value int64, decimals int, unit, from, fromZH string) (int64, error) {
	shown := fmt.Sprintf("%s %s", scale.FormatDecimal(value, decimals), unit)
	g, err := grams(value, decimals, unit)
	if err != nil {
		return 0, reject(RejectUnit, err, fmt.Sprintf("%s gives %s, which cannot be taken in grams", from, shown),
			fmt.Sprintf("%s给出的重量 %s 无法换算为克", fromZH, shown))
	}
	if g <= 0 {
		return 0, reject(RejectWeightNotPositive, nil,
			fmt.Sprintf("%s gives %s: a station books only a weight above zero (a tared container lifted off, an empty pan?)", from, shown),
			fmt.Sprintf("%s给出的重量为 %s：工位只登记大于零的重量（去皮的容器被拿起或秤盘为空？）", fromZH, shown))
	}
	return g, nil
}

// PriceQuantity is the quantity an amount (an in-store price label, 金额码)
// stands for at p's unit price, p.Price fen per p.Unit:
//
//   - sold by weight: grams = amount in fen × grams per Unit ÷ p.Price,
//     rounded half to even to a whole gram (exact integer arithmetic; a
//     label of ¥14.90 for pork at ¥29.80/kg is 500 g);
//   - counted: pieces = amount ÷ p.Price, which must divide exactly.
//
// It refuses (a *Rejection) an amount when p has no price (unknown SKUs
// included), is in a currency other than yuan, is not a whole number of
// pieces, or gives no positive quantity.
func PriceQuantity(amount gs1.Price, p agent.Product) (int64, error) {
	shown := scale.FormatDecimal(amount.Value, amount.Decimals)
	switch amount.Currency {
	case "", "CNY", "156":
	default:
		return 0, reject(RejectCurrency, nil, fmt.Sprintf("the amount %s is in %s, not in yuan", shown, amount.Currency),
			fmt.Sprintf("金额 %s 的币种为 %s，不是人民币", shown, amount.Currency))
	}
	if p.Price <= 0 {
		return 0, reject(RejectNoUnitPrice, nil,
			fmt.Sprintf("a price label (¥%s) of %s cannot be booked: the catalogue has no unit price for it", shown, p.SKU),
			fmt.Sprintf("金额码（¥%s）无法登记：商品目录中 %s 没有单价", shown, p.SKU))
	}
	if amount.Decimals < 0 || amount.Decimals > 18 {
		return 0, reject(RejectCountNotPositive, nil, fmt.Sprintf("amount with %d decimals", amount.Decimals),
			fmt.Sprintf("金额的小数位数 %d 无效", amount.Decimals))
	}
	// amount in fen = Value × 100 ÷ 10^Decimals
	num := new(big.Int).Mul(big.NewInt(amount.Value), big.NewInt(100))
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(amount.Decimals)), nil)
	den.Mul(den, big.NewInt(p.Price))
	g, byWeight := agent.WeightUnit(p.Unit)
	if byWeight {
		num.Mul(num, big.NewInt(g.Num))
		den.Mul(den, big.NewInt(g.Den))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() != 0 && !byWeight {
		return 0, reject(RejectPriceNotWhole, nil,
			fmt.Sprintf("¥%s is not a whole number of %s at ¥%s each", shown, p.SKU, scale.FormatDecimal(p.Price, 2)),
			fmt.Sprintf("¥%s 不是单价 ¥%s 的 %s 的整数倍", shown, scale.FormatDecimal(p.Price, 2), p.SKU))
	}
	// Half to even: up when the remainder is over half, or half and q odd.
	twice := new(big.Int).Lsh(r.Abs(r), 1)
	if c := twice.Cmp(den); c > 0 || c == 0 && q.Bit(0) == 1 {
		q.Add(q, big.NewInt(int64(num.Sign())))
	}
	if !q.IsInt64() || q.Int64() <= 0 {
		return 0, reject(RejectCountNotPositive, nil,
			fmt.Sprintf("¥%s of %s at ¥%s per %s is no positive quantity", shown, p.SKU, scale.FormatDecimal(p.Price, 2), p.Unit),
			fmt.Sprintf("¥%s 按单价 ¥%s/%s 换算后 %s 的数量不大于零", shown, scale.FormatDecimal(p.Price, 2), p.Unit, p.SKU))
	}
	return q.Int64(), nil
}

// Grams converts a scale's weight to whole grams, rounding half to even.
// It fails for a unit that is not one of agent.WeightUnit's.
func Grams(w drivers.Weight) (int64, error) {
	return grams(w.Value, w.Decimals, w.Unit)
}

func grams(value int64, decimals int, unit string) (int64, error) {
	u, ok := agent.WeightUnit(unit)
	if !ok {
		return 0, fmt.Errorf("%w: unit %q", errUnit, unit)
	}
	if decimals < 0 || decimals > 9 {
		return 0, fmt.Errorf("%w: %d decimals", errUnit, decimals)
	}
	num, den := u.Num, u.Den
	for range decimals {
		den *= 10
	}
	n := value * num
	if value != 0 && n/value != num {
		return 0, fmt.Errorf("%w: %d %s overflows", errUnit, value, unit)
	}
	q, r := n/den, n%den
	if r < 0 {
		r = -r
	}
	if 2*r > den || (2*r == den && q%2 != 0) {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return q, nil
}

var errUnit = errors.New("weight not convertible to grams")
