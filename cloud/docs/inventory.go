package docs

import (
	"context"
	"fmt"
	"slices"
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
	hooksOf[TypeCountPlan] = hooks{check: checkCountPlan, record: func(d *Document, r *pb.DocumentRecord) {
		r.Blind, r.Bins = d.Blind, d.Bins
	}}
	edgeHooks[syncproto.EdgeTransferIn] = transferArrived
	edgeHooks[syncproto.EdgeCount] = countSessionDone
}

// Count plan scopes.
const (
	ScopeSite = "site"
	ScopeBins = "bins"
	ScopeSKUs = "skus"
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
	default:
		c.Addf("scope", "%q: want site, bins or skus", "%q 无效：应为 site（全场）、bins（按库位）或 skus（按商品）", d.Scope)
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
