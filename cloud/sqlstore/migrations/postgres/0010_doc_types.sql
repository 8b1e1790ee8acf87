-- 0010_doc_types: every document type (cloud/docs/types.go) in the one
-- docs table. A document may have a destination site (a transfer), the
-- number of the document it was made from (ref; its lines name their
-- source line in doc_lines.ref_line), an outside system's id
-- (external_id: one document per type and id) and, when a site made it,
-- the edge document it records (edge_id: made once).
-- Progress keeps what came in and what went out apart (a transfer's two
-- legs); movements that named a document by number alone (an unplanned
-- receipt made before the order reached the site) are summed by SKU in
-- doc_unlinked and count toward the document's first line of that SKU.
-- The projection reads the log again from the start (cursors deleted),
-- and the statuses partly_received / received are now partly_done / done.

ALTER TABLE docs ADD COLUMN to_site text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE docs ADD COLUMN ref text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE docs ADD COLUMN external_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE docs ADD COLUMN edge_id text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX docs_ref ON docs (tenant, ref);
CREATE INDEX docs_to_site ON docs (tenant, type, to_site, number);
CREATE UNIQUE INDEX docs_external ON docs (tenant, type, external_id) WHERE external_id <> '';
CREATE UNIQUE INDEX docs_edge ON docs (tenant, edge_id) WHERE edge_id <> '';

ALTER TABLE doc_lines ADD COLUMN ref_line bigint  NOT NULL DEFAULT 0;

DROP TABLE doc_progress;
CREATE TABLE doc_progress (
    tenant  text COLLATE "C" NOT NULL,
    number  text COLLATE "C" NOT NULL,
    line    bigint  NOT NULL,
    qty_in  bigint  NOT NULL,
    qty_out bigint  NOT NULL,
    moves   bigint  NOT NULL,
    PRIMARY KEY (tenant, number, line)
);

CREATE TABLE doc_unlinked (
    tenant  text COLLATE "C" NOT NULL,
    number  text COLLATE "C" NOT NULL,
    sku     text COLLATE "C" NOT NULL,
    qty_in  bigint  NOT NULL,
    qty_out bigint  NOT NULL,
    moves   bigint  NOT NULL,
    PRIMARY KEY (tenant, number, sku)
);

DELETE FROM doc_cursors;
UPDATE docs SET status = 'partly_done' WHERE status = 'partly_received';
UPDATE docs SET status = 'done' WHERE status = 'received';
