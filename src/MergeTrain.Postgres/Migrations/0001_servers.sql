-- Service instances and their heartbeats: what the dashboard shows as "servers", and how the
-- leader will tell a dead instance from a busy one.
CREATE TABLE servers (
    id           text        PRIMARY KEY,
    hostname     text        NOT NULL,
    process_id   integer     NOT NULL,
    version      text        NOT NULL,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

CREATE INDEX servers_heartbeat_at ON servers (heartbeat_at);
