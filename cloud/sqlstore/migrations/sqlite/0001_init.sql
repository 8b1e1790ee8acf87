-- 0001_init: replicas, their events, and the on-hand cache derived from them.
-- Replica IDs, seqs and HLCs are uint64 on the wire and stored as the int64
-- with the same bits; seqs are checked to be below 2^63 before they get here.

CREATE TABLE replicas (
    replica    INTEGER NOT NULL PRIMARY KEY,
    tenant     TEXT    NOT NULL,
    site       TEXT    NOT NULL,
    -- watermark is the highest seq with every seq up to it stored.
    watermark  INTEGER NOT NULL,
    -- max_seq is the highest stored seq; max_seq > watermark means a gap.
    max_seq    INTEGER NOT NULL,
    first_seen INTEGER NOT NULL, -- Unix milliseconds
    last_seen  INTEGER NOT NULL  -- Unix milliseconds
) STRICT;

CREATE INDEX replicas_site ON replicas (tenant, site);

-- events is the grow-only set of every replica's events. body is the event's
-- encoding exactly as received, so kinds this build does not know are kept
-- byte for byte; the other columns are decoded from it for queries.
CREATE TABLE events (
    replica INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    hlc     INTEGER NOT NULL,
    kind    INTEGER NOT NULL, -- syncproto.Kind: 0 unknown, 1 movement, 2 count, 3 doc
    tenant  TEXT    NOT NULL,
    site    TEXT    NOT NULL,
    bin     TEXT    NOT NULL, -- '' unless a movement or count
    sku     TEXT    NOT NULL,
    lot     TEXT    NOT NULL,
    qty     INTEGER NOT NULL, -- movement delta or counted quantity, else 0
    body    BLOB    NOT NULL,
    PRIMARY KEY (replica, seq)
) STRICT, WITHOUT ROWID;

CREATE INDEX events_key ON events (tenant, site, bin, sku, lot, kind);

-- on_hand is a cache of syncproto.OnHandAll per tenant: one row per key that
-- has a movement or a count. count_replica/count_seq name the key's winning
-- count (0, 0 when it has none).
CREATE TABLE on_hand (
    tenant        TEXT    NOT NULL,
    site          TEXT    NOT NULL,
    bin           TEXT    NOT NULL,
    sku           TEXT    NOT NULL,
    lot           TEXT    NOT NULL,
    qty           INTEGER NOT NULL,
    count_replica INTEGER NOT NULL,
    count_seq     INTEGER NOT NULL,
    PRIMARY KEY (tenant, site, bin, sku, lot)
) STRICT, WITHOUT ROWID;
