namespace MergeTrain.GitLab.Api;

/// <summary>How <see cref="GitLabClient"/> retries and times out its calls.</summary>
public sealed class GitLabClientOptions
{
    /// <summary>Attempts per call, the first included (default 5; at least 1).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The backoff before the second attempt; it doubles before each further one (default 500 ms).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest wait between two attempts (default 60 s), also for a <c>Retry-After</c> GitLab sends:
    /// a worker should not sleep for minutes inside one call; the job retries later instead.
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one attempt, answer body included, may take before it counts as a timeout (default 30 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Seed of the jitter added to backoff delays; null draws from a shared random source.</summary>
    public int? JitterSeed { get; set; }
}
