package sqlite

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// op is what a request asks the writer to do.
type op uint8

const (
	opOwn      op = iota + 1 // append own events (one or more, consecutive seqs)
	opPeer                   // apply peer events
	opAcked                  // store the acked watermark
	opRebuild                // recompute on-hand (its own transaction)
	opProducts               // upsert catalogue entries
	opFork                   // take a new replica ID (its own transaction, fork.go)
	opMaster                 // apply a master batch (master.go)
)

// stockKey is a stock key within this ledger's site.
type stockKey struct{ bin, sku, lot string }

// peerEvent is a checked, decoded peer event.
type peerEvent struct {
	replica syncproto.ReplicaID
	seq     uint64
	hlc     syncproto.HLC
	kind    syncproto.Kind
	hasKey  bool
	key     stockKey
	qty     int64        // movement delta or counted
	ctx     syncproto.VV // a count's context, as it carries it
	raw     []byte
	doc     string   // a movement's or count's doc field
	docEv   *docInfo // a document event
}

// ownEvent is one own event of a request.
type ownEvent struct {
	kind syncproto.Kind
	// end is where the event's body ends in request.body; it starts where
	// the previous event's ends. Bodies are encoded without their hlc. A
	// count has none: the writer sets its context and encodes it.
	end   int
	count *pb.Count
	key   stockKey // movement or count
	qty   int64    // movement delta or counted
	doc   string   // a movement's doc field (progress)
	docEv *docInfo // a document event
	// move, for a movement naming a line of the document its request
	// opens (docLine > 0), is encoded by the writer once the document
	// event's seq is known; the body in request.body is empty.
	move    *pb.Movement
	docLine int
}

// request is one caller's job for the writer. Requests are pooled; done is
// kept across uses and is answered exactly once per use.
type request struct {
	op   op
	own  []ownEvent // opOwn: written with consecutive seqs, in order
	body []byte     // opOwn: the own events' bodies back to back
	// rcpts, if set, receives the receipt of own[i] at index i; res.rcpt
	// holds the last one. It is the caller's, not pooled.
	rcpts    []agent.Receipt
	peer     []peerEvent
	acked    uint64
	products []agent.Product // opProducts, normalised and checked
	ctx      context.Context // rebuild and fork only
	idem     *idemReq        // opOwn with an idempotency key (one event)
	fork     forkRequest     // opFork
	master   *masterRequest  // opMaster

	res  result
	done chan result
}

// addOwn adds an own event whose body (if any) the caller has just appended
// to r.body, and returns it for the caller to add what progress needs.
func (r *request) addOwn(kind syncproto.Kind, count *pb.Count, key stockKey, qty int64) *ownEvent {
	r.op = opOwn
	r.own = append(r.own, ownEvent{kind: kind, end: len(r.body), count: count, key: key, qty: qty})
	return &r.own[len(r.own)-1]
}

type result struct {
	rcpt agent.Receipt
	n    int
	err  error
	// first is the receipt of a request's first own event; replayed says
	// an idempotency key answered it and nothing was written.
	first    agent.Receipt
	replayed bool
}

// events returns how many events (or catalogue rows) the request writes,
// for MaxBatch.
func (r *request) events() int {
	switch r.op {
	case opOwn:
		return len(r.own)
	case opPeer:
		return len(r.peer)
	case opProducts:
		return len(r.products)
	case opMaster:
		return len(r.master.rows)
	}
	return 1
}

var reqPool = sync.Pool{New: func() any { return &request{done: make(chan result, 1)} }}

func getRequest() *request { return reqPool.Get().(*request) }

func putRequest(r *request) {
	body := r.body[:0]
	if cap(body) > 4<<10 {
		body = nil
	}
	own := r.own[:0]
	if cap(own) > 64 {
		own = nil
	} else {
		clear(own[:cap(own)])
	}
	*r = request{body: body, own: own, done: r.done}
	reqPool.Put(r)
}

// hlcFieldMax is the largest encoding of the hlc field (tag + varint).
const hlcFieldMax = 1 + 10

// appendHLC appends the body's hlc field (number 3, varint).
func appendHLC(b []byte, h syncproto.HLC) []byte {
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(h))
}

const (
	sqlInsPeer = `INSERT INTO events (replica, seq, hlc, kind, key_id, qty, body) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (replica, seq) DO NOTHING`
	sqlSelKey    = `SELECT id, qty, counts FROM stock WHERE bin = ? AND sku = ? AND lot = ?`
	sqlInsKey    = `INSERT INTO stock (bin, sku, lot, qty) VALUES (?, ?, ?, 0)`
	sqlUpdKey    = `UPDATE stock SET qty = ? WHERE id = ?`
	sqlUpdCounts = `UPDATE stock SET qty = ?, counts = ? WHERE id = ?`
	sqlSelBody   = `SELECT body FROM events WHERE replica = ? AND seq = ?`
	sqlSelCounts = `SELECT replica, seq, body FROM events WHERE key_id = ? AND kind = 2`
	sqlSelMoves  = `SELECT qty FROM events WHERE replica = ? AND seq > ? AND seq <= ? AND key_id = ? AND kind = 1`
	sqlUpsPeer   = `INSERT INTO peers (replica, applied_seq, max_hlc) VALUES (?, ?, ?)
		ON CONFLICT (replica) DO UPDATE SET applied_seq = excluded.applied_seq, max_hlc = max(max_hlc, excluded.max_hlc)`
	sqlUpdAcked   = `UPDATE ledger SET acked_seq = ? WHERE id = 1 AND acked_seq < ?`
	sqlUpsProduct = `INSERT INTO products (gtin, sku, name, unit, price, factor) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku, name = excluded.name, unit = excluded.unit, price = excluded.price,
		factor = excluded.factor`
	sqlUpsMaster = `INSERT INTO master_records (kind, key, rev, deleted, body) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, key) DO UPDATE SET rev = excluded.rev, deleted = excluded.deleted, body = excluded.body`
	sqlDelSKU       = `DELETE FROM products WHERE sku = ?`
	sqlUpdMasterRev = `UPDATE ledger SET master_rev = ? WHERE id = 1`
)

// The schema and the queries above spell kinds as numbers (the count index
// is partial on kind = 2, and a query must say exactly that to use it).
// These array types fail to compile unless KindMovement is 1 and KindCount 2.
var (
	_ [syncproto.KindMovement - 1]struct{}
	_ [1 - syncproto.KindMovement]struct{}
	_ [syncproto.KindCount - 2]struct{}
	_ [2 - syncproto.KindCount]struct{}
)

// keyCacheLimit bounds the writer's key cache; past it the cache is dropped
// after a commit and refilled from the stock table on demand.
const keyCacheLimit = 1 << 18

// keyState is the writer's cached view of one stock key: its row id, its
// on-hand as of the current transaction, its merged counts and their
// winner (with the winner's context).
type keyState struct {
	id    int64
	qty   int64
	dirty bool
	// cs is nil while the key has no count; csDirty says it changed in the
	// current transaction and is written with the row.
	cs      *syncproto.CountState
	csDirty bool
	// win is the winner qty follows. After a count changed the winner of
	// cs, winStale is set and win stays the previous one (movements keep
	// being added under it) until settle, at flush, moves qty to the new
	// winner: once per key and transaction, not once per count.
	win      *winner
	winStale bool
}

// winner is the winning count of a key.
type winner struct {
	replica syncproto.ReplicaID
	seq     uint64
	counted int64
	ctx     syncproto.VV
}

// writer owns the write connection. Its fields are touched only by the
// writer goroutine.
type writer struct {
	l        *Ledger
	conn     driverConn
	maxBatch int

	// Working state: committed state plus the current transaction's changes.
	// After a failed transaction it is reset to the committed state.
	lastSeq uint64
	vv      syncproto.VV
	keys    map[stockKey]*keyState

	// Per-transaction scratch.
	dirty     []*keyState
	peerTouch map[syncproto.ReplicaID]syncproto.HLC
	acked     uint64
	own       int
	nEvents   int
	applied   int
	skipped   int
	held      int

	// overflowed counts peer movements held back because on-hand would
	// leave int64.
	overflowed int

	// masterRev is the working master revision; masterDirty says the
	// transaction changed it, masterApplied counts its records.
	masterRev     uint64
	masterDirty   bool
	masterApplied int
	// masterSkips are the records the transaction's master batches left
	// out, counted and logged once it commits.
	masterSkips []masterSkip

	// progress holds the transaction's changes to doc_progress, written
	// by flush; docID is the id of the edge document the current request
	// opened, for its movements naming its lines.
	progress map[string]*agent.Progress
	docID    string

	insPeer, selKey, insKey, updKey, updCounts, selBody, selCounts, selMoves, upsPeer, updAcked, upsProduct driver.Stmt
	upsMaster, delSKU, updMasterRev                                                                         driver.Stmt
	// insRows[i] inserts rowChunks[i] events in one statement.
	insRows [len(rowChunks)]driver.Stmt

	// Own events not yet inserted: they are written in multi-row INSERTs
	// before anything reads the events table and at the end of the
	// transaction. arena holds their bodies.
	pending []eventRow
	arena   []byte
	rowArgs []driver.NamedValue

	args  [7]driver.NamedValue
	batch []*request
}

// eventRow is one row of the events table.
type eventRow struct {
	replica syncproto.ReplicaID
	seq     uint64
	hlc     syncproto.HLC
	kind    syncproto.Kind
	keyID   int64 // 0: none
	qty     int64
	raw     []byte
}

// rowChunks are the row counts of the multi-row INSERTs, largest first; a
// multi-row INSERT costs about half as much per row as single ones.
var rowChunks = [...]int{32, 8, 1}

func insRowsSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO events (replica, seq, hlc, kind, key_id, qty, body) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?)`)
	}
	return b.String()
}

func newWriter(l *Ledger, maxBatch int, lastSeq uint64, vv syncproto.VV) *writer {
	cp := make(syncproto.VV, len(vv))
	for r, s := range vv {
		cp[r] = s
	}
	w := &writer{
		l:         l,
		maxBatch:  maxBatch,
		lastSeq:   lastSeq,
		vv:        cp,
		keys:      make(map[stockKey]*keyState),
		peerTouch: make(map[syncproto.ReplicaID]syncproto.HLC),
		progress:  make(map[string]*agent.Progress),
	}
	for i := range w.args {
		w.args[i].Ordinal = i + 1
	}
	w.rowArgs = make([]driver.NamedValue, 7*rowChunks[0])
	for i := range w.rowArgs {
		w.rowArgs[i].Ordinal = i + 1
	}
	return w
}

// runWriter pins the write connection for the writer's lifetime and runs
// its loop until reqs is closed and drained. It reports on started whether
// the statements could be prepared.
func (l *Ledger) runWriter(w *writer, started chan<- error) {
	defer close(l.writerDone)
	ctx := context.Background()
	conn, err := l.wdb.Conn(ctx)
	if err != nil {
		started <- fmt.Errorf("writer connection: %w", err)
		return
	}
	defer conn.Close()
	ok := false
	err = conn.Raw(func(dc any) error {
		c, isConn := dc.(driverConn)
		if !isConn {
			return fmt.Errorf("driver connection %T lacks prepare, begin, exec or query", dc)
		}
		w.conn = c
		if err := w.prepare(ctx); err != nil {
			return err
		}
		defer w.closeStmts()
		ok = true
		started <- nil
		w.loop()
		return nil
	})
	if !ok {
		started <- fmt.Errorf("start writer: %w", err)
	}
}

func (w *writer) prepare(ctx context.Context) error {
	for _, p := range []struct {
		s   *driver.Stmt
		sql string
	}{
		{&w.insRows[0], insRowsSQL(rowChunks[0])},
		{&w.insRows[1], insRowsSQL(rowChunks[1])},
		{&w.insRows[2], insRowsSQL(rowChunks[2])},
		{&w.insPeer, sqlInsPeer},
		{&w.selKey, sqlSelKey},
		{&w.insKey, sqlInsKey},
		{&w.updKey, sqlUpdKey},
		{&w.updCounts, sqlUpdCounts},
		{&w.selBody, sqlSelBody},
		{&w.selCounts, sqlSelCounts},
		{&w.selMoves, sqlSelMoves},
		{&w.upsPeer, sqlUpsPeer},
		{&w.updAcked, sqlUpdAcked},
		{&w.upsProduct, sqlUpsProduct},
		{&w.upsMaster, sqlUpsMaster},
		{&w.delSKU, sqlDelSKU},
		{&w.updMasterRev, sqlUpdMasterRev},
	} {
		s, err := w.conn.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.s = s
	}
	return nil
}

func (w *writer) closeStmts() {
	for _, s := range []driver.Stmt{w.insRows[0], w.insRows[1], w.insRows[2], w.insPeer, w.selKey, w.insKey, w.updKey, w.updCounts, w.selBody, w.selCounts, w.selMoves, w.upsPeer, w.updAcked, w.upsProduct, w.upsMaster, w.delSKU, w.updMasterRev} {
		if s != nil {
			s.Close()
		}
	}
}

// loop takes a request, drains whatever else is queued (up to maxBatch
// events), writes the lot in one transaction and answers. A rebuild runs in
// a transaction of its own. It returns once reqs is closed and empty, so
// every request queued before Close is answered.
func (w *writer) loop() {
	reqs := w.l.reqs
	var pending *request
	for {
		first := pending
		pending = nil
		if first == nil {
			r, ok := <-reqs
			if !ok {
				return
			}
			first = r
		}
		switch first.op {
		case opRebuild:
			w.runRebuild(first)
			continue
		case opFork:
			w.runFork(first)
			continue
		}
		batch := append(w.batch[:0], first)
		n := first.events()
		yields := 0
	drain:
		for n < w.maxBatch {
			select {
			case r, ok := <-reqs:
				if !ok {
					break drain
				}
				if r.op == opRebuild || r.op == opFork {
					pending = r
					break drain
				}
				batch = append(batch, r)
				n += r.events()
			default:
				// Callers just answered may be about to submit again:
				// let them run before committing, so they share this
				// commit rather than wait for the next one. With no
				// other goroutine runnable this returns at once.
				if yields == maxYields {
					break drain
				}
				yields++
				runtime.Gosched()
			}
		}
		w.runBatch(batch)
		clear(batch)
		w.batch = batch[:0]
	}
}

// maxYields bounds how often the writer yields to callers while gathering
// a batch. With 64 concurrent writers on 2 cores, yielding raised events
// per commit from ~30 to ~48 and cut CPU per append by a third; 2 to 8
// measured alike.
const maxYields = 4

// runBatch writes a batch in one transaction and answers every request in
// it: with its result once the commit (and its fsync) returned, or with the
// transaction's error.
func (w *writer) runBatch(batch []*request) {
	err := w.writeBatch(batch)
	if err != nil {
		w.l.log.Error("group commit failed", "requests", len(batch), "err", err)
		w.reset()
		for _, r := range batch {
			r.res = result{err: err}
		}
	} else {
		w.publish()
	}
	for _, r := range batch {
		r.done <- r.res
	}
}

func (w *writer) writeBatch(batch []*request) (err error) {
	ctx := context.Background()
	tx, err := w.conn.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	for _, r := range batch {
		switch r.op {
		case opOwn:
			err = w.appendOwn(r)
		case opPeer:
			err = w.applyPeer(r)
		case opAcked:
			if r.acked > w.acked {
				w.acked = r.acked
			}
		case opProducts:
			err = w.putProducts(r)
		case opMaster:
			err = w.applyMaster(r)
		}
		if err != nil {
			return err
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// flush writes the transaction's accumulated changes: each touched key's
// on-hand once, the peer version vector, the acked watermark.
func (w *writer) flush() error {
	if err := w.insertPending(); err != nil {
		return err
	}
	if err := w.flushProgress(); err != nil {
		return err
	}
	for _, ks := range w.dirty {
		if ks.winStale {
			if err := w.settle(ks); err != nil {
				return err
			}
		}
		if ks.csDirty {
			var b []byte // NULL: no count
			if ks.cs != nil {
				var err error
				if b, err = ks.cs.MarshalBinary(); err != nil {
					return fmt.Errorf("encode counts of key %d: %w", ks.id, err)
				}
			}
			if _, err := w.exec(w.updCounts, ks.qty, b, ks.id); err != nil {
				return fmt.Errorf("update stock: %w", err)
			}
			continue
		}
		if _, err := w.exec(w.updKey, ks.qty, ks.id); err != nil {
			return fmt.Errorf("update stock: %w", err)
		}
	}
	for r, h := range w.peerTouch {
		if _, err := w.exec(w.upsPeer, int64(r), int64(w.vv[r]), int64(h)); err != nil {
			return fmt.Errorf("store peer %s: %w", r, err)
		}
	}
	if w.acked > 0 {
		if _, err := w.exec(w.updAcked, int64(w.acked), int64(w.acked)); err != nil {
			return fmt.Errorf("store acked: %w", err)
		}
	}
	if w.masterDirty {
		if _, err := w.exec(w.updMasterRev, int64(w.masterRev)); err != nil {
			return fmt.Errorf("store master revision: %w", err)
		}
	}
	return nil
}

// publish makes the committed transaction's state visible to readers of
// the Ledger and clears the per-transaction scratch.
func (w *writer) publish() {
	l := w.l
	l.lastSeq.Store(w.lastSeq)
	if len(w.peerTouch) > 0 {
		l.vvMu.Lock()
		vv := make(syncproto.VV, len(w.vv))
		for r, s := range w.vv {
			vv[r] = s
		}
		l.peerVV = vv
		l.vvMu.Unlock()
	}
	if w.acked > l.acked.Load() {
		l.acked.Store(w.acked)
	}
	l.masterRev.Store(w.masterRev)
	l.stats.masterApplied.Add(uint64(w.masterApplied))
	l.countSkips(w.masterSkips)
	l.stats.commits.Add(1)
	l.stats.appended.Add(uint64(w.own))
	l.stats.peerApplied.Add(uint64(w.applied))
	l.stats.peerSkipped.Add(uint64(w.skipped))
	l.stats.peerHeld.Add(uint64(w.held))
	l.stats.peerRejected.Add(uint64(w.overflowed))
	if n := uint64(w.nEvents); n > l.stats.maxBatch.Load() {
		l.stats.maxBatch.Store(n)
	}
	if w.own > 0 {
		select {
		case l.notify <- struct{}{}:
		default:
		}
	}
	for _, ks := range w.dirty {
		ks.dirty, ks.csDirty = false, false
	}
	w.clearScratch()
	if len(w.keys) > keyCacheLimit {
		w.keys = make(map[stockKey]*keyState)
	}
}

// reset returns the working state to the committed state after a failed
// transaction. The key cache is dropped: it may hold rows and quantities
// that were rolled back.
func (w *writer) reset() {
	w.lastSeq = w.l.lastSeq.Load()
	w.vv = w.l.PeerVV()
	w.masterRev = w.l.masterRev.Load()
	w.keys = make(map[stockKey]*keyState)
	w.clearScratch()
}

func (w *writer) clearScratch() {
	clear(w.pending)
	w.pending = w.pending[:0]
	if cap(w.arena) > 1<<20 {
		w.arena = nil
	}
	w.arena = w.arena[:0]
	clear(w.dirty)
	w.dirty = w.dirty[:0]
	clear(w.peerTouch)
	clear(w.progress)
	w.docID = ""
	w.acked = 0
	w.masterDirty, w.masterApplied = false, 0
	clear(w.masterSkips)
	w.masterSkips = w.masterSkips[:0]
	w.own, w.nEvents, w.applied, w.skipped, w.held, w.overflowed = 0, 0, 0, 0, 0, 0
}

// appendOwn writes the request's own events with the next seqs and fresh
// HLCs, in order, and applies them to on-hand.
func (w *writer) appendOwn(r *request) error {
	if done, err := w.checkOwn(r); done || err != nil {
		return err
	}
	start := 0
	w.docID = ""
	for i := range r.own {
		e := &r.own[i]
		rc, err := w.appendOne(e, r.body[start:e.end])
		if err != nil {
			return err
		}
		start = e.end
		if r.rcpts != nil {
			r.rcpts[i] = rc
		}
		if i == 0 {
			r.res.first = rc
		}
		r.res.rcpt = rc
	}
	w.docID = ""
	if r.idem != nil {
		return w.keepIdempotent(r)
	}
	return nil
}

// appendOne writes one own event with the next seq and a fresh HLC, and
// applies it to on-hand. body is the event's encoding without hlc (unused
// for a count).
func (w *writer) appendOne(e *ownEvent, body []byte) (agent.Receipt, error) {
	l := w.l
	seq := w.lastSeq + 1
	hlc := l.clock.Tick()
	start := len(w.arena)
	if e.kind == syncproto.KindCount {
		// The context is everything this replica has seen: its own seqs
		// below this one and the peer events applied so far (including
		// those earlier in this transaction, which commit with it).
		ctx := make(syncproto.VV, len(w.vv)+1)
		for p, s := range w.vv {
			ctx[p] = s
		}
		ctx[l.replica] = seq - 1
		e.count.Ctx = ctx.PB()
		ev, err := syncproto.NewEvent(l.replica, seq, hlc, l.site, &pb.Event{Body: &pb.Event_Count{Count: e.count}})
		if err != nil {
			return agent.Receipt{}, err
		}
		w.arena = append(w.arena, ev.Raw...)
	} else if e.move != nil {
		if w.docID == "" {
			return agent.Receipt{}, errors.New("a movement names a line of a document its request did not open")
		}
		e.move.Doc = syncproto.DocLine(w.docID, e.docLine)
		e.doc = e.move.Doc
		w.arena = appendHLC(w.arena, hlc)
		opts := proto.MarshalOptions{Deterministic: true}
		b, err := opts.MarshalAppend(w.arena, &pb.Event{Body: &pb.Event_Movement{Movement: e.move}})
		if err != nil {
			return agent.Receipt{}, fmt.Errorf("encode movement: %w", err)
		}
		w.arena = b
	} else {
		w.arena = append(appendHLC(w.arena, hlc), body...)
	}
	row := eventRow{replica: l.replica, seq: seq, hlc: hlc, kind: e.kind, qty: e.qty, raw: w.arena[start:len(w.arena):len(w.arena)]}
	var ks *keyState
	if e.kind == syncproto.KindMovement || e.kind == syncproto.KindCount {
		var err error
		if ks, err = w.key(e.key); err != nil {
			return agent.Receipt{}, err
		}
		row.keyID = ks.id
	}
	w.pending = append(w.pending, row)
	w.lastSeq = seq
	w.own++
	w.nEvents++
	switch e.kind {
	case syncproto.KindMovement:
		if err := w.addMovement(ks, l.replica, seq, e.qty); err != nil {
			return agent.Receipt{}, err // checkOwn let it through: a bug
		}
		w.addProgress(e.doc, e.qty, false)
	case syncproto.KindCount:
		c := syncproto.CountRef{Replica: l.replica, Seq: seq, HLC: hlc, Counted: e.qty}
		w.countArrived(ks, c, syncproto.VVFromPB(e.count.Ctx))
		w.addProgress(e.count.GetDoc(), 0, true)
	case syncproto.KindDoc:
		if e.docEv != nil {
			id, err := w.docEvent(e.docEv, l.replica, seq, hlc)
			if err != nil {
				return agent.Receipt{}, err
			}
			if w.docID == "" && e.docEv.doc == "" {
				w.docID = id
			}
		}
	}
	return agent.Receipt{Replica: l.replica, Seq: seq, HLC: hlc}, nil
}

// putProducts upserts the request's catalogue entries.
func (w *writer) putProducts(r *request) error {
	for _, p := range r.products {
		if _, err := w.exec(w.upsProduct, p.GTIN, p.SKU, p.Name, p.Unit, p.Price, p.Units()); err != nil {
			return fmt.Errorf("upsert product %s: %w", p.GTIN, err)
		}
	}
	return nil
}

// applyPeer applies the request's peer events (sorted by replica, seq) that
// are next in their replica's seqs.
func (w *writer) applyPeer(r *request) error {
	if err := w.insertPending(); err != nil {
		return err
	}
	n := 0
	for i := range r.peer {
		e := &r.peer[i]
		have := w.vv[e.replica]
		switch {
		case e.seq <= have:
			w.skipped++
			continue
		case e.seq != have+1:
			w.held++
			continue
		}
		var ks *keyState
		var keyID any
		if e.hasKey {
			var err error
			if ks, err = w.key(e.key); err != nil {
				return err
			}
			keyID = ks.id
		}
		if e.kind == syncproto.KindMovement && w.peerOverflows(ks, e) {
			// Held like a gap: the replica's later events wait behind it.
			w.overflowed++
			continue
		}
		res, err := w.exec(w.insPeer, int64(e.replica), int64(e.seq), int64(e.hlc), int64(e.kind), keyID, e.qty, e.raw)
		if err != nil {
			return fmt.Errorf("insert peer event %s/%d: %w", e.replica, e.seq, err)
		}
		w.vv[e.replica] = e.seq
		// A peer HLC the clock refuses (too far ahead) is neither adopted
		// nor kept in peers.max_hlc, or the clock would resume after it on
		// the next open.
		var seen syncproto.HLC
		if w.l.clock.Observe(e.hlc) {
			seen = e.hlc
		} else {
			w.l.stats.clockRefused.Add(1)
		}
		if h, ok := w.peerTouch[e.replica]; !ok || seen > h {
			w.peerTouch[e.replica] = seen
		}
		if affected, _ := res.RowsAffected(); affected == 0 {
			// Stored but not recorded as applied: its effect is already in
			// on-hand (both are written in one transaction), so only the
			// version vector moves.
			w.l.log.Warn("peer event already stored", "replica", e.replica.String(), "seq", e.seq)
			continue
		}
		n++
		w.nEvents++
		switch e.kind {
		case syncproto.KindMovement:
			if err := w.addMovement(ks, e.replica, e.seq, e.qty); err != nil {
				return err
			}
			w.addProgress(e.doc, e.qty, false)
		case syncproto.KindCount:
			c := syncproto.CountRef{Replica: e.replica, Seq: e.seq, HLC: e.hlc, Counted: e.qty}
			w.countArrived(ks, c, e.ctx)
			w.addProgress(e.doc, 0, true)
		case syncproto.KindDoc:
			if e.docEv != nil {
				if _, err := w.docEvent(e.docEv, e.replica, e.seq, e.hlc); err != nil {
					return err
				}
			}
		}
	}
	w.applied += n
	r.res.n = n
	return nil
}

// addMovement adds a movement's delta unless the key's winning count had
// seen it (DESIGN.md §3). A sum beyond int64 is an error wrapping
// syncproto.ErrOverflow and changes nothing (callers check before).
func (w *writer) addMovement(ks *keyState, r syncproto.ReplicaID, seq uint64, qty int64) error {
	if ks.win != nil && ks.win.ctx.Contains(r, seq) {
		return nil
	}
	q, err := syncproto.AddQty(ks.qty, qty)
	if err != nil {
		return fmt.Errorf("movement %s/%d: %w", r, seq, err)
	}
	ks.qty = q
	w.markDirty(ks)
	return nil
}

// countArrived merges a count just stored into its key's count state
// (syncproto.CountState: time proportional to the count's context and the
// key's live counts, not to its history). If the winner changed, the key's
// on-hand is moved to it by settle when the transaction is flushed.
func (w *writer) countArrived(ks *keyState, c syncproto.CountRef, ctx syncproto.VV) {
	if ks.cs == nil {
		ks.cs = new(syncproto.CountState)
	}
	if ks.cs.Add(c, ctx) {
		ks.winStale = true
	}
	ks.csDirty = true
	w.markDirty(ks)
}

// settle moves a key whose winning count changed to its new winner:
// on-hand is recomputed from the old winner's (see recompute).
func (w *writer) settle(ks *keyState) error {
	ks.winStale = false
	wr, ok := ks.cs.Winner()
	if !ok || (ks.win != nil && wr.Is(ks.win.replica, ks.win.seq)) {
		return nil
	}
	ctx, err := w.countContext(wr.Replica, wr.Seq)
	if err != nil {
		return err
	}
	nw := &winner{replica: wr.Replica, seq: wr.Seq, counted: wr.Counted, ctx: ctx}
	qty, err := w.recompute(ks.id, ks.qty, ks.win, nw)
	if err != nil {
		return fmt.Errorf("recompute key %d: %w", ks.id, err)
	}
	ks.win, ks.qty = nw, qty
	return nil
}

// countContext reads the context of a stored count.
func (w *writer) countContext(r syncproto.ReplicaID, seq uint64) (syncproto.VV, error) {
	if err := w.insertPending(); err != nil {
		return nil, err
	}
	var ctx syncproto.VV
	found := false
	err := w.query(w.selBody, func(v []driver.Value) error {
		e, err := syncproto.DecodeEvent(r, seq, w.l.site, v[0].([]byte))
		if err != nil {
			return err
		}
		ctx, found = e.CountContext(), true
		return nil
	}, int64(r), int64(seq))
	if err == nil && !found {
		err = errors.New("not stored")
	}
	if err != nil {
		return nil, fmt.Errorf("read count %s/%d: %w", r, seq, err)
	}
	return ctx, nil
}

// recompute returns a key's on-hand under winning count nw, given q, its
// on-hand under the previous winner old (nil: none).
//
// On-hand under a winner is counted + S(r, ctx[r]) summed over replicas r,
// where S(r, c) is the sum of r's movements of the key with seq > c. There
// is no index of events by key (see migrations), so sums are read from
// (replica, seq) ranges of the events table, and the cheaper of two ways is
// taken: directly, scanning for each r the seqs after the new context (few
// when the count is recent, as an own count always is), or relative to q,
// scanning for each r the seqs between the old and the new context (few when
// the contexts are close, as for a count from a replica that has seen little
// of the others while the key had no count yet).
func (w *writer) recompute(id, q int64, old, nw *winner) (int64, error) {
	var oldBase, newBase int64
	var oldCtx, newCtx syncproto.VV
	if old != nil {
		oldBase, oldCtx = old.counted, old.ctx
	}
	if nw != nil {
		newBase, newCtx = nw.counted, nw.ctx
	}
	type span struct {
		r      syncproto.ReplicaID
		have   uint64 // highest seq stored
		c1, c2 uint64 // old and new context, capped at have
	}
	spans := make([]span, 0, len(w.vv)+1)
	add := func(r syncproto.ReplicaID, have uint64) {
		if have > 0 {
			spans = append(spans, span{r, have, min(oldCtx[r], have), min(newCtx[r], have)})
		}
	}
	add(w.l.replica, w.lastSeq)
	for r, have := range w.vv {
		add(r, have)
	}
	var direct, relative uint64
	for _, s := range spans {
		direct += s.have - s.c2
		relative += max(s.c1, s.c2) - min(s.c1, s.c2)
	}
	var sum syncproto.QtySum
	if direct <= relative {
		sum.Add(newBase)
		for _, s := range spans {
			if s.c2 < s.have {
				if err := w.sumMoves(&sum, false, id, s.r, s.c2, s.have); err != nil {
					return 0, err
				}
			}
		}
		return sum.Int64()
	}
	sum.Add(q)
	sum.Sub(oldBase)
	sum.Add(newBase)
	for _, s := range spans {
		switch {
		case s.c2 > s.c1: // now seen: no longer added
			if err := w.sumMoves(&sum, true, id, s.r, s.c1, s.c2); err != nil {
				return 0, err
			}
		case s.c2 < s.c1: // no longer seen: added again
			if err := w.sumMoves(&sum, false, id, s.r, s.c2, s.c1); err != nil {
				return 0, err
			}
		}
	}
	return sum.Int64()
}

// sumMoves adds to sum (subtracts, if neg) the key's movements by replica
// r with seq in (lo, hi]. It sums exactly in Go (syncproto.QtySum), so the
// result does not depend on the order of the terms.
func (w *writer) sumMoves(sum *syncproto.QtySum, neg bool, id int64, r syncproto.ReplicaID, lo, hi uint64) error {
	return w.query(w.selMoves, func(v []driver.Value) error {
		if neg {
			sum.Sub(v[0].(int64))
		} else {
			sum.Add(v[0].(int64))
		}
		return nil
	}, int64(r), int64(lo), int64(hi), id)
}

func (w *writer) markDirty(ks *keyState) {
	if !ks.dirty {
		ks.dirty = true
		w.dirty = append(w.dirty, ks)
	}
}

// key returns the state of a key, loading it from the stock table (with its
// winning count) or creating its row.
func (w *writer) key(k stockKey) (*keyState, error) {
	ks, err := w.loadKey(k)
	if ks != nil || err != nil {
		return ks, err
	}
	ks = new(keyState)
	res, err := w.exec(w.insKey, k.bin, k.sku, k.lot)
	if err != nil {
		return nil, fmt.Errorf("insert stock key: %w", err)
	}
	if ks.id, err = res.LastInsertId(); err != nil {
		return nil, fmt.Errorf("insert stock key: %w", err)
	}
	w.keys[k] = ks
	return ks, nil
}

// loadKey returns the state of a key from the cache or the stock table
// (caching it), or nil if the key has no row yet.
func (w *writer) loadKey(k stockKey) (*keyState, error) {
	if ks := w.keys[k]; ks != nil {
		return ks, nil
	}
	ks := new(keyState)
	found := false
	var counts []byte
	err := w.query(w.selKey, func(v []driver.Value) error {
		ks.id, ks.qty, found = v[0].(int64), v[1].(int64), true
		if v[2] != nil {
			counts = slices.Clone(v[2].([]byte))
		}
		return nil
	}, k.bin, k.sku, k.lot)
	if err != nil {
		return nil, fmt.Errorf("read stock key: %w", err)
	}
	if !found {
		return nil, nil
	}
	if err := w.loadCounts(ks, counts); err != nil {
		return nil, err
	}
	w.keys[k] = ks
	return ks, nil
}

// loadCounts sets a key's count state and winner from its stored counts
// column: NULL when the key has no count; countsPending (written by the
// migration that added the column) when the state must be built once from
// the key's count events.
func (w *writer) loadCounts(ks *keyState, stored []byte) error {
	switch {
	case stored == nil:
		return nil
	case bytes.Equal(stored, countsPending):
		cs, err := w.foldCounts(ks.id)
		if err != nil {
			return err
		}
		ks.cs, ks.csDirty = cs, true
		w.markDirty(ks)
	default:
		ks.cs = new(syncproto.CountState)
		if err := ks.cs.UnmarshalBinary(stored); err != nil {
			return fmt.Errorf("counts of key %d: %w", ks.id, err)
		}
	}
	wr, ok := ks.cs.Winner()
	if !ok {
		return nil
	}
	ctx, err := w.countContext(wr.Replica, wr.Seq)
	if err != nil {
		return err
	}
	ks.win = &winner{replica: wr.Replica, seq: wr.Seq, counted: wr.Counted, ctx: ctx}
	return nil
}

// countsPending marks a stock row whose counts column is to be built from
// its count events (see 0006_count_state.sql).
var countsPending = []byte{0}

// foldCounts builds a key's count state from every count of it in the
// ledger; nil if it has none.
func (w *writer) foldCounts(id int64) (*syncproto.CountState, error) {
	var cs *syncproto.CountState
	err := w.query(w.selCounts, func(v []driver.Value) error {
		e, err := syncproto.DecodeEvent(syncproto.ReplicaID(v[0].(int64)), uint64(v[1].(int64)), w.l.site, v[2].([]byte))
		if err != nil {
			return err
		}
		if cs == nil {
			cs = new(syncproto.CountState)
		}
		cs.Add(syncproto.RefOf(&e), syncproto.VVFromPB(e.Msg.GetCount().GetCtx()))
		return nil
	}, id)
	if err != nil {
		return nil, fmt.Errorf("read counts of key %d: %w", id, err)
	}
	return cs, nil
}

// insertPending inserts the pending own events with as few statements as
// rowChunks allow.
func (w *writer) insertPending() error {
	rows := w.pending
	for len(rows) > 0 {
		ci := 0
		for rowChunks[ci] > len(rows) {
			ci++
		}
		n := rowChunks[ci]
		a := w.rowArgs[:7*n]
		for i, r := range rows[:n] {
			v := a[7*i : 7*i+7]
			v[0].Value = int64(r.replica)
			v[1].Value = int64(r.seq)
			v[2].Value = int64(r.hlc)
			v[3].Value = int64(r.kind)
			v[4].Value = nil
			if r.keyID != 0 {
				v[4].Value = r.keyID
			}
			v[5].Value = r.qty
			v[6].Value = r.raw
		}
		_, err := w.insRows[ci].(driver.StmtExecContext).ExecContext(context.Background(), a)
		for i := range a {
			a[i].Value = nil
		}
		if err != nil {
			return fmt.Errorf("insert events %d..%d: %w", rows[0].seq, rows[n-1].seq, err)
		}
		rows = rows[n:]
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	return nil
}

// exec runs a prepared statement with the given arguments (int64, string,
// []byte or nil).
func (w *writer) exec(s driver.Stmt, args ...any) (driver.Result, error) {
	a := w.args[:len(args)]
	for i, v := range args {
		a[i].Value = v
	}
	res, err := s.(driver.StmtExecContext).ExecContext(context.Background(), a)
	for i := range a {
		a[i].Value = nil
	}
	return res, err
}

// query runs a prepared query and calls fn for each row.
func (w *writer) query(s driver.Stmt, fn func([]driver.Value) error, args ...any) error {
	a := w.args[:len(args)]
	for i, v := range args {
		a[i].Value = v
	}
	rows, err := s.(driver.StmtQueryContext).QueryContext(context.Background(), a)
	for i := range a {
		a[i].Value = nil
	}
	if err != nil {
		return err
	}
	return scanRows(rows, fn)
}

func scanRows(rows driver.Rows, fn func([]driver.Value) error) (err error) {
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := fn(dest); err != nil {
			return err
		}
	}
}
