using MergeTrain.Application.Database;
using MergeTrain.Application.Jobs;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// Takes over, within <see cref="JobsOptions.TakeoverEvery"/>, the work of a run that died with its
/// process (<see cref="WorkSweeper.SweepOrphansAsync"/>). A loop of this instance's own rather than
/// a Hangfire recurring job: the recurring scheduler holds a lock row that a server killed while
/// holding it keeps for <c>DistributedLockTimeout</c> (20 s), and takeover must not wait for that;
/// nor should a once-a-second check fill Hangfire's job list. Every instance runs it: two
/// instances finding the same work enqueue two jobs, and the second leaves at once.
/// </summary>
public sealed class OrphanedWorkWatcher(
    DatabaseReadiness readiness, IServiceProvider services, IOptions<JobsOptions> options, TimeProvider clock, ILogger<OrphanedWorkWatcher> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.Value.TakeoverEvery, clock, stoppingToken);
            if (readiness.DataSource is null)
            {
                continue;
            }

            try
            {
                // Resolved once the database is ready: the sweeper needs the data source.
                await services.GetRequiredService<WorkSweeper>().SweepOrphansAsync(stoppingToken);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away (restarting, say), or Hangfire's client with it: a failed
                // round must never end the loop; the next one tries again.
                logger.LogDebug(error, "Looking for orphaned work failed: {Reason}", error.Message);
            }
        }
    }
}
