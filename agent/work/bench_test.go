package work_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/work"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// BenchmarkReceive500 receives scans against a 500-line purchase order
// through work.Service (no HTTP) from 4 goroutines, beside the same
// movements appended straight to a ledger (raw-appends/s).
func BenchmarkReceive500(b *testing.B) {
	l := mustOpen(b)
	var lines []*pb.DocumentLine
	for i := range 500 {
		lines = append(lines, &pb.DocumentLine{Line: int32(i + 1), Sku: fmt.Sprintf("S%03d", i), Unit: "pcs", Factor: 1,
			Qty: 1 << 40, QtyBase: 1 << 40, Bin: "R1"})
	}
	ok, err := l.ApplyMaster(context.Background(), &pb.MasterBatch{Version: 1, Tenant: "t1", Site: "s1", ToRev: 1, Complete: true,
		Records: []*pb.MasterRecord{{Kind: syncproto.KindPurchaseOrder, Key: "CG1", Revision: 1, Body: body(b, &pb.DocumentRecord{Partner: "S", Lines: lines})}}})
	if err != nil || !ok {
		b.Fatal(ok, err)
	}
	svc := work.New(l, nil)
	ctx := as(clerk)
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				if _, err := svc.Receive(ctx, fmt.Sprint("k", n), work.ReceiveRequest{PO: "CG1",
					Scan: work.Scan{SKU: fmt.Sprintf("S%03d", n%500), Qty: 1, Bin: "R1"}}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	var raw atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for raw.Add(1) <= int64(b.N) {
				if _, err := l.RecordMovement(context.Background(), agent.MovementInput{SKU: "S001", Bin: "R1", Qty: 1, Reason: "receive", Doc: "CG1#2"}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
