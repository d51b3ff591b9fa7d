namespace MergeTrain.Simulator.Replay;

/// <summary>A merged MR as GitLab's API shows it, with every pipeline it ran, oldest first.</summary>
internal sealed record HistoryMergeRequest(int Iid, DateTimeOffset CreatedAt, DateTimeOffset? MergedAt, IReadOnlyList<HistoryPipeline> Pipelines);

/// <summary>One pipeline of an MR: GitLab's <c>ref</c>, <c>status</c>, <c>sha</c>, <c>created_at</c>, <c>finished_at</c> and <c>duration</c> (seconds).</summary>
internal sealed record HistoryPipeline(long Id, string Ref, string Sha, string Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int? DurationSeconds)
{
    /// <summary>
    /// A merged results or merge train pipeline (<c>refs/merge-requests/:iid/merge</c> or <c>/train</c>): its sha is a
    /// merge commit that changes whenever the target moves, so it says nothing about the author's pushes.
    /// </summary>
    public bool OnMergeCommit => Ref.StartsWith("refs/merge-requests/", StringComparison.Ordinal)
        && (Ref.EndsWith("/merge", StringComparison.Ordinal) || Ref.EndsWith("/train", StringComparison.Ordinal));
}
