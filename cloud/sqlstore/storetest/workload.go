package storetest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// model is what a store must hold after a sequence of batches: each
// replica's stored events, watermark and highest seq, computed the obvious
// way. It gives the Applied each batch must return.
type model struct {
	stored map[syncproto.ReplicaID]map[uint64]syncproto.Event
	wm     map[syncproto.ReplicaID]uint64
	max    map[syncproto.ReplicaID]uint64
}

func newModel() *model {
	return &model{
		stored: make(map[syncproto.ReplicaID]map[uint64]syncproto.Event),
		wm:     make(map[syncproto.ReplicaID]uint64),
		max:    make(map[syncproto.ReplicaID]uint64),
	}
}

func (m *model) apply(b *syncproto.Batch) cloud.Applied {
	st := m.stored[b.Replica]
	if st == nil {
		st = make(map[uint64]syncproto.Event)
		m.stored[b.Replica] = st
	}
	var ins []syncproto.Event
	for _, e := range b.Events {
		if _, ok := st[e.Seq]; !ok {
			st[e.Seq] = e
			ins = append(ins, e)
		}
	}
	w := m.wm[b.Replica]
	for {
		if _, ok := st[w+1]; !ok {
			break
		}
		w++
	}
	m.wm[b.Replica] = w
	m.max[b.Replica] = max(m.max[b.Replica], b.To)
	return cloud.Applied{Watermark: w, Inserted: ins, Gap: m.max[b.Replica] > w}
}

// events returns every stored event.
func (m *model) events() []syncproto.Event {
	var out []syncproto.Event
	for _, st := range m.stored {
		for _, e := range st {
			out = append(out, e)
		}
	}
	return out
}

// workload is a randomized but reproducible history of several sites'
// replicas: movements on a few shared keys, counts whose context is what
// the counting replica had seen of its peers (prefix-closed, as DESIGN.md §3
// requires), document events and events of unknown kinds.
type workload struct {
	rng      *rand.Rand
	replicas []*Replica
	tenantOf map[syncproto.ReplicaID]string
	// seen[i] is what replica i has seen of each peer.
	seen []syncproto.VV
}

// siteSpec is one site of a workload and how many replicas it has.
type siteSpec struct {
	tenant, site string
	replicas     int
}

func newWorkload(tb testing.TB, su *suite, seed uint64, sites []siteSpec, steps int) *workload {
	tb.Helper()
	w := &workload{rng: rand.New(rand.NewPCG(seed, 0x6a7863)), tenantOf: make(map[syncproto.ReplicaID]string)}
	for _, sp := range sites {
		for range sp.replicas {
			r := su.replica(sp.tenant, sp.site)
			w.replicas = append(w.replicas, r)
			w.seen = append(w.seen, syncproto.VV{})
			w.tenantOf[r.ID] = sp.tenant
		}
	}
	bins, skus, lots := []string{"A-01", "B-02"}, []string{"sku-1", "sku-2", "sku-3"}, []string{"", "L7"}
	for range steps {
		i := w.rng.IntN(len(w.replicas))
		r := w.replicas[i]
		bin, sku, lot := bins[w.rng.IntN(len(bins))], skus[w.rng.IntN(len(skus))], lots[w.rng.IntN(len(lots))]
		// Wall time moves slowly, so replicas often tick to equal HLCs
		// and ties are broken by replica ID.
		if w.rng.IntN(4) == 0 {
			r.Clock = max(r.Clock, syncproto.MakeHLC(r.Clock.WallMS()+1, 0)-1)
		}
		switch p := w.rng.Float64(); {
		case p < 0.55:
			r.Move(tb, bin, sku, lot, w.rng.Int64N(21)-8)
		case p < 0.70:
			ctx := syncproto.VV{r.ID: r.Seq()}
			for peer, seq := range w.seen[i] {
				ctx[peer] = seq
			}
			r.Count(tb, bin, sku, lot, w.rng.Int64N(40), ctx)
		case p < 0.86:
			// Sync: learn a longer prefix of a peer of the same site.
			j := w.rng.IntN(len(w.replicas))
			q := w.replicas[j]
			if j == i || q.Tenant != r.Tenant || q.Site != r.Site || q.Seq() == 0 {
				continue
			}
			upTo := max(w.seen[i][q.ID], uint64(w.rng.IntN(int(q.Seq()))+1))
			w.seen[i][q.ID] = upTo
			r.Clock = max(r.Clock, q.Events[upTo-1].HLC)
		case p < 0.93:
			r.Doc(tb, fmt.Sprintf("%s-%d", r.ID, r.Seq()+1), []string{"open", "closed", "cancelled"}[w.rng.IntN(3)])
		default:
			r.Unknown(tb, []byte(fmt.Sprintf("future kind %d", w.rng.Int())))
		}
	}
	return w
}

func (w *workload) all() []syncproto.Event {
	var out []syncproto.Event
	for _, r := range w.replicas {
		out = append(out, r.Events...)
	}
	return out
}

// deliveries returns every replica's events as batches of 1..maxBatch
// events, each batch sent once or twice (a QoS 1 redelivery, the copies next
// to each other so concurrent consumers race on them), plus resends of
// overlapping ranges, all shuffled.
func (w *workload) deliveries(tb testing.TB, maxBatch int) []*syncproto.Batch {
	tb.Helper()
	var units [][]*syncproto.Batch
	for _, r := range w.replicas {
		for from := uint64(1); from <= r.Seq(); {
			to := min(r.Seq(), from+uint64(w.rng.IntN(maxBatch)))
			b := r.Batch(tb, from, to)
			if w.rng.IntN(2) == 0 {
				units = append(units, []*syncproto.Batch{b, b})
			} else {
				units = append(units, []*syncproto.Batch{b})
			}
			from = to + 1
		}
		for range int(r.Seq())/(2*maxBatch) + 1 {
			if r.Seq() == 0 {
				break
			}
			from := uint64(w.rng.IntN(int(r.Seq()))) + 1
			to := min(r.Seq(), from+uint64(w.rng.IntN(2*maxBatch)))
			units = append(units, []*syncproto.Batch{r.Batch(tb, from, to)})
		}
	}
	w.rng.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
	return slices.Concat(units...)
}

// checkApplied compares what ApplyBatch returned with the model's answer.
func checkApplied(tb testing.TB, what string, got, want cloud.Applied) {
	tb.Helper()
	if got.Watermark != want.Watermark || got.Gap != want.Gap {
		tb.Errorf("%s: got watermark %d gap %v, want watermark %d gap %v", what, got.Watermark, got.Gap, want.Watermark, want.Gap)
	}
	if g, w := seqsOf(got.Inserted), seqsOf(want.Inserted); !slices.Equal(g, w) {
		tb.Errorf("%s: inserted seqs %v, want %v", what, g, w)
		return
	}
	for i := range got.Inserted {
		g, w := &got.Inserted[i], &want.Inserted[i]
		if g.Replica != w.Replica || !bytes.Equal(g.Raw, w.Raw) {
			tb.Errorf("%s: inserted event %d is %s/%d %x, want %s/%d %x", what, i, g.Replica, g.Seq, g.Raw, w.Replica, w.Seq, w.Raw)
		}
	}
}

func seqsOf(events []syncproto.Event) []uint64 {
	out := make([]uint64, len(events))
	for i := range events {
		out[i] = events[i].Seq
	}
	return out
}

// checkStock compares the store's on-hand rows of tenants with want.
func checkStock(tb testing.TB, s cloud.Store, what string, tenants []string, want []cloud.StockRow) {
	tb.Helper()
	var got []cloud.StockRow
	for _, t := range slices.Sorted(slices.Values(tenants)) {
		rows, err := s.Stock(context.Background(), cloud.StockFilter{Tenant: t})
		if err != nil {
			tb.Fatalf("%s: stock: %v", what, err)
		}
		got = append(got, rows...)
	}
	diffStock(tb, what, got, want)
}

func diffStock(tb testing.TB, what string, got, want []cloud.StockRow) {
	tb.Helper()
	if slices.Equal(got, want) {
		return
	}
	gm := make(map[cloud.StockRow]bool)
	key := func(r cloud.StockRow) cloud.StockRow { r.Qty = 0; return r }
	gq := make(map[cloud.StockRow]int64)
	for _, r := range got {
		gm[key(r)] = true
		gq[key(r)] = r.Qty
	}
	var diffs []string
	for _, r := range want {
		if !gm[key(r)] {
			diffs = append(diffs, fmt.Sprintf("missing %+v", r))
		} else if gq[key(r)] != r.Qty {
			diffs = append(diffs, fmt.Sprintf("%s/%s/%s/%s/%s: got %d, want %d", r.Tenant, r.Site, r.Bin, r.SKU, r.Lot, gq[key(r)], r.Qty))
		}
		delete(gm, key(r))
	}
	for r := range gm {
		diffs = append(diffs, fmt.Sprintf("unexpected %+v", r))
	}
	if len(diffs) == 0 {
		diffs = append(diffs, "same rows in another order")
	}
	if len(diffs) > 10 {
		diffs = append(diffs[:10], fmt.Sprintf("… and %d more", len(diffs)-10))
	}
	tb.Errorf("%s: stock differs from syncproto.OnHandAll (%d rows, want %d):\n\t%s", what, len(got), len(want), joinLines(diffs))
}

func joinLines(s []string) string {
	var b bytes.Buffer
	for i, l := range s {
		if i > 0 {
			b.WriteString("\n\t")
		}
		b.WriteString(l)
	}
	return b.String()
}
