package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

// MasterRev returns the master revision as committed.
func (l *Ledger) MasterRev() uint64 { return l.masterRev.Load() }

// ApplyMaster applies b (checked by syncproto.DecodeMasterBatch) in one
// transaction through the writer, sharing a group commit with appends,
// when b.FromRev equals the master revision at that moment: it stores each
// record in master_records, replaces a product record's SKU's catalogue
// entries by its GTINs (a deleted one removes them) and sets the revision
// to b.ToRev. It reports whether it applied b; a batch that does not follow
// on changes nothing. A batch of another tenant or site gives
// agent.ErrWrongSite; a product record whose body does not decode or
// breaks syncproto.ValidateProductRecord or agent.NormalizeGTIN gives an
// *agent.InvalidError naming records[i], as does a device profile record
// whose key is not a profile file name or whose body is not a valid
// profile on its own (the error then also wraps firmware-configs' errors,
// with file, field and line: errors.Is(err, profiles.ErrInvalid)); nothing
// of the batch is applied.
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
	m := &masterRequest{from: b.GetFromRev(), to: b.GetToRev(), rows: make([]masterRow, len(b.GetRecords()))}
	for i, r := range b.GetRecords() {
		row := masterRow{kind: r.GetKind(), key: r.GetKey(), rev: r.GetRevision(), deleted: r.GetDeleted(), body: r.GetBody()}
		if row.body == nil {
			row.body = []byte{}
		}
		if row.kind == syncproto.KindProduct && !row.deleted {
			ps, err := productEntries(i, row.key, row.body)
			if err != nil {
				return false, fmt.Errorf("apply master: %w", err)
			}
			row.products = ps
		}
		if row.kind == syncproto.KindDeviceProfile {
			if err := checkProfile(i, row.key, row.body, row.deleted); err != nil {
				return false, fmt.Errorf("apply master: %w", err)
			}
		}
		m.rows[i] = row
	}
	r := getRequest()
	r.op, r.master = opMaster, m
	res, err := l.do(ctx, r)
	if err != nil {
		return false, fmt.Errorf("apply master: %w", err)
	}
	return res.n > 0, nil
}

// productEntries decodes the body of records[i], a product record, into
// catalogue entries, one per GTIN, normalised like PutProducts.
func productEntries(i int, sku string, body []byte) ([]agent.Product, error) {
	if err := syncproto.CheckString("key", sku, true); err != nil {
		return nil, fromSyncproto(err, "records", i)
	}
	p, err := syncproto.DecodeProductRecord(body)
	if err != nil {
		var ve *syncproto.ValidationError
		if errors.As(err, &ve) {
			return nil, fromSyncproto(err, "records", i)
		}
		return nil, invalid(fmt.Sprintf("records[%d].body: %v", i, err), fmt.Sprintf("records[%d].body 商品记录内容无法解析", i))
	}
	out := make([]agent.Product, 0, len(p.GetGtins()))
	for j, g := range p.GetGtins() {
		n, err := agent.NormalizeGTIN(g)
		if err != nil {
			return nil, invalid(fmt.Sprintf("records[%d].gtins[%d]: %v", i, j, err), fmt.Sprintf("records[%d].gtins[%d] 不是有效的 GTIN", i, j))
		}
		out = append(out, agent.Product{GTIN: n, SKU: sku, Name: p.GetName(), Unit: p.GetUnit(), Price: p.GetPrice()})
	}
	return out, nil
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
	if l.isClosed.Load() {
		return nil, fmt.Errorf("master records: %w", agent.ErrClosed)
	}
	rows, err := l.rdb.QueryContext(ctx, `SELECT key, rev, deleted, body FROM master_records WHERE kind = ? ORDER BY key`, kind)
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
			if _, err := w.exec(w.upsProduct, p.GTIN, p.SKU, p.Name, p.Unit, p.Price); err != nil {
				return fmt.Errorf("upsert product %s: %w", p.GTIN, err)
			}
		}
	}
	w.masterRev, w.masterDirty = m.to, true
	w.masterApplied += len(m.rows)
	r.res.n = 1
	return nil
}
