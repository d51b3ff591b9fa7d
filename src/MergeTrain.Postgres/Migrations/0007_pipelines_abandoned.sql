-- A pipeline the train no longer follows (cancelled, or left behind by a rebuild, a drop or a
-- merge) is marked abandoned when the train's state stops referring to it; the poller asks
-- GitLab only about pipelines that are neither finished nor abandoned. Before this, a pipeline
-- the service cancelled stayed "running" in its records and was polled every round for ever.
ALTER TABLE pipelines ADD COLUMN abandoned_at timestamptz;

-- Rows of earlier releases are marked by their train's next decision that stops following a
-- pipeline (any merge or drop), which marks every pipeline its state no longer refers to.
