-- 0005_master: the master records agents receive (cloud/master).

-- master_revisions is each tenant's revision counter. A transaction that
-- stores master records updates the tenant's row first and holds it until
-- it commits, so revisions are handed out, and become visible, in order.
CREATE TABLE master_revisions (
    tenant TEXT    NOT NULL PRIMARY KEY,
    rev    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- master_records holds the current version of every record: site '' means
-- every site of the tenant. A deleted record stays as a tombstone (deleted
-- 1, empty body) so agents learn of the deletion.
CREATE TABLE master_records (
    tenant  TEXT    NOT NULL,
    site    TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    rev     INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    body    BLOB    NOT NULL,
    PRIMARY KEY (tenant, site, kind, key)
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX master_records_rev ON master_records (tenant, rev);
