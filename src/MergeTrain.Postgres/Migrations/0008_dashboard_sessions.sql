-- Browsers log in to the dashboard with an API token and get a server-side session instead of
-- the token in a cookie (docs/adr/0008-dashboard-sessions-and-shared-data-protection-keys.md).
-- The cookie holds a random id, signed; only its SHA-256 is kept here, so reading this table
-- does not let anyone in. Logging out deletes the row, which every instance sees at once.
-- token_name and role say whose token opened the session: the session is honoured only while a
-- configured token still has that name and role.
CREATE TABLE dashboard_sessions (
    id_sha256  bytea       PRIMARY KEY CHECK (octet_length(id_sha256) = 32),
    token_name text        NOT NULL,
    role       text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

-- The prune job deletes expired sessions by this.
CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);

-- ASP.NET Data Protection's key ring (the keys that sign session cookies and antiforgery
-- tokens), shared by every instance on this database so that a cookie or a form from one
-- instance is good on the others. One row per key, as Data Protection names and writes it.
CREATE TABLE data_protection_keys (
    friendly_name text        PRIMARY KEY,
    xml           text        NOT NULL,
    stored_at     timestamptz NOT NULL DEFAULT now()
);
