using Dapper;
using MergeTrain.Postgres.BackgroundJobs;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Postgres.Migrations;

/// <summary>
/// Applies pending migrations in version order, each in its own transaction, recorded in
/// <c>schema_migrations</c>. A session advisory lock makes instances that start together take
/// turns: the second finds the work done.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    /// <summary>The advisory lock key: "MTMIGRAT" read as a 64-bit integer, unlikely to collide with anyone else's.</summary>
    public const long LockKey = 0x4D544D4947524154;

    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private const string SelectApplied = "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
    private const string InsertApplied = "INSERT INTO schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)";
    private const string SelectVersion = "SELECT max(version) FROM schema_migrations";

    /// <summary>The newest migration applied: the readiness probe's live round trip, and what it reports.</summary>
    public static Task<int> SchemaVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition(SelectVersion, cancellationToken: cancellationToken));

    /// <summary>
    /// The service's schema: its own migrations, then Hangfire's schema (installed or upgraded by
    /// Hangfire's installer), both under the one lock.
    /// </summary>
    public Task<int> ApplyServiceAsync(CancellationToken cancellationToken) =>
        ApplyAsync(Migration.Service, cancellationToken, HangfireStorage.Install);

    /// <summary>
    /// Applies what is pending of <paramref name="migrations"/>, then <paramref name="underLock"/>
    /// if given, still holding the lock; returns how many migrations were applied now.
    /// </summary>
    /// <exception cref="InvalidOperationException">An applied migration's script has changed since.</exception>
    public async Task<int> ApplyAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken, Action<NpgsqlConnection>? underLock = null)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Session-level, not transaction-level: it must span the one transaction per migration.
        // If this process dies, the server releases it with the connection.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = LockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateTable, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<AppliedMigration>(new CommandDefinition(SelectApplied, cancellationToken: cancellationToken)))
                .ToDictionary(m => m.Version);
            var count = 0;
            foreach (var migration in migrations.OrderBy(m => m.Version))
            {
                if (applied.TryGetValue(migration.Version, out var done))
                {
                    if (done.Checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Version} ({migration.Name}) was changed after it was applied; add a new migration instead.");
                    }

                    continue;
                }

                await ApplyOneAsync(connection, migration, cancellationToken);
                count++;
            }

            underLock?.Invoke(connection);
            return count;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = LockKey });
        }
    }

    private async Task ApplyOneAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(InsertApplied, migration, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException error)
        {
            throw new InvalidOperationException($"Migration {migration.Version} ({migration.Name}) failed and was rolled back: {error.MessageText}", error);
        }

        logger.LogInformation(
            "Applied migration {Version} {Name} in {ElapsedMs:F0} ms",
            migration.Version, migration.Name, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
    }

    private sealed record AppliedMigration(int Version, string Name, string Checksum);
}
