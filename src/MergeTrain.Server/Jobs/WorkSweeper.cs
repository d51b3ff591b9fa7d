using MergeTrain.Postgres.Webhooks;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// The safety net between our transactions and Hangfire's: work is requested in our transaction
/// and its job enqueued after the commit, so a crash in between leaves a request without a job.
/// Each round enqueues the job of every request not taken for a while, of every train whose
/// timer is overdue, and of every project whose webhook deliveries have waited. A job enqueued
/// for work that another run holds leaves at once, so a spare one costs little.
/// </summary>
public sealed class WorkSweeper(NpgsqlDataSource dataSource, IWorkScheduler scheduler, IOptions<JobsOptions> options, TimeProvider clock, ILogger<WorkSweeper> logger)
{
    private const int PerRound = 500;

    /// <summary>One round; returns the work it enqueued.</summary>
    public async Task<IReadOnlyCollection<WorkRequest>> SweepAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var cutoff = now - options.Value.LostAfter;
        var found = new HashSet<WorkRequest>();
        foreach (var projectId in await WebhookDeliveryStore.ProjectsWithUnprocessedAsync(connection, cutoff, cancellationToken))
        {
            var drain = WorkRequest.DrainWebhooks(projectId);
            await WorkRequestStore.RequestAsync(connection, null, drain, now, cancellationToken);
            found.Add(drain);
        }

        found.UnionWith(await WorkRequestStore.RequestDueTimersAsync(connection, cutoff, now, cancellationToken));
        found.UnionWith(await WorkRequestStore.StaleAsync(connection, cutoff, PerRound, cancellationToken));
        foreach (var request in found)
        {
            scheduler.Enqueue(request);
        }

        if (found.Count > 0)
        {
            logger.LogWarning("Work waiting without a job since before {Cutoff}; enqueued: {Work}", cutoff, string.Join(", ", found));
        }

        return found;
    }
}
