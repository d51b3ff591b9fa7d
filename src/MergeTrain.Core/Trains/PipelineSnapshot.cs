namespace MergeTrain.Core.Trains;

/// <summary>A pipeline the train started, as last reported.</summary>
/// <param name="Id">GitLab's pipeline id.</param>
/// <param name="Sha">The commit it runs on.</param>
/// <param name="Ref">The branch it runs on.</param>
/// <param name="Status">The last reported status.</param>
/// <param name="WebUrl">Its page, when known.</param>
/// <param name="CreatedAt">When the train learnt of it.</param>
/// <param name="UpdatedAt">When its status last changed.</param>
public sealed record PipelineSnapshot(
    long Id,
    string Sha,
    string Ref,
    PipelineStatus Status,
    string? WebUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>When its failed jobs were last retried in place; its time since then is the retry's.</summary>
    public DateTimeOffset? RetriedAt { get; init; }

    /// <summary>When its latest run began: the retry, or its creation.</summary>
    public DateTimeOffset RunStartedAt => RetriedAt ?? CreatedAt;
}
