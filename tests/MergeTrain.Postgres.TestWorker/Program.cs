using MergeTrain.Postgres.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

// Usage: MergeTrain.Postgres.TestWorker <connection string>
// Runs a job server whose "block" jobs never finish; prints "ready <server id>" once it listens
// and "started <job id>" when a job starts, so the test knows when to kill it.
await using var dataSource = NpgsqlDataSource.Create(args[0]);
var options = new JobServerOptions
{
    HeartbeatInterval = TimeSpan.FromMilliseconds(200),
    MaintenanceInterval = TimeSpan.FromMilliseconds(200),
    LeaderLease = TimeSpan.FromSeconds(1),
};
var server = new JobServer(dataSource, [new BlockingHandler()], options, TimeProvider.System, NullLogger<JobServer>.Instance);
var run = server.RunAsync(CancellationToken.None);

// A server that cannot start (say, a wrong connection string) ends the process instead of waiting forever.
await await Task.WhenAny(server.Started, run);
Console.WriteLine($"ready {server.Id}");
await run;

internal sealed class BlockingHandler : IJobHandler
{
    public string Kind => "block";

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        Console.WriteLine($"started {job.Id}");
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
    }
}
