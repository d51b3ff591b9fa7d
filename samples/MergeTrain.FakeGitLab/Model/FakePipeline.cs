namespace MergeTrain.FakeGitLab;

/// <summary>A snapshot of one pipeline run by the CI simulator.</summary>
public sealed record FakePipeline
{
    public required long Id { get; init; }

    public required long Iid { get; init; }

    public required long ProjectId { get; init; }

    public required string Sha { get; init; }

    public required string Ref { get; init; }

    /// <summary>GitLab's pipeline status: created, running, success, failed, canceling, canceled.</summary>
    public required string Status { get; init; }

    public string Source { get; init; } = "api";

    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    public required FakeUser User { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why the simulator decided the result (the lint finding, a forced result, a cancel).</summary>
    public string Log { get; init; } = "";

    public required string WebUrl { get; init; }

    /// <summary>Every job, retried ones included, in creation order.</summary>
    public IReadOnlyList<FakeJob> Jobs { get; init; } = [];

    /// <summary>The latest try of each job: what GitLab lists by default and the status is made of.</summary>
    public IEnumerable<FakeJob> LatestJobs => Jobs.Where(job => !job.Retried);

    public bool IsFinished => PipelineStatuses.IsFinished(Status);

    /// <summary>Whole seconds between start and finish, as GitLab reports <c>duration</c>.</summary>
    public int? DurationSeconds => StartedAt is { } started && FinishedAt is { } finished
        ? (int)Math.Max(0, Math.Round((finished - started).TotalSeconds)) : null;
}

/// <summary>The pipeline statuses the simulator uses.</summary>
public static class PipelineStatuses
{
    public const string Created = "created";
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Success = "success";
    public const string Failed = "failed";

    /// <summary>Being cancelled: GitLab's state while the cancelled jobs' <c>after_script</c> still runs; not finished.</summary>
    public const string Canceling = "canceling";

    public const string Canceled = "canceled";

    public static bool IsFinished(string status) => status is Success or Failed or Canceled or "skipped";
}
