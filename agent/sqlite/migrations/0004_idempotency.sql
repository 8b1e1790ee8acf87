-- Idempotency keys of the HTTP API (POST /api/v1/movements and /counts,
-- header Idempotency-Key): the event a key's first request wrote, so that a
-- retry is answered with the same receipt instead of writing the event again.
-- A row is written in the same transaction as its event. kind is the
-- event's syncproto.Kind, hash the SHA-256 of the request's content (the
-- event body without its hlc, or for a count without its context): a key
-- reused for other content is refused. seq and hlc name the own event.
CREATE TABLE idempotency (
	key  TEXT    NOT NULL PRIMARY KEY,
	kind INTEGER NOT NULL,
	hash BLOB    NOT NULL,
	seq  INTEGER NOT NULL,
	hlc  INTEGER NOT NULL
) WITHOUT ROWID;
