package mqtt

import (
	"context"
	"errors"
	"fmt"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// errForked ends a session after the ledger forked to a new replica ID;
// Run starts the next one at once, under the new ID's topics.
var errForked = errors.New("ledger forked to a new replica ID")

// verifiedSeq returns how far the ack shows the cloud to hold exactly our
// events, at most last. An ack of a current cloud names the batch it
// answers (from_seq, to_seq): the batch's events before any conflict are
// stored as we sent them, and everything up to acked was known before, so
// when the batch starts at or below acked+1 the cloud holds ours up to its
// end (or the conflict). Its watermark alone proves nothing: seqs the cloud
// has above our last one, or that another ledger with our replica ID sent,
// are not ours. An ack of an older cloud (no to_seq) is trusted up to last,
// as before.
func verifiedSeq(a *pb.Ack, acked, last uint64) uint64 {
	w := a.GetWatermark()
	if a.GetToSeq() != 0 {
		if a.GetFromSeq() > acked+1 {
			return acked
		}
		end := a.GetToSeq()
		if cs := a.GetConflictSeq(); cs != 0 {
			end = cs - 1
		}
		w = min(w, end)
	}
	if w > last {
		return acked
	}
	return w
}

// forkPoint decides whether the replica must fork after an ack, and at
// which seq: the last one known equal in the cloud. acked is the verified
// seq after the ack. A conflict at seq s forks at s-1 once everything below
// s is verified (until then the caller resends from acked+1, which the
// cloud checks). A watermark above our last seq means the cloud has events
// of our ID that we never wrote (a restored ledger); we fork at last once
// all of ours are verified.
func forkPoint(a *pb.Ack, acked, last uint64) (seq uint64, reason string, ok bool) {
	if cs := a.GetConflictSeq(); cs != 0 {
		if acked+1 >= cs {
			return acked, fmt.Sprintf("the cloud stores seq %d of this replica with another body", cs), true
		}
		return 0, "", false
	}
	if w := a.GetWatermark(); w > last && acked == last {
		return last, fmt.Sprintf("the cloud holds seqs up to %d of this replica, the ledger only up to %d", w, last), true
	}
	return 0, "", false
}

// fork forks the ledger at seq, stops listening under the old replica ID,
// leaves its retained status offline and returns errForked. A ledger that
// cannot fork must not be written under this ID any more: the client then
// stops syncing (every session ends here again) and says so loudly.
func (c *Client) fork(ctx context.Context, cl paho.Client, seq uint64, reason string, oldStatus string, oldTopics ...string) error {
	f, ok := c.l.(agent.Forker)
	if !ok {
		c.log.Error("the cloud holds other events under this replica ID and this ledger cannot fork: sync stopped; "+
			"restore the latest data folder or start the agent with an empty one", "reason", reason)
		return fmt.Errorf("replica ID in conflict (%s) and the ledger cannot fork", reason)
	}
	old := c.l.Replica()
	fk, err := f.Fork(ctx, seq, reason)
	if err != nil {
		return fmt.Errorf("fork at seq %d: %w", seq, err)
	}
	c.stats.forks.Add(1)
	c.log.Error("replica forked: this ledger and the cloud disagreed on its replica ID's events (restored from a backup?); "+
		"its later events are written again under a new ID",
		"old_replica", fk.Old.String(), "new_replica", fk.New.String(), "fork_seq", fk.Seq, "moved", fk.Moved, "reason", reason)
	cl.Unsubscribe(oldTopics...).WaitTimeout(time.Second)
	if wire, err := syncproto.Encode(&pb.Status{Replica: uint64(old), Site: c.l.Site(), Online: false,
		LastSeq: seq, AckedSeq: seq, TimeMs: time.Now().UnixMilli()}); err == nil {
		cl.Publish(oldStatus, 1, true, wire).WaitTimeout(time.Second)
	}
	return errForked
}

// lastFork returns the ledger's latest fork, if it can fork and did.
func (c *Client) lastFork() (agent.Fork, bool) {
	if f, ok := c.l.(agent.Forker); ok {
		return f.LastFork()
	}
	return agent.Fork{}, false
}
