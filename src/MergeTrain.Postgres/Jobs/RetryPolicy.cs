namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// When a failed job runs again: attempt⁴ seconds plus one (2 s, 17 s, 82 s, 4.3 min, 10.4 min, …),
/// capped at a day, with ±10% jitter so that jobs that failed together do not retry together.
/// </summary>
public sealed class RetryPolicy(Random random)
{
    /// <summary>The longest wait before a retry.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    /// <summary>The wait without jitter after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public static TimeSpan BaseDelay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var seconds = Math.Pow(attempt, 4) + 1;
        return seconds >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>, jittered by up to ±10%.</summary>
    public TimeSpan Delay(int attempt)
    {
        var delay = BaseDelay(attempt);
        var jitter = (random.NextDouble() * 0.2) - 0.1;
        return delay + (delay * jitter);
    }
}
