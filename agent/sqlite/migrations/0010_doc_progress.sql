-- Work done at this site against documents, derived from the events (own
-- and applied peer events alike) and rebuilt by Rebuild.
--
-- doc_progress: per value of a movement's doc field ("NUMBER#LINE" of a
-- cloud document line, "NUMBER" alone for an unplanned receipt, "ID#LINE"
-- of an edge document), the sum of its movements' positive quantities
-- (pos, >= 0), of their negative ones (neg, <= 0), how many movements named
-- it (moves), and how many counts named it in Count.doc (counts: a count
-- plan's number). Sums saturate at ±2^63-1 rather than fail a commit.
CREATE TABLE doc_progress (
	doc    TEXT    NOT NULL PRIMARY KEY,
	pos    INTEGER NOT NULL,
	neg    INTEGER NOT NULL,
	moves  INTEGER NOT NULL,
	counts INTEGER NOT NULL
) WITHOUT ROWID;

-- edge_docs: every edge document (syncproto.EdgeDocID) a DocEvent of this
-- site opened or moved on. open_replica/open_seq name its opening event
-- (0 while only a later event is known); status, doc_type and the last_*
-- columns are those of its DocEvent with the greatest (hlc, replica), the
-- last-writer-wins register of DESIGN.md §3; ref is the EdgeDoc's ref (the
-- cloud document worked, or the sale a return is against) as the opening
-- event gives it, else the latest.
CREATE TABLE edge_docs (
	id           TEXT    NOT NULL PRIMARY KEY,
	doc_type     TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	ref          TEXT    NOT NULL,
	open_replica INTEGER NOT NULL,
	open_seq     INTEGER NOT NULL,
	last_replica INTEGER NOT NULL,
	last_seq     INTEGER NOT NULL,
	last_hlc     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX edge_docs_ref ON edge_docs (ref) WHERE ref <> '';
CREATE INDEX edge_docs_open ON edge_docs (open_replica, open_seq);

-- An idempotency key may stand for several events written together (a
-- document event and its movements): events is how many, from seq on.
ALTER TABLE idempotency ADD COLUMN events INTEGER NOT NULL DEFAULT 1;

-- docs_built says doc_progress and edge_docs hold every event's effect.
-- A ledger with events from before this migration has 0: Open rebuilds
-- them from the events once.
ALTER TABLE ledger ADD COLUMN docs_built INTEGER NOT NULL DEFAULT 0;
