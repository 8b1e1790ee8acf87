// Package work is a site's work against documents, offline: receiving
// purchase orders, picking pick lists, transfers out and in, counts for
// count plans, other in/out, the till's sales and returns, stock alerts,
// and the reads the handheld pages need. The documents are master records
// the agent holds (syncproto.DocumentRecord); progress is what the site's
// events say (agent.DocumentStore.DocProgress), whichever handheld did the
// work. Service holds the rules as plain methods; Register mounts them as
// huma operations under /api/v1/work. See DESIGN.md beside this file.
package work

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/session"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Permissions the work needs.
const (
	PermInventory      = "inventory.edit"
	PermPurchaseApprov = "purchase.approve"
	PermRetail         = "retail.edit"
	PermRetailApprove  = "retail.approve"
)

// Store is what the Service needs of the ledger (agent/sqlite.Ledger has it).
type Store interface {
	agent.DocumentStore
	Site() string
	Replica() syncproto.ReplicaID
	AckedSeq() uint64
	LastSeq() uint64
	ProductByGTIN(ctx context.Context, gtin string) (agent.Product, bool, error)
	Stock(ctx context.Context, f agent.StockFilter) ([]agent.StockRow, error)
	RecordCount(ctx context.Context, in agent.CountInput) (agent.Receipt, error)
	Events(ctx context.Context, from uint64, maxEvents, maxBytes int) ([]syncproto.Event, error)
	// OpenEdgeDocs lists the open edge documents of a type this replica
	// opened (receiving sessions at a device).
	OpenEdgeDocs(ctx context.Context, docType string) ([]agent.EdgeDocState, error)
}

// Service is the site's work. Its methods take the caller from the
// context (session.From) and check permissions; a refusal is an *Error,
// counted by its code.
type Service struct {
	st  Store
	log *slog.Logger

	mu      sync.Mutex
	refused map[string]uint64
	docs    map[docKey]cachedDoc
}

// New returns the Service over st; log may be nil.
func New(st Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, log: log.With("component", "work"), refused: make(map[string]uint64), docs: make(map[docKey]cachedDoc)}
}

// refuse counts and logs a refusal and returns it as an *Error.
func (s *Service) refuse(err error) error {
	if err == nil {
		return nil
	}
	e := errorOf(err)
	s.mu.Lock()
	s.refused[e.Code]++
	s.mu.Unlock()
	if e.Status >= 500 {
		s.log.Error("work failed", "code", e.Code, "err", err)
	} else {
		s.log.Debug("work refused", "code", e.Code, "err", err)
	}
	return e
}

// Refused returns how many requests were refused, by code.
func (s *Service) Refused() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]uint64, len(s.refused))
	for k, v := range s.refused {
		out[k] = v
	}
	return out
}

// WriteMetrics writes jxc_agent_work_refused_total{reason} in Prometheus
// text format (for the agent's /metrics).
func (s *Service) WriteMetrics(w io.Writer) {
	r := s.Refused()
	codes := make([]string, 0, len(r))
	for c := range r {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	fmt.Fprintf(w, "# HELP jxc_agent_work_refused_total Work requests (receiving, picking, counting, till) refused, by reason.\n")
	fmt.Fprintf(w, "# TYPE jxc_agent_work_refused_total counter\n")
	for _, c := range codes {
		fmt.Fprintf(w, "jxc_agent_work_refused_total{reason=%q} %d\n", c, r[c])
	}
}

// caller returns the caller if it has perm; a device token (a gate, a
// station, a till set up on the agent host) passes every permission, as
// httpapi.Require has it.
func caller(ctx context.Context, perm string) (*session.User, error) {
	u, ok := session.From(ctx)
	if !ok {
		return nil, refusal(http.StatusUnauthorized, CodeUnauthenticated, "sign in first", "请先登录")
	}
	if !u.Device && !u.Can(perm) {
		e := refusal(http.StatusForbidden, CodeForbidden, fmt.Sprintf("permission %s is required", perm), fmt.Sprintf("需要权限 %s", perm))
		e.Permission = perm
		return nil, e
	}
	return u, nil
}

// Receipt names a durable event as the API shows it.
type Receipt struct {
	Replica string `json:"replica" doc:"Replica ID, 16 hex digits."`
	Seq     uint64 `json:"seq"`
	HLC     uint64 `json:"hlc" doc:"Hybrid logical clock; exceeds 2^53 (parse as BigInt in JavaScript)."`
}

func receiptOf(r agent.Receipt) Receipt {
	return Receipt{Replica: r.Replica.String(), Seq: r.Seq, HLC: uint64(r.HLC)}
}

// Scan is what identifies goods and their quantity in a request: a raw
// barcode (GS1: GTIN, lot (10), expiry (17), net weight (310n); a pack's
// GTIN counts its factor), or a SKU with a quantity in base units, or a
// SKU with a weight in grams from a scale (goods sold by weight).
type Scan struct {
	Barcode string `json:"barcode,omitempty" doc:"A raw scan: EAN/UPC, GS1 element string or a variable-measure label."`
	SKU     string `json:"sku,omitempty" doc:"The SKU, when no barcode is given."`
	Qty     int64  `json:"qty,omitempty" doc:"Quantity: with a barcode, how many of the scanned item (default 1); with a SKU, base units."`
	Grams   int64  `json:"grams,omitempty" doc:"A weight from a scale, in grams, for goods sold by weight."`
	Bin     string `json:"bin,omitempty" doc:"Bin; defaults to the document line's bin."`
	Lot     string `json:"lot,omitempty"`
	Expiry  string `json:"expiry,omitempty" doc:"yyyy-mm-dd"`
}

// item is a resolved scan.
type item struct {
	sku, lot, expiry string
	qty              int64 // base units, > 0
	product          agent.Product
	weighed          bool
}

// resolve turns a scan into a SKU and a base quantity. field names the
// scan in errors ("body", "body.lines[2]").
func (s *Service) resolve(ctx context.Context, sc Scan, field string) (item, error) {
	it := item{sku: sc.SKU, lot: sc.Lot, expiry: sc.Expiry}
	var fe fieldErrors
	if sc.Qty < 0 || sc.Qty > syncproto.MaxQty {
		fe.add(field+".qty", fmt.Sprintf("%d is outside 0 … %d", sc.Qty, int64(syncproto.MaxQty)), fmt.Sprintf("的值 %d 超出 0 到 %d 的范围", sc.Qty, int64(syncproto.MaxQty)))
	}
	if sc.Grams < 0 || sc.Grams > syncproto.MaxQty {
		fe.add(field+".grams", fmt.Sprintf("%d is outside 0 … %d", sc.Grams, int64(syncproto.MaxQty)), fmt.Sprintf("的值 %d 超出 0 到 %d 的范围", sc.Grams, int64(syncproto.MaxQty)))
	}
	if err := syncproto.CheckDate(field+".expiry", sc.Expiry); err != nil {
		fe.add(field+".expiry", fmt.Sprintf("%q is not a date yyyy-mm-dd", sc.Expiry), fmt.Sprintf("%q 不是 yyyy-mm-dd 格式的日期", sc.Expiry))
	}
	if sc.Barcode == "" && sc.SKU == "" {
		fe.add(field+".barcode", "give a barcode or a sku", "请扫描条码或填写 SKU")
	}
	if err := fe.err(); err != nil {
		return it, err
	}
	if sc.Barcode != "" {
		code, err := gs1.Parse(sc.Barcode)
		if err != nil {
			return it, invalidField(field+".barcode", "is not a barcode this agent reads: "+err.Error(), "无法识别的条码："+err.Error())
		}
		p, ok, err := s.st.ProductByGTIN(ctx, code.GTIN)
		if err == nil && !ok && code.ItemGTIN != "" {
			p, ok, err = s.st.ProductByGTIN(ctx, code.ItemGTIN)
		}
		if err != nil {
			return it, err
		}
		if !ok {
			return it, refusal(http.StatusNotFound, CodeUnknownBarcode, fmt.Sprintf("no product has barcode %s", code.GTIN),
				fmt.Sprintf("没有商品使用条码 %s", code.GTIN))
		}
		it.sku, it.product = p.SKU, p
		if code.Lot != "" {
			it.lot = code.Lot
		}
		if !code.Expiry.IsZero() {
			it.expiry = code.Expiry.Format(time.DateOnly)
		}
		if g, ok := code.Weight.Grams(); ok && g > 0 {
			it.qty, it.weighed = g, true
			return it, nil
		}
		n := sc.Qty
		if n == 0 {
			n = 1
		}
		if n > syncproto.MaxQty/p.Units() {
			return it, invalidField(field+".qty", "is too large", "数量过大")
		}
		it.qty = n * p.Units()
		if sc.Grams > 0 {
			it.qty, it.weighed = sc.Grams, true
		}
		return it, nil
	}
	switch {
	case sc.Grams > 0:
		it.qty, it.weighed = sc.Grams, true
	case sc.Qty > 0:
		it.qty = sc.Qty
	default:
		return it, invalidField(field+".qty", "give a quantity (qty, base units) or a weight (grams)", "请填写数量（qty，基本单位）或重量（grams，克）")
	}
	return it, nil
}

// doc is a cloud document as the site holds it.
type doc struct {
	kind, number string
	rec          *pb.DocumentRecord
}

// document returns the document (kind, number): ok false when the site
// does not hold it; a closed or void one is refused.
func (s *Service) document(ctx context.Context, kind, number string) (*doc, bool, error) {
	mr, ok, err := s.st.MasterRecord(ctx, kind, number)
	if err != nil || !ok {
		return nil, false, err
	}
	if mr.GetDeleted() {
		return nil, true, refusal(http.StatusConflict, CodeDocumentClosed, fmt.Sprintf("%s is closed or void: no more work is recorded against it", number),
			fmt.Sprintf("单据 %s 已关闭或作废，不能再登记作业", number))
	}
	// A scan reads its document each time: the decoded record of a
	// revision is kept (a 500-line order decodes in about 100 µs).
	ck := docKey{kind, number}
	s.mu.Lock()
	c, hit := s.docs[ck]
	s.mu.Unlock()
	if hit && c.rev == mr.GetRevision() {
		return c.doc, true, nil
	}
	r, err := syncproto.DecodeDocumentRecord(kind, mr.GetBody())
	if err != nil {
		return nil, true, fmt.Errorf("document %s %s: %w", kind, number, err)
	}
	d := &doc{kind: kind, number: number, rec: r}
	s.mu.Lock()
	if len(s.docs) >= maxCachedDocs {
		clear(s.docs)
	}
	s.docs[ck] = cachedDoc{rev: mr.GetRevision(), doc: d}
	s.mu.Unlock()
	return d, true, nil
}

// docKey names a document; cachedDoc is one decoded revision of it (its
// record is never changed once decoded).
type docKey struct{ kind, number string }

type cachedDoc struct {
	rev uint64
	doc *doc
}

// maxCachedDocs bounds the decoded documents kept.
const maxCachedDocs = 256

// mustDocument is document that refuses an unknown number.
func (s *Service) mustDocument(ctx context.Context, kind, number, field string) (*doc, error) {
	if number == "" {
		return nil, required(field)
	}
	d, ok, err := s.document(ctx, kind, number)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refusal(http.StatusNotFound, CodeUnknownDocument, fmt.Sprintf("this site holds no %s %s (not sent to this site yet, or another site's)", kindEN[kind], number),
			fmt.Sprintf("本站点没有%s %s（尚未下发到本站点，或属于其他站点）", kindZH[kind], number))
	}
	return d, nil
}

var kindEN = map[string]string{syncproto.KindPurchaseOrder: "purchase order", syncproto.KindPickList: "pick list",
	syncproto.KindTransfer: "transfer", syncproto.KindCountPlan: "count plan", syncproto.KindPurchaseReturn: "purchase return",
	syncproto.KindAssembly: "assembly", syncproto.KindDisassembly: "disassembly"}
var kindZH = map[string]string{syncproto.KindPurchaseOrder: "采购订单", syncproto.KindPickList: "拣货单",
	syncproto.KindTransfer: "调拨单", syncproto.KindCountPlan: "盘点计划", syncproto.KindPurchaseReturn: "采购退货单",
	syncproto.KindAssembly: "组装单", syncproto.KindDisassembly: "拆卸单"}

// lineFor returns the line of d a SKU's work goes to: the first line of
// the SKU with work still to do (done < qty_base), else the SKU's last
// line; ok is false when the SKU is not on d. done gives a line's work.
func lineFor(d *doc, sku string, done func(*pb.DocumentLine) int64) (*pb.DocumentLine, bool) {
	var last *pb.DocumentLine
	for _, l := range d.rec.GetLines() {
		if l.GetSku() != sku {
			continue
		}
		if done(l) < l.GetQtyBase() {
			return l, true
		}
		last = l
	}
	return last, last != nil
}

// allowed is how much of a line may be done: qty_base plus the tolerance.
func allowed(d *doc, l *pb.DocumentLine) int64 {
	return l.GetQtyBase() + l.GetQtyBase()*int64(d.rec.GetTolerancePercent())/100
}

// fingerprint is what an idempotency key is compared on: the operation,
// the caller and the request.
func fingerprint(op string, u *session.User, req any) []byte {
	b, _ := json.Marshal(req)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", op, u.Name)
	h.Write(b)
	return h.Sum(nil)
}

// replay returns what an earlier request with key wrote, if it did.
// begun is how an action started: its caller, the fingerprint of its
// request, and, when its key was used already for the same request, what
// that recorded (done: answer with it, record nothing).
type begun struct {
	u    *session.User
	fp   []byte
	r    agent.DocReceipt
	done bool
}

// begin starts an action: the caller must have perm, and a key already
// used for the same action and request gives what it recorded.
func (s *Service) begin(ctx context.Context, key, op, perm string, req any) (begun, error) {
	u, err := caller(ctx, perm)
	if err != nil {
		return begun{}, err
	}
	b := begun{u: u, fp: fingerprint(op, u, req)}
	b.r, b.done, err = s.replay(ctx, key, b.fp)
	return b, err
}

func (s *Service) replay(ctx context.Context, key string, fp []byte) (agent.DocReceipt, bool, error) {
	if key == "" {
		return agent.DocReceipt{}, false, nil
	}
	return s.st.LookupKey(ctx, key, fp)
}

// progressOf returns the net work of each line of number at this site
// (positive in, negative out), by line.
func (s *Service) progressOf(ctx context.Context, number string) (map[int32]agent.Progress, agent.Progress, error) {
	ps, err := s.st.DocProgress(ctx, number)
	if err != nil {
		return nil, agent.Progress{}, err
	}
	out := make(map[int32]agent.Progress, len(ps))
	for d, p := range ps {
		if n, line, ok := syncproto.ParseDocLine(d); ok && n == number {
			out[int32(line)] = p
		}
	}
	return out, ps[number], nil
}
