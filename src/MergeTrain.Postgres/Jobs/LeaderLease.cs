using Dapper;
using Npgsql;

namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// The <c>leader</c> table: a lease that one server holds at a time and renews; when it stops
/// renewing, the lease expires and another server takes it.
/// </summary>
public static class LeaderLease
{
    /// <summary>The election the job servers hold.</summary>
    public const string JobMaintenance = "job-maintenance";

    // Granted when nobody holds the lease, it expired, or we already hold it (a renewal).
    private const string Acquire = """
        INSERT INTO leader AS l (name, leader_id, elected_at, expires_at)
        VALUES (@name, @serverId, @now, @expiresAt)
        ON CONFLICT (name) DO UPDATE SET
            leader_id  = EXCLUDED.leader_id,
            elected_at = CASE WHEN l.leader_id = EXCLUDED.leader_id THEN l.elected_at ELSE EXCLUDED.elected_at END,
            expires_at = EXCLUDED.expires_at
        WHERE l.leader_id = EXCLUDED.leader_id OR l.expires_at < @now
        RETURNING leader_id
        """;

    private const string Release = "DELETE FROM leader WHERE name = @name AND leader_id = @serverId";

    static LeaderLease() => DapperTypes.Register();

    /// <summary>Takes or renews the lease until <paramref name="now"/> + <paramref name="lease"/>; true when <paramref name="serverId"/> holds it.</summary>
    public static async Task<bool> TryAcquireAsync(
        NpgsqlConnection connection, string name, string serverId, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var holder = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            Acquire, new { name, serverId, now, expiresAt = now + lease }, cancellationToken: cancellationToken));
        return holder == serverId;
    }

    /// <summary>Gives the lease up so that another server need not wait for it to expire.</summary>
    public static async Task ReleaseAsync(NpgsqlConnection connection, string name, string serverId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.ExecuteAsync(new CommandDefinition(Release, new { name, serverId }, cancellationToken: cancellationToken));
    }
}
