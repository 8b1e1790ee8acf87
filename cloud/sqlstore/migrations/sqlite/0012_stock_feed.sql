-- 0012_stock_feed: the stock feed for e-commerce (cloud/docs StockFeed).
-- stock_feed has one row per (tenant, site, sku) whose available quantity
-- may have changed, with the sequence number of its latest change;
-- stock_feed_seq is each tenant's last sequence number. A transaction
-- that marks keys takes the tenant's counter row (an UPDATE, held until
-- commit), so a tenant's sequence numbers become visible in commit
-- order: a reader that has seen seq n will see every later change with a
-- seq above n. Marked by the documents projection (every movement and
-- count it reads, and the sales orders of the pick lists it touched)
-- and by every change of a sales order.

CREATE TABLE stock_feed_seq (
    tenant TEXT    NOT NULL PRIMARY KEY,
    seq    INTEGER NOT NULL
) STRICT;

CREATE TABLE stock_feed (
    tenant TEXT    NOT NULL,
    site   TEXT    NOT NULL,
    sku    TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (tenant, site, sku)
) STRICT, WITHOUT ROWID;

CREATE INDEX stock_feed_seq_order ON stock_feed (tenant, seq);
-- Open sales orders by site and SKU (availability) and by partner (credit).
CREATE INDEX doc_lines_sku ON doc_lines (sku);
CREATE INDEX docs_partner_type ON docs (tenant, type, partner, status);
