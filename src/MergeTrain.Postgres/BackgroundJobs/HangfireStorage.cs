using Hangfire.PostgreSql;
using Npgsql;

namespace MergeTrain.Postgres.BackgroundJobs;

/// <summary>
/// Hangfire's storage in MergeTrain's own database, in a schema of its own. The schema is
/// installed by the migration runner under its lock (<see cref="Install"/>), never by Hangfire at
/// start, so that instances starting together do not race; and connections come from the data
/// source once it is ready, because the embedded database's port is only known after it started.
/// </summary>
public static class HangfireStorage
{
    /// <summary>The schema Hangfire's tables live in.</summary>
    public const string Schema = "hangfire";

    /// <summary>
    /// A storage whose connections come from <paramref name="dataSource"/>, asked on every
    /// connection: it may be built before the database is ready and used once it is.
    /// </summary>
    public static PostgreSqlStorage Create(Func<NpgsqlDataSource> dataSource, PostgreSqlStorageOptions? options = null)
    {
        options ??= DefaultOptions();
        options.SchemaName = Schema;
        options.PrepareSchemaIfNecessary = false;
        return new PostgreSqlStorage(new DataSourceConnectionFactory(dataSource), options) { JobExpirationTimeout = KeepFinished };
    }

    /// <summary>
    /// The options MergeTrain runs with. Long polling (LISTEN/NOTIFY) starts an enqueued job within
    /// milliseconds instead of the 15 s poll; the poll stays as the fallback. The invisibility
    /// timeout only matters for a job of a server that died: our sweeper re-enqueues its work much
    /// sooner, and the late rerun finds nothing to do.
    /// </summary>
    public static PostgreSqlStorageOptions DefaultOptions() => new()
    {
        QueuePollInterval = TimeSpan.FromSeconds(1),
        EnableLongPolling = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(30),
        UseSlidingInvisibilityTimeout = true,
        // Hangfire's schedulers (recurring and delayed jobs) hold short-lived lock rows; a row left
        // by a server killed while holding one is only cleared after this long. Hangfire's 10
        // minutes would stop the sweeper, retries and timers for that long after a crash.
        DistributedLockTimeout = TimeSpan.FromSeconds(20),
        // Succeeded and deleted jobs: kept a day for the dashboard. Failed ones stay until an
        // operator requeues or deletes them (Hangfire never expires a failed job).
        JobExpirationCheckInterval = TimeSpan.FromMinutes(30),
    };

    /// <summary>Creates or upgrades Hangfire's schema on <paramref name="connection"/> (idempotent).</summary>
    public static void Install(NpgsqlConnection connection) => PostgreSqlObjectsInstaller.Install(connection, Schema);

    /// <summary>How long a succeeded or deleted job stays visible: Hangfire's default, said once here.</summary>
    public static TimeSpan KeepFinished => TimeSpan.FromDays(1);

    private sealed class DataSourceConnectionFactory(Func<NpgsqlDataSource> dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource().CreateConnection();
    }
}
