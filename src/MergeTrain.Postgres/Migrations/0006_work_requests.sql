-- Hangfire takes over the background work (docs/adr/0007-hangfire.md); the home-made queue's
-- tables go. What the queue held that still mattered becomes a work request, so an upgrade loses
-- nothing: the sweeper enqueues a Hangfire job for every request it finds.

-- One row per piece of work that is wanted and not yet done: "refresh train 42", "drain the
-- webhooks of project 7". It commits with the state change that causes it; the job enqueued after
-- the commit takes it (taken_generation := generation), and deletes it when done only if nobody
-- asked again meanwhile (generation unchanged), so an event arriving during a run causes exactly
-- one more run. A row whose job never came (a crash between commit and enqueue) is found by the
-- sweeper. failed_at marks a row whose last run failed and waits for Hangfire's retry; a new
-- request enqueues a job at once rather than waiting out the retry's back-off.
CREATE TABLE work_requests (
    kind             text        NOT NULL CHECK (kind IN ('refresh_train', 'drain_webhooks')),
    key              bigint      NOT NULL,              -- train id or project id
    generation       bigint      NOT NULL DEFAULT 1,
    taken_generation bigint,
    requested_at     timestamptz NOT NULL,
    taken_at         timestamptz,
    failed_at        timestamptz,
    PRIMARY KEY (kind, key)
);

CREATE INDEX work_requests_by_age ON work_requests (requested_at);

-- Pending work of the old queue: refreshes and drains that were waiting, retrying or running.
-- Timers need nothing: trains.next_timer_at holds them and the sweeper wakes trains that are due.
INSERT INTO work_requests (kind, key, requested_at)
SELECT DISTINCT ON (kind, key) kind, key, now()
FROM (
    SELECT 'refresh_train' AS kind, (args->>'train_id')::bigint AS key
    FROM jobs WHERE kind = 'refresh_train' AND state IN ('available', 'scheduled', 'retryable', 'running')
    UNION ALL
    SELECT 'drain_webhooks', (args->>'project_id')::bigint
    FROM jobs WHERE kind = 'process_webhook' AND state IN ('available', 'scheduled', 'retryable', 'running')
) pending
WHERE key IS NOT NULL
ON CONFLICT DO NOTHING;

-- Effects were claimed by a job attempt of the old queue; a run now holds its train's advisory
-- lock instead, so an effect found in flight by the lock holder was left by a run that ended.
ALTER TABLE train_effects DROP COLUMN claimed_job, DROP COLUMN claimed_attempt;
ALTER TABLE train_effects ADD COLUMN claimed_by text;

DROP TABLE jobs;
DROP TABLE leader;
DROP TABLE servers;
