-- 0007_masterdata: HQ's master data (cloud/masterdata): categories, units,
-- products and their SKUs, sites, bins, stock limits, suppliers,
-- customers, settlement accounts and settings. One table holds every
-- kind: the columns all kinds share, and the record as JSON in body; the
-- service checks each kind's fields. Times are Unix milliseconds.

CREATE TABLE md_records (
    id         INTEGER PRIMARY KEY,
    tenant     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    site       TEXT    NOT NULL, -- '' unless the kind belongs to one site (bins, stock limits)
    code       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    parent_id  INTEGER NOT NULL, -- a category's parent, a SKU's product; 0 for none
    disabled   INTEGER NOT NULL,
    version    INTEGER NOT NULL, -- bumped by every change: the ETag
    rev        INTEGER NOT NULL, -- the tenant's revision (md_revisions) at the last change
    body       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    UNIQUE (tenant, kind, site, code)
) STRICT;

CREATE INDEX md_records_name ON md_records (tenant, kind, name);
CREATE INDEX md_records_updated ON md_records (tenant, kind, updated_at);
CREATE INDEX md_records_parent ON md_records (tenant, kind, parent_id);

-- The values a kind's lists filter by (a product's brand, a customer's
-- region).
CREATE TABLE md_filters (
    tenant TEXT    NOT NULL,
    kind   TEXT    NOT NULL,
    name   TEXT    NOT NULL,
    value  TEXT    NOT NULL,
    id     INTEGER NOT NULL,
    PRIMARY KEY (tenant, kind, name, value, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX md_filters_id ON md_filters (id);

-- Values unique across a tenant (barcodes, PLUs) and the record owning each.
CREATE TABLE md_keys (
    tenant     TEXT    NOT NULL,
    space      TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    owner_kind TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL,
    PRIMARY KEY (tenant, space, value)
) STRICT, WITHOUT ROWID;

CREATE INDEX md_keys_owner ON md_keys (owner_id);

-- What each record refers to: a referenced record is never deleted, only
-- disabled.
CREATE TABLE md_refs (
    tenant    TEXT    NOT NULL,
    from_kind TEXT    NOT NULL,
    from_id   INTEGER NOT NULL,
    to_kind   TEXT    NOT NULL,
    to_id     INTEGER NOT NULL,
    PRIMARY KEY (from_id, to_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX md_refs_to ON md_refs (to_id, from_id);

-- Each tenant's revision of master data changes (md_records.rev). Kept
-- apart from master_revisions, so that the master records one change
-- publishes to agents have consecutive revisions.
CREATE TABLE md_revisions (
    tenant TEXT    NOT NULL PRIMARY KEY,
    rev    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
