package gate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jxc-edge/jxc/agent"
)

// UnknownSKU is the SKU a pass is booked to when the caller's lookup does
// not know the tag's EPC. The movement still carries the EPC, so the item
// can be found and re-booked once the catalogue knows it, and on-hand of
// UNKNOWN-EPC in a bin is the number of unknown items in it.
const UnknownSKU = "UNKNOWN-EPC"

// Defaults for SinkConfig fields left zero.
const (
	DefaultBatchSize     = 256
	DefaultFlushInterval = 10 * time.Millisecond
	DefaultInReason      = "receive"
	DefaultOutReason     = "ship"
	DefaultRetryDelay    = 100 * time.Millisecond
	DefaultMaxRetryDelay = 5 * time.Second
)

// Recorder is what Sink needs of the ledger (agent.Ledger has it).
type Recorder interface {
	RecordMovements(ctx context.Context, in []agent.MovementInput) ([]agent.Receipt, error)
}

// SinkConfig configures a Sink.
type SinkConfig struct {
	// Ledger records the movements. Required.
	Ledger Recorder
	// SKU returns the SKU of an EPC (e.g. SGTIN decoding and the product
	// catalogue) and how many of its units one tagged item holds (the
	// pack's size for a tagged case, 1 for a single item; below 1 is
	// taken as 1), ok false if unknown. nil books every pass to
	// UnknownSKU. It is called from the Sink's goroutine only and must
	// not keep epc.
	SKU func(epc []byte) (sku string, units int64, ok bool)
	// BatchSize is the most passes recorded in one RecordMovements call;
	// Run records as soon as it has that many. Zero means
	// DefaultBatchSize.
	BatchSize int
	// FlushInterval is the longest a pass waits in Run for more to share
	// its call. Zero means DefaultFlushInterval.
	FlushInterval time.Duration
	// InReason and OutReason are the movement reasons of inbound and
	// outbound passes. Empty means DefaultInReason, DefaultOutReason.
	InReason, OutReason string
	// Operator is put on every movement; may be empty.
	Operator string
	// RetryDelay is the first wait after a failed write (it doubles up to
	// MaxRetryDelay). Zero means the defaults.
	RetryDelay, MaxRetryDelay time.Duration
	// Logger receives warnings; nil discards them.
	Logger *slog.Logger
}

// SinkStats are a Sink's counters since NewSink.
type SinkStats struct {
	// Passes is the number of passes taken.
	Passes uint64
	// Recorded is the number of movements durably recorded; Unknown how
	// many of them were booked to UnknownSKU (the SKU lookup did not know
	// the EPC).
	Recorded, Unknown uint64
	// Calls is the number of successful RecordMovements calls.
	Calls uint64
	// Rejected counts passes the ledger refused as invalid (each was
	// retried alone first); they are logged and not recorded.
	Rejected uint64
	// Retries counts writes retried after a failure.
	Retries uint64
	// Dropped counts passes given up when Run's context ended.
	Dropped uint64
}

// Sink records passes as movements, in batches: qty +1 for In, -1 for Out
// (times the pack's size for a tagged case), in the pass's bin, with the
// EPC in upper-case hex and the reader as the device.
type Sink struct {
	cfg   SinkConfig
	log   *slog.Logger
	stats struct {
		passes, recorded, unknown, calls, rejected, retries, dropped atomic.Uint64
	}
}

// NewSink returns a sink with cfg, zero fields defaulted. It panics if
// cfg.Ledger is nil.
func NewSink(cfg SinkConfig) *Sink {
	if cfg.Ledger == nil {
		panic("gate.NewSink: no ledger")
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.InReason == "" {
		cfg.InReason = DefaultInReason
	}
	if cfg.OutReason == "" {
		cfg.OutReason = DefaultOutReason
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.MaxRetryDelay < cfg.RetryDelay {
		cfg.MaxRetryDelay = max(DefaultMaxRetryDelay, cfg.RetryDelay)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sink{cfg: cfg, log: log.With("component", "gate-sink")}
}

// Stats returns the sink's counters; safe to call from any goroutine.
func (s *Sink) Stats() SinkStats {
	st := &s.stats
	return SinkStats{
		Passes: st.passes.Load(), Recorded: st.recorded.Load(), Unknown: st.unknown.Load(),
		Calls: st.calls.Load(), Rejected: st.rejected.Load(), Retries: st.retries.Load(), Dropped: st.dropped.Load(),
	}
}

// Run records the passes received on in, batching them: a batch is
// written when it holds BatchSize passes or FlushInterval after its first
// pass arrived. When in is closed Run records what it holds and returns
// nil: closing in is the clean shutdown, after which every pass sent is
// durable or counted as rejected. If ctx ends first, Run returns ctx's
// error and the passes not yet recorded are dropped (counted). A write
// failing for another reason than invalid input is retried with backoff,
// holding up the passes behind it, until it succeeds, ctx ends or the
// ledger is closed (agent.ErrClosed, returned).
func (s *Sink) Run(ctx context.Context, in <-chan Pass) error {
	batch := make([]Pass, 0, s.cfg.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	flush := func() error {
		timer.Stop()
		err := s.Record(ctx, batch)
		clear(batch)
		batch = batch[:0]
		return err
	}
	for {
		select {
		case p, ok := <-in:
			if !ok {
				return flush()
			}
			batch = append(batch, p)
			if len(batch) == 1 {
				timer.Reset(s.cfg.FlushInterval)
			}
			if len(batch) >= s.cfg.BatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-timer.C:
			if err := flush(); err != nil {
				return err
			}
		case <-ctx.Done():
			s.stats.dropped.Add(uint64(len(batch)))
			return ctx.Err()
		}
	}
}

// Record records passes now, in RecordMovements calls of at most
// BatchSize, retrying as Run does. It returns nil once every pass is
// recorded or rejected as invalid, or the error that stopped it (ctx's,
// or agent.ErrClosed); passes not recorded then are counted as dropped.
// It must not be called concurrently with Run.
func (s *Sink) Record(ctx context.Context, passes []Pass) error {
	s.stats.passes.Add(uint64(len(passes)))
	ms := make([]agent.MovementInput, 0, min(len(passes), s.cfg.BatchSize))
	for start := 0; start < len(passes); start += s.cfg.BatchSize {
		chunk := passes[start:min(start+s.cfg.BatchSize, len(passes))]
		ms = ms[:0]
		for i := range chunk {
			ms = append(ms, s.movement(&chunk[i]))
		}
		if n, err := s.write(ctx, ms); err != nil {
			s.stats.dropped.Add(uint64(len(passes) - start - n))
			return err
		}
	}
	return nil
}

// movement builds the movement of a pass.
func (s *Sink) movement(p *Pass) agent.MovementInput {
	m := agent.MovementInput{
		Bin:      p.Bin,
		EPC:      upperHex(p.EPC),
		Qty:      1,
		Reason:   s.cfg.InReason,
		Operator: s.cfg.Operator,
		Device:   p.Reader,
	}
	if p.Direction == Out {
		m.Qty, m.Reason = -1, s.cfg.OutReason
	}
	known := false
	units := int64(1)
	if s.cfg.SKU != nil {
		m.SKU, units, known = s.cfg.SKU(p.EPC)
	}
	if !known || m.SKU == "" {
		m.SKU, units = UnknownSKU, 1
	}
	if units > 1 {
		m.Qty *= units
	}
	return m
}

// write records ms in one call, retrying failures other than invalid
// input. If the ledger rejects the batch as invalid, each movement is
// written alone so one bad pass does not lose the others. It returns how
// many were recorded.
func (s *Sink) write(ctx context.Context, ms []agent.MovementInput) (int, error) {
	err := s.writeRetry(ctx, ms)
	switch {
	case err == nil:
		return len(ms), nil
	case !errors.Is(err, agent.ErrInvalid):
		return 0, err
	}
	s.log.Warn("batch rejected, writing its movements one by one", "movements", len(ms), "err", err)
	n := 0
	for i := range ms {
		err := s.writeRetry(ctx, ms[i:i+1])
		switch {
		case err == nil:
			n++
		case errors.Is(err, agent.ErrInvalid):
			s.stats.rejected.Add(1)
			s.log.Warn("pass rejected", "epc", ms[i].EPC, "sku", ms[i].SKU, "bin", ms[i].Bin, "err", err)
		default:
			return n, err
		}
	}
	return n, nil
}

// writeRetry makes one RecordMovements call, repeating it after failures
// other than invalid input, a closed ledger or ctx ending.
func (s *Sink) writeRetry(ctx context.Context, ms []agent.MovementInput) error {
	delay := s.cfg.RetryDelay
	for {
		_, err := s.cfg.Ledger.RecordMovements(ctx, ms)
		if err == nil {
			s.stats.calls.Add(1)
			s.stats.recorded.Add(uint64(len(ms)))
			unknown := 0
			for i := range ms {
				if ms[i].SKU == UnknownSKU {
					unknown++
				}
			}
			s.stats.unknown.Add(uint64(unknown))
			return nil
		}
		if errors.Is(err, agent.ErrInvalid) || errors.Is(err, agent.ErrClosed) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		s.stats.retries.Add(1)
		s.log.Warn("recording passes failed, retrying", "movements", len(ms), "in", delay, "err", err)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("retry recording passes: %w", ctx.Err())
		}
		delay = min(2*delay, s.cfg.MaxRetryDelay)
	}
}

const hexDigits = "0123456789ABCDEF"

// upperHex is the EPC as it is written on labels and in reader software.
func upperHex(b []byte) string {
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = hexDigits[c>>4], hexDigits[c&15]
	}
	return string(out)
}
