-- The catalogue's optional retail price: integer fen per one catalogue unit
-- (per kg for goods catalogued in kg, per piece for counted goods). 0 means
-- none is known. A scanning station needs it to book an in-store price
-- label (金额码): quantity = amount ÷ unit price.
ALTER TABLE products ADD COLUMN price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0);
