package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"fmt"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
)

// MaxIdempotencyKey bounds an idempotency key, in bytes.
const MaxIdempotencyKey = 128

// idemReq is an own request's idempotency key and the fingerprint of its
// content.
type idemReq struct {
	key  string
	kind syncproto.Kind
	hash [sha256.Size]byte
}

// kindDocument is the kind an idempotency key of a RecordDocument call is
// kept under (a document event and its movements), apart from the event
// kinds of single-event requests.
const kindDocument syncproto.Kind = 100

// checkIdempotencyKey checks a key: 1 to MaxIdempotencyKey bytes of
// printable ASCII.
func checkIdempotencyKey(key string) error {
	if key == "" || len(key) > MaxIdempotencyKey {
		return invalid(fmt.Sprintf("idempotency key must be 1 to %d bytes, got %d", MaxIdempotencyKey, len(key)),
			fmt.Sprintf("幂等键长度须为 1 到 %d 字节，实际为 %d 字节", MaxIdempotencyKey, len(key)))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return invalid("idempotency key must be printable ASCII without spaces",
				"幂等键只能由可打印的 ASCII 字符组成，且不能含空格")
		}
	}
	return nil
}

// RecordMovementOnce is RecordMovement with an idempotency key. The first
// call with key records the movement and keeps key with its receipt in the
// same transaction; a later call with key and the same input records
// nothing and returns the first receipt. A key first used for other input,
// or for a count, gives agent.ErrKeyReused. A malformed key gives
// agent.ErrInvalid. Durability and ctx as RecordMovement.
func (l *Ledger) RecordMovementOnce(ctx context.Context, key string, in agent.MovementInput) (agent.Receipt, error) {
	if err := checkIdempotencyKey(key); err != nil {
		return agent.Receipt{}, fmt.Errorf("record movement: %w", err)
	}
	return l.recordMovement(ctx, in, key)
}

// RecordCountOnce is RecordCount with an idempotency key, as
// RecordMovementOnce. The content compared is the count as given, without
// the context the writer adds.
func (l *Ledger) RecordCountOnce(ctx context.Context, key string, in agent.CountInput) (agent.Receipt, error) {
	if err := checkIdempotencyKey(key); err != nil {
		return agent.Receipt{}, fmt.Errorf("record count: %w", err)
	}
	return l.recordCount(ctx, in, key)
}

// replayIdempotent looks r's key up in the write transaction. If the key
// was used before it sets r's answer (the first receipt, or
// agent.ErrKeyReused) and returns true: r writes nothing.
func (w *writer) replayIdempotent(r *request) (bool, error) {
	k := r.idem
	var found bool
	var kind int64
	var hash []byte
	var rc agent.Receipt
	var n int64
	err := w.queryArgs(`SELECT kind, hash, seq, hlc, events FROM idempotency WHERE key = ?`, func(v []driver.Value) error {
		found = true
		kind, hash = v[0].(int64), bytes.Clone(v[1].([]byte))
		rc = agent.Receipt{Replica: w.l.replica, Seq: uint64(v[2].(int64)), HLC: syncproto.HLC(v[3].(int64))}
		n = v[4].(int64)
		return nil
	}, k.key)
	if err != nil || !found {
		return false, err
	}
	if syncproto.Kind(kind) != k.kind || !bytes.Equal(hash, k.hash[:]) {
		r.res.err = fmt.Errorf("%w: %q", agent.ErrKeyReused, k.key)
		return true, nil
	}
	r.res.rcpt, r.res.first, r.res.n, r.res.replayed = rc, rc, int(n), true
	return true, nil
}

// keepIdempotent stores r's key with the receipt of its first event and
// how many events it wrote, in the transaction that writes them.
func (w *writer) keepIdempotent(r *request) error {
	k := r.idem
	_, err := w.execArgs(`INSERT INTO idempotency (key, kind, hash, seq, hlc, events) VALUES (?, ?, ?, ?, ?, ?)`,
		k.key, int64(k.kind), k.hash[:], int64(r.res.first.Seq), int64(r.res.first.HLC), int64(len(r.own)))
	if err != nil {
		return fmt.Errorf("store idempotency key: %w", err)
	}
	return nil
}

// queryArgs runs an unprepared query with arguments on the write
// connection and calls fn for each row. For statements too rare to keep
// prepared.
func (w *writer) queryArgs(q string, fn func([]driver.Value) error, args ...any) error {
	rows, err := w.conn.QueryContext(context.Background(), q, namedValues(args))
	if err != nil {
		return err
	}
	return scanRows(rows, fn)
}

// execArgs runs an unprepared statement with arguments on the write
// connection.
func (w *writer) execArgs(q string, args ...any) (driver.Result, error) {
	return w.conn.ExecContext(context.Background(), q, namedValues(args))
}

func namedValues(args []any) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}
