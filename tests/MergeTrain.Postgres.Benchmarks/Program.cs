using MergeTrain.Postgres.Benchmarks;
using MergeTrain.Postgres.Embedded;
using MergeTrain.Postgres.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

// Job queue benchmark: throughput of no-op jobs with 1, 2 and 4 job servers, and enqueue-to-start
// latency with NOTIFY and with polling alone, against a durable embedded PostgreSQL.
//   dotnet run -c Release --project tests/MergeTrain.Postgres.Benchmarks [-- --jobs 20000 --samples 400]
var jobs = ArgValue(args, "--jobs", 20_000);
var samples = ArgValue(args, "--samples", 400);
var directory = Path.Combine(Path.GetTempPath(), "mergetrain-queue-benchmark");
Directory.CreateDirectory(directory);
File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);

await using var postgres = await EmbeddedPostgres.StartAsync(
    new EmbeddedPostgresOptions { DataDirectory = directory, Database = "queue_benchmark" }, NullLogger.Instance, CancellationToken.None);
await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { MaxPoolSize = 50 });
await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(Migration.Service, CancellationToken.None);

Console.WriteLine($"PostgreSQL {postgres.Port} (durable, fsync on), {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| job servers | concurrency each | jobs | seconds | jobs/s |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
foreach (var servers in new[] { 1, 2, 4 })
{
    var result = await QueueBenchmarks.ThroughputAsync(dataSource, servers, concurrency: 32, jobs);
    Console.WriteLine($"| {servers} | 32 | {jobs:N0} | {result.Seconds:F2} | {result.JobsPerSecond:N0} |");
}

Console.WriteLine();
Console.WriteLine("| wake-up | samples | p50 ms | p99 ms |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
foreach (var (name, notify) in new[] { ("LISTEN/NOTIFY", true), ("polling only (every 1 s)", false) })
{
    var latency = await QueueBenchmarks.LatencyAsync(dataSource, notify, samples);
    Console.WriteLine($"| {name} | {samples} | {latency.P50:F2} | {latency.P99:F2} |");
}

await postgres.StopAsync(CancellationToken.None);

static int ArgValue(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1]) : fallback;
}
