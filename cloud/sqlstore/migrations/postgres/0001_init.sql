-- 0001_init: replicas, their events, and the on-hand cache derived from them.
-- Replica IDs, seqs and HLCs are uint64 on the wire and stored as the bigint
-- with the same bits; seqs are checked to be below 2^63 before they get here.
-- Text columns use the "C" collation so that ORDER BY is byte order, the
-- same as SQLite and Go.

CREATE TABLE replicas (
    replica    bigint NOT NULL PRIMARY KEY,
    tenant     text COLLATE "C" NOT NULL,
    site       text COLLATE "C" NOT NULL,
    -- watermark is the highest seq with every seq up to it stored.
    watermark  bigint NOT NULL,
    -- max_seq is the highest stored seq; max_seq > watermark means a gap.
    max_seq    bigint NOT NULL,
    first_seen bigint NOT NULL, -- Unix milliseconds
    last_seen  bigint NOT NULL  -- Unix milliseconds
);

CREATE INDEX replicas_site ON replicas (tenant, site);

-- events is the grow-only set of every replica's events. body is the event's
-- encoding exactly as received, so kinds this build does not know are kept
-- byte for byte; the other columns are decoded from it for queries.
CREATE TABLE events (
    replica bigint   NOT NULL,
    seq     bigint   NOT NULL,
    hlc     bigint   NOT NULL,
    kind    smallint NOT NULL, -- syncproto.Kind: 0 unknown, 1 movement, 2 count, 3 doc
    tenant  text COLLATE "C" NOT NULL,
    site    text COLLATE "C" NOT NULL,
    bin     text COLLATE "C" NOT NULL, -- '' unless a movement or count
    sku     text COLLATE "C" NOT NULL,
    lot     text COLLATE "C" NOT NULL,
    qty     bigint   NOT NULL, -- movement delta or counted quantity, else 0
    body    bytea    NOT NULL,
    PRIMARY KEY (replica, seq)
);

CREATE INDEX events_key ON events (tenant, site, bin, sku, lot, kind);

-- on_hand is a cache of syncproto.OnHandAll per tenant: one row per key that
-- has a movement or a count. count_replica/count_seq name the key's winning
-- count (0, 0 when it has none). Rows are updated often: leave room for HOT
-- updates.
CREATE TABLE on_hand (
    tenant        text COLLATE "C" NOT NULL,
    site          text COLLATE "C" NOT NULL,
    bin           text COLLATE "C" NOT NULL,
    sku           text COLLATE "C" NOT NULL,
    lot           text COLLATE "C" NOT NULL,
    qty           bigint NOT NULL,
    count_replica bigint NOT NULL,
    count_seq     bigint NOT NULL,
    PRIMARY KEY (tenant, site, bin, sku, lot)
) WITH (fillfactor = 80);
