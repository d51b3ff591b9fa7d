using MergeTrain.Postgres.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MergeTrain.Testing;

/// <summary>A fresh, migrated database of the service's schema for one test.</summary>
public static class ServiceDatabase
{
    /// <summary>Creates the database, migrates it, and returns a data source on it.</summary>
    public static async Task<NpgsqlDataSource> CreateAsync()
    {
        // Persist Security Info keeps the password in DataSource.ConnectionString, which the tests
        // hand to worker processes of their own.
        var connectionString = new NpgsqlConnectionStringBuilder(await TestPostgres.CreateDatabaseAsync()) { PersistSecurityInfo = true };
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyServiceAsync(CancellationToken.None);
        return dataSource;
    }
}
