package gate_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/gate"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// fakeRecorder records calls; fail, if set, answers a call instead.
type fakeRecorder struct {
	mu    sync.Mutex
	calls [][]agent.MovementInput
	fail  func(call int, ms []agent.MovementInput) error
	tries int
}

func (f *fakeRecorder) RecordMovements(ctx context.Context, ms []agent.MovementInput) ([]agent.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.fail != nil {
		if err := f.fail(f.tries, ms); err != nil {
			return nil, err
		}
	}
	f.calls = append(f.calls, append([]agent.MovementInput(nil), ms...))
	return make([]agent.Receipt, len(ms)), nil
}

func (f *fakeRecorder) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for _, c := range f.calls {
		out = append(out, len(c))
	}
	return out
}

func (f *fakeRecorder) all() []agent.MovementInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []agent.MovementInput
	for _, c := range f.calls {
		out = append(out, c...)
	}
	return out
}

func pass(i int, dir gate.Direction) gate.Pass {
	return gate.Pass{EPC: simEPC(i), Direction: dir, Reader: simReader, Bin: simBin, FirstSeen: t0, LastSeen: t0, Reads: 10}
}

// skuOf knows the tags below 100: tag i is SKU-(i%5), tag 99 a case of 12
// of SKU-4.
func skuOf(epc []byte) (string, int64, bool) {
	for i := 0; i < 100; i++ {
		if string(simEPC(i)) == string(epc) {
			if i == 99 {
				return "SKU-4", 12, true
			}
			return fmt.Sprintf("SKU-%d", i%5), 1, true
		}
	}
	return "", 0, false
}

func TestSinkMovements(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*gate.SinkConfig)
		in   []gate.Pass
		want []agent.MovementInput
	}{
		{"in and out", nil, []gate.Pass{pass(1, gate.In), pass(2, gate.Out)}, []agent.MovementInput{
			{SKU: "SKU-1", Bin: simBin, EPC: "3034257BF7194E4000000002", Qty: 1, Reason: "receive", Device: simReader},
			{SKU: "SKU-2", Bin: simBin, EPC: "3034257BF7194E4000000003", Qty: -1, Reason: "ship", Device: simReader},
		}},
		{"a case: its pack's size", nil, []gate.Pass{pass(99, gate.In), pass(99, gate.Out)}, []agent.MovementInput{
			{SKU: "SKU-4", Bin: simBin, EPC: "3034257BF7194E4000000064", Qty: 12, Reason: "receive", Device: simReader},
			{SKU: "SKU-4", Bin: simBin, EPC: "3034257BF7194E4000000064", Qty: -12, Reason: "ship", Device: simReader},
		}},
		{"unknown EPC", nil, []gate.Pass{pass(500, gate.In)}, []agent.MovementInput{
			{SKU: gate.UnknownSKU, Bin: simBin, EPC: "3034257BF7194E40000001F5", Qty: 1, Reason: "receive", Device: simReader},
		}},
		{"no lookup, own reasons and operator", func(c *gate.SinkConfig) {
			c.SKU, c.InReason, c.OutReason, c.Operator = nil, "transfer_in", "transfer_out", "gate-bot"
		}, []gate.Pass{pass(1, gate.In), pass(1, gate.Out)}, []agent.MovementInput{
			{SKU: gate.UnknownSKU, Bin: simBin, EPC: "3034257BF7194E4000000002", Qty: 1, Reason: "transfer_in", Operator: "gate-bot", Device: simReader},
			{SKU: gate.UnknownSKU, Bin: simBin, EPC: "3034257BF7194E4000000002", Qty: -1, Reason: "transfer_out", Operator: "gate-bot", Device: simReader},
		}},
		{"a lookup that says ok with no SKU", func(c *gate.SinkConfig) {
			c.SKU = func([]byte) (string, int64, bool) { return "", 1, true }
		}, []gate.Pass{pass(1, gate.In)}, []agent.MovementInput{
			{SKU: gate.UnknownSKU, Bin: simBin, EPC: "3034257BF7194E4000000002", Qty: 1, Reason: "receive", Device: simReader},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			cfg := gate.SinkConfig{Ledger: rec, SKU: skuOf}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			s := gate.NewSink(cfg)
			if err := s.Record(context.Background(), tt.in); err != nil {
				t.Fatal(err)
			}
			got := rec.all()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			unknown := 0
			for _, m := range tt.want {
				if m.SKU == gate.UnknownSKU {
					unknown++
				}
			}
			if st := s.Stats(); st.Recorded != uint64(len(tt.want)) || st.Unknown != uint64(unknown) || st.Passes != uint64(len(tt.in)) {
				t.Errorf("stats %+v: want %d recorded, %d unknown", st, len(tt.want), unknown)
			}
		})
	}
}

func TestSinkRunBatches(t *testing.T) {
	tests := []struct {
		name      string
		batch     int
		send      int
		close     bool
		wantSizes []int
	}{
		{"full batches, then the rest on close", 4, 10, true, []int{4, 4, 2}},
		{"exact batches", 5, 10, true, []int{5, 5}},
		{"nothing", 4, 0, true, nil},
		{"the interval flushes a partial batch", 100, 3, false, []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			interval := time.Hour
			if !tt.close {
				interval = 50 * time.Millisecond
			}
			s := gate.NewSink(gate.SinkConfig{Ledger: rec, SKU: skuOf, BatchSize: tt.batch, FlushInterval: interval})
			// The passes are queued before Run starts, so it takes them
			// all long before the interval ends.
			in := make(chan gate.Pass, tt.send)
			for i := 0; i < tt.send; i++ {
				in <- pass(i, gate.In)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx, in) }()
			if tt.close {
				close(in)
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			} else {
				testenv.WaitFor(t, 5*time.Second, func() error {
					if got := rec.sizes(); fmt.Sprint(got) != fmt.Sprint(tt.wantSizes) {
						return fmt.Errorf("calls of %v, want %v", got, tt.wantSizes)
					}
					return nil
				})
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Fatalf("Run after cancel: %v", err)
				}
			}
			if got := rec.sizes(); fmt.Sprint(got) != fmt.Sprint(tt.wantSizes) {
				t.Errorf("calls of %v, want %v", got, tt.wantSizes)
			}
			if st := s.Stats(); st.Recorded != uint64(tt.send) || st.Dropped != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestSinkFailures(t *testing.T) {
	bad := hex.EncodeToString(simEPC(3))
	tests := []struct {
		name                 string
		fail                 func(call int, ms []agent.MovementInput) error
		wantErr              error
		wantRecorded         int
		wantRejected         uint64
		wantRetries, wantDrp uint64
	}{
		{"transient errors are retried", func(call int, _ []agent.MovementInput) error {
			if call <= 2 {
				return errors.New("disk I/O error")
			}
			return nil
		}, nil, 6, 0, 2, 0},
		{"an invalid pass is dropped alone", func(_ int, ms []agent.MovementInput) error {
			for _, m := range ms {
				if strings.EqualFold(m.EPC, bad) {
					return fmt.Errorf("record movements: %w: movements[%d].epc is bad", agent.ErrInvalid, 3)
				}
			}
			return nil
		}, nil, 5, 1, 0, 0},
		{"a closed ledger stops the sink", func(int, []agent.MovementInput) error {
			return fmt.Errorf("record movements: %w", agent.ErrClosed)
		}, agent.ErrClosed, 0, 0, 0, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{fail: tt.fail}
			s := gate.NewSink(gate.SinkConfig{Ledger: rec, SKU: skuOf, BatchSize: 10, FlushInterval: time.Hour, RetryDelay: time.Millisecond})
			in := make(chan gate.Pass, 6)
			for i := 0; i < 6; i++ {
				in <- pass(i, gate.In)
			}
			close(in)
			err := s.Run(context.Background(), in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Run: got %v, want %v", err, tt.wantErr)
			}
			st := s.Stats()
			if got := len(rec.all()); got != tt.wantRecorded || st.Recorded != uint64(tt.wantRecorded) {
				t.Errorf("recorded %d (stats %d), want %d", got, st.Recorded, tt.wantRecorded)
			}
			if st.Rejected != tt.wantRejected || st.Retries != tt.wantRetries || st.Dropped != tt.wantDrp {
				t.Errorf("stats %+v: want %d rejected, %d retries, %d dropped", st, tt.wantRejected, tt.wantRetries, tt.wantDrp)
			}
		})
	}
}

func TestSinkRunCancelledDropsPending(t *testing.T) {
	rec := &fakeRecorder{}
	s := gate.NewSink(gate.SinkConfig{Ledger: rec, BatchSize: 100, FlushInterval: time.Hour})
	in := make(chan gate.Pass)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, in) }()
	in <- pass(1, gate.In)
	in <- pass(2, gate.In)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if st := s.Stats(); st.Dropped != 2 || st.Recorded != 0 {
		t.Errorf("stats %+v: want 2 dropped", st)
	}
}

// TestGateSinkLedger runs the 500-tag population of TestPopulation through
// a Gate and a Sink into a real ledger: every tag is received once and
// shipped once, in that order, each SKU's on-hand in the bin ends at zero,
// and the 20 tags the catalogue does not know are booked to UNKNOWN-EPC.
func TestGateSinkLedger(t *testing.T) {
	ctx := context.Background()
	l, err := sqlite.Open(t.TempDir(), sqlite.Options{Tenant: "t1", Site: "wh-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	const tags, unknown = 500, 20
	skus := make(map[string]string) // EPC hex → SKU
	for i := 0; i < tags-unknown; i++ {
		skus[strings.ToUpper(hex.EncodeToString(simEPC(i)))] = fmt.Sprintf("SKU-%02d", i%25)
	}
	lookup := func(epc []byte) (string, int64, bool) {
		sku, ok := skus[strings.ToUpper(hex.EncodeToString(epc))]
		return sku, 1, ok
	}

	rng := rand.New(rand.NewPCG(7, 99))
	reads := simReads(rng, simPopulation(rng, tags, t0, time.Minute), 100, 30)
	g := gate.New(simConfig())
	sink := gate.NewSink(gate.SinkConfig{Ledger: l, SKU: lookup, BatchSize: 64, FlushInterval: 2 * time.Millisecond})
	ch := make(chan gate.Pass, 16)
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, ch) }()
	for _, p := range feed(g, reads, 100*time.Millisecond) {
		ch <- p
	}
	close(ch)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	evs, err := l.Events(ctx, 1, 1<<20, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2*tags {
		t.Fatalf("%d events, want %d", len(evs), 2*tags)
	}
	type seen struct{ in, out uint64 } // seqs
	byEPC := make(map[string]*seen)
	for _, e := range evs {
		m := e.Msg.GetMovement()
		if m == nil {
			t.Fatalf("event %d is not a movement", e.Seq)
		}
		wantSKU, known := skus[m.GetEpc()]
		if !known {
			wantSKU = gate.UnknownSKU
		}
		if m.GetSku() != wantSKU || m.GetBin() != simBin || m.GetDevice() != simReader {
			t.Fatalf("event %d: sku %q bin %q device %q; want %q %q %q", e.Seq, m.GetSku(), m.GetBin(), m.GetDevice(), wantSKU, simBin, simReader)
		}
		s := byEPC[m.GetEpc()]
		if s == nil {
			s = &seen{}
			byEPC[m.GetEpc()] = s
		}
		switch {
		case m.GetQty() == 1 && m.GetReason() == "receive" && s.in == 0:
			s.in = e.Seq
		case m.GetQty() == -1 && m.GetReason() == "ship" && s.out == 0:
			s.out = e.Seq
		default:
			t.Fatalf("event %d: epc %s qty %d reason %q, after %+v", e.Seq, m.GetEpc(), m.GetQty(), m.GetReason(), *s)
		}
	}
	for i := 0; i < tags; i++ {
		k := strings.ToUpper(hex.EncodeToString(simEPC(i)))
		if s := byEPC[k]; s == nil || s.in == 0 || s.out == 0 || s.out < s.in {
			t.Errorf("tag %s: %+v, want received then shipped", k, s)
		}
	}
	if len(byEPC) != tags {
		t.Errorf("%d EPCs in the ledger, want %d", len(byEPC), tags)
	}

	rows, err := l.Stock(ctx, agent.StockFilter{Bin: simBin})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 26 {
		t.Errorf("%d stock rows, want 25 SKUs and UNKNOWN-EPC", len(rows))
	}
	for _, r := range rows {
		if r.Qty != 0 {
			t.Errorf("on-hand of %s in %s is %d after in and out, want 0", r.SKU, r.Bin, r.Qty)
		}
	}
	st := sink.Stats()
	if st.Passes != 2*tags || st.Recorded != 2*tags || st.Unknown != 2*unknown || st.Rejected != 0 || st.Dropped != 0 {
		t.Errorf("sink stats %+v: want %d recorded, %d unknown", st, 2*tags, 2*unknown)
	}
	if ls := l.Stats(); ls.Commits >= 2*tags/4 {
		t.Errorf("ledger stats %+v: want passes batched into few commits", ls)
	}
	t.Logf("%d passes in %d calls, %d commits", st.Recorded, st.Calls, l.Stats().Commits)
}
