-- Master data from the cloud (DESIGN.md §4, down/master): the current
-- version of every master record addressed to this site, by (kind, key),
-- as received (body is the kind's protobuf, or a device profile's YAML); a
-- deleted record stays as a tombstone. Records of kinds this build does not
-- know are kept and applied to nothing.
CREATE TABLE master_records (
	kind    TEXT    NOT NULL,
	key     TEXT    NOT NULL,
	rev     INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	body    BLOB    NOT NULL,
	PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- The master revision this ledger holds: every record for the site up to
-- it has been applied. Advanced only by a batch whose from_rev equals it.
ALTER TABLE ledger ADD COLUMN master_rev INTEGER NOT NULL DEFAULT 0;

-- Product records replace a SKU's catalogue rows (its GTINs) as a whole.
CREATE INDEX products_sku ON products (sku);
