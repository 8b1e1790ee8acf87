package ingest

import (
	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// rejectConflict counts and logs a batch the store refused from
// applied.Conflict on (cloud.ErrConflict): two ledgers write under one
// replica ID, typically one restored from a backup. It is logged at error
// level: someone must look at that site. The events before the conflict
// were stored and are acked and forwarded as usual; the ack names the
// conflict, and the replica forks to a new ID when it reads it.
func (in *Ingest) rejectConflict(topic string, b *syncproto.Batch, applied cloud.Applied, err error) {
	in.mu.Lock()
	in.rejected[RejectConflict]++
	in.mu.Unlock()
	in.log.Error("batch conflicts with stored events: two ledgers write under one replica ID",
		"reason", RejectConflict, "topic", topic, "replica", b.Replica.String(), "from", b.From, "to", b.To,
		"conflict_seq", applied.Conflict, "watermark", applied.Watermark, "err", err)
}
