package devices

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/scale"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
)

// UnknownGTINPrefix starts the SKU a station books an item under when the
// catalogue does not know its GTIN: the movement is kept (the goods are
// there) and can be reassigned once the product is entered.
const UnknownGTINPrefix = "GTIN-"

// outReasons are the station reasons that take stock out.
var outReasons = map[string]bool{"ship": true, "sale": true, "scrap": true, "transfer_out": true}

// station turns one scanner's scans into movements.
type station struct {
	m       *Manager
	profile profiles.Scanner
	parser  *gs1.Parser
	scale   *scale.Scale
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
				s.m.scanRejected.Add(1)
				s.m.log.Warn("scan not recorded", "scanner", s.profile.Name, "data", sc.Data, "err", err)
			}
		}
	}
}

// record books one scan: the item named by the code, into the station's
// bin, with the quantity the code carries, else the stable weight of the
// station's scale for goods sold by weight, else 1.
func (s *station) record(ctx context.Context, sc drivers.Scan) error {
	code, err := s.parser.Parse(sc.Data)
	if err != nil {
		return err
	}
	gtin := code.GTIN
	if code.Kind == gs1.KindVariableMeasure {
		gtin = variableItemGTIN(code.Data)
	}
	if gtin == "" {
		return fmt.Errorf("code %q names no trade item", sc.Data)
	}
	p, known, err := s.m.ledger.ProductByGTIN(ctx, gtin)
	if err != nil {
		return err
	}
	sku := p.SKU
	if !known {
		s.m.unknown.Add(1)
		sku = UnknownGTINPrefix + gtin
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
	if _, err := s.m.ledger.RecordMovements(ctx, []agent.MovementInput{in}); err != nil {
		return err
	}
	s.m.scanMoves.Add(1)
	return nil
}

// quantity is the quantity of one scan in the item's base unit: grams for
// goods sold by weight (catalogue unit "g"), pieces otherwise.
func (s *station) quantity(ctx context.Context, code gs1.Code, p agent.Product, known bool) (int64, error) {
	byWeight := known && strings.EqualFold(p.Unit, "g")
	if code.Weight.Value > 0 {
		g, ok := code.Weight.Grams()
		if !ok {
			return 0, fmt.Errorf("weight %d×10^-%d %s cannot be taken in grams", code.Weight.Value, code.Weight.Decimals, code.Weight.Unit)
		}
		if byWeight || !known {
			return g, nil
		}
		return 0, fmt.Errorf("code carries a weight but %s is counted in %q", p.SKU, p.Unit)
	}
	if code.Count > 0 {
		return int64(code.Count), nil
	}
	if byWeight {
		if s.scale == nil {
			return 0, fmt.Errorf("%s is sold by weight and station %s has no scale", p.SKU, s.profile.Name)
		}
		w, err := s.scale.Stable(ctx)
		if err != nil {
			return 0, fmt.Errorf("weigh %s: %w", p.SKU, err)
		}
		return Grams(w)
	}
	return 1, nil
}

// Grams converts a scale's weight to whole grams, rounding half to even.
func Grams(w drivers.Weight) (int64, error) {
	// Grams per unit, as a fraction num/den.
	var num, den int64
	switch strings.ToLower(w.Unit) {
	case "g":
		num, den = 1, 1
	case "kg":
		num, den = 1000, 1
	case "lb":
		num, den = 45359237, 100000 // exactly 453.59237 g
	case "oz":
		num, den = 45359237, 1600000
	default:
		return 0, fmt.Errorf("%w: unit %q", errUnit, w.Unit)
	}
	if w.Decimals < 0 || w.Decimals > 9 {
		return 0, fmt.Errorf("%w: %d decimals", errUnit, w.Decimals)
	}
	for range w.Decimals {
		den *= 10
	}
	n := w.Value * num
	if w.Value != 0 && n/w.Value != num {
		return 0, fmt.Errorf("%w: %d %s overflows", errUnit, w.Value, w.Unit)
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

// variableItemGTIN is the catalogue key of an in-store variable measure
// label (LayoutWeight5: "2F IIIII VVVVV C"): the label with its value
// zeroed and the check digit made anew, as GTIN-14. A store enters each
// weighed item under that code.
func variableItemGTIN(label string) string {
	if len(label) != 13 {
		return ""
	}
	d := []byte(label[:7] + "00000")
	sum := 0
	for i, c := range d {
		v := int(c - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	return "0" + string(d) + string(rune('0'+(10-sum%10)%10))
}
