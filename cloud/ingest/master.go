package ingest

import (
	"context"
	"errors"
	"fmt"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// MasterSource is what ingest needs of cloud/master (*master.Service) to
// answer master pulls.
type MasterSource interface {
	After(ctx context.Context, tenant, site string, rev uint64, limit int) (master.Page, error)
}

// ErrNotConnected means ingest has no broker connection to publish on.
var ErrNotConnected = errors.New("ingest not connected to the broker")

// handleMasterPull answers a replica's MasterPull on its own down/master
// topic: every current record for its site after the revision it holds,
// page by page (Options.MasterPageRecords) in batches that fit the wire
// limit, the last one complete. After Options.MaxMasterPages pages it stops
// with a batch that is not complete; the agent pulls again.
func (in *Ingest) handleMasterPull(ctx context.Context, cl paho.Client, t syncproto.Topic, m message) {
	var p pb.MasterPull
	if err := syncproto.Decode(m.payload, &p); err != nil {
		in.reject(rejectReason(err), m.topic, err)
		return
	}
	if syncproto.ReplicaID(p.GetReplica()) != t.Replica {
		in.reject(RejectAddress, m.topic, fmt.Errorf("master pull says replica %016x", p.GetReplica()))
		return
	}
	if p.GetAfterRev() > syncproto.MaxMasterRev {
		in.reject(RejectMalformed, m.topic, fmt.Errorf("master pull after revision %d", p.GetAfterRev()))
		return
	}
	in.masterPulls.Add(1)
	in.sawSite(t.Tenant, t.Site)
	to := syncproto.ReplicaDownMaster(t.Tenant, t.Site, t.Replica)
	after := p.GetAfterRev()
	for range in.opts.MaxMasterPages {
		page, err := in.opts.Master.After(ctx, t.Tenant, t.Site, after, in.opts.MasterPageRecords)
		switch {
		case errors.Is(err, cloud.ErrInvalid):
			in.reject(RejectMalformed, m.topic, err)
			return
		case err != nil:
			in.reject(RejectStore, m.topic, err)
			return
		}
		if err := in.publishMaster(cl, to, t.Tenant, t.Site, after, page.UpTo, page.Records, page.Complete); err != nil {
			in.log.Error("publish master batch", "topic", to, "err", err)
			return
		}
		if page.Complete {
			return
		}
		after = page.UpTo
	}
}

// PushMaster publishes records just stored by one master.Service.Put (so
// their revisions are consecutive) to the online agents of the sites they
// are addressed to, on each site's down/master: a record for every site
// goes to every site of the tenant this process knows (from the stored
// replicas and from the master pulls it answered). An agent that misses a
// push (offline, or the broker dropped it) finds the gap at the next batch
// or connect and pulls. It returns ErrNotConnected without a broker
// connection.
func (in *Ingest) PushMaster(ctx context.Context, tenant string, recs []master.Record) error {
	if len(recs) == 0 {
		return nil
	}
	cl := in.client()
	if cl == nil {
		return ErrNotConnected
	}
	sites := map[string]bool{}
	all := false
	for _, r := range recs {
		if r.Site == "" {
			all = true
		} else {
			sites[r.Site] = true
		}
	}
	if all {
		reps, err := in.store.Replicas(ctx, tenant, "")
		if err != nil {
			return fmt.Errorf("push master: %w", err)
		}
		for _, r := range reps {
			sites[r.Site] = true
		}
		in.mu.Lock()
		for s := range in.sites[tenant] {
			sites[s] = true
		}
		in.mu.Unlock()
	}
	from, to := recs[0].Rev-1, recs[len(recs)-1].Rev
	for site := range sites {
		var mine []master.Record
		for _, r := range recs {
			if r.Site == "" || r.Site == site {
				mine = append(mine, r)
			}
		}
		if err := in.publishMaster(cl, syncproto.DownMaster(tenant, site), tenant, site, from, to, mine, true); err != nil {
			return fmt.Errorf("push master: %w", err)
		}
	}
	return nil
}

// publishMaster publishes recs (revisions in (from, upTo], in order) as
// consecutive master batches that each fit the wire limit: each starts
// where the previous ended, the last ends at upTo and is complete if
// complete is.
func (in *Ingest) publishMaster(cl paho.Client, topic, tenant, site string, from, upTo uint64, recs []master.Record, complete bool) error {
	pbs := make([]*pb.MasterRecord, len(recs))
	for i, r := range recs {
		pbs[i] = r.PB()
	}
	for {
		n := syncproto.FitMasterBatch(pbs)
		b := &pb.MasterBatch{Tenant: tenant, Site: site, FromRev: from, Records: pbs[:n]}
		last := n == len(pbs)
		if last {
			b.ToRev, b.Complete = upTo, complete
		} else {
			b.ToRev = pbs[n-1].GetRevision()
		}
		wire, err := syncproto.EncodeMasterBatch(b)
		if err != nil {
			return err
		}
		cl.Publish(topic, 1, false, wire)
		in.masterSent.Add(uint64(n))
		if last {
			return nil
		}
		from, pbs = b.ToRev, pbs[n:]
	}
}

// sawSite remembers a site that asked for master data, so PushMaster
// reaches it before it has stored any event.
func (in *Ingest) sawSite(tenant, site string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.sites == nil {
		in.sites = make(map[string]map[string]bool)
	}
	if in.sites[tenant] == nil {
		in.sites[tenant] = make(map[string]bool)
	}
	in.sites[tenant][site] = true
}

// client returns the current session's broker client, nil between
// sessions.
func (in *Ingest) client() paho.Client {
	if p := in.cl.Load(); p != nil {
		return *p
	}
	return nil
}

// PushEvents publishes events the cloud wrote as its own replica of a
// site (syncproto.CloudReplica) to the site's agents on down/events, as
// the events of a peer replica; an agent offline now pulls them later.
func (in *Ingest) PushEvents(ctx context.Context, tenant string, evs []syncproto.Event) error {
	cl := in.client()
	if cl == nil {
		return ErrNotConnected
	}
	for len(evs) > 0 {
		n := 1
		for n < len(evs) && evs[n].Replica == evs[0].Replica {
			n++
		}
		in.forward(cl, syncproto.SiteDownEvents(tenant, evs[0].Site), tenant, evs[0].Site, evs[0].Replica, evs[:n])
		evs = evs[n:]
	}
	return nil
}
