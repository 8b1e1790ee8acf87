// Package mqtt is the agent's sync client: it uploads the ledger's events to
// the cloud over MQTT in batches of consecutive seqs, records the cloud's
// acknowledged watermark, and merges the events of the site's other replicas
// that the cloud forwards. See DESIGN.md §4 of the project.
package mqtt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/mqttx"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Options configure a Client. Zero values take the defaults noted.
type Options struct {
	// Broker is the MQTT broker URL, e.g. tcp://127.0.0.1:1883.
	Broker string
	// Tenant names the tenant in topics.
	Tenant string
	// ClientID defaults to "jxc-agent-<replica>"; it must be stable so the
	// broker keeps the persistent session across reconnects.
	ClientID string
	// MaxBatchEvents caps events per batch (default 1000).
	MaxBatchEvents int
	// MaxInFlight caps batches sent and not yet acknowledged (default 8).
	MaxInFlight int
	// AckTimeout is how long to wait for any ack progress before sending
	// again from the watermark (default 10s).
	AckTimeout time.Duration
	// PullInterval is how often to ask for peers' events while connected
	// (default 15s), besides on connect and on a gap.
	PullInterval time.Duration
	// StatusInterval is how often to publish the retained status (default 10s).
	StatusInterval time.Duration
	// MaxBackoff caps the reconnect delay (default 30s).
	MaxBackoff time.Duration
	// Devices reports device health for the status message; may be nil.
	Devices func() []*pb.DeviceHealth
	// Profiles, when set, is called after each applied master batch that
	// holds device profile records (kind "device_profile"), to write the
	// stored ones out (agentapp: into the profiles folder). An error
	// matching profiles.ErrInvalid (the resulting folder does not
	// validate) is counted in Stats.MasterRejected as "invalid_profile",
	// any other as "profile_error"; the batch stays applied either way
	// and the next batch with profiles tries again. When nil (an agent
	// without a profiles folder) such records are stored, not written
	// out, and counted in Stats.MasterProfilesIgnored.
	Profiles func(ctx context.Context) error
	Logger   *slog.Logger
}

func (o *Options) setDefaults(r syncproto.ReplicaID) {
	if o.ClientID == "" {
		o.ClientID = "jxc-agent-" + r.String()
	}
	if o.MaxBatchEvents <= 0 {
		o.MaxBatchEvents = 1000
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 8
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 10 * time.Second
	}
	if o.PullInterval <= 0 {
		o.PullInterval = 15 * time.Second
	}
	if o.StatusInterval <= 0 {
		o.StatusInterval = 10 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Stats are the client's counters since start.
type Stats struct {
	Connects       uint64 `json:"connects"`
	BatchesSent    uint64 `json:"batches_sent"`
	EventsSent     uint64 `json:"events_sent"`
	Resends        uint64 `json:"resends"`
	AcksReceived   uint64 `json:"acks_received"`
	PeerEvents     uint64 `json:"peer_events_applied"`
	PullsSent      uint64 `json:"pulls_sent"`
	Rejected       uint64 `json:"rejected_messages"`
	LastAckUnixMS  int64  `json:"last_ack_unix_ms"`
	LastSentUnixMS int64  `json:"last_sent_unix_ms"`
	// Forks counts forks of the ledger to a new replica ID (fork.go).
	Forks uint64 `json:"forks"`
	// Master data (master.go): pulls sent, batches applied, batches that
	// did not follow on the stored revision (ignored, pulled again), and
	// batches rejected by reason (also counted in Rejected).
	MasterPulls    uint64            `json:"master_pulls_sent"`
	MasterBatches  uint64            `json:"master_batches_applied"`
	MasterIgnored  uint64            `json:"master_batches_ignored"`
	MasterRejected map[string]uint64 `json:"master_rejected,omitempty"`
	// MasterProfilesIgnored counts device profile records applied by an
	// agent without Options.Profiles (stored, not written out).
	MasterProfilesIgnored uint64 `json:"master_profiles_ignored"`
}

// Client syncs one ledger. Run drives it; the other methods are safe for
// concurrent use.
type Client struct {
	l    agent.Ledger
	opts Options
	log  *slog.Logger

	connected atomic.Bool
	stats     struct {
		connects, batches, events, resends, acks, peers, pulls, rejected, forks atomic.Uint64
		lastAck, lastSent                                                       atomic.Int64
	}
	paused atomic.Bool
	kick   chan struct{}
	master masterStats
}

// New returns a client for l; call Run to start it.
func New(l agent.Ledger, opts Options) *Client {
	opts.setDefaults(l.Replica())
	return &Client{l: l, opts: opts, log: opts.Logger.With("component", "sync", "replica", l.Replica().String()), kick: make(chan struct{}, 1)}
}

// Connected reports whether the client has a live broker connection.
func (c *Client) Connected() bool { return c.connected.Load() }

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	s := &c.stats
	return Stats{Connects: s.connects.Load(), BatchesSent: s.batches.Load(), EventsSent: s.events.Load(),
		Resends: s.resends.Load(), AcksReceived: s.acks.Load(), PeerEvents: s.peers.Load(),
		PullsSent: s.pulls.Load(), Rejected: s.rejected.Load(), LastAckUnixMS: s.lastAck.Load(), LastSentUnixMS: s.lastSent.Load(),
		Forks: s.forks.Load(), MasterPulls: c.master.pulls.Load(), MasterBatches: c.master.applied.Load(),
		MasterIgnored: c.master.ignored.Load(), MasterRejected: c.master.rejections(),
		MasterProfilesIgnored: c.master.profilesIgnored.Load()}
}

// SetOffline cuts the link (true) or lets it come back (false), as a site
// that loses its network would; recording goes on either way.
func (c *Client) SetOffline(off bool) {
	c.paused.Store(off)
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Offline reports whether the link was cut with SetOffline.
func (c *Client) Offline() bool { return c.paused.Load() }

// inbound is a message handed from paho's goroutines to the session loop.
type inbound struct {
	topic   string
	payload []byte
}

// Run connects, syncs, and reconnects with exponential backoff until ctx is
// done. It returns nil when ctx is cancelled.
func (c *Client) Run(ctx context.Context) error {
	mqttx.Loop(ctx, c.log, c.opts.MaxBackoff, func(ctx context.Context) error {
		for c.paused.Load() && ctx.Err() == nil {
			c.waitKick(ctx, time.Hour)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		for {
			// After a fork the ledger has a new replica ID: connect again
			// at once, under its topics.
			if err := c.session(ctx); !errors.Is(err, errForked) {
				return err
			}
		}
	}, c.waitKick)
	return nil
}

func (c *Client) waitKick(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-c.kick:
	}
}

// masterTopics are the topics of master data: where this replica pulls,
// where the cloud answers it, where it pushes to the site.
func (c *Client) masterTopics() (pull, own, site string) {
	t, s, r := c.opts.Tenant, c.l.Site(), c.l.Replica()
	return syncproto.UpMasterPull(t, s, r), syncproto.ReplicaDownMaster(t, s, r), syncproto.DownMaster(t, s)
}

func (c *Client) topics() (up, status, pull, ack, siteDown, ownDown string) {
	t, s, r := c.opts.Tenant, c.l.Site(), c.l.Replica()
	return syncproto.UpEvents(t, s, r), syncproto.UpStatus(t, s, r), syncproto.UpPull(t, s, r),
		syncproto.DownAck(t, s, r), syncproto.SiteDownEvents(t, s), syncproto.ReplicaDownEvents(t, s, r)
}

// session runs one broker connection until it is lost or ctx is done.
func (c *Client) session(ctx context.Context) error {
	up, statusTopic, pullTopic, ackTopic, siteDown, ownDown := c.topics()
	masterPull, ownMaster, siteMaster := c.masterTopics()
	ms, hasMaster := c.l.(agent.MasterStore)
	in := make(chan inbound, 256)
	peers := make(chan []byte, 64)
	masters := make(chan []byte, 64)
	will, err := c.status(false)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// paho calls handler from its own goroutine; it must never block past
	// the end of this session. A persistent session delivers what the broker
	// queued right after CONNACK, before our SUBSCRIBE is answered, so the
	// handler is also the default one and its consumers run from the start.
	handler := func(_ paho.Client, m paho.Message) {
		if m.Topic() == ackTopic {
			select {
			case in <- inbound{m.Topic(), m.Payload()}:
			case <-sctx.Done():
			}
			return
		}
		if t := m.Topic(); t == ownMaster || t == siteMaster {
			select {
			case masters <- m.Payload():
			case <-sctx.Done():
			}
			return
		}
		select {
		case peers <- m.Payload():
		case <-sctx.Done():
		}
	}
	cl, lost := mqttx.NewClient(mqttx.Options{Broker: c.opts.Broker, ClientID: c.opts.ClientID,
		Handler: handler, WillTopic: statusTopic, WillPayload: will})
	// Consumers run before connecting: a persistent session delivers what
	// the broker queued right after CONNACK.
	wg.Add(1)
	go func() { defer wg.Done(); c.applyPeers(sctx, cl, pullTopic, peers) }()
	mp := &masterPuller{c: c, cl: cl, topic: masterPull}
	if hasMaster {
		wg.Add(1)
		go func() { defer wg.Done(); mp.run(sctx, ms, masters) }()
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
	if err := mqttx.Connect(cl); err != nil {
		return err
	}
	connected = true
	c.connected.Store(true)
	defer c.connected.Store(false)
	c.stats.connects.Add(1)

	// Subscribe on every connect (the broker may have lost the session),
	// and upload only once the broker has confirmed: acks need it.
	filters := map[string]byte{ackTopic: 1, siteDown: 1, ownDown: 1}
	if hasMaster {
		filters[ownMaster], filters[siteMaster] = 1, 1
	}
	sub := cl.SubscribeMultiple(filters, handler)
	subDone := sub.Done()
	subscribed := false
	subDeadline := time.Now().Add(30 * time.Second)

	// The upload window: everything above acked up to sent has been
	// published; inflight lists those batches' last seqs in order.
	acked := c.l.AckedSeq()
	sent := acked
	if acked > 0 {
		// Send the last acked event again on every connect: its ack
		// carries the cloud's watermark, so a ledger restored from a
		// backup (the cloud holds later seqs of this replica) finds out
		// now and forks before it records anything (fork.go), instead of
		// at its next record. It costs one duplicate event per connect.
		sent = acked - 1
	}
	var inflight []uint64
	progress := time.Now()
	var lastRewind time.Time
	var acks ackRanges // batches answered ahead of a gap (acks may come out of order)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	pullTick := time.NewTicker(c.opts.PullInterval)
	defer pullTick.Stop()
	statusTick := time.NewTicker(c.opts.StatusInterval)
	defer statusTick.Stop()

	for {
		// Fill the window from the ledger. Reading never blocks recording:
		// the ledger serves reads from its own connections.
		for subscribed && len(inflight) < c.opts.MaxInFlight && sent < c.l.LastSeq() {
			evs, err := c.l.Events(ctx, sent+1, c.opts.MaxBatchEvents, syncproto.MaxBatchBody)
			if err != nil {
				return fmt.Errorf("read ledger: %w", err)
			}
			if len(evs) == 0 {
				break
			}
			raws := make([][]byte, len(evs))
			for i := range evs {
				raws[i] = evs[i].Raw
			}
			// The ledger stops at MaxBatchBody bytes of bodies; each event's
			// framing in the batch comes on top, so trim to what encodes.
			n := syncproto.FitBatch(raws)
			evs, raws = evs[:n], raws[:n]
			wire, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: c.opts.Tenant, Site: c.l.Site(), Replica: c.l.Replica(), From: evs[0].Seq}, raws)
			if err != nil {
				return fmt.Errorf("encode batch %d..: %w", evs[0].Seq, err)
			}
			// Not waiting for PUBACK: the cloud's ack is what counts, and
			// AckTimeout covers a publish that never arrives.
			cl.Publish(up, 1, false, wire)
			sent = evs[len(evs)-1].Seq
			inflight = append(inflight, sent)
			c.stats.batches.Add(1)
			c.stats.events.Add(uint64(len(evs)))
			c.stats.lastSent.Store(time.Now().UnixMilli())
		}
		if len(inflight) == 0 {
			progress = time.Now()
		}

		select {
		case <-ctx.Done():
			c.publishStatus(cl, statusTopic, false)
			return nil
		case err := <-lost:
			return fmt.Errorf("connection lost: %w", err)
		case <-c.kick:
			if c.paused.Load() {
				return errors.New("link cut (offline mode)")
			}
		case <-subDone:
			if err := sub.Error(); err != nil {
				return fmt.Errorf("subscribe: %w", err)
			}
			subDone = nil
			subscribed = true
			c.log.Info("sync connected", "broker", c.opts.Broker)
			c.publishStatus(cl, statusTopic, true)
			c.pull(cl, pullTopic)
			if hasMaster {
				mp.pull() // on every connect: never rely on what the broker queued
			}
		case <-c.l.Notify():
		case <-tick.C:
			if !subscribed && time.Now().After(subDeadline) {
				return errors.New("subscribe: no answer from the broker in 30s")
			}
			if len(inflight) > 0 && time.Since(progress) > c.opts.AckTimeout {
				c.log.Warn("no ack progress; sending again from the watermark", "acked", acked, "sent", sent)
				sent, inflight, progress = acked, nil, time.Now()
				c.stats.resends.Add(1)
			}
		case <-pullTick.C:
			c.pull(cl, pullTopic)
		case <-statusTick.C:
			c.publishStatus(cl, statusTopic, true)
		case m := <-in:
			var a pb.Ack
			if err := syncproto.Decode(m.payload, &a); err != nil || syncproto.ReplicaID(a.GetReplica()) != c.l.Replica() {
				c.stats.rejected.Add(1)
				c.log.Warn("ack rejected", "err", err, "replica", fmt.Sprintf("%016x", a.GetReplica()))
				continue
			}
			c.stats.acks.Add(1)
			c.stats.lastAck.Store(time.Now().UnixMilli())
			last := c.l.LastSeq()
			if w := acks.verified(&a, acked, last); w > acked {
				if err := c.l.SetAcked(ctx, w); err != nil {
					return fmt.Errorf("store watermark: %w", err)
				}
				acked, progress = w, time.Now()
				for len(inflight) > 0 && inflight[0] <= acked {
					inflight = inflight[1:]
				}
				if sent < acked {
					sent = acked
				}
			}
			// The cloud holds events of our replica ID that we do not:
			// fork, or resend what is not yet known equal (fork.go).
			switch seq, reason, ok := forkPoint(&a, acked, last); {
			case ok:
				return c.fork(ctx, cl, seq, reason, statusTopic, ackTopic, ownDown, ownMaster)
			case a.GetConflictSeq() != 0 && time.Since(lastRewind) > time.Second:
				sent, inflight, lastRewind = acked, nil, time.Now()
				c.stats.resends.Add(1)
				continue
			}
			// The cloud saw a gap: send again from the watermark, at most
			// once a second (batches still in flight may fill it anyway).
			if r := a.GetResendFrom(); r > 0 && r <= sent && time.Since(lastRewind) > time.Second {
				sent, inflight, lastRewind = r-1, nil, time.Now()
				c.stats.resends.Add(1)
			}
		}
	}
}

// applyPeers merges the site's other replicas' events, pulling again when it
// finds a gap.
func (c *Client) applyPeers(ctx context.Context, cl paho.Client, pullTopic string, peers <-chan []byte) {
	var lastPull time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case wire := <-peers:
			b, err := syncproto.DecodeBatch(wire)
			if err != nil {
				c.stats.rejected.Add(1)
				c.log.Warn("peer batch rejected", "err", err)
				continue
			}
			if b.Replica == c.l.Replica() {
				continue // our own events coming back
			}
			if b.Site != c.l.Site() {
				c.stats.rejected.Add(1)
				c.log.Warn("peer batch of another site rejected", "site", b.Site)
				continue
			}
			have := c.l.PeerVV()[b.Replica]
			n, err := c.l.ApplyPeer(ctx, b.Events)
			if err != nil {
				c.log.Warn("apply peer events", "err", err)
				continue
			}
			c.stats.peers.Add(uint64(n))
			if b.From > have+1 && time.Since(lastPull) > time.Second {
				lastPull = time.Now()
				c.pull(cl, pullTopic)
			}
		}
	}
}

func (c *Client) pull(cl paho.Client, topic string) {
	wire, err := syncproto.Encode(&pb.Pull{Replica: uint64(c.l.Replica()), Have: c.l.PeerVV().PB()})
	if err != nil {
		c.log.Error("encode pull", "err", err)
		return
	}
	cl.Publish(topic, 1, false, wire)
	c.stats.pulls.Add(1)
}

func (c *Client) status(online bool) ([]byte, error) {
	s := &pb.Status{Replica: uint64(c.l.Replica()), Site: c.l.Site(), Online: online,
		LastSeq: c.l.LastSeq(), AckedSeq: c.l.AckedSeq(), TimeMs: time.Now().UnixMilli()}
	if f, ok := c.lastFork(); ok {
		s.ForkedFrom, s.ForkSeq = uint64(f.Old), f.Seq
	}
	if ms, ok := c.l.(agent.MasterStore); ok {
		s.MasterRev = ms.MasterRev()
	}
	if c.opts.Devices != nil {
		s.Devices = c.opts.Devices()
	}
	return syncproto.Encode(s)
}

func (c *Client) publishStatus(cl paho.Client, topic string, online bool) {
	wire, err := c.status(online)
	if err != nil {
		c.log.Error("encode status", "err", err)
		return
	}
	t := cl.Publish(topic, 1, true, wire)
	if !online {
		t.WaitTimeout(time.Second)
	}
}
