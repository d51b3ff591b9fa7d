using MergeTrain.Postgres.Migrations;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MergeTrain.Postgres.Tests;

/// <summary>A fresh, migrated database of the service's schema for one test.</summary>
internal static class QueueDatabase
{
    public static async Task<NpgsqlDataSource> CreateAsync()
    {
        // Persist Security Info keeps the password in DataSource.ConnectionString, which the tests
        // hand to worker processes of their own.
        var connectionString = new NpgsqlConnectionStringBuilder(await TestPostgres.CreateDatabaseAsync()) { PersistSecurityInfo = true };
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(Migration.Service, CancellationToken.None);
        return dataSource;
    }
}
