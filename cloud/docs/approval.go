package docs

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// Approval by amount (分级审批): the settings' approval_levels say that a
// document of a type whose gross reaches a level's min_gross needs one
// approval by a user with that level's role, level after level in order
// of min_gross. Each approve signs the next level; the document stays a
// draft (its lines still open to the approvers' scrutiny, not to edits
// that would keep the signatures: an update clears them) until the last
// level is signed, which approves it. Reject sends it back with a reason
// and clears the signatures.

// levels returns the levels a document of type typ with gross needs.
func levels(s masterdata.Settings, typ string, gross int64) []masterdata.ApprovalLevel {
	var out []masterdata.ApprovalLevel
	for _, l := range s.ApprovalLevels {
		if l.DocType == typ && gross >= l.MinGross {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].MinGross < out[j].MinGross })
	return out
}

// signLevel signs the next approval level of d by the caller, if d needs
// levels: it reports pending when levels remain after this one (d stays a
// draft), and refuses a caller without the level's role.
func (w *write) signLevel(ctx context.Context, t *Type, d *Document) (pending bool, err error) {
	s, err := w.settings(ctx)
	if err != nil {
		return false, err
	}
	need := levels(s, t.Name, d.Gross)
	n := len(d.Approvals)
	if n >= len(need) {
		return false, nil
	}
	l := need[n]
	if !slices.Contains(w.p.Roles, l.Role) {
		return false, &Error{Err: auth.ErrForbidden,
			Msg: fmt.Sprintf("%s %s (gross %d fen) needs approval level %d of %d by the role %s, which you do not have",
				t.Title, d.Number, d.Gross, n+1, len(need), l.Role),
			MsgZH: fmt.Sprintf("%s %s（价税合计 %d 分）需由角色 %s 进行第 %d/%d 级审批，您没有该角色",
				t.TitleZH, d.Number, d.Gross, l.Role, n+1, len(need))}
	}
	for _, a := range d.Approvals {
		if a.By == w.p.User {
			return false, &Error{Err: ErrState,
				Msg:   fmt.Sprintf("%s %s: you signed level %d already; level %d needs another approver", t.Title, d.Number, a.Level, n+1),
				MsgZH: fmt.Sprintf("%s %s：您已审批第 %d 级，第 %d 级需由其他人审批", t.TitleZH, d.Number, a.Level, n+1)}
		}
	}
	d.Approvals = append(d.Approvals, Approval{Level: n + 1, Role: l.Role, By: w.p.User, At: w.now})
	d.RejectReason = ""
	return n+1 < len(need), nil
}

// Reject sends a draft awaiting approval back with a reason (permission
// module.approve): the signed levels are cleared.
func (s *Service) Reject(ctx context.Context, p *auth.Principal, typ string, id, version int64, reason string) (*Document, error) {
	return s.change(ctx, p, typ, id, version, "reject", (*Type).PermApprove, func(w *write, t *Type, before *Document) (*Document, error) {
		if err := inStatus(t, before, "reject", "驳回", StatusDraft); err != nil {
			return nil, err
		}
		var c masterdata.Checker
		reason = strings.TrimSpace(reason)
		masterdata.CheckText(&c, "reason", reason, true, 200)
		if err := c.Err(); err != nil {
			return nil, err
		}
		d := clone(before)
		d.Approvals, d.RejectReason = nil, reason
		return d, nil
	})
}

// RequestToOrder makes a draft purchase order for supplier from an
// approved purchase request (its lines, prices and site; Ref and RefLine
// name the request) and marks the request done (已转采购) (permission
// purchase.edit).
func (s *Service) RequestToOrder(ctx context.Context, p *auth.Principal, id, version int64, supplier string) (*Document, error) {
	req, err := s.Get(ctx, p, TypePurchaseRequest, id)
	if err != nil {
		return nil, err
	}
	t := TypeOf(TypePurchaseRequest)
	if err := inStatus(t, req, "convert", "转采购", StatusApproved); err != nil {
		return nil, err
	}
	if req.Version != version {
		return nil, &Error{Err: ErrStale, Msg: fmt.Sprintf("purchase request %s changed since version %d: reload it", req.Number, version),
			MsgZH: fmt.Sprintf("请购单 %s 在版本 %d 之后已被修改，请刷新后再操作", req.Number, version)}
	}
	po := &Document{Partner: supplier, Site: req.Site, Date: s.now().In(s.zone).Format("2006-01-02"), Ref: req.Number,
		TaxIncluded: req.TaxIncluded, Note: req.Note}
	for _, l := range req.Lines {
		po.Lines = append(po.Lines, Line{SKU: l.SKU, Unit: l.Unit, Qty: l.Qty, Price: l.Price, VATRate: l.VATRate, RefLine: l.Line})
	}
	out, err := s.Create(ctx, p, TypePurchaseOrder, po)
	if err != nil {
		return nil, err
	}
	_, err = s.change(ctx, p, TypePurchaseRequest, id, version, "convert", (*Type).PermEdit, func(w *write, t *Type, before *Document) (*Document, error) {
		if err := inStatus(t, before, "convert", "转采购", StatusApproved); err != nil {
			return nil, err
		}
		d := clone(before)
		d.Status = StatusDone
		return d, nil
	})
	return out, err
}
