using System.Reflection;
using MergeTrain.Postgres.Servers;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// One instance's share of the background work, as Hangfire's BackgroundJobServer: it records
/// itself in <c>servers</c> and heartbeats, runs a <see cref="JobWorker"/>, and competes for the
/// leader lease; the leader promotes due jobs, rescues the jobs of dead servers and prunes old ones.
/// </summary>
public sealed class JobServer
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan KeepFailed = TimeSpan.FromDays(7);

    private readonly NpgsqlDataSource _dataSource;
    private readonly JobServerOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ServerStore _servers;
    private readonly JobWorker _worker;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <summary>A server with a new identity that runs <paramref name="handlers"/>.</summary>
    public JobServer(
        NpgsqlDataSource dataSource,
        IEnumerable<IJobHandler> handlers,
        JobServerOptions options,
        TimeProvider clock,
        ILogger<JobServer> logger,
        Action<Job>? onJobStarted = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _dataSource = dataSource;
        _options = options;
        _clock = clock;
        _logger = logger;
        _servers = new ServerStore(dataSource);
        Id = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        _worker = new JobWorker(dataSource, handlers, options, Id, clock, new RetryPolicy(Random.Shared), logger)
        {
            OnJobStarted = onJobStarted,
        };
    }

    /// <summary>This server's id: <c>host:pid:random</c>, as Hangfire names servers.</summary>
    public string Id { get; }

    /// <summary>Whether this server held the leader lease at its last maintenance round.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>Completes once the server is registered and listening for jobs.</summary>
    public Task Started => _started.Task;

    /// <summary>The service's version, as recorded for each server.</summary>
    public static string Version { get; } =
        typeof(JobServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then shuts down gracefully and deregisters.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var now = _clock.GetUtcNow();
        var record = new ServerRecord(Id, Environment.MachineName, Environment.ProcessId, Version, now, now);

        // Registered before the first fetch: a job held by an unknown server would be rescued at once.
        await _servers.RegisterAsync(record, stoppingToken);
        _logger.LogInformation("Job server {ServerId} started: queue {Queue}, {Concurrency} at once", Id, _options.Queue, _options.Concurrency);

        using var background = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = HeartbeatLoopAsync(record, background.Token);
        var maintenance = MaintenanceLoopAsync(background.Token);
        var worker = _worker.RunAsync(stoppingToken);
        _ = _worker.Listening.Task.ContinueWith(_ => _started.TrySetResult(), TaskScheduler.Default);

        await worker;
        await background.CancelAsync();
        await Task.WhenAll(heartbeat, maintenance).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ShutdownAsync();
    }

    private async Task HeartbeatLoopAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _clock);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                if (!await _servers.HeartbeatAsync(Id, _clock.GetUtcNow(), cancellationToken))
                {
                    // The leader judged us dead (a long pause?) and removed us: come back.
                    _logger.LogWarning("Server {ServerId} was removed as dead; registering again", Id);
                    await _servers.RegisterAsync(record with { HeartbeatAt = _clock.GetUtcNow() }, cancellationToken);
                }
            }
            catch (NpgsqlException error)
            {
                _logger.LogWarning("Heartbeat of {ServerId} failed: {Reason}", Id, error.Message);
            }
        }
    }

    private async Task MaintenanceLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceInterval, _clock);
        do
        {
            try
            {
                await MaintainAsync(cancellationToken);
            }
            catch (NpgsqlException error)
            {
                _logger.LogWarning("Job maintenance failed: {Reason}", error.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var now = _clock.GetUtcNow();
        var wasLeader = IsLeader;
        IsLeader = await LeaderLease.TryAcquireAsync(connection, LeaderLease.JobMaintenance, Id, _options.LeaderLease, now, cancellationToken);
        if (IsLeader != wasLeader)
        {
            _logger.LogInformation("Server {ServerId} leadership: {IsLeader}", Id, IsLeader);
        }

        if (!IsLeader)
        {
            return;
        }

        var cutoff = now - _options.ServerTimeout;
        var rescued = await JobStore.RescueAsync(connection, cutoff, now, cancellationToken);
        if (rescued.Count > 0)
        {
            _logger.LogWarning("Rescued {Count} job(s) from servers silent since {Cutoff}: {JobIds}", rescued.Count, cutoff, rescued);
        }

        var removed = await _servers.RemoveSilentSinceAsync(cutoff, cancellationToken);
        if (removed > 0)
        {
            _logger.LogWarning("Removed {Count} dead server(s)", removed);
        }

        await JobStore.PromoteDueAsync(connection, now, cancellationToken);

        if (now - _lastPrune >= PruneEvery)
        {
            _lastPrune = now;
            var pruned = await JobStore.PruneAsync(connection, now - _options.KeepCompleted, [JobState.Completed, JobState.Cancelled], 10_000, cancellationToken)
                + await JobStore.PruneAsync(connection, now - KeepFailed, [JobState.Discarded], 10_000, cancellationToken);
            if (pruned > 0)
            {
                _logger.LogInformation("Pruned {Count} finished job(s)", pruned);
            }
        }
    }

    private async Task ShutdownAsync()
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            if (IsLeader)
            {
                await LeaderLease.ReleaseAsync(connection, LeaderLease.JobMaintenance, Id, CancellationToken.None);
            }

            await _servers.RemoveAsync(Id, CancellationToken.None);
            _logger.LogInformation("Job server {ServerId} stopped", Id);
        }
        catch (NpgsqlException error)
        {
            _logger.LogWarning("Job server {ServerId} could not deregister: {Reason}", Id, error.Message);
        }
    }
}
