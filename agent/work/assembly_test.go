package work_test

import (
	"context"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/work"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// TestAssemble: an assembly takes its components out and puts the product
// in, in one write; a resend with the key records nothing more; doing it
// again is refused; a disassembly does the reverse.
func TestAssemble(t *testing.T) {
	l := mustOpen(t)
	doc := func(kind, key string, rev uint64) *pb.MasterRecord {
		return &pb.MasterRecord{Kind: kind, Key: key, Revision: rev, Body: body(t, &pb.DocumentRecord{Lines: []*pb.DocumentLine{
			{Line: 1, Sku: "BOX", Unit: "pcs", Factor: 1, Qty: 3, QtyBase: 3},
			{Line: 2, Sku: "A", Unit: "pcs", Factor: 1, Qty: 6, QtyBase: 6, Component: true},
			{Line: 3, Sku: "B", Unit: "pcs", Factor: 1, Qty: 3, QtyBase: 3, Component: true, Bin: "R2"}}})}
	}
	ok, err := l.ApplyMaster(context.Background(), &pb.MasterBatch{Version: 1, Tenant: "t1", Site: "s1", ToRev: 2, Complete: true,
		Records: []*pb.MasterRecord{doc(syncproto.KindAssembly, "ZZ1", 1), doc(syncproto.KindDisassembly, "CX1", 2)}})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	svc := work.New(l, nil)
	ctx := as(clerk)
	res, err := svc.Assemble(ctx, "k1", work.AssembleRequest{Doc: "ZZ1", Bin: "R1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 3 || res.Lines[0].Qty != 3 || res.Lines[1].Qty != -6 || res.Lines[2].Bin != "R2" || res.Lines[2].Qty != -3 {
		t.Fatalf("assembly %+v", res)
	}
	if v, err := svc.Document(ctx, syncproto.KindAssembly, "ZZ1"); err != nil || v.Lines[0].Component || !v.Lines[1].Component ||
		v.Lines[0].Done != 3 || v.Lines[1].Done != 6 || v.Lines[2].Done != 3 {
		t.Fatalf("the assembly's view after it: %+v %v", v, err)
	}
	if again, err := svc.Assemble(ctx, "k1", work.AssembleRequest{Doc: "ZZ1", Bin: "R1"}); err != nil || !again.Replayed {
		t.Fatalf("a resend: %+v %v", again, err)
	}
	if _, err := svc.Assemble(ctx, "k2", work.AssembleRequest{Doc: "ZZ1", Bin: "R1"}); code(err) != work.CodeAlreadyDone {
		t.Fatalf("assembled twice: %v", err)
	}
	if _, err := svc.Assemble(ctx, "k3", work.AssembleRequest{Doc: "CX1", Bin: "R1"}); err != nil {
		t.Fatal(err)
	}
	if ds, err := svc.Documents(ctx, syncproto.KindDisassembly); err != nil || len(ds) != 1 || ds[0].Lines[0].Done != 3 || ds[0].Lines[2].Done != 3 {
		t.Fatalf("the disassemblies after one: %+v %v", ds, err)
	}
	if _, err := svc.Assemble(ctx, "k4", work.AssembleRequest{Doc: "ZZ9", Bin: "R1"}); code(err) != work.CodeUnknownDocument {
		t.Fatalf("an unknown assembly: %v", err)
	}
	rows, err := l.Stock(context.Background(), agent.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.SKU+"@"+r.Bin] = r.Qty
	}
	// Assembled then taken apart: every key back to 0.
	for k, q := range got {
		if q != 0 {
			t.Errorf("%s: %d after an assembly and a disassembly", k, q)
		}
	}
	if len(got) != 3 {
		t.Errorf("keys %v", got)
	}
}
