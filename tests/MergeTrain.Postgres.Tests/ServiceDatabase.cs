using MergeTrain.Postgres.Migrations;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;

namespace MergeTrain.Postgres.Tests;

/// <summary>A fresh, migrated database of the service's schema for one test.</summary>
internal static class ServiceDatabase
{
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

/// <summary>A test with a fresh, migrated database and one open connection to it.</summary>
public abstract class ServiceDatabaseTest
{
    protected NpgsqlDataSource DataSource { get; private set; } = null!;

    protected NpgsqlConnection Connection { get; private set; } = null!;

    [SetUp]
    public async Task OpenDatabase()
    {
        DataSource = await ServiceDatabase.CreateAsync();
        Connection = await DataSource.OpenConnectionAsync();
    }

    [TearDown]
    public async Task CloseDatabase()
    {
        await Connection.DisposeAsync();
        await DataSource.DisposeAsync();
    }
}
