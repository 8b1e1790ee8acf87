package gate_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent/gate"
	"github.com/jxc-edge/jxc/drivers"
)

// benchReads is one cycle of a realistic dock door: the 500 tags of
// TestPopulation in on pallets and out again a minute later, each read 20
// to 50 times over four antennas, 100 staging-area tags read below the
// threshold, 30 stray shelf tags; about 36,000 reads. The cycle repeats
// every span with its times shifted, so every cycle makes new passes.
func benchReads() (reads []drivers.TagRead, span time.Duration) {
	rng := rand.New(rand.NewPCG(1, 99))
	reads = simReads(rng, simPopulation(rng, 500, t0, time.Minute), 100, 30)
	return reads, reads[len(reads)-1].LastSeen.Sub(t0) + time.Minute
}

// shifted returns the i-th read of the endless replay of reads.
func shifted(reads []drivers.TagRead, span time.Duration, i int) drivers.TagRead {
	r := reads[i%len(reads)]
	if off := time.Duration(i/len(reads)) * span; off != 0 {
		r.FirstSeen, r.LastSeen = r.FirstSeen.Add(off), r.LastSeen.Add(off)
	}
	return r
}

// BenchmarkGateAdd measures the gate's throughput on one core: every read
// through Add, and a Flush every 100 ms of the reads' clock as the agent's
// ticker would. Target: at least 100,000 reads/s.
func BenchmarkGateAdd(b *testing.B) {
	reads, span := benchReads()
	g := gate.New(simConfig())
	const tick = 100 * time.Millisecond
	next := reads[0].LastSeen.Add(tick)
	passes := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := shifted(reads, span, i)
		for !r.LastSeen.Before(next) {
			passes += len(g.Flush(next))
			next = next.Add(tick)
		}
		g.Add(r)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
	if cycles := b.N / len(reads); cycles > 0 && passes < 1000*cycles {
		b.Fatalf("%d passes in %d cycles, want 1000 per cycle", passes, cycles)
	}
}

// BenchmarkRawMapUpdate is the raw limit under BenchmarkGateAdd: the same
// reads, replayed the same way, each only looked up by EPC in a map and
// counted, with nothing decided.
func BenchmarkRawMapUpdate(b *testing.B) {
	reads, span := benchReads()
	type entry struct {
		reads int
		last  int64
	}
	m := make(map[string]*entry)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := shifted(reads, span, i)
		e := m[string(r.EPC)]
		if e == nil {
			e = &entry{}
			m[string(r.EPC)] = e
		}
		e.reads++
		e.last = r.LastSeen.UnixNano()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}
