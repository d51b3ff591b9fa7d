using System.Net.Http.Headers;

namespace MergeTrain.GitLab.Api;

/// <summary>How long to wait before the next attempt of a GitLab call.</summary>
internal sealed class Backoff(GitLabClientOptions options, TimeProvider timeProvider)
{
    private readonly Random _random = options.JitterSeed is { } seed ? new Random(seed) : Random.Shared;
    private readonly Lock _randomLock = new();

    /// <summary>
    /// Exponential backoff with jitter: half of <c>BaseDelay * 2^(attempt-1)</c> fixed, half random,
    /// so clients that failed together do not come back together. A <c>Retry-After</c> wins when it
    /// is longer. Both are capped by <see cref="GitLabClientOptions.MaxDelay"/>.
    /// </summary>
    /// <param name="failedAttempt">The attempt that just failed, from 1.</param>
    /// <param name="retryAfter">The answer's <c>Retry-After</c>, if any.</param>
    public TimeSpan DelayAfter(int failedAttempt, RetryConditionHeaderValue? retryAfter)
    {
        var exponential = options.BaseDelay.TotalMilliseconds * Math.Pow(2, failedAttempt - 1);
        var capped = Math.Min(exponential, options.MaxDelay.TotalMilliseconds);
        double fraction;
        lock (_randomLock)
        {
            fraction = _random.NextDouble();
        }

        var delay = TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * fraction)));
        var asked = RetryAfter(retryAfter);
        if (asked > delay)
        {
            delay = asked;
        }

        return delay > options.MaxDelay ? options.MaxDelay : delay;
    }

    private TimeSpan RetryAfter(RetryConditionHeaderValue? retryAfter)
    {
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return TimeSpan.Zero;
    }
}
