-- The flake record (issue 12): how often each CI job of a project failed, was retried in place
-- by the train (GitLab's pipeline retry), and then passed (flaky) or failed again. Written in the
-- transaction that saves the decision deciding the outcome, so a decision counts once.
CREATE TABLE flaky_jobs (
    project_id      bigint      NOT NULL REFERENCES projects (id),
    job_name        text        NOT NULL,
    passed_on_retry bigint      NOT NULL DEFAULT 0,
    failed_again    bigint      NOT NULL DEFAULT 0,
    last_iid        integer     NOT NULL,          -- the MR of the latest outcome
    last_pipeline   bigint      NOT NULL,          -- its pipeline
    last_outcome    text        NOT NULL CHECK (last_outcome IN ('passed_on_retry', 'failed_again')),
    last_at         timestamptz NOT NULL,
    PRIMARY KEY (project_id, job_name)
);

-- The dashboard lists the flakiest jobs first.
CREATE INDEX flaky_jobs_flakiest ON flaky_jobs (passed_on_retry DESC, failed_again DESC);
