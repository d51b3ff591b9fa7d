using Dapper;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Work;

public class ExclusiveWorkTests : ServiceDatabaseTest
{
    private static readonly WorkRequest Drain = WorkRequest.DrainWebhooks(7);

    [Test]
    public async Task Only_the_request_that_creates_the_row_needs_a_job_until_a_run_takes_and_finishes_it()
    {
        var now = DateTimeOffset.UtcNow;
        (await WorkRequestStore.RequestAsync(Connection, null, Drain, now, CancellationToken.None)).ShouldBeTrue("no job waits yet");
        (await WorkRequestStore.RequestAsync(Connection, null, Drain, now, CancellationToken.None)).ShouldBeFalse("the first one's job will do it");

        var ran = await Exclusive().RunAsync(Drain, _ => Task.CompletedTask, CancellationToken.None);

        ran.ShouldBeTrue();
        (await WorkRequestStore.FindAsync(Connection, Drain)).ShouldBeNull();
        (await WorkRequestStore.RequestAsync(Connection, null, Drain, now, CancellationToken.None)).ShouldBeTrue("done work asked for again needs a new job");
    }

    [Test]
    public async Task A_request_made_while_the_work_runs_causes_exactly_one_more_run()
    {
        await WorkRequestStore.RequestAsync(Connection, null, Drain, DateTimeOffset.UtcNow, CancellationToken.None);
        var runs = 0;

        await Exclusive().RunAsync(Drain, async _ =>
        {
            runs++;
            if (runs == 1)
            {
                // Two events arrive during the first run; neither needs a job of its own.
                (await WorkRequestStore.RequestAsync(Connection, null, Drain, DateTimeOffset.UtcNow, CancellationToken.None)).ShouldBeFalse();
                (await WorkRequestStore.RequestAsync(Connection, null, Drain, DateTimeOffset.UtcNow, CancellationToken.None)).ShouldBeFalse();
            }
        }, CancellationToken.None);

        runs.ShouldBe(2);
        (await WorkRequestStore.FindAsync(Connection, Drain)).ShouldBeNull();
    }

    [Test]
    public async Task A_failed_run_keeps_the_request_for_the_retry_and_a_new_request_starts_a_job_at_once()
    {
        await WorkRequestStore.RequestAsync(Connection, null, Drain, DateTimeOffset.UtcNow, CancellationToken.None);

        await Should.ThrowAsync<InvalidOperationException>(() =>
            Exclusive().RunAsync(Drain, _ => throw new InvalidOperationException("GitLab is down"), CancellationToken.None));

        var row = (await WorkRequestStore.FindAsync(Connection, Drain)).ShouldNotBeNull();
        row.FailedAt.ShouldNotBeNull();
        (await WorkRequestStore.StaleAsync(Connection, DateTimeOffset.UtcNow.AddHours(1), 10, CancellationToken.None))
            .ShouldBeEmpty("a failed request waits for Hangfire's retry, not for the sweeper");
        (await WorkRequestStore.RequestAsync(Connection, null, Drain, DateTimeOffset.UtcNow, CancellationToken.None))
            .ShouldBeTrue("a new event does not wait out the retry's back-off");
    }

    [Test]
    public async Task A_request_nobody_took_is_stale_once_it_is_older_than_the_cutoff()
    {
        var longAgo = DateTimeOffset.UtcNow.AddMinutes(-5);
        await WorkRequestStore.RequestAsync(Connection, null, Drain, longAgo, CancellationToken.None);
        await WorkRequestStore.RequestAsync(Connection, null, WorkRequest.DrainWebhooks(8), DateTimeOffset.UtcNow, CancellationToken.None);

        var stale = await WorkRequestStore.StaleAsync(Connection, DateTimeOffset.UtcNow.AddMinutes(-1), 10, CancellationToken.None);

        stale.ShouldBe([Drain]);
    }

    [Test]
    public async Task Work_held_by_another_session_is_left_to_it_and_the_holder_finds_what_was_asked_after_it_unlocks()
    {
        await using var holder = await DataSource.OpenConnectionAsync();
        await holder.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = Drain.LockKey });
        await WorkRequestStore.RequestAsync(Connection, null, Drain, DateTimeOffset.UtcNow, CancellationToken.None);
        var runs = 0;

        (await Exclusive().RunAsync(Drain, _ => Task.FromResult(runs++), CancellationToken.None)).ShouldBeFalse();
        runs.ShouldBe(0);
        (await WorkRequestStore.IsPendingAsync(holder, Drain, CancellationToken.None)).ShouldBeTrue("what the holder must look for once it unlocks");
        await holder.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = Drain.LockKey });

        (await Exclusive().RunAsync(Drain, _ => Task.FromResult(runs++), CancellationToken.None)).ShouldBeTrue();
        runs.ShouldBe(1);
    }

    [Test]
    public void Lock_keys_of_different_kinds_and_keys_differ()
    {
        var keys = new[] { WorkRequest.RefreshTrain(1), WorkRequest.RefreshTrain(2), WorkRequest.DrainWebhooks(1), WorkRequest.DrainWebhooks(2) }
            .Select(r => r.LockKey).ToList();
        keys.Distinct().Count().ShouldBe(4);
    }

    private ExclusiveWork Exclusive() => new(DataSource, TimeProvider.System, NullLogger<ExclusiveWork>.Instance);
}
