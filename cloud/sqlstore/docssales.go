package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/jxc-edge/jxc/cloud/docs"
)

var (
	_ docs.SalesStore = (*Store)(nil)
	_ docs.SalesTx    = (*docTx)(nil)
)

// salesReader reads for the sales rules on db (the read pool or a
// transaction).
type salesReader struct {
	s  *Store
	db authDB
}

// SalesRead returns the reader of the sales rules over the read pool.
func (s *Store) SalesRead() docs.SalesReader { return salesReader{s: s, db: s.read} }

func (r salesReader) FindDocs(ctx context.Context, tenant string, f docs.SalesFilter) ([]docs.Row, error) {
	out, err := r.s.findDocs(ctx, r.db, tenant, f)
	if err != nil {
		return nil, r.s.classify(err)
	}
	return out, nil
}

func (r salesReader) ChildDone(ctx context.Context, tenant, number string) (map[int]int64, error) {
	out, err := r.s.docChildDone(ctx, r.db, tenant, number)
	if err != nil {
		return nil, r.s.classify(err)
	}
	return out, nil
}

func (r salesReader) Progress(ctx context.Context, tenant, number string) (map[int]docs.Progress, error) {
	out, err := r.s.docProgress(ctx, r.db, tenant, number)
	if err != nil {
		return nil, r.s.classify(err)
	}
	return out, nil
}

func (r salesReader) OnHand(ctx context.Context, tenant, site, sku string) (int64, error) {
	n, err := r.s.onHandOf(ctx, r.db, tenant, site, sku)
	if err != nil {
		return 0, r.s.classify(err)
	}
	return n, nil
}

func (t *docTx) FindDocs(ctx context.Context, tenant string, f docs.SalesFilter) ([]docs.Row, error) {
	return t.s.findDocs(ctx, t.tx, tenant, f)
}

func (t *docTx) ChildDone(ctx context.Context, tenant, number string) (map[int]int64, error) {
	return t.s.docChildDone(ctx, t.tx, tenant, number)
}

func (t *docTx) OnHand(ctx context.Context, tenant, site, sku string) (int64, error) {
	return t.s.onHandOf(ctx, t.tx, tenant, site, sku)
}

func (t *docTx) MarkStock(ctx context.Context, tenant string, keys []docs.StockKey) error {
	return t.s.markStock(ctx, t.tx, map[string][]docs.StockKey{tenant: keys})
}

// findDocs reads the documents matching f, with their lines, in number
// order.
func (s *Store) findDocs(ctx context.Context, db authDB, tenant string, f docs.SalesFilter) ([]docs.Row, error) {
	where := []string{`tenant = ?`, `type = ?`}
	args := []any{tenant, f.Type}
	if len(f.Statuses) > 0 {
		where = append(where, `status IN (?`+strings.Repeat(`, ?`, len(f.Statuses)-1)+`)`)
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	for _, c := range []struct{ col, v string }{{"site", f.Site}, {"partner", f.Partner}, {"ref", f.Ref}} {
		if c.v != "" {
			where = append(where, c.col+` = ?`)
			args = append(args, c.v)
		}
	}
	if f.SKU != "" {
		where = append(where, `EXISTS (SELECT 1 FROM doc_lines l WHERE l.doc_id = docs.id AND l.sku = ?)`)
		args = append(args, f.SKU)
	}
	var out []docs.Row
	err := s.queryRows(ctx, db, s.q(`SELECT `+docColumns+` FROM docs WHERE `+strings.Join(where, ` AND `)+` ORDER BY number`), args,
		func(rows *sql.Rows) error {
			r, err := scanDoc(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find %s documents: %w", f.Type, err)
	}
	for i := range out {
		if out[i].Lines, err = s.docLines(ctx, db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// onHandOf sums on-hand of sku at site over every bin and lot.
func (s *Store) onHandOf(ctx context.Context, db authDB, tenant, site, sku string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(qty), 0) FROM on_hand WHERE tenant = ? AND site = ? AND sku = ?`),
		tenant, site, sku).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("on-hand of %s at %s: %w", sku, site, err)
	}
	return n, nil
}

// feedChunk is how many keys one upsert of stock_feed writes.
const feedChunk = 200

// markStock gives the keys of each tenant the tenant's next sequence
// numbers in stock_feed, tenants in order. Taking a tenant's counter row
// (an upsert) holds it until commit: the tenant's numbers become visible
// in order, so a reader past n sees every later change above n. It must
// be the last lock a transaction takes (the projection takes it after
// the documents it derives; a document change after its document).
func (s *Store) markStock(ctx context.Context, tx *sql.Tx, keys map[string][]docs.StockKey) error {
	tenants := make([]string, 0, len(keys))
	for t := range keys {
		tenants = append(tenants, t)
	}
	sort.Strings(tenants)
	for _, tenant := range tenants {
		ks := keys[tenant]
		sort.Slice(ks, func(i, j int) bool {
			if ks[i].Site != ks[j].Site {
				return ks[i].Site < ks[j].Site
			}
			return ks[i].SKU < ks[j].SKU
		})
		uniq := ks[:0:0]
		for i, k := range ks {
			if i == 0 || k != ks[i-1] {
				uniq = append(uniq, k)
			}
		}
		if len(uniq) == 0 {
			continue
		}
		var last int64
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO stock_feed_seq (tenant, seq) VALUES (?, ?)
			ON CONFLICT (tenant) DO UPDATE SET seq = stock_feed_seq.seq + excluded.seq RETURNING seq`), tenant, len(uniq)).Scan(&last); err != nil {
			return fmt.Errorf("stock feed counter: %w", err)
		}
		seq := last - int64(len(uniq))
		for rest := uniq; len(rest) > 0; {
			n := min(len(rest), feedChunk)
			var b strings.Builder
			b.WriteString(`INSERT INTO stock_feed (tenant, site, sku, seq) VALUES `)
			args := make([]any, 0, 4*n)
			for i, k := range rest[:n] {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`(?, ?, ?, ?)`)
				seq++
				args = append(args, tenant, k.Site, k.SKU, seq)
			}
			b.WriteString(` ON CONFLICT (tenant, site, sku) DO UPDATE SET seq = excluded.seq`)
			if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
				return fmt.Errorf("stock feed: %w", err)
			}
			rest = rest[n:]
		}
	}
	return nil
}

// feedOfTouched adds to keys the (site, SKU) of the lines of the sales
// orders that the touched pick lists were made from: their picks move
// what the orders reserve.
func (s *Store) feedOfTouched(ctx context.Context, tx *sql.Tx, touched map[docKey]bool, keys map[string][]docs.StockKey) error {
	prefix := docs.TypeOf(docs.TypePickList).Prefix
	for k := range touched {
		if !strings.HasPrefix(k.number, prefix) {
			continue
		}
		err := s.queryRows(ctx, tx, s.q(`SELECT o.site, l.sku FROM docs p JOIN docs o ON o.tenant = p.tenant AND o.number = p.ref
			JOIN doc_lines l ON l.doc_id = o.id WHERE p.tenant = ? AND p.number = ? AND o.type = ?`),
			[]any{k.tenant, k.number, docs.TypeSalesOrder}, func(rows *sql.Rows) error {
				var sk docs.StockKey
				if err := rows.Scan(&sk.Site, &sk.SKU); err != nil {
					return err
				}
				keys[k.tenant] = append(keys[k.tenant], sk)
				return nil
			})
		if err != nil {
			return fmt.Errorf("sales order of %s: %w", k.number, err)
		}
	}
	return nil
}

// StockFeed returns at most limit keys of the tenant's stock feed with a
// sequence number above after, in sequence order.
func (s *Store) StockFeed(ctx context.Context, tenant string, after int64, limit int) ([]docs.FeedKey, error) {
	var out []docs.FeedKey
	err := s.queryRows(ctx, s.read, s.q(`SELECT site, sku, seq FROM stock_feed WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?`),
		[]any{tenant, after, limit}, func(rows *sql.Rows) error {
			var k docs.FeedKey
			if err := rows.Scan(&k.Site, &k.SKU, &k.Seq); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	if err != nil {
		return nil, s.classify(fmt.Errorf("read the stock feed: %w", err))
	}
	return out, nil
}
