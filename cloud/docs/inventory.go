package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Rules of the inventory documents: count plans say what is counted and
// whether blind; a transfer's arrival at its destination (the edge
// document transfer_in) ends it, with what did not arrive noted per line;
// a handheld's count session for a plan (the edge document count) puts
// the plan in progress.
func init() {
	hooksOf[TypeCountPlan] = hooks{check: checkCountPlan, approve: expandCountPlan, record: func(d *Document, r *pb.DocumentRecord) {
		r.Blind, r.Bins = d.Blind, d.Bins
	}}
	edgeHooks[syncproto.EdgeTransferIn] = transferArrived
	edgeHooks[syncproto.EdgeCount] = countSessionDone
}

// Count plan scopes.
const (
	ScopeSite     = "site"
	ScopeBins     = "bins"
	ScopeSKUs     = "skus"
	ScopeCategory = "category"
	ScopeABC      = "abc"
)

func checkCountPlan(ctx context.Context, w *write, t *Type, d *Document, c *masterdata.Checker) error {
	d.VariancesApprovedBy, d.VariancesApprovedAt = "", time.Time{}
	if d.Scope == "" {
		d.Scope = ScopeSite
		if len(d.Lines) > 0 {
			d.Scope = ScopeSKUs
		}
	}
	for i := range d.Bins {
		d.Bins[i] = strings.TrimSpace(d.Bins[i])
		masterdata.CheckText(c, "bins["+strconv.Itoa(i)+"]", d.Bins[i], true, 64)
	}
	switch d.Scope {
	case ScopeSite:
		if len(d.Bins) > 0 || len(d.Lines) > 0 {
			c.Add("scope", "a count of the whole site names no bins and no lines", "全场盘点不能指定库位或商品行")
		}
	case ScopeBins:
		if len(d.Bins) == 0 {
			c.Add("bins", "name the bins to count", "请指定要盘点的库位")
		}
		seen := map[string]bool{}
		for i, b := range d.Bins {
			if seen[b] {
				c.Addf("bins["+strconv.Itoa(i)+"]", "%q is named twice", "%q 重复", b)
			}
			seen[b] = true
		}
	case ScopeSKUs:
		if len(d.Lines) == 0 {
			c.Add("lines", "name the SKUs to count", "请指定要盘点的商品")
		}
	case ScopeCategory:
		d.Category = strings.TrimSpace(d.Category)
		if len(d.Lines) > 0 {
			c.Add("lines", "a count by category takes its SKUs from the category when approved", "按分类盘点的商品在审核时按分类生成，不能指定商品行")
		}
		if d.Category == "" {
			c.Add("category", "is required", "不能为空")
		} else if _, ok, err := w.tx.MasterByCode(ctx, w.p.Tenant, masterdata.KindCategory, d.Category); err != nil {
			return err
		} else if !ok {
			c.Addf("category", "no category has the code %q", "没有编码为 %q 的商品分类", d.Category)
		}
	case ScopeABC:
		if len(d.Lines) > 0 {
			c.Add("lines", "a cycle count by ABC class takes its SKUs from the class when approved", "按 ABC 分类循环盘点的商品在审核时生成，不能指定商品行")
		}
		if !slices.Contains([]string{"A", "B", "C"}, d.ABC) {
			c.Addf("abc", "%q: want A, B or C", "%q 无效：应为 A、B 或 C", d.ABC)
		}
	default:
		c.Addf("scope", "%q: want site, bins, skus, category or abc", "%q 无效：应为 site（全场）、bins（按库位）、skus（按商品）、category（按分类）或 abc（ABC 循环盘点）", d.Scope)
	}
	if d.Scope != ScopeCategory {
		d.Category = ""
	}
	if d.Scope != ScopeABC {
		d.ABC = ""
	}
	if d.Scope != ScopeBins {
		d.Bins = nil
	}
	return nil
}

// transferArrived records the end of a transfer's in leg: the lines that
// did not arrive in full get a note of the difference and its reason, and
// the transfer is done (nothing more will come). A transfer_in naming no
// transfer of the cloud changes nothing (its movements still count where
// they name lines).
func transferArrived(ctx context.Context, w *write, e EdgeEvent, id string, d *syncproto.EdgeDoc) ([]string, error) {
	t := TypeOf(TypeTransfer)
	row, ok, err := w.tx.ByNumber(ctx, e.Tenant, d.Ref)
	if err != nil || !ok || row.Type != TypeTransfer || row.ToSite != e.Site {
		return nil, err
	}
	before, err := decode(t, row)
	if err != nil {
		return nil, err
	}
	if !slices.Contains([]string{StatusApproved, StatusPartlyDone}, before.Status) {
		return nil, nil
	}
	after := clone(before)
	for _, l := range d.Lines {
		if l.Short <= 0 || l.RefLine < 1 || l.RefLine > len(after.Lines) {
			continue
		}
		line := &after.Lines[l.RefLine-1]
		line.Note = fmt.Sprintf("到货差异 short %d: %s", l.Short, l.ShortReason)
	}
	after.Status, after.Version, after.UpdatedAt, after.UpdatedBy = StatusDone, before.Version+1, w.now, w.p.User
	r, err := rowOf(t, after)
	if err != nil {
		return nil, err
	}
	if err := w.tx.Update(ctx, e.Tenant, r); err != nil {
		return nil, err
	}
	if err := audit(ctx, w, t, "arrive", before, after); err != nil {
		return nil, err
	}
	return []string{after.Number}, w.publishDoc(ctx, t, withStatus(after, StatusClosed))
}

// withStatus returns a copy of d with status s (a done transfer is
// dropped by its sites' agents like a closed one).
func withStatus(d *Document, s string) *Document {
	c := clone(d)
	c.Status = s
	return c
}

// countSessionDone puts an approved count plan in progress (盘点中) when a
// handheld finishes a count session for it.
func countSessionDone(ctx context.Context, w *write, e EdgeEvent, id string, d *syncproto.EdgeDoc) ([]string, error) {
	row, ok, err := w.tx.ByNumber(ctx, e.Tenant, d.Ref)
	if err != nil || !ok || row.Type != TypeCountPlan || row.Site != e.Site || row.Status != StatusApproved {
		return nil, err
	}
	t := TypeOf(TypeCountPlan)
	before, err := decode(t, row)
	if err != nil {
		return nil, err
	}
	after := clone(before)
	after.Status, after.Version, after.UpdatedAt, after.UpdatedBy = StatusPartlyDone, before.Version+1, w.now, w.p.User
	r, err := rowOf(t, after)
	if err != nil {
		return nil, err
	}
	if err := w.tx.Update(ctx, e.Tenant, r); err != nil {
		return nil, err
	}
	return []string{after.Number}, audit(ctx, w, t, "count", before, after)
}

// expandCountPlan makes the SKU lines of a count plan by category (every
// SKU of the products in the category or below it) or by ABC class, when
// it is approved: the set counted is fixed from then on.
func expandCountPlan(ctx context.Context, w *write, t *Type, d *Document) error {
	if d.Scope != ScopeCategory && d.Scope != ScopeABC {
		return nil
	}
	rs, err := w.svc.reportStore()
	if err != nil {
		return err
	}
	rd := rs.Reports()
	products, err := rd.MasterList(ctx, w.p.Tenant, masterdata.KindProduct, "")
	if err != nil {
		return err
	}
	type sku struct {
		code, name, unit string
		price            int64
	}
	var skus []sku
	var inCategory func(int64) bool
	if d.Scope == ScopeCategory {
		cats, err := rd.MasterList(ctx, w.p.Tenant, masterdata.KindCategory, "")
		if err != nil {
			return err
		}
		parent, root := map[int64]int64{}, int64(0)
		for _, c := range cats {
			parent[c.ID] = c.ParentID
			if c.Code == d.Category {
				root = c.ID
			}
		}
		inCategory = func(id int64) bool {
			for n := 0; id != 0 && n < 100; n++ {
				if id == root {
					return true
				}
				id = parent[id]
			}
			return false
		}
	}
	for _, pr := range products {
		if pr.Disabled {
			continue
		}
		var p masterdata.Product
		if err := json.Unmarshal(pr.Body, &p); err != nil {
			return fmt.Errorf("decode product %d: %w", pr.ID, err)
		}
		if inCategory != nil && !inCategory(p.CategoryID) {
			continue
		}
		for _, s := range p.SKUs {
			if s.Disabled {
				continue
			}
			price := s.PurchasePrice
			if price == 0 {
				price = p.PurchasePrice
			}
			name := p.Name
			for _, v := range s.Attrs {
				name += " " + v
			}
			skus = append(skus, sku{code: s.Code, name: name, unit: p.BaseUnit, price: price})
		}
	}
	if d.Scope == ScopeABC {
		from := syncproto.MakeHLC(w.now.Add(-90*24*time.Hour).UnixMilli(), 0)
		outs, err := rd.Outflows(ctx, w.p.Tenant, d.Site, from, []string{"sale", "ship"})
		if err != nil {
			return err
		}
		value := map[string]int64{}
		price := map[string]int64{}
		for _, s := range skus {
			price[s.code] = max(s.price, 1)
		}
		var total int64
		for _, o := range outs {
			v := o.Qty * price[o.SKU] // Qty is what left, positive
			if price[o.SKU] == 0 || v < 0 || v > MaxMoney {
				continue
			}
			value[o.SKU] += v
			total += v
		}
		sort.SliceStable(skus, func(i, j int) bool {
			if value[skus[i].code] != value[skus[j].code] {
				return value[skus[i].code] > value[skus[j].code]
			}
			return skus[i].code < skus[j].code
		})
		var cum int64
		keep := skus[:0]
		for _, s := range skus {
			class := "C"
			if v := value[s.code]; v > 0 && total > 0 {
				// Class by the share of value before this SKU: the SKUs
				// that make the first 80 % are A, up to 95 % B.
				switch {
				case cum*100 < total*80:
					class = "A"
				case cum*100 < total*95:
					class = "B"
				}
				cum += v
			}
			if class == d.ABC {
				keep = append(keep, s)
			}
		}
		skus = keep
	}
	if len(skus) == 0 {
		return &Error{Err: ErrState, Msg: fmt.Sprintf("count plan %s would count no SKU: nothing is in its %s", d.Number, d.Scope),
			MsgZH: fmt.Sprintf("盘点计划 %s 没有可盘点的商品：范围内没有商品", d.Number)}
	}
	if len(skus) > syncproto.MaxDocLines {
		return &Error{Err: ErrState, Msg: fmt.Sprintf("count plan %s would count %d SKUs, more than %d: split it (by a narrower category)", d.Number, len(skus), syncproto.MaxDocLines),
			MsgZH: fmt.Sprintf("盘点计划 %s 包含 %d 个商品，超过 %d 个，请拆分（选择更细的分类）", d.Number, len(skus), syncproto.MaxDocLines)}
	}
	d.Lines = d.Lines[:0]
	for i, s := range skus {
		d.Lines = append(d.Lines, Line{Line: i + 1, SKU: s.code, Name: s.name, Unit: s.unit, Factor: 1, Qty: 1, QtyBase: 1})
	}
	return nil
}
