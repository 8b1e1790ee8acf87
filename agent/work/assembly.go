package work

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
)

// AssembleRequest does an assembly (组装单) or disassembly (拆卸单) HQ
// approved for this site.
type AssembleRequest struct {
	Doc string `json:"doc" doc:"The assembly's (ZZ…) or disassembly's (CX…) number."`
	Bin string `json:"bin,omitempty" doc:"Where the components are taken from and the product put (each line's own bin first)."`
}

// AssembleResult is what an assembly recorded.
type AssembleResult struct {
	Doc      string         `json:"doc"`
	Receipt  Receipt        `json:"receipt"`
	Replayed bool           `json:"replayed,omitempty"`
	Lines    []AssemblyLine `json:"lines"`
}

// AssemblyLine is one line's movement: its quantity signed (+ in, − out).
type AssemblyLine struct {
	Line int32  `json:"line"`
	SKU  string `json:"sku"`
	Bin  string `json:"bin"`
	Qty  int64  `json:"qty"`
}

// Assemble records the whole of an assembly or disassembly in one
// durable write: an assembly takes its components out (reason assembly)
// and puts the product in; a disassembly the reverse. It is done once at
// a site: a document with work already recorded (by any handheld of the
// site whose events this one has) is refused (already_done).
func (s *Service) Assemble(ctx context.Context, key string, req AssembleRequest) (*AssembleResult, error) {
	res, err := s.assemble(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) assemble(ctx context.Context, key string, req AssembleRequest) (*AssembleResult, error) {
	u, err := caller(ctx, PermInventory)
	if err != nil {
		return nil, err
	}
	fp := fingerprint("assemble", u, req)
	if r, ok, err := s.replay(ctx, key, fp); err != nil || ok {
		if ok {
			return &AssembleResult{Doc: req.Doc, Receipt: receiptOf(r.Doc), Replayed: true}, nil
		}
		return nil, err
	}
	kind, sign := syncproto.KindAssembly, int64(1)
	if strings.HasPrefix(req.Doc, "CX") {
		kind, sign = syncproto.KindDisassembly, -1
	}
	d, err := s.mustDocument(ctx, kind, req.Doc, "body.doc")
	if err != nil {
		return nil, err
	}
	prog, _, err := s.progressOf(ctx, req.Doc)
	if err != nil {
		return nil, err
	}
	for _, p := range prog {
		if p.Moves > 0 {
			return nil, refusal(http.StatusConflict, CodeAlreadyDone, fmt.Sprintf("%s is already done at this site", req.Doc),
				fmt.Sprintf("%s 已在本站点完成，不能重复执行", req.Doc))
		}
	}
	reason := kind
	res := &AssembleResult{Doc: req.Doc}
	var moves []agent.DocMovement
	for _, l := range d.rec.GetLines() {
		qty := sign * l.GetQtyBase()
		if l.GetComponent() {
			qty = -qty
		}
		bin := l.GetBin()
		if bin == "" {
			bin = req.Bin
		}
		if bin == "" {
			return nil, required("body.bin")
		}
		moves = append(moves, agent.DocMovement{MovementInput: agent.MovementInput{SKU: l.GetSku(), Bin: bin, Lot: l.GetLot(),
			Qty: qty, Reason: reason, Operator: u.Name, Doc: syncproto.DocLine(req.Doc, int(l.GetLine()))}})
		res.Lines = append(res.Lines, AssemblyLine{Line: l.GetLine(), SKU: l.GetSku(), Bin: bin, Qty: qty})
	}
	dr, err := s.st.RecordDocument(ctx, key, agent.DocumentInput{Fingerprint: fp, Movements: moves})
	if err != nil {
		return nil, err
	}
	res.Receipt, res.Replayed = receiptOf(dr.Doc), dr.Replayed
	return res, nil
}
