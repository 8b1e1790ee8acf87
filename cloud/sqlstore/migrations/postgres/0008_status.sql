-- 0008_status: the latest status each agent replica reported on up/status
-- (online, sync position, master revision, device health). Times are Unix
-- milliseconds; devices is JSON (cloud.DeviceStatus).
CREATE TABLE replica_status (
    tenant      text COLLATE "C" NOT NULL,
    site        text COLLATE "C" NOT NULL,
    replica     text COLLATE "C" NOT NULL,
    online      boolean NOT NULL,
    last_seq    bigint  NOT NULL,
    acked_seq   bigint  NOT NULL,
    master_rev  bigint  NOT NULL,
    reported_at bigint  NOT NULL,
    received_at bigint  NOT NULL,
    devices     text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, site, replica)
);
