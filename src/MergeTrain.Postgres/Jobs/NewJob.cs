namespace MergeTrain.Postgres.Jobs;

/// <summary>A job to enqueue.</summary>
/// <param name="Kind">What to do: selects the handler.</param>
/// <param name="Args">The handler's arguments, as JSON.</param>
public sealed record NewJob(string Kind, string Args = "{}")
{
    /// <summary>Which workers take it.</summary>
    public string Queue { get; init; } = JobStore.DefaultQueue;

    /// <summary>Lower runs first (1 by default).</summary>
    public short Priority { get; init; } = 1;

    /// <summary>Attempts before the job is discarded.</summary>
    public int MaxAttempts { get; init; } = 20;

    /// <summary>Run no earlier than this; null runs at once.</summary>
    public DateTimeOffset? ScheduledAt { get; init; }

    /// <summary>
    /// When set, at most one pending (available, scheduled or retryable) job has this key: enqueuing
    /// again returns the pending one, moved earlier if the new one was due sooner.
    /// </summary>
    public string? UniqueKey { get; init; }
}

/// <summary>What enqueuing did.</summary>
/// <param name="Id">The job's id (the pending job's, for a duplicate).</param>
/// <param name="Duplicate">True when a pending job with the same unique key absorbed this one.</param>
/// <param name="State">The job's state after the call.</param>
public sealed record EnqueueResult(long Id, bool Duplicate, JobState State);
