package docs

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

// Count variance review (盘点差异): what the counts made for a count plan
// found against the book.
//
// A count names its plan in its doc field. Per (bin, SKU, lot) in the
// plan's scope that was counted under the plan, the counts of the plan
// are merged by the rules of DESIGN.md §3 (syncproto.MergeCounts, the
// rule the cloud's on-hand and count conflicts follow): a count another
// count of the plan had seen is superseded; of the rest the greatest
// (hlc, replica) wins and the others are concurrent with it, a conflict
// shown with every observation. The book quantity is the on-hand the
// winning count had seen (the key's movements and counts in its context,
// folded by the same rules): what the system said when it was counted.
// The variance is counted − book, valued at the SKU's purchase price
// (fen per base unit; 0 when none is set).

// CountView is one count of a key.
type CountView struct {
	Replica  string        `json:"replica"`
	Seq      uint64        `json:"seq"`
	HLC      syncproto.HLC `json:"hlc,string"`
	At       time.Time     `json:"at" doc:"The counter's clock (the HLC's wall time)."`
	Counted  int64         `json:"counted"`
	Operator string        `json:"operator"`
	Device   string        `json:"device"`
	// Winner is the count the variance is taken from.
	Winner bool `json:"winner"`
}

// Variance is one key counted under a plan.
type Variance struct {
	Bin  string `json:"bin"`
	SKU  string `json:"sku"`
	Lot  string `json:"lot"`
	Name string `json:"name"`
	// Counted is the winning count's quantity, Book the on-hand it had
	// seen, Variance Counted − Book (base units).
	Counted  int64 `json:"counted" doc:"实盘数量"`
	Book     int64 `json:"book" doc:"账面数量 (before the count)"`
	Variance int64 `json:"variance" doc:"差异数量 = counted − book"`
	// Price is the purchase price (fen per base unit), Value Variance ×
	// Price (fen).
	Price int64 `json:"price" doc:"Purchase price, fen per base unit 采购价（分）."`
	Value int64 `json:"value" doc:"Variance × price, fen 差异金额（分）."`
	// OnHand is the key's on-hand now.
	OnHand int64 `json:"on_hand"`
	// CountedBy, Replica and CountedAt are the winning count's.
	CountedBy string    `json:"counted_by"`
	Device    string    `json:"device"`
	Replica   string    `json:"replica"`
	CountedAt time.Time `json:"counted_at"`
	// Counts is how many counts of the plan the key had.
	Counts int `json:"counts"`
	// Conflict: counts concurrent with the winner; Observations are the
	// winner and those, by HLC.
	Conflict     bool        `json:"conflict"`
	Observations []CountView `json:"observations,omitempty"`
}

// Variances is a count plan's variance review.
type Variances struct {
	Plan   string `json:"plan"`
	ID     int64  `json:"id"`
	Site   string `json:"site"`
	Scope  string `json:"scope"`
	Status string `json:"status"`
	// Version is the plan's: send it in If-Match to approve.
	Version int64      `json:"version"`
	Lines   []Variance `json:"lines" nullable:"false"`
	// Gain and Loss are the sums of the positive and negative variances
	// (base units; Loss ≤ 0), GainValue and LossValue their values, Net
	// the value of all (fen).
	Gain      int64 `json:"gain"`
	Loss      int64 `json:"loss"`
	GainValue int64 `json:"gain_value"`
	LossValue int64 `json:"loss_value"`
	NetValue  int64 `json:"net_value"`
	Conflicts int   `json:"conflicts" doc:"Keys with concurrent counts 冲突数."`

	ApprovedBy string    `json:"approved_by,omitempty" doc:"Who approved the variances."`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
}

// CountVariances returns the variance review of count plan id
// (permission inventory.view; the plan's site in the caller's scope).
func (s *Service) CountVariances(ctx context.Context, p *auth.Principal, id int64) (*Variances, error) {
	d, err := s.Get(ctx, p, TypeCountPlan, id)
	if err != nil {
		return nil, err
	}
	rs, err := s.reportStore()
	if err != nil {
		return nil, err
	}
	rr := rs.Reports()
	counts, err := rr.PlanCounts(ctx, p.Tenant, d.Site, d.Number)
	if err != nil {
		return nil, err
	}
	inScope := func(k syncproto.Key) bool {
		switch d.Scope {
		case ScopeBins:
			return slices.Contains(d.Bins, k.Bin)
		case ScopeSKUs:
			return slices.ContainsFunc(d.Lines, func(l Line) bool { return l.SKU == k.SKU })
		}
		return true
	}
	byKey := map[syncproto.Key][]syncproto.Event{}
	var keys []syncproto.Key
	for _, e := range counts {
		k, ok := e.KeyOf()
		if !ok || !inScope(k) {
			continue
		}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], e)
	}
	slices.SortFunc(keys, func(a, b syncproto.Key) int {
		return cmpKeys(a, b)
	})
	out := &Variances{Plan: d.Number, ID: d.ID, Site: d.Site, Scope: d.Scope, Status: d.Status, Version: d.Version, Lines: []Variance{},
		ApprovedBy: d.VariancesApprovedBy, ApprovedAt: d.VariancesApprovedAt}
	fm, products := map[string]skuFacts{}, map[int64]*masterdata.Product{}
	for _, k := range keys {
		mc := syncproto.MergeCounts(byKey[k])
		w := mc.Winner
		all, err := rr.KeyEvents(ctx, p.Tenant, k)
		if err != nil {
			return nil, err
		}
		seen := w.CountContext()
		var before []syncproto.Event
		for _, e := range all {
			if seen.Contains(e.Replica, e.Seq) {
				before = append(before, e)
			}
		}
		f, err := facts(ctx, rr, p.Tenant, k.SKU, fm, products)
		if err != nil {
			return nil, err
		}
		c := w.Msg.GetCount()
		v := Variance{Bin: k.Bin, SKU: k.SKU, Lot: k.Lot, Name: f.name, Counted: c.GetCounted(),
			Book: syncproto.OnHandAll(before)[k], OnHand: syncproto.OnHandAll(all)[k], Price: f.price,
			CountedBy: c.GetOperator(), Device: c.GetDevice(), Replica: w.Replica.String(), CountedAt: w.HLC.Time(),
			Counts: len(syncproto.Dedup(byKey[k])), Conflict: len(mc.Conflicts) > 0}
		v.Variance = v.Counted - v.Book
		if v.Value, err = valueOf(v.Variance, v.Price); err != nil {
			return nil, fmt.Errorf("count plan %s, %s: %w", d.Number, k, err)
		}
		if v.Conflict {
			obs := append([]syncproto.Event{*w}, mc.Conflicts...)
			slices.SortFunc(obs, func(a, b syncproto.Event) int {
				if syncproto.Later(&b, &a) {
					return -1
				}
				return 1
			})
			for _, o := range obs {
				oc := o.Msg.GetCount()
				v.Observations = append(v.Observations, CountView{Replica: o.Replica.String(), Seq: o.Seq, HLC: o.HLC, At: o.HLC.Time(),
					Counted: oc.GetCounted(), Operator: oc.GetOperator(), Device: oc.GetDevice(),
					Winner: o.Replica == w.Replica && o.Seq == w.Seq})
			}
			out.Conflicts++
		}
		if v.Variance > 0 {
			out.Gain += v.Variance
			out.GainValue += v.Value
		} else {
			out.Loss += v.Variance
			out.LossValue += v.Value
		}
		out.NetValue += v.Value
		out.Lines = append(out.Lines, v)
	}
	return out, nil
}

func cmpKeys(a, b syncproto.Key) int {
	for _, c := range [][2]string{{a.Bin, b.Bin}, {a.SKU, b.SKU}, {a.Lot, b.Lot}} {
		if n := strings.Compare(c[0], c[1]); n != 0 {
			return n
		}
	}
	return 0
}

// valueOf is qty × price (fen), refused beyond int64.
func valueOf(qty, price int64) (int64, error) {
	neg := qty < 0
	if neg {
		qty = -qty
	}
	hi, lo := bits.Mul64(uint64(qty), uint64(max(price, 0)))
	if hi != 0 || lo > 1<<63-1 {
		return 0, fmt.Errorf("variance %d × price %d is beyond int64", qty, price)
	}
	if neg {
		return -int64(lo), nil
	}
	return int64(lo), nil
}

// ApproveVariances records the decision on a count plan's variances at
// version (permission inventory.approve; If-Match): the plan becomes done
// with who approved and when, audited as count_plan.approve_variances, and
// its sites' agents drop it. It writes no stock: the counts themselves
// already reset the on-hand of every key they counted when they reached
// the cloud (DESIGN.md §3), so the approval records that HQ accepts the
// result, it does not apply it. A plan that is not approved or in
// progress (盘点中) gives ErrState.
func (s *Service) ApproveVariances(ctx context.Context, p *auth.Principal, id, version int64) (*Document, error) {
	return s.change(ctx, p, TypeCountPlan, id, version, "approve_variances", (*Type).PermApprove,
		func(w *write, t *Type, before *Document) (*Document, error) {
			if err := inStatus(t, before, "approve", "审核差异", StatusApproved, StatusPartlyDone); err != nil {
				return nil, err
			}
			d := clone(before)
			d.Status, d.VariancesApprovedBy, d.VariancesApprovedAt = StatusDone, w.p.User, w.now
			return d, w.publishDoc(ctx, t, withStatus(d, StatusClosed))
		})
}
