-- 0002_conflicts: a replica found writing two bodies under one (replica, seq)
-- (a ledger restored from a backup, or a copied data folder). conflict_seq is
-- the lowest such seq, 0 when none; nothing of the replica at or above it is
-- stored from then on.
ALTER TABLE replicas ADD COLUMN conflict_seq bigint NOT NULL DEFAULT 0;
