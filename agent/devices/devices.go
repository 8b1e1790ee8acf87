// Package devices is the agent's device pipeline: it loads the site's device
// profiles (firmware-configs), starts one driver per device, and turns what
// the devices read into ledger events. RFID gate reads go through the gate
// portal logic (agent/gate) to one movement per pass; a scanner set up as a
// station records each scan, with the quantity the code carries or a stable
// weight from its scale. Every device's health is kept for the sync
// client's status message.
package devices

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/gate"
	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/llrp"
	"github.com/jxc-edge/jxc/drivers/scale"
	"github.com/jxc-edge/jxc/drivers/scanner"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Ledger is what the pipeline needs of the agent's ledger.
type Ledger interface {
	RecordMovements(ctx context.Context, in []agent.MovementInput) ([]agent.Receipt, error)
	ProductByGTIN(ctx context.Context, gtin string) (agent.Product, bool, error)
}

// Router names the documents a device's movements are work against: a
// receiving session open at the device (agent/work.Service.RouteDevice).
// Route is given the movements device (its profile name) is about to
// record, sets the Doc of those it puts on a document, in place, and
// returns, at the index of each one it cannot take, its refusal (nil
// when it refuses nothing): the movement's Doc then names the document
// alone (unplanned work against it). A refusal that has the methods
// Reason() string and ErrorZH() string gives its reason code and Chinese
// message to the station's Rejection. err is a failure to decide (the
// ledger), ms unchanged.
type Router interface {
	RouteDevice(ctx context.Context, device string, ms []agent.MovementInput) (refused []error, err error)
}

// Options configure a Manager.
type Options struct {
	// Router, if set, puts the gates' inbound passes and the receiving
	// stations' scans on the document of the session open at their
	// device. A gate records a pass Router refuses as it comes back
	// (unplanned, never losing a read); a station refuses the scan.
	Router Router
	// Dir is the folder of the device profiles; Run loads it, and again
	// every Reload (default 5s) to pick up changes, and at once when
	// Manager.Reload is called (after WriteProfiles). Empty: only Apply
	// gives profiles.
	Dir    string
	Reload time.Duration
	// FlushEvery is how often gates decide departed tags (default 100ms).
	FlushEvery time.Duration
	Logger     *slog.Logger
}

// Stats are the pipeline's counters.
type Stats struct {
	Passes        uint64 `json:"gate_passes"`
	Scans         uint64 `json:"scans"`
	ScanMovements uint64 `json:"scan_movements"`
	ScanRejected  uint64 `json:"scans_rejected"`
	UnknownItems  uint64 `json:"unknown_items"`
	ProfileErrors uint64 `json:"profile_errors"`

	// Routed counts the movements (passes, scans) the Router put on a
	// document line; Unplanned those it refused that a gate recorded
	// against the document alone.
	Routed    uint64 `json:"routed"`
	Unplanned uint64 `json:"unplanned"`

	// ScanRejections counts the refused scans by reason (Reject…).
	ScanRejections map[string]uint64 `json:"scan_rejections,omitempty"`
}

// Manager runs the devices of one agent. Its methods are safe for
// concurrent use.
type Manager struct {
	ledger Ledger
	opts   Options
	log    *slog.Logger

	mu      sync.Mutex
	version string
	running *deviceSet
	ctx     context.Context

	passes, scans, scanMoves, scanRejected, unknown, profileErrs, routed, unplanned atomic.Uint64

	rejects rejections // scans refused by stations, by reason

	kick chan struct{} // Reload: load the folder now
}

// New returns a manager recording into l; call Run to start it.
func New(l Ledger, opts Options) *Manager {
	if opts.Reload <= 0 {
		opts.Reload = 5 * time.Second
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 100 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Manager{ledger: l, opts: opts, log: opts.Logger.With("component", "devices"), kick: make(chan struct{}, 1)}
}

// Run loads the profiles, runs the devices, and reloads the profiles when
// they change, until ctx is done. Invalid profiles are reported and counted;
// the devices already running keep running.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	m.ctx = ctx
	m.mu.Unlock()
	defer m.stop()
	if m.opts.Dir == "" {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(m.opts.Reload)
	defer t.Stop()
	for {
		set, err := profiles.LoadDir(m.opts.Dir)
		if err != nil {
			m.profileErrs.Add(1)
			m.log.Error("device profiles rejected; devices keep their last good profiles", "dir", m.opts.Dir, "err", err)
		} else if err := m.Apply(set); err != nil {
			m.log.Error("apply device profiles", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-m.kick:
		}
	}
}

// Reload makes Run load the profiles folder now rather than at its next
// tick (after the folder was written, e.g. by WriteProfiles). It does not
// wait for the load; without a folder it does nothing.
func (m *Manager) Reload() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Apply runs the devices of set, stopping those of the previous set first,
// unless set is the same version as what runs. It must be called after Run
// has started.
func (m *Manager) Apply(set *profiles.Set) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx == nil {
		return errors.New("devices: Apply before Run")
	}
	if set.Version() == m.version {
		return nil
	}
	if m.running != nil {
		m.running.stop()
		m.running = nil
	}
	ds, err := m.start(m.ctx, set)
	if err != nil {
		m.profileErrs.Add(1)
		return err
	}
	m.running, m.version = ds, set.Version()
	m.log.Info("devices started", "readers", len(set.Readers()), "scales", len(set.Scales()),
		"scanners", len(set.Scanners()), "version", set.Version()[:12])
	return nil
}

func (m *Manager) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running != nil {
		m.running.stop()
		m.running = nil
	}
	m.version = ""
}

// Stats returns the pipeline's counters.
func (m *Manager) Stats() Stats {
	return Stats{Passes: m.passes.Load(), Scans: m.scans.Load(), ScanMovements: m.scanMoves.Load(),
		ScanRejected: m.scanRejected.Load(), UnknownItems: m.unknown.Load(), ProfileErrors: m.profileErrs.Load(),
		Routed: m.routed.Load(), Unplanned: m.unplanned.Load(),
		ScanRejections: m.rejects.snapshot()}
}

// Version returns the version of the profiles running, "" when none.
func (m *Manager) Version() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.version
}

// Health returns every running device's health, sorted by name.
func (m *Manager) Health() []drivers.Health {
	m.mu.Lock()
	ds := m.running
	m.mu.Unlock()
	if ds == nil {
		return nil
	}
	var out []drivers.Health
	for _, d := range ds.devices {
		h := d.Health()
		if h.Device == "" {
			h.Device = ds.names[d]
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return out
}

// StatusDevices returns Health in the form of the sync status message.
func (m *Manager) StatusDevices() []*pb.DeviceHealth {
	hs := m.Health()
	out := make([]*pb.DeviceHealth, len(hs))
	for i, h := range hs {
		var last int64
		if !h.LastEvent.IsZero() {
			last = h.LastEvent.UnixMilli()
		}
		out[i] = &pb.DeviceHealth{Device: h.Device, Kind: h.Kind, Connected: h.Connected, Error: h.LastError, LastEventMs: last,
			ClockOffsetMs: h.ClockOffsetMS, ClockSkewed: h.ClockSkewed}
	}
	return out
}

// healther is any running device.
type healther interface{ Health() drivers.Health }

// deviceSet is the devices of one profile set, with what stops them.
type deviceSet struct {
	devices []healther
	names   map[healther]string
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closers []func() error
}

func (ds *deviceSet) stop() {
	ds.cancel()
	for _, c := range ds.closers {
		c()
	}
	ds.wg.Wait()
}

func (ds *deviceSet) add(name string, d healther) {
	ds.devices = append(ds.devices, d)
	ds.names[d] = name
}

// start opens every device of set. A device whose driver refuses its
// configuration fails the whole set, so a profile mistake is seen at once;
// a device that is merely unreachable is retried by its driver.
func (m *Manager) start(ctx context.Context, set *profiles.Set) (*deviceSet, error) {
	ctx, cancel := context.WithCancel(ctx)
	ds := &deviceSet{cancel: cancel, names: map[healther]string{}}
	fail := func(err error) (*deviceSet, error) {
		ds.stop()
		return nil, err
	}
	scales := map[string]*scale.Scale{}
	for _, p := range set.Scales() {
		s, err := scale.Open(ScaleConfig(p))
		if err != nil {
			return fail(fmt.Errorf("scale %s: %w", p.Name, err))
		}
		scales[p.Name] = s
		ds.add(p.Name, s)
		ds.closers = append(ds.closers, s.Close)
	}
	for _, p := range set.Readers() {
		cfg := ReaderConfig(p)
		cfg.Logger = m.log
		r, err := llrp.NewReader(cfg)
		if err != nil {
			return fail(fmt.Errorf("reader %s: %w", p.Name, err))
		}
		ds.add(p.Name, r)
		ds.closers = append(ds.closers, r.Close)
		gc, isGate := GateConfig(p)
		if isGate {
			if err := gc.Validate(); err != nil {
				return fail(fmt.Errorf("reader %s: gate: %w", p.Name, err))
			}
		}
		reads := make(chan drivers.TagRead, 4096)
		ds.wg.Add(2)
		go func() { defer ds.wg.Done(); r.Run(ctx, reads) }()
		go func() { defer ds.wg.Done(); m.runReader(ctx, reads, gc, isGate) }()
	}
	for _, p := range set.Scanners() {
		cfg, err := ScannerConfig(p)
		if err != nil {
			return fail(err)
		}
		sc, err := scanner.New(cfg)
		if err != nil {
			return fail(fmt.Errorf("scanner %s: %w", p.Name, err))
		}
		ds.add(p.Name, sc)
		st, err := newStation(m, p, scales)
		if err != nil {
			return fail(err)
		}
		scans := make(chan drivers.Scan, 64)
		ds.wg.Add(2)
		go func() { defer ds.wg.Done(); sc.Run(ctx, scans) }()
		go func() { defer ds.wg.Done(); st.run(ctx, scans) }()
	}
	return ds, nil
}

// runReader feeds a reader's tag reads to its gate, and the gate's passes to
// a sink that records them; a reader that is not a gate only reports health.
// The gate runs on the reader's clock (gate.Clock): its reads carry the
// reader's timestamps, so its departures are decided with the agent's
// ticker time translated onto that clock, whatever the offset between the
// two.
func (m *Manager) runReader(ctx context.Context, reads <-chan drivers.TagRead, gc gate.Config, isGate bool) {
	if !isGate {
		for {
			select {
			case <-ctx.Done():
				return
			case <-reads:
			}
		}
	}
	g := gate.New(gc)
	var clock gate.Clock
	passes := make(chan gate.Pass, 4096)
	var rec gate.Recorder = m.ledger
	if m.opts.Router != nil {
		rec = &routedRecorder{m: m, device: gc.Reader}
	}
	sink := gate.NewSink(gate.SinkConfig{Ledger: rec, SKU: m.skuForEPC(ctx), Operator: "gate:" + gc.Reader, Logger: m.log})
	done := make(chan struct{})
	go func() { defer close(done); sink.Run(context.WithoutCancel(ctx), passes) }()
	t := time.NewTicker(m.opts.FlushEvery)
	emit := func(ps []gate.Pass) {
		m.passes.Add(uint64(len(ps)))
		for _, p := range ps {
			passes <- p
		}
	}
	defer func() {
		t.Stop()
		// Decide every tag still in the portal, then let the sink write
		// what it holds before the pipeline stops.
		now, ok := clock.Now(time.Now())
		if !ok {
			now = time.Now()
		}
		emit(g.Flush(now.Add(24 * time.Hour)))
		close(passes)
		<-done
	}()
	add := func(r drivers.TagRead, at time.Time) {
		clock.Observe(r.LastSeen, at)
		g.Add(r)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-reads:
			at := time.Now()
			add(r, at)
			// Take whatever else is queued before looking at the clock.
			for n := len(reads); n > 0; n-- {
				add(<-reads, at)
			}
		case now := <-t.C:
			if readerNow, ok := clock.Now(now); ok {
				emit(g.Flush(readerNow))
			}
		}
	}
}

// skuForEPC finds the SKU of an SGTIN-96 EPC through the catalogue, and
// the pack's size when the EPC's GTIN is a case's.
func (m *Manager) skuForEPC(ctx context.Context) func(epc []byte) (string, int64, bool) {
	return func(epc []byte) (string, int64, bool) {
		e, err := gs1.DecodeEPC(epc)
		if err != nil || e.GTIN == "" {
			m.unknown.Add(1)
			return "", 0, false
		}
		p, ok, err := m.ledger.ProductByGTIN(ctx, e.GTIN)
		if err != nil || !ok {
			m.unknown.Add(1)
			return "", 0, false
		}
		return p.SKU, p.Units(), true
	}
}

// routedRecorder records a gate's passes after the Router has named the
// document lines they are received against. It routes a copy of each
// batch, so that a batch the sink writes again (after a failure, or one
// by one after an invalid one) is routed again against the progress of
// that moment. What the Router refuses is recorded as it comes back.
type routedRecorder struct {
	m      *Manager
	device string
}

func (r *routedRecorder) RecordMovements(ctx context.Context, in []agent.MovementInput) ([]agent.Receipt, error) {
	ms := append([]agent.MovementInput(nil), in...)
	refused, err := r.m.opts.Router.RouteDevice(ctx, r.device, ms)
	if err != nil {
		return nil, fmt.Errorf("route passes of %s: %w", r.device, err)
	}
	rs, err := r.m.ledger.RecordMovements(ctx, ms)
	if err != nil {
		return nil, err
	}
	var routed, unplanned uint64
	for i := range ms {
		switch {
		case refused != nil && refused[i] != nil:
			unplanned++
		case ms[i].Doc != in[i].Doc:
			routed++
		}
	}
	r.m.routed.Add(routed)
	r.m.unplanned.Add(unplanned)
	return rs, nil
}
