using MergeTrain.Postgres.Webhooks;
using MergeTrain.Postgres.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MergeTrain.Application.Jobs;

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
        // Work whose run died is taken over sooner by SweepOrphansAsync; once past the cutoff it is stale too.
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

    /// <summary>
    /// The quick half of a round, run by every instance every <see cref="JobsOptions.TakeoverEvery"/>
    /// (the host's <c>OrphanedWorkWatcher</c>): enqueues the work whose run died with its process,
    /// known at once because the run's advisory lock went with its connection. Waiting for
    /// <see cref="JobsOptions.LostAfter"/> instead made every kill cost the trains of the dead
    /// instance up to a sweep and a cutoff (20 s by default) before another instance took over.
    /// </summary>
    public async Task<IReadOnlyList<WorkRequest>> SweepOrphansAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var orphaned = await WorkRequestStore.OrphanedAsync(connection, PerRound, cancellationToken);
        foreach (var request in orphaned)
        {
            scheduler.Enqueue(request);
        }

        if (orphaned.Count > 0)
        {
            logger.LogWarning("Work whose run died with its process, taken over: {Work}", string.Join(", ", orphaned));
        }

        return orphaned;
    }
}
