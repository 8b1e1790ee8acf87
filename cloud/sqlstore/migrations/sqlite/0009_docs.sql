-- 0009_docs: the cloud's documents (cloud/docs): purchase orders first.
-- A document is one row of docs (the columns lists filter by, the
-- document as JSON in body) and its lines in doc_lines (what progress is
-- measured against). Numbers come from doc_counters, one row per
-- (tenant, prefix, day). Progress is a projection of the event log:
-- doc_progress sums the movements naming each line ("NUMBER#LINE"), and
-- doc_cursors is how far it has read each replica's events (never past
-- the replica's watermark). doc_projection has one row, locked by every
-- projection step so that steps of several processes run one at a time.
-- Times are Unix milliseconds; money is fen; quantities base units.

CREATE TABLE docs (
    id         INTEGER PRIMARY KEY,
    tenant     TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    number     TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    partner    TEXT    NOT NULL, -- supplier or customer code
    site       TEXT    NOT NULL,
    doc_date   TEXT    NOT NULL, -- yyyy-mm-dd
    version    INTEGER NOT NULL,
    net        INTEGER NOT NULL,
    tax        INTEGER NOT NULL,
    gross      INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    UNIQUE (tenant, number)
) STRICT;

CREATE INDEX docs_type ON docs (tenant, type, number);
CREATE INDEX docs_status ON docs (tenant, type, status, number);
CREATE INDEX docs_site ON docs (tenant, type, site, number);
CREATE INDEX docs_partner ON docs (tenant, type, partner, number);
CREATE INDEX docs_date ON docs (tenant, type, doc_date);

CREATE TABLE doc_lines (
    doc_id   INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    sku      TEXT    NOT NULL,
    qty_base INTEGER NOT NULL,
    PRIMARY KEY (doc_id, line)
) STRICT, WITHOUT ROWID;

CREATE TABLE doc_counters (
    tenant TEXT    NOT NULL,
    prefix TEXT    NOT NULL,
    day    TEXT    NOT NULL, -- yyyymmdd
    last   INTEGER NOT NULL,
    PRIMARY KEY (tenant, prefix, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE doc_progress (
    tenant TEXT    NOT NULL,
    number TEXT    NOT NULL,
    line   INTEGER NOT NULL,
    qty    INTEGER NOT NULL,
    moves  INTEGER NOT NULL,
    PRIMARY KEY (tenant, number, line)
) STRICT, WITHOUT ROWID;

CREATE TABLE doc_cursors (
    replica INTEGER NOT NULL PRIMARY KEY,
    seq     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE doc_projection (
    id    INTEGER NOT NULL PRIMARY KEY,
    steps INTEGER NOT NULL
) STRICT;

INSERT INTO doc_projection (id, steps) VALUES (1, 0);
