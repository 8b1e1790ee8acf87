package work

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// ReasonReceive is the movement reason of a receipt (a handheld's, a
// gate's inbound pass, a receiving station's scan).
const ReasonReceive = "receive"

// deviceSession is a receiving session open on this replica at a device.
type deviceSession struct {
	id, ref string
}

// deviceSessions returns the receiving sessions this replica holds open,
// by the device (a gate reader's or a station's profile name) they were
// opened at. When several are open at one device (only possible through
// peers' replays) the newest wins.
func (s *Service) deviceSessions(ctx context.Context) (map[string]deviceSession, error) {
	sts, err := s.st.OpenEdgeDocs(ctx, syncproto.EdgeReceipt)
	if err != nil {
		return nil, err
	}
	out := make(map[string]deviceSession)
	for _, st := range sts {
		_, open, _, ok, err := s.st.EdgeDoc(ctx, st.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		d, err := syncproto.DecodeEdgeDoc(open)
		if err != nil || d.Device == "" {
			continue
		}
		if _, seen := out[d.Device]; !seen { // newest first
			out[d.Device] = deviceSession{id: st.ID, ref: d.Ref}
		}
	}
	return out, nil
}

// DeviceSession returns the receiving session open at device on this
// replica (its edge document id and purchase order), ok false when none.
func (s *Service) DeviceSession(ctx context.Context, device string) (id, po string, ok bool, err error) {
	ss, err := s.deviceSessions(ctx)
	if err != nil {
		return "", "", false, err
	}
	ds, ok := ss[device]
	return ds.id, ds.ref, ok, nil
}

// RouteDevice names the purchase order lines that the movements a device
// is about to record are received against, when a receiving session is
// open at that device on this replica (OpenSession with a device): it is
// what the device pipeline (agent/devices.Router) calls for a gate
// reader's inbound passes and a receiving station's scans. It sets Doc on
// each receipt movement (reason receive, quantity above zero) in place,
// in order, as Receive would for a handheld's scan: the first open line
// of the SKU (an SGTIN's SKU is the catalogue's, found by the pipeline),
// counting what the earlier movements of ms take.
//
// A movement it cannot put on a line is refused, and the refusal (an
// *Error: not_on_document, over_receipt beyond the line and the
// supplier's tolerance, document_closed) is in refused at its index and
// counted with the other work refusals; its Doc is then the purchase
// order number alone (an unplanned receipt of that order), so that a
// caller which must never lose a read (a gate) records it as such and one
// with a person at it (a station) may refuse the scan instead. A session
// on an order the site does not hold yet receives unplanned (Doc the
// number alone), refusing nothing. Movements of other reasons, outbound
// ones and all of them when no session is open at device are left as
// they are. refused is nil when nothing was refused; err is a ledger
// failure, with ms unchanged.
func (s *Service) RouteDevice(ctx context.Context, device string, ms []agent.MovementInput) (refused []error, err error) {
	ss, err := s.deviceSessions(ctx)
	if err != nil {
		return nil, err
	}
	sess, ok := ss[device]
	if !ok || sess.ref == "" {
		return nil, nil
	}
	po := sess.ref
	d, held, derr := s.document(ctx, syncproto.KindPurchaseOrder, po)
	if derr != nil && errorOf(derr).Code != CodeDocumentClosed {
		return nil, derr
	}
	var prog map[int32]agent.Progress
	if held && derr == nil {
		if prog, _, err = s.progressOf(ctx, po); err != nil {
			return nil, err
		}
	}
	pending := make(map[int32]int64) // what earlier movements of ms take, by line
	net := func(l *pb.DocumentLine) int64 { p := prog[l.GetLine()]; return p.Pos + p.Neg + pending[l.GetLine()] }
	docs := make([]string, len(ms))
	refuse := func(i int, err error) {
		if refused == nil {
			refused = make([]error, len(ms))
		}
		refused[i] = s.refuse(err)
		docs[i] = po
	}
	for i := range ms {
		m := &ms[i]
		docs[i] = m.Doc
		if m.Reason != ReasonReceive || m.Qty <= 0 || m.Doc != "" {
			continue
		}
		switch {
		case derr != nil: // closed or void since the session opened
			refuse(i, derr)
			continue
		case !held:
			docs[i] = po
			continue
		}
		l, ok := lineFor(d, m.SKU, net)
		if !ok {
			refuse(i, refusal(http.StatusConflict, CodeNotOnDocument,
				fmt.Sprintf("SKU %s received at %s is not on purchase order %s", m.SKU, device, po),
				fmt.Sprintf("扫描的商品不在该单据上：设备 %s 收到的商品 %s 不在采购订单 %s 中", device, m.SKU, po)))
			continue
		}
		if done := net(l); done+m.Qty > allowed(d, l) {
			refuse(i, refusal(http.StatusConflict, CodeOverReceipt,
				fmt.Sprintf("over-receipt at %s: line %d of %s allows %d (%d + %d%%), %d received, %d more",
					device, l.GetLine(), po, allowed(d, l), l.GetQtyBase(), d.rec.GetTolerancePercent(), done, m.Qty),
				fmt.Sprintf("超收：设备 %s 收货，采购订单 %s 第 %d 行最多可收 %d（%d + %d%%），已收 %d，本次 %d",
					device, po, l.GetLine(), allowed(d, l), l.GetQtyBase(), d.rec.GetTolerancePercent(), done, m.Qty)))
			continue
		}
		pending[l.GetLine()] += m.Qty
		docs[i] = syncproto.DocLine(po, int(l.GetLine()))
	}
	for i := range ms {
		ms[i].Doc = docs[i]
	}
	return refused, nil
}
