-- The job queue (ADR 1): one table, modelled on River and Oban.
-- States: available (may run now), scheduled (runs at scheduled_at), running, retryable (failed,
-- runs again at scheduled_at), completed, discarded (failed for good), cancelled.
CREATE TABLE jobs (
    id           bigserial   PRIMARY KEY,
    kind         text        NOT NULL,
    queue        text        NOT NULL DEFAULT 'default',
    args         jsonb       NOT NULL DEFAULT '{}',
    state        text        NOT NULL DEFAULT 'available'
                 CHECK (state IN ('available', 'scheduled', 'running', 'retryable', 'completed', 'discarded', 'cancelled')),
    priority     smallint    NOT NULL DEFAULT 1,
    attempt      integer     NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL DEFAULT 20 CHECK (max_attempts > 0),
    -- One entry per failed attempt: {"at", "attempt", "error"}; never overwritten.
    errors       jsonb       NOT NULL DEFAULT '[]',
    -- Every server that picked the job up, in order; the last one holds it while it runs.
    attempted_by text[]      NOT NULL DEFAULT '{}',
    unique_key   text,
    created_at   timestamptz NOT NULL,
    scheduled_at timestamptz NOT NULL,
    attempted_at timestamptz,
    finalized_at timestamptz
);

-- The fetch query's path: available jobs of a queue by priority, then age.
CREATE INDEX jobs_fetch ON jobs (state, queue, priority, scheduled_at, id);

-- The leader's promotions (scheduled/retryable -> available) and prunes (finalized jobs by age).
CREATE INDEX jobs_scheduled ON jobs (scheduled_at) WHERE state IN ('scheduled', 'retryable');
CREATE INDEX jobs_finalized ON jobs (finalized_at) WHERE finalized_at IS NOT NULL;
CREATE INDEX jobs_kind ON jobs (kind, id);

-- At most one pending job per unique key ("refresh train 42/main"). Running jobs are left out on
-- purpose: an event that arrives while its train is being refreshed needs one more refresh.
CREATE UNIQUE INDEX jobs_unique_pending ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'retryable');
