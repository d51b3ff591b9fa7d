-- The leader lease: one row per election name. UNLOGGED because a lease is worthless after a
-- crash anyway (it expires), and writing it must not cost WAL on every renewal.
CREATE UNLOGGED TABLE leader (
    name       text        PRIMARY KEY,
    leader_id  text        NOT NULL,
    elected_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
