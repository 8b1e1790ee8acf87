package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// handleStatus stores a replica's status (up/status, retained) as its
// latest: online, sync position, master revision, device health. A
// malformed status, or one naming another replica or site than its topic,
// is rejected and counted.
func (in *Ingest) handleStatus(ctx context.Context, t syncproto.Topic, m message) {
	ss, ok := in.store.(cloud.StatusStore)
	if !ok {
		in.reject(RejectTopic, m.topic, fmt.Errorf("this cloud keeps no statuses"))
		return
	}
	if len(m.payload) == 0 {
		return // a cleared retained message
	}
	s, err := syncproto.DecodeStatus(m.payload)
	if err != nil {
		in.reject(rejectReason(err), m.topic, err)
		return
	}
	if syncproto.ReplicaID(s.GetReplica()) != t.Replica || s.GetSite() != t.Site {
		in.reject(RejectAddress, m.topic, fmt.Errorf("status of replica %s at %q on the topic of %s at %q",
			syncproto.ReplicaID(s.GetReplica()), s.GetSite(), t.Replica, t.Site))
		return
	}
	st := cloud.ReplicaStatus{Tenant: t.Tenant, Site: t.Site, Replica: t.Replica.String(), Online: s.GetOnline(),
		LastSeq: s.GetLastSeq(), AckedSeq: s.GetAckedSeq(), MasterRev: s.GetMasterRev(),
		ReportedAt: time.UnixMilli(s.GetTimeMs()).UTC(), ReceivedAt: time.Now().UTC()}
	for _, d := range s.GetDevices() {
		ds := cloud.DeviceStatus{Device: d.GetDevice(), Kind: d.GetKind(), Connected: d.GetConnected(), Error: d.GetError(),
			ClockOffsetMS: d.GetClockOffsetMs(), ClockSkewed: d.GetClockSkewed()}
		if ms := d.GetLastEventMs(); ms > 0 {
			ds.LastEventAt = time.UnixMilli(ms).UTC()
		}
		st.Devices = append(st.Devices, ds)
	}
	if err := ss.PutStatus(ctx, st); err != nil {
		in.reject(RejectStore, m.topic, err)
	}
}
