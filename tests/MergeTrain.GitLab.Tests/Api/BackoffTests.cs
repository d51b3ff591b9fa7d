using System.Net.Http.Headers;
using MergeTrain.GitLab.Api;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Api;

[TestFixture]
public sealed class BackoffTests
{
    [Test]
    public void Delays_double_per_attempt_with_jitter_and_stop_at_the_cap()
    {
        var options = new GitLabClientOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10), JitterSeed = 11 };
        var backoff = new Backoff(options, TimeProvider.System);

        var delays = Enumerable.Range(1, 8).Select(attempt => backoff.DelayAfter(attempt, null)).ToList();

        delays[0].ShouldBeInRange(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        delays[1].ShouldBeInRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        delays[2].ShouldBeInRange(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        delays[3].ShouldBeInRange(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
        delays.Skip(4).ShouldAllBe(delay => delay >= TimeSpan.FromSeconds(5) && delay <= TimeSpan.FromSeconds(10));
    }

    [Test]
    public void The_same_seed_gives_the_same_delays_and_another_seed_others()
    {
        static List<TimeSpan> Delays(int seed)
        {
            var backoff = new Backoff(new GitLabClientOptions { JitterSeed = seed }, TimeProvider.System);
            return [.. Enumerable.Range(1, 4).Select(attempt => backoff.DelayAfter(attempt, null))];
        }

        Delays(5).ShouldBe(Delays(5));
        Delays(5).ShouldNotBe(Delays(6));
    }

    [Test]
    public void A_longer_retry_after_wins_and_a_shorter_one_does_not_shorten_the_backoff()
    {
        var backoff = new Backoff(new GitLabClientOptions { BaseDelay = TimeSpan.FromSeconds(4), JitterSeed = 1 }, TimeProvider.System);

        backoff.DelayAfter(1, new RetryConditionHeaderValue(TimeSpan.FromSeconds(20))).ShouldBe(TimeSpan.FromSeconds(20));
        backoff.DelayAfter(1, new RetryConditionHeaderValue(TimeSpan.FromSeconds(1))).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
    }

    [Test]
    public void A_retry_after_date_is_measured_from_the_injected_clock_and_capped()
    {
        var clock = new FixedClock(new DateTimeOffset(2025, 3, 11, 14, 0, 0, TimeSpan.Zero));
        var backoff = new Backoff(new GitLabClientOptions { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(60) }, clock);

        backoff.DelayAfter(1, new RetryConditionHeaderValue(clock.GetUtcNow().AddSeconds(30))).ShouldBe(TimeSpan.FromSeconds(30));
        backoff.DelayAfter(1, new RetryConditionHeaderValue(clock.GetUtcNow().AddHours(1))).ShouldBe(TimeSpan.FromSeconds(60));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
