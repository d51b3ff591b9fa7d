using Hangfire;
using MergeTrain.Server.Benchmarks;
using Microsoft.Extensions.DependencyInjection;

// End-to-end server benchmark, in one run:
//  (a) webhook intake: deliveries accepted per second and accept latency (real HTTP POSTs of the
//      fake GitLab's Merge Request Hook payloads with the right secret, concurrent senders);
//  (b) pipeline success to merge: from the first car's "pipeline succeeded" webhook to the target
//      branch updated in GitLab's repository.
//  (c) Hangfire itself as the server runs it: no-op jobs one at a time (start latency when idle)
//      and in a burst from 8 threads (jobs/s, and latency under load).
// (c) and (b) run first: (a) leaves thousands of deliveries queued for background processing.
//   dotnet run -c Release --project tests/MergeTrain.Server.Benchmarks [-- --deliveries 4000 --concurrency 8 --repetitions 30 --jobs 2000]
var deliveries = ArgValue(args, "--deliveries", 4_000);
var concurrency = ArgValue(args, "--concurrency", 8);
var repetitions = ArgValue(args, "--repetitions", 30);
var jobCount = ArgValue(args, "--jobs", 2_000);

await using var world = await BenchmarkWorld.StartAsync();

var client = world.Services.GetRequiredService<IBackgroundJobClient>();
await HangfireJobs.OneAtATimeAsync(client, 20, firstId: 0); // warm-up
var idle = await HangfireJobs.OneAtATimeAsync(client, 200, firstId: 1_000);
var burst = await HangfireJobs.BurstAsync(client, jobCount, senders: 8, firstId: 1_000_000);

var merges = await MergeLatency.MeasureAsync(world, warmup: 3, repetitions);

// Realistic payloads: the Merge Request Hooks GitLab sent while (b) ran.
var bodies = world.GitLab.Deliveries.Where(d => d.EventName == "Merge Request Hook").Select(d => d.Body).Distinct().ToList();
var drainsBefore = DrainJobs(world);
await WebhookThroughput.MeasureAsync(world.Address, bodies, deliveries: 500, concurrency); // warm-up
var intake = await WebhookThroughput.MeasureAsync(world.Address, bodies, deliveries, concurrency);
var drains = DrainJobs(world) - drainsBefore;

Console.WriteLine($"MergeTrain server benchmark: {Environment.ProcessorCount} cores, test PostgreSQL (fsync off), fake GitLab on loopback");
Console.WriteLine();
Console.WriteLine("| measure | samples | result | p50 ms | p99 ms | goal |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- |");
Console.WriteLine($"| webhook deliveries accepted (concurrency {intake.Concurrency}) | {intake.Deliveries:N0} | {intake.PerSecond:N0}/s | {Percentile(intake.LatenciesMs, 0.50):F1} | {Percentile(intake.LatenciesMs, 0.99):F1} | ≥ 1,000/s, p99 ≤ 50 ms |");
Console.WriteLine($"| Hangfire drain jobs created for them and the 500 of the warm-up | {drains:N0} | | | | |");
Console.WriteLine($"| pipeline-succeeded hook → target branch updated | {merges.Count} | | {Percentile(merges, 0.50):F1} | {Percentile(merges, 0.99):F1} | p50 ≤ 100 ms |");
Console.WriteLine($"| Hangfire job start, one at a time (idle server) | {idle.Count} | | {Percentile(idle, 0.50):F1} | {Percentile(idle, 0.99):F1} | |");
Console.WriteLine($"| Hangfire no-op jobs, burst from 8 threads | {jobCount:N0} | {burst.PerSecond:N0} jobs/s | {Percentile(burst.LatenciesMs, 0.50):F1} | {Percentile(burst.LatenciesMs, 0.99):F1} | |");

// Every Hangfire job that drains webhooks, as Hangfire's own statistics count them (succeeded, and any still queued or running).
static long DrainJobs(BenchmarkWorld world)
{
    var monitoring = world.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
    static bool IsDrain(Hangfire.Common.Job? job) => job?.Type == typeof(MergeTrain.Server.Jobs.WebhookJobs);
    return monitoring.SucceededJobs(0, int.MaxValue).Count(j => IsDrain(j.Value.Job))
        + monitoring.EnqueuedJobs("default", 0, int.MaxValue).Count(j => IsDrain(j.Value.Job))
        + monitoring.ProcessingJobs(0, int.MaxValue).Count(j => IsDrain(j.Value.Job));
}

static double Percentile(IReadOnlyList<double> values, double quantile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static int ArgValue(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1]) : fallback;
}
