-- 0014_doc_sites: document progress by the site that recorded it. Work
-- counts toward a document only when recorded at the document's site (or a
-- transfer's destination); what another site recorded naming it (a receipt
-- of another store's order number, say) is kept apart and shown on the
-- document, never counted. The projection reads the log again.

DROP TABLE doc_progress;
CREATE TABLE doc_progress (
    tenant  text COLLATE "C" NOT NULL,
    number  text COLLATE "C" NOT NULL,
    line    bigint  NOT NULL,
    site    text COLLATE "C" NOT NULL,
    qty_in  bigint  NOT NULL,
    qty_out bigint  NOT NULL,
    moves   bigint  NOT NULL,
    PRIMARY KEY (tenant, number, line, site)
);

DROP TABLE doc_unlinked;
CREATE TABLE doc_unlinked (
    tenant  text COLLATE "C" NOT NULL,
    number  text COLLATE "C" NOT NULL,
    sku     text COLLATE "C" NOT NULL,
    site    text COLLATE "C" NOT NULL,
    qty_in  bigint  NOT NULL,
    qty_out bigint  NOT NULL,
    moves   bigint  NOT NULL,
    PRIMARY KEY (tenant, number, sku, site)
);

DELETE FROM doc_cursors;
