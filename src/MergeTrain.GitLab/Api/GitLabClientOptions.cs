namespace MergeTrain.GitLab.Api;

/// <summary>
/// How <see cref="GitLabClient"/> retries and times out its calls; the resilience pipeline that
/// <see cref="GitLabServiceCollectionExtensions.AddGitLabClient"/> registers is built from these.
/// </summary>
public sealed class GitLabClientOptions
{
    /// <summary>Attempts per call, the first included (default 5; at least 1).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// The median backoff before the second attempt; it doubles before each further one, with jitter
    /// (default 500 ms).
    /// </summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest wait between two attempts (default 60 s), also for a <c>Retry-After</c> GitLab sends:
    /// a worker should not sleep for minutes inside one call; the job retries later instead.
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one attempt, answer body included, may take before it counts as a timeout (default 30 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one call may take with all its attempts and the waits between them (default 5 min);
    /// when it runs out the call fails as unavailable, whatever attempts were left.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Seed of the jitter added to backoff delays; null draws from a shared random source.</summary>
    public int? JitterSeed { get; set; }
}
