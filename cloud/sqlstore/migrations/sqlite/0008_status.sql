-- 0008_status: the latest status each agent replica reported on up/status
-- (online, sync position, master revision, device health). Times are Unix
-- milliseconds; devices is JSON (cloud.DeviceStatus).
CREATE TABLE replica_status (
    tenant      TEXT    NOT NULL,
    site        TEXT    NOT NULL,
    replica     TEXT    NOT NULL,
    online      INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    acked_seq   INTEGER NOT NULL,
    master_rev  INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    devices     TEXT    NOT NULL,
    PRIMARY KEY (tenant, site, replica)
) STRICT, WITHOUT ROWID;
