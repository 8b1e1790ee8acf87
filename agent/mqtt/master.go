package mqtt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/agent"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Reasons a master batch is rejected, as counted in Stats.MasterRejected.
const (
	MasterRejectMalformed = "malformed"
	MasterRejectTooLarge  = "too_large"
	MasterRejectVersion   = "no_version"
	// MasterRejectTenant and MasterRejectSite: a batch that names another
	// tenant or site than this agent's (misaddressed).
	MasterRejectTenant = "wrong_tenant"
	MasterRejectSite   = "wrong_site"
	// MasterRejectRevisions: the ledger refused the batch's revision
	// range. (A record that breaks its kind's rules does not refuse its
	// batch: the ledger skips it and counts it in its own stats,
	// MasterSkipped.)
	MasterRejectRevisions = "bad_revisions"
	MasterRejectStore     = "store_error"
	// MasterRejectProfile: the device profiles of an applied batch would
	// make a folder that firmware-configs refuses (the folder is kept as
	// it was). A profile invalid on its own is skipped by the ledger.
	MasterRejectProfile = "invalid_profile"
	// MasterRejectProfileWrite: writing the profiles out failed (a full
	// disk); the next batch with profiles tries again.
	MasterRejectProfileWrite = "profile_error"
)

// Pacing of master pulls: at most one per masterPullGap, and one more when
// a batch said more follow and none came for masterStallAfter.
const (
	masterPullGap    = time.Second
	masterStallAfter = 5 * time.Second
)

// masterStats are the client's master-data counters.
type masterStats struct {
	pulls, applied, ignored atomic.Uint64
	profilesIgnored         atomic.Uint64
	mu                      sync.Mutex
	rejected                map[string]uint64
}

func (s *masterStats) reject(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejected == nil {
		s.rejected = make(map[string]uint64)
	}
	s.rejected[reason]++
}

func (s *masterStats) rejections() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.rejected) == 0 {
		return nil
	}
	out := make(map[string]uint64, len(s.rejected))
	for k, v := range s.rejected {
		out[k] = v
	}
	return out
}

// masterPuller keeps one session's master data current: it pulls after
// connect, after a batch that does not follow on the stored revision (a
// gap: a push or an answer was lost, or the agent was behind), when a
// batch announced more that never came, and every Options.PullInterval
// (pushes reach only the sites the answering cloud process knows, and the
// broker may drop them). Every batch is checked (codec,
// tenant, site, then the ledger's rules) before it can change anything.
type masterPuller struct {
	c     *Client
	cl    paho.Client
	topic string

	mu       sync.Mutex
	lastPull time.Time
	pending  bool // a pull was wanted within masterPullGap of the last
}

// pull asks the cloud for the master records after the stored revision.
func (p *masterPuller) pull() {
	ms, ok := p.c.l.(agent.MasterStore)
	if !ok {
		return
	}
	p.mu.Lock()
	p.lastPull, p.pending = time.Now(), false
	p.mu.Unlock()
	wire, err := syncproto.Encode(&pb.MasterPull{Replica: uint64(p.c.l.Replica()), AfterRev: ms.MasterRev()})
	if err != nil {
		p.c.log.Error("encode master pull", "err", err)
		return
	}
	p.cl.Publish(p.topic, 1, false, wire)
	p.c.master.pulls.Add(1)
}

// pullSoon pulls now, or once masterPullGap has passed since the last pull.
func (p *masterPuller) pullSoon() {
	p.mu.Lock()
	wait := time.Since(p.lastPull) < masterPullGap
	if wait {
		p.pending = true
	}
	p.mu.Unlock()
	if !wait {
		p.pull()
	}
}

// maxMasterAhead bounds the batches held back after a gap.
const maxMasterAhead = 64

// run applies the batches of in. paho hands messages to the handler in a
// goroutine each, so batches of one answer may arrive out of order: one
// that starts beyond the stored revision is held back (up to
// maxMasterAhead) and applied once the batches before it are; only a gap
// that lasts masterPullGap makes it pull again.
func (p *masterPuller) run(ctx context.Context, ms agent.MasterStore, in <-chan []byte) {
	tick := time.NewTicker(masterPullGap / 2)
	defer tick.Stop()
	every := time.NewTicker(p.c.opts.PullInterval)
	defer every.Stop()
	more := false // the last batch applied said more follow
	lastApplied := time.Now()
	ahead := make(map[uint64]*pb.MasterBatch) // by from_rev
	var gapSince time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-every.C:
			p.pullSoon()
		case <-tick.C:
			p.mu.Lock()
			due := p.pending && time.Since(p.lastPull) >= masterPullGap
			p.mu.Unlock()
			if !gapSince.IsZero() && time.Since(gapSince) >= masterPullGap {
				due, gapSince = true, time.Now()
			}
			if due || (more && time.Since(lastApplied) > masterStallAfter) {
				more = false
				p.pull()
			}
		case wire := <-in:
			b, ok := p.check(wire)
			if !ok {
				continue
			}
			for b != nil {
				applied, err := ms.ApplyMaster(ctx, b)
				if err != nil {
					reason := MasterRejectStore
					switch {
					case errors.Is(err, agent.ErrInvalid):
						reason = MasterRejectRevisions
					case errors.Is(err, agent.ErrWrongSite):
						reason = MasterRejectSite
					}
					p.rejected(reason, err)
					break
				}
				rev := ms.MasterRev()
				if !applied {
					p.c.master.ignored.Add(1)
					if b.GetToRev() > rev {
						// A gap: something before it is missing.
						if b.GetFromRev() > rev && len(ahead) < maxMasterAhead {
							ahead[b.GetFromRev()] = b
						}
						if gapSince.IsZero() {
							gapSince = time.Now()
						}
					}
					break
				}
				p.c.master.applied.Add(1)
				p.profiles(ctx, b)
				more, lastApplied = !b.GetComplete(), time.Now()
				for from, h := range ahead {
					if h.GetToRev() <= rev || from < rev {
						delete(ahead, from)
					}
				}
				b = ahead[rev]
				delete(ahead, rev)
				if len(ahead) == 0 {
					gapSince = time.Time{}
				}
			}
		}
	}
}

// profiles hands an applied batch's device profiles to Options.Profiles.
func (p *masterPuller) profiles(ctx context.Context, b *pb.MasterBatch) {
	n := 0
	for _, r := range b.GetRecords() {
		if r.GetKind() == syncproto.KindDeviceProfile {
			n++
		}
	}
	if n == 0 {
		return
	}
	if p.c.opts.Profiles == nil {
		p.c.master.profilesIgnored.Add(uint64(n))
		return
	}
	if err := p.c.opts.Profiles(ctx); err != nil {
		reason := MasterRejectProfileWrite
		if errors.Is(err, profiles.ErrInvalid) {
			reason = MasterRejectProfile
		}
		p.c.master.reject(reason)
		p.c.stats.rejected.Add(1)
		p.c.log.Warn("device profiles from the cloud not written; the folder is kept as it was", "reason", reason, "err", err)
	}
}

// check decodes a master batch and verifies it is addressed to this agent.
func (p *masterPuller) check(wire []byte) (*pb.MasterBatch, bool) {
	b, err := syncproto.DecodeMasterBatch(wire)
	switch {
	case errors.Is(err, syncproto.ErrTooLarge):
		p.rejected(MasterRejectTooLarge, err)
	case errors.Is(err, syncproto.ErrVersion):
		p.rejected(MasterRejectVersion, err)
	case err != nil:
		p.rejected(MasterRejectMalformed, err)
	case b.GetTenant() != p.c.opts.Tenant:
		p.rejected(MasterRejectTenant, errors.New("batch of tenant "+b.GetTenant()))
	case b.GetSite() != p.c.l.Site():
		p.rejected(MasterRejectSite, errors.New("batch of site "+b.GetSite()))
	default:
		return b, true
	}
	return nil, false
}

func (p *masterPuller) rejected(reason string, err error) {
	p.c.master.reject(reason)
	p.c.stats.rejected.Add(1)
	p.c.log.Warn("master batch rejected", "reason", reason, "err", err)
}

// WriteMetrics writes the client's counters in Prometheus text format, for
// the agent's /metrics: the link, batches and events sent, messages
// rejected, master batches applied and rejected by reason.
func (c *Client) WriteMetrics(w io.Writer) {
	s := c.Stats()
	conn := 0
	if c.Connected() {
		conn = 1
	}
	fmt.Fprintf(w, "# TYPE jxc_agent_sync_connected gauge\njxc_agent_sync_connected %d\n", conn)
	for _, m := range []struct {
		name string
		v    uint64
	}{{"sync_batches_sent_total", s.BatchesSent}, {"sync_events_sent_total", s.EventsSent},
		{"sync_rejected_messages_total", s.Rejected}, {"master_batches_applied_total", s.MasterBatches}} {
		fmt.Fprintf(w, "# TYPE jxc_agent_%s counter\njxc_agent_%s %d\n", m.name, m.name, m.v)
	}
	fmt.Fprintf(w, "# HELP jxc_agent_master_batches_rejected_total Master batches refused whole, by reason.\n")
	fmt.Fprintf(w, "# TYPE jxc_agent_master_batches_rejected_total counter\n")
	reasons := make([]string, 0, len(s.MasterRejected))
	for r := range s.MasterRejected {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "jxc_agent_master_batches_rejected_total{reason=%q} %d\n", r, s.MasterRejected[r])
	}
}
