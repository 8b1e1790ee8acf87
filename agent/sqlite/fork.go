package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

var _ agent.Forker = (*Ledger)(nil)

// forkRequest is what Fork asks the writer.
type forkRequest struct {
	seq    uint64
	reason string
	out    agent.Fork
}

// Fork takes a new random replica ID, keeping this replica's events up to
// seq, writing its later ones again under the new ID and making the old ID
// a peer at seq (agent.Forker; DESIGN.md, "Forks"). It runs in one
// transaction of its own through the writer, after the requests queued
// before it; it is durable when it returns. seq above LastSeq gives
// agent.ErrInvalid.
func (l *Ledger) Fork(ctx context.Context, seq uint64, reason string) (agent.Fork, error) {
	r := getRequest()
	r.op, r.ctx, r.fork = opFork, ctx, forkRequest{seq: seq, reason: reason}
	res, err := l.do(ctx, r)
	if err != nil {
		return agent.Fork{}, fmt.Errorf("fork: %w", err)
	}
	l.forkMu.Lock()
	defer l.forkMu.Unlock()
	_ = res
	return *l.lastFork, nil
}

// LastFork returns the ledger's latest fork, if it ever forked.
func (l *Ledger) LastFork() (agent.Fork, bool) {
	l.forkMu.Lock()
	defer l.forkMu.Unlock()
	if l.lastFork == nil {
		return agent.Fork{}, false
	}
	return *l.lastFork, true
}

// loadFork reads the latest fork at open.
func (l *Ledger) loadFork(ctx context.Context, db *sql.DB) error {
	var f agent.Fork
	var old, nw, seq, moved int64
	var at string
	err := db.QueryRowContext(ctx, `SELECT old_replica, new_replica, fork_seq, moved, reason, created_at FROM forks
		WHERE new_replica = (SELECT replica FROM ledger WHERE id = 1)`).Scan(&old, &nw, &seq, &moved, &f.Reason, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("read forks: %w", err)
	}
	f.Old, f.New, f.Seq, f.Moved = syncproto.ReplicaID(old), syncproto.ReplicaID(nw), uint64(seq), uint64(moved)
	f.At, _ = time.Parse(time.RFC3339Nano, at)
	l.lastFork = &f
	return nil
}

// runFork runs a fork request in a transaction of its own and answers it.
// On success the writer's and the ledger's state move to the new replica;
// on failure they are reset to the committed state.
func (w *writer) runFork(r *request) {
	ctx := r.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	f, err := w.fork(ctx, r.fork.seq, r.fork.reason)
	w.keys = make(map[stockKey]*keyState)
	if err != nil {
		w.reset()
	} else {
		l := w.l
		l.forkMu.Lock()
		l.lastFork = &f
		l.forkMu.Unlock()
		l.replica = f.New
		l.rid.Store(uint64(f.New))
		l.acked.Store(0)
		l.lastSeq.Store(w.lastSeq)
		l.vvMu.Lock()
		vv := make(syncproto.VV, len(w.vv))
		for p, s := range w.vv {
			vv[p] = s
		}
		l.peerVV = vv
		l.vvMu.Unlock()
		w.clearScratch()
		select {
		case l.notify <- struct{}{}:
		default:
		}
		l.log.Error("ledger forked to a new replica ID: the cloud holds events of the old one that this ledger does not (restored or copied data folder?)",
			"old_replica", f.Old.String(), "new_replica", f.New.String(), "fork_seq", f.Seq, "moved", f.Moved, "reason", f.Reason)
	}
	r.done <- result{err: err}
}

// fork does the work of runFork in one transaction.
func (w *writer) fork(ctx context.Context, seq uint64, reason string) (f agent.Fork, err error) {
	l := w.l
	old := l.replica
	if seq > w.lastSeq {
		return agent.Fork{}, fmt.Errorf("%w: fork at seq %d beyond the last seq %d", agent.ErrInvalid, seq, w.lastSeq)
	}
	var nw syncproto.ReplicaID
	for nw == 0 || nw == old || w.vv[nw] != 0 {
		if nw, err = syncproto.NewReplicaID(); err != nil {
			return agent.Fork{}, err
		}
	}
	tx, err := w.conn.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return agent.Fork{}, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	exec := func(q string, args ...any) error {
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		_, err := w.conn.ExecContext(ctx, q, nv)
		return err
	}

	// The own events after seq, in order, and the HLC of seq itself (the
	// greatest of what the old ID keeps, for the peers row).
	var moved []eventRow
	var keptHLC int64
	rows, err := w.conn.QueryContext(ctx, `SELECT seq, hlc, kind, key_id, qty, body FROM events WHERE replica = ? AND seq >= ? ORDER BY seq`,
		[]driver.NamedValue{{Ordinal: 1, Value: int64(old)}, {Ordinal: 2, Value: int64(seq)}})
	if err != nil {
		return agent.Fork{}, fmt.Errorf("read own events: %w", err)
	}
	err = scanRows(rows, func(v []driver.Value) error {
		s := uint64(v[0].(int64))
		if s == seq {
			keptHLC = v[1].(int64)
			return nil
		}
		e := eventRow{replica: nw, seq: s - seq, hlc: syncproto.HLC(v[1].(int64)), kind: syncproto.Kind(v[2].(int64)), qty: v[4].(int64)}
		if v[3] != nil {
			e.keyID = v[3].(int64)
		}
		e.raw = append([]byte(nil), v[5].([]byte)...)
		moved = append(moved, e)
		return nil
	})
	if err != nil {
		return agent.Fork{}, fmt.Errorf("read own events: %w", err)
	}
	if err := exec(`DELETE FROM events WHERE replica = ? AND seq > ?`, int64(old), int64(seq)); err != nil {
		return agent.Fork{}, fmt.Errorf("remove own events after %d: %w", seq, err)
	}
	for i := range moved {
		e := &moved[i]
		if e.kind == syncproto.KindCount {
			if e.raw, err = renameCountContext(e.raw, nw, e.seq, l.site, old, seq); err != nil {
				return agent.Fork{}, err
			}
		}
		var keyID any
		if e.keyID != 0 {
			keyID = e.keyID
		}
		if err := exec(`INSERT INTO events (replica, seq, hlc, kind, key_id, qty, body) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			int64(nw), int64(e.seq), int64(e.hlc), int64(e.kind), keyID, e.qty, e.raw); err != nil {
			return agent.Fork{}, fmt.Errorf("write event %s/%d again: %w", nw, e.seq, err)
		}
	}
	// The old ID is a peer from now on: the cloud's copies of its events
	// after seq arrive through pulls, in seq order, like any peer's.
	if err := exec(sqlUpsPeer, int64(old), int64(seq), keptHLC); err != nil {
		return agent.Fork{}, fmt.Errorf("make %s a peer: %w", old, err)
	}
	if err := exec(`UPDATE ledger SET replica = ?, acked_seq = 0 WHERE id = 1`, int64(nw)); err != nil {
		return agent.Fork{}, fmt.Errorf("store new replica: %w", err)
	}
	f = agent.Fork{Old: old, New: nw, Seq: seq, Moved: uint64(len(moved)), Reason: reason, At: time.Now().UTC()}
	if err := exec(`INSERT INTO forks (new_replica, old_replica, fork_seq, moved, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		int64(nw), int64(old), int64(seq), int64(f.Moved), reason, f.At.Format(time.RFC3339Nano)); err != nil {
		return agent.Fork{}, fmt.Errorf("record fork: %w", err)
	}
	// Counts' winners may differ now (renamed contexts, another replica
	// breaking ties): on-hand is recomputed from the events.
	w.lastSeq = uint64(len(moved))
	w.vv[old] = seq
	if err := w.recomputeDocs(ctx, false); err != nil {
		return agent.Fork{}, err
	}
	if err := w.recomputeStock(ctx, false); err != nil {
		return agent.Fork{}, err
	}
	if err := tx.Commit(); err != nil {
		return agent.Fork{}, fmt.Errorf("commit: %w", err)
	}
	return f, nil
}

// renameCountContext returns the body of an own count written again under
// replica nw at seq nseq. Its context named the old replica's own events;
// those after kept (the fork seq) are now nw's seqs 1, 2 …, in order, so the
// context says: old up to at most kept, nw up to what it had seen of them.
// The HLC and every other field stay.
func renameCountContext(raw []byte, nw syncproto.ReplicaID, nseq uint64, site string, old syncproto.ReplicaID, kept uint64) ([]byte, error) {
	e, err := syncproto.DecodeEvent(old, nseq+kept, site, raw)
	if err != nil {
		return nil, fmt.Errorf("decode count %s/%d: %w", old, nseq+kept, err)
	}
	ctx := e.CountContext()
	if saw := ctx[old]; saw > kept {
		ctx[old] = kept
		ctx[nw] = saw - kept
	}
	c := e.Msg.GetCount()
	c.Ctx = ctx.PB()
	ne, err := syncproto.NewEvent(nw, nseq, e.HLC, site, &pb.Event{Body: &pb.Event_Count{Count: c}})
	if err != nil {
		return nil, fmt.Errorf("encode count %s/%d: %w", nw, nseq, err)
	}
	return ne.Raw, nil
}
