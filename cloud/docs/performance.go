package docs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/supplierscore"
)

// Supplier performance (DOMAIN.md §6), computed on request from the
// documents; nothing is stored (the supplier's rating field is left to
// purchasing).
//
// A receipt is a purchase receipt (RK, made at the edge from a receipt
// session) of the supplier: its date is the day it was done (CST), its
// quantity the sum of its lines in base units, and it is on time when
// that day is on or before the expected_date of the purchase order it
// names (Ref); a receipt naming no order, or an order without an expected
// date, had no date to miss and is on time. A return is a purchase return
// (CT) of the supplier that is not a draft or void, on its date: what was
// shipped back of it (its done quantity) or, while nothing was shipped of
// an approved one, what it approved returning (its lines). Only the
// documents of the caller's sites count.

// MaxPerformanceMonths bounds the months of a performance query.
const MaxPerformanceMonths = 120

// MonthScore is a supplier's month. Scores are in hundredths of a point
// (0 … 10000 for 0 … 100).
type MonthScore struct {
	Period   string `json:"period" doc:"yyyy-mm"`
	Receipts int    `json:"receipts" doc:"收货次数"`
	OnTime   int    `json:"on_time" doc:"准时次数"`
	Received int64  `json:"received" doc:"Base units 收货数量."`
	Returned int64  `json:"returned" doc:"Base units 退货数量."`
	Delivery int64  `json:"delivery" doc:"Hundredths of a point: 100 × on time ÷ receipts 交付得分."`
	Quality  int64  `json:"quality" doc:"Hundredths of a point: 100 × (received − returned) ÷ received 质量得分."`
	Score    int64  `json:"score" doc:"Hundredths of a point, weighted 综合得分."`
	Band     string `json:"band" doc:"很差 very poor, 差 poor, 一般 fair, 优秀 excellent."`
}

// OverallScore is the score over the last 12 months up to AsOf, the
// latest weighing most (supplierscore.OverallScore).
type OverallScore struct {
	AsOf    string `json:"as_of"`
	Score   int64  `json:"score" doc:"Hundredths of a point."`
	Band    string `json:"band"`
	Periods int    `json:"periods" doc:"Months with a score among the 12."`
	// Rating is the score on the supplier record's 0 … 5 scale (score ÷
	// 20, half up), for information: it is not written.
	Rating int64 `json:"rating" doc:"0 … 5 (score ÷ 20, half up), not written to the supplier."`
}

// Performance is a supplier's scores.
type Performance struct {
	Supplier string `json:"supplier"`
	Name     string `json:"name"`
	Months   int    `json:"months"`
	From     string `json:"from" doc:"First month, yyyy-mm."`
	To       string `json:"to" doc:"Last month (this one), yyyy-mm."`
	// Weights are the delivery and quality weights (50/50).
	DeliveryWeight int          `json:"delivery_weight"`
	QualityWeight  int          `json:"quality_weight"`
	Monthly        []MonthScore `json:"monthly" nullable:"false" doc:"The months with receipts, oldest first."`
	// Overall is absent when no month of the last 12 has a score.
	Overall *OverallScore `json:"overall,omitempty"`
}

// SupplierPerformance scores supplier over the last months (default 12)
// by month, and overall (permission purchase.view). An unknown supplier
// gives ErrNotFound; months outside 1 … MaxPerformanceMonths a field
// error.
func (s *Service) SupplierPerformance(ctx context.Context, p *auth.Principal, supplier string, months int) (*Performance, error) {
	pt := TypeOf(TypePurchaseOrder)
	if err := p.Can(pt.PermView()); err != nil {
		return nil, err
	}
	if months == 0 {
		months = 12
	}
	if months < 1 || months > MaxPerformanceMonths {
		var c masterdata.Checker
		c.Addf("months", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", months, MaxPerformanceMonths)
		err := c.Err()
		err.(*masterdata.ValidationError).In = "query"
		return nil, err
	}
	rs, err := s.reportStore()
	if err != nil {
		return nil, err
	}
	supplier = strings.TrimSpace(supplier)
	row, ok, err := rs.Reports().MasterByCode(ctx, p.Tenant, masterdata.KindSupplier, "", supplier)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &Error{Err: ErrNotFound, Msg: fmt.Sprintf("no supplier %q", supplier), MsgZH: fmt.Sprintf("供应商 %q 不存在", supplier)}
	}
	now := s.now().In(s.zone)
	to := supplierscore.PeriodOf(now)
	from := to.Add(-(months - 1))
	first := time.Date(from.Year, from.Month, 1, 0, 0, 0, 0, s.zone)
	day := func(v string) (time.Time, bool) {
		t, err := time.ParseInLocation(time.DateOnly, v, s.zone)
		return t, err == nil && !t.Before(first) && !t.After(now)
	}
	sr := rs.SalesRead()
	all := []string{StatusDraft, StatusApproved, StatusPartlyDone, StatusDone, StatusClosed}
	pos, err := sr.FindDocs(ctx, p.Tenant, SalesFilter{Type: TypePurchaseOrder, Partner: supplier, Statuses: all})
	if err != nil {
		return nil, err
	}
	expected := map[string]string{}
	for _, o := range pos {
		d, err := decode(pt, o)
		if err != nil {
			return nil, err
		}
		expected[o.Number] = d.ExpectedDate
	}
	rks, err := sr.FindDocs(ctx, p.Tenant, SalesFilter{Type: TypePurchaseReceipt, Partner: supplier, Statuses: all})
	if err != nil {
		return nil, err
	}
	var receipts []supplierscore.Receipt
	for _, r := range rks {
		got, in := day(r.Date)
		if !in || !p.Scope.Allows(r.Site) {
			continue
		}
		rc := supplierscore.Receipt{Supplier: supplier, PO: r.Ref, Received: got, Expected: got}
		if exp, err := time.ParseInLocation(time.DateOnly, expected[r.Ref], s.zone); err == nil {
			rc.Expected = exp
		}
		for _, l := range r.Lines {
			rc.Qty += max(0, l.QtyBase)
		}
		receipts = append(receipts, rc)
	}
	cts, err := sr.FindDocs(ctx, p.Tenant, SalesFilter{Type: TypePurchaseReturn, Partner: supplier,
		Statuses: []string{StatusApproved, StatusPartlyDone, StatusDone, StatusClosed}})
	if err != nil {
		return nil, err
	}
	var returns []supplierscore.Return
	for _, r := range cts {
		date, in := day(r.Date)
		if !in || !p.Scope.Allows(r.Site) {
			continue
		}
		prog, err := sr.Progress(ctx, p.Tenant, r.Number)
		if err != nil {
			return nil, err
		}
		var done, lines int64
		for _, l := range r.Lines {
			done += max(0, MeasureOut.Done(prog[l.Line]))
			lines += l.QtyBase
		}
		q := done
		if done == 0 && r.Status == StatusApproved {
			q = lines
		}
		if q > 0 {
			returns = append(returns, supplierscore.Return{Supplier: supplier, Qty: q, Date: date})
		}
	}
	scores, err := supplierscore.Monthly(receipts, returns, supplierscore.Weights{})
	if err != nil {
		return nil, err
	}
	out := &Performance{Supplier: supplier, Name: row.Name, Months: months, From: from.String(), To: to.String(),
		DeliveryWeight: 50, QualityWeight: 50, Monthly: []MonthScore{}}
	for _, sc := range scores {
		out.Monthly = append(out.Monthly, MonthScore{Period: sc.Period.String(), Receipts: sc.Receipts, OnTime: sc.OnTime,
			Received: sc.Received, Returned: sc.Returned, Delivery: sc.Delivery, Quality: sc.Quality, Score: sc.Weighted,
			Band: sc.Band.String()})
	}
	if o, ok := supplierscore.OverallScore(scores, supplier, to); ok {
		out.Overall = &OverallScore{AsOf: o.AsOf.String(), Score: o.Score, Band: o.Band.String(), Periods: o.Periods,
			Rating: (o.Score + 1000) / 2000}
	}
	return out, nil
}
