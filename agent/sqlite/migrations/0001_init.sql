-- The ledger's identity: one row, written on first open.
CREATE TABLE ledger (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	replica    INTEGER NOT NULL, -- syncproto.ReplicaID as its int64 bit pattern
	tenant     TEXT    NOT NULL,
	site       TEXT    NOT NULL,
	acked_seq  INTEGER NOT NULL DEFAULT 0,
	created_at TEXT    NOT NULL
);

-- Derived on-hand of (bin, sku, lot) at this ledger's site; rebuilt from
-- events by Rebuild. A row exists for every key that has a movement or a
-- count, also when its quantity is 0.
CREATE TABLE stock (
	id  INTEGER PRIMARY KEY,
	bin TEXT    NOT NULL,
	sku TEXT    NOT NULL,
	lot TEXT    NOT NULL,
	qty INTEGER NOT NULL,
	UNIQUE (bin, sku, lot)
);

-- Every event this replica wrote or applied from a peer, keyed by
-- (replica, seq). body is the event's Raw encoding (replica, seq and site
-- unset). kind is syncproto.Kind; key_id names the stock row a movement or
-- count touches; qty is a movement's delta or a count's counted quantity.
CREATE TABLE events (
	replica INTEGER NOT NULL,
	seq     INTEGER NOT NULL,
	hlc     INTEGER NOT NULL,
	kind    INTEGER NOT NULL,
	key_id  INTEGER REFERENCES stock (id),
	qty     INTEGER NOT NULL,
	body    BLOB    NOT NULL,
	PRIMARY KEY (replica, seq)
) WITHOUT ROWID;

-- A key's counts are found through this index. It holds counts only, so
-- appending movements never touches it: an index over every event's key
-- would put each append's entry on another page and cost several times the
-- append itself. A key's movements are read by (replica, seq) ranges.
CREATE INDEX events_counts ON events (key_id) WHERE kind = 2;

-- Peer replicas of this site: the highest seq applied (every seq up to it is
-- stored) and the greatest HLC among their events, so the clock resumes
-- after it.
CREATE TABLE peers (
	replica     INTEGER PRIMARY KEY,
	applied_seq INTEGER NOT NULL,
	max_hlc     INTEGER NOT NULL
);
