using Hangfire;
using MergeTrain.Application.Jobs;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// When a failed job runs again: attempt⁴ seconds plus one (2 s, 17 s, 82 s, 4.3 min, 10.4 min, …),
/// capped at a day, with ±10% jitter so that jobs that failed together do not retry together;
/// at most <see cref="Attempts"/> retries, none for a <see cref="PermanentJobFailureException"/>.
/// Hangfire applies it through its own retry filter (<see cref="Filter"/>).
/// </summary>
public static class RetryPolicy
{
    /// <summary>Retries before a job is left Failed for an operator (about 4.6 days of trying).</summary>
    public const int Attempts = 25;

    /// <summary>The longest wait before a retry.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    /// <summary>The wait without jitter after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public static TimeSpan BaseDelay(long attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var seconds = Math.Pow(attempt, 4) + 1;
        return seconds >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>, jittered by up to ±10% with <paramref name="random"/>.</summary>
    public static TimeSpan Delay(long attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var delay = BaseDelay(attempt);
        var jitter = (random.NextDouble() * 0.2) - 0.1;
        return delay + (delay * jitter);
    }

    /// <summary>Hangfire's retry filter configured with this policy: it replaces Hangfire's default one.</summary>
    public static AutomaticRetryAttribute Filter(Random random) => new()
    {
        Attempts = Attempts,
        DelayInSecondsByAttemptFunc = attempt => (int)Math.Ceiling(Delay(attempt, random).TotalSeconds),
        ExceptOn = [typeof(PermanentJobFailureException)],
        OnAttemptsExceeded = AttemptsExceededAction.Fail,
        LogEvents = true,
    };
}
