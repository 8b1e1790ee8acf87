-- The product catalogue: which SKU a GTIN stands for, so a scanned barcode
-- or an SGTIN EPC read at a gate can be booked to its SKU. Master data, not
-- events: the cloud is its single writer (DESIGN.md §4, down/master) and
-- PutProducts upserts it; it is not synced up and not part of on-hand.
-- gtin is always 14 digits with a valid check digit (agent.NormalizeGTIN).
CREATE TABLE products (
	gtin TEXT NOT NULL PRIMARY KEY,
	sku  TEXT NOT NULL,
	name TEXT NOT NULL,
	unit TEXT NOT NULL
) WITHOUT ROWID;
