using System.Diagnostics;
using Dapper;
using MergeTrain.Postgres.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Postgres.Tests.Jobs;

public class JobServerTests
{
    private static readonly JobServerOptions Fast = new()
    {
        Concurrency = 4,
        PollInterval = TimeSpan.FromMilliseconds(500),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        MaintenanceInterval = TimeSpan.FromMilliseconds(100),
        LeaderLease = TimeSpan.FromSeconds(1),
        ServerTimeout = TimeSpan.FromSeconds(2),
        ShutdownGrace = TimeSpan.FromSeconds(5),
    };

    private NpgsqlDataSource _dataSource = null!;
    private readonly List<(JobServer Server, Task Run, CancellationTokenSource Stop)> _servers = [];

    [SetUp]
    public async Task SetUp()
    {
        _dataSource = await ServiceDatabase.CreateAsync();
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(RecordingHandler.CreateTable);
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var (_, run, stop) in _servers)
        {
            await stop.CancelAsync();
            await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            stop.Dispose();
        }

        // NUnit keeps one fixture instance for all its tests.
        _servers.Clear();
        await _dataSource.DisposeAsync();
    }

    [Test]
    public async Task Several_servers_run_every_job_exactly_once()
    {
        const int jobs = 400;
        for (var i = 0; i < 3; i++)
        {
            await StartServerAsync(Fast, new RecordingHandler(_dataSource, "count"));
        }

        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            for (var i = 0; i < jobs; i++)
            {
                await JobStore.EnqueueAsync(connection, null, new NewJob("count", $$"""{"n":{{i}}}"""), DateTimeOffset.UtcNow, CancellationToken.None);
            }
        }

        await WaitUntilAsync("SELECT count(*) FROM jobs WHERE state = 'completed'", jobs);
        await using var check = await _dataSource.OpenConnectionAsync();
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM executions")).ShouldBe(jobs);
        (await check.ExecuteScalarAsync<long>("SELECT count(DISTINCT job_id) FROM executions")).ShouldBe(jobs);
        (await check.ExecuteScalarAsync<long>("SELECT count(DISTINCT server) FROM executions")).ShouldBeGreaterThan(1, "the work was shared");
    }

    [Test]
    public async Task A_failing_job_is_retried_after_its_backoff_and_a_permanent_failure_is_discarded_at_once()
    {
        var failures = 0;
        await StartServerAsync(Fast,
            new RecordingHandler(_dataSource, "flaky", _ => Interlocked.Increment(ref failures) == 1 ? throw new InvalidOperationException("first try fails") : Task.CompletedTask),
            new RecordingHandler(_dataSource, "hopeless", _ => throw new PermanentJobFailureException("the merge request is gone")));
        var flaky = await EnqueueAsync(new NewJob("flaky"));
        var hopeless = await EnqueueAsync(new NewJob("hopeless"));
        var unknown = await EnqueueAsync(new NewJob("no-such-kind"));

        await WaitUntilAsync($"SELECT count(*) FROM jobs WHERE id = {flaky} AND state = 'completed'", 1, TimeSpan.FromSeconds(20));
        await WaitUntilAsync($"SELECT count(*) FROM jobs WHERE id IN ({hopeless}, {unknown}) AND state = 'discarded'", 2);

        await using var connection = await _dataSource.OpenConnectionAsync();
        var retried = (await JobStore.FindAsync(connection, flaky, CancellationToken.None))!;
        retried.Attempt.ShouldBe(2);
        retried.Errors.ShouldContain("first try fails");
        (await JobStore.FindAsync(connection, hopeless, CancellationToken.None))!.Attempt.ShouldBe(1);
        (await JobStore.FindAsync(connection, unknown, CancellationToken.None))!.Errors.ShouldContain("no handler for job kind 'no-such-kind'");
    }

    [Test]
    public async Task Exactly_one_server_leads_and_another_takes_over_when_it_stops()
    {
        for (var i = 0; i < 3; i++)
        {
            await StartServerAsync(Fast);
        }

        await WaitForAsync(() => _servers.Count(s => s.Server.IsLeader) == 1);
        _servers.Count(s => s.Server.IsLeader).ShouldBe(1);
        var leader = _servers.Single(s => s.Server.IsLeader);

        await leader.Stop.CancelAsync();
        await leader.Run;

        await WaitForAsync(() => _servers.Count(s => s != leader && s.Server.IsLeader) == 1);
        _servers.Count(s => s != leader && s.Server.IsLeader).ShouldBe(1);
        await using var connection = await _dataSource.OpenConnectionAsync();
        (await connection.QueryAsync<string>("SELECT id FROM servers")).ShouldNotContain(leader.Server.Id, "a stopped server deregisters");
    }

    [Test]
    public async Task A_running_job_finishes_during_a_graceful_shutdown()
    {
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var (_, run, stop) = await StartServerAsync(Fast, new RecordingHandler(_dataSource, "slow", async _ =>
        {
            started.TrySetResult();
            await release.Task;
        }));
        var job = await EnqueueAsync(new NewJob("slow"));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await stop.CancelAsync();
        await Task.Delay(200);
        run.IsCompleted.ShouldBeFalse("the server waits for its running job");
        release.SetResult();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        await using var connection = await _dataSource.OpenConnectionAsync();
        (await JobStore.FindAsync(connection, job, CancellationToken.None))!.State.ShouldBe(JobState.Completed);
    }

    [Test]
    public async Task A_job_whose_worker_process_is_killed_is_rescued_and_completed_by_another_server()
    {
        var connectionString = _dataSource.ConnectionString;
        using var worker = StartWorkerProcess(connectionString);
        try
        {
            await KillMidJobAndRescueAsync(worker);
        }
        finally
        {
            // Whatever happened, no worker process outlives the test.
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
            }
        }
    }

    private async Task KillMidJobAndRescueAsync(Process worker)
    {
        var ready = await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        ready.ShouldNotBeNull().ShouldStartWith("ready ");
        var deadServer = ready["ready ".Length..];
        var job = await EnqueueAsync(new NewJob("block"));
        (await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe($"started {job}");

        worker.Kill(entireProcessTree: true);
        await worker.WaitForExitAsync();
        await StartServerAsync(Fast, new RecordingHandler(_dataSource, "block"));

        await WaitUntilAsync($"SELECT count(*) FROM jobs WHERE id = {job} AND state = 'completed'", 1, TimeSpan.FromSeconds(30));
        await using var connection = await _dataSource.OpenConnectionAsync();
        var completed = (await JobStore.FindAsync(connection, job, CancellationToken.None))!;
        completed.Attempt.ShouldBe(2);
        completed.AttemptedBy[0].ShouldBe(deadServer);
        completed.Errors.ShouldContain($"rescued: server {deadServer} stopped heartbeating");
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM executions")).ShouldBe(1);
        (await connection.QueryAsync<string>("SELECT id FROM servers")).ShouldNotContain(deadServer);
    }

    private async Task<(JobServer Server, Task Run, CancellationTokenSource Stop)> StartServerAsync(JobServerOptions options, params IJobHandler[] handlers)
    {
        var server = new JobServer(_dataSource, handlers, options, TimeProvider.System, NullLogger<JobServer>.Instance);
        var stop = new CancellationTokenSource();
        var entry = (server, Task.Run(() => server.RunAsync(stop.Token)), stop);
        _servers.Add(entry);
        await server.Started.WaitAsync(TimeSpan.FromSeconds(10));
        return entry;
    }

    private async Task<long> EnqueueAsync(NewJob job)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        return (await JobStore.EnqueueAsync(connection, null, job, DateTimeOffset.UtcNow, CancellationToken.None)).Id;
    }

    private async Task WaitUntilAsync(string countQuery, long expected, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        await using var connection = await _dataSource.OpenConnectionAsync();
        long actual;
        while ((actual = await connection.ExecuteScalarAsync<long>(countQuery)) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        actual.ShouldBe(expected, countQuery);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    private static Process StartWorkerProcess(string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MergeTrain.Postgres.TestWorker.dll"));
        start.ArgumentList.Add(connectionString);
        return Process.Start(start)!;
    }
}
