-- Forks of this ledger to a new replica ID (agent.Fork): the cloud held
-- events of the old ID that this ledger did not, e.g. after the data folder
-- was restored from a backup. fork_seq is the last seq of the old ID kept as
-- this ledger's own; moved is how many own events after it were written
-- again under the new ID. ledger.replica is the newest new_replica.
CREATE TABLE forks (
	new_replica INTEGER PRIMARY KEY, -- syncproto.ReplicaID as its int64 bit pattern
	old_replica INTEGER NOT NULL,
	fork_seq    INTEGER NOT NULL,
	moved       INTEGER NOT NULL,
	reason      TEXT    NOT NULL,
	created_at  TEXT    NOT NULL
);
