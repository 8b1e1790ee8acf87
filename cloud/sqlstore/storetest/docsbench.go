package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// DocBenchMoves is how many movements BenchDocProgress derives progress
// from: 1,000,000, or JXC_BENCH_DOC_MOVES.
func DocBenchMoves() int {
	if n, err := strconv.Atoi(os.Getenv("JXC_BENCH_DOC_MOVES")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// RawAggregator is a store that can run a plain SQL aggregate over its
// stored movements, the baseline of BenchDocProgress.
type RawAggregator interface {
	// RawMovementSum returns how many movements are stored and the sum of
	// their quantities, in one SQL aggregate.
	RawMovementSum(ctx context.Context) (n, qty int64, err error)
}

// BenchDocProgress stores moves movements of 10 replicas of one site, each
// naming a line of one of 1,000 purchase orders of 10 lines, projects
// them once incrementally (steps of docs.ProgressBatch events, one
// transaction each: incremental-movements/s), then derives every line's
// progress from the whole log per iteration (RebuildProgress, one
// transaction: movements/s). raw-rows/s is a plain SQL aggregate (count
// and sum) over the same rows.
func BenchDocProgress(b *testing.B, s DocsStore, moves int) {
	ctx := context.Background()
	const replicas, perBatch = 10, 1000
	per := moves / replicas
	var want, first int64 // all movements, those naming CG20261125-0001
	for r := range replicas {
		rep := NewReplica(syncproto.ReplicaID(0xd0c5_0000+r), "bench-docs", "s1")
		for seq := 1; seq <= per; seq += perBatch {
			n := min(perBatch, per-seq+1)
			evs := make([]syncproto.Event, n)
			for i := range evs {
				k := (seq + i + r*7919) % 10000
				if k/10 == 0 {
					first++
				}
				rep.Clock++
				e, err := syncproto.NewEvent(rep.ID, uint64(seq+i), rep.Clock, "s1", &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
					Bin: "RECV", Sku: fmt.Sprintf("SKU-%02d", k%10), Qty: 1, Reason: "receive",
					Doc: syncproto.DocLine(fmt.Sprintf("CG20261125-%04d", k/10+1), k%10+1), Operator: "bench", Device: "hh"}}})
				if err != nil {
					b.Fatal(err)
				}
				evs[i] = e
			}
			if _, err := s.ApplyBatch(ctx, MustBatch(b, "bench-docs", "s1", rep.ID, evs)); err != nil {
				b.Fatal(err)
			}
			want += int64(n)
		}
	}
	// The incremental path first, once: steps of docs.ProgressBatch events,
	// each its own transaction, as the cloud runs behind ingest.
	start := time.Now()
	for {
		p, err := s.ProjectProgress(ctx, docs.ProgressBatch, nil)
		if err != nil {
			b.Fatal(err)
		}
		if p.Events == 0 && p.Replicas == 0 {
			break
		}
	}
	incremental := time.Since(start)
	raw, _ := s.(RawAggregator)
	var rawTime time.Duration
	b.ResetTimer()
	for range b.N {
		if err := s.RebuildProgress(ctx, nil); err != nil {
			b.Fatal(err)
		}
		if raw != nil {
			b.StopTimer()
			start := time.Now()
			n, qty, err := raw.RawMovementSum(ctx)
			if err != nil || n != want || qty != want {
				b.Fatalf("raw aggregate: %d movements, qty %d, %v; want %d", n, qty, err, want)
			}
			rawTime += time.Since(start)
			b.StartTimer()
		}
	}
	b.StopTimer()
	prog, err := s.DocProgress(ctx, "bench-docs", "CG20261125-0001")
	if err != nil {
		b.Fatal(err)
	}
	var got int64
	for _, p := range prog {
		got += p.Moves
	}
	if got != first {
		b.Fatalf("CG20261125-0001 has %d movements, want %d", got, first)
	}
	b.ReportMetric(float64(int64(b.N)*want)/b.Elapsed().Seconds(), "movements/s")
	b.ReportMetric(float64(want)/incremental.Seconds(), "incremental-movements/s")
	if rawTime > 0 {
		b.ReportMetric(float64(int64(b.N)*want)/rawTime.Seconds(), "raw-rows/s")
	}
}
