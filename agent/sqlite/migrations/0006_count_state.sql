-- counts is the merged state of a key's counts (syncproto.CountState,
-- binary): which counts are live, the greatest of all, and the union of
-- their contexts. It lets a new count be merged in time proportional to its
-- own context instead of re-reading every count of the key. NULL: the key
-- has no count. A derived cache like qty: Rebuild recomputes it.
ALTER TABLE stock ADD COLUMN counts BLOB;

-- Keys with counts from before this column get the marker x'00': the
-- writer builds their state from their count events once, when it first
-- loads the key.
UPDATE stock SET counts = x'00' WHERE id IN (SELECT key_id FROM events WHERE kind = 2);
