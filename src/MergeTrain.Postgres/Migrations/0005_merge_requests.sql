-- What GitLab told us about merge requests and users, so that the API can answer with GitLab's
-- car objects (merge_request{...}, user{...}) without calling GitLab on every read.
CREATE TABLE merge_requests (
    project_id    bigint      NOT NULL,
    iid           integer     NOT NULL,
    id            bigint      NOT NULL,
    title         text        NOT NULL,
    description   text,
    state         text        NOT NULL,
    web_url       text,
    created_at    timestamptz,
    updated_at    timestamptz,
    seen_at       timestamptz NOT NULL,
    PRIMARY KEY (project_id, iid)
);

CREATE TABLE gitlab_users (
    username   text        PRIMARY KEY,
    id         bigint      NOT NULL,
    name       text        NOT NULL,
    state      text,
    avatar_url text,
    web_url    text,
    seen_at    timestamptz NOT NULL
);
