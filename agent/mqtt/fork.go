package mqtt

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// errForked ends a session after the ledger forked to a new replica ID;
// Run starts the next one at once, under the new ID's topics.
var errForked = errors.New("ledger forked to a new replica ID")

// ackRanges verifies acks against this replica's events. An ack of a
// current cloud names the batch it answers (from_seq, to_seq): the batch's
// events before any conflict are stored as we sent them. A seq is verified
// when every seq up to it is in such a batch (or was verified before), so
// a watermark alone proves nothing: seqs the cloud has above our last one,
// or that another ledger with our replica ID sent, are not ours. Acks may
// arrive out of order (paho runs the client's message handler in a
// goroutine per message, so the order of arrival is not kept; found by
// BenchmarkSyncEndToEnd on PostgreSQL, which fell to ~500 movements/s when
// an ack overtaken by the next one stalled verification until the ack
// timeout), so a batch answered ahead of a gap is kept until the batches
// before it are answered. An ack of an older cloud (no to_seq) is
// trusted up to last, as before. The zero value is ready.
type ackRanges struct {
	pending [][2]uint64 // answered batches above the verified seq: [from, end]
}

// maxPendingAcks bounds the answered batches kept ahead of a gap; the
// client keeps 8 batches in flight, a resend adds as many again.
const maxPendingAcks = 64

// verified returns the verified seq after ack a, given acked (verified so
// far) and last (our last seq).
func (v *ackRanges) verified(a *pb.Ack, acked, last uint64) uint64 {
	if a.GetToSeq() == 0 {
		if w := a.GetWatermark(); w > acked && w <= last {
			return w
		}
		return acked
	}
	end := a.GetToSeq()
	if cs := a.GetConflictSeq(); cs != 0 {
		end = cs - 1
	}
	if from := a.GetFromSeq(); from > 0 && end >= from && end > acked && a.GetToSeq() <= last {
		v.pending = append(v.pending, [2]uint64{from, end})
	}
	slices.SortFunc(v.pending, func(x, y [2]uint64) int { return cmp.Compare(x[0], y[0]) })
	keep := v.pending[:0]
	for _, r := range v.pending {
		if r[0] <= acked+1 && r[1] > acked {
			acked = r[1]
		}
		if r[1] > acked {
			keep = append(keep, r)
		}
	}
	v.pending = keep
	if n := len(v.pending); n > maxPendingAcks {
		v.pending = v.pending[n-maxPendingAcks:]
	}
	return acked
}

// verifiedSeq is ackRanges.verified for one ack alone.
func verifiedSeq(a *pb.Ack, acked, last uint64) uint64 {
	var v ackRanges
	return v.verified(a, acked, last)
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
