-- The largest discount a role's holders may give at the till, in percent
-- (0 … 100); a user gets the largest of their roles' (auth.Role).
ALTER TABLE roles ADD COLUMN max_discount_percent INTEGER NOT NULL DEFAULT 0 CHECK (max_discount_percent BETWEEN 0 AND 100);
