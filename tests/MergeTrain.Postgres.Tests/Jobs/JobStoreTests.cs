using System.Text.Json;
using Dapper;
using MergeTrain.Postgres.Jobs;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Jobs;

public class JobStoreTests : ServiceDatabaseTest
{
    private const string Server = "test-server";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    [Test]
    public async Task Fetch_takes_due_available_jobs_by_priority_then_age_and_marks_them_running()
    {
        var low = await EnqueueAsync(new NewJob("k") { Priority = 2 }, T0);
        var first = await EnqueueAsync(new NewJob("k"), T0);
        var second = await EnqueueAsync(new NewJob("k"), T0.AddSeconds(1));
        var later = await EnqueueAsync(new NewJob("k") { ScheduledAt = T0.AddMinutes(5) }, T0);
        var otherQueue = await EnqueueAsync(new NewJob("k") { Queue = "other" }, T0);

        later.State.ShouldBe(JobState.Scheduled);
        var fetched = await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, Server, 10, T0.AddSeconds(2), CancellationToken.None);

        fetched.Select(j => j.Id).ShouldBe([first.Id, second.Id, low.Id]);
        fetched.ShouldAllBe(j => j.State == JobState.Running && j.Attempt == 1 && j.AttemptedBy.SequenceEqual(new[] { Server }));
        fetched[0].AttemptedAt.ShouldBe(T0.AddSeconds(2));
        (await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, Server, 10, T0.AddSeconds(2), CancellationToken.None)).ShouldBeEmpty();
        (await JobStore.FindAsync(Connection, otherQueue.Id, CancellationToken.None))!.State.ShouldBe(JobState.Available);
    }

    [Test]
    public async Task Concurrent_inserts_of_a_unique_job_leave_one_row()
    {
        const int writers = 16;
        using var start = new Barrier(writers);
        var inserts = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            await using var connection = await DataSource.OpenConnectionAsync();
            start.SignalAndWait();
            return await JobStore.EnqueueAsync(connection, null, new NewJob("refresh_train") { UniqueKey = "train:42:main" }, T0, CancellationToken.None);
        }));

        var results = await Task.WhenAll(inserts);

        results.Select(r => r.Id).Distinct().ShouldHaveSingleItem();
        results.Count(r => !r.Duplicate).ShouldBe(1);
        (await Connection.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs")).ShouldBe(1);
    }

    [Test]
    public async Task A_unique_key_is_free_again_once_its_job_runs_and_a_duplicate_pulls_the_pending_job_forward()
    {
        var job = new NewJob("refresh_train") { UniqueKey = "train:1:main" };
        var scheduled = await EnqueueAsync(job with { ScheduledAt = T0.AddMinutes(10) }, T0);

        var sooner = await EnqueueAsync(job, T0.AddMinutes(1));

        sooner.ShouldBe(new EnqueueResult(scheduled.Id, Duplicate: true, JobState.Available));
        (await JobStore.FindAsync(Connection, scheduled.Id, CancellationToken.None))!.ScheduledAt.ShouldBe(T0.AddMinutes(1));

        await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, Server, 1, T0.AddMinutes(1), CancellationToken.None);
        var whileRunning = await EnqueueAsync(job, T0.AddMinutes(2));
        whileRunning.Duplicate.ShouldBeFalse("an event during a refresh needs a refresh after it");
        whileRunning.Id.ShouldNotBe(scheduled.Id);
    }

    [Test]
    public async Task Failed_attempts_back_off_by_the_schedule_keep_every_error_and_end_discarded()
    {
        var job = await EnqueueAsync(new NewJob("flaky") { MaxAttempts = 3 }, T0);
        var retries = new RetryPolicy(new Random(7));
        var now = T0;

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await JobStore.PromoteDueAsync(Connection, now, CancellationToken.None);
            var running = (await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, Server, 1, now, CancellationToken.None)).ShouldHaveSingleItem();
            running.Attempt.ShouldBe(attempt);

            var delay = retries.Delay(attempt);
            var baseDelay = RetryPolicy.BaseDelay(attempt);
            delay.ShouldBeInRange(baseDelay * 0.9, baseDelay * 1.1);
            var state = await JobStore.FailAsync(Connection, job.Id, attempt, $"boom {attempt}", now + delay, discard: false, now, CancellationToken.None);

            if (attempt < 3)
            {
                state.ShouldBe(JobState.Retryable);
                (await JobStore.PromoteDueAsync(Connection, now + delay - TimeSpan.FromMilliseconds(1), CancellationToken.None)).ShouldBe(0);
                now += delay;
            }
            else
            {
                state.ShouldBe(JobState.Discarded);
            }
        }

        var discarded = (await JobStore.FindAsync(Connection, job.Id, CancellationToken.None))!;
        discarded.FinalizedAt!.Value.ShouldBe(now, TimeSpan.FromMilliseconds(1), "PostgreSQL keeps microseconds");
        using var errors = JsonDocument.Parse(discarded.Errors);
        errors.RootElement.EnumerateArray().Select(e => e.GetProperty("error").GetString()).ShouldBe(["boom 1", "boom 2", "boom 3"]);
        errors.RootElement.EnumerateArray().Select(e => e.GetProperty("attempt").GetInt32()).ShouldBe([1, 2, 3]);
    }

    [Test]
    public void The_backoff_schedule_grows_as_the_fourth_power_of_the_attempt_and_is_capped()
    {
        RetryPolicy.BaseDelay(1).ShouldBe(TimeSpan.FromSeconds(2));
        RetryPolicy.BaseDelay(2).ShouldBe(TimeSpan.FromSeconds(17));
        RetryPolicy.BaseDelay(3).ShouldBe(TimeSpan.FromSeconds(82));
        RetryPolicy.BaseDelay(10).ShouldBe(TimeSpan.FromSeconds(10_001));
        RetryPolicy.BaseDelay(25).ShouldBe(RetryPolicy.MaxDelay);
    }

    [Test]
    public async Task A_late_answer_for_an_attempt_that_was_rescued_is_ignored()
    {
        var job = await EnqueueAsync(new NewJob("k"), T0);
        await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, "dead-server", 1, T0, CancellationToken.None);
        (await JobStore.RescueAsync(Connection, T0, T0.AddMinutes(2), CancellationToken.None)).ShouldBe([job.Id]);
        await JobStore.PromoteDueAsync(Connection, T0.AddMinutes(2), CancellationToken.None);
        await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, Server, 1, T0.AddMinutes(2), CancellationToken.None);

        (await JobStore.CompleteAsync(Connection, [(job.Id, 1)], T0.AddMinutes(3), CancellationToken.None)).ShouldBe(0);
        (await JobStore.FailAsync(Connection, job.Id, 1, "late", T0, false, T0, CancellationToken.None)).ShouldBeNull();

        var running = (await JobStore.FindAsync(Connection, job.Id, CancellationToken.None))!;
        running.State.ShouldBe(JobState.Running);
        running.AttemptedBy.ShouldBe(["dead-server", Server]);
        running.Errors.ShouldContain("rescued: server dead-server stopped heartbeating");
        (await JobStore.CompleteAsync(Connection, [(job.Id, 2)], T0.AddMinutes(3), CancellationToken.None)).ShouldBe(1);
    }

    [Test]
    public async Task Rescue_leaves_the_jobs_of_servers_that_still_heartbeat()
    {
        await Connection.ExecuteAsync(
            "INSERT INTO servers VALUES ('alive', 'h', 1, 'v', @t, @t)", new { t = T0 });
        var job = await EnqueueAsync(new NewJob("k"), T0);
        await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, "alive", 1, T0, CancellationToken.None);

        (await JobStore.RescueAsync(Connection, T0.AddSeconds(-30), T0.AddSeconds(30), CancellationToken.None)).ShouldBeEmpty();
        (await JobStore.RescueAsync(Connection, T0.AddSeconds(1), T0.AddMinutes(2), CancellationToken.None)).ShouldBe([job.Id]);
    }

    [Test]
    public async Task Cancel_requeue_and_prune()
    {
        var cancelled = await EnqueueAsync(new NewJob("k"), T0);
        var done = await EnqueueAsync(new NewJob("k"), T0);
        (await JobStore.CancelAsync(Connection, cancelled.Id, T0, CancellationToken.None)).ShouldBeTrue();
        (await JobStore.CancelAsync(Connection, cancelled.Id, T0, CancellationToken.None)).ShouldBeFalse();
        var fetched = (await JobStore.FetchAsync(Connection, JobStore.DefaultQueue, Server, 5, T0, CancellationToken.None)).ShouldHaveSingleItem();
        fetched.Id.ShouldBe(done.Id);
        await JobStore.CompleteAsync(Connection, [(done.Id, 1)], T0, CancellationToken.None);

        (await JobStore.RequeueAsync(Connection, cancelled.Id, T0.AddMinutes(1), CancellationToken.None)).ShouldBeTrue();
        (await JobStore.FindAsync(Connection, cancelled.Id, CancellationToken.None))!.State.ShouldBe(JobState.Available);
        (await JobStore.CountByStateAsync(Connection, CancellationToken.None))
            .ShouldBe(new Dictionary<JobState, long> { [JobState.Available] = 1, [JobState.Completed] = 1 }, ignoreOrder: true);

        (await JobStore.PruneAsync(Connection, T0, [JobState.Completed], 100, CancellationToken.None)).ShouldBe(0);
        (await JobStore.PruneAsync(Connection, T0.AddSeconds(1), [JobState.Completed], 100, CancellationToken.None)).ShouldBe(1);
        (await JobStore.FindAsync(Connection, done.Id, CancellationToken.None)).ShouldBeNull();
    }

    [Test]
    public async Task Enqueueing_in_a_transaction_notifies_only_when_it_commits_and_not_at_all_when_it_rolls_back()
    {
        await using var listener = await DataSource.OpenConnectionAsync();
        var received = new List<string>();
        listener.Notification += (_, e) => received.Add(e.Payload);
        await listener.ExecuteAsync($"LISTEN {JobStore.NotifyChannel}");

        await using (var rolledBack = await Connection.BeginTransactionAsync())
        {
            await JobStore.EnqueueAsync(Connection, rolledBack, new NewJob("k") { Queue = "rolled-back" }, T0, CancellationToken.None);
            await rolledBack.RollbackAsync();
        }

        await using (var transaction = await Connection.BeginTransactionAsync())
        {
            await JobStore.EnqueueAsync(Connection, transaction, new NewJob("k") { Queue = "committed" }, T0, CancellationToken.None);
            (await listener.WaitAsync(TimeSpan.FromMilliseconds(300))).ShouldBeFalse("nothing is sent before the commit");
            await transaction.CommitAsync();
        }

        (await listener.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue();
        received.ShouldBe(["committed"]);
        (await Connection.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs")).ShouldBe(1);
    }

    private Task<EnqueueResult> EnqueueAsync(NewJob job, DateTimeOffset now) =>
        JobStore.EnqueueAsync(Connection, null, job, now, CancellationToken.None);
}
