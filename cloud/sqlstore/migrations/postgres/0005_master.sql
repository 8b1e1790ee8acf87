-- 0005_master: the master records agents receive (cloud/master).

-- master_revisions is each tenant's revision counter. A transaction that
-- stores master records updates the tenant's row first and holds its row
-- lock until it commits, so revisions are handed out, and become visible,
-- in order: a reader never sees revision n+1 committed before n.
CREATE TABLE master_revisions (
    tenant text COLLATE "C" NOT NULL PRIMARY KEY,
    rev    bigint NOT NULL
);

-- master_records holds the current version of every record: site '' means
-- every site of the tenant. A deleted record stays as a tombstone (deleted,
-- empty body) so agents learn of the deletion.
CREATE TABLE master_records (
    tenant  text COLLATE "C" NOT NULL,
    site    text COLLATE "C" NOT NULL,
    kind    text COLLATE "C" NOT NULL,
    key     text COLLATE "C" NOT NULL,
    rev     bigint  NOT NULL,
    deleted boolean NOT NULL,
    body    bytea   NOT NULL,
    PRIMARY KEY (tenant, site, kind, key)
);

CREATE UNIQUE INDEX master_records_rev ON master_records (tenant, rev);
