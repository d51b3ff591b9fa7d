using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using MergeTrain.Postgres.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MergeTrain.Postgres.Benchmarks;

/// <summary>The two measurements of the job queue benchmark.</summary>
internal static class QueueBenchmarks
{
    private const string Kind = "noop";

    /// <summary>Runs <paramref name="jobs"/> no-op jobs, inserted beforehand, through <paramref name="servers"/> job servers.</summary>
    public static async Task<(double Seconds, double JobsPerSecond)> ThroughputAsync(NpgsqlDataSource dataSource, int servers, int concurrency, int jobs)
    {
        await ResetAsync(dataSource);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO jobs (kind, created_at, scheduled_at) SELECT @Kind, now(), now() FROM generate_series(1, @jobs)",
                new { Kind, jobs });
        }

        var handled = 0;
        var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new NoopHandler(() =>
        {
            if (Interlocked.Increment(ref handled) == jobs)
            {
                allHandled.TrySetResult();
            }
        });

        var options = new JobServerOptions { Concurrency = concurrency };
        using var stop = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();
        var running = Enumerable.Range(0, servers)
            .Select(_ => new JobServer(dataSource, [handler], options, TimeProvider.System, NullLogger<JobServer>.Instance))
            .Select(server => Task.Run(() => server.RunAsync(stop.Token)))
            .ToList();

        // Done when every job is recorded completed, not merely handled.
        await allHandled.Task;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            while (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs WHERE state = 'completed'") < jobs)
            {
                await Task.Delay(1);
            }
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(running);
        return (seconds, jobs / seconds);
    }

    /// <summary>Enqueues jobs one at a time and measures how long each takes to start.</summary>
    public static async Task<(double P50, double P99)> LatencyAsync(NpgsqlDataSource dataSource, bool notify, int samples)
    {
        await ResetAsync(dataSource);
        var enqueued = new ConcurrentDictionary<long, long>();
        var latencies = new ConcurrentBag<double>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startedAt = new ConcurrentDictionary<long, long>();
        var options = new JobServerOptions { Concurrency = 10, ListenForNotifications = notify };
        var server = new JobServer(dataSource, [new NoopHandler(() => { })], options, TimeProvider.System, NullLogger<JobServer>.Instance,
            onJobStarted: job =>
            {
                startedAt[job.Id] = Stopwatch.GetTimestamp();
                if (startedAt.Count == samples)
                {
                    done.TrySetResult();
                }
            });
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => server.RunAsync(stop.Token));
        await server.Started;

        var random = new Random(42);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            for (var i = 0; i < samples; i++)
            {
                var before = Stopwatch.GetTimestamp();
                var result = await JobStore.EnqueueAsync(connection, null, new NewJob(Kind), DateTimeOffset.UtcNow, CancellationToken.None);
                enqueued[result.Id] = before;

                // Spread the arrivals so that each wake-up is measured, not a batch.
                await Task.Delay(notify ? random.Next(1, 4) : random.Next(1, 20));
            }
        }

        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        foreach (var (id, before) in enqueued)
        {
            latencies.Add(Stopwatch.GetElapsedTime(before, startedAt[id]).TotalMilliseconds);
        }

        await stop.CancelAsync();
        await run;
        var sorted = latencies.Order().ToArray();
        return (Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task ResetAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("TRUNCATE jobs; DELETE FROM servers; DELETE FROM leader");
    }

    private sealed class NoopHandler(Action onRun) : IJobHandler
    {
        public string Kind => QueueBenchmarks.Kind;

        public Task HandleAsync(Job job, CancellationToken cancellationToken)
        {
            onRun();
            return Task.CompletedTask;
        }
    }
}
