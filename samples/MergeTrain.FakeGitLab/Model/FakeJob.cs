namespace MergeTrain.FakeGitLab;

/// <summary>One job of a simulated pipeline; a retry replaces a failed job by a new one of the same name.</summary>
public sealed record FakeJob
{
    public required long Id { get; init; }

    public required string Name { get; init; }

    public string Stage { get; init; } = "test";

    /// <summary>GitLab's job status: created, pending, running, success, failed, canceled.</summary>
    public required string Status { get; init; }

    /// <summary>True for a job a pipeline retry replaced (GitLab lists it only with <c>include_retried</c>).</summary>
    public bool Retried { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool IsFinished => PipelineStatuses.IsFinished(Status);
}
