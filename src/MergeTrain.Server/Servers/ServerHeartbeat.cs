using MergeTrain.Postgres.Servers;
using MergeTrain.Server.Database;

namespace MergeTrain.Server.Servers;

/// <summary>
/// Records this instance in the <c>servers</c> table once the database is ready, beats every
/// <see cref="Interval"/>, and removes the row on a clean shutdown.
/// </summary>
public sealed class ServerHeartbeat(
    DatabaseReadiness readiness,
    ServerIdentity identity,
    TimeProvider clock,
    ILogger<ServerHeartbeat> logger) : BackgroundService
{
    /// <summary>How often the heartbeat is written.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private ServerStore? _store;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (readiness.DataSource is null)
        {
            if (readiness.Status == DatabaseStatus.Failed)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, stoppingToken);
        }

        _store = new ServerStore(readiness.DataSource);
        var record = new ServerRecord(identity.Id, identity.Hostname, identity.ProcessId, ServerIdentity.Version, identity.StartedAt, clock.GetUtcNow());
        await _store.RegisterAsync(record, stoppingToken);
        logger.LogInformation("Server {ServerId} registered (version {Version})", identity.Id, ServerIdentity.Version);

        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (!await _store.HeartbeatAsync(identity.Id, clock.GetUtcNow(), stoppingToken))
                {
                    // Another instance's leader judged us dead and removed us: come back.
                    await _store.RegisterAsync(record with { HeartbeatAt = clock.GetUtcNow() }, stoppingToken);
                }
            }
            catch (Npgsql.NpgsqlException error)
            {
                logger.LogWarning("Heartbeat of {ServerId} failed: {Reason}", identity.Id, error.Message);
            }
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_store is not null)
        {
            try
            {
                await _store.RemoveAsync(identity.Id, cancellationToken);
            }
            catch (Npgsql.NpgsqlException error)
            {
                logger.LogWarning("Could not remove server {ServerId} on shutdown: {Reason}", identity.Id, error.Message);
            }
        }
    }
}
