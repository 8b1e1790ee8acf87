package devices_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/devices"
	"github.com/jxc-edge/jxc/agent/session"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/agent/work"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/llrp/llrpsim"
	"github.com/jxc-edge/jxc/drivers/scale/scalesim"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// putPO gives l purchase order number with lines (sku, qty in base units)
// received into bin R1, with tolerance percent.
func putPO(t *testing.T, l *sqlite.Ledger, number string, tolerance int32, lines ...any) {
	t.Helper()
	rec := &pb.DocumentRecord{Partner: "SUP1", TolerancePercent: tolerance}
	for i := 0; i < len(lines); i += 2 {
		q := lines[i+1].(int)
		rec.Lines = append(rec.Lines, &pb.DocumentLine{Line: int32(i/2 + 1), Sku: lines[i].(string), Unit: "pcs", Factor: 1, Qty: int64(q), QtyBase: int64(q), Bin: "R1"})
	}
	b, err := proto.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := l.ApplyMaster(context.Background(), &pb.MasterBatch{Version: 1, Tenant: "t", Site: "wh", FromRev: 0, ToRev: 1, Complete: true,
		Records: []*pb.MasterRecord{{Kind: syncproto.KindPurchaseOrder, Key: number, Revision: 1, Body: b}}})
	if err != nil || !ok {
		t.Fatalf("apply master: %v %v", ok, err)
	}
}

var receiver = session.With(context.Background(), &session.User{Name: "wang", Permissions: []string{"inventory.edit"}})

// openAt opens a receiving session of po at device through svc.
func openAt(t *testing.T, svc *work.Service, po, device string) string {
	t.Helper()
	d, err := svc.OpenSession(receiver, "open-"+device, work.SessionRequest{Type: "receipt", Ref: po, Device: device})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// TestGateReceivesAgainstSession: a dock door's gate, an emulated reader
// over LLRP on TCP, with a receiving session of a PO open at it: its
// inbound passes of SGTIN-tagged cartons are received against the PO's
// lines by SKU (the EPC's GTIN through the catalogue); a carton beyond
// the line and its tolerance and one not on the PO are kept as unplanned
// receipts of the PO (never lost) and counted as work refusals; the
// outbound pass is left as it was.
func TestGateReceivesAgainstSession(t *testing.T) {
	l := openLedger(t)
	var gtins []string
	var products []agent.Product
	for i := range 3 {
		g := "0" + ean13(fmt.Sprintf("69012340000%d", i))
		gtins = append(gtins, g)
		products = append(products, agent.Product{GTIN: g, SKU: fmt.Sprintf("CARTON-%d", i), Unit: "pcs"})
	}
	if err := l.PutProducts(context.Background(), products); err != nil {
		t.Fatal(err)
	}
	putPO(t, l, "CG1", 0, "CARTON-0", 3, "CARTON-1", 2)
	svc := work.New(l, nil)
	openAt(t, svc, "CG1", "door")
	var passes []llrpsim.Pass
	serial := uint64(1)
	in := func(gtin int, n int) {
		for range n {
			epc, err := gs1.EncodeSGTIN96(gtins[gtin], serial, 1, 7)
			if err != nil {
				t.Fatal(err)
			}
			passes = append(passes, llrpsim.GatePass(epc, time.Duration(serial)*50*time.Millisecond, 1, 2))
			serial++
		}
	}
	in(0, 4) // one over line 1
	in(1, 2)
	in(2, 1) // not on the PO
	out, err := gs1.EncodeSGTIN96(gtins[0], 999, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	passes = append(passes, llrpsim.GatePass(out, time.Duration(serial)*50*time.Millisecond, 2, 1))
	sim, err := llrpsim.Listen("127.0.0.1:0", llrpsim.Options{Antennas: 2, Passes: passes})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	writeProfile(t, dir, "door.yaml", fmt.Sprintf(`kind: reader
address: %s
keepalive: 1s
antennas:
  - {port: 1, role: outer}
  - {port: 2, role: inner}
gate:
  bin: DOCK-1
  hold_off: 300ms
  departure_timeout: 300ms
  min_reads: 2
`, sim.Addr()))
	m := runWith(t, l, dir, devices.Options{Router: svc})
	base := l.LastSeq() // the session's opening event
	testenv.WaitFor(t, 30*time.Second, func() error {
		if n := l.LastSeq() - base; n < uint64(len(passes)) {
			return fmt.Errorf("%d movements booked, want %d (passes %d)", n, len(passes), m.Stats().Passes)
		}
		return nil
	})
	got := map[string]int64{} // doc → qty
	for _, e := range ledgerEvents(t, l)[base:] {
		mv := e.Msg.GetMovement()
		if mv == nil {
			t.Fatalf("event %v is not a movement", e.Msg)
		}
		got[mv.GetDoc()+" "+mv.GetSku()] += mv.GetQty()
	}
	want := map[string]int64{"CG1#1 CARTON-0": 3, "CG1 CARTON-0": 1, "CG1#2 CARTON-1": 2, "CG1 CARTON-2": 1, " CARTON-0": -1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("booked by doc and SKU %v; want %v", got, want)
	}
	if st := m.Stats(); st.Routed != 5 || st.Unplanned != 2 {
		t.Errorf("stats routed %d, unplanned %d; want 5, 2", st.Routed, st.Unplanned)
	}
	if r := svc.Refused(); r[work.CodeOverReceipt] != 1 || r[work.CodeNotOnDocument] != 1 {
		t.Errorf("work refusals %v; want one over_receipt, one not_on_document", r)
	}
	v, err := svc.Document(receiver, syncproto.KindPurchaseOrder, "CG1")
	if err != nil || v.Lines[0].Done != 3 || v.Lines[1].Done != 2 || v.Unplanned != 2 {
		t.Errorf("PO progress %+v %v", v, err)
	}
}

// TestStationReceivesByWeight: a receiving station (a serial scanner and
// an MT-SICS scale, emulated on pseudo-terminals) with a session of a PO
// open at it: a by-weight SKU's stable weight is the quantity in grams
// received against the PO line, with the GS1 lot and expiry of its
// label; a weight beyond the line and its tolerance, and an item not on
// the PO, are refused with work's reason codes and record nothing.
func TestStationReceivesByWeight(t *testing.T) {
	cheese, tea := ean13("690123456002"), ean13("690123456001")
	r := &stationRig{l: openLedger(t)}
	if err := r.l.PutProducts(context.Background(), []agent.Product{{GTIN: cheese, SKU: "CHEESE", Unit: "kg"}, {GTIN: tea, SKU: "TEA", Unit: "pcs"}}); err != nil {
		t.Fatal(err)
	}
	putPO(t, r.l, "CG2", 10, "CHEESE", 2000) // 2000 g + 10 %: 2200 g
	svc := work.New(r.l, nil)
	openAt(t, svc, "CG2", "desk")
	var err error
	if r.sc, err = scannersim.New(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sc.Close() })
	r.sc.SetTerminator("\r")
	if r.scale, err = scalesim.ServePTY(scalesim.Options{Protocol: scalesim.MTSICS}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.scale.Close() })
	dir := t.TempDir()
	writeProfile(t, dir, "bench.yaml", fmt.Sprintf("kind: scale\nprotocol: mt-sics\nport: %s\nunit: kg\nstable_timeout: 3s\n", r.scale.Path()))
	writeProfile(t, dir, "desk.yaml", fmt.Sprintf("kind: scanner\ntransport: serial\nport: %s\nterminator: cr\nstation:\n  bin: RCV-01\n  reason: receive\n  scale: bench\n", r.sc.Path()))
	r.m = runWith(t, r.l, dir, devices.Options{Router: svc})
	testenv.WaitFor(t, 10*time.Second, func() error {
		for _, h := range r.m.Health() {
			if !h.Connected {
				return fmt.Errorf("%s not connected: %s", h.Device, h.LastError)
			}
		}
		return nil
	})
	label := "]C1" + "01" + "0" + cheese + "17" + "271231" + "10" + "L7"
	r.scale.SetLoad(1234)
	if got := r.scan(t, label); got != (booked{sku: "CHEESE", qty: 1234}) {
		t.Fatalf("1234 g: %+v", got)
	}
	evs, err := r.l.Events(context.Background(), r.l.LastSeq(), 1, 0)
	if err != nil || len(evs) != 1 {
		t.Fatal(evs, err)
	}
	if mv := evs[0].Msg.GetMovement(); mv.GetDoc() != "CG2#1" || mv.GetLot() != "L7" || mv.GetExpiry() != "2027-12-31" || mv.GetBin() != "RCV-01" {
		t.Errorf("movement %v: want CG2#1, lot L7, expiry 2027-12-31, bin RCV-01", mv)
	}
	r.scale.SetLoad(900) // 2134 g ≤ 2200 g
	if got := r.scan(t, "]E0"+cheese); got != (booked{sku: "CHEESE", qty: 900}) {
		t.Fatalf("900 g: %+v", got)
	}
	r.scale.SetLoad(100) // 2234 g > 2200 g
	if got := r.scan(t, "]E0"+cheese); got.rejected != work.CodeOverReceipt {
		t.Errorf("over the tolerance: %+v", got)
	}
	if got := r.scan(t, "]E0"+tea); got.rejected != work.CodeNotOnDocument {
		t.Errorf("not on the PO: %+v", got)
	}
	v, err := svc.Document(receiver, syncproto.KindPurchaseOrder, "CG2")
	if err != nil || v.Lines[0].Done != 2134 || v.Unplanned != 0 {
		t.Errorf("PO progress %+v %v", v, err)
	}
	if st := r.m.Stats(); st.Routed != 2 || st.ScanRejections[work.CodeOverReceipt] != 1 || st.ScanRejections[work.CodeNotOnDocument] != 1 {
		t.Errorf("stats %+v", st)
	}
}
