using Hangfire;
using MergeTrain.Application.Database;
using MergeTrain.Application.Jobs;
using MergeTrain.Application.Pipelines;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Jobs;

/// <summary>
/// Runs this instance's Hangfire server once the database is ready (its storage needs the data
/// source), keeps MergeTrain's recurring jobs registered, and sweeps once at start so that work a
/// crash left behind starts without waiting for the first round.
/// </summary>
public sealed class HangfireServerHost(
    DatabaseReadiness readiness,
    IServiceProvider services,
    IOptions<JobsOptions> options,
    IOptions<PipelinePollingOptions> polling,
    IOptions<RetentionOptions> retention,
    TimeProvider clock,
    ILogger<HangfireServerHost> logger) : BackgroundService
{
    /// <summary>How long running jobs get to finish when the service stops; then they are cancelled and run again elsewhere.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(20);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (readiness.DataSource is null)
        {
            if (readiness.Status == DatabaseStatus.Failed)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, stoppingToken);
        }

        // Resolving the configuration applies it (filters, serializer) before the server's first job.
        _ = services.GetRequiredService<IGlobalConfiguration>();
        var storage = services.GetRequiredService<JobStorage>();
        await RegisterRecurringJobsAsync(services.GetRequiredService<IRecurringJobManager>(), stoppingToken);

        var serverOptions = new BackgroundJobServerOptions
        {
            ServerName = $"{Environment.MachineName}:{Environment.ProcessId}",
            WorkerCount = options.Value.Concurrency,
            Activator = services.GetRequiredService<JobActivator>(),
            // Recurring and delayed jobs are due to the second (seconds-precision cron, timers).
            SchedulePollingInterval = TimeSpan.FromSeconds(1),
            ShutdownTimeout = ShutdownGrace,
        };
        using var server = new BackgroundJobServer(serverOptions, storage);
        logger.LogInformation("Hangfire server {ServerName} started: {Workers} workers", serverOptions.ServerName, serverOptions.WorkerCount);
        // Not recurring.Trigger: that takes the recurring job's lock, which a server killed while
        // holding it keeps for a while (HangfireStorage.DefaultOptions).
        try
        {
            services.GetRequiredService<IBackgroundJobClient>().Enqueue<MaintenanceJobs>(j => j.Sweep(CancellationToken.None));
        }
        catch (Exception error) when (!stoppingToken.IsCancellationRequested)
        {
            // The database went away again: the recurring sweep and the takeover watcher do this soon.
            logger.LogWarning("The start-up sweep could not be enqueued ({Reason}); the recurring sweep will do it", error.Message);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            server.SendStop();
            await server.WaitForShutdownAsync(CancellationToken.None);
            logger.LogInformation("Hangfire server {ServerName} stopped", serverOptions.ServerName);
        }
    }

    /// <summary>
    /// Registers the recurring jobs, again and again until the database takes them. The database
    /// can go away between readiness and here (it was killed, it restarts): an exception out of a
    /// hosted service stops the whole host, so one database restart at the wrong moment used to
    /// end the process (with exit code 0) instead of delaying its start by a second.
    /// </summary>
    private async Task RegisterRecurringJobsAsync(IRecurringJobManager recurring, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.PollPipelinesId, j => j.PollPipelines(CancellationToken.None), CronInterval.Every(polling.Value.Every));
                recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.PollRunnerQueuesId, j => j.PollRunnerQueues(CancellationToken.None), CronInterval.Every(polling.Value.Every));
                recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.SweepId, j => j.Sweep(CancellationToken.None), CronInterval.Every(options.Value.SweepEvery));
                recurring.AddOrUpdate<MaintenanceJobs>(MaintenanceJobs.PruneId, j => j.Prune(CancellationToken.None), CronInterval.Every(retention.Value.PruneEvery));
                return;
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Registering the recurring jobs failed ({Reason}); retrying in {Delay}", error.Message, delay);
                await Task.Delay(delay, clock, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
