-- 0014_doc_sites: document progress by the site that recorded it. Work
-- counts toward a document only when recorded at the document's site (or a
-- transfer's destination); what another site recorded naming it (a receipt
-- of another store's order number, say) is kept apart and shown on the
-- document, never counted. The projection reads the log again.

DROP TABLE doc_progress;
CREATE TABLE doc_progress (
    tenant  TEXT    NOT NULL,
    number  TEXT    NOT NULL,
    line    INTEGER NOT NULL,
    site    TEXT    NOT NULL,
    qty_in  INTEGER NOT NULL,
    qty_out INTEGER NOT NULL,
    moves   INTEGER NOT NULL,
    PRIMARY KEY (tenant, number, line, site)
) STRICT;

DROP TABLE doc_unlinked;
CREATE TABLE doc_unlinked (
    tenant  TEXT    NOT NULL,
    number  TEXT    NOT NULL,
    sku     TEXT    NOT NULL,
    site    TEXT    NOT NULL,
    qty_in  INTEGER NOT NULL,
    qty_out INTEGER NOT NULL,
    moves   INTEGER NOT NULL,
    PRIMARY KEY (tenant, number, sku, site)
) STRICT;

DELETE FROM doc_cursors;
