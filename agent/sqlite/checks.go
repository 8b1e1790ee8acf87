package sqlite

import (
	"database/sql/driver"
	"fmt"

	"github.com/jxc-edge/jxc/syncproto"
)

// checkOwn decides, in the write transaction and before any seq is given
// out, whether an own request is written at all. It returns true when r's
// answer is already set and r writes nothing: a replayed idempotency key,
// a lot-less count of a key stocked by lot, or movements that would take
// an on-hand beyond int64. An error fails the whole transaction (a
// database error), unlike these refusals, which are r's alone.
func (w *writer) checkOwn(r *request) (bool, error) {
	if r.idem != nil {
		if done, err := w.replayIdempotent(r); done || err != nil {
			return done, err
		}
	}
	for i := range r.own {
		e := &r.own[i]
		if e.kind == syncproto.KindCount && e.key.lot == "" {
			lots, err := w.hasLots(e.key)
			if err != nil {
				return false, err
			}
			if lots {
				r.res.err = invalid(
					fmt.Sprintf("sku %q in bin %q is stocked by lot: count each lot (give lot), not the sku as a whole", e.key.sku, e.key.bin),
					fmt.Sprintf("库位 %q 的商品 %q 按批次管理库存：请按批次分别盘点（填写 lot），不要整体盘点", e.key.bin, e.key.sku))
				return true, nil
			}
		}
	}
	return w.checkOverflow(r)
}

// hasLots reports whether the bin has stock rows of the sku with a lot.
func (w *writer) hasLots(k stockKey) (bool, error) {
	found := false
	err := w.queryArgs(`SELECT 1 FROM stock WHERE bin = ? AND sku = ? AND lot <> '' LIMIT 1`,
		func([]driver.Value) error { found = true; return nil }, k.bin, k.sku)
	if err != nil {
		return false, fmt.Errorf("read lots of %s/%s: %w", k.bin, k.sku, err)
	}
	return found, nil
}

// checkOverflow refuses r (setting its answer, returning true) if its
// movements would take an on-hand beyond int64. An own movement always
// adds to its key (no count's context holds a seq not given out yet), so
// the check is exact.
func (w *writer) checkOverflow(r *request) (bool, error) {
	var sums map[stockKey]int64
	for i := range r.own {
		e := &r.own[i]
		if e.kind != syncproto.KindMovement {
			continue
		}
		q, ok := sums[e.key]
		if !ok {
			var err error
			if q, err = w.peekQty(e.key); err != nil {
				return false, err
			}
		}
		q, err := syncproto.AddQty(q, e.qty)
		if err != nil {
			field := "qty"
			if len(r.own) > 1 {
				field = fieldName("movements", i, "qty")
			}
			r.res.err = fromSyncproto(syncproto.OverflowError(field, syncproto.Key{Site: w.l.site, Bin: e.key.bin, SKU: e.key.sku, Lot: e.key.lot}), "", -1)
			return true, nil
		}
		if len(r.own) > 1 {
			if sums == nil {
				sums = make(map[stockKey]int64)
			}
			sums[e.key] = q
		}
	}
	return false, nil
}

// peekQty returns a key's on-hand in the current transaction without
// creating its row (0 for a key without one). A key it finds is cached,
// so the append that follows does not read it again.
func (w *writer) peekQty(k stockKey) (int64, error) {
	ks, err := w.loadKey(k)
	if ks == nil || err != nil {
		return 0, err
	}
	return ks.qty, nil
}

// peerOverflows reports whether applying peer movement e would take its
// key's on-hand beyond int64. Such an event is not applied (nor anything
// after it of its replica) and is logged: the cloud refuses batches that
// overflow, so only an agent that misses some of the cloud's events can
// meet one.
func (w *writer) peerOverflows(ks *keyState, e *peerEvent) bool {
	if ks.win != nil && ks.win.ctx.Contains(e.replica, e.seq) {
		return false
	}
	if _, err := syncproto.AddQty(ks.qty, e.qty); err != nil {
		w.l.log.Warn("peer movement not applied: on-hand would overflow", "replica", e.replica.String(), "seq", e.seq,
			"bin", e.key.bin, "sku", e.key.sku, "lot", e.key.lot, "qty", ks.qty, "delta", e.qty)
		return true
	}
	return false
}
