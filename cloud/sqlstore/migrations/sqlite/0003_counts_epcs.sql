-- 0003_counts_epcs: merged count state per key, count conflicts kept for
-- review, and the location of every serialized item (EPC).

-- counts is the key's merged count state (syncproto.CountState, binary),
-- so a new count merges in time proportional to its own context. NULL: no
-- count, or a row from before this migration (built once from the key's
-- count events when a new count arrives).
ALTER TABLE on_hand ADD COLUMN counts BLOB;

-- count_conflicts keeps every count that was concurrent with another count
-- of its key (neither had seen the other): an observation to review. Rows
-- are never deleted; whether a conflict is still open is read from the
-- key's count state.
CREATE TABLE count_conflicts (
    tenant   TEXT    NOT NULL,
    site     TEXT    NOT NULL,
    bin      TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    replica  INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    hlc      INTEGER NOT NULL,
    counted  INTEGER NOT NULL,
    operator TEXT    NOT NULL,
    device   TEXT    NOT NULL,
    detected INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (tenant, site, bin, sku, lot, replica, seq)
) STRICT, WITHOUT ROWID;

-- epc_locations is the last-writer-wins register of each EPC: the movement
-- with the greatest (hlc, replica, seq). hlc_ord and rep_ord are the uint64
-- HLC and replica with the top bit flipped, so that they order as int64
-- exactly as the unsigned values do.
CREATE TABLE epc_locations (
    tenant  TEXT    NOT NULL,
    epc     TEXT    NOT NULL,
    site    TEXT    NOT NULL,
    bin     TEXT    NOT NULL,
    sku     TEXT    NOT NULL,
    lot     TEXT    NOT NULL,
    qty     INTEGER NOT NULL, -- the movement's delta: > 0 brought it in
    hlc_ord INTEGER NOT NULL,
    rep_ord INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (tenant, epc)
) STRICT, WITHOUT ROWID;
