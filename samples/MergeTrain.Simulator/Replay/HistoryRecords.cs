namespace MergeTrain.Simulator.Replay;

/// <summary>A merged MR as GitLab's API shows it, with every pipeline it ran, oldest first.</summary>
internal sealed record HistoryMergeRequest(int Iid, DateTimeOffset CreatedAt, DateTimeOffset? MergedAt, IReadOnlyList<HistoryPipeline> Pipelines);

/// <summary>One pipeline of an MR: GitLab's <c>status</c>, <c>sha</c>, <c>created_at</c>, <c>finished_at</c> and <c>duration</c> (seconds).</summary>
internal sealed record HistoryPipeline(long Id, string Sha, string Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int? DurationSeconds);
