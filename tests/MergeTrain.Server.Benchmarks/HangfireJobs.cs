using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;

namespace MergeTrain.Server.Benchmarks;

/// <summary>
/// Hangfire as MergeTrain runs it (the server's own storage, workers and filters): no-op jobs,
/// enqueued one at a time while the server is idle (start latency) and in a burst from several
/// threads (throughput, and latency under load).
/// </summary>
internal static class HangfireJobs
{
    private static readonly ConcurrentDictionary<long, long> Started = new();

    /// <summary>The job: records when a worker started it. Static, so no activation cost is measured.</summary>
    public static void Record(long id) => Started[id] = Stopwatch.GetTimestamp();

    public static async Task<(IReadOnlyList<double> LatenciesMs, double PerSecond)> BurstAsync(IBackgroundJobClient jobs, int count, int senders, long firstId)
    {
        var enqueuedAt = new ConcurrentDictionary<long, long>();
        var begin = Stopwatch.GetTimestamp();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = senders }, (i, _) =>
        {
            var id = firstId + i;
            enqueuedAt[id] = Stopwatch.GetTimestamp();
            jobs.Enqueue(() => Record(id));
            return ValueTask.CompletedTask;
        });
        await WaitForAsync(firstId, count);
        var end = Started.Where(s => s.Key >= firstId && s.Key < firstId + count).Max(s => s.Value);
        var latencies = enqueuedAt.Select(e => Stopwatch.GetElapsedTime(e.Value, Started[e.Key]).TotalMilliseconds).ToList();
        return (latencies, count / Stopwatch.GetElapsedTime(begin, end).TotalSeconds);
    }

    public static async Task<IReadOnlyList<double>> OneAtATimeAsync(IBackgroundJobClient jobs, int count, long firstId)
    {
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var id = firstId + i;
            var enqueued = Stopwatch.GetTimestamp();
            jobs.Enqueue(() => Record(id));
            await WaitForAsync(id, 1);
            latencies.Add(Stopwatch.GetElapsedTime(enqueued, Started[id]).TotalMilliseconds);
        }

        return latencies;
    }

    private static async Task WaitForAsync(long firstId, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (Enumerable.Range(0, count).Any(i => !Started.ContainsKey(firstId + i)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Hangfire did not start every job within 5 minutes.");
            }

            await Task.Delay(1);
        }
    }
}
