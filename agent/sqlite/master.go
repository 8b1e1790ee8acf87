package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

var _ agent.MasterStore = (*Ledger)(nil)

// masterRequest is a checked master batch for the writer.
type masterRequest struct {
	from, to uint64
	rows     []masterRow
	// skips are the batch's records that broke their kind's rules: not
	// stored, counted and logged once the batch is applied.
	skips []masterSkip
}

// masterRow is one record of a master batch, with a product record's
// catalogue entries decoded and their GTINs normalised.
type masterRow struct {
	kind, key string
	rev       uint64
	deleted   bool
	body      []byte
	products  []agent.Product // kind product, not deleted
}

// masterSkip is a record ApplyMaster leaves out, and why.
type masterSkip struct {
	kind, key string
	rev       uint64
	// reason is one of agent.MasterSkip…; err says what is wrong in
	// English and Chinese.
	reason string
	err    *agent.InvalidError
}

// MasterRev returns the master revision as committed.
func (l *Ledger) MasterRev() uint64 { return l.masterRev.Load() }

// ApplyMaster applies b (checked by syncproto.DecodeMasterBatch) in one
// transaction through the writer, sharing a group commit with appends,
// when b.FromRev equals the master revision at that moment: it stores each
// record in master_records, replaces a product record's SKU's catalogue
// entries by its GTINs and its packs' GTINs (a deleted one removes them)
// and sets the revision to b.ToRev. It reports whether it applied b; a
// batch that does not follow on changes nothing. A batch of another tenant
// or site gives agent.ErrWrongSite, one whose revisions are not from ≤ to
// ≤ syncproto.MaxMasterRev an *agent.InvalidError; neither changes
// anything.
//
// A record that breaks its kind's rules is skipped and the rest applied:
// a product record whose key is not a valid string, whose body does not
// decode or breaks syncproto.ValidateProductRecord or agent.NormalizeGTIN
// (a GTIN twice, a weighed pack not a whole number of grams), a device
// profile record whose key is not a profile file name or whose body is
// not a valid profile on its own (firmware-configs), a bin or stock limit
// whose body does not decode or whose limits are out of range. A skipped
// record is not stored (master_records keeps the previous version of its
// kind and key, the catalogue its entries), and once the batch is
// committed it is counted in Stats.MasterSkipped by reason (an
// agent.MasterSkip… constant) and logged with its kind, key and reason in
// English and Chinese. The revision advances over it: the cloud's next
// version of that record is applied as usual.
func (l *Ledger) ApplyMaster(ctx context.Context, b *pb.MasterBatch) (bool, error) {
	if b.GetTenant() != l.tenant || b.GetSite() != l.site {
		return false, fmt.Errorf("apply master: %w: batch for tenant %q site %q", agent.ErrWrongSite, b.GetTenant(), b.GetSite())
	}
	if b.GetToRev() < b.GetFromRev() || b.GetToRev() > syncproto.MaxMasterRev {
		return false, fmt.Errorf("apply master: %w", invalid(fmt.Sprintf("revisions %d..%d", b.GetFromRev(), b.GetToRev()),
			fmt.Sprintf("版本范围 %d..%d 无效", b.GetFromRev(), b.GetToRev())))
	}
	if b.GetFromRev() != l.masterRev.Load() {
		return false, nil // checked again by the writer; saves the decoding
	}
	m := &masterRequest{from: b.GetFromRev(), to: b.GetToRev(), rows: make([]masterRow, 0, len(b.GetRecords()))}
	for i, r := range b.GetRecords() {
		row := masterRow{kind: r.GetKind(), key: r.GetKey(), rev: r.GetRevision(), deleted: r.GetDeleted(), body: r.GetBody()}
		if row.body == nil {
			row.body = []byte{}
		}
		if reason, err := checkMasterRow(i, &row); err != nil {
			ie := &agent.InvalidError{}
			if !errors.As(err, &ie) {
				ie = &agent.InvalidError{Msg: err.Error(), MsgZH: err.Error()}
			}
			m.skips = append(m.skips, masterSkip{kind: row.kind, key: row.key, rev: row.rev, reason: reason, err: ie})
			continue
		}
		m.rows = append(m.rows, row)
	}
	r := getRequest()
	r.op, r.master = opMaster, m
	res, err := l.do(ctx, r)
	if err != nil {
		return false, fmt.Errorf("apply master: %w", err)
	}
	return res.n > 0, nil
}

// checkMasterRow checks records[i] by its kind's rules and decodes a
// product's catalogue entries into row. It returns the reason (an
// agent.MasterSkip… constant) and an *agent.InvalidError naming records[i]
// when the record must be skipped. Kinds this build does not know pass.
func checkMasterRow(i int, row *masterRow) (string, error) {
	switch row.kind {
	case syncproto.KindProduct:
		if err := syncproto.CheckString("key", row.key, true); err != nil {
			return agent.MasterSkipRecord, fromSyncproto(err, "records", i)
		}
		if row.deleted {
			return "", nil
		}
		ps, reason, err := productEntries(i, row.key, row.body)
		if err != nil {
			return reason, err
		}
		row.products = ps
	case syncproto.KindDeviceProfile:
		if err := checkProfile(i, row.key, row.body, row.deleted); err != nil {
			return agent.MasterSkipProfile, err
		}
	case syncproto.KindBin:
		if row.deleted {
			return "", nil
		}
		b := new(pb.BinRecord)
		if err := proto.Unmarshal(row.body, b); err != nil {
			return agent.MasterSkipBody, undecodable(i, "bin", "库位", err)
		}
		if err := syncproto.CheckString("name", b.GetName(), false); err != nil {
			return agent.MasterSkipRecord, fromSyncproto(err, "records", i)
		}
	case syncproto.KindPurchaseOrder, syncproto.KindPurchaseReturn, syncproto.KindPickList, syncproto.KindTransfer, syncproto.KindCountPlan,
		syncproto.KindAssembly, syncproto.KindDisassembly:
		if err := syncproto.CheckString("key", row.key, true); err != nil {
			return agent.MasterSkipRecord, fromSyncproto(err, "records", i)
		}
		if row.deleted {
			return "", nil
		}
		if _, err := syncproto.DecodeDocumentRecord(row.kind, row.body); err != nil {
			var ve *syncproto.ValidationError
			if errors.As(err, &ve) {
				return agent.MasterSkipRecord, fromSyncproto(err, "records", i)
			}
			return agent.MasterSkipBody, undecodable(i, "document", "单据", err)
		}
	case syncproto.KindStockLimit:
		if row.deleted {
			return "", nil
		}
		sl := new(pb.StockLimitRecord)
		if err := proto.Unmarshal(row.body, sl); err != nil {
			return agent.MasterSkipBody, undecodable(i, "stock limit", "库存上下限", err)
		}
		if err := checkStockLimit(i, sl); err != nil {
			return agent.MasterSkipRecord, err
		}
	}
	return "", nil
}

// undecodable is the error of records[i] whose body is not a kind record.
func undecodable(i int, kind, kindZH string, err error) error {
	return invalid(fmt.Sprintf("records[%d].body: not a %s record: %v", i, kind, err),
		fmt.Sprintf("records[%d].body 无法解析为%s记录", i, kindZH))
}

// checkStockLimit checks the limits of records[i]: each 0 … MaxQty, min
// not above a max that is set.
func checkStockLimit(i int, sl *pb.StockLimitRecord) error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"min", sl.GetMin()}, {"max", sl.GetMax()}} {
		if f.v < 0 || f.v > MaxQty {
			return invalid(fmt.Sprintf("records[%d].%s %d is outside 0 … %d", i, f.name, f.v, int64(MaxQty)),
				fmt.Sprintf("records[%d].%s 的值 %d 超出范围：应在 0 到 %d 之间", i, f.name, f.v, int64(MaxQty)))
		}
	}
	if sl.GetMax() > 0 && sl.GetMin() > sl.GetMax() {
		return invalid(fmt.Sprintf("records[%d].min %d is above max %d", i, sl.GetMin(), sl.GetMax()),
			fmt.Sprintf("records[%d] 的下限 %d 高于上限 %d", i, sl.GetMin(), sl.GetMax()))
	}
	return nil
}

// productEntries decodes the body of records[i], a product record, into
// catalogue entries, one per GTIN of the SKU (factor 1) and one per GTIN
// of each pack (its factor; for a SKU sold by weight the pack's factor of
// base units in grams), normalised like PutProducts. It returns the reason
// of an error as checkMasterRow does.
func productEntries(i int, sku string, body []byte) ([]agent.Product, string, error) {
	p, err := syncproto.DecodeProductRecord(body)
	if err != nil {
		var ve *syncproto.ValidationError
		if errors.As(err, &ve) {
			reason := agent.MasterSkipRecord
			if strings.Contains(ve.Field, "gtins") {
				reason = agent.MasterSkipGTIN
			}
			return nil, reason, fromSyncproto(err, "records", i)
		}
		return nil, agent.MasterSkipBody, invalid(fmt.Sprintf("records[%d].body: %v", i, err), fmt.Sprintf("records[%d].body 商品记录内容无法解析", i))
	}
	g, weighed := agent.WeightUnit(p.GetUnit())
	out := make([]agent.Product, 0, len(p.GetGtins()))
	seen := make(map[string]string, len(p.GetGtins()))
	add := func(field, gtin string, factor int64) error {
		n, err := agent.NormalizeGTIN(gtin)
		if err != nil {
			return invalid(fmt.Sprintf("records[%d].%s: %v", i, field, err), fmt.Sprintf("records[%d].%s 不是有效的 GTIN", i, field))
		}
		if other, dup := seen[n]; dup {
			return invalid(fmt.Sprintf("records[%d].%s %s is also %s", i, field, n, other),
				fmt.Sprintf("records[%d].%s 的 GTIN %s 与 %s 重复", i, field, n, other))
		}
		seen[n] = field
		out = append(out, agent.Product{GTIN: n, SKU: sku, Name: p.GetName(), Unit: p.GetUnit(), Price: p.GetPrice(), Factor: factor})
		return nil
	}
	for j, gtin := range p.GetGtins() {
		if err := add(fmt.Sprintf("gtins[%d]", j), gtin, 1); err != nil {
			return nil, agent.MasterSkipGTIN, err
		}
	}
	for k, pk := range p.GetPacks() {
		factor := pk.GetFactor()
		if weighed {
			// Quantities of a SKU sold by weight are grams.
			if factor > math.MaxInt64/g.Num || factor*g.Num%g.Den != 0 || factor*g.Num/g.Den > MaxQty {
				return nil, agent.MasterSkipRecord, invalid(
					fmt.Sprintf("records[%d].packs[%d].factor: %d %s is not a whole number of grams up to %d", i, k, factor, p.GetUnit(), int64(MaxQty)),
					fmt.Sprintf("records[%d].packs[%d].factor：%d %s 不是不超过 %d 的整克数", i, k, factor, p.GetUnit(), int64(MaxQty)))
			}
			factor = factor * g.Num / g.Den
		}
		for j, gtin := range pk.GetGtins() {
			if err := add(fmt.Sprintf("packs[%d].gtins[%d]", k, j), gtin, factor); err != nil {
				return nil, agent.MasterSkipGTIN, err
			}
		}
	}
	return out, "", nil
}

// checkProfile checks records[i], a device profile record, with
// profiles.CheckRecord, as the cloud's Put does.
func checkProfile(i int, key string, body []byte, deleted bool) error {
	err := profiles.CheckRecord(key, body, deleted)
	if err == nil {
		return nil
	}
	detail := strings.ReplaceAll(err.Error(), "\n", "; ")
	return fmt.Errorf("%w: %w", invalid(fmt.Sprintf("records[%d]: device profile: %s", i, detail),
		fmt.Sprintf("records[%d] 设备配置文件无效（文件: 字段: 原因 (行号)）：%s", i, detail)), err)
}

// MasterRecords returns the stored master records of kind, tombstones
// included, in key order, as committed.
func (l *Ledger) MasterRecords(ctx context.Context, kind string) ([]*pb.MasterRecord, error) {
	return l.MasterRecordsAfter(ctx, kind, "", 0)
}

// MasterRecordsAfter returns at most limit (0: every one) stored master
// records of kind whose key sorts after after, tombstones included, in
// key order, as committed: a page of a listing that goes on after the
// last key of the page before.
func (l *Ledger) MasterRecordsAfter(ctx context.Context, kind, after string, limit int) ([]*pb.MasterRecord, error) {
	if l.isClosed.Load() {
		return nil, fmt.Errorf("master records: %w", agent.ErrClosed)
	}
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := l.rdb.QueryContext(ctx, `SELECT key, rev, deleted, body FROM master_records WHERE kind = ? AND key > ? ORDER BY key LIMIT ?`,
		kind, after, limit)
	if err != nil {
		return nil, fmt.Errorf("master records: %w", err)
	}
	defer rows.Close()
	var out []*pb.MasterRecord
	for rows.Next() {
		r := &pb.MasterRecord{Kind: kind}
		var rev int64
		if err := rows.Scan(&r.Key, &rev, &r.Deleted, &r.Body); err != nil {
			return nil, fmt.Errorf("master records: %w", err)
		}
		r.Revision = uint64(rev)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("master records: %w", err)
	}
	return out, nil
}

// applyMaster applies a master request if it follows on the working
// revision; res.n is 1 when it did.
func (w *writer) applyMaster(r *request) error {
	m := r.master
	if m.from != w.masterRev {
		return nil
	}
	for _, row := range m.rows {
		var del int64
		if row.deleted {
			del = 1
		}
		if _, err := w.exec(w.upsMaster, row.kind, row.key, int64(row.rev), del, row.body); err != nil {
			return fmt.Errorf("store master record %s %q: %w", row.kind, row.key, err)
		}
		if row.kind != syncproto.KindProduct {
			continue
		}
		if _, err := w.exec(w.delSKU, row.key); err != nil {
			return fmt.Errorf("remove catalogue entries of %q: %w", row.key, err)
		}
		for _, p := range row.products {
			if _, err := w.exec(w.upsProduct, p.GTIN, p.SKU, p.Name, p.Unit, p.Price, p.Units()); err != nil {
				return fmt.Errorf("upsert product %s: %w", p.GTIN, err)
			}
		}
	}
	w.masterRev, w.masterDirty = m.to, true
	w.masterApplied += len(m.rows)
	w.masterSkips = append(w.masterSkips, m.skips...)
	r.res.n = 1
	return nil
}

// countSkips counts and logs the skipped records of the master batches
// just committed (publish calls it).
func (l *Ledger) countSkips(skips []masterSkip) {
	if len(skips) == 0 {
		return
	}
	l.skipMu.Lock()
	if l.masterSkipped == nil {
		l.masterSkipped = make(map[string]uint64)
	}
	for _, s := range skips {
		l.masterSkipped[s.reason]++
	}
	l.skipMu.Unlock()
	for _, s := range skips {
		l.log.Warn("master record skipped, the previous version kept / 主数据记录无效，已跳过并保留原版本",
			"kind", s.kind, "key", s.key, "rev", s.rev, "reason", s.reason, "msg", s.err.Msg, "msg_zh", s.err.MsgZH)
	}
}

// MasterSkipped returns how many master records ApplyMaster skipped since
// Open, by reason (agent.MasterSkip…); nil when none.
func (l *Ledger) MasterSkipped() map[string]uint64 {
	l.skipMu.Lock()
	defer l.skipMu.Unlock()
	if len(l.masterSkipped) == 0 {
		return nil
	}
	out := make(map[string]uint64, len(l.masterSkipped))
	for k, v := range l.masterSkipped {
		out[k] = v
	}
	return out
}
