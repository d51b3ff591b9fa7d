-- Projects, trains and everything that happens to them. A train's authoritative state is the
-- engine's TrainState in trains.state; cars, pipelines and audit_events are written in the same
-- transaction as projections for the API, the dashboard and pipeline hook routing.

CREATE TABLE projects (
    id         bigint      PRIMARY KEY,           -- GitLab's numeric project id
    path       text        NOT NULL UNIQUE,       -- group/project
    settings   jsonb       NOT NULL,              -- the engine's TrainSettings
    updated_at timestamptz NOT NULL
);

CREATE TABLE trains (
    id            bigserial   PRIMARY KEY,
    project_id    bigint      NOT NULL REFERENCES projects (id),
    target_branch text        NOT NULL,
    state         jsonb       NOT NULL,
    -- Optimistic concurrency: every write checks and bumps it.
    version       bigint      NOT NULL DEFAULT 1,
    -- When the engine asked to be woken (pipeline timeouts); the refresh job is scheduled for it.
    next_timer_at timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (project_id, target_branch)
);

-- The inbox: events for a train, decided in id order by the train's refresh job. Appending one
-- and enqueuing the refresh happen in one transaction, so an accepted event is never lost.
CREATE TABLE train_events (
    id           bigserial   PRIMARY KEY,
    train_id     bigint      NOT NULL REFERENCES trains (id),
    event        jsonb       NOT NULL,
    source       text        NOT NULL,             -- webhook delivery, API call, effect result, timer
    received_at  timestamptz NOT NULL,
    decided_at   timestamptz
);

CREATE INDEX train_events_pending ON train_events (train_id, id) WHERE decided_at IS NULL;

-- The outbox: effects the engine decided, performed in id order per train. claimed_job and
-- claimed_attempt name the job attempt performing one; a claim by an attempt that is no longer
-- running is taken over, and the executor is told it may be a repeat.
CREATE TABLE train_effects (
    id              bigserial   PRIMARY KEY,
    train_id        bigint      NOT NULL REFERENCES trains (id),
    effect_key      text        NOT NULL,
    effect          jsonb       NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'done')),
    attempts        integer     NOT NULL DEFAULT 0,
    claimed_job     bigint,
    claimed_attempt integer,
    last_error      text,
    results         jsonb,
    created_at      timestamptz NOT NULL,
    performed_at    timestamptz,
    UNIQUE (train_id, effect_key)
);

CREATE INDEX train_effects_open ON train_effects (train_id, id) WHERE state <> 'done';

-- One row per car (an MR's stay on a train); a car added again later is a new row.
CREATE TABLE cars (
    id            bigserial   PRIMARY KEY,
    train_id      bigint      NOT NULL REFERENCES trains (id),
    project_id    bigint      NOT NULL,
    target_branch text        NOT NULL,
    iid           integer     NOT NULL,
    added_at      timestamptz NOT NULL,
    status        text        NOT NULL,
    drop_reason   text,
    position      integer,                        -- 1-based while active, null once finished
    car           jsonb       NOT NULL,           -- the engine's Car
    updated_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    UNIQUE (train_id, iid, added_at)
);

CREATE INDEX cars_by_project ON cars (project_id, target_branch, id);
CREATE UNIQUE INDEX cars_one_active_per_mr ON cars (project_id, iid) WHERE finished_at IS NULL;

-- Pipelines the service started, for routing pipeline hooks (by id, else by ref and sha).
CREATE TABLE pipelines (
    project_id  bigint      NOT NULL,
    id          bigint      NOT NULL,              -- GitLab's pipeline id
    train_id    bigint      NOT NULL REFERENCES trains (id),
    iid         integer     NOT NULL,
    sha         text        NOT NULL,
    ref         text        NOT NULL,
    status      text        NOT NULL,
    web_url     text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE INDEX pipelines_by_ref ON pipelines (project_id, ref, sha);

CREATE TABLE audit_events (
    id            bigserial   PRIMARY KEY,
    train_id      bigint      NOT NULL REFERENCES trains (id),
    project_id    bigint      NOT NULL,
    target_branch text        NOT NULL,
    occurred_at   timestamptz NOT NULL,
    actor         text        NOT NULL,
    iid           integer,
    from_status   text,
    to_status     text,
    reason        text        NOT NULL
);

CREATE INDEX audit_events_by_train ON audit_events (train_id, id);
CREATE INDEX audit_events_by_mr ON audit_events (project_id, iid, id);

-- Every webhook delivery: accepted, duplicate or rejected, with what identifies a redelivery.
CREATE TABLE webhook_deliveries (
    id              bigserial   PRIMARY KEY,
    received_at     timestamptz NOT NULL,
    project_id      bigint,
    event_kind      text,
    event_uuid      text,
    idempotency_key text,
    body_sha256     text        NOT NULL,
    body            jsonb,
    outcome         text        NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
    detail          text,
    processed_at    timestamptz
);

CREATE UNIQUE INDEX webhook_deliveries_idempotency_key ON webhook_deliveries (idempotency_key)
    WHERE idempotency_key IS NOT NULL AND outcome = 'accepted';
CREATE UNIQUE INDEX webhook_deliveries_uuid_body ON webhook_deliveries (event_uuid, body_sha256)
    WHERE event_uuid IS NOT NULL AND outcome = 'accepted';
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);
