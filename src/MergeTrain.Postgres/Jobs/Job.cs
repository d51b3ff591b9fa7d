namespace MergeTrain.Postgres.Jobs;

/// <summary>A row of the <c>jobs</c> table.</summary>
public sealed record Job
{
    /// <summary>The job's id.</summary>
    public long Id { get; init; }

    /// <summary>What to do: selects the handler.</summary>
    public required string Kind { get; init; }

    /// <summary>Which workers take it.</summary>
    public string Queue { get; init; } = JobStore.DefaultQueue;

    /// <summary>The handler's arguments, as JSON.</summary>
    public string Args { get; init; } = "{}";

    /// <summary>Where the job is in its life.</summary>
    public JobState State { get; init; }

    /// <summary>Lower runs first.</summary>
    public short Priority { get; init; }

    /// <summary>How many times a server has picked it up.</summary>
    public int Attempt { get; init; }

    /// <summary>After this many failed attempts the job is discarded.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>One JSON object per failed attempt (<c>at</c>, <c>attempt</c>, <c>error</c>), as a JSON array.</summary>
    public string Errors { get; init; } = "[]";

    /// <summary>The servers that picked it up, in order.</summary>
    public IReadOnlyList<string> AttemptedBy { get; init; } = [];

    /// <summary>At most one pending job has this key.</summary>
    public string? UniqueKey { get; init; }

    /// <summary>When it was enqueued.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it may run (next).</summary>
    public DateTimeOffset ScheduledAt { get; init; }

    /// <summary>When a server last picked it up.</summary>
    public DateTimeOffset? AttemptedAt { get; init; }

    /// <summary>When it reached a final state.</summary>
    public DateTimeOffset? FinalizedAt { get; init; }
}
