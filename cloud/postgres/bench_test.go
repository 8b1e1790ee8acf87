package postgres_test

import (
	"context"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/sqlstore/storetest"
)

// BenchmarkApplyBatch applies batches of 1000 new movements of one replica
// over 100 keys: the ingest path of a gate burst.
func BenchmarkApplyBatch(b *testing.B) {
	const perBatch, keys = 1000, 100
	stores, _ := openStores(b, 1)
	s := stores[0]
	ctx := context.Background()
	seq := uint64(1)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		batch := storetest.MovementBatch(b, "bench", "s1", 0xbe0c, seq, perBatch, keys)
		seq += perBatch
		b.StartTimer()
		got, err := s.ApplyBatch(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Inserted) != perBatch || got.Watermark != seq-1 {
			b.Fatalf("applied %d events, watermark %d", len(got.Inserted), got.Watermark)
		}
	}
	b.ReportMetric(float64(b.N*perBatch)/b.Elapsed().Seconds(), "movements/s")
}

// BenchmarkApplyCounts merges counts into a key that has 3,000 counts
// already, contexts of 1,000 replicas (storetest.BenchCountMerge).
func BenchmarkApplyCounts(b *testing.B) {
	storetest.BenchCountMerge(b, benchStore(b), 3000)
}

func benchStore(b *testing.B) cloud.Store {
	stores, _ := openStores(b, 1)
	return stores[0]
}

// BenchmarkDocProgress derives purchase order progress from 1,000,000
// movements (storetest.BenchDocProgress).
func BenchmarkDocProgress(b *testing.B) {
	stores, _ := openStores(b, 1)
	storetest.BenchDocProgress(b, stores[0], storetest.DocBenchMoves())
}
