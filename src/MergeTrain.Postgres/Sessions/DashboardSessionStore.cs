using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace MergeTrain.Postgres.Sessions;

/// <summary>Whose token opened a dashboard session, and until when it holds.</summary>
public sealed record DashboardSessionRecord(string TokenName, string Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// The <c>dashboard_sessions</c> table. Sessions are found by the SHA-256 of their id: the id
/// itself lives only in the browser's cookie.
/// </summary>
public static class DashboardSessionStore
{
    private const string Insert = """
        INSERT INTO dashboard_sessions (id_sha256, token_name, role, created_at, expires_at)
        VALUES (@hash, @tokenName, @role, @now, @expiresAt)
        """;

    private const string SelectLive = """
        SELECT token_name, role, created_at, expires_at FROM dashboard_sessions
        WHERE id_sha256 = @hash AND expires_at > @now
        """;

    private const string Delete = "DELETE FROM dashboard_sessions WHERE id_sha256 = @hash";

    private const string PruneExpired = """
        DELETE FROM dashboard_sessions WHERE id_sha256 IN (
            SELECT id_sha256 FROM dashboard_sessions WHERE expires_at <= @now LIMIT @batch)
        """;

    /// <summary>What one pruning statement deletes at most.</summary>
    public const int Batch = 1_000;

    /// <summary>How many random bytes a session id has.</summary>
    public const int IdLength = 32;

    /// <summary>A new session id: 256 random bits from the system's cryptographic generator.</summary>
    public static byte[] NewId() => RandomNumberGenerator.GetBytes(IdLength);

    /// <summary>Opens a session for the token named <paramref name="tokenName"/>, lasting until <paramref name="expiresAt"/>.</summary>
    public static Task CreateAsync(NpgsqlConnection connection, byte[] id, string tokenName, string role, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        DapperTypes.Register();
        return connection.ExecuteAsync(new CommandDefinition(
            Insert, new { hash = Hash(id), tokenName, role, now, expiresAt }, cancellationToken: cancellationToken));
    }

    /// <summary>The session with this id if it exists and has not expired at <paramref name="now"/>; null otherwise.</summary>
    public static Task<DashboardSessionRecord?> FindAsync(NpgsqlConnection connection, byte[] id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DapperTypes.Register();
        return connection.QuerySingleOrDefaultAsync<DashboardSessionRecord>(new CommandDefinition(
            SelectLive, new { hash = Hash(id), now }, cancellationToken: cancellationToken));
    }

    /// <summary>Ends the session with this id (logging out); returns whether there was one.</summary>
    public static async Task<bool> DeleteAsync(NpgsqlConnection connection, byte[] id, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(Delete, new { hash = Hash(id) }, cancellationToken: cancellationToken)) > 0;

    /// <summary>Deletes sessions expired at <paramref name="now"/>, batch after batch; returns how many went.</summary>
    public static async Task<long> PruneExpiredAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long total = 0;
        int deleted;
        do
        {
            deleted = await connection.ExecuteAsync(new CommandDefinition(PruneExpired, new { now, batch = Batch }, cancellationToken: cancellationToken));
            total += deleted;
        }
        while (deleted == Batch && !cancellationToken.IsCancellationRequested);

        return total;
    }

    // The id is 256 random bits: a plain hash is enough, there is nothing to guess a salt against.
    private static byte[] Hash(byte[] id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return SHA256.HashData(id);
    }
}
