using Npgsql;

namespace MergeTrain.Application.Database;

/// <summary>
/// Whether the database is usable yet: the start-up service fills it in, health checks and
/// (later) workers read it. Until then requests that need the database are answered 503.
/// </summary>
public sealed class DatabaseReadiness
{
    private volatile State _state = new(DatabaseStatus.Starting, null, "the database is being prepared");

    /// <summary>Where start-up is.</summary>
    public DatabaseStatus Status => _state.Status;

    /// <summary>What an operator should know about <see cref="Status"/>.</summary>
    public string Detail => _state.Detail;

    /// <summary>The data source, once the schema is migrated; null before.</summary>
    public NpgsqlDataSource? DataSource => _state.DataSource;

    internal void Ready(NpgsqlDataSource dataSource, string detail) =>
        _state = new State(DatabaseStatus.Ready, dataSource, detail);

    internal void Waiting(string detail) => _state = _state with { Status = DatabaseStatus.Starting, Detail = detail };

    internal void Failed(string detail) => _state = new State(DatabaseStatus.Failed, null, detail);

    private sealed record State(DatabaseStatus Status, NpgsqlDataSource? DataSource, string Detail);
}

/// <summary>The database's start-up states.</summary>
public enum DatabaseStatus
{
    /// <summary>Starting the embedded server, waiting for an external one, or migrating.</summary>
    Starting,

    /// <summary>Reachable and migrated.</summary>
    Ready,

    /// <summary>Start-up failed for good (e.g. PostgreSQL is not installed); the service is stopping.</summary>
    Failed,
}
