-- Pack barcodes in the catalogue: a GTIN may stand for a pack (a case of 24
-- bottles) of its SKU, factor of the SKU's quantities (pieces, or grams for
-- goods sold by weight); 1 for the SKU's own barcodes. A scan or an SGTIN
-- EPC of a pack books factor quantities. Product records from the cloud
-- carry packs (ProductRecord.packs); PUT /api/v1/products may give factor.
ALTER TABLE products ADD COLUMN factor INTEGER NOT NULL DEFAULT 1 CHECK (factor >= 1);
