package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

var _ agent.DocumentStore = (*Ledger)(nil)

// docInfo is what the edge_docs table needs of a document event.
type docInfo struct {
	doc, docType, status, ref string
}

// docInfoOf returns the edge_docs view of a document event; the ref is
// read from its payload (an EdgeDoc), "" when the payload has none or is
// not one.
func docInfoOf(d *pb.DocEvent) *docInfo {
	if d == nil {
		return nil
	}
	var p struct {
		Ref string `json:"ref"`
	}
	_ = json.Unmarshal(d.GetPayload(), &p) // a peer's bad payload has no ref
	if syncproto.CheckString("ref", p.Ref, false) != nil {
		p.Ref = ""
	}
	return &docInfo{doc: d.GetDoc(), docType: d.GetDocType(), status: d.GetStatus(), ref: p.Ref}
}

// edgeDocRow is a row of edge_docs. fold gives the same row whatever order
// a document's events are folded in: status and the last event are the
// greatest (hlc, replica)'s; doc_type and ref the opening event's, or the
// last event's while the opening one is unknown.
type edgeDocRow struct {
	docType, status, ref string
	openR, openS         uint64
	lastR, lastS, lastH  uint64
}

func (row *edgeDocRow) fold(d *docInfo, r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC) {
	newer := row.lastS == 0 || uint64(hlc) > row.lastH || (uint64(hlc) == row.lastH && uint64(r) > row.lastR)
	if newer {
		row.status, row.lastR, row.lastS, row.lastH = d.status, uint64(r), seq, uint64(hlc)
		if row.openS == 0 {
			row.docType, row.ref = d.docType, d.ref
		}
	}
	if d.doc == "" {
		row.openR, row.openS, row.docType, row.ref = uint64(r), seq, d.docType, d.ref
	}
}

// edgeDocID is the id of the document a document event opens or names.
func edgeDocID(d *docInfo, r syncproto.ReplicaID, seq uint64) string {
	if d.doc == "" {
		return syncproto.EdgeDocID(r, seq)
	}
	return d.doc
}

const (
	sqlSelEdgeDoc = `SELECT doc_type, status, ref, open_replica, open_seq, last_replica, last_seq, last_hlc FROM edge_docs WHERE id = ?`
	sqlPutEdgeDoc = `INSERT OR REPLACE INTO edge_docs (id, doc_type, status, ref, open_replica, open_seq, last_replica, last_seq, last_hlc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// Sums saturate at the int64 bounds (a plain + would turn into a REAL).
	sqlAddProgress = `INSERT INTO doc_progress (doc, pos, neg, moves, counts) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (doc) DO UPDATE SET
		pos = CASE WHEN pos > 9223372036854775807 - excluded.pos THEN 9223372036854775807 ELSE pos + excluded.pos END,
		neg = CASE WHEN neg < -9223372036854775807 - excluded.neg THEN -9223372036854775807 ELSE neg + excluded.neg END,
		moves = moves + excluded.moves, counts = counts + excluded.counts`
)

// satAdd adds b to a, saturating at ±(2^63-1) as sqlAddProgress does.
func satAdd(a, b int64) int64 {
	switch {
	case b > 0 && a > math.MaxInt64-b:
		return math.MaxInt64
	case b < 0 && a < -math.MaxInt64-b:
		return -math.MaxInt64
	}
	return a + b
}

// addProgress adds a movement (qty) or a count naming doc to the
// transaction's progress changes; an empty doc names nothing.
func (w *writer) addProgress(doc string, qty int64, count bool) {
	if doc == "" {
		return
	}
	p := w.progress[doc]
	if p == nil {
		p = &agent.Progress{Doc: doc}
		w.progress[doc] = p
	}
	switch {
	case count:
		p.Counts++
		return
	case qty > 0:
		p.Pos = satAdd(p.Pos, qty)
	default:
		p.Neg = satAdd(p.Neg, qty)
	}
	p.Moves++
}

// flushProgress adds the transaction's progress changes to doc_progress.
func (w *writer) flushProgress() error {
	for doc, p := range w.progress {
		if _, err := w.execArgs(sqlAddProgress, doc, p.Pos, p.Neg, p.Moves, p.Counts); err != nil {
			return fmt.Errorf("store progress of %q: %w", doc, err)
		}
	}
	clear(w.progress)
	return nil
}

// docEvent folds a stored document event into edge_docs and returns the
// id of its document.
func (w *writer) docEvent(d *docInfo, r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC) (string, error) {
	id := edgeDocID(d, r, seq)
	var row edgeDocRow
	err := w.queryArgs(sqlSelEdgeDoc, func(v []driver.Value) error {
		row = edgeDocRow{docType: v[0].(string), status: v[1].(string), ref: v[2].(string),
			openR: uint64(v[3].(int64)), openS: uint64(v[4].(int64)),
			lastR: uint64(v[5].(int64)), lastS: uint64(v[6].(int64)), lastH: uint64(v[7].(int64))}
		return nil
	}, id)
	if err != nil {
		return "", fmt.Errorf("read edge document %s: %w", id, err)
	}
	row.fold(d, r, seq, hlc)
	if err := w.putEdgeDoc(id, &row); err != nil {
		return "", err
	}
	return id, nil
}

func (w *writer) putEdgeDoc(id string, row *edgeDocRow) error {
	if _, err := w.execArgs(sqlPutEdgeDoc, id, row.docType, row.status, row.ref, int64(row.openR), int64(row.openS),
		int64(row.lastR), int64(row.lastS), int64(row.lastH)); err != nil {
		return fmt.Errorf("store edge document %s: %w", id, err)
	}
	return nil
}

// RecordDocument writes a document event and its movements in one
// transaction (agent.DocumentStore): the event first, then the movements
// in order, with consecutive seqs; a movement with Line > 0 and no doc
// names that line of the document the event opens. The payload must be a
// valid syncproto.EdgeDoc and the status open, done or cancelled. It is
// durable when it returns. key, when not empty, makes it idempotent: the
// key is kept with the events in their transaction.
func (l *Ledger) RecordDocument(ctx context.Context, key string, in agent.DocumentInput) (agent.DocReceipt, error) {
	if key != "" {
		if err := checkIdempotencyKey(key); err != nil {
			return agent.DocReceipt{}, fmt.Errorf("record document: %w", err)
		}
	}
	if len(in.Movements) > MaxMovementsPerCall {
		return agent.DocReceipt{}, fmt.Errorf("record document: %w", invalid(
			fmt.Sprintf("%d movements, limit %d per call", len(in.Movements), MaxMovementsPerCall),
			fmt.Sprintf("一次提交了 %d 条出入库记录，上限为 %d 条", len(in.Movements), MaxMovementsPerCall)))
	}
	noDoc := in.DocType == "" && in.Doc == "" && in.Status == "" && in.Payload == nil
	if noDoc && len(in.Movements) == 0 {
		return agent.DocReceipt{}, fmt.Errorf("record document: %w", invalid("no document event and no movements", "既没有单据事件也没有出入库记录"))
	}
	switch in.Status {
	case syncproto.EdgeOpen, syncproto.EdgeDone, syncproto.EdgeCancelled:
	case "":
		if noDoc {
			break
		}
		fallthrough
	default:
		return agent.DocReceipt{}, fmt.Errorf("record document: %w", invalid(
			fmt.Sprintf("status %q is not open, done or cancelled", in.Status),
			fmt.Sprintf("状态 %q 无效：应为 open、done 或 cancelled", in.Status)))
	}
	if _, err := syncproto.DecodeEdgeDoc(in.Payload); err != nil {
		return agent.DocReceipt{}, fmt.Errorf("record document: %w", fromSyncproto(err, "", -1))
	}
	de := &pb.DocEvent{Doc: in.Doc, DocType: in.DocType, Status: in.Status, Payload: in.Payload}
	opening := in.Doc == "" && !noDoc
	body := &pb.Event{Body: &pb.Event_Doc{Doc: de}}
	r := getRequest()
	h := sha256.New()
	if !noDoc {
		if err := validateBody(body); err != nil {
			putRequest(r)
			return agent.DocReceipt{}, fmt.Errorf("record document: %w", err)
		}
		var err error
		if r.body, err = marshalBody(r.body, body); err != nil {
			putRequest(r)
			return agent.DocReceipt{}, fmt.Errorf("record document: %w", err)
		}
		h.Write(r.body)
		r.addOwn(syncproto.KindDoc, nil, stockKey{}, 0).docEv = docInfoOf(de)
	}
	for i := range in.Movements {
		dm := &in.Movements[i]
		m, err := validateMovement(&dm.MovementInput, i)
		if err == nil && (dm.Line < 0 || dm.Line > syncproto.MaxDocLines) {
			err = invalid(fmt.Sprintf("movements[%d].line %d is outside 0 … %d", i, dm.Line, syncproto.MaxDocLines),
				fmt.Sprintf("字段 movements[%d].line 的值 %d 超出 0 到 %d 的范围", i, dm.Line, syncproto.MaxDocLines))
		}
		if err == nil && dm.Line > 0 && (dm.Doc != "" || !opening) {
			err = invalid(fmt.Sprintf("movements[%d] names a line of the document but the event does not open one, or also gives doc", i),
				fmt.Sprintf("movements[%d] 引用了单据行，但该事件并未新建单据，或同时填写了 doc", i))
		}
		if err != nil {
			putRequest(r)
			return agent.DocReceipt{}, fmt.Errorf("record document: %w", err)
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&pb.Event{Body: &pb.Event_Movement{Movement: m}})
		if err != nil {
			putRequest(r)
			return agent.DocReceipt{}, fmt.Errorf("record document: %w", err)
		}
		var lb [8]byte
		binary.BigEndian.PutUint32(lb[:4], uint32(len(b)))
		binary.BigEndian.PutUint32(lb[4:], uint32(dm.Line))
		h.Write(lb[:])
		h.Write(b)
		if dm.Line > 0 {
			e := r.addOwn(syncproto.KindMovement, nil, stockKey{m.Bin, m.Sku, m.Lot}, m.Qty)
			e.move, e.docLine = m, dm.Line
			continue
		}
		if err := r.addMovement(m); err != nil {
			putRequest(r)
			return agent.DocReceipt{}, fmt.Errorf("record document: movements[%d]: %w", i, err)
		}
	}
	if key != "" {
		r.idem = &idemReq{key: key, kind: kindDocument}
		if in.Fingerprint != nil {
			r.idem.hash = sha256.Sum256(in.Fingerprint)
		} else {
			h.Sum(r.idem.hash[:0])
		}
	}
	res, err := l.do(ctx, r)
	if err != nil {
		return agent.DocReceipt{}, fmt.Errorf("record document: %w", err)
	}
	out := agent.DocReceipt{Doc: res.first, Events: len(in.Movements) + 1, Replayed: res.replayed, ID: in.Doc}
	if noDoc {
		out.Events--
	}
	if res.replayed {
		out.Events = res.n
	}
	if opening {
		out.ID = syncproto.EdgeDocID(res.first.Replica, res.first.Seq)
	}
	return out, nil
}

// LookupKey returns what an earlier RecordDocument with idempotency key
// wrote, if the key was used: found is false for an unused key. A key
// used with another fingerprint (or by a call without one, or for a
// single movement or count) gives agent.ErrKeyReused.
func (l *Ledger) LookupKey(ctx context.Context, key string, fingerprint []byte) (agent.DocReceipt, bool, error) {
	if err := checkIdempotencyKey(key); err != nil {
		return agent.DocReceipt{}, false, fmt.Errorf("lookup key: %w", err)
	}
	if l.isClosed.Load() {
		return agent.DocReceipt{}, false, fmt.Errorf("lookup key: %w", agent.ErrClosed)
	}
	var kind, seq, hlc, n int64
	var hash []byte
	err := l.rdb.QueryRowContext(ctx, `SELECT kind, hash, seq, hlc, events FROM idempotency WHERE key = ?`, key).Scan(&kind, &hash, &seq, &hlc, &n)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return agent.DocReceipt{}, false, nil
	case err != nil:
		return agent.DocReceipt{}, false, fmt.Errorf("lookup key: %w", err)
	}
	want := sha256.Sum256(fingerprint)
	if syncproto.Kind(kind) != kindDocument || string(hash) != string(want[:]) {
		return agent.DocReceipt{}, false, fmt.Errorf("%w: %q", agent.ErrKeyReused, key)
	}
	rc := agent.Receipt{Replica: l.Replica(), Seq: uint64(seq), HLC: syncproto.HLC(hlc)}
	out := agent.DocReceipt{Doc: rc, Events: int(n), Replayed: true}
	var raw []byte
	if err := l.rdb.QueryRowContext(ctx, `SELECT body FROM events WHERE replica = ? AND seq = ?`, int64(rc.Replica), int64(rc.Seq)).Scan(&raw); err != nil {
		return agent.DocReceipt{}, false, fmt.Errorf("lookup key: read event %d: %w", seq, err)
	}
	e, err := syncproto.DecodeEvent(rc.Replica, rc.Seq, l.site, raw)
	if err != nil {
		return agent.DocReceipt{}, false, fmt.Errorf("lookup key: %w", err)
	}
	if d := e.Msg.GetDoc(); d != nil {
		out.ID = d.GetDoc()
		if out.ID == "" {
			out.ID = syncproto.EdgeDocID(rc.Replica, rc.Seq)
		}
	}
	return out, true, nil
}

// MasterRecord returns the stored master record (kind, key), a tombstone
// included; ok is false when there is none.
func (l *Ledger) MasterRecord(ctx context.Context, kind, key string) (*pb.MasterRecord, bool, error) {
	if l.isClosed.Load() {
		return nil, false, fmt.Errorf("master record: %w", agent.ErrClosed)
	}
	r := &pb.MasterRecord{Kind: kind, Key: key}
	var rev int64
	err := l.rdb.QueryRowContext(ctx, `SELECT rev, deleted, body FROM master_records WHERE kind = ? AND key = ?`, kind, key).Scan(&rev, &r.Deleted, &r.Body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("master record: %w", err)
	}
	r.Revision = uint64(rev)
	return r, true, nil
}

// DocProgress returns the progress of document number and of its lines
// ("NUMBER#LINE"), by doc, as committed (agent.DocumentStore).
func (l *Ledger) DocProgress(ctx context.Context, number string) (map[string]agent.Progress, error) {
	return l.docProgress(ctx, `WHERE doc = ? OR (doc > ? AND doc < ?)`, number, number+"#", number+"$")
}

func (l *Ledger) docProgress(ctx context.Context, where string, args ...any) (map[string]agent.Progress, error) {
	if l.isClosed.Load() {
		return nil, fmt.Errorf("doc progress: %w", agent.ErrClosed)
	}
	rows, err := l.rdb.QueryContext(ctx, `SELECT doc, pos, neg, moves, counts FROM doc_progress `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("doc progress: %w", err)
	}
	defer rows.Close()
	out := make(map[string]agent.Progress)
	for rows.Next() {
		var p agent.Progress
		if err := rows.Scan(&p.Doc, &p.Pos, &p.Neg, &p.Moves, &p.Counts); err != nil {
			return nil, fmt.Errorf("doc progress: %w", err)
		}
		out[p.Doc] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("doc progress: %w", err)
	}
	return out, nil
}

// AllDocProgress returns every row of doc_progress, by doc: for tests that
// compare the incremental path with Rebuild.
func (l *Ledger) AllDocProgress(ctx context.Context) (map[string]agent.Progress, error) {
	return l.docProgress(ctx, "")
}

// EdgeDoc returns what the ledger knows of edge document id
// (agent.DocumentStore): its state and the payloads of its opening event
// and of the event whose status stands.
func (l *Ledger) EdgeDoc(ctx context.Context, id string) (agent.EdgeDocState, []byte, []byte, bool, error) {
	if l.isClosed.Load() {
		return agent.EdgeDocState{}, nil, nil, false, fmt.Errorf("edge doc: %w", agent.ErrClosed)
	}
	sts, err := l.edgeDocs(ctx, `WHERE id = ?`, id)
	if err != nil || len(sts) == 0 {
		return agent.EdgeDocState{}, nil, nil, false, err
	}
	st := sts[0]
	payload := func(rc agent.Receipt) ([]byte, error) {
		if rc.Seq == 0 {
			return nil, nil
		}
		var raw []byte
		err := l.rdb.QueryRowContext(ctx, `SELECT body FROM events WHERE replica = ? AND seq = ?`, int64(rc.Replica), int64(rc.Seq)).Scan(&raw)
		if err != nil {
			return nil, fmt.Errorf("edge doc %s: read event %s/%d: %w", id, rc.Replica, rc.Seq, err)
		}
		e, err := syncproto.DecodeEvent(rc.Replica, rc.Seq, l.site, raw)
		if err != nil {
			return nil, fmt.Errorf("edge doc %s: %w", id, err)
		}
		return e.Msg.GetDoc().GetPayload(), nil
	}
	open, err := payload(st.Open)
	if err != nil {
		return st, nil, nil, true, err
	}
	last, err := payload(st.Last)
	return st, open, last, true, err
}

// EdgeDocs lists edge documents whose ref is ref, newest first, or with
// ref "" those this replica opened, newest first; at most limit (at most
// 1000).
func (l *Ledger) EdgeDocs(ctx context.Context, ref string, limit int) ([]agent.EdgeDocState, error) {
	if l.isClosed.Load() {
		return nil, fmt.Errorf("edge docs: %w", agent.ErrClosed)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if ref != "" {
		return l.edgeDocs(ctx, `WHERE ref = ? ORDER BY last_hlc DESC LIMIT ?`, ref, limit)
	}
	return l.edgeDocs(ctx, `WHERE open_replica = ? ORDER BY open_seq DESC LIMIT ?`, int64(l.Replica()), limit)
}

// OpenEdgeDocs lists the edge documents of docType this replica opened
// that are still open (status open), newest first.
func (l *Ledger) OpenEdgeDocs(ctx context.Context, docType string) ([]agent.EdgeDocState, error) {
	if l.isClosed.Load() {
		return nil, fmt.Errorf("edge docs: %w", agent.ErrClosed)
	}
	return l.edgeDocs(ctx, `WHERE open_replica = ? AND doc_type = ? AND status = ? ORDER BY open_seq DESC`,
		int64(l.Replica()), docType, syncproto.EdgeOpen)
}

func (l *Ledger) edgeDocs(ctx context.Context, where string, args ...any) ([]agent.EdgeDocState, error) {
	rows, err := l.rdb.QueryContext(ctx, `SELECT id, doc_type, status, ref, open_replica, open_seq, last_replica, last_seq, last_hlc
		FROM edge_docs `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("edge docs: %w", err)
	}
	defer rows.Close()
	var out []agent.EdgeDocState
	for rows.Next() {
		var st agent.EdgeDocState
		var or, os, lr, ls, lh int64
		if err := rows.Scan(&st.ID, &st.DocType, &st.Status, &st.Ref, &or, &os, &lr, &ls, &lh); err != nil {
			return nil, fmt.Errorf("edge docs: %w", err)
		}
		st.Open = agent.Receipt{Replica: syncproto.ReplicaID(or), Seq: uint64(os)}
		st.Last = agent.Receipt{Replica: syncproto.ReplicaID(lr), Seq: uint64(ls), HLC: syncproto.HLC(lh)}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("edge docs: %w", err)
	}
	return out, nil
}

// recomputeDocs recomputes doc_progress and edge_docs from the events, in
// the caller's transaction, and replaces them when they differ (logged as
// a bug of the incremental path when warn is set). It also marks the
// ledger's derived document tables as built (ledger.docs_built).
func (w *writer) recomputeDocs(ctx context.Context, warn bool) error {
	prog := make(map[string]*agent.Progress)
	docs := make(map[string]*edgeDocRow)
	err := w.queryCtx(ctx, `SELECT replica, seq, body FROM events WHERE kind IN (1, 2, 3)`, func(v []driver.Value) error {
		r, seq := syncproto.ReplicaID(v[0].(int64)), uint64(v[1].(int64))
		e, err := syncproto.DecodeEvent(r, seq, w.l.site, v[2].([]byte))
		if err != nil {
			return err
		}
		add := func(doc string, qty int64, count bool) {
			if doc == "" {
				return
			}
			p := prog[doc]
			if p == nil {
				p = &agent.Progress{Doc: doc}
				prog[doc] = p
			}
			switch {
			case count:
				p.Counts++
				return
			case qty > 0:
				p.Pos = satAdd(p.Pos, qty)
			default:
				p.Neg = satAdd(p.Neg, qty)
			}
			p.Moves++
		}
		switch e.Kind() {
		case syncproto.KindMovement:
			add(e.Msg.GetMovement().GetDoc(), e.Msg.GetMovement().GetQty(), false)
		case syncproto.KindCount:
			add(e.Msg.GetCount().GetDoc(), 0, true)
		case syncproto.KindDoc:
			d := docInfoOf(e.Msg.GetDoc())
			id := edgeDocID(d, r, seq)
			row := docs[id]
			if row == nil {
				row = new(edgeDocRow)
				docs[id] = row
			}
			row.fold(d, r, seq, e.HLC)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan document events: %w", err)
	}

	hadProg := make(map[string]agent.Progress)
	err = w.queryCtx(ctx, `SELECT doc, pos, neg, moves, counts FROM doc_progress`, func(v []driver.Value) error {
		hadProg[v[0].(string)] = agent.Progress{Doc: v[0].(string), Pos: v[1].(int64), Neg: v[2].(int64), Moves: v[3].(int64), Counts: v[4].(int64)}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read doc progress: %w", err)
	}
	hadDocs := make(map[string]edgeDocRow)
	err = w.queryCtx(ctx, `SELECT id, doc_type, status, ref, open_replica, open_seq, last_replica, last_seq, last_hlc FROM edge_docs`, func(v []driver.Value) error {
		hadDocs[v[0].(string)] = edgeDocRow{docType: v[1].(string), status: v[2].(string), ref: v[3].(string),
			openR: uint64(v[4].(int64)), openS: uint64(v[5].(int64)), lastR: uint64(v[6].(int64)), lastS: uint64(v[7].(int64)), lastH: uint64(v[8].(int64))}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read edge docs: %w", err)
	}
	same := len(hadProg) == len(prog) && len(hadDocs) == len(docs)
	for doc, p := range prog {
		if hadProg[doc] != *p {
			same = false
			if warn {
				w.l.log.Warn("rebuild corrected document progress", "doc", doc, "had", hadProg[doc], "rebuilt", *p)
			}
		}
	}
	for id, row := range docs {
		if hadDocs[id] != *row {
			same = false
			if warn {
				w.l.log.Warn("rebuild corrected edge document", "id", id)
			}
		}
	}
	if !same {
		for _, q := range []string{`DELETE FROM doc_progress`, `DELETE FROM edge_docs`} {
			if _, err := w.conn.ExecContext(ctx, q, nil); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		keys := make([]string, 0, len(prog))
		for doc := range prog {
			keys = append(keys, doc)
		}
		slices.Sort(keys)
		for _, doc := range keys {
			p := prog[doc]
			if _, err := w.execArgs(sqlAddProgress, doc, p.Pos, p.Neg, p.Moves, p.Counts); err != nil {
				return fmt.Errorf("store progress of %q: %w", doc, err)
			}
		}
		for id, row := range docs {
			if err := w.putEdgeDoc(id, row); err != nil {
				return err
			}
		}
	}
	if _, err := w.conn.ExecContext(ctx, `UPDATE ledger SET docs_built = 1 WHERE id = 1`, nil); err != nil {
		return fmt.Errorf("mark documents built: %w", err)
	}
	return nil
}

// docsBuilt reports whether the ledger's derived document tables were
// built from its events (a ledger migrated from before them was not).
func docsBuilt(ctx context.Context, db *sql.DB) (bool, error) {
	var b int64
	if err := db.QueryRowContext(ctx, `SELECT docs_built FROM ledger WHERE id = 1`).Scan(&b); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("read docs_built: %w", err)
	}
	return b == 1, nil
}
