using MergeTrain.Application.Repositories;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Trains;

public class FetchCoalescerTests
{
    [Test]
    public async Task Callers_during_a_running_fetch_share_one_next_fetch_that_starts_after_they_asked()
    {
        var started = new List<DateTime>();
        using var firstRunning = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        var fetches = 0;
        var coalescer = new FetchCoalescer(() =>
        {
            lock (started)
            {
                started.Add(DateTime.UtcNow);
            }

            if (Interlocked.Increment(ref fetches) == 1)
            {
                firstRunning.Set();
                releaseFirst.Wait(TimeSpan.FromSeconds(10));
            }
        });

        var first = coalescer.FetchAsync();
        firstRunning.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();
        var asked = DateTime.UtcNow;
        var waiting = Enumerable.Range(0, 10).Select(_ => coalescer.FetchAsync()).ToList();
        waiting.Distinct().Count().ShouldBe(1, "every caller during the first fetch shares one next fetch");
        releaseFirst.Set();
        await first;
        await Task.WhenAll(waiting);

        fetches.ShouldBe(2);
        started[1].ShouldBeGreaterThanOrEqualTo(asked, "the shared fetch started after the callers asked");
    }

    [Test]
    public async Task A_failed_fetch_fails_its_callers_and_the_next_call_fetches_again()
    {
        var calls = 0;
        var coalescer = new FetchCoalescer(() =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new IOException("network down");
            }
        });

        await Should.ThrowAsync<IOException>(coalescer.FetchAsync);
        await coalescer.FetchAsync();

        calls.ShouldBe(2);
    }
}
