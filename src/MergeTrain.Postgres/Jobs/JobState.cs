namespace MergeTrain.Postgres.Jobs;

/// <summary>A job's state, stored as its lower-case name. Hangfire's names are in <see cref="JobStateNames"/>.</summary>
public enum JobState
{
    /// <summary>May run now (Hangfire: Enqueued).</summary>
    Available,

    /// <summary>Runs at its scheduled time (Hangfire: Scheduled).</summary>
    Scheduled,

    /// <summary>A server is running it (Hangfire: Processing).</summary>
    Running,

    /// <summary>Failed; runs again at its scheduled time (Hangfire: Scheduled, with errors).</summary>
    Retryable,

    /// <summary>Done (Hangfire: Succeeded).</summary>
    Completed,

    /// <summary>Failed for good, or could not run at all (Hangfire: Failed).</summary>
    Discarded,

    /// <summary>Cancelled by an operator (Hangfire: Deleted).</summary>
    Cancelled,
}

/// <summary>Names of job states as the database and operators know them.</summary>
public static class JobStateNames
{
    /// <summary>The value stored in <c>jobs.state</c>.</summary>
    public static string ToDatabase(this JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>The tab an operator who knows Hangfire looks in.</summary>
    public static string ToHangfire(this JobState state) => state switch
    {
        JobState.Available => "Enqueued",
        JobState.Scheduled or JobState.Retryable => "Scheduled",
        JobState.Running => "Processing",
        JobState.Completed => "Succeeded",
        JobState.Discarded => "Failed",
        JobState.Cancelled => "Deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
