// Package ingest is the cloud's MQTT side: it takes replicas' event batches
// from a shared subscription, stores each batch in one transaction, publishes
// the watermark ack after commit, forwards new events to the replicas' site,
// and answers pulls. Bad messages are rejected with a logged reason and a
// counter and never stop ingest.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/internal/mqttx"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Options configure an Ingest. Zero values take the defaults noted.
type Options struct {
	// Broker is the MQTT broker URL, e.g. tcp://127.0.0.1:1883.
	Broker string
	// ClientID must differ between cloud processes; default
	// "jxc-cloud-<host>-<pid>".
	ClientID string
	// Workers is the number of batches stored at once (default 4). Batches
	// of one replica always go to the same worker, in arrival order.
	Workers int
	// MaxPullBatches caps the batches sent per peer replica for one pull
	// (default 20 of up to PullBatchEvents events).
	MaxPullBatches  int
	PullBatchEvents int
	// MaxBackoff caps the reconnect delay (default 30s).
	MaxBackoff time.Duration
	// QueueBytes bounds each worker's backlog of received messages, in
	// payload bytes (default 64 MiB); a message that does not fit is
	// refused (reason "overloaded") rather than waited for.
	QueueBytes int
	// RetryBackOff makes the backoff for storing a batch again after a
	// transient database error (cloud.ErrTransient); default exponential
	// from 500 ms, 5 retries.
	RetryBackOff func() backoff.BackOff
	// Master, when set, answers agents' master pulls (master.go);
	// MasterPageRecords records are read per page (default 1000), at most
	// MaxMasterPages pages per pull (default 1000).
	Master            MasterSource
	MasterPageRecords int
	MaxMasterPages    int
	Logger            *slog.Logger
}

// Reasons a message is rejected, as counted.
const (
	RejectTopic     = "bad_topic"
	RejectMalformed = "malformed"
	RejectTooLarge  = "too_large"
	RejectVersion   = "no_version"
	RejectAddress   = "misaddressed"
	RejectWrongSite = "wrong_site"
	RejectStore     = "store_error"
	RejectBusy      = "overloaded"
	// RejectConflict counts batches holding an event whose (replica, seq)
	// the cloud stores with another body (cloud.ErrConflict): two ledgers
	// write under one replica ID. The replica is flagged and told in its ack.
	RejectConflict = "conflicting_body"
)

// Ingest consumes batches and pulls. Run drives it; Stats and WriteMetrics
// are safe for concurrent use.
type Ingest struct {
	store cloud.Store
	opts  Options
	log   *slog.Logger

	connected atomic.Bool
	batches   atomic.Uint64
	inserted  atomic.Uint64
	dups      atomic.Uint64
	acks      atomic.Uint64
	forwarded atomic.Uint64
	pulls     atomic.Uint64
	gaps      atomic.Uint64
	retries   atomic.Uint64
	// master pulls answered and master records published
	masterPulls, masterSent atomic.Uint64
	// cl is the current session's client (PushMaster publishes on it).
	cl       atomic.Pointer[paho.Client]
	mu       sync.Mutex
	rejected map[string]uint64
	sites    map[string]map[string]bool // tenant → sites seen pulling master data
}

// New returns an ingest over store; call Run to start it.
func New(store cloud.Store, opts Options) *Ingest {
	if opts.ClientID == "" {
		host, _ := os.Hostname()
		opts.ClientID = fmt.Sprintf("jxc-cloud-%s-%d", host, os.Getpid())
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.MaxPullBatches <= 0 {
		opts.MaxPullBatches = 20
	}
	if opts.PullBatchEvents <= 0 {
		opts.PullBatchEvents = 1000
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.QueueBytes <= 0 {
		opts.QueueBytes = 64 << 20
	}
	if opts.RetryBackOff == nil {
		opts.RetryBackOff = func() backoff.BackOff {
			return backoff.WithMaxRetries(backoff.NewExponentialBackOff(), 5)
		}
	}
	if opts.MasterPageRecords <= 0 {
		opts.MasterPageRecords = 1000
	}
	if opts.MaxMasterPages <= 0 {
		opts.MaxMasterPages = 1000
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Ingest{store: store, opts: opts, log: opts.Logger.With("component", "ingest"), rejected: map[string]uint64{}}
}

// Stats are the ingest counters since start.
type Stats struct {
	Connected bool   `json:"connected"`
	Batches   uint64 `json:"batches"`
	Inserted  uint64 `json:"events_inserted"`
	Dups      uint64 `json:"events_duplicate"`
	Acks      uint64 `json:"acks"`
	Forwarded uint64 `json:"events_forwarded"`
	Pulls     uint64 `json:"pulls"`
	Gaps      uint64 `json:"gaps"`
	Retries   uint64 `json:"store_retries"`
	// MasterPulls counts master pulls answered, MasterSent master records
	// published (answers and pushes).
	MasterPulls uint64            `json:"master_pulls"`
	MasterSent  uint64            `json:"master_records_sent"`
	Rejected    map[string]uint64 `json:"rejected"`
}

// Stats returns the counters.
func (in *Ingest) Stats() Stats {
	in.mu.Lock()
	rej := make(map[string]uint64, len(in.rejected))
	for k, v := range in.rejected {
		rej[k] = v
	}
	in.mu.Unlock()
	return Stats{Connected: in.connected.Load(), Batches: in.batches.Load(), Inserted: in.inserted.Load(),
		Dups: in.dups.Load(), Acks: in.acks.Load(), Forwarded: in.forwarded.Load(), Pulls: in.pulls.Load(),
		Gaps: in.gaps.Load(), Retries: in.retries.Load(), MasterPulls: in.masterPulls.Load(), MasterSent: in.masterSent.Load(), Rejected: rej}
}

// WriteMetrics writes the counters in Prometheus text format.
func (in *Ingest) WriteMetrics(w io.Writer) {
	s := in.Stats()
	conn := 0
	if s.Connected {
		conn = 1
	}
	fmt.Fprintf(w, "# TYPE jxc_ingest_connected gauge\njxc_ingest_connected %d\n", conn)
	for _, c := range []struct {
		name string
		v    uint64
	}{{"batches_total", s.Batches}, {"events_inserted_total", s.Inserted}, {"events_duplicate_total", s.Dups},
		{"acks_total", s.Acks}, {"events_forwarded_total", s.Forwarded}, {"pulls_total", s.Pulls}, {"gaps_total", s.Gaps},
		{"store_retries_total", s.Retries}, {"master_pulls_total", s.MasterPulls}, {"master_records_sent_total", s.MasterSent}} {
		fmt.Fprintf(w, "# TYPE jxc_ingest_%s counter\njxc_ingest_%s %d\n", c.name, c.name, c.v)
	}
	fmt.Fprintf(w, "# TYPE jxc_ingest_rejected_total counter\n")
	reasons := make([]string, 0, len(s.Rejected))
	for r := range s.Rejected {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "jxc_ingest_rejected_total{reason=%q} %d\n", r, s.Rejected[r])
	}
}

func (in *Ingest) reject(reason, topic string, err error) {
	in.mu.Lock()
	in.rejected[reason]++
	in.mu.Unlock()
	in.log.Warn("message rejected", "reason", reason, "topic", topic, "err", err)
}

// Connected reports whether ingest has a live broker connection.
func (in *Ingest) Connected() bool { return in.connected.Load() }

type message struct {
	t       syncproto.Topic
	topic   string
	payload []byte
}

// Run connects and consumes until ctx is done, reconnecting with
// exponential backoff. It returns nil when ctx is cancelled.
func (in *Ingest) Run(ctx context.Context) error {
	mqttx.Loop(ctx, in.log, in.opts.MaxBackoff, in.session, nil)
	return nil
}

func (in *Ingest) session(ctx context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// cl is set before connecting, so before any message reaches a worker.
	var cl paho.Client
	work := make([]*queue, in.opts.Workers)
	for i := range work {
		work[i] = newQueue(in.opts.QueueBytes)
		wg.Add(1)
		go func(q *queue) {
			defer wg.Done()
			for {
				m, ok := q.pop(sctx)
				if !ok {
					return
				}
				in.handle(sctx, cl, m)
			}
		}(work[i])
	}
	// Shard by replica, so a replica's batches are stored in the order they
	// arrived. The handler never waits for a worker: a worker retrying one
	// replica's batch must not stop the messages of every other worker.
	// The handler is also the default one: a persistent session delivers
	// queued messages right after CONNACK, before SUBACK.
	handler := func(_ paho.Client, m paho.Message) {
		t, err := syncproto.ParseReplicaTopic(m.Topic())
		if err != nil {
			in.reject(RejectTopic, m.Topic(), err)
			return
		}
		if !work[uint64(t.Replica)%uint64(len(work))].push(message{t, m.Topic(), m.Payload()}) {
			// Not acked: the replica sends it again after its ack timeout.
			in.reject(RejectBusy, m.Topic(), errors.New("worker queue full"))
		}
	}
	// Cancel before disconnecting: paho's Disconnect waits for a handler
	// that may be waiting on sctx.
	connected := false
	defer func() {
		cancel()
		wg.Wait()
		if connected {
			cl.Disconnect(250)
		}
	}()
	var lost <-chan error
	cl, lost = mqttx.NewClient(mqttx.Options{Broker: in.opts.Broker, ClientID: in.opts.ClientID,
		Handler: handler, OrderMatters: true})
	if err := mqttx.Connect(cl); err != nil {
		return err
	}
	connected = true
	in.cl.Store(&cl)
	defer in.cl.Store(nil)
	filters := map[string]byte{syncproto.IngestFilter(): 1, syncproto.PullFilter(): 1}
	if in.opts.Master != nil {
		filters[syncproto.MasterPullFilter()] = 1
	}
	if _, ok := in.store.(cloud.StatusStore); ok {
		filters[syncproto.StatusFilter()] = 1
	}
	st := cl.SubscribeMultiple(filters, handler)
	if !st.WaitTimeout(10 * time.Second) {
		return errors.New("subscribe: no answer from the broker in 10s")
	}
	if err := st.Error(); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	in.connected.Store(true)
	defer in.connected.Store(false)
	in.log.Info("ingest connected", "broker", in.opts.Broker, "client", in.opts.ClientID)
	select {
	case <-ctx.Done():
		return nil
	case err := <-lost:
		return fmt.Errorf("connection lost: %w", err)
	}
}

func (in *Ingest) handle(ctx context.Context, cl paho.Client, m message) {
	t := m.t
	switch t.Name {
	case "up/events":
		in.handleBatch(ctx, cl, t, m)
	case "up/pull":
		in.handlePull(ctx, cl, t, m)
	case "up/status":
		in.handleStatus(ctx, t, m)
	case "up/master-pull":
		if in.opts.Master != nil {
			in.handleMasterPull(ctx, cl, t, m)
			return
		}
		in.reject(RejectTopic, m.topic, errors.New("this cloud serves no master data"))
	default:
		in.reject(RejectTopic, m.topic, errors.New("not an ingest topic"))
	}
}

func rejectReason(err error) string {
	switch {
	case errors.Is(err, syncproto.ErrTooLarge):
		return RejectTooLarge
	case errors.Is(err, syncproto.ErrVersion):
		return RejectVersion
	}
	return RejectMalformed
}

func (in *Ingest) handleBatch(ctx context.Context, cl paho.Client, t syncproto.Topic, m message) {
	b, err := syncproto.DecodeBatch(m.payload)
	if err != nil {
		in.reject(rejectReason(err), m.topic, err)
		return
	}
	if b.Tenant == "" {
		b.Tenant = t.Tenant
	}
	if b.Replica != t.Replica || b.Site != t.Site || b.Tenant != t.Tenant {
		in.reject(RejectAddress, m.topic, fmt.Errorf("batch says %s/%s/%s", b.Tenant, b.Site, b.Replica))
		return
	}
	// The same content rules as the agent and the stores: a batch that
	// breaks them is malformed and never stored, whatever the database.
	if err := syncproto.ValidateEvents(b.Events); err != nil {
		in.reject(RejectMalformed, m.topic, err)
		return
	}
	var applied cloud.Applied
	bo := backoff.WithContext(in.opts.RetryBackOff(), ctx)
	err = backoff.Retry(func() error {
		var err error
		applied, err = in.store.ApplyBatch(ctx, b)
		if err != nil && !errors.Is(err, cloud.ErrTransient) {
			// Only a failure that may pass is worth the wait.
			return backoff.Permanent(err)
		}
		if err != nil {
			in.retries.Add(1)
		}
		return err
	}, bo)
	switch {
	case errors.Is(err, cloud.ErrWrongSite):
		in.reject(RejectWrongSite, m.topic, err)
		return
	case errors.Is(err, cloud.ErrInvalid):
		in.reject(RejectMalformed, m.topic, err)
		return
	case errors.Is(err, cloud.ErrConflict):
		// What came before the conflict is committed: ack it, naming the
		// conflict so the replica forks (conflict.go).
		in.rejectConflict(m.topic, b, applied, err)
	case err != nil:
		// Not acked: the replica sends again after its ack timeout.
		in.reject(RejectStore, m.topic, err)
		return
	}
	in.batches.Add(1)
	in.inserted.Add(uint64(len(applied.Inserted)))
	offered := uint64(len(b.Events))
	if applied.Conflict != 0 {
		offered = applied.Conflict - b.From // the refused events are no duplicates
	}
	in.dups.Add(offered - uint64(len(applied.Inserted)))
	ack := &pb.Ack{Replica: uint64(b.Replica), Watermark: applied.Watermark, FromSeq: b.From, ToSeq: b.To, ConflictSeq: applied.Conflict}
	if applied.Gap {
		ack.ResendFrom = applied.Watermark + 1
		in.gaps.Add(1)
	}
	if wire, err := syncproto.Encode(ack); err == nil {
		cl.Publish(syncproto.DownAck(t.Tenant, t.Site, t.Replica), 1, false, wire)
		in.acks.Add(1)
	}
	in.forward(cl, syncproto.SiteDownEvents(t.Tenant, t.Site), t.Tenant, t.Site, b.Replica, applied.Inserted)
}

// forward publishes events (of one replica, in seq order) as batches of
// consecutive runs.
func (in *Ingest) forward(cl paho.Client, topic, tenant, site string, r syncproto.ReplicaID, evs []syncproto.Event) {
	for len(evs) > 0 {
		n, size := 1, syncproto.EventWireSize(evs[0].Raw)
		for n < len(evs) && evs[n].Seq == evs[n-1].Seq+1 && size+syncproto.EventWireSize(evs[n].Raw) < syncproto.MaxBatchBody {
			size += syncproto.EventWireSize(evs[n].Raw)
			n++
		}
		raws := make([][]byte, n)
		for i := range raws {
			raws[i] = evs[i].Raw
		}
		wire, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: tenant, Site: site, Replica: r, From: evs[0].Seq}, raws)
		if err != nil {
			in.log.Error("encode forward batch", "err", err)
			return
		}
		cl.Publish(topic, 1, false, wire)
		in.forwarded.Add(uint64(n))
		evs = evs[n:]
	}
}

func (in *Ingest) handlePull(ctx context.Context, cl paho.Client, t syncproto.Topic, m message) {
	var p pb.Pull
	if err := syncproto.Decode(m.payload, &p); err != nil {
		in.reject(rejectReason(err), m.topic, err)
		return
	}
	if syncproto.ReplicaID(p.GetReplica()) != t.Replica {
		in.reject(RejectAddress, m.topic, fmt.Errorf("pull says replica %016x", p.GetReplica()))
		return
	}
	in.pulls.Add(1)
	have := syncproto.VVFromPB(p.GetHave())
	reps, err := in.store.Replicas(ctx, t.Tenant, t.Site)
	if err != nil {
		in.reject(RejectStore, m.topic, err)
		return
	}
	to := syncproto.ReplicaDownEvents(t.Tenant, t.Site, t.Replica)
	for _, r := range reps {
		if r.Replica == t.Replica {
			continue
		}
		after := have[r.Replica]
		for i := 0; i < in.opts.MaxPullBatches && after < r.Watermark; i++ {
			evs, err := in.store.EventsAfter(ctx, r.Replica, after, in.opts.PullBatchEvents)
			if err != nil {
				in.reject(RejectStore, m.topic, err)
				return
			}
			if len(evs) == 0 {
				break
			}
			in.forward(cl, to, t.Tenant, t.Site, r.Replica, evs)
			after = evs[len(evs)-1].Seq
		}
	}
}
