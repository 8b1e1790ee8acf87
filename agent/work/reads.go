package work

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
	"google.golang.org/protobuf/proto"
)

// LineView is a document line with this site's work on it. Expected is
// absent for a blind count plan.
type LineView struct {
	Line   int32  `json:"line"`
	SKU    string `json:"sku"`
	Name   string `json:"name,omitempty"`
	Unit   string `json:"unit,omitempty"`
	Factor int64  `json:"factor,omitempty"`
	Bin    string `json:"bin,omitempty"`
	Lot    string `json:"lot,omitempty"`
	// Component marks an assembly's or disassembly's component line (the
	// other line is the product).
	Component bool   `json:"component,omitempty"`
	Expected  *int64 `json:"expected,omitempty" doc:"The line's quantity in base units; never for a blind count plan."`
	Done      int64  `json:"done" doc:"Work at this site so far in base units (received, picked, sent or received on a transfer), whichever handheld did it."`
}

// DocView is a document the site holds, with its progress.
type DocView struct {
	Kind      string     `json:"kind"`
	Number    string     `json:"number"`
	Partner   string     `json:"partner,omitempty"`
	FromSite  string     `json:"from_site,omitempty"`
	ToSite    string     `json:"to_site,omitempty"`
	Blind     bool       `json:"blind,omitempty"`
	Bins      []string   `json:"bins,omitempty"`
	Tolerance int32      `json:"tolerance_percent,omitempty"`
	Lines     []LineView `json:"lines"`
	// Unplanned is what was received against the number alone.
	Unplanned int64 `json:"unplanned,omitempty"`
	Counts    int64 `json:"counts,omitempty" doc:"Counts recorded at this site for a count plan."`
}

// Documents lists the open documents of kind the site holds, with
// progress.
func (s *Service) Documents(ctx context.Context, kind string) ([]DocView, error) {
	out, err := s.documents(ctx, kind)
	return out, s.refuse(err)
}

func (s *Service) documents(ctx context.Context, kind string) ([]DocView, error) {
	if _, err := caller(ctx, PermInventory); err != nil {
		return nil, err
	}
	if !syncproto.IsDocumentKind(kind) {
		return nil, invalidField("path.kind", fmt.Sprintf("%q is not a document kind", kind), fmt.Sprintf("%q 不是单据类型", kind))
	}
	recs, err := s.st.MasterRecords(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := []DocView{}
	for _, r := range recs {
		if r.GetDeleted() {
			continue
		}
		v, err := s.view(ctx, kind, r.GetKey())
		if err != nil {
			s.log.Warn("document skipped", "kind", kind, "number", r.GetKey(), "err", err)
			continue
		}
		out = append(out, *v)
	}
	return out, nil
}

// Document returns one document the site holds, with progress.
func (s *Service) Document(ctx context.Context, kind, number string) (*DocView, error) {
	if _, err := caller(ctx, PermInventory); err != nil {
		return nil, s.refuse(err)
	}
	v, err := s.view(ctx, kind, number)
	return v, s.refuse(err)
}

func (s *Service) view(ctx context.Context, kind, number string) (*DocView, error) {
	d, err := s.mustDocument(ctx, kind, number, "path.number")
	if err != nil {
		return nil, err
	}
	prog, whole, err := s.progressOf(ctx, number)
	if err != nil {
		return nil, err
	}
	sign := int64(1)
	if kind == syncproto.KindPickList || kind == syncproto.KindPurchaseReturn || (kind == syncproto.KindTransfer && d.rec.GetFromSite() == s.st.Site()) {
		sign = -1
	}
	r := d.rec
	v := &DocView{Kind: kind, Number: number, Partner: r.GetPartner(), FromSite: r.GetFromSite(), ToSite: r.GetToSite(), Blind: r.GetBlind(),
		Bins: r.GetBins(), Tolerance: r.GetTolerancePercent(), Lines: []LineView{}, Unplanned: whole.Pos + whole.Neg, Counts: whole.Counts}
	if kind == syncproto.KindDisassembly {
		sign = -1
	}
	for _, l := range r.GetLines() {
		p := prog[l.GetLine()]
		// An assembly's components go out, a disassembly's come in: done
		// counts the work either way.
		ls := sign
		if l.GetComponent() {
			ls = -ls
		}
		lv := LineView{Line: l.GetLine(), SKU: l.GetSku(), Name: l.GetName(), Unit: l.GetUnit(), Factor: l.GetFactor(), Bin: l.GetBin(), Lot: l.GetLot(),
			Component: l.GetComponent(), Done: ls * (p.Pos + p.Neg)}
		if !r.GetBlind() {
			q := l.GetQtyBase()
			lv.Expected = &q
		}
		v.Lines = append(v.Lines, lv)
	}
	return v, nil
}

// EdgeDocView is an edge document with its sync state.
type EdgeDocView struct {
	ID      string             `json:"id"`
	Type    string             `json:"type"`
	Status  string             `json:"status"`
	Ref     string             `json:"ref,omitempty"`
	Own     bool               `json:"own" doc:"Opened by this handheld."`
	Synced  bool               `json:"synced" doc:"Its last event from this handheld is acknowledged by the cloud (seq ≤ acked watermark); for another handheld's document, always false."`
	Doc     *syncproto.EdgeDoc `json:"doc,omitempty" doc:"The payload of the event whose status stands (else the opening one's)."`
	OpenSeq uint64             `json:"open_seq,omitempty"`
}

func (s *Service) edgeView(st agent.EdgeDocState, payload []byte) EdgeDocView {
	v := EdgeDocView{ID: st.ID, Type: st.DocType, Status: st.Status, Ref: st.Ref, Own: st.Open.Replica == s.st.Replica(), OpenSeq: st.Open.Seq}
	v.Synced = st.Last.Replica == s.st.Replica() && st.Last.Seq <= s.st.AckedSeq()
	if payload != nil {
		if d, err := syncproto.DecodeEdgeDoc(payload); err == nil {
			v.Doc = d
		}
	}
	return v
}

// EdgeDoc returns an edge document by id.
func (s *Service) EdgeDoc(ctx context.Context, id string) (*EdgeDocView, error) {
	if _, err := caller(ctx, PermInventory); err != nil {
		if _, err2 := caller(ctx, PermRetail); err2 != nil {
			return nil, s.refuse(err)
		}
	}
	st, open, last, ok, err := s.st.EdgeDoc(ctx, id)
	if err != nil {
		return nil, s.refuse(err)
	}
	if !ok {
		return nil, s.refuse(refusal(http.StatusNotFound, CodeUnknownDocument, fmt.Sprintf("this site knows no edge document %s", id), fmt.Sprintf("本站点没有单据 %s", id)))
	}
	if last == nil {
		last = open
	}
	v := s.edgeView(st, last)
	return &v, nil
}

// Recent lists the edge documents this handheld opened, newest first,
// with their sync state.
func (s *Service) Recent(ctx context.Context, limit int) ([]EdgeDocView, error) {
	if _, err := caller(ctx, PermInventory); err != nil {
		if _, err2 := caller(ctx, PermRetail); err2 != nil {
			return nil, s.refuse(err)
		}
	}
	sts, err := s.st.EdgeDocs(ctx, "", limit)
	if err != nil {
		return nil, s.refuse(err)
	}
	out := make([]EdgeDocView, 0, len(sts))
	for _, st := range sts {
		out = append(out, s.edgeView(st, nil))
	}
	return out, nil
}

// Alert is a SKU whose on-hand at this site is below its minimum or above
// its maximum (stock_limit master records).
type Alert struct {
	SKU    string `json:"sku"`
	OnHand int64  `json:"on_hand"`
	Min    int64  `json:"min,omitempty"`
	Max    int64  `json:"max,omitempty"`
	Kind   string `json:"kind" enum:"below_min,above_max"`
}

// Alerts compares every stock limit with this site's on-hand (all bins
// and lots), offline.
func (s *Service) Alerts(ctx context.Context) ([]Alert, error) {
	if _, err := caller(ctx, PermInventory); err != nil {
		return nil, s.refuse(err)
	}
	recs, err := s.st.MasterRecords(ctx, syncproto.KindStockLimit)
	if err != nil {
		return nil, s.refuse(err)
	}
	rows, err := s.st.Stock(ctx, agent.StockFilter{})
	if err != nil {
		return nil, s.refuse(err)
	}
	on := make(map[string]int64)
	for _, r := range rows {
		on[r.SKU] += r.Qty
	}
	out := []Alert{}
	for _, r := range recs {
		if r.GetDeleted() {
			continue
		}
		lim := new(pb.StockLimitRecord)
		if err := proto.Unmarshal(r.GetBody(), lim); err != nil {
			continue
		}
		q := on[r.GetKey()]
		switch {
		case lim.GetMin() > 0 && q < lim.GetMin():
			out = append(out, Alert{SKU: r.GetKey(), OnHand: q, Min: lim.GetMin(), Max: lim.GetMax(), Kind: "below_min"})
		case lim.GetMax() > 0 && q > lim.GetMax():
			out = append(out, Alert{SKU: r.GetKey(), OnHand: q, Min: lim.GetMin(), Max: lim.GetMax(), Kind: "above_max"})
		}
	}
	return out, nil
}

// StockView is on-hand of a SKU at this site.
type StockView struct {
	SKU   string           `json:"sku"`
	Total int64            `json:"total"`
	Rows  []agent.StockRow `json:"rows"`
}

// Stock looks a SKU up by scan or SKU and returns its on-hand by bin and lot.
func (s *Service) Stock(ctx context.Context, barcode, sku string) (*StockView, error) {
	if _, err := caller(ctx, PermInventory); err != nil {
		if _, err2 := caller(ctx, PermRetail); err2 != nil {
			return nil, s.refuse(err)
		}
	}
	if barcode != "" {
		it, err := s.resolve(ctx, Scan{Barcode: barcode}, "query")
		if err != nil {
			return nil, s.refuse(err)
		}
		sku = it.sku
	}
	if sku == "" {
		return nil, s.refuse(invalidField("query.sku", "give a barcode or a sku", "请扫描条码或填写 SKU"))
	}
	rows, err := s.st.Stock(ctx, agent.StockFilter{SKU: sku})
	if err != nil {
		return nil, s.refuse(err)
	}
	v := &StockView{SKU: sku, Rows: []agent.StockRow{}}
	for _, r := range rows {
		v.Total += r.Qty
		v.Rows = append(v.Rows, r)
	}
	return v, nil
}
