using Dapper;
using Npgsql;

namespace MergeTrain.Postgres.Servers;

/// <summary>A service instance as recorded in the <c>servers</c> table.</summary>
public sealed record ServerRecord(string Id, string Hostname, int ProcessId, string Version, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt);

/// <summary>The <c>servers</c> table: which instances are alive, by their heartbeats.</summary>
public sealed class ServerStore
{
    private const string Upsert = """
        INSERT INTO servers (id, hostname, process_id, version, started_at, heartbeat_at)
        VALUES (@Id, @Hostname, @ProcessId, @Version, @StartedAt, @HeartbeatAt)
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at
        """;

    private const string UpdateHeartbeat = "UPDATE servers SET heartbeat_at = @now WHERE id = @id";
    private const string Delete = "DELETE FROM servers WHERE id = @id";
    private const string DeleteSilent = "DELETE FROM servers WHERE heartbeat_at < @cutoff";
    private const string SelectAll = """
        SELECT id, hostname, process_id AS ProcessId, version, started_at AS StartedAt, heartbeat_at AS HeartbeatAt
        FROM servers ORDER BY started_at
        """;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>A store over <paramref name="dataSource"/>.</summary>
    public ServerStore(NpgsqlDataSource dataSource)
    {
        DapperTypes.Register();
        _dataSource = dataSource;
    }

    /// <summary>Records <paramref name="server"/> as alive (again, if it was already known).</summary>
    public async Task RegisterAsync(ServerRecord server, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(Upsert, server, cancellationToken: cancellationToken));
    }

    /// <summary>Moves the heartbeat of <paramref name="id"/> to <paramref name="now"/>; false when the row is gone.</summary>
    public async Task<bool> HeartbeatAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(UpdateHeartbeat, new { id, now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Removes <paramref name="id"/>: a clean shutdown leaves nothing for the leader to rescue.</summary>
    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(Delete, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Removes the servers with no heartbeat since <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> RemoveSilentSinceAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteSilent, new { cutoff }, cancellationToken: cancellationToken));
    }

    /// <summary>Every recorded instance, oldest first.</summary>
    public async Task<IReadOnlyList<ServerRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ServerRecord>(new CommandDefinition(SelectAll, cancellationToken: cancellationToken))).ToList();
    }
}
