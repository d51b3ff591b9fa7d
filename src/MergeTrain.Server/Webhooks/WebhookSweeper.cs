using MergeTrain.Postgres.Jobs;
using MergeTrain.Postgres.Webhooks;
using Npgsql;

namespace MergeTrain.Server.Webhooks;

/// <summary>
/// A recurring job that queues the drain of any project whose accepted deliveries have waited too
/// long: the safety net for a delivery stored by an instance that died before queueing its drain.
/// </summary>
public sealed class WebhookSweeper(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<WebhookSweeper> logger) : IJobHandler
{
    /// <summary>The job kind.</summary>
    public const string JobKind = "sweep_webhooks";

    /// <summary>How often the sweeper runs.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    // Longer than a drain normally takes to start, so the sweeper does not race the ordinary path.
    private static readonly TimeSpan Waiting = TimeSpan.FromSeconds(15);

    /// <inheritdoc/>
    public string Kind => JobKind;

    /// <summary>The next sweep, at most one pending at a time.</summary>
    public static NewJob Next(DateTimeOffset at) => new(JobKind) { UniqueKey = JobKind, ScheduledAt = at, MaxAttempts = 3 };

    /// <inheritdoc/>
    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        try
        {
            foreach (var projectId in await WebhookDeliveryStore.ProjectsWithUnprocessedAsync(connection, now - Waiting, cancellationToken))
            {
                logger.LogWarning("Deliveries of project {ProjectId} were waiting with no drain queued; queueing one", projectId);
                await JobStore.EnqueueAsync(connection, null, WebhookProcessor.Job(projectId), now, cancellationToken);
            }
        }
        finally
        {
            await JobStore.EnqueueAsync(connection, null, Next(clock.GetUtcNow() + Every), clock.GetUtcNow(), CancellationToken.None);
        }
    }
}
